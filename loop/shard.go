package loop

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// Shard is the per-event-loop state: its connections, the conns waiting
// for a flush or a close, and the cross-loop outboxes (from this loop) and
// inboxes (to this loop). Every method except Index and Execute runs on
// the shard's loop.
type Shard struct {
	srv *Server        // immutable
	idx int            // immutable
	el  gnet.EventLoop // immutable; concurrency-safe (Execute, Enroll)

	owner loopOwner // the loop's goroutine, for the invariant checks (invariants.go)

	count atomic.Int64 // number of open conns; read anywhere

	// Owned by the loop goroutine:
	conns     []*Conn   // open conns (Conn.slot is the index)
	pending   []*Conn   // conns with staged output to flush
	closing   []*Conn   // conns whose Close was requested
	detaching []*Conn   // held conns to take off the loop (pause.go)
	spare     []*Conn   // second pending list (swapped in flushPending)
	tickList  []*Conn   // scratch copy of conns for a tick
	depth     int       // nesting of callbacks; finish runs when it drops to 0
	current   *Conn     // conn of the running OnOpen/OnTraffic (closed by Action)
	outboxes  []*outbox // by destination shard index; lazily created
	dirty     []int     // indices of outboxes holding frames
	drainQ    []batch   // batches being drained (swapped with an inbox's q)
	touched   []*Conn   // conns with runs of the batch being drained
	deadlineC int64     // write deadline in ns; <= 0 disabled

	// Written by other loops (guarded per inbox) and by this loop:
	inboxes        []inbox     // by source shard index
	drainScheduled atomic.Bool // a drain task is queued on this loop
	tickScheduled  atomic.Bool // a tick task is queued on this loop

	drainTask gnet.Runnable // immutable; runs drain on this loop
	tickTask  gnet.Runnable // immutable; runs tick on this loop

	// Drain waits (drain.go): conns others wait on, re-checked by a poll.
	watchMu   sync.Mutex
	watchNew  []*Conn       // guarded by watchMu: added by waiters' loops
	watching  []*Conn       // loop-owned
	pollArmed atomic.Bool   // the poll is due or its task queued
	pollKick  chan struct{} // armPoll -> pollClock; immutable after newShard
	pollOnce  sync.Once     // starts pollClock
	pollTask  gnet.Runnable // immutable after newShard

	lingering   []*Conn       // loop-owned: closed conns waiting for gnet to drain
	lingerDelay time.Duration // loop-owned: current re-check period
	lingerTimer *time.Timer   // created on the loop; fires lingerTask
	lingerTask  gnet.Runnable // immutable
}

func newShard(s *Server, idx int, el gnet.EventLoop) *Shard {
	sh := &Shard{
		srv:       s,
		idx:       idx,
		el:        el,
		outboxes:  make([]*outbox, s.cfg.Loops),
		inboxes:   make([]inbox, s.cfg.Loops),
		deadlineC: int64(s.cfg.WriteDeadline),
	}
	sh.owner.claim() // newShard runs on el (OnOpen of its first conn)
	sh.drainTask = gnet.RunnableFunc(func(context.Context) error {
		prev := sh.enter(nil)
		sh.drain()
		sh.leave(nil, prev)
		return nil
	})
	sh.tickTask = gnet.RunnableFunc(func(context.Context) error {
		prev := sh.enter(nil)
		sh.tick()
		sh.leave(nil, prev)
		return nil
	})
	sh.newPoll()
	sh.lingerTask = gnet.RunnableFunc(func(context.Context) error {
		prev := sh.enter(nil)
		sh.recheckLinger()
		sh.leave(nil, prev)
		return nil
	})
	return sh
}

// Index is the shard's number, 0..Loops-1 (assigned in the order loops get
// their first connection). Any goroutine.
func (s *Shard) Index() int { return s.idx }

// Len is the number of open connections on the shard. Any goroutine.
func (s *Shard) Len() int { return int(s.count.Load()) }

// Execute runs fn on the shard's loop, then flushes like after any
// callback. Any goroutine. Each call allocates: keep it off per-message
// paths.
func (s *Shard) Execute(fn func()) error {
	return s.el.Execute(context.Background(), gnet.RunnableFunc(func(context.Context) error {
		prev := s.enter(nil)
		fn()
		s.leave(nil, prev)
		return nil
	}))
}

// enter marks the start of a callback or task for conn cur (nil for a task).
func (s *Shard) enter(cur *Conn) *Conn {
	s.onLoop()
	prev := s.current
	s.current = cur
	s.depth++
	return prev
}

// leave ends what enter started. At the outermost level it runs finish:
// hand off outboxes, flush staged output, close requested conns. It
// returns the gnet action for cur: Close if cur's Close was requested (the
// conn of a running OnOpen/OnTraffic is closed by gnet after it returns).
func (s *Shard) leave(cur, prev *Conn) gnet.Action {
	s.depth--
	if s.depth == 0 {
		s.finish()
	}
	s.current = prev
	if cur != nil && cur.life.get() == closeByAction {
		return gnet.Close
	}
	return gnet.None
}

// finish runs at the end of every callback and task until no work is
// left (OnClose handlers may stage more output or close more conns).
func (s *Shard) finish() {
	s.depth++ // OnClose fired inside a Write must not finish recursively
	for {
		switch {
		case len(s.dirty) > 0:
			s.handoff()
		case len(s.pending) > 0:
			s.flushPending()
		case len(s.closing) > 0:
			if !s.closeQueued() && len(s.detaching) == 0 {
				s.depth--
				return
			}
		case len(s.detaching) > 0:
			s.detachHeld()
		default:
			s.depth--
			return
		}
	}
}

// flushPending flushes each marked conn once.
func (s *Shard) flushPending() {
	list := s.pending
	s.pending, s.spare = s.spare[:0], nil
	for i, c := range list {
		list[i] = nil
		c.pending = false
		if !c.gone() {
			s.flush(c)
		}
	}
	s.spare = list[:0]
}

// add registers a newly opened conn.
func (s *Shard) add(c *Conn) {
	c.slot = len(s.conns)
	s.conns = append(s.conns, c)
	s.count.Add(1)
}

// remove unregisters a closed conn.
func (s *Shard) remove(c *Conn) {
	last := len(s.conns) - 1
	if c.slot > last || s.conns[c.slot] != c {
		return
	}
	s.conns[c.slot] = s.conns[last]
	s.conns[c.slot].slot = c.slot
	s.conns[last] = nil
	s.conns = s.conns[:last]
	s.count.Add(-1)
}
