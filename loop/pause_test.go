package loop

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rxQueue reads the receive queue (bytes the kernel holds, unread) of
// the TCP socket from local to remote, from /proc/net/tcp.
func rxQueue(t *testing.T, local, remote net.Addr) (int, bool) {
	t.Helper()
	b, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		t.Skipf("no /proc/net/tcp: %v", err)
	}
	hexAddr := func(a net.Addr) string {
		ta := a.(*net.TCPAddr)
		ip := ta.IP.To4()
		return fmt.Sprintf("%02X%02X%02X%02X:%04X", ip[3], ip[2], ip[1], ip[0], ta.Port)
	}
	l, r := hexAddr(local), hexAddr(remote)
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || f[1] != l || f[2] != r {
			continue
		}
		_, rx, _ := strings.Cut(f[4], ":")
		n, err := strconv.ParseInt(rx, 16, 64)
		if err != nil {
			t.Fatalf("parse %q: %v", f[4], err)
		}
		return int(n), true
	}
	return 0, false
}

// sink is a handler state that hashes and counts what OnData consumed.
type sink struct {
	mu sync.Mutex
	h  hash.Hash
	n  atomic.Int64
}

func newSink() *sink { return &sink{h: sha256.New()} }

func (k *sink) take(b []byte) {
	k.mu.Lock()
	k.h.Write(b)
	k.mu.Unlock()
	k.n.Add(int64(len(b)))
}

func (k *sink) sum() []byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.h.Sum(nil)
}

// TestPauseHoldsThePeerInTheKernel: while a conn is paused no byte is
// taken from its socket (the kernel's receive queue grows, the peer's
// writes block), and after Resume every byte arrives, in order.
func TestPauseHoldsThePeerInTheKernel(t *testing.T) {
	for _, loops := range []int{1, 2} {
		t.Run(fmt.Sprintf("loops=%d", loops), func(t *testing.T) {
			k := newSink()
			pausedCh := make(chan *Conn, 1)
			var once sync.Once
			s := startServer(t, Config{Loops: loops}, &funcHandler{data: func(c *Conn, b []byte) int {
				k.take(b)
				once.Do(func() { c.Pause(); pausedCh <- c })
				return len(b)
			}})
			nc := dial(t, s)
			src := sha256.New()
			chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
			write := func(b []byte) int {
				n, err := nc.Write(b)
				src.Write(b[:n])
				if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Fatalf("write: %v", err)
				}
				return n
			}
			write([]byte("first"))
			var pc *Conn
			select {
			case pc = <-pausedCh:
			case <-time.After(5 * time.Second):
				t.Fatal("no data")
			}
			before := k.n.Load()
			// Writes must block: the kernel buffers fill, nothing drains them.
			_ = nc.SetWriteDeadline(time.Now().Add(500 * time.Millisecond))
			sent := 0
			for i := 0; i < 1024; i++ {
				n := write(chunk)
				sent += n
				if n < len(chunk) {
					break
				}
			}
			_ = nc.SetWriteDeadline(time.Time{})
			if sent >= 1024*len(chunk) {
				t.Fatalf("the peer wrote %d bytes to a paused conn without blocking", sent)
			}
			q, ok := rxQueue(t, nc.RemoteAddr(), nc.LocalAddr())
			if !ok || q < 64<<10 {
				t.Fatalf("server receive queue = %d (found %v), want the kernel to hold the bytes", q, ok)
			}
			if got := k.n.Load(); got != before {
				t.Fatalf("OnData took %d bytes while paused", got-before)
			}
			pc.Resume()
			for i := 0; i < 16; i++ {
				write(chunk)
			}
			total := int64(len("first")) + int64(sent) + 16*int64(len(chunk))
			waitFor(t, "every byte after resume", 20*time.Second, func() bool { return k.n.Load() == total })
			if !bytes.Equal(k.sum(), src.Sum(nil)) {
				t.Fatal("bytes after resume differ from what was sent")
			}
		})
	}
}

// TestPauseResumeChurnKeepsOrder pauses after every line and resumes
// shortly after: bytes taken at detach are offered first, and nothing is
// lost or reordered through hundreds of detach/re-attach cycles.
func TestPauseResumeChurnKeepsOrder(t *testing.T) {
	const lines = 3000
	var next atomic.Int64
	errc := make(chan error, 1)
	s := startServer(t, Config{Loops: 2}, &funcHandler{data: func(c *Conn, b []byte) int {
		consumed := 0
		for !c.Paused() {
			i := bytes.IndexByte(b[consumed:], '\n')
			if i < 0 {
				break
			}
			line := b[consumed : consumed+i]
			consumed += i + 1
			if want := strconv.Itoa(int(next.Load())); string(line) != want {
				select {
				case errc <- fmt.Errorf("got line %q, want %q", line, want):
				default:
				}
			}
			if n := next.Add(1); n%7 == 0 {
				c.Pause()
				time.AfterFunc(200*time.Microsecond, c.Resume)
			}
		}
		return consumed
	}})
	nc := dial(t, s)
	var buf []byte
	for i := 0; i < lines; i++ {
		buf = strconv.AppendInt(buf, int64(i), 10)
		buf = append(buf, '\n')
	}
	go func() {
		for len(buf) > 0 { // uneven writes: lines split across reads
			n := min(len(buf), 1+len(buf)%997)
			if _, err := nc.Write(buf[:n]); err != nil {
				return
			}
			buf = buf[n:]
		}
	}()
	waitFor(t, "all lines", 30*time.Second, func() bool {
		select {
		case err := <-errc:
			t.Fatal(err)
		default:
		}
		return next.Load() == lines
	})
}

