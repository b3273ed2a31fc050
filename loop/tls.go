package loop

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/panjf2000/gnet/v2"

	"natsloop/tlsbridge"
)

// DefaultTLSTimeout is the handshake timeout StartTLS uses when given
// none (nats-server's default TLS timeout).
const DefaultTLSTimeout = 2 * time.Second

// handshakeInputCap bounds the ciphertext a conn may feed its bridge
// before the handshake ends (a handshake needs a few KB; certificate
// chains some more): beyond it the socket is paused until the handshake
// ends, so a peer cannot make the server hold what it sends meanwhile.
const handshakeInputCap = 64 << 10

// ErrTLSStarted is the close reason of a conn on which StartTLS was
// called a second time (a handler bug).
var ErrTLSStarted = errors.New("loop: tls already started")

// tlsConn is the TLS state of one conn: its tlsbridge.Bridge and the
// buffers around it. A plaintext conn has none (Conn.tls == nil is the
// one check the plaintext paths pay).
type tlsConn struct {
	c       *Conn                    // immutable
	b       *tlsbridge.Bridge        // immutable
	onReady func(c *Conn, err error) // immutable; called once by step
	task    gnet.Runnable            // immutable; runs step on c's loop
	notify  func()                   // immutable; handshake goroutine -> task

	// Owned by c's loop:
	ready      bool   // the handshake succeeded and step ran onReady
	done       bool   // step handled the end of the handshake
	closed     bool   // Bridge.Close was called
	err        error  // record-layer failure seen by Feed, handled after the offer
	plain      []byte // carry: decrypted plaintext OnData did not consume yet
	cipher     []byte // ciphertext of the current flush (reused)
	raw        []byte // handshake flights, alerts, close_notify (reused)
	fed        int    // ciphertext fed during the handshake (bounded by handshakeInputCap)
	idlePlain  int    // consecutive reads that emptied a big carry
	idleCipher int    // consecutive flushes using < 1/4 of a big cipher buffer
}

// StartTLS switches c to TLS: from now on the bytes read from the socket
// are ciphertext fed to a tlsbridge.Bridge (the server side of the
// handshake unless client) and OnData sees plaintext; each flush encrypts
// everything staged for c in one Bridge.Encrypt (records of up to 16 KB).
// cfg is used as given (build it with tlsbridge.ServerConfig or
// ClientConfig); timeout bounds the handshake (<= 0: DefaultTLSTimeout).
//
// first is ciphertext the caller already holds: typically the data
// offered to the running OnData, which then must report it consumed
// (INFO-then-upgrade: call StartTLS when tlsbridge.LooksLikeTLS(data)).
// It is copied. Bytes gnet still buffers for c are read as ciphertext.
//
// Output staged for c, before or after StartTLS, is held until the
// handshake succeeded and then encrypted: nothing staged goes out in
// clear once StartTLS was called. onReady (may be nil) runs on c's loop
// when the handshake ended: err == nil, c is ready (onReady may stage
// output, e.g. an INFO); err != nil, the loop then closes c with err
// after writing any alert. onReady is not called if c was closed first.
// c's loop only; calling it twice closes c with ErrTLSStarted.
func (c *Conn) StartTLS(cfg *tls.Config, client bool, timeout time.Duration, first []byte, onReady func(c *Conn, err error)) {
	c.shard.mustRun("Conn.StartTLS", c)
	if c.gone() || c.Closed() {
		return
	}
	if c.tls != nil {
		c.Close(ErrTLSStarted)
		return
	}
	if timeout <= 0 {
		timeout = DefaultTLSTimeout
	}
	s := c.shard
	t := &tlsConn{c: c, onReady: onReady}
	t.task = gnet.RunnableFunc(func(context.Context) error {
		prev := s.enter(nil)
		t.step()
		s.leave(nil, prev)
		return nil
	})
	// Called from the handshake goroutine for each flight and once as it
	// ends: post one task to c's loop (an error means the engine stops,
	// and every conn gets closed anyway).
	t.notify = func() { _ = s.el.Execute(context.Background(), t.task) }
	if client {
		t.b = tlsbridge.NewClient(cfg, t.notify)
	} else {
		t.b = tlsbridge.NewServer(cfg, t.notify)
	}
	c.tls = t
	c.tlsBridge.Store(t.b)
	if len(first) > 0 {
		t.plain, _ = t.b.Feed(first, t.plain) // queued for the handshake
	}
	t.b.StartTimeout(timeout)
	if c.gc != nil && c.gc.InboundBuffered() > len(first) {
		// Bytes past first (or buffered while no read runs) may be
		// ciphertext no read event will announce again.
		c.continueRead()
	}
}

