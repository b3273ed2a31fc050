package loop

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"natsloop/tlsbridge"
)

// An enrolled outbound conn (a route link) runs the client side of the
// handshake against a crypto/tls server, both sides verifying.
func TestTLSEnrollClient(t *testing.T) {
	f := newTLSCerts(t)
	srvCfg := f.serverConfig()
	srvCfg.ClientAuth = tls.RequireAndVerifyClientCert
	srvCfg.ClientCAs = f.pool
	ln, err := tls.Listen("tcp", "127.0.0.1:0", srvCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peerErr := make(chan error, 1)
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			peerErr <- err
			return
		}
		defer nc.Close()
		_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
		r := bufio.NewReader(nc)
		line, err := r.ReadString('\n')
		if err == nil && line != "PING\n" {
			err = net.UnknownNetworkError("unexpected " + line)
		}
		if err == nil {
			_, err = nc.Write([]byte("PONG\n"))
		}
		peerErr <- err
		_, _ = r.ReadString('\n') // hold the conn until the loop closes it
	}()

	cliCfg := f.clientConfig()
	cliCfg.Certificates = []tls.Certificate{f.client}
	log := newConnLog()
	pong := make(chan *Conn, 1)
	h := &funcHandler{
		open: func(c *Conn) {
			log.open(c)
			if !c.Outbound() {
				return
			}
			c.StartTLS(cliCfg, true, 5*time.Second, nil, func(c *Conn, err error) {
				log.onReady(c, err)
				if err == nil {
					*c.Out() = append(*c.Out(), "PING\n"...)
				}
			})
		},
		data: func(c *Conn, b []byte) int {
			return lines(b, func(line []byte) {
				if string(line) == "PONG\n" {
					pong <- c
				}
			})
		},
		close: log.onClose,
	}
	s := startServer(t, Config{Loops: 2}, h)
	nc, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Enroll(nc, "route"); err != nil {
		t.Fatal(err)
	}
	var c *Conn
	select {
	case c = <-pong:
	case <-time.After(10 * time.Second):
		t.Fatal("no PONG")
	}
	st, ok := c.TLSState()
	if !ok || !st.HandshakeComplete || !c.Outbound() {
		t.Fatalf("TLSState %+v %v outbound=%v", st, ok, c.Outbound())
	}
	cs, _ := c.TLSConnectionState()
	if len(cs.PeerCertificates) == 0 || cs.PeerCertificates[0].Subject.CommonName != "server" {
		t.Fatalf("server certificate not seen")
	}
	t.Logf("route link: %s", st.LogLine())
	if err := <-peerErr; err != nil {
		t.Fatalf("peer: %v", err)
	}
}

// One flush of many small frames is encrypted in one Bridge.Encrypt:
// 2,000 frames of 32 bytes (64,000 bytes) arrive in a handful of 16 KB
// records, not one record per frame.
func TestTLSRecordBatching(t *testing.T) {
	f := newTLSCerts(t)
	frame := append(bytes.Repeat([]byte("r"), 31), '\n')
	const frames = 2000
	data := func(c *Conn, b []byte) int {
		return lines(b, func(line []byte) {
			out := c.Out()
			if string(line) != "B\n" {
				*out = append(*out, line...)
				return
			}
			sh := c.Shard()
			for i := 0; i < frames; i++ { // one frame per Begin/Commit, one flush
				p := sh.Begin(c)
				*p = append(*p, frame...)
				sh.Commit(c)
			}
		})
	}
	s := startServer(t, Config{Loops: 1}, tlsHandler(tlsServerOpts{cfg: f.serverConfig(), mode: tlsFirst, data: data}))
	rc := &recordCounter{Conn: dial(t, s)}
	tc := tls.Client(rc, f.clientConfig())
	r := bufio.NewReader(tc)
	if _, err := tc.Write([]byte("X\n")); err != nil {
		t.Fatal(err)
	}
	if l := readLine(t, r, tc, 5*time.Second); l != "X\n" {
		t.Fatalf("echo %q", l)
	}
	rc.records.Store(0)
	if _, err := tc.Write([]byte("B\n")); err != nil {
		t.Fatal(err)
	}
	got := readN(t, tc, frames*len(frame), 10*time.Second)
	if !bytes.Equal(got, bytes.Repeat(frame, frames)) {
		t.Fatal("frames corrupted")
	}
	n := rc.records.Load()
	t.Logf("%d frames (%d bytes) in %d records", frames, frames*len(frame), n)
	if n > 8 {
		t.Fatalf("%d records for one flush of %d bytes, want <= 8", n, frames*len(frame))
	}
}

