package tlsbridge

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// clientHandshake runs a real crypto/tls client on conn.
func clientHandshake(tb testing.TB, conn net.Conn, cfg *tls.Config) (*tls.Conn, error) {
	tb.Helper()
	c := tls.Client(conn, cfg)
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	return c, c.Handshake()
}

// readN reads exactly n bytes from r in a goroutine.
func readN(r io.Reader, n int) <-chan []byte {
	ch := make(chan []byte, 1)
	go func() {
		buf := make([]byte, n)
		k, _ := io.ReadFull(r, buf)
		ch <- buf[:k]
	}()
	return ch
}

func TestServerBothWays(t *testing.T) {
	f := certs(t)
	s, peer := serverSim(t, mustServerConfig(t, f))
	c, err := clientHandshake(t, peer, mustClientConfig(t, f))
	if err != nil {
		t.Fatal(err)
	}
	st := s.waitEnded(5 * time.Second)
	if st.Phase != PhaseReady || !st.HandshakeComplete || st.Version != tls.VersionTLS13 {
		t.Fatalf("state %+v", st)
	}
	t.Log(st.LogLine())
	if !strings.HasPrefix(st.LogLine(), "TLS version 1.3, cipher suite TLS_") {
		t.Fatalf("log line %q", st.LogLine())
	}

	if _, err := c.Write([]byte("CONNECT {}\r\nPING\r\n")); err != nil {
		t.Fatal(err)
	}
	if got := s.waitReceived(18, 5*time.Second); string(got) != "CONNECT {}\r\nPING\r\n" {
		t.Fatalf("server got %q", got)
	}
	ch := readN(c, 6)
	s.send([]byte("PONG\r\n"))
	if got := <-ch; string(got) != "PONG\r\n" {
		t.Fatalf("client got %q", got)
	}
}

// bigStreams builds 3 messages of 900 KB and 2,000 small ones, in order.
func bigStreams() (large, small [][]byte) {
	for i := range 3 {
		m := bytes.Repeat([]byte{byte('a' + i)}, 900<<10)
		copy(m, fmt.Sprintf("BIG %d ", i))
		large = append(large, m)
	}
	for i := range 2000 {
		small = append(small, []byte(fmt.Sprintf("MSG foo %d %d\r\nhello-%d\r\n", i, len(fmt.Sprint(i))+6, i)))
	}
	return large, small
}