// pairServer runs a handler where conn "A" (first line "A") can be paused
// and other conns send commands to it: "W text" stages text for A, "C"
// closes A, "R" resumes A.
type pairServer struct {
	mu     sync.Mutex
	a      *Conn
	closed chan error
}

func (p *pairServer) conn() *Conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.a
}

// pauseA makes the client conn a (reader ar) the paused "A" and waits
// until its socket is off the loop.
func (p *pairServer) pauseA(t *testing.T, a net.Conn, ar *bufio.Reader) {
	t.Helper()
	if _, err := a.Write([]byte("A\n")); err != nil {
		t.Fatal(err)
	}
	if got := readLine(t, ar, a, 5*time.Second); got != "paused\n" {
		t.Fatalf("got %q", got)
	}
	waitFor(t, "A detached", 5*time.Second, func() bool { c := p.conn(); return c != nil && c.shard.rstateOf(c) == readDetached })
}

func (p *pairServer) handler() *funcHandler {
	return &funcHandler{
		data: func(c *Conn, b []byte) int {
			return lines(b, func(line []byte) {
				cmd := strings.TrimSpace(string(line))
				p.mu.Lock()
				a := p.a
				p.mu.Unlock()
				switch {
				case cmd == "A":
					p.mu.Lock()
					p.a = c
					p.mu.Unlock()
					c.Pause()
					*c.Out() = append(*c.Out(), "paused\n"...)
				case strings.HasPrefix(cmd, "W "):
					buf := c.Shard().Begin(a)
					*buf = append(*buf, cmd[2:]+"\n"...)
					c.Shard().Commit(a)
				case cmd == "C":
					a.CloseAsync(nil)
				case cmd == "R":
					a.Resume()
				}
			})
		},
		close: func(c *Conn, err error) {
			p.mu.Lock()
			isA := c == p.a
			p.mu.Unlock()
			if isA {
				p.closed <- err
			}
		},
	}
}

// TestPausedConnStillWrites: output for a paused conn (same loop and from
// another loop) goes out while it is paused; a paused conn resumes with
// the bytes it sent meanwhile, and closes cleanly while paused.
func TestPausedConnStillWrites(t *testing.T) {
	for _, loops := range []int{1, 2} {
		t.Run(fmt.Sprintf("loops=%d", loops), func(t *testing.T) {
			p := &pairServer{closed: make(chan error, 1)}
			s := startServer(t, Config{Loops: loops, Balance: RoundRobin}, p.handler())
			a := dial(t, s)
			ar := bufio.NewReader(a)
			p.pauseA(t, a, ar)
			// A writes a command while paused: held by the kernel.
			if _, err := a.Write([]byte("W held\n")); err != nil {
				t.Fatal(err)
			}
			b := dial(t, s)
			for i := 0; i < 50; i++ {
				if _, err := fmt.Fprintf(b, "W msg%d\n", i); err != nil {
					t.Fatal(err)
				}
			}
			for i := 0; i < 50; i++ {
				if got, want := readLine(t, ar, a, 5*time.Second), fmt.Sprintf("msg%d\n", i); got != want {
					t.Fatalf("paused conn got %q, want %q", got, want)
				}
			}
			if _, err := b.Write([]byte("R\n")); err != nil {
				t.Fatal(err)
			}
			if got := readLine(t, ar, a, 5*time.Second); got != "held\n" {
				t.Fatalf("after resume got %q, want the held command's output", got)
			}
			// Pause again and close while paused.
			p.pauseA(t, a, ar)
			if _, err := b.Write([]byte("C\n")); err != nil {
				t.Fatal(err)
			}
			select {
			case <-p.closed:
			case <-time.After(5 * time.Second):
				t.Fatal("no OnClose for a conn closed while paused")
			}
			_ = a.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := ar.ReadByte(); err != io.EOF {
				t.Fatalf("peer of a closed paused conn: %v, want EOF", err)
			}
		})
	}
}

// rstateOf reads c's read state on its loop (tests).
func (s *Shard) rstateOf(c *Conn) readState {
	ch := make(chan readState, 1)
	if err := s.Execute(func() { ch <- c.rstate }); err != nil {
		return readOn
	}
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		return readOn
	}
}

// TestStopWhilePaused: Stop closes a paused conn like any other.
func TestStopWhilePaused(t *testing.T) {
	p := &pairServer{closed: make(chan error, 1)}
	s := New(Config{Loops: 1}, p.handler())
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	a := dial(t, s)
	ar := bufio.NewReader(a)
	p.pauseA(t, a, ar)
	stopServer(t, s)
	select {
	case err := <-p.closed:
		if err != ErrServerStopped {
			t.Fatalf("close reason %v, want ErrServerStopped", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no OnClose")
	}
}

func stopServer(t *testing.T, s *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}
