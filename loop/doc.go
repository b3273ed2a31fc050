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
// # Concurrency contract
//
//   - Handler methods run on the conn's loop goroutine.
//   - Any goroutine: Server.Start, Stop, Addr, Enroll (not from a loop: it
//     waits for one), Loops; Conn.CloseAsync, Resume, Closed, ID, Shard,
//     RemoteAddr, LocalAddr, Outbound; Shard.Execute, Index, Len.
//   - The conn's own loop only: Conn.Out, Close, Need, OutboundBuffered and
//     Conn.Value.
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
//     loop's read buffer, shared by all its conns): copy what outlives it.
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