// TLSState reports the state of c's TLS bridge (phase, error, version,
// suite) and true, or false when StartTLS was never called. Any
// goroutine.
func (c *Conn) TLSState() (tlsbridge.State, bool) {
	b := c.tlsBridge.Load()
	if b == nil {
		return tlsbridge.State{}, false
	}
	return b.State(), true
}

// TLSConnectionState is crypto/tls's state of c (peer certificates for
// verify_and_map, ...) and true, or false when StartTLS was never called.
// Meaningful once the handshake completed. Any goroutine.
func (c *Conn) TLSConnectionState() (tls.ConnectionState, bool) {
	b := c.tlsBridge.Load()
	if b == nil {
		return tls.ConnectionState{}, false
	}
	return b.ConnectionState(), true
}

// step runs on c's loop after each notify of the handshake goroutine: it
// writes the handshake output raw (it is already TLS records) and, once
// the handshake ended, runs onReady and either offers the plaintext that
// came with the last flight and flushes what was held, or closes c.
func (t *tlsConn) step() {
	c := t.c
	if c.gone() || t.done || t.closed {
		return
	}
	b := t.b
	// Phase before output: once settled, the goroutine wrote all it will.
	st := b.State()
	if b.HasOutput() && !t.writeRaw() {
		return
	}
	switch st.Phase {
	case tlsbridge.PhaseNew, tlsbridge.PhaseHandshake:
		return
	case tlsbridge.PhaseReady:
		t.done, t.ready = true, true
		if c.Closed() {
			return
		}
		if t.onReady != nil {
			t.onReady(c, nil)
		}
		if c.gone() || c.Closed() {
			return
		}
		// Ciphertext that arrived with the peer's last flight.
		var err error
		if t.plain, err = b.Feed(nil, t.plain); err != nil {
			t.err = err
		}
		c.markPending() // what was held during the handshake, encrypted now
		c.tlsHold = false
		c.shard.unhold(c) // reads (and puts a socket paused for the handshake back)
	default: // failed, or closed under us
		t.done = true
		err := st.Err
		if err == nil {
			err = tlsbridge.ErrClosed
		}
		err = fmt.Errorf("loop: tls: %w", err)
		if c.Closed() {
			return
		}
		if t.onReady != nil {
			t.onReady(c, err)
		}
		c.Close(err)
	}
}

// writeRaw writes the bridge's waiting output (handshake flights, an
// alert) to the socket as is. It reports false if the write closed c.
func (t *tlsConn) writeRaw() bool {
	t.raw = t.b.TakeOutput(t.raw[:0])
	if len(t.raw) > 0 {
		t.c.shard.writeSocket(t.c, t.raw) // copied where the socket did not take it
		t.raw = t.raw[:0]
	}
	return !t.c.gone()
}

