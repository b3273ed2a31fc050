package broker

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"natsloop/config"
)

// TestSlowConsumerClosedOthersUnharmed: a subscriber that never reads is
// closed once max_pending is exceeded, the server logs it, and a healthy
// subscriber of the same subject still receives every message.
func TestSlowConsumerClosedOthersUnharmed(t *testing.T) {
	s := startServer(t, 0, func(o *config.Options) {
		o.MaxPending = 4 << 20
		o.Loops = 1 // the slow and the healthy conn share a loop
	})
	stuck := dialRaw(t, s.Addr().String())
	stuck.send("CONNECT {\"verbose\":false}\r\nSUB flood 1\r\nPING\r\n")
	stuck.expect("PONG")
	// From here on the raw conn never reads.

	healthy := connect(t, s)
	const n = 20000
	var wg sync.WaitGroup
	wg.Add(n)
	sub, _ := healthy.Subscribe("flood", func(*nats.Msg) { wg.Done() })
	sub.SetPendingLimits(-1, -1)
	healthy.Flush()

	pub := connect(t, s)
	payload := []byte(strings.Repeat("x", 1024))
	for i := 0; i < n; i++ {
		if err := pub.Publish("flood", payload); err != nil {
			t.Fatal(err)
		}
	}
	pub.Flush()
	waitGroup(t, &wg)

	deadline := time.Now().Add(10 * time.Second)
	for s.stats.slowConsumers.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := s.stats.slowConsumers.Load(); got != 1 {
		t.Fatalf("slow consumers = %d, want 1", got)
	}
	if got := s.NumClients(); got != 2 {
		t.Fatalf("clients = %d, want 2 (publisher and healthy subscriber)", got)
	}
}
