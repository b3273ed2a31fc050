// Package tlsbridge runs crypto/tls for one connection of an event loop
// as a state machine over memory: ciphertext in, plaintext out, and back.
// The caller (the loop) owns the socket and does all I/O; the bridge
// never touches a file descriptor. It is used for client connections
// (INFO-then-upgrade and handshake_first), route links (client mode) and
// the HTTPS monitoring port (ServerConfig alone).
//
// It also builds tls.Configs from config.TLS (ServerConfig, ClientConfig)
// under natsloop's policy: TLS 1.2 minimum, TLS 1.2 suites ECDHE + AEAD
// only (AES-GCM, ChaCha20-Poly1305), 16 KB records from the first byte;
// Policy reports whether the host has AES hardware (cpuid) for the
// startup log.
//
// # Why this works: two crypto/tls behaviours
//
// crypto/tls has no non-blocking API. The bridge relies on two properties
// of the Go release, pinned by pin_test.go so that an upgrade that
// changes them fails the tests:
//
//   - During the handshake every error from the underlying conn is
//     sticky. So the handshake runs in a short-lived goroutine whose
//     virtual conn blocks in Read until the loop feeds ciphertext.
//   - After the handshake, the record layer returns a net.Error whose
//     Temporary() is true without recording it. So the virtual conn then
//     returns a temporary "would block" error when its input runs dry,
//     and tls.Conn.Read/Write run inline on the loop.
//
// # Life of a Bridge
//
//	loop goroutine                      handshake goroutine
//	--------------                      -------------------
//	b := NewServer(cfg, notify)
//	b.Feed(ct, nil)  ── in (mu) ──────► vconn.Read (waits on cond)
//	b.Start(ctx)  ─────── go ─────────► tls.Conn.HandshakeContext(ctx)
//	                                      vconn.Write: out (mu), notify()
//	notify → loop: b.TakeOutput(buf) ◄── out
//	socket read → b.Feed(ct, nil) ────► in, cond.Broadcast
//	      ...                           ...
//	                                    done: vconn inline, settled,
//	notify → loop: TakeOutput,            notify(); goroutine ends
//	         State(), Feed(nil, plain)
//	---------------- settled: loop goroutine only, no locks ----------------
//	socket read → plain, err = b.Feed(ct, plain[:0])   tls.Conn.Read inline
//	flush       → out, err = b.Encrypt(out, staged)    one tls.Conn.Write
//	close       → out = b.Close(out)                   close_notify
//
// On the wire for INFO-then-upgrade the server writes the plaintext INFO
// itself and creates the bridge when the client's next bytes start with
// 0x16 (LooksLikeTLS); with handshake_first the bridge exists from the
// first byte and the INFO is the first thing Encrypt-ed.
//
// # Concurrency contract
//
// notify is called only from the handshake goroutine, for each handshake
// flight and a last time as the goroutine ends (also when Close stopped
// it); it must not block and must only schedule work on the loop. Until the handshake ends, Feed, TakeOutput, HasOutput, State and
// Close may be called from the loop while the handshake goroutine runs:
// the virtual conn's buffers are then guarded by a mutex and a cond.
// Once the handshake has ended (the last notify; State().Phase is
// PhaseReady or PhaseFailed) the bridge belongs to the loop goroutine:
// Feed, Encrypt, TakeOutput, HasOutput and Close take no lock on the
// hot path (an atomic load decides). State and ConnectionState are safe
// from any goroutine at any time (for /connz).
//
// # Buffer ownership
//
//   - Feed's ciphertext is borrowed for the call: what crypto/tls does
//     not consume is copied into the bridge. plain is the caller's; Feed
//     appends to it and returns it (grown when it had less than 16 KB of
//     spare capacity).
//   - Encrypt's plaintext is borrowed for the call; dst is the caller's,
//     returned with the ciphertext appended (crypto/tls's records are
//     appended straight into it).
//   - TakeOutput and Close append to the caller's dst; the bridge keeps
//     and reuses its own output buffer.
//
// # Allocations
//
// In steady state (buffers reused) Encrypt allocates nothing. Feed
// allocates nothing of its own; crypto/tls allocates one small
// io.Reader wrapper (24 B) per read it makes from the virtual conn, which
// is two per Feed: one that takes the ciphertext into its record buffer
// and one that finds the input dry (the "would block"). Both are pinned
// by TestSteadyStateAllocs.
package tlsbridge
