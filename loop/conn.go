package loop

import (
	"net"
	"sync/atomic"

	"github.com/panjf2000/gnet/v2"

	"natsloop/tlsbridge"
)

// Conn is one connection (accepted or enrolled). A Conn is never reused:
// the pointer stays valid (and Closed) after OnClose, so frames queued for
// it on other loops can be dropped safely.
type Conn struct {
	// Value is the handler's per-connection state. Owned by c's loop; set
	// before OnOpen for enrolled conns.
	Value any

	gc       gnet.Conn // owned by c's loop; nil while detached (pause.go), replaced on re-attach
	shard    *Shard    // immutable after OnOpen
	id       uint64    // immutable after OnOpen
	remote   net.Addr  // immutable after OnOpen
	local    net.Addr  // immutable after OnOpen
	outbound bool      // immutable after OnOpen

	life     lifecycle    // close state (closing.go); written by c's loop, read anywhere
	backlog  atomic.Int64 // socketQueued at the last flush or drain check; written by c's loop, read anywhere (Shard.Pending)
	inflight atomic.Int64 // bytes committed for c by other loops, not drained yet; added by sources, subtracted by c's loop

	// drainWait holds the conns waiting for c to drain (drain.go); guarded
	// by its own mutex, touched by the waiters' loops and c's loop.
	drainWait drainWaiters

	// tlsBridge is c's TLS bridge (nil for plaintext); set once by
	// StartTLS on c's loop, read anywhere (TLSState).
	tlsBridge atomic.Pointer[tlsbridge.Bridge]

	// Owned by c's loop:
	out        []byte   // staging buffer, flushed by the write path
	drained    int      // bytes of cross-loop frames delivered (staged or written), still counted in inflight
	iov        [][]byte // this drain's runs for c, into the batch being drained
	iovStart   int      // start in the batch of the last run in iov
	iovEnd     int      // end in the batch of the last run in iov
	pending    bool     // c is in shard.pending
	closeErr   error    // first Close reason (sticky)
	need       int      // OnData waits until this many bytes are buffered
	stallSince int64    // Server.now() when outbound was first seen non-empty; 0 = empty
	slot       int      // index in shard.conns
	idleFlush  int      // consecutive flushes using < 1/4 of a big staging buffer
	lingerAt   int64    // Server.now() when c started lingering (closeLingering)
	tls        *tlsConn // TLS state after StartTLS; nil = plaintext (the fast path)

	// Read pause (pause.go), owned by c's loop:
	rstate   readState // where c's socket is: on its loop, held, detached, re-attaching
	paused   bool      // the handler asked for a pause (Pause) and did not Resume yet
	tlsHold  bool      // the TLS handshake has all the input it may take
	fd       int       // the socket while detached (a dup gnet's close left open); -1 otherwise
	held     []byte    // input taken from gnet at detach, offered (or fed) before newer bytes
	unsent   []byte    // output the socket did not take while c was off its loop; written first
	waitGen  uint64    // current drain wait (drain.go); bumped when it ends
	waitOver bool      // the last drain wait ended by its timeout, not by a drain
}

// ID is unique per Server, starting at 1. Any goroutine.
func (c *Conn) ID() uint64 { return c.id }

// Shard is the shard (event loop) c lives on. Any goroutine.
func (c *Conn) Shard() *Shard { return c.shard }

// RemoteAddr is the peer address. Any goroutine.
func (c *Conn) RemoteAddr() net.Addr { return c.remote }

// LocalAddr is the local address. Any goroutine.
func (c *Conn) LocalAddr() net.Addr { return c.local }

// Outbound reports whether c was put on the loop by Server.Enroll. Any
// goroutine.
func (c *Conn) Outbound() bool { return c.outbound }

// Out returns c's staging buffer and marks c for flushing when the current
// callback or task ends. Append output to *Out(); the buffer is valid only
// until that flush. c's loop only.
func (c *Conn) Out() *[]byte {
	c.shard.mustRun("Conn.Out", c)
	c.markPending()
	return &c.out
}

// OutboundBuffered is the number of bytes staged plus those gnet still
// holds for the socket. c's loop only.
func (c *Conn) OutboundBuffered() int {
	c.shard.mustRun("Conn.OutboundBuffered", c)
	if c.gone() {
		return 0
	}
	return len(c.out) + c.socketQueued()
}

// Need tells the read path that OnData is useless until at least n bytes
// (counting the unconsumed ones) are buffered, e.g. while a large payload
// trickles in: it avoids re-copying the buffered bytes on every read. It
// holds until the next OnData call or Resume. For a TLS conn n counts
// plaintext (decrypted bytes not consumed yet). c's loop only.
func (c *Conn) Need(n int) {
	c.shard.mustRun("Conn.Need", c)
	c.need = n
}

// Resume ends a Pause and re-offers c's buffered, unconsumed input to
// OnData (gnet does not raise a read event for bytes it already holds):
// a detached socket goes back on its loop first. It clears Need. Without
// a Pause it only re-offers. Any goroutine.
func (c *Conn) Resume() {
	if c.Closed() {
		return
	}
	_ = c.shard.Execute(func() {
		if !c.gone() {
			c.shard.resume(c)
		}
	})
}

// continueRead offers c's buffered input again after the current
// callback (gnet raises no event for bytes it already holds). Unlike
// Resume it does not end a Pause: a pause that comes before it runs wins.
func (c *Conn) continueRead() {
	_ = c.shard.Execute(func() {
		if !c.gone() && !c.Closed() && c.rstate == readOn {
			c.need = 0
			c.shard.read(c)
		}
	})
}

// markPending queues c for the flush at the end of the current callback.
func (c *Conn) markPending() {
	if !c.pending && !c.gone() {
		c.pending = true
		c.shard.pending = append(c.shard.pending, c)
	}
}
