package flowtest

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// raw is a plain TCP NATS client.
type raw struct {
	nc net.Conn
	r  *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *raw {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &raw{nc: nc, r: bufio.NewReaderSize(nc, 64<<10)}
}

func (c *raw) send(t *testing.T, s string) {
	t.Helper()
	_ = c.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.nc.Write([]byte(s)); err != nil {
		t.Fatalf("send %q: %v", s, err)
	}
}

// line reads one line (without CRLF) within d.
func (c *raw) line(d time.Duration) (string, error) {
	_ = c.nc.SetReadDeadline(time.Now().Add(d))
	l, err := c.r.ReadString('\n')
	return strings.TrimRight(l, "\r\n"), err
}

// expect reads lines until one starts with want (INFO, +OK and PING
// lines are skipped; a PING is answered).
func (c *raw) expect(t *testing.T, want string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		l, err := c.line(time.Until(deadline))
		if err != nil {
			t.Fatalf("waiting for %q: %v", want, err)
		}
		if strings.HasPrefix(l, want) {
			return
		}
		if l == "PING" {
			_, _ = c.nc.Write([]byte("PONG\r\n"))
		}
	}
}

// pingRTT sends PING and waits for the PONG.
func (c *raw) pingRTT(t *testing.T, d time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	c.send(t, "PING\r\n")
	c.expect(t, "PONG", d)
	return time.Since(start)
}

// connected is a raw client past CONNECT (verbose off), after a PONG.
func connected(t *testing.T, addr, extra string) *raw {
	t.Helper()
	c := dialRaw(t, addr)
	c.expect(t, "INFO", 5*time.Second)
	c.send(t, "CONNECT {\"verbose\":false,\"pedantic\":false}\r\n"+extra+"PING\r\n")
	c.expect(t, "PONG", 5*time.Second)
	return c
}

// connectedTLS is connected over TLS (INFO first, then the handshake,
// as nats-server's clients do), trusting caFile.
func connectedTLS(t *testing.T, addr, caFile, extra string) *raw {
	t.Helper()
	c := dialRaw(t, addr)
	c.expect(t, "INFO", 5*time.Second)
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	tc := tls.Client(c.nc, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	_ = tc.SetDeadline(time.Now().Add(5 * time.Second))
	if err := tc.Handshake(); err != nil {
		t.Fatalf("TLS handshake: %v", err)
	}
	_ = tc.SetDeadline(time.Time{})
	c.nc, c.r = tc, bufio.NewReaderSize(tc, 64<<10)
	c.send(t, "CONNECT {\"verbose\":false,\"pedantic\":false}\r\n"+extra+"PING\r\n")
	c.expect(t, "PONG", 5*time.Second)
	return c
}

// pubBlock is n PUB frames of size bytes each to subj.
func pubBlock(subj string, size, n int) []byte {
	payload := strings.Repeat("x", size)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString("PUB " + subj + " ")
		b.WriteString(itoa(size))
		b.WriteString("\r\n" + payload + "\r\n")
	}
	return []byte(b.String())
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for ; n > 0; n /= 10 {
		d = append([]byte{byte('0' + n%10)}, d...)
	}
	return string(d)
}
