// Package loop is the gnet glue of natsloop: the engine, one shard per
// event loop, the connection lifecycle, staging and flushing of output,
// cross-loop delivery, ticks, and enrolling dialed (route) connections onto
// the same loops. It knows nothing of NATS: a Handler gets bytes and
// stages bytes.
//
// # Read path
//
// On every readable event (gnet OnTraffic) the read path peeks everything
// gnet holds for the conn and calls Handler.OnData once with it; the bytes
// OnData reports as consumed are discarded, the rest stay buffered in gnet
// and are offered again, followed by newer bytes, on the next read. gnet
// raises no event for bytes it already holds, so a handler that stopped
// consuming (parked on an off-loop auth check) calls Conn.Resume when it
// can go on. Conn.Need(n) skips OnData until n bytes are buffered (large
// payloads trickling in are then not re-copied on every read).
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
// upon). Batches move between outbox, inbox and drain by swapping buffers:
// in steady state nothing is allocated per frame, and only one Execute is
// posted per destination per batch.
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
//     waits for one), Loops; Conn.CloseAsync, Resume, Closed, ID, Shard,
//     RemoteAddr, LocalAddr, Outbound, Backlog, TLSState,
//     TLSConnectionState; Shard.Execute, Index, Len.
//   - The conn's own loop only: Conn.Out, Close, Need, OutboundBuffered,
//     StartTLS and Conn.Value. StartTLS's onReady runs on the conn's loop
//     (from the task the handshake goroutine's notify posts), never on the
//     handshake goroutine, which only ever calls EventLoop.Execute.
//   - The source shard's loop only: Shard.Begin and Commit (s must be the
//     shard running the current callback or task; dst may live anywhere).
//   - Close takes effect when the running callback or task ends: staged
//     output is flushed first and, if the socket cannot take it all yet,
//     the conn lingers (input ignored) until gnet has written it (bounded
//     by the write deadline). OnClose runs exactly once, never from inside
//     another handler method, and a Conn is never reused, so holding a
//     *Conn after OnClose is safe (Closed reports true).
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
package loop