func TestLargePayloadsBothWays(t *testing.T) {
	f := certs(t)
	s, peer := serverSim(t, mustServerConfig(t, f))
	c, err := clientHandshake(t, peer, mustClientConfig(t, f))
	if err != nil {
		t.Fatal(err)
	}
	s.waitEnded(5 * time.Second)
	large, small := bigStreams()
	var want bytes.Buffer
	for _, m := range large {
		want.Write(m)
	}
	for _, m := range small {
		want.Write(m)
	}

	// Client -> bridge: one Write per message.
	go func() {
		for _, m := range append(append([][]byte{}, large...), small...) {
			if _, err := c.Write(m); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	// Bridge -> client: each large message one Encrypt, the small ones
	// in flushes of 50.
	ch := readN(c, want.Len())
	got := s.waitReceived(want.Len(), 20*time.Second)
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("server received %d bytes, differ from the %d sent", len(got), want.Len())
	}
	for _, m := range large {
		s.send(m)
	}
	for i := 0; i < len(small); i += 50 {
		s.send(bytes.Join(small[i:i+50], nil))
	}
	select {
	case back := <-ch:
		if !bytes.Equal(back, want.Bytes()) {
			t.Fatalf("client received %d bytes, differ from the %d sent", len(back), want.Len())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("client did not receive everything")
	}
}

func TestEncryptBatchesRecords(t *testing.T) {
	f := certs(t)
	s, peer := serverSim(t, mustServerConfig(t, f))
	c, err := clientHandshake(t, peer, mustClientConfig(t, f))
	if err != nil {
		t.Fatal(err)
	}
	s.waitEnded(5 * time.Second)
	go io.Copy(io.Discard, c)

	var batch []byte
	for i := range 100 {
		batch = append(batch, fmt.Sprintf("MSG foo 1 100\r\n%0100d\r\n", i)...)
	}
	var ct []byte
	s.do(func() {
		s.flushOutput() // session tickets etc. out of the way
		var err error
		ct, err = s.b.Encrypt(nil, batch)
		if err != nil {
			t.Error(err)
		}
	})
	n, _ := countRecords(t, ct)
	want := (len(batch) + 16<<10 - 1) / (16 << 10)
	if n[23] != want || len(n) != 1 {
		t.Fatalf("%d messages (%d bytes) in one Encrypt: records %v, want %d application data records", 100, len(batch), n, want)
	}
	// One 1 MB flush: full 16 KB records from the first one.
	big := bytes.Repeat([]byte("x"), 1<<20)
	s.do(func() {
		ct, err = s.b.Encrypt(ct[:0], big)
	})
	if err != nil {
		t.Fatal(err)
	}
	n, maxLen := countRecords(t, ct)
	if n[23] != 64 || maxLen > 16<<10+256 {
		t.Fatalf("1 MB in one Encrypt: records %v, largest %d; want 64 records of 16 KB", n, maxLen)
	}
	t.Logf("%d bytes of messages -> %d record(s); 1 MB -> %d records, largest %d bytes", len(batch), want, n[23], maxLen)
}

func TestClientMode(t *testing.T) {
	f := certs(t)
	scfg := mustServerConfig(t, f)
	scfg.ClientAuth = tls.RequireAndVerifyClientCert // routes verify both ways
	ccfg := mustClientConfig(t, f)
	loopEnd, peer := tcpPair(t)
	s := newSim(t, loopEnd, func(n func()) *Bridge { return NewClient(ccfg, n) },
		func(b *Bridge) { b.StartTimeout(5 * time.Second) }, false, nil)
	srv := tls.Server(peer, scfg)
	peer.SetDeadline(time.Now().Add(10 * time.Second))
	if err := srv.Handshake(); err != nil {
		t.Fatal(err)
	}
	if st := s.waitEnded(5 * time.Second); st.Phase != PhaseReady {
		t.Fatalf("client bridge: %+v", st)
	}
	if cs := srv.ConnectionState(); len(cs.PeerCertificates) == 0 || cs.PeerCertificates[0].Subject.CommonName != "client" {
		t.Fatalf("server saw no client certificate")
	}
	// Echo server: everything the bridge sends comes back.
	go io.Copy(srv, srv)
	_, small := bigStreams()
	msgs := bytes.Join(small, nil)
	for i := 0; i < len(small); i += 100 {
		s.send(bytes.Join(small[i:i+100], nil))
	}
	if got := s.waitReceived(len(msgs), 10*time.Second); !bytes.Equal(got, msgs) {
		t.Fatal("echo differs")
	}
}

func TestInfoThenUpgrade(t *testing.T) {
	f := certs(t)
	cfg := mustServerConfig(t, f)
	loopEnd, peer := tcpPair(t)
	info := []byte("INFO {\"tls_required\":true}\r\n")
	s := newSim(t, loopEnd, func(n func()) *Bridge { return NewServer(cfg, n) },
		func(b *Bridge) { b.StartTimeout(5 * time.Second) }, true, info)
	br := bufio.NewReader(peer)
	line, err := br.ReadString('\n')
	if err != nil || line != string(info) {
		t.Fatalf("INFO line %q, %v", line, err)
	}
	c, err := clientHandshake(t, peer, mustClientConfig(t, f))
	if err != nil {
		t.Fatal(err)
	}
	if st := s.waitEnded(5 * time.Second); st.Phase != PhaseReady {
		t.Fatalf("%+v", st)
	}
	c.Write([]byte("CONNECT {}\r\n"))
	if got := s.waitReceived(12, 5*time.Second); string(got) != "CONNECT {}\r\n" {
		t.Fatalf("got %q", got)
	}
}

// TestDataWithLastFlight: the client's first application data arrives in
// the same read as its Finished (TLS 1.2, where the client writes first);
// Feed(nil) after the handshake delivers it without more input.
func TestDataWithLastFlight(t *testing.T) {
	f := certs(t)
	scfg := mustServerConfig(t, f)
	scfg.MaxVersion = tls.VersionTLS12
	ccfg := mustClientConfig(t, f)
	sb, cb := bridgePair(t, scfg, ccfg)
	var ct []byte
	ct, err := cb.Encrypt(ct, []byte("PING\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := sb.Feed(ct, nil)
	if err != nil || string(plain) != "PING\r\n" {
		t.Fatalf("%q %v", plain, err)
	}
	if sb.State().Version != tls.VersionTLS12 {
		t.Fatal("not TLS 1.2")
	}
}

func TestVerify(t *testing.T) {
	f := certs(t)
	tc := f.serverTLS()
	tc.Verify = true
	scfg, err := ServerConfig(tc)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		cert, key string
		ok        bool
	}{
		{"right CA", f.clientCert, f.clientKey, true},
		{"no certificate", "", "", false},
		{"other CA", f.otherCert, f.otherKey, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ct := &tlsConfigTLS{CertFile: c.cert, KeyFile: c.key, CAFile: f.caCert}
			ccfg, err := ClientConfig(ct.tls(), "localhost")
			if err != nil {
				t.Fatal(err)
			}
			if len(ccfg.Certificates) > 0 {
				// Offer the certificate even when the server's CA list
				// does not name its issuer (crypto/tls would not).
				cert := ccfg.Certificates[0]
				ccfg.Certificates = nil
				ccfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }
			}
			s, peer := serverSim(t, scfg)
			conn, herr := clientHandshake(t, peer, ccfg)
			st := s.waitEnded(5 * time.Second)
			if c.ok {
				if herr != nil || st.Phase != PhaseReady {
					t.Fatalf("refused: client %v, bridge %+v", herr, st)
				}
				return
			}
			if st.Phase != PhaseFailed || st.Err == nil {
				t.Fatalf("accepted: %+v", st)
			}
			var unknown x509.UnknownAuthorityError
			if c.cert != "" && !errors.As(st.Err, &unknown) {
				t.Fatalf("want unknown authority, got %v", st.Err)
			}
			t.Logf("bridge: %v", st.Err)
			// TLS 1.3 clients learn of the refusal on their first read.
			if herr == nil {
				conn.SetReadDeadline(time.Now().Add(5 * time.Second))
				if _, err := conn.Read(make([]byte, 1)); err == nil {
					t.Fatal("client read succeeded")
				} else {
					t.Logf("client: %v", err)
				}
			}
		})
	}
}

func TestOldOrCBCClientRefused(t *testing.T) {
	f := certs(t)
	scfg := mustServerConfig(t, f)
	cases := []struct {
		name string
		set  func(*tls.Config)
	}{
		{"TLS 1.1", func(c *tls.Config) { c.MinVersion, c.MaxVersion = tls.VersionTLS11, tls.VersionTLS11 }},
		{"TLS 1.0", func(c *tls.Config) { c.MinVersion, c.MaxVersion = tls.VersionTLS10, tls.VersionTLS10 }},
		{"CBC only", func(c *tls.Config) {
			c.MaxVersion = tls.VersionTLS12
			c.CipherSuites = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ccfg := &tls.Config{ServerName: "localhost", RootCAs: scfg.ClientCAs}
			c.set(ccfg)
			s, peer := serverSim(t, scfg)
			_, err := clientHandshake(t, peer, ccfg)
			st := s.waitEnded(5 * time.Second)
			if err == nil || st.Phase != PhaseFailed {
				t.Fatalf("accepted: client %v, bridge %+v", err, st)
			}
			t.Logf("client: %v; bridge: %v", err, st.Err)
		})
	}
	// And the control: the same client with an AEAD suite is accepted.
	ccfg := &tls.Config{ServerName: "localhost", RootCAs: scfg.ClientCAs, MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256}}
	s, peer := serverSim(t, scfg)
	if _, err := clientHandshake(t, peer, ccfg); err != nil {
		t.Fatal(err)
	}
	if st := s.waitEnded(5 * time.Second); st.CipherSuiteName() != "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" {
		t.Fatalf("%+v %s", st, st.CipherSuiteName())
	}
}

