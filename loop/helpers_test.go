package loop

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// funcHandler adapts functions to Handler; nil fields do nothing.
type funcHandler struct {
	open  func(c *Conn)
	data  func(c *Conn, b []byte) int
	close func(c *Conn, err error)
	tick  func(c *Conn, now time.Time)
}

func (h *funcHandler) OnOpen(c *Conn) {
	if h.open != nil {
		h.open(c)
	}
}

func (h *funcHandler) OnData(c *Conn, b []byte) int {
	if h.data != nil {
		return h.data(c, b)
	}
	return len(b)
}

func (h *funcHandler) OnClose(c *Conn, err error) {
	if h.close != nil {
		h.close(c, err)
	}
}

func (h *funcHandler) OnTick(c *Conn, now time.Time) {
	if h.tick != nil {
		h.tick(c, now)
	}
}

// echo stages every received byte back.
func echo(c *Conn, b []byte) int {
	out := c.Out()
	*out = append(*out, b...)
	return len(b)
}

// startServer starts a server on 127.0.0.1:0 and stops it at cleanup.
func startServer(t testing.TB, cfg Config, h Handler) *Server {
	t.Helper()
	s := New(cfg, h)
	if err := s.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return s
}

func dial(t testing.TB, s *Server) net.Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", s.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { nc.Close() })
	return nc
}

// readN reads exactly n bytes with a deadline.
func readN(t testing.TB, nc net.Conn, n int, d time.Duration) []byte {
	t.Helper()
	_ = nc.SetReadDeadline(time.Now().Add(d))
	buf := make([]byte, n)
	if _, err := io.ReadFull(nc, buf); err != nil {
		t.Fatalf("read %d bytes: %v", n, err)
	}
	_ = nc.SetReadDeadline(time.Time{})
	return buf
}

func readLine(t testing.TB, r *bufio.Reader, nc net.Conn, d time.Duration) string {
	t.Helper()
	_ = nc.SetReadDeadline(time.Now().Add(d))
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("read line: %v (got %q)", err, line)
	}
	_ = nc.SetReadDeadline(time.Time{})
	return line
}

// lines splits b at '\n' and calls fn for each complete line (with the
// newline); it returns the bytes consumed.
func lines(b []byte, fn func(line []byte)) int {
	start := 0
	for i, ch := range b {
		if ch == '\n' {
			fn(b[start : i+1])
			start = i + 1
		}
	}
	return start
}

// registry is a copy-on-write list of conns readable from any loop.
type registry struct {
	mu    sync.Mutex
	conns atomic.Pointer[[]*Conn]
}

func (r *registry) add(c *Conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var cur []*Conn
	if p := r.conns.Load(); p != nil {
		cur = *p
	}
	next := append(append([]*Conn(nil), cur...), c)
	r.conns.Store(&next)
}

func (r *registry) list() []*Conn {
	if p := r.conns.Load(); p != nil {
		return *p
	}
	return nil
}

func waitFor(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// fanoutReceivers registers n receivers (each sends "R\n") through dialAt
// and returns their readers.
func fanoutReceivers(t *testing.T, reg *registry, n int, dialAt func(i int) net.Conn) []*bufio.Reader {
	t.Helper()
	var rxs []*bufio.Reader
	for i := 0; i < n; i++ {
		nc := dialAt(i)
		if _, err := nc.Write([]byte("R\n")); err != nil {
			t.Fatal(err)
		}
		want := i + 1
		waitFor(t, "receiver registered", 5*time.Second, func() bool { return len(reg.list()) == want })
		rxs = append(rxs, bufio.NewReaderSize(nc, 64<<10))
	}
	return rxs
}

// runFanout has senders (dialed through dialAt) write frames "S<id> <seq>"
// in chunks of about chunk bytes, and checks that every receiver gets all
// of them with each sender's order kept.
func runFanout(t *testing.T, rxs []*bufio.Reader, senders, frames, chunk int, dialAt func(i int) net.Conn) {
	t.Helper()
	errs := make(chan error, senders+len(rxs))
	var wg sync.WaitGroup
	for _, r := range rxs {
		wg.Add(1)
		go func(r *bufio.Reader) {
			defer wg.Done()
			next := make([]int, senders)
			for got := 0; got < senders*frames; got++ {
				line, err := r.ReadSlice('\n')
				if err != nil {
					errs <- fmt.Errorf("receiver: after %d frames: %v", got, err)
					return
				}
				var id, seq int
				if _, err := fmt.Sscanf(string(line), "S%d %d\n", &id, &seq); err != nil || id < 0 || id >= senders || seq != next[id] {
					errs <- fmt.Errorf("receiver: got %q, want seq %v", line, next)
					return
				}
				next[id]++
			}
		}(r)
	}
	for i := 0; i < senders; i++ {
		nc := dialAt(i)
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			var buf []byte
			for seq := 0; seq < frames; seq++ {
				buf = fmt.Appendf(buf, "S%d %d\n", id, seq)
				if len(buf) > chunk || seq == frames-1 {
					if _, err := nc.Write(buf); err != nil {
						errs <- err
						return
					}
					buf = buf[:0]
				}
			}
		}(i)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case err := <-errs:
		t.Fatal(err)
	case <-time.After(120 * time.Second):
		t.Fatal("timeout")
	}
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
}
