package loop

// Pins of the gnet v2.10.0 behaviours the read pause (pause.go) relies
// on, checked on a bare gnet engine: if a gnet upgrade changes one of
// them, its test fails here before the pause breaks in subtle ways.

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// pinEngine is a bare gnet engine whose callbacks the test sets.
type pinEngine struct {
	gnet.BuiltinEventEngine
	mu      sync.Mutex
	eng     gnet.Engine
	opened  chan gnet.Conn
	traffic func(c gnet.Conn) gnet.Action // nil: consume everything
	closes  chan error
}

func (p *pinEngine) OnBoot(eng gnet.Engine) gnet.Action {
	p.eng = eng
	return gnet.None
}

func (p *pinEngine) OnOpen(c gnet.Conn) ([]byte, gnet.Action) {
	p.opened <- c
	return nil, gnet.None
}

func (p *pinEngine) OnTraffic(c gnet.Conn) gnet.Action {
	p.mu.Lock()
	f := p.traffic
	p.mu.Unlock()
	if f != nil {
		return f(c)
	}
	_, _ = c.Discard(-1)
	return gnet.None
}

func (p *pinEngine) OnClose(_ gnet.Conn, err error) gnet.Action {
	p.closes <- err
	return gnet.None
}

func (p *pinEngine) setTraffic(f func(c gnet.Conn) gnet.Action) {
	p.mu.Lock()
	p.traffic = f
	p.mu.Unlock()
}

// startPin runs a one-loop gnet engine on a free port and returns it with
// its address.
func startPin(t *testing.T) (*pinEngine, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	p := &pinEngine{opened: make(chan gnet.Conn, 4), closes: make(chan error, 4)}
	done := make(chan error, 1)
	go func() {
		done <- gnet.Run(p, "tcp://"+addr, gnet.WithMulticore(false), gnet.WithNumEventLoop(1),
			gnet.WithReadBufferCap(64<<10), gnet.WithLogger(discardLogger{}))
	}()
	var nc net.Conn
	waitFor(t, "gnet listening", 5*time.Second, func() bool {
		nc, err = net.Dial("tcp", addr)
		return err == nil
	})
	_ = nc.Close()
	<-p.opened
	<-p.closes
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = p.eng.Stop(ctx)
		<-done
	})
	return p, addr
}

// pinConn starts a pin engine and connects to it: the engine, the client
// side and gnet's conn.
func pinConn(t *testing.T) (*pinEngine, net.Conn, gnet.Conn) {
	t.Helper()
	p, addr := startPin(t)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return p, nc, <-p.opened
}

// onLoop runs f on c's event loop and waits for it.
func onLoop(t *testing.T, c gnet.Conn, f func()) {
	t.Helper()
	ch := make(chan struct{})
	err := c.EventLoop().Execute(context.Background(), gnet.RunnableFunc(func(context.Context) error {
		f()
		close(ch)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("loop task did not run")
	}
}

// TestGnetPinReadsWhileUnconsumed: gnet keeps reading a readable socket
// into its inbound buffer whether or not OnTraffic consumed anything: not
// consuming is no pause (why pause.go takes the socket off the loop).
func TestGnetPinReadsWhileUnconsumed(t *testing.T) {
	p, addr := startPin(t)
	p.setTraffic(func(gnet.Conn) gnet.Action { return gnet.None })
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	gc := <-p.opened
	go func() { _, _ = nc.Write(make([]byte, 8<<20)) }()
	waitFor(t, "gnet to buffer far more than one read", 10*time.Second, func() bool {
		n := 0
		onLoop(t, gc, func() { n = gc.InboundBuffered() })
		return n >= 1<<20
	})
}

// TestGnetPinDetachAndEnroll: a Dup of a gnet conn's socket survives
// EventLoop.Close of the conn (OnClose runs inside Close, gnet leaves the
// socket open and stops polling it: the peer sees no EOF and what it sends
// stays in the kernel), and EventLoop.Enroll of a net.FileConn of the dup
// puts the socket back on the loop: OnOpen with the given context, then
// OnTraffic with the bytes sent meanwhile.
func TestGnetPinDetachAndEnroll(t *testing.T) {
	p, nc, gc := pinConn(t)
	var (
		fd  int
		err error
	)
	closedInside := false
	onLoop(t, gc, func() {
		if fd, err = gc.Dup(); err != nil {
			return
		}
		_ = gc.EventLoop().Close(gc)
		select {
		case <-p.closes:
			closedInside = true
		default:
		}
	})
	if err != nil {
		t.Fatalf("Dup: %v", err)
	}
	if !closedInside {
		t.Fatal("OnClose did not run inside EventLoop.Close")
	}
	_ = nc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, err := nc.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("peer read after the detach: %v, want no EOF (timeout)", err)
	}
	msg := []byte("sent while detached")
	if _, err := nc.Write(msg); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "bytes to wait in the kernel", 5*time.Second, func() bool {
		q, ok := rxQueue(t, nc.RemoteAddr(), nc.LocalAddr())
		return ok && q == len(msg)
	})
	got := make(chan []byte, 1)
	p.setTraffic(func(c gnet.Conn) gnet.Action {
		b, _ := c.Next(-1)
		got <- append([]byte(nil), b...)
		return gnet.None
	})
	f := os.NewFile(uintptr(fd), "dup")
	fc, err := net.FileConn(f)
	_ = f.Close()
	if err != nil {
		t.Fatal(err)
	}
	type mark struct{}
	ch, err := gc.EventLoop().Enroll(gnet.NewContext(context.Background(), mark{}), fc)
	if err != nil {
		t.Fatal(err)
	}
	back := <-p.opened
	var ctx any
	onLoop(t, back, func() { ctx = back.Context() }) // the conn is the loop's
	if _, ok := ctx.(mark); !ok {
		t.Fatalf("enrolled conn's context = %T, want the one given to Enroll", ctx)
	}
	if res := <-ch; res.Err != nil {
		t.Fatalf("Enroll: %v", res.Err)
	}
	select {
	case b := <-got:
		if string(b) != string(msg) {
			t.Fatalf("after enroll read %q, want %q", b, msg)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("bytes sent while detached were not read after Enroll")
	}
}

// TestGnetPinCloseDropsOutbound: gnet's close writes its outbound buffer
// only until the socket would block and drops the rest (why a conn whose
// output gnet still holds is not detached).
func TestGnetPinCloseDropsOutbound(t *testing.T) {
	_, nc, gc := pinConn(t)
	const total = 32 << 20
	onLoop(t, gc, func() {
		_, _ = gc.Write(make([]byte, total))
		_ = gc.EventLoop().Close(gc)
	})
	_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := io.Copy(io.Discard, nc)
	if err != nil {
		t.Fatalf("peer read: %v", err)
	}
	if n >= total {
		t.Fatalf("peer got all %d bytes: gnet's close no longer drops its outbound buffer", n)
	}
}
