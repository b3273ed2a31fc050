package broker

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

// rawConn is a plain TCP client for transcript tests.
type rawConn struct {
	t  testing.TB
	nc net.Conn
	br *bufio.Reader
}

func dialRaw(t testing.TB, addr string) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { nc.Close() })
	rc := &rawConn{t: t, nc: nc, br: bufio.NewReaderSize(nc, 1<<20)}
	if line := rc.readLine(); !strings.HasPrefix(line, "INFO {") {
		t.Fatalf("first line %q, want INFO", line)
	}
	return rc
}

func (rc *rawConn) send(s string) {
	rc.t.Helper()
	if _, err := rc.nc.Write([]byte(s)); err != nil {
		rc.t.Fatalf("write: %v", err)
	}
}

// readLine returns the next line without CRLF, or "<closed>" / "<timeout>".
func (rc *rawConn) readLine() string {
	rc.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := rc.br.ReadString('\n')
	if err != nil {
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			return "<timeout>"
		}
		return "<closed>"
	}
	return strings.TrimRight(line, "\r\n")
}

// expect reads the next line and checks it starts with want.
func (rc *rawConn) expect(want string) string {
	rc.t.Helper()
	line := rc.readLine()
	if !strings.HasPrefix(line, want) {
		rc.t.Fatalf("got %q, want prefix %q", line, want)
	}
	return line
}

// expectClosed checks the server closed the connection.
func (rc *rawConn) expectClosed() {
	rc.t.Helper()
	if line := rc.readLine(); line != "<closed>" {
		rc.t.Fatalf("got %q, want the connection closed", line)
	}
}

func tcpPort(t testing.TB, s *Server) int {
	t.Helper()
	ta, ok := s.Addr().(*net.TCPAddr)
	if !ok {
		t.Fatalf("address %v is not TCP", s.Addr())
	}
	return ta.Port
}
