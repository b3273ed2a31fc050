package tlsbridge

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Errors returned by a Bridge.
var (
	// ErrNotReady: Encrypt before the handshake completed.
	ErrNotReady = errors.New("tlsbridge: handshake not complete")
	// ErrClosed: the bridge was closed.
	ErrClosed = errors.New("tlsbridge: closed")
)

// minReadSpace is the spare room Feed keeps in the plaintext buffer for
// each tls.Conn.Read: one full record's plaintext.
const minReadSpace = 16 << 10

// Bridge is one TLS connection as a state machine over memory: ciphertext
// in (Feed), plaintext out, plaintext in (Encrypt), ciphertext out
// (TakeOutput, Encrypt's result). The caller does all socket I/O. See the
// package documentation for the concurrency contract.
type Bridge struct {
	tc     *tls.Conn // immutable after New
	notify func()    // immutable after New; called from the handshake goroutine
	vc     vconn

	mu   sync.Mutex // guards vc.in/off/out/blocking and err until settled, phase changes
	cond sync.Cond  // on mu: Feed or Close woke the handshake goroutine

	// phase is the Phase; written under mu, read with atomic loads.
	phase atomic.Uint32
	// settled: no handshake goroutine runs and none will start; from
	// then on vc and tc belong to the loop goroutine alone (no locks).
	settled atomic.Bool
	// err is the first failure; written under mu, read under mu or on
	// the loop once settled (the loop is then its only writer).
	err error
}

// NewServer returns a Bridge that accepts a TLS connection (the server
// side of the handshake). notify is called (from the handshake goroutine)
// whenever handshake output is ready for TakeOutput and once more when the
// handshake ends; it must not block and must not call into the Bridge
// synchronously (post to the loop instead). cfg is used as given: build
// it with ServerConfig.
func NewServer(cfg *tls.Config, notify func()) *Bridge {
	b := newBridge(notify)
	b.tc = tls.Server(&b.vc, cfg)
	return b
}

// NewClient returns a Bridge that dials TLS (route links): the handshake
// goroutine produces the ClientHello as soon as Start runs. Build cfg with
// ClientConfig. notify is as for NewServer.
func NewClient(cfg *tls.Config, notify func()) *Bridge {
	b := newBridge(notify)
	b.tc = tls.Client(&b.vc, cfg)
	return b
}

func newBridge(notify func()) *Bridge {
	if notify == nil {
		notify = func() {}
	}
	b := &Bridge{notify: notify}
	b.vc.b = b
	b.vc.blocking = true
	b.cond.L = &b.mu
	return b
}

// LooksLikeTLS reports whether b starts like a TLS connection: a
// handshake record (0x16). Use it on the first bytes a client sends
// after the plaintext INFO (INFO-then-upgrade) or on the first bytes of a
// handshake_first connection with a fallback.
func LooksLikeTLS(b []byte) bool { return len(b) > 0 && b[0] == 0x16 }

// Start runs the handshake in a new goroutine. ctx bounds it (use
// context.WithTimeout with HandshakeTimeout, and cancel it once State
// reports the end, or use StartTimeout). Calling Start again, or after
// Close, does nothing. Ciphertext fed before Start is kept.
func (b *Bridge) Start(ctx context.Context) {
	b.start(ctx, nil)
}

// StartTimeout is Start with a context that expires after d; the bridge
// releases it when the handshake ends.
func (b *Bridge) StartTimeout(d time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	if !b.start(ctx, cancel) {
		cancel()
	}
}

func (b *Bridge) start(ctx context.Context, cancel context.CancelFunc) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if Phase(b.phase.Load()) != PhaseNew {
		return false
	}
	b.phase.Store(uint32(PhaseHandshake))
	go b.handshake(ctx, cancel)
	return true
}

// handshake is the body of the handshake goroutine.
func (b *Bridge) handshake(ctx context.Context, cancel context.CancelFunc) {
	err := b.tc.HandshakeContext(ctx)
	if cancel != nil {
		cancel()
	}
	b.mu.Lock()
	b.vc.blocking = false
	switch {
	case Phase(b.phase.Load()) == PhaseClosed:
		if err != nil && b.err == nil {
			b.err = fmt.Errorf("tlsbridge: handshake: %w", err)
		}
	case err != nil:
		b.err = fmt.Errorf("tlsbridge: handshake: %w", err)
		b.phase.Store(uint32(PhaseFailed))
	default:
		b.phase.Store(uint32(PhaseReady))
	}
	b.settled.Store(true)
	b.mu.Unlock()
	b.notify()
}

