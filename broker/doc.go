// Package broker is natsloop's composition root and the home of NATS
// semantics: client sessions, accounts, publish/subscribe delivery, queue
// selection, limits, liveness (server PINGs, auth timeout) and slow
// consumers. It wires loop (I/O), proto (wire format) and internal/subject
// (interest) together.
//
// # Concurrency
//
// Every client session belongs to one event loop: its parser, lifecycle
// state, CONNECT options and liveness fields are touched only on that
// loop's goroutine ("owned by the loop"). What other loops touch is marked
// on each field: the subscription table (guarded by the client's mu),
// counters (atomics), and immutable snapshots behind atomic pointers (the
// peerView with headers support and the auth grant, the log prefix); see
// docs/design/0005. A second CONNECT publishes new snapshots and never
// changes a published one. An account's subscription index is safe for
// concurrent use; the *subject.Result it returns is immutable, so a
// publisher iterates it with no lock held.
//
// # Message flow
//
//	loop k: OnData -> proto.Parser.Next -> processPub
//	        -> account index Match (cached) -> for each subscriber:
//	             Shard.Begin(dst) + proto.AppendMsg + Shard.Commit(dst)
//	        (same loop: dst's staging buffer; other loop: the k->j outbox)
//	loop package: one flush per conn per callback, one drain per batch.
//
// # Flow control (flow.go, docs/design/0004)
//
// A publisher whose delivery found a consumer holding more than the
// high-water mark (loop.Shard.Pending above min(max_pending/2, 512 KiB))
// waits after that op with loop.Shard.WaitDrain: its socket is taken off
// the loop until the consumer drains to half the mark, closes, or 10 ms
// pass; after a timed-out wait it processes an allowance of input without
// stalling, so a consumer that stops reading reaches max_pending and is
// closed as a slow consumer. A CONNECT parked on the bcrypt pool pauses
// its conn the same way, so nothing past it is read before the check ends.
//
// # Buffer ownership
//
// Slices inside a *proto.Op are valid only while the op is processed:
// anything kept (subjects, sids, queue names of a subscription) is copied.
package broker