func TestHandshakeTimeout(t *testing.T) {
	f := certs(t)
	cfg := mustServerConfig(t, f)
	loopEnd, peer := tcpPair(t)
	_ = peer // a client that never speaks
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	s := newSim(t, loopEnd, func(n func()) *Bridge { return NewServer(cfg, n) },
		func(b *Bridge) { b.Start(ctx) }, false, nil)
	st := s.waitEnded(5 * time.Second)
	if st.Phase != PhaseFailed || !errors.Is(st.Err, context.DeadlineExceeded) {
		t.Fatalf("%+v", st)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
	t.Logf("%v", st.Err)
}

// TestCloseDuringHandshake: Close stops the handshake goroutine, which
// still notifies once.
func TestCloseDuringHandshake(t *testing.T) {
	f := certs(t)
	notified := make(chan struct{}, 4)
	b := NewServer(mustServerConfig(t, f), func() { notified <- struct{}{} })
	b.Start(context.Background())
	b.Close(nil)
	select {
	case <-notified:
	case <-time.After(5 * time.Second):
		t.Fatal("no notify after Close")
	}
	if st := b.State(); st.Phase != PhaseClosed {
		t.Fatalf("%+v", st)
	}
	if _, err := b.Feed([]byte{1}, nil); !errors.Is(err, ErrClosed) {
		t.Fatal(err)
	}
	if _, err := b.Encrypt(nil, []byte("x")); err == nil {
		t.Fatal("Encrypt after Close")
	}
}

func TestCloseNotify(t *testing.T) {
	f := certs(t)
	sb, cb := bridgePair(t, mustServerConfig(t, f), mustClientConfig(t, f))
	out := sb.Close(nil)
	if n, _ := countRecords(t, out); n[23] != 1 { // TLS 1.3: the alert is encrypted
		t.Fatalf("close output records %v", n)
	}
	plain, err := cb.Feed(out, nil)
	if !errors.Is(err, io.EOF) || len(plain) != 0 {
		t.Fatalf("peer after close_notify: %q %v", plain, err)
	}
	if st := cb.State(); st.Phase != PhaseFailed || st.Err != io.EOF {
		t.Fatalf("%+v", st)
	}
	if _, err := sb.Encrypt(nil, []byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatal(err)
	}
}

func TestLooksLikeTLS(t *testing.T) {
	for _, c := range []struct {
		b    string
		want bool
	}{{"\x16\x03\x01", true}, {"CONNECT", false}, {"", false}, {"\x16", true}} {
		if LooksLikeTLS([]byte(c.b)) != c.want {
			t.Errorf("%q", c.b)
		}
	}
}

func TestEncryptBeforeHandshake(t *testing.T) {
	f := certs(t)
	b := NewServer(mustServerConfig(t, f), nil)
	if _, err := b.Encrypt(nil, []byte("x")); !errors.Is(err, ErrNotReady) {
		t.Fatal(err)
	}
	b.Close(nil)
}

// bridgePair hands a server and a client Bridge to each other in memory
// (no sockets) until both handshakes ended; both end Ready and settled.
func bridgePair(tb testing.TB, scfg, ccfg *tls.Config) (sb, cb *Bridge) {
	tb.Helper()
	wake := make(chan struct{}, 1)
	notify := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	sb, cb = NewServer(scfg, notify), NewClient(ccfg, notify)
	sb.StartTimeout(5 * time.Second)
	cb.StartTimeout(5 * time.Second)
	ended := func(b *Bridge) bool { p := b.State().Phase; return p != PhaseNew && p != PhaseHandshake }
	var buf []byte
	deadline := time.After(10 * time.Second)
	for !ended(sb) || !ended(cb) || sb.HasOutput() || cb.HasOutput() {
		select {
		case <-wake:
		case <-time.After(5 * time.Millisecond):
		case <-deadline:
			tb.Fatal("in-memory handshake did not end")
		}
		for sb.HasOutput() || cb.HasOutput() {
			buf = cb.TakeOutput(buf[:0])
			if _, err := sb.Feed(buf, nil); err != nil {
				tb.Fatal(err)
			}
			buf = sb.TakeOutput(buf[:0])
			if _, err := cb.Feed(buf, nil); err != nil {
				tb.Fatal(err)
			}
		}
	}
	if sb.State().Phase != PhaseReady || cb.State().Phase != PhaseReady {
		tb.Fatalf("server %+v client %+v", sb.State(), cb.State())
	}
	return sb, cb
}

// tlsConfigTLS builds a config.TLS inline (keeps case tables short).
type tlsConfigTLS struct{ CertFile, KeyFile, CAFile string }
