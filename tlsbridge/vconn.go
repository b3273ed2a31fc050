package tlsbridge

import (
	"net"
	"sync/atomic"
	"time"
)

// vconn is the virtual net.Conn under a Bridge's tls.Conn. It has two
// modes:
//
//   - blocking (during the handshake): the handshake goroutine's Read
//     waits on Bridge.cond until Feed supplies ciphertext or the conn is
//     closed; Write appends to out and calls notify. in, off and out are
//     guarded by Bridge.mu.
//   - inline (after the handshake): everything runs on the loop
//     goroutine without locks. Read returns errWouldBlock (a temporary
//     net.Error, which crypto/tls does not make sticky) when in runs dry;
//     Write appends to out (the loop is the caller and collects it).
//
// The handshake goroutine clears blocking under Bridge.mu before it
// publishes the result with Bridge.settled (an atomic store), and the
// loop reads blocking only after loading settled, so the mode switch is
// ordered for the race detector too.
type vconn struct {
	b *Bridge // immutable after New

	blocking bool   // see above; cleared by the handshake goroutine under b.mu
	in       []byte // unread ciphertext is in[off:]; see the modes for ownership
	off      int
	out      []byte      // ciphertext for the socket
	closed   atomic.Bool // set by Close from any goroutine (tls.Conn's ctx watcher)
}

// Read hands crypto/tls as much buffered ciphertext as fits in p.
func (v *vconn) Read(p []byte) (int, error) {
	if !v.blocking {
		if v.closed.Load() {
			return 0, net.ErrClosed
		}
		n := copy(p, v.in[v.off:])
		if n == 0 {
			return 0, errWouldBlock
		}
		v.off += n
		return n, nil
	}
	b := v.b
	b.mu.Lock()
	defer b.mu.Unlock()
	for v.off == len(v.in) && !v.closed.Load() {
		b.cond.Wait()
	}
	if v.off == len(v.in) {
		return 0, net.ErrClosed
	}
	n := copy(p, v.in[v.off:])
	v.off += n
	if v.off == len(v.in) {
		v.in, v.off = v.in[:0], 0
	}
	return n, nil
}

// Write collects ciphertext from crypto/tls. It never fails before Close.
func (v *vconn) Write(p []byte) (int, error) {
	if v.closed.Load() {
		return 0, net.ErrClosed
	}
	if !v.blocking {
		v.out = append(v.out, p...)
		return len(p), nil
	}
	b := v.b
	b.mu.Lock()
	v.out = append(v.out, p...)
	b.mu.Unlock()
	b.notify()
	return len(p), nil
}

// Close marks the conn closed and wakes a blocked Read. crypto/tls calls
// it from its context watcher when the handshake context ends, and from
// tls.Conn.Close.
func (v *vconn) Close() error {
	if v.closed.Swap(true) {
		return nil
	}
	b := v.b
	b.mu.Lock()
	b.cond.Broadcast()
	b.mu.Unlock()
	return nil
}

func (v *vconn) LocalAddr() net.Addr              { return vaddr{} }
func (v *vconn) RemoteAddr() net.Addr             { return vaddr{} }
func (v *vconn) SetDeadline(time.Time) error      { return nil }
func (v *vconn) SetReadDeadline(time.Time) error  { return nil }
func (v *vconn) SetWriteDeadline(time.Time) error { return nil }

// vaddr is the address of a vconn: the caller owns the real socket.
type vaddr struct{}

func (vaddr) Network() string { return "tlsbridge" }
func (vaddr) String() string  { return "tlsbridge" }

// wouldBlock is the temporary net.Error an inline Read returns when no
// ciphertext is left. crypto/tls's record layer returns it as is and
// does not record it (see pin_test.go).
type wouldBlock struct{}

func (wouldBlock) Error() string   { return "tlsbridge: would block" }
func (wouldBlock) Timeout() bool   { return true }
func (wouldBlock) Temporary() bool { return true }

// errWouldBlock is the one wouldBlock value (an immutable sentinel).
var errWouldBlock net.Error = wouldBlock{}
