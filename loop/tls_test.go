package loop

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"natsloop/tlsbridge"
)

// Handshake first: output staged in OnOpen (after StartTLS) and in
// onReady is held until the handshake ended and then encrypted; echo works
// both ways; TLSState reports the session.
func TestTLSEcho(t *testing.T) {
	f := newTLSCerts(t)
	log := newConnLog()
	h := tlsHandler(tlsServerOpts{
		cfg: f.serverConfig(), mode: tlsFirst, log: log,
		open:  func(c *Conn) { *c.Out() = append(*c.Out(), "HELLO\n"...) },
		ready: func(c *Conn) { *c.Out() = append(*c.Out(), "READY\n"...) },
	})
	s := startServer(t, Config{Loops: 2}, h)
	for i := 0; i < 3; i++ {
		tc := dialTLS(t, s, f.clientConfig())
		r := bufio.NewReader(tc)
		if l := readLine(t, r, tc, 5*time.Second); l != "HELLO\n" {
			t.Fatalf("first line %q", l)
		}
		if l := readLine(t, r, tc, 5*time.Second); l != "READY\n" {
			t.Fatalf("second line %q", l)
		}
		msg := bytes.Repeat([]byte("hello tls echo "), 1000)
		if _, err := tc.Write(msg); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(msg))
		_ = tc.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadFull(r, got); err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("echo: %v", err)
		}
		c := log.conn(i)
		st, ok := c.TLSState()
		if !ok || st.Phase != tlsbridge.PhaseReady || !st.HandshakeComplete || st.Version != tls.VersionTLS13 {
			t.Fatalf("TLSState = %+v, %v", st, ok)
		}
		t.Logf("conn %d: %s", c.ID(), st.LogLine())
	}
	// A plaintext conn reports no TLS.
	var plain Conn
	if _, ok := plain.TLSState(); ok {
		t.Fatal("TLSState on a plaintext conn")
	}
}

// 20 messages of 900 KB and 2,000 small ones, echoed through the TLS
// carry (offers of 256 KiB, Resume) and large flushes, intact and in order.
func TestTLSEchoLarge(t *testing.T) {
	f := newTLSCerts(t)
	s := startServer(t, Config{Loops: 1}, tlsHandler(tlsServerOpts{cfg: f.serverConfig(), mode: tlsFirst}))
	var stream []byte
	for i := 0; i < 20; i++ {
		stream = fmt.Appendf(stream, "BIG %d\n", i)
		for j := 0; j < 900<<10; j++ {
			stream = append(stream, byte(i*31+j*7))
		}
	}
	for i := 0; i < 2000; i++ {
		stream = fmt.Appendf(stream, "small %d\n", i)
	}
	tc := dialTLS(t, s, f.clientConfig())
	errc := make(chan error, 1)
	go func() {
		for off := 0; off < len(stream); {
			n := min(len(stream)-off, 100<<10+off%977)
			if _, err := tc.Write(stream[off : off+n]); err != nil {
				errc <- err
				return
			}
			off += n
		}
		errc <- nil
	}()
	got := make([]byte, len(stream))
	_ = tc.SetReadDeadline(time.Now().Add(60 * time.Second))
	if n, err := io.ReadFull(tc, got); err != nil {
		t.Fatalf("read echo: %v after %d of %d bytes", err, n, len(stream))
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, stream) {
		i := 0
		for i < len(got) && got[i] == stream[i] {
			i++
		}
		t.Fatalf("echo differs at byte %d of %d", i, len(stream))
	}
	t.Logf("%d bytes echoed over TLS", len(stream))
}

