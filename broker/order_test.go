package broker

import (
	"strings"
	"testing"

	"natsloop/config"
)

// TestPublisherFlushOrdersBeforeSubscriberPong: once a publisher's PING
// is answered, every message it sent before precedes the PONG a
// subscriber on another loop gets for its own later PING (nats-server's
// behaviour, which drain and request flows rely on).
func TestPublisherFlushOrdersBeforeSubscriberPong(t *testing.T) {
	s := startServer(t, 0, func(o *config.Options) { o.Loops = 2 })
	addr := s.Addr().String()
	sub := dialRaw(t, addr)
	sub.send("CONNECT {\"verbose\":false}\r\nSUB o 1\r\nPING\r\n")
	sub.expect("PONG")
	pub := dialRaw(t, addr) // least-connections puts it on the other loop
	pub.send("CONNECT {\"verbose\":false}\r\nPING\r\n")
	pub.expect("PONG")
	const n = 500
	batch := strings.Repeat("PUB o 2\r\nhi\r\n", n) + "PING\r\n"
	for round := 0; round < 30; round++ {
		pub.send(batch)
		pub.expect("PONG")
		sub.send("PING\r\n")
		for i := 0; i < n; i++ {
			if line := sub.readLine(); line != "MSG o 1 2" {
				t.Fatalf("round %d message %d: got %q before the messages", round, i, line)
			}
			sub.expect("hi")
		}
		sub.expect("PONG")
	}
}
