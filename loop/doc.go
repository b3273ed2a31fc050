// Package loop is the gnet glue of natsloop: the engine, one shard per
// event loop, the connection lifecycle, staging and flushing of output,
// cross-loop delivery, ticks, and enrolling dialed (route) connections onto
// the same loops. It knows nothing of NATS: a Handler gets bytes and
// stages bytes.
//
// # Read path
//
// On every readable event (gnet OnTraffic) the read path peeks everything
// gnet holds for the conn and calls Handler.OnData once with it (at most
// 256 KiB); the bytes OnData reports as consumed are discarded, the rest
// stay buffered in gnet and are offered again, followed by newer bytes, on
// the next read. Conn.Need(n) skips OnData until n bytes are buffered
// (large payloads trickling in are then not re-copied on every read).
//
// # Read pause
//
// Not consuming is no pause: gnet keeps reading a readable socket into its
// buffer. Conn.Pause really stops reading (docs/design/0004): at the end of
// the callback, once gnet holds no output for the conn, the bytes gnet
// read are kept (Conn.held), the socket is duplicated and gnet's conn
// closed; nobody reads the socket, so the kernel holds the peer back.
// Conn.Resume (any goroutine) enrolls the duplicate on the same loop again
// and offers the kept bytes first.
//
//	on --Pause--> held --(gnet output empty, end of callback)--> detached
//	 ^             |                                               |
//	 +---Resume----+            reattaching <-------Resume---------+
//	 +----------------(gnet OnOpen: swap the gnet conn)---+
//
// While detached, output is written to the socket directly; what it does
// not take sends the conn back to its loop (still paused) for gnet to
// write. A held conn's gnet input plus output may not pass MaxPending.
// A TLS conn pauses itself after feeding 64 KiB before its handshake ends.
//
// Shard.WaitDrain(w, dst, low, timeout) pauses w until Shard.Pending(dst)
// (frames committed by other loops and not written yet, gnet's outbound,
// staged output) is at most low, dst is closed, or timeout passed
// (Conn.WaitExpired); dst's shard re-checks at dst's flushes and on a
// 250 µs poll while anyone waits.
//
// # Write path
//
// Output is appended to a per-conn staging buffer (Conn.Out, or
// Shard.Begin/Commit). When the callback or task ends, every conn marked
// pending is flushed once with a single gnet Write (gnet writes at once if
// its outbound buffer is empty, keeps the rest for EPOLLOUT, never
// blocks), and its staging buffer is reset for reuse (dropped if it grew
// past 256 KiB and stays mostly unused). After the flush, if the bytes
// still queued exceed Config.MaxPending the conn is closed with
// ErrSlowConsumerPending; at each tick, a conn whose queued output was not
// seen drained for longer than Config.WriteDeadline is closed with
// ErrSlowConsumerDeadline. Both are per conn: a slow conn never delays
// the others.
//
// # Cross-loop delivery
//
// Shard.Begin/Commit deliver one frame from code running on shard s to a
// conn dst on any shard:
//
//	loop k (source)                               loop j (destination)
//	Begin(dst) -> outbox[k->j].buf                 |
//	Commit(dst) -> outbox[k->j].frames += {dst,end}|
//	end of callback: handoff                       |
//	  lock inbox[k->j]; swap or append; unlock     |
//	  if !j.drainScheduled.Swap(true):             |
//	      j.Execute(drain) ------ one task --------> drain:
//	                                               |  j.drainScheduled = false
//	                                               |  for each inbox[*->j]: lock; swap; unlock
//	                                               |    for each frame: dst.out += bytes (skip closed)
//	                                               |  flush each marked conn once
//
// Same loop, Begin returns dst's staging buffer and Commit marks it
// pending. Every (source, destination) pair is a FIFO, so frames from one
// source reach each conn in commit order (gnet's task order is not relied
// upon). Whole batches move from outbox to the inbox's queue and back to
// its free list after the drain: in steady state nothing is allocated or
// copied per frame, and only one Execute is posted per destination per
// batch. The drain writes each conn's frames straight from the batch (one
// Write, or Writev when the runs are large) when the conn is plaintext, on
// its loop and has nothing staged; otherwise it appends them to the
// staging buffer. Frames count in dst's inflight from Commit until the
// flush that wrote them.
//
// # TLS
//
// Conn.StartTLS switches a conn to TLS through a tlsbridge.Bridge at any
// point (handshake_first: from OnOpen; INFO-then-upgrade: from the first
// OnData whose data tlsbridge.LooksLikeTLS, handing data over as first
// and reporting it consumed; route links: client side on an enrolled
// conn). A plaintext conn pays one nil check in the read and write paths.
//
//	socket --> OnTraffic --> readTLS: Feed(ciphertext) ---> carry (plaintext)
//	           Discard(all fed)          |                     |
//	                                     | (handshake: queued  v
//	                                     |  for the goroutine) OnData(carry[:256 KiB])
//	staged c.out --flushTLS--> Encrypt(cipherBuf[:0], c.out) --> one gnet Write
//
//	handshake goroutine (tlsbridge)        c's loop
//	notify() per flight and at the end --> one task: step
//	                                         TakeOutput -> gnet Write (raw records)
//	                                         Ready:  onReady(c, nil); Feed(nil, carry);
//	                                                 flush what was held; offer the carry
//	                                         Failed: onReady(c, err); Close(err)
//
// Read: every byte gnet holds for a TLS conn is fed to the bridge and
// discarded from gnet while the plaintext carry is below the offer limit
// (256 KiB, or Need); the carry is offered to OnData and what it did not
// consume stays first in line. Need counts plaintext. During the
// handshake the ciphertext goes to the handshake goroutine and OnData
// sees nothing. A record error (or the peer's close_notify, a plain
// close) closes the conn after the plaintext decrypted before it was
// offered and the alert written.
//
// Write: output staged for a TLS conn (Out, Begin/Commit, cross-loop
// drains: all plaintext) is encrypted at its flush with one
// Bridge.Encrypt into a per-conn ciphertext buffer (reused, shrunk like
// the staging buffer), so records carry many frames; MaxPending and the
// write deadline count the ciphertext gnet holds. Nothing staged is
// written in clear once StartTLS was called: before the handshake
// succeeded it is held, and dropped if the handshake fails.
//
// Close: close_notify is written best effort after a completed
// handshake (not for slow consumers) before the conn closes or lingers;
// the bridge is always closed, which ends a running handshake goroutine
// (also when gnet closes the conn). onReady does not run for a conn that
// closed before its handshake ended.
//
// # Concurrency contract
//
//   - Handler methods run on the conn's loop goroutine.
//   - Any goroutine: Server.Start, Stop, Addr, Enroll (not from a loop: it
//     waits for one); Conn.CloseAsync, Resume, Closed, ID, Shard,
//     RemoteAddr, LocalAddr, Outbound, TLSState,
//     TLSConnectionState; Shard.Execute, Index, Len.
//   - The conn's own loop only: Conn.Out, Close, Need, OutboundBuffered,
//     Pause, Paused, WaitExpired, StartTLS and Conn.Value. StartTLS's
//     onReady runs on the conn's loop (from the task the handshake
//     goroutine's notify posts), never on the handshake goroutine, which
//     only ever calls EventLoop.Execute.
//   - The source shard's loop only: Shard.Begin, Commit, Pending and
//     WaitDrain (s must be the shard running the current callback or task;
//     dst may live anywhere).
//   - Builds with the race detector or the invariants tag (go test -race,
//     go test -tags invariants) check the loop-only contracts: each
//     loop-only call above (all but the Conn.Value field) panics, naming
//     itself, when made off its loop or outside a callback or task
//     (invariants.go; the loop's goroutine is recorded when its shard is
//     created), and so does an illegal move of the close lifecycle. Other
//     builds compile the checks to nothing.
//   - Close takes effect when the running callback or task ends: staged
//     output is flushed first and, if the socket cannot take it all yet,
//     the conn lingers (input ignored) until gnet has written it (bounded
//     by the write deadline); closing.go has the lifecycle (open,
//     requested, lingering, forced, byAction, gone) as one typed state,
//     every move through Conn.setClose. OnClose runs exactly once, never
//     from inside another handler method, and a Conn is never reused, so
//     holding a *Conn after OnClose is safe (Closed reports true).
//
// # Buffer ownership
//
//   - data passed to OnData is valid only until OnData returns (it is the
//     loop's read buffer, shared by all its conns, or a TLS conn's carry,
//     compacted after the call): copy what outlives it.
//   - StartTLS's first is copied; the ciphertext gnet peeks is borrowed by
//     Bridge.Feed for the call only.
//   - the buffers returned by Conn.Out and Shard.Begin are valid only until
//     the flush at the end of the current callback or task (Begin's only
//     until Commit); every Begin must be followed by Commit.
//
// # gnet facts relied upon (v2.10.0)
//
// OnTraffic is not raised again for bytes already buffered; Peek(n) of all
// buffered bytes is the shared read buffer or a pooled copy, and
// Discard(n <= 0) discards everything (so 0 consumed is never discarded).
// Write does write(2) at once when gnet's outbound buffer is empty, and a
// failing Write closes the conn (OnClose) synchronously. gnet's close
// writes its outbound buffer only until EAGAIN. EventLoop.Execute and
// Enroll are safe from any goroutine; EventLoop.Close must run on the loop.
// OnTick runs on its own goroutine, first right after the loops started.
// Engine.Dup gives the listener's fd (for the bound address). Engine.Stop
// closes every conn (OnClose with a nil error) after the loops stop.
// For the pause (pinned in gnet_pin_test.go): gnet reads a readable socket
// whether or not OnTraffic consumed; EventLoop.Close of a conn whose
// socket was Dup'ed runs OnClose inside, removes the fd from epoll and
// leaves the socket open; its close drops output the socket did not take;
// EventLoop.Enroll of a net.FileConn raises OnOpen with the given context
// on that loop, then OnTraffic for bytes that waited.
package loop