// Feed takes ciphertext read from the socket (borrowed for the call only)
// and appends the plaintext it decrypts to plain, which it returns (it
// grows plain when it has less than 16 KB of spare capacity; pass the
// same buffer, reset to [:0], to avoid allocations).
//
// Before the handshake completes Feed queues the ciphertext for the
// handshake goroutine and returns plain unchanged. After it, Feed
// decrypts inline until the ciphertext runs out; a partial record stays
// buffered for the next Feed. Call Feed(nil, plain) once after the
// handshake-end notification: bytes that arrived with the peer's last
// handshake flight are waiting. After Feed, call TakeOutput if HasOutput
// (crypto/tls may answer a KeyUpdate, or send an alert on an error).
//
// A non-nil error is final (bad record, close_notify from the peer as
// io.EOF, handshake failure, ErrClosed); plaintext decrypted before it is
// still returned and should be processed before closing.
func (b *Bridge) Feed(ciphertext, plain []byte) ([]byte, error) {
	if b.settled.Load() {
		return b.feedInline(ciphertext, plain)
	}
	b.mu.Lock()
	if b.settled.Load() {
		b.mu.Unlock()
		return b.feedInline(ciphertext, plain)
	}
	if Phase(b.phase.Load()) == PhaseClosed {
		b.mu.Unlock()
		return plain, ErrClosed
	}
	if len(ciphertext) > 0 {
		b.vc.in = append(b.vc.in, ciphertext...)
		b.cond.Broadcast()
	}
	b.mu.Unlock()
	return plain, nil
}

// feedInline is Feed after the handshake: loop goroutine only, no locks.
func (b *Bridge) feedInline(ciphertext, plain []byte) ([]byte, error) {
	switch Phase(b.phase.Load()) {
	case PhaseReady:
	case PhaseClosed:
		return plain, ErrClosed
	default:
		return plain, b.err
	}
	v := &b.vc
	var own []byte // our backing array while v.in borrows ciphertext
	borrowed := false
	if len(ciphertext) > 0 {
		if v.off == len(v.in) {
			// Nothing buffered: crypto/tls reads the caller's bytes
			// directly; only what it leaves is copied.
			own = v.in[:0]
			v.in, v.off = ciphertext, 0
			borrowed = true
		} else {
			v.in = append(v.in, ciphertext...)
		}
	}
	// Read until crypto/tls asks for more input than there is: it pulls
	// many records into its own buffer at once and returns one record's
	// plaintext per Read, so only the "would block" says it is drained.
	var err error
	for {
		if cap(plain)-len(plain) < minReadSpace {
			plain = grow(plain, minReadSpace)
		}
		var n int
		n, err = b.tc.Read(plain[len(plain):cap(plain)])
		plain = plain[:len(plain)+n]
		if err != nil {
			if _, ok := err.(wouldBlock); ok {
				err = nil
			}
			break
		}
	}
	// Keep what crypto/tls did not take.
	rest := v.in[v.off:]
	switch {
	case borrowed:
		v.in = append(own, rest...)
	case len(rest) == 0:
		v.in = v.in[:0]
	case v.off > 0:
		v.in = v.in[:copy(v.in, rest)]
	}
	v.off = 0
	if err != nil {
		b.fail(err)
	}
	return plain, err
}

// grow returns b with at least n bytes of spare capacity.
func grow(b []byte, n int) []byte {
	c := 2 * cap(b)
	if c < len(b)+n {
		c = len(b) + n
	}
	nb := make([]byte, len(b), c)
	copy(nb, b)
	return nb
}

// fail records the first error after the handshake (loop only).
func (b *Bridge) fail(err error) {
	b.mu.Lock()
	if b.err == nil {
		b.err = err
	}
	if Phase(b.phase.Load()) == PhaseReady {
		b.phase.Store(uint32(PhaseFailed))
	}
	b.mu.Unlock()
}

