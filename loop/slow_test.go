package loop

import (
	"bytes"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// blastHandler: "R\n" registers a receiver; "B\n" stages chunk to every
// receiver (Begin/Commit). It records each conn's close reason.
type blastHandler struct {
	funcHandler
	reg     registry
	chunk   []byte
	mu      sync.Mutex
	reasons map[uint64]error
}

func newBlastHandler(chunk int) *blastHandler {
	h := &blastHandler{chunk: bytes.Repeat([]byte("z"), chunk), reasons: map[uint64]error{}}
	h.data = func(c *Conn, b []byte) int {
		sh := c.Shard()
		return lines(b, func(line []byte) {
			switch line[0] {
			case 'R':
				h.reg.add(c)
			case 'B':
				for _, r := range h.reg.list() {
					if r.Closed() {
						continue
					}
					out := sh.Begin(r)
					*out = append(*out, h.chunk...)
					sh.Commit(r)
				}
			}
		})
	}
	h.close = func(c *Conn, err error) {
		h.mu.Lock()
		h.reasons[c.ID()] = err
		h.mu.Unlock()
	}
	return h
}

func (h *blastHandler) reason(c *Conn) (error, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	err, ok := h.reasons[c.ID()]
	return err, ok
}

func registerReceiver(t *testing.T, s *Server, h *blastHandler) (net.Conn, *Conn) {
	t.Helper()
	nc := dial(t, s)
	n := len(h.reg.list()) + 1
	if _, err := nc.Write([]byte("R\n")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "registration", 5*time.Second, func() bool { return len(h.reg.list()) == n })
	return nc, h.reg.list()[n-1]
}

func TestSlowConsumerPending(t *testing.T) {
	const chunk = 128 << 10
	h := newBlastHandler(chunk)
	s := startServer(t, Config{Loops: 1, MaxPending: 1 << 20, WriteDeadline: -1, SocketSendBuffer: 64 << 10}, h)
	slowNC, slow := registerReceiver(t, s, h)
	_ = slowNC.(*net.TCPConn).SetReadBuffer(16 << 10) // never read
	healthyNC, healthy := registerReceiver(t, s, h)
	ctl := dial(t, s)

	blastUntilSlow(t, h, slow, healthy, healthyNC, ctl, chunk, 5)
}

func TestSlowConsumerWriteDeadline(t *testing.T) {
	const chunk = 1 << 20
	h := newBlastHandler(chunk)
	s := startServer(t, Config{Loops: 1, MaxPending: -1, WriteDeadline: 200 * time.Millisecond,
		Tick: 20 * time.Millisecond, SocketSendBuffer: 64 << 10}, h)
	slowNC, slow := registerReceiver(t, s, h)
	_ = slowNC.(*net.TCPConn).SetReadBuffer(16 << 10)
	ctl := dial(t, s)
	for i := 0; i < 4; i++ {
		if _, err := ctl.Write([]byte("B\n")); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	waitFor(t, "write deadline close", 10*time.Second, func() bool { _, ok := h.reason(slow); return ok })
	if err, _ := h.reason(slow); err != ErrSlowConsumerDeadline {
		t.Fatalf("close reason %v, want %v", err, ErrSlowConsumerDeadline)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("closed after %v, before the deadline", d)
	}
	_ = slowNC.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.Copy(io.Discard, slowNC); err != nil {
		t.Logf("slow conn read: %v", err)
	}
}

// blastUntilSlow has ctl trigger blasts of chunk bytes to every receiver
// until slow is closed as a slow consumer (ErrSlowConsumerPending), while
// healthyR, read continuously, receives every blast; then after more
// blasts still reach healthy, which must stay open.
func blastUntilSlow(t *testing.T, h *blastHandler, slow, healthy *Conn, healthyR io.Reader, ctl io.Writer, chunk, after int) {
	t.Helper()
	var got atomic.Int64
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := healthyR.Read(buf)
			got.Add(int64(n))
			if err != nil {
				return
			}
		}
	}()
	blast := func(i int, what string) {
		if _, err := ctl.Write([]byte("B\n")); err != nil {
			t.Fatal(err)
		}
		want := int64(i+1) * int64(chunk)
		waitFor(t, what, 10*time.Second, func() bool { return got.Load() >= want })
	}
	blasts := 0
	for ; blasts < 400; blasts++ {
		if _, ok := h.reason(slow); ok {
			break
		}
		blast(blasts, "healthy receiver")
	}
	if err, ok := h.reason(slow); !ok || err != ErrSlowConsumerPending {
		t.Fatalf("slow consumer: closed=%v err=%v after %d blasts", ok, err, blasts)
	}
	t.Logf("slow consumer closed after %d blasts of %d KiB", blasts, chunk>>10)
	for i := 0; i < after; i++ {
		blast(blasts+i, "healthy receiver after slow close")
	}
	if _, closed := h.reason(healthy); closed {
		t.Fatal("healthy receiver was closed")
	}
}
