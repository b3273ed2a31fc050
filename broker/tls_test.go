package broker

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"natsloop/config"
	"natsloop/internal/testcert"
)

// tlsFixture holds certificates made for one test.
type tlsFixture struct {
	ca, otherCA         *testcert.CA
	srvCert, srvKey     string
	cliCert, cliKey     string
	otherCert, otherKey string
}

func newTLSFixture(t *testing.T) *tlsFixture {
	dir := t.TempDir()
	f := &tlsFixture{ca: testcert.NewCA(t, dir, "ca"), otherCA: testcert.NewCA(t, dir, "other")}
	f.srvCert, f.srvKey = f.ca.Issue(t, dir, "server")
	f.cliCert, f.cliKey = f.ca.Issue(t, dir, "client")
	f.otherCert, f.otherKey = f.otherCA.Issue(t, dir, "intruder")
	return f
}

func (f *tlsFixture) server(t *testing.T, mod func(*config.TLS)) *Server {
	return startServer(t, 0, func(o *config.Options) {
		o.TLS = &config.TLS{CertFile: f.srvCert, KeyFile: f.srvKey, Timeout: 2 * time.Second}
		if mod != nil {
			mod(o.TLS)
		}
	})
}

func TestTLSPubSubAndLargeMessages(t *testing.T) {
	f := newTLSFixture(t)
	s := f.server(t, nil)
	nc := connect(t, s, nats.RootCAs(f.ca.CAFile))
	if !nc.TLSRequired() {
		t.Fatal("INFO did not require TLS")
	}
	svc := connect(t, s, nats.RootCAs(f.ca.CAFile))
	svc.Subscribe("echo", func(m *nats.Msg) { m.Respond(m.Data) })
	svc.Flush()
	if m, err := nc.Request("echo", []byte("hi"), 5*time.Second); err != nil || string(m.Data) != "hi" {
		t.Fatalf("request over TLS: %v", err)
	}

	sub, _ := nc.SubscribeSync("big")
	sub.SetPendingLimits(-1, -1)
	nc.Flush()
	pub := connect(t, s, nats.RootCAs(f.ca.CAFile))
	big := bytes.Repeat([]byte("0123456789"), 90_000) // 900 KB
	for i := 0; i < 20; i++ {
		big[0] = byte(i)
		pub.Publish("big", big)
	}
	for i := 0; i < 2000; i++ {
		pub.Publish("big", []byte(fmt.Sprint(i)))
	}
	pub.Flush()
	for i := 0; i < 20; i++ {
		m := nextMsg(t, sub)
		if len(m.Data) != len(big) || m.Data[0] != byte(i) || !bytes.Equal(m.Data[1:], big[1:]) {
			t.Fatalf("large message %d corrupted (len %d)", i, len(m.Data))
		}
	}
	for i := 0; i < 2000; i++ {
		if m := nextMsg(t, sub); string(m.Data) != fmt.Sprint(i) {
			t.Fatalf("small message %d: got %q", i, m.Data)
		}
	}
}

func TestTLSVerifyClientCerts(t *testing.T) {
	f := newTLSFixture(t)
	s := f.server(t, func(c *config.TLS) { c.Verify = true; c.CAFile = f.ca.CAFile })
	connect(t, s, nats.RootCAs(f.ca.CAFile), nats.ClientCert(f.cliCert, f.cliKey))
	if nc, err := nats.Connect(s.ClientURL(), nats.RootCAs(f.ca.CAFile)); err == nil {
		nc.Close()
		t.Fatal("client without a certificate accepted")
	}
	if nc, err := nats.Connect(s.ClientURL(), nats.RootCAs(f.ca.CAFile), nats.ClientCert(f.otherCert, f.otherKey)); err == nil {
		nc.Close()
		t.Fatal("client certificate from another CA accepted")
	}
	// The server still serves good clients afterwards.
	connect(t, s, nats.RootCAs(f.ca.CAFile), nats.ClientCert(f.cliCert, f.cliKey))
}

func TestTLSHandshakeFirst(t *testing.T) {
	f := newTLSFixture(t)
	s := f.server(t, func(c *config.TLS) { c.HandshakeFirst = true })
	nc := connect(t, s, nats.RootCAs(f.ca.CAFile), nats.TLSHandshakeFirst())
	sub, _ := nc.SubscribeSync("x")
	nc.Publish("x", []byte("y"))
	if m := nextMsg(t, sub); string(m.Data) != "y" {
		t.Fatal(string(m.Data))
	}
}