// Encrypt encrypts all of plaintext with one tls.Conn.Write (crypto/tls
// cuts it into records of up to 16 KB) and returns dst with any pending
// output and then the ciphertext appended. Loop goroutine only, after the
// handshake (ErrNotReady before). plaintext is not retained. An error is
// final.
func (b *Bridge) Encrypt(dst, plaintext []byte) ([]byte, error) {
	if !b.settled.Load() {
		return dst, ErrNotReady
	}
	switch Phase(b.phase.Load()) {
	case PhaseReady:
	case PhaseClosed:
		return dst, ErrClosed
	default:
		return dst, b.err
	}
	v := &b.vc
	if len(v.out) > 0 {
		dst = append(dst, v.out...)
		v.out = v.out[:0]
	}
	if len(plaintext) == 0 {
		return dst, nil
	}
	// crypto/tls writes each record through vconn.Write: point that
	// straight at dst.
	saved := v.out
	v.out = dst
	_, err := b.tc.Write(plaintext)
	dst, v.out = v.out, saved
	if err != nil {
		err = fmt.Errorf("tlsbridge: encrypt: %w", err)
		b.fail(err)
	}
	return dst, err
}

// HasOutput reports whether ciphertext is waiting for TakeOutput.
func (b *Bridge) HasOutput() bool {
	if b.settled.Load() {
		return len(b.vc.out) > 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.vc.out) > 0
}

// TakeOutput appends the waiting ciphertext (handshake flights, alerts,
// post-handshake messages) to dst and returns it. Call it on the loop
// after each notify and after Feed when HasOutput.
func (b *Bridge) TakeOutput(dst []byte) []byte {
	if b.settled.Load() {
		dst = append(dst, b.vc.out...)
		b.vc.out = b.vc.out[:0]
		return dst
	}
	b.mu.Lock()
	dst = append(dst, b.vc.out...)
	b.vc.out = b.vc.out[:0]
	b.mu.Unlock()
	return dst
}

// Close ends the connection: after the handshake it appends the waiting
// output and a close_notify alert to dst; during the handshake it stops
// the handshake goroutine (which still calls notify once as it exits).
// Further calls of Feed and Encrypt return ErrClosed. Loop goroutine only.
func (b *Bridge) Close(dst []byte) []byte {
	if !b.settled.Load() {
		b.mu.Lock()
		if !b.settled.Load() {
			p := Phase(b.phase.Load())
			b.phase.Store(uint32(PhaseClosed))
			if p == PhaseNew {
				b.vc.blocking = false
				b.settled.Store(true)
			}
			dst = append(dst, b.vc.out...)
			b.vc.out = b.vc.out[:0]
			b.mu.Unlock()
			_ = b.vc.Close()
			return dst
		}
		b.mu.Unlock()
	}
	if Phase(b.phase.Load()) == PhaseClosed {
		return b.TakeOutput(dst)
	}
	v := &b.vc
	if len(v.out) > 0 {
		dst = append(dst, v.out...)
		v.out = v.out[:0]
	}
	saved := v.out
	v.out = dst
	_ = b.tc.Close() // close_notify after a completed handshake; closes vc
	dst, v.out = v.out, saved
	b.mu.Lock()
	b.phase.Store(uint32(PhaseClosed))
	b.mu.Unlock()
	return dst
}

// State reports the phase, the first error and, once the handshake
// completed, the negotiated version and suite. Safe from any goroutine.
func (b *Bridge) State() State {
	b.mu.Lock()
	s := State{Phase: Phase(b.phase.Load()), Err: b.err}
	b.mu.Unlock()
	if s.Phase != PhaseNew && s.Phase != PhaseHandshake {
		cs := b.tc.ConnectionState()
		if cs.HandshakeComplete {
			s.Version, s.CipherSuite = cs.Version, cs.CipherSuite
			s.HandshakeComplete = true
		}
	}
	return s
}

// ConnectionState is crypto/tls's full state (peer certificates for
// verify_and_map, ...). Safe from any goroutine.
func (b *Bridge) ConnectionState() tls.ConnectionState { return b.tc.ConnectionState() }