// A TLS receiver that stops reading is still detected as a slow consumer
// (max pending counts ciphertext gnet holds), and a healthy TLS receiver
// on the same loop keeps receiving.
func TestTLSSlowConsumer(t *testing.T) {
	f := newTLSCerts(t)
	const chunk = 128 << 10
	h := newBlastHandler(chunk)
	cfg := f.serverConfig()
	h.open = func(c *Conn) { c.StartTLS(cfg, false, 5*time.Second, nil, nil) }
	s := startServer(t, Config{Loops: 1, MaxPending: 1 << 20, WriteDeadline: -1, SocketSendBuffer: 64 << 10}, h)
	register := func(small bool) (*tls.Conn, *Conn) {
		nc := dial(t, s)
		if small {
			_ = nc.(*net.TCPConn).SetReadBuffer(16 << 10)
		}
		tc := tls.Client(nc, f.clientConfig())
		_ = tc.SetDeadline(time.Now().Add(5 * time.Second))
		if err := tc.Handshake(); err != nil {
			t.Fatal(err)
		}
		_ = tc.SetDeadline(time.Time{})
		n := len(h.reg.list()) + 1
		if _, err := tc.Write([]byte("R\n")); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "registration", 5*time.Second, func() bool { return len(h.reg.list()) == n })
		return tc, h.reg.list()[n-1]
	}
	_, slow := register(true) // never reads
	healthyTC, healthy := register(false)
	ctl := dialTLS(t, s, f.clientConfig())
	blastUntilSlow(t, h, slow, healthy, healthyTC, ctl, chunk, 3)
}

// Need counts plaintext on a TLS conn: a 2 MiB length-prefixed frame is
// offered once complete instead of on every read; and a handler that
// pauses (consumes nothing) gets the carry again on Resume.
func TestTLSNeedAndResume(t *testing.T) {
	f := newTLSCerts(t)
	var calls atomic.Int64
	var paused atomic.Bool
	var offered atomic.Int64 // plaintext offered to the last refusing OnData
	opened := make(chan *Conn, 1)
	data := func(c *Conn, b []byte) int {
		calls.Add(1)
		if paused.Load() {
			offered.Store(int64(len(b)))
			return 0
		}
		if b[0] == 'P' { // "P\n": pause
			paused.Store(true)
			return 2
		}
		// "L<n>\n" then n bytes; answered with "<n> <sum>\n".
		nl := bytes.IndexByte(b, '\n')
		if nl < 0 {
			return 0
		}
		n, _ := strconv.Atoi(string(b[1:nl]))
		if len(b) < nl+1+n {
			c.Need(nl + 1 + n)
			return 0
		}
		sum := 0
		for _, ch := range b[nl+1 : nl+1+n] {
			sum += int(ch)
		}
		out := c.Out()
		*out = strconv.AppendInt(*out, int64(n), 10)
		*out = append(*out, ' ')
		*out = strconv.AppendInt(*out, int64(sum), 10)
		*out = append(*out, '\n')
		return nl + 1 + n
	}
	h := tlsHandler(tlsServerOpts{cfg: f.serverConfig(), mode: tlsFirst, data: data,
		open: func(c *Conn) { opened <- c }})
	s := startServer(t, Config{Loops: 1}, h)
	tc := dialTLS(t, s, f.clientConfig())
	c := <-opened
	r := bufio.NewReader(tc)
	const n = 2 << 20
	payload := make([]byte, n)
	sum := 0
	for i := range payload {
		payload[i] = byte(i * 13)
		sum += int(payload[i])
	}
	go func() {
		_, _ = tc.Write([]byte("L" + strconv.Itoa(n) + "\n"))
		for off := 0; off < n; off += 32 << 10 {
			_, _ = tc.Write(payload[off : off+32<<10])
		}
	}()
	want := strconv.Itoa(n) + " " + strconv.Itoa(sum) + "\n"
	if l := readLine(t, r, tc, 10*time.Second); l != want {
		t.Fatalf("got %q, want %q", l, want)
	}
	t.Logf("2 MiB frame offered to OnData in %d calls", calls.Load())
	if calls.Load() > 8 {
		t.Fatalf("OnData called %d times for one frame with Need", calls.Load())
	}

	if _, err := tc.Write([]byte("P\n")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "pause", 5*time.Second, paused.Load)
	if _, err := tc.Write([]byte("L3\nabc")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the frame in the carry", 5*time.Second, func() bool { return offered.Load() == 6 })
	paused.Store(false)
	c.Resume() // the plaintext waits in the carry: only Resume offers it
	if l := readLine(t, r, tc, 5*time.Second); l != "3 294\n" {
		t.Fatalf("after resume %q", l)
	}
}

// Stop during a handshake closes the conn (OnClose once) and ends the
// handshake goroutine.
func TestTLSStopDuringHandshake(t *testing.T) {
	f := newTLSCerts(t)
	log := newConnLog()
	h := tlsHandler(tlsServerOpts{cfg: f.serverConfig(), mode: tlsFirst, log: log, timeout: time.Minute})
	s := New(Config{Loops: 1}, h)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	nc, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	waitFor(t, "open", 5*time.Second, func() bool { return log.count() == 1 })
	if err := s.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	c := log.conn(0)
	if reason, ok := log.closeReason(c); !ok || reason != ErrServerStopped {
		t.Fatalf("close reason %v %v", reason, ok)
	}
	if st, _ := c.TLSState(); st.Phase != tlsbridge.PhaseClosed {
		t.Fatalf("bridge phase %v after OnClose", st.Phase)
	}
	if _, ok := log.readyErr(c); ok {
		t.Fatal("onReady ran for a conn closed during its handshake")
	}
}