func TestTLSPlaintextClientRefused(t *testing.T) {
	f := newTLSFixture(t)
	s := f.server(t, nil)
	rc := dialRaw(t, s.Addr().String()) // the plaintext INFO says tls_required
	rc.send("CONNECT {\"verbose\":false}\r\nPING\r\n")
	rc.expectClosed()
}

// TestTLSSilentClientClosed: a client that never starts its handshake is
// closed after the TLS timeout, while a TLS client keeps working.
func TestTLSSilentClientClosed(t *testing.T) {
	f := newTLSFixture(t)
	s := f.server(t, func(c *config.TLS) { c.Timeout = 300 * time.Millisecond })
	silent := dialRaw(t, s.Addr().String())
	nc := connect(t, s, nats.RootCAs(f.ca.CAFile))
	for i := 0; i < 5; i++ {
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	silent.expectClosed()
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
}

func TestTLSOldVersionRefused(t *testing.T) {
	f := newTLSFixture(t)
	s := f.server(t, func(c *config.TLS) { c.HandshakeFirst = true })
	raw, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	tc := tls.Client(raw, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11})
	tc.SetDeadline(time.Now().Add(5 * time.Second))
	if err := tc.Handshake(); err == nil {
		t.Fatal("TLS 1.1 handshake succeeded")
	}
}

func TestTLSBadFilesFailStartup(t *testing.T) {
	f := newTLSFixture(t)
	missing := filepath.Join(t.TempDir(), "nope.pem")
	o := config.Default()
	o.TLS = &config.TLS{CertFile: missing, KeyFile: f.srvKey}
	if _, err := New(o, nil); err == nil || !strings.Contains(err.Error(), "nope.pem") {
		t.Fatalf("missing cert: %v", err)
	}
	o.TLS = &config.TLS{CertFile: f.srvCert, KeyFile: f.cliKey}
	if _, err := New(o, nil); err == nil || !strings.Contains(err.Error(), "match") {
		t.Fatalf("mismatched key: %v", err)
	}
	garbage := filepath.Join(t.TempDir(), "garbage.pem")
	os.WriteFile(garbage, []byte("not pem"), 0o600)
	o.TLS = &config.TLS{CertFile: garbage, KeyFile: f.srvKey}
	if _, err := New(o, nil); err == nil || !strings.Contains(err.Error(), "garbage.pem") {
		t.Fatalf("bad PEM: %v", err)
	}
}

// TestTLSCBCOnlyClientRefused: TLS 1.2 suites are ECDHE + AEAD only.
func TestTLSCBCOnlyClientRefused(t *testing.T) {
	f := newTLSFixture(t)
	s := f.server(t, func(c *config.TLS) { c.HandshakeFirst = true })
	raw, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	tc := tls.Client(raw, &tls.Config{
		InsecureSkipVerify: true,
		MaxVersion:         tls.VersionTLS12,
		CipherSuites:       []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA},
	})
	tc.SetDeadline(time.Now().Add(5 * time.Second))
	if err := tc.Handshake(); err == nil {
		t.Fatalf("CBC-only handshake succeeded with %s", tls.CipherSuiteName(tc.ConnectionState().CipherSuite))
	}
}

// TestTLSClientRejectsCertificateLogged: a client that does not trust the
// server's certificate aborts the handshake with an alert; the server logs
// it as nats-server does ("TLS handshake error: remote error: tls: bad
// certificate"), once per connection, without natsloop's package
// prefixes, also when its hang-up reaches the loop before the bridge has
// read its alert.
func TestTLSClientRejectsCertificateLogged(t *testing.T) {
	f := newTLSFixture(t)
	log := newLogLines(t)
	s := startServerLog(t, 0, log, func(o *config.Options) {
		o.TLS = &config.TLS{CertFile: f.srvCert, KeyFile: f.srvKey, Timeout: 2 * time.Second}
	})
	const tries = 5
	for range tries {
		// No RootCAs: the test CA is unknown to the client.
		if nc, err := nats.Connect("tls://"+s.Addr().String(), nats.Secure(&tls.Config{MinVersion: tls.VersionTLS12})); err == nil {
			nc.Close()
			t.Fatal("client accepted a certificate of an unknown CA")
		}
	}
	want := "TLS handshake error: remote error: tls: bad certificate"
	deadline := time.Now().Add(5 * time.Second)
	for len(log.with(want)) < tries && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := log.with("TLS handshake error"); len(got) != tries || len(log.with(want)) != tries {
		t.Fatalf("%d rejected handshakes logged %q, want %d times %q", tries, got, tries, want)
	}
	if chains := log.with("tlsbridge:"); len(chains) > 0 {
		t.Fatalf("package chain in the log: %q", chains)
	}
}
