package loop

import (
	"context"
	"sync"
	"sync/atomic"
)

// frame marks the end (exclusive) of one frame in a batch's buf; the frame
// starts where the previous one ended.
type frame struct {
	c   *Conn
	end int
}

// batch is a run of frames for conns of one destination shard, in the
// order they were committed.
type batch struct {
	buf    []byte
	frames []frame
}

// last is the end of the last committed frame.
func (b *batch) last() int {
	if n := len(b.frames); n > 0 {
		return b.frames[n-1].end
	}
	return 0
}

// reset empties b, keeping its capacity (and dropping Conn references).
func (b *batch) reset() {
	clear(b.frames)
	b.frames = b.frames[:0]
	b.buf = b.buf[:0]
}

// outbox collects frames from one source shard to one destination shard
// during a callback. Owned by the source loop.
type outbox struct {
	dst *Shard // immutable
	b   batch
}

// inbox is the (source -> destination) queue, written by the source loop
// at the end of its callbacks and emptied by the destination's drain task.
// Batches move by swapping buffers, so nothing is allocated per frame in
// steady state.
type inbox struct {
	mu     sync.Mutex
	b      batch        // guarded by mu
	queued atomic.Int64 // len(b.buf): set at handoff, zeroed at drain; read anywhere
}

// Begin returns the buffer to which the caller appends ONE frame for dst,
// then calls Commit(dst). s must be the shard of the running callback.
// Same loop: dst's staging buffer. Other loop: the (s -> dst's shard)
// outbox. The buffer is valid only until Commit.
func (s *Shard) Begin(dst *Conn) *[]byte {
	if dst.shard == s {
		return &dst.out
	}
	ob := s.outboxes[dst.shard.idx]
	if ob == nil {
		ob = &outbox{dst: dst.shard}
		s.outboxes[dst.shard.idx] = ob
	}
	return &ob.b.buf
}

// Commit ends the frame started by Begin(dst). Same loop: dst is marked
// for flushing. Other loop: the frame is queued in the outbox, handed to
// dst's loop when the current callback ends (one drain task per batch).
// Frames for a closed dst are dropped.
func (s *Shard) Commit(dst *Conn) {
	if dst.shard == s {
		if dst.gone {
			dst.out = dst.out[:0]
			return
		}
		dst.markPending()
		return
	}
	ob := s.outboxes[dst.shard.idx]
	if dst.closed.Load() {
		ob.b.buf = ob.b.buf[:ob.b.last()]
		return
	}
	if len(ob.b.frames) == 0 {
		s.dirty = append(s.dirty, dst.shard.idx)
	}
	dst.inflight.Add(int64(len(ob.b.buf) - ob.b.last()))
	ob.b.frames = append(ob.b.frames, frame{c: dst, end: len(ob.b.buf)})
}

// Queued is how many bytes this shard has handed to dst's loop that the
// destination has not drained yet (0 when dst is on this shard). With
// Conn.Backlog it tells a producer that the destination loop is falling
// behind. Call it on the running shard (s); dst may be any conn.
func (s *Shard) Queued(dst *Conn) int {
	if dst.shard == s {
		return 0
	}
	return int(dst.shard.inboxes[s.idx].queued.Load())
}

// handoff moves each non-empty outbox into its inbox on the destination
// and schedules one drain there unless one is already scheduled.
func (s *Shard) handoff() {
	for _, j := range s.dirty {
		ob := s.outboxes[j]
		ob.b.buf = ob.b.buf[:ob.b.last()] // drop bytes of an uncommitted Begin
		dst := ob.dst
		in := &dst.inboxes[s.idx]
		in.mu.Lock()
		if len(in.b.frames) == 0 {
			in.b, ob.b = ob.b, in.b
		} else {
			base := len(in.b.buf)
			in.b.buf = append(in.b.buf, ob.b.buf...)
			for _, f := range ob.b.frames {
				in.b.frames = append(in.b.frames, frame{c: f.c, end: base + f.end})
			}
		}
		in.queued.Store(int64(len(in.b.buf)))
		in.mu.Unlock()
		ob.b.reset()
		if !dst.drainScheduled.Swap(true) {
			if err := dst.el.Execute(context.Background(), dst.drainTask); err != nil {
				dst.drainScheduled.Store(false) // engine shutting down
			}
		}
	}
	s.dirty = s.dirty[:0]
}

// drain runs on this shard's loop: it takes every inbox's batch and
// appends each frame to its conn's staging buffer (skipping conns closed
// meanwhile). The flush follows in finish.
func (s *Shard) drain() {
	s.drainScheduled.Store(false)
	for i := range s.inboxes {
		in := &s.inboxes[i]
		in.mu.Lock()
		if len(in.b.frames) == 0 {
			in.mu.Unlock()
			continue
		}
		in.b, s.drainBuf = s.drainBuf, in.b
		in.queued.Store(0)
		in.mu.Unlock()
		b := &s.drainBuf
		start := 0
		for _, f := range b.frames {
			c := f.c
			if c.closed.Load() {
				c.inflight.Add(int64(start - f.end)) // dropped
			} else {
				c.out = append(c.out, b.buf[start:f.end]...)
				c.drained += f.end - start // leaves inflight at the flush
				c.markPending()
			}
			start = f.end
		}
		b.reset()
	}
}
