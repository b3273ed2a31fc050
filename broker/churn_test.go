package broker

import (
	"fmt"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"natsloop/config"
)

// churnRound builds n PUB frames to subjects never used before
// (churn.<round>.<i>) and the byte count a '>' subscriber (sid 1) gets.
func churnRound(round, n int) (frames []byte, delivered int) {
	var b strings.Builder
	for i := 0; i < n; i++ {
		subj := fmt.Sprintf("churn.%d.%d", round, i)
		fmt.Fprintf(&b, "PUB %s 16\r\n0123456789abcdef\r\n", subj)
		delivered += len(fmt.Sprintf("MSG %s 1 16\r\n0123456789abcdef\r\n", subj))
	}
	return []byte(b.String()), delivered
}

// TestChurnDoesNotAllocate: publishing to ever new subjects (every match
// a cache miss) must not allocate per message nor fill the match cache
// with subjects that never come back. Before, each miss allocated a cache
// entry, a copy of the subject and a result, and every churned subject
// evicted a cached one.
func TestChurnDoesNotAllocate(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	s := startServer(t, 0, func(o *config.Options) { o.Loops = 2 })
	addr := s.Addr().String()
	sub := rawSubscriber(t, addr, ">")
	pub := rawPublisher(t, addr)
	const n = 40000
	rbuf := make([]byte, 256<<10)
	warm, warmLen := churnRound(0, n)
	meas, measLen := churnRound(1, n)
	round := func(frames []byte, want int) {
		if _, err := pub.Write(frames); err != nil {
			t.Fatal(err)
		}
		readBytes(t, sub, want, rbuf)
	}
	round(warm, warmLen) // grow buffers
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	round(meas, measLen)
	runtime.ReadMemStats(&after)
	mallocs := after.Mallocs - before.Mallocs
	perMsg := float64(mallocs) / n
	t.Logf("%d mallocs for %d messages to new subjects (%.4f per message)", mallocs, n, perMsg)
	if perMsg > 0.05 {
		t.Errorf("publishing to new subjects allocates: %.4f mallocs per message (%d total)", perMsg, mallocs)
	}
	st := s.accounts[globalAccount].sl.Stats()
	if st.CacheEntries > 16 {
		t.Errorf("match cache holds %d churned subjects (%+v)", st.CacheEntries, st)
	}
}

// readBytes reads exactly n more bytes from c, through buf.
func readBytes(t *testing.T, c net.Conn, n int, buf []byte) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	defer c.SetReadDeadline(time.Time{})
	for n > 0 {
		k, err := c.Read(buf[:min(n, len(buf))])
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		n -= k
	}
}