// Fan-out from TLS and plaintext senders to TLS and plaintext receivers
// on two loops (same-loop staging and cross-loop drains): no loss and
// per-sender order.
func TestTLSFanoutMixed(t *testing.T) {
	const senders, receivers = 4, 4
	frames := 5000
	if testing.Short() {
		frames = 1000
	}
	f := newTLSCerts(t)
	reg := &registry{}
	h := tlsHandler(tlsServerOpts{cfg: f.serverConfig(), mode: tlsUpgrade, data: fanoutHandler(reg).data})
	s := startServer(t, Config{Loops: 2}, h)
	connect := func(i int) net.Conn { // least-connections: 0 and 1 land on different loops
		if i < 2 {
			return dialTLS(t, s, f.clientConfig())
		}
		return dial(t, s)
	}
	rxs := fanoutReceivers(t, reg, receivers, connect)
	tlsShards := map[int]bool{}
	for _, c := range reg.list() {
		if _, ok := c.TLSState(); ok {
			tlsShards[c.Shard().Index()] = true
		}
	}
	if len(tlsShards) < 2 {
		t.Fatalf("TLS receivers on %d shard(s), want 2", len(tlsShards))
	}
	runFanout(t, rxs, senders, frames, 16<<10, connect)
	t.Logf("%d senders x %d receivers x %d frames (half TLS) delivered in order", senders, receivers, frames)
}

// INFO-then-upgrade: a plaintext INFO staged in OnOpen goes out in clear;
// the client's ClientHello (first OnData, LooksLikeTLS) starts TLS with
// data handed over as first; onReady's output is encrypted.
func TestTLSInfoThenUpgrade(t *testing.T) {
	f := newTLSCerts(t)
	log := newConnLog()
	h := tlsHandler(tlsServerOpts{
		cfg: f.serverConfig(), mode: tlsUpgrade, log: log,
		open:  func(c *Conn) { *c.Out() = append(*c.Out(), "INFO {\"tls_required\":true}\r\n"...) },
		ready: func(c *Conn) { *c.Out() = append(*c.Out(), "+OK\r\n"...) },
	})
	s := startServer(t, Config{Loops: 1}, h)
	nc := dial(t, s)
	info := make([]byte, 0, 64)
	var one [1]byte
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for !bytes.HasSuffix(info, []byte("\r\n")) { // byte by byte: read nothing past INFO
		if _, err := nc.Read(one[:]); err != nil {
			t.Fatalf("read INFO: %v", err)
		}
		info = append(info, one[0])
	}
	if !strings.HasPrefix(string(info), "INFO ") {
		t.Fatalf("INFO = %q", info)
	}
	tc := tls.Client(nc, f.clientConfig())
	r := bufio.NewReader(tc)
	if l := readLine(t, r, tc, 5*time.Second); l != "+OK\r\n" {
		t.Fatalf("after upgrade %q", l)
	}
	if _, err := tc.Write([]byte("PING\r\n")); err != nil {
		t.Fatal(err)
	}
	if l := readLine(t, r, tc, 5*time.Second); l != "PING\r\n" {
		t.Fatalf("echo %q", l)
	}
	if err, ok := log.readyErr(log.conn(0)); !ok || err != nil {
		t.Fatalf("onReady: %v %v", ok, err)
	}
	// A plaintext client on the same server stays plaintext.
	pc := dial(t, s)
	pr := bufio.NewReader(pc)
	readLine(t, pr, pc, 5*time.Second)
	if _, err := pc.Write([]byte("PING\r\n")); err != nil {
		t.Fatal(err)
	}
	if l := readLine(t, pr, pc, 5*time.Second); l != "PING\r\n" {
		t.Fatalf("plaintext echo %q", l)
	}
}

// A client that never sends its ClientHello is closed at the handshake
// timeout; another conn on the same loop is not disturbed.
func TestTLSHandshakeTimeout(t *testing.T) {
	f := newTLSCerts(t)
	log := newConnLog()
	const timeout = 300 * time.Millisecond
	h := tlsHandler(tlsServerOpts{cfg: f.serverConfig(), mode: tlsFirst, log: log, timeout: timeout})
	s := startServer(t, Config{Loops: 1}, h)
	silent := dial(t, s)
	waitFor(t, "silent conn open", 5*time.Second, func() bool { return log.count() == 1 })
	good := dialTLS(t, s, f.clientConfig())
	r := bufio.NewReader(good)
	c := log.conn(0)
	closed := func() bool { _, ok := log.closeReason(c); return ok }
	// The good conn keeps getting its echoes until the silent one closed.
	deadline := time.Now().Add(10 * time.Second)
	for pings := 0; pings < 2 || !closed(); pings++ {
		if time.Now().After(deadline) {
			t.Fatal("silent conn not closed")
		}
		if _, err := good.Write([]byte("ping\n")); err != nil {
			t.Fatal(err)
		}
		if l := readLine(t, r, good, 5*time.Second); l != "ping\n" {
			t.Fatalf("echo %q", l)
		}
	}
	_ = silent.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, silent); err != nil {
		t.Fatalf("silent conn not closed: %v", err)
	}
	reason, _ := log.closeReason(c)
	rerr, _ := log.readyErr(c)
	if reason == nil || rerr == nil || !strings.HasPrefix(reason.Error(), "loop: ") || !errors.Is(reason, context.DeadlineExceeded) {
		t.Fatalf("close reason %v, onReady %v", reason, rerr)
	}
	t.Logf("silent conn closed: %v", reason)
	if _, closed := log.closeReason(log.conn(1)); closed {
		t.Fatal("good conn was closed")
	}
}

