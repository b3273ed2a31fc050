package broker

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"natsloop/config"
)

// rawClient dials addr, sends CONNECT (no verbose, no pedantic) plus
// setup, and waits for the PONG of a trailing PING. Benchmarks read
// deliveries into fixed buffers, so the clients allocate nothing.
func rawClient(tb testing.TB, addr, setup string) net.Conn {
	tb.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "CONNECT {\"verbose\":false,\"pedantic\":false}\r\n%sPING\r\n", setup)
	readUntil(tb, c, "PONG\r\n")
	return c
}

func rawSubscriber(tb testing.TB, addr, subj string) net.Conn {
	return rawClient(tb, addr, "SUB "+subj+" 1\r\n")
}

func rawPublisher(tb testing.TB, addr string) net.Conn { return rawClient(tb, addr, "") }

// readUntil reads from c until the stream contains marker.
func readUntil(tb testing.TB, c net.Conn, marker string) {
	tb.Helper()
	var acc []byte
	buf := make([]byte, 4096)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	defer c.SetReadDeadline(time.Time{})
	for !bytes.Contains(acc, []byte(marker)) {
		n, err := c.Read(buf)
		if err != nil {
			tb.Fatalf("reading for %q: %v (got %q)", marker, err, acc)
		}
		acc = append(acc, buf[:n]...)
	}
}

// pubsubRound publishes n messages in batches and reads the n deliveries
// on every subscriber.
func pubsubRound(tb testing.TB, pub net.Conn, subs []net.Conn, batch []byte, perBatch, n, msgLen int, rbuf []byte) {
	for sent := 0; sent < n; sent += perBatch {
		if _, err := pub.Write(batch); err != nil {
			tb.Fatal(err)
		}
	}
	want := int64(n * msgLen)
	for _, s := range subs {
		s.SetReadDeadline(time.Now().Add(30 * time.Second))
		var got int64
		for got < want {
			k, err := s.Read(rbuf)
			if err != nil && err != io.EOF {
				tb.Fatalf("read after %d/%d bytes: %v", got, want, err)
			}
			got += int64(k)
		}
	}
}

func benchPubSub(b *testing.B, nsubs, size int) {
	s := startServer(b, 0, func(o *config.Options) { o.Loops = 2 })
	addr := s.Addr().String()
	var subs []net.Conn
	for i := 0; i < nsubs; i++ {
		subs = append(subs, rawSubscriber(b, addr, "bench"))
	}
	pub := rawPublisher(b, addr)
	payload := strings.Repeat("x", size)
	frame := fmt.Sprintf("PUB bench %d\r\n%s\r\n", size, payload)
	const perBatch = 256
	batch := []byte(strings.Repeat(frame, perBatch))
	msgLen := len(fmt.Sprintf("MSG bench 1 %d\r\n%s\r\n", size, payload))
	rbuf := make([]byte, 256<<10)
	n := perBatch * 40
	pubsubRound(b, pub, subs, batch, perBatch, n, msgLen, rbuf) // warm up
	runtime.GC()
	b.ReportAllocs()
	b.SetBytes(int64(size))
	b.ResetTimer()
	rounds := (b.N + n - 1) / n
	for r := 0; r < rounds; r++ {
		pubsubRound(b, pub, subs, batch, perBatch, n, msgLen, rbuf)
	}
	b.StopTimer()
	b.ReportMetric(float64(rounds*n*nsubs)/b.Elapsed().Seconds(), "delivered/s")
}

// BenchmarkDeliver1to1 reports allocs/op per published message, measured
// over the whole process (server and raw clients); the target is 0.
func BenchmarkDeliver1to1(b *testing.B)    { benchPubSub(b, 1, 16) }
func BenchmarkDeliverFanout4(b *testing.B) { benchPubSub(b, 4, 128) }

// TestDeliveryAllocations fails when steady-state delivery allocates per
// message: it counts mallocs process-wide across 40,960 messages delivered
// to 2 subscribers, and allows a small fixed amount for runtime background
// work (timers, the loop's per-batch Execute).
func TestDeliveryAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	s := startServer(t, 0, func(o *config.Options) { o.Loops = 2 })
	addr := s.Addr().String()
	subs := []net.Conn{rawSubscriber(t, addr, "bench"), rawSubscriber(t, addr, "bench")}
	pub := rawPublisher(t, addr)
	frame := "PUB bench 16\r\n0123456789abcdef\r\n"
	const perBatch = 256
	batch := []byte(strings.Repeat(frame, perBatch))
	msgLen := len("MSG bench 1 16\r\n0123456789abcdef\r\n")
	rbuf := make([]byte, 256<<10)
	n := perBatch * 160
	pubsubRound(t, pub, subs, batch, perBatch, n, msgLen, rbuf) // warm up, grow buffers
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	pubsubRound(t, pub, subs, batch, perBatch, n, msgLen, rbuf)
	runtime.ReadMemStats(&after)
	mallocs := after.Mallocs - before.Mallocs
	perMsg := float64(mallocs) / float64(n)
	t.Logf("%d mallocs for %d messages (%.4f per message)", mallocs, n, perMsg)
	if perMsg > 0.05 {
		t.Fatalf("delivery allocates: %.4f mallocs per message (%d total)", perMsg, mallocs)
	}
}
