package broker

import (
	"bufio"
	"encoding/json"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// rawConn is a plain TCP client for transcript tests.
type rawConn struct {
	t    testing.TB
	nc   net.Conn
	br   *bufio.Reader
	info string // the server's INFO line
}

func dialRaw(t testing.TB, addr string) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { nc.Close() })
	rc := &rawConn{t: t, nc: nc, br: bufio.NewReaderSize(nc, 1<<20)}
	rc.info = rc.readLine()
	if !strings.HasPrefix(rc.info, "INFO {") {
		t.Fatalf("first line %q, want INFO", rc.info)
	}
	return rc
}

// cid is the client id the server's INFO gave rc.
func (rc *rawConn) cid() uint64 {
	rc.t.Helper()
	var info struct {
		CID uint64 `json:"client_id"`
	}
	if err := json.Unmarshal([]byte(strings.TrimPrefix(rc.info, "INFO ")), &info); err != nil || info.CID == 0 {
		rc.t.Fatalf("no client_id in %q: %v", rc.info, err)
	}
	return info.CID
}

func (rc *rawConn) send(s string) {
	rc.t.Helper()
	if _, err := rc.nc.Write([]byte(s)); err != nil {
		rc.t.Fatalf("write: %v", err)
	}
}

// readLine returns the next line without CRLF, or "<closed>" / "<timeout>"
// after 5 s.
func (rc *rawConn) readLine() string { return rc.readLineIn(5 * time.Second) }

// readLineIn is readLine waiting at most d.
func (rc *rawConn) readLineIn(d time.Duration) string {
	rc.nc.SetReadDeadline(time.Now().Add(d))
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

// unread is the number of bytes that reached rc and were not read yet
// (in its reader or the kernel's receive queue). It does not block. On
// loopback, bytes the server wrote are in the receive queue when its
// write returns.
func (rc *rawConn) unread() int {
	rc.t.Helper()
	n := rc.br.Buffered()
	sc, err := rc.nc.(syscall.Conn).SyscallConn()
	if err != nil {
		rc.t.Fatalf("raw conn: %v", err)
	}
	var buf [4096]byte
	cerr := sc.Control(func(fd uintptr) {
		m, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		if err == nil {
			n += m
		}
	})
	if cerr != nil {
		rc.t.Fatalf("raw conn: %v", cerr)
	}
	return n
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