// A plaintext client on a handshake-first conn makes the bridge fail: the
// conn is closed (with an alert), nothing is echoed.
func TestTLSPlaintextClientClosed(t *testing.T) {
	f := newTLSCerts(t)
	log := newConnLog()
	s := startServer(t, Config{Loops: 1}, tlsHandler(tlsServerOpts{cfg: f.serverConfig(), mode: tlsFirst, log: log}))
	nc := dial(t, s)
	if _, err := nc.Write([]byte("CONNECT {}\r\nPING\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(nc)
	if err != nil && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "reset") {
		t.Fatalf("read: %v", err)
	}
	if bytes.Contains(got, []byte("PING")) {
		t.Fatalf("plaintext echoed: %q", got)
	}
	c := log.conn(0)
	waitFor(t, "OnClose", 5*time.Second, func() bool { _, ok := log.closeReason(c); return ok })
	reason, _ := log.closeReason(c)
	rerr, _ := log.readyErr(c)
	if reason == nil || rerr == nil {
		t.Fatalf("close reason %v, onReady %v", reason, rerr)
	}
	t.Logf("closed after %d bytes (alert): %v", len(got), reason)
}

// Client certificates: one signed by the configured CA is accepted (and
// visible in TLSConnectionState), one from another CA and none are refused.
func TestTLSClientCert(t *testing.T) {
	f := newTLSCerts(t)
	log := newConnLog()
	cfg := f.serverConfig()
	cfg.ClientAuth = tls.RequireAndVerifyClientCert
	cfg.ClientCAs = f.pool
	s := startServer(t, Config{Loops: 1}, tlsHandler(tlsServerOpts{cfg: cfg, mode: tlsFirst, log: log}))

	ok := f.clientConfig()
	ok.Certificates = []tls.Certificate{f.client}
	tc := dialTLS(t, s, ok)
	if _, err := tc.Write([]byte("hi\n")); err != nil {
		t.Fatal(err)
	}
	if l := readLine(t, bufio.NewReader(tc), tc, 5*time.Second); l != "hi\n" {
		t.Fatalf("echo %q", l)
	}
	cs, has := log.conn(0).TLSConnectionState()
	if !has || len(cs.PeerCertificates) == 0 || cs.PeerCertificates[0].Subject.CommonName != "client" {
		t.Fatalf("peer certificates: %v %v", has, cs.PeerCertificates)
	}

	for i, cert := range []*tls.Certificate{&f.otherClient, nil} {
		bad := f.clientConfig()
		bad.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			if cert == nil {
				return &tls.Certificate{}, nil
			}
			return cert, nil // sent although the server asks for another CA
		}
		btc := tls.Client(dial(t, s), bad)
		_ = btc.SetDeadline(time.Now().Add(5 * time.Second))
		err := btc.Handshake()
		if err == nil { // TLS 1.3: the server's verdict comes after the client's Finished
			_, _ = btc.Write([]byte("hi\n"))
			_, err = btc.Read(make([]byte, 16))
		}
		if err == nil {
			t.Fatalf("case %d: refused client got through", i)
		}
		c := log.conn(i + 1)
		waitFor(t, "OnClose", 5*time.Second, func() bool { _, ok := log.closeReason(c); return ok })
		reason, _ := log.closeReason(c)
		if reason == nil {
			t.Fatalf("case %d: closed without a reason", i)
		}
		t.Logf("case %d: client saw %v; server: %v", i, err, reason)
	}
}
