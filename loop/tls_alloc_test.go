package loop

import (
	"bytes"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// TestTLSFlushAllocs measures allocations per flush in steady state for a
// plaintext and a TLS receiver on the same server. Method as in
// TestDeliveryAllocs: testing.AllocsPerRun (all goroutines: gnet's loop
// and the client's reader, whose crypto/tls Read is counted too) around
// one Execute on the receiver's loop that stages 256 frames of 64 bytes
// (one flush of 16 KiB, one Bridge.Encrypt for TLS) plus the wait until
// the client has read them. The TLS figure minus the plaintext one is
// what TLS adds per flush (both sides of the socket).
func TestTLSFlushAllocs(t *testing.T) {
	f := newTLSCerts(t)
	reg := &registry{}
	data := func(c *Conn, b []byte) int {
		return lines(b, func(line []byte) {
			if line[0] == 'R' {
				reg.add(c)
			}
		})
	}
	s := startServer(t, Config{Loops: 1}, tlsHandler(tlsServerOpts{cfg: f.serverConfig(), mode: tlsUpgrade, data: data}))
	var got [2]atomic.Int64
	for i := range got {
		var nc net.Conn
		if i == 0 {
			nc = dial(t, s)
		} else {
			nc = dialTLS(t, s, f.clientConfig())
		}
		if _, err := nc.Write([]byte("R\n")); err != nil {
			t.Fatal(err)
		}
		n := i + 1
		waitFor(t, "registration", 5*time.Second, func() bool { return len(reg.list()) == n })
		go func(cnt *atomic.Int64) {
			buf := make([]byte, 64<<10)
			for {
				n, err := nc.Read(buf)
				cnt.Add(int64(n))
				if err != nil {
					return
				}
			}
		}(&got[i])
	}
	frame := append(bytes.Repeat([]byte("a"), 63), '\n')
	const perBatch = 256
	var figures [2]float64
	for i, c := range reg.list() {
		sh := c.Shard()
		stage := func() {
			for k := 0; k < perBatch; k++ {
				p := sh.Begin(c)
				*p = append(*p, frame...)
				sh.Commit(c)
			}
		}
		var sent int64
		batch := func() {
			sent += perBatch * int64(len(frame))
			if err := sh.Execute(stage); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for got[i].Load() < sent {
				if time.Now().After(deadline) {
					t.Fatalf("receiver got %d of %d bytes", got[i].Load(), sent)
				}
				time.Sleep(20 * time.Microsecond)
			}
		}
		for k := 0; k < 10; k++ {
			batch()
		}
		figures[i] = testing.AllocsPerRun(100, batch)
	}
	extra := figures[1] - figures[0]
	t.Logf("allocs per flush of %d frames: plaintext %.1f, TLS %.1f (TLS adds %.1f)", perBatch, figures[0], figures[1], extra)
	if extra > 4 {
		t.Errorf("TLS adds %.1f allocs per flush, want a small constant", extra)
	}
}
