package tlsbridge

// Pin tests: the two crypto/tls behaviours the bridge is built on. If a
// Go upgrade makes one of them fail, the bridge's design (handshake in a
// goroutine, records inline with a temporary "would block") must be
// revisited before the upgrade ships.

import (
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// pinErr is the injected temporary net.Error.
type pinErr struct{}

func (pinErr) Error() string   { return "pin: try again" }
func (pinErr) Timeout() bool   { return true }
func (pinErr) Temporary() bool { return true }

// flakyConn returns pinErr from Read while fail is set. script, when
// not empty, shapes the next Reads: n > 0 reads at most n bytes, -1
// returns pinErr.
type flakyConn struct {
	net.Conn
	fail   atomic.Bool
	mu     sync.Mutex
	script []int
}

func (c *flakyConn) Read(p []byte) (int, error) {
	if c.fail.Load() {
		return 0, pinErr{}
	}
	c.mu.Lock()
	step := 0
	if len(c.script) > 0 {
		step, c.script = c.script[0], c.script[1:]
	}
	c.mu.Unlock()
	switch {
	case step < 0:
		return 0, pinErr{}
	case step > 0 && len(p) > step:
		p = p[:step]
	}
	return c.Conn.Read(p)
}

// pinPair returns a client tls.Conn over a flakyConn and the server
// tls.Conn at the other end of a net.Pipe.
func pinPair(t *testing.T) (*tls.Conn, *flakyConn, *tls.Conn) {
	f := certs(t)
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	a.SetDeadline(time.Now().Add(10 * time.Second))
	b.SetDeadline(time.Now().Add(10 * time.Second))
	fc := &flakyConn{Conn: a}
	return tls.Client(fc, mustClientConfig(t, f)), fc, tls.Server(b, mustServerConfig(t, f))
}

// TestPinHandshakeErrorsSticky: an error from the underlying conn during
// the handshake, even a temporary one, fails the handshake for good. This
// is why the bridge runs the handshake in a goroutine over a blocking
// virtual conn instead of inline with "would block".
func TestPinHandshakeErrorsSticky(t *testing.T) {
	client, fc, server := pinPair(t)
	go server.Handshake()
	fc.fail.Store(true) // the client's first Read (ServerHello) fails
	err := client.Handshake()
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Temporary() {
		t.Fatalf("first handshake: %v, want the temporary error", err)
	}
	fc.fail.Store(false) // the conn works again ...
	if err2 := client.Handshake(); err2 == nil {
		t.Fatal("crypto/tls changed: a handshake error is no longer sticky (handshake retried successfully)")
	}
	if _, err := client.Write([]byte("x")); err == nil {
		t.Fatal("crypto/tls changed: Write works after a failed handshake")
	}
}

// TestPinRecordTemporaryNotSticky: after the handshake, a temporary
// net.Error from the underlying conn is returned by Read as is (same
// type) and not recorded; a later Read succeeds once data arrives, also
// when the error struck in the middle of a record header or body. The
// bridge's inline Feed depends on exactly this.
func TestPinRecordTemporaryNotSticky(t *testing.T) {
	client, fc, server := pinPair(t)
	errc := make(chan error, 1)
	go func() { errc <- server.Handshake() }()
	if err := client.Handshake(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}

	buf := make([]byte, 64)
	fc.fail.Store(true)
	n, err := client.Read(buf)
	if _, ok := err.(pinErr); !ok || n != 0 {
		t.Fatalf("crypto/tls changed: Read over a temporary error returned (%d, %v), want (0, the same pinErr)", n, err)
	}
	fc.fail.Store(false)

	go server.Write([]byte("first"))
	n, err = client.Read(buf)
	if err != nil || string(buf[:n]) != "first" {
		t.Fatalf("crypto/tls changed: Read after a temporary error: %q, %v", buf[:n], err)
	}

	// A record split by temporary errors inside its header and inside
	// its body.
	go server.Write([]byte("second"))
	fc.mu.Lock()
	fc.script = []int{3, -1, 4, -1}
	fc.mu.Unlock()
	for i := range 2 {
		n, err := client.Read(buf)
		if _, ok := err.(pinErr); !ok || n != 0 {
			t.Fatalf("crypto/tls changed: split record, read %d: (%d, %v), want (0, pinErr)", i, n, err)
		}
	}
	n, err = client.Read(buf)
	if err != nil || string(buf[:n]) != "second" {
		t.Fatalf("crypto/tls changed: record split by temporary errors: %q, %v", buf[:n], err)
	}
}
