package tlsbridge

import (
	"bytes"
	"crypto/tls"
	"net"
	"sync"
	"testing"
	"time"
)

// loopSim plays the event loop for one Bridge over a real TCP socket: a
// single goroutine owns the Bridge, a reader goroutine turns socket reads
// into events, notify wakes the loop goroutine. Everything the test wants
// done with the Bridge goes through do().
type loopSim struct {
	tb   testing.TB
	conn net.Conn
	b    *Bridge // owned by the loop goroutine once created

	wake  chan struct{}
	in    chan []byte
	tasks chan func()
	ended chan struct{} // closed when the handshake ended (ok or not)
	quit  chan struct{}
	exit  chan struct{}

	mu       sync.Mutex
	received bytes.Buffer // plaintext from the peer
	got      chan struct{}
	err      error // first Feed/Encrypt error

	// newBridge creates the Bridge when the first bytes arrive (nil
	// function: the Bridge exists from the start).
	newBridge func(first []byte) *Bridge
	wrote     [][]byte // ciphertext batches written (loop goroutine)
	plain     []byte
	out       []byte
	endedOnce bool
}

// newSim starts the loop for conn. mk builds the bridge with the sim's
// notify; when lazy is set mk runs on the first bytes read (INFO-then-
// upgrade), else at once. pre is plaintext written raw before anything.
func newSim(tb testing.TB, conn net.Conn, mk func(notify func()) *Bridge, start func(*Bridge), lazy bool, pre []byte) *loopSim {
	s := &loopSim{
		tb: tb, conn: conn,
		wake:  make(chan struct{}, 1),
		in:    make(chan []byte, 64),
		tasks: make(chan func()),
		ended: make(chan struct{}),
		quit:  make(chan struct{}),
		exit:  make(chan struct{}),
		got:   make(chan struct{}, 1),
	}
	notify := func() {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	if len(pre) > 0 {
		if _, err := conn.Write(pre); err != nil {
			tb.Fatal(err)
		}
	}
	if lazy {
		s.newBridge = func(first []byte) *Bridge {
			if !LooksLikeTLS(first) {
				tb.Errorf("first bytes %q do not look like TLS", first)
			}
			b := mk(notify)
			start(b)
			return b
		}
	} else {
		s.b = mk(notify)
		start(s.b)
	}
	go s.read()
	go s.run()
	tb.Cleanup(s.stop)
	return s
}

func (s *loopSim) read() {
	for {
		buf := make([]byte, 32<<10)
		n, err := s.conn.Read(buf)
		if n > 0 {
			select {
			case s.in <- buf[:n]:
			case <-s.quit:
				return
			}
		}
		if err != nil {
			close(s.in)
			return
		}
	}
}

func (s *loopSim) run() {
	defer close(s.exit)
	for {
		select {
		case <-s.quit:
			return
		case <-s.wake:
			s.flushOutput()
			s.checkEnded()
		case ct, ok := <-s.in:
			if !ok {
				s.in = nil
				continue
			}
			if s.b == nil {
				s.b = s.newBridge(ct)
			}
			s.feed(ct)
		case fn := <-s.tasks:
			fn()
		}
	}
}

func (s *loopSim) checkEnded() {
	if s.endedOnce || s.b == nil {
		return
	}
	p := s.b.State().Phase
	if p == PhaseNew || p == PhaseHandshake {
		return
	}
	s.endedOnce = true
	if p == PhaseReady {
		s.feed(nil) // bytes that came with the last handshake flight
	}
	close(s.ended)
}

func (s *loopSim) feed(ct []byte) {
	var err error
	s.plain, err = s.b.Feed(ct, s.plain[:0])
	if len(s.plain) > 0 {
		s.mu.Lock()
		s.received.Write(s.plain)
		s.mu.Unlock()
		select {
		case s.got <- struct{}{}:
		default:
		}
	}
	if s.b.HasOutput() {
		s.flushOutput()
	}
	if err != nil {
		s.setErr(err)
	}
}

func (s *loopSim) flushOutput() {
	if s.b == nil {
		return
	}
	s.out = s.b.TakeOutput(s.out[:0])
	s.write(s.out)
}

func (s *loopSim) write(b []byte) {
	if len(b) == 0 {
		return
	}
	s.wrote = append(s.wrote, append([]byte(nil), b...))
	if _, err := s.conn.Write(b); err != nil {
		s.setErr(err)
	}
}

func (s *loopSim) setErr(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
}

// do runs fn on the loop goroutine and waits for it.
func (s *loopSim) do(fn func()) {
	done := make(chan struct{})
	select {
	case s.tasks <- func() { fn(); close(done) }:
	case <-s.exit:
		s.tb.Fatal("loop exited")
	}
	<-done
}

// send encrypts one batch (one flush) and writes it.
func (s *loopSim) send(batch []byte) {
	s.do(func() {
		var err error
		s.out, err = s.b.Encrypt(s.out[:0], batch)
		if err != nil {
			s.setErr(err)
			return
		}
		s.write(s.out)
	})
}

// waitEnded waits for the handshake to end and returns the state.
func (s *loopSim) waitEnded(d time.Duration) State {
	s.tb.Helper()
	select {
	case <-s.ended:
	case <-time.After(d):
		s.tb.Fatal("handshake did not end")
	}
	var st State
	s.do(func() { st = s.b.State() })
	return st
}

// waitReceived waits until n plaintext bytes arrived and returns them.
func (s *loopSim) waitReceived(n int, d time.Duration) []byte {
	s.tb.Helper()
	deadline := time.After(d)
	for {
		s.mu.Lock()
		have, err := s.received.Len(), s.err
		s.mu.Unlock()
		if have >= n {
			s.mu.Lock()
			defer s.mu.Unlock()
			return append([]byte(nil), s.received.Bytes()...)
		}
		if err != nil {
			s.tb.Fatalf("after %d of %d bytes: %v", have, n, err)
		}
		select {
		case <-s.got:
		case <-deadline:
			s.tb.Fatalf("received %d of %d bytes", have, n)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (s *loopSim) stop() {
	select {
	case <-s.quit:
	default:
		close(s.quit)
	}
	s.conn.Close()
	<-s.exit
}

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(tb testing.TB) (a, b net.Conn) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	ch := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			tb.Error(err)
		}
		ch <- c
	}()
	a, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	b = <-ch
	tb.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// serverSim starts a server Bridge (handshake_first) on one end of a
// TCP pair and returns it with the other end.
func serverSim(tb testing.TB, cfg *tls.Config) (*loopSim, net.Conn) {
	tb.Helper()
	loopEnd, peerEnd := tcpPair(tb)
	s := newSim(tb, loopEnd, func(n func()) *Bridge { return NewServer(cfg, n) },
		func(b *Bridge) { b.StartTimeout(5 * time.Second) }, false, nil)
	return s, peerEnd
}

// mustServerConfig is ServerConfig or a fatal error.
func mustServerConfig(tb testing.TB, f *certFixture) *tls.Config {
	tb.Helper()
	cfg, err := ServerConfig(f.serverTLS())
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// mustClientConfig is ClientConfig for localhost or a fatal error.
func mustClientConfig(tb testing.TB, f *certFixture) *tls.Config {
	tb.Helper()
	cfg, err := ClientConfig(f.clientTLS(), "localhost")
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// countRecords parses TLS record headers in ct and returns how many
// records of each type it holds and the largest record length; it fails
// on a truncated record.
func countRecords(tb testing.TB, ct []byte) (n map[byte]int, maxLen int) {
	tb.Helper()
	n = map[byte]int{}
	for len(ct) > 0 {
		if len(ct) < 5 {
			tb.Fatalf("truncated record header: %d bytes", len(ct))
		}
		l := int(ct[3])<<8 | int(ct[4])
		if len(ct) < 5+l {
			tb.Fatalf("truncated record: %d of %d bytes", len(ct)-5, l)
		}
		n[ct[0]]++
		maxLen = max(maxLen, l)
		ct = ct[5+l:]
	}
	return n, maxLen
}
