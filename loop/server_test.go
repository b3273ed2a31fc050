package loop

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestEcho(t *testing.T) {
	s := startServer(t, Config{Loops: 2}, &funcHandler{data: echo})
	if s.Addr() == nil || strings.HasSuffix(s.Addr().String(), ":0") {
		t.Fatalf("Addr = %v, want the bound port", s.Addr())
	}
	for i := 0; i < 3; i++ {
		nc := dial(t, s)
		msg := bytes.Repeat([]byte("hello echo "), 1000)
		if _, err := nc.Write(msg); err != nil {
			t.Fatal(err)
		}
		if got := readN(t, nc, len(msg), 5*time.Second); !bytes.Equal(got, msg) {
			t.Fatalf("echo mismatch")
		}
	}
}

func TestStartBadAddr(t *testing.T) {
	s := New(Config{Addr: "256.1.1.1:bad"}, &funcHandler{})
	if err := s.Start(); err == nil || !strings.HasPrefix(err.Error(), "loop: ") {
		t.Fatalf("Start = %v, want a loop: error", err)
	}
}

// TestPauseResume: a handler that consumes nothing gets its unconsumed
// bytes again, joined with later ones, and Resume offers them again
// without any new read event.
func TestPauseResume(t *testing.T) {
	var paused atomic.Bool
	var offered atomic.Int64 // bytes offered to the last refusing OnData
	opened := make(chan *Conn, 1)
	h := &funcHandler{
		open: func(c *Conn) { opened <- c },
		data: func(c *Conn, b []byte) int {
			if paused.Load() {
				offered.Store(int64(len(b)))
				return 0
			}
			if bytes.HasPrefix(b, []byte("PAUSE\n")) {
				paused.Store(true)
				return 6
			}
			return echo(c, b)
		},
	}
	s := startServer(t, Config{Loops: 1}, h)
	nc := dial(t, s)
	c := <-opened
	if _, err := nc.Write([]byte("PAUSE\n")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "pause", 5*time.Second, paused.Load)
	if _, err := nc.Write([]byte("hello\n")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "hello offered and refused", 5*time.Second, func() bool { return offered.Load() == 6 })
	if _, err := nc.Write([]byte("world\n")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "hello and world offered together", 5*time.Second, func() bool { return offered.Load() == 12 })
	paused.Store(false)
	c.Resume() // no new bytes arrive: only Resume re-offers the buffered ones
	if got := string(readN(t, nc, 12, 5*time.Second)); got != "hello\nworld\n" {
		t.Fatalf("after resume got %q", got)
	}
}

func TestCloseFlushesStaged(t *testing.T) {
	errBye := errors.New("bye")
	closed := make(chan error, 1)
	big := bytes.Repeat([]byte("x"), 4<<20)
	h := &funcHandler{
		data: func(c *Conn, b []byte) int {
			return lines(b, func(line []byte) {
				if string(line) == "BYE\n" {
					out := c.Out()
					*out = append(*out, big...)
					*out = append(*out, "END\n"...)
					c.Close(errBye)
					c.Close(errors.New("second close is ignored"))
				}
			})
		},
		close: func(c *Conn, err error) { closed <- err },
	}
	s := startServer(t, Config{Loops: 1}, h)
	nc := dial(t, s)
	if _, err := nc.Write([]byte("BYE\n")); err != nil {
		t.Fatal(err)
	}
	_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(nc)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if len(got) != len(big)+4 || !bytes.HasSuffix(got, []byte("END\n")) {
		t.Fatalf("got %d bytes, want %d ending in END", len(got), len(big)+4)
	}
	if err := <-closed; err != errBye {
		t.Fatalf("OnClose err = %v, want %v", err, errBye)
	}
}

func TestCloseAsync(t *testing.T) {
	opened := make(chan *Conn, 1)
	closed := make(chan error, 1)
	h := &funcHandler{
		open:  func(c *Conn) { opened <- c },
		close: func(c *Conn, err error) { closed <- err },
	}
	s := startServer(t, Config{Loops: 1}, h)
	nc := dial(t, s)
	c := <-opened
	errX := errors.New("async")
	c.CloseAsync(errX)
	if err := <-closed; err != errX {
		t.Fatalf("OnClose err = %v", err)
	}
	if !c.Closed() {
		t.Fatal("Closed() = false after OnClose")
	}
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := nc.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("client read err = %v, want EOF", err)
	}
}