// readTLS is the read path of a TLS conn (n bytes buffered in gnet): all
// ciphertext goes to the bridge and is discarded from gnet, while the
// plaintext carry is below the offer limit; then the carry is offered to
// OnData (after the handshake) and what it consumed is dropped from it.
// Need counts plaintext here.
func (s *Shard) readTLS(c *Conn, n int) {
	t := c.tls
	gc := c.gc
	limit := max(maxOffer, c.need)
	if len(c.held) > 0 { // ciphertext kept when c was taken off its loop
		var ferr error
		t.plain, ferr = t.b.Feed(c.held, t.plain)
		c.held = nil
		if ferr != nil && t.ready {
			t.err = ferr
		}
	}
	for n > 0 && len(t.plain) < limit && t.err == nil {
		m := min(n, maxOffer)
		if !t.ready {
			if t.fed >= handshakeInputCap {
				// The handshake has more than it can need: the rest stays
				// in the kernel until it ends.
				c.tlsHold = true
				s.hold(c)
				break
			}
			t.fed += m
		}
		ct, err := gc.Peek(m)
		if err != nil {
			break
		}
		var ferr error
		t.plain, ferr = t.b.Feed(ct, t.plain)
		_, _ = gc.Discard(m) // m > 0
		n -= m
		if ferr != nil && t.ready {
			t.err = ferr
		}
	}
	if !t.ready {
		// Handshake: the ciphertext went to the handshake goroutine; a
		// failure is handled by step.
		return
	}
	if len(t.plain) > 0 && len(t.plain) >= c.need {
		data := t.plain
		if len(data) > limit {
			data = data[:limit]
		}
		c.need = 0
		consumed := s.srv.h.OnData(c, data)
		if c.gone() {
			return
		}
		consumed = min(max(consumed, 0), len(data))
		if consumed > 0 {
			t.plain = t.plain[:copy(t.plain, t.plain[consumed:])]
		}
		if t.err == nil && !c.Closed() && c.rstate == readOn {
			left := gc.InboundBuffered()
			if consumed == len(data) && len(t.plain) > 0 ||
				left > 0 && (consumed > 0 || c.need > len(t.plain)) {
				c.continueRead()
			}
		}
	}
	if t.err != nil {
		t.fail()
		return
	}
	if t.b.HasOutput() {
		c.markPending() // e.g. a KeyUpdate answer: the flush writes it
	}
	if len(t.plain) == 0 { // a big carry left over from a burst is dropped
		t.plain = shrinkBuf(t.plain, &t.idlePlain)
	}
}

// fail closes c after a record-layer error (the peer's close_notify is
// io.EOF: a plain close), writing the alert crypto/tls produced.
func (t *tlsConn) fail() {
	c := t.c
	if c.Closed() {
		return
	}
	if t.b.HasOutput() && !t.writeRaw() {
		return
	}
	if errors.Is(t.err, io.EOF) {
		c.Close(nil)
		return
	}
	c.Close(fmt.Errorf("loop: tls: %w", t.err))
}

// flushTLS is the write path of a TLS conn: everything staged is
// encrypted with one Bridge.Encrypt and the ciphertext goes to gnet in one
// Write. Before the handshake succeeded the staged plaintext is held. It
// reports false if the write closed c.
func (s *Shard) flushTLS(c *Conn) bool {
	t := c.tls
	if !t.ready {
		return true // held until step flushes it, dropped if c closes first
	}
	out := c.out
	if len(out) == 0 && !t.b.HasOutput() {
		return true
	}
	if c.socketQueued() == 0 {
		c.stallSince = 0 // the socket caught up since we last looked
	}
	ct, err := t.b.Encrypt(t.cipher[:0], out)
	if len(ct) > 0 {
		s.writeSocket(c, ct)
		if c.gone() {
			return false // the write failed and gnet closed c (OnClose has run)
		}
	}
	t.cipher = shrinkBuf(ct, &t.idleCipher)
	c.out = shrinkBuf(out, &c.idleFlush)
	if err != nil && !c.Closed() {
		t.err = err
		t.fail()
	}
	return true
}

// shrinkBuf empties b for reuse, or drops it after shrinkFlushes
// consecutive uses of less than a quarter of a capacity above shrinkCap.
func shrinkBuf(b []byte, idle *int) []byte {
	if cap(b) > shrinkCap && len(b) < cap(b)/4 {
		*idle++
	} else {
		*idle = 0
	}
	if *idle >= shrinkFlushes {
		*idle = 0
		return nil
	}
	return b[:0]
}

// close runs when c is being closed (after its last flush): it writes
// close_notify after a completed handshake, best effort (not for a slow
// consumer, whose socket does not drain), and always closes the bridge,
// which stops a running handshake goroutine. It reports false if the
// write closed c.
func (t *tlsConn) close(reason error) bool {
	if t.closed {
		return true
	}
	t.closed = true
	c := t.c
	if t.ready && t.err == nil && !isSlowConsumer(reason) {
		t.raw = t.b.Close(t.raw[:0])
		if len(t.raw) > 0 {
			c.shard.writeSocket(c, t.raw)
		}
		t.raw = t.raw[:0]
		return !c.gone()
	}
	t.raw = t.b.Close(t.raw[:0])[:0]
	return true
}

// release runs at OnClose: the bridge is closed (if close did not run)
// and the buffers are dropped. The Bridge stays for TLSState.
func (t *tlsConn) release() {
	if !t.closed {
		t.closed = true
		_ = t.b.Close(nil)
	}
	t.plain, t.cipher, t.raw = nil, nil, nil
}
