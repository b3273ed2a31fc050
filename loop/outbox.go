package loop

import (
	"context"
	"sync"
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
// Batches move whole: the source appends its outbox batch to q and takes
// an empty one from free; the drain takes q and gives the drained batches
// back to free. Nothing is copied or allocated per frame in steady state.
type inbox struct {
	mu   sync.Mutex
	q    []batch // guarded by mu: handed off, not drained yet
	free []batch // guarded by mu: drained, empty, capacity kept
}

// Begin returns the buffer to which the caller appends ONE frame for dst,
// then calls Commit(dst). s must be the shard of the running callback.
// Same loop: dst's staging buffer. Other loop: the (s -> dst's shard)
// outbox. The buffer is valid only until Commit.
func (s *Shard) Begin(dst *Conn) *[]byte {
	s.mustRun("Shard.Begin", dst)
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
	s.mustRun("Shard.Commit", dst)
	if dst.shard == s {
		if dst.gone() {
			dst.out = dst.out[:0]
			return
		}
		dst.markPending()
		return
	}
	ob := s.outboxes[dst.shard.idx]
	if dst.Closed() {
		ob.b.buf = ob.b.buf[:ob.b.last()]
		return
	}
	if len(ob.b.frames) == 0 {
		s.dirty = append(s.dirty, dst.shard.idx)
	}
	dst.inflight.Add(int64(len(ob.b.buf) - ob.b.last()))
	ob.b.frames = append(ob.b.frames, frame{c: dst, end: len(ob.b.buf)})
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
		in.q = append(in.q, ob.b)
		ob.b = batch{}
		if n := len(in.free); n > 0 {
			ob.b = in.free[n-1]
			in.free[n-1] = batch{}
			in.free = in.free[:n-1]
		}
		in.mu.Unlock()
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
		if len(in.q) == 0 {
			in.mu.Unlock()
			continue
		}
		in.q, s.drainQ = s.drainQ[:0], in.q
		in.mu.Unlock()
		for j := range s.drainQ {
			s.deliverBatch(&s.drainQ[j])
			s.drainQ[j].reset()
		}
		in.mu.Lock()
		in.free = append(in.free, s.drainQ...)
		in.mu.Unlock()
		clear(s.drainQ)
		s.drainQ = s.drainQ[:0]
	}
}

// deliverBatch hands every conn its frames of b (one source's batch, in
// commit order). A conn's frames that lie next to each other in b.buf are
// joined. A plaintext conn on its loop with nothing staged gets them
// written straight from b (gnet copies only what the socket does not
// take): a payload is then copied once, into the source's outbox, between
// the publisher's socket and the consumer's. Others (TLS, off the loop,
// output staged, or many small scattered frames) get them appended to
// their staging buffer. Either way they stay counted in inflight until
// the conn's flush.
func (s *Shard) deliverBatch(b *batch) {
	start := 0
	for _, f := range b.frames {
		c := f.c
		if c.Closed() {
			c.inflight.Add(int64(start - f.end)) // dropped
			start = f.end
			continue
		}
		if n := len(c.iov); n > 0 && c.iovEnd == start {
			c.iov[n-1] = b.buf[c.iovStart:f.end]
		} else {
			if n == 0 {
				s.touched = append(s.touched, c)
			}
			c.iov = append(c.iov, b.buf[start:f.end])
			c.iovStart = start
		}
		c.iovEnd = f.end
		c.drained += f.end - start
		start = f.end
	}
	for i, c := range s.touched {
		s.touched[i] = nil
		s.deliverIov(c)
		clear(c.iov)
		c.iov = c.iov[:0]
	}
	s.touched = s.touched[:0]
}

// straightMin is the average run length from which scattered runs are
// written with one writev rather than copied into the staging buffer.
const straightMin = 1024

// deliverIov writes or stages the runs gathered in c.iov.
func (s *Shard) deliverIov(c *Conn) {
	c.markPending()
	total := 0
	for _, b := range c.iov {
		total += len(b)
	}
	straight := c.tls == nil && c.gc != nil && !c.gone() && len(c.out) == 0 &&
		(len(c.iov) == 1 || total >= straightMin*len(c.iov))
	if !straight {
		for _, b := range c.iov {
			c.out = append(c.out, b...)
		}
		return
	}
	if c.gc.OutboundBuffered() == 0 {
		c.stallSince = 0 // the socket caught up since we last looked
	}
	if len(c.iov) == 1 {
		_, _ = c.gc.Write(c.iov[0]) // a failure closes c (OnClose) at once
		return
	}
	for iov := c.iov; len(iov) > 0 && !c.gone(); {
		n := min(len(iov), maxIovecs)
		_, _ = c.gc.Writev(iov[:n])
		iov = iov[n:]
	}
}

// maxIovecs is the most slices one writev may take (IOV_MAX on Linux):
// gnet fails and closes the conn beyond it.
const maxIovecs = 1024