func TestTicks(t *testing.T) {
	var ticks atomic.Int32
	h := &funcHandler{tick: func(c *Conn, now time.Time) {
		ticks.Add(1)
		out := c.Out()
		*out = append(*out, "T\n"...)
	}}
	s := startServer(t, Config{Loops: 2, Tick: 20 * time.Millisecond}, h)
	nc := dial(t, s)
	r := bufio.NewReader(nc)
	for i := 0; i < 3; i++ {
		if l := readLine(t, r, nc, 5*time.Second); l != "T\n" {
			t.Fatalf("got %q", l)
		}
	}
	if ticks.Load() < 3 {
		t.Fatalf("ticks = %d", ticks.Load())
	}
}

func TestEnrollOutbound(t *testing.T) {
	type seen struct {
		value    any
		outbound bool
	}
	opened := make(chan seen, 4)
	h := &funcHandler{
		open: func(c *Conn) {
			opened <- seen{c.Value, c.Outbound()}
			if c.Outbound() {
				out := c.Out()
				*out = append(*out, "HELLO\n"...)
			}
		},
		data: echo,
	}
	s := startServer(t, Config{Loops: 2}, h)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		pc, err := ln.Accept()
		if err == nil {
			accepted <- pc
		}
	}()
	nc, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Enroll(nc, "route-1"); err != nil {
		t.Fatalf("Enroll: %v", err)
	}
	if got := <-opened; got.value != "route-1" || !got.outbound {
		t.Fatalf("OnOpen saw %+v", got)
	}
	peer := <-accepted
	defer peer.Close()
	r := bufio.NewReader(peer)
	if l := readLine(t, r, peer, 5*time.Second); l != "HELLO\n" {
		t.Fatalf("peer got %q", l)
	}
	if _, err := peer.Write([]byte("ping\n")); err != nil {
		t.Fatal(err)
	}
	if l := readLine(t, r, peer, 5*time.Second); l != "ping\n" {
		t.Fatalf("peer got %q", l)
	}
}

func TestStopClosesAll(t *testing.T) {
	var mu sync.Mutex
	reasons := map[uint64]error{}
	opened := make(chan *Conn, 8)
	h := &funcHandler{
		open: func(c *Conn) {
			out := c.Out()
			*out = append(*out, "HI\n"...)
			opened <- c
		},
		close: func(c *Conn, err error) {
			mu.Lock()
			reasons[c.ID()] = err
			mu.Unlock()
		},
	}
	s := New(Config{Loops: 2}, h)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	var ncs []net.Conn
	shards := map[int]bool{}
	for i := 0; i < 4; i++ {
		ncs = append(ncs, dial(t, s))
		shards[(<-opened).Shard().Index()] = true
	}
	if len(shards) != 2 {
		t.Errorf("conns on %d shards, want 2", len(shards))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := s.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	t.Logf("Stop took %v", time.Since(start))
	mu.Lock()
	if len(reasons) != 4 {
		t.Errorf("OnClose ran for %d conns, want 4", len(reasons))
	}
	for id, err := range reasons {
		if err != ErrServerStopped {
			t.Errorf("conn %d closed with %v", id, err)
		}
	}
	mu.Unlock()
	for _, nc := range ncs {
		_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		b, err := io.ReadAll(nc)
		if err != nil || string(b) != "HI\n" {
			t.Errorf("client got %q, %v; want HI then EOF", b, err)
		}
	}
	if err := s.Stop(ctx); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

// buffered is the number of input bytes gnet holds for c, read on c's
// loop.
func buffered(t testing.TB, c *Conn) int {
	t.Helper()
	ch := make(chan int, 1)
	if err := c.Shard().Execute(func() {
		n := -1
		if c.gc != nil {
			n = c.gc.InboundBuffered()
		}
		ch <- n
	}); err != nil {
		t.Fatal(err)
	}
	return <-ch
}

// TestNeedDefersOnData: after Need(10), reads that leave fewer than 10
// bytes buffered do not call OnData.
func TestNeedDefersOnData(t *testing.T) {
	var calls atomic.Int32
	opened := make(chan *Conn, 1)
	h := &funcHandler{open: func(c *Conn) { opened <- c }, data: func(c *Conn, b []byte) int {
		calls.Add(1)
		if len(b) < 10 {
			c.Need(10)
			return 0
		}
		return echo(c, b)
	}}
	s := startServer(t, Config{Loops: 1}, h)
	nc := dial(t, s)
	c := <-opened
	sent := 0
	for _, part := range []string{"01234", "5", "6", "7", "89"} {
		if _, err := nc.Write([]byte(part)); err != nil {
			t.Fatal(err)
		}
		if sent += len(part); sent < 10 { // each part read on its own
			waitFor(t, fmt.Sprintf("%d bytes buffered", sent), 5*time.Second, func() bool { return buffered(t, c) == sent })
		}
	}
	if got := string(readN(t, nc, 10, 5*time.Second)); got != "0123456789" {
		t.Fatalf("got %q", got)
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("OnData called %d times, want 2 (Need skips the short reads)", n)
	}
}
