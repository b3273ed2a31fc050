package loop

import (
	"context"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// drainPoll is how often a shard re-checks the conns that others wait on.
// gnet writes a conn's queued output on its own (EPOLLOUT) without telling
// us, so a wait ends at the next flush of the conn or at a poll. The poll
// sleeps with nanosleep on its own goroutine: Go's timers fire about 1 ms
// late when the process idles in the netpoller (its epoll timeout has
// millisecond resolution), long enough for a consumer reading at GB/s to
// run dry while its publishers wait.
const drainPoll = 100 * time.Microsecond

// drainWaiters are the conns waiting for one conn's output to drain.
type drainWaiters struct {
	waiting atomic.Bool // len(list) > 0; read by the owner's flush
	mu      sync.Mutex
	list    []drainWaiter // guarded by mu
	watched bool          // the owner is on its shard's watch list; guarded by mu
}

type drainWaiter struct {
	w   *Conn
	gen uint64 // w.waitGen when it started waiting
	low int    // resume w once the owner's Pending is at most this
}

// Pending is the output committed for c and not yet taken by its socket:
// frames other loops committed and c's loop has not drained yet, what
// was left queued at c's last flush (gnet's buffer), and, when s is c's
// shard, what is staged now. s must be the running shard; c may be any
// conn. Approximate for conns of other shards (updated at their flushes
// and polls), exact enough to bound memory.
func (s *Shard) Pending(c *Conn) int {
	s.mustRun("Shard.Pending", c)
	n := int(c.inflight.Load() + c.backlog.Load())
	if c.shard == s {
		n += len(c.out)
	}
	return n
}

// WaitDrain pauses w (a conn of s, the running shard) until dst's Pending
// is at most low, dst is closed, or timeout has passed, whichever comes
// first; then w resumes as with Resume. WaitExpired tells, once resumed,
// whether the timeout ended the wait. Waits do not stack: a Resume or a
// new WaitDrain ends the previous one.
func (s *Shard) WaitDrain(w, dst *Conn, low int, timeout time.Duration) {
	s.mustRun("Shard.WaitDrain", w)
	if w.gone() || w.shard != s {
		return
	}
	w.Pause()
	w.waitGen++
	gen := w.waitGen
	w.waitOver = false
	dw := &dst.drainWait
	dw.mu.Lock()
	dw.list = append(dw.list, drainWaiter{w: w, gen: gen, low: low})
	dw.waiting.Store(true)
	watch := !dw.watched
	dw.watched = true
	dw.mu.Unlock()
	if watch {
		dst.shard.watch(dst) // its poll also wakes the waiters of a closed dst
	}
	time.AfterFunc(timeout, func() { w.endWait(gen, true) })
}

// WaitExpired reports whether c's last drain wait ended by its timeout,
// and forgets it. c's loop only.
func (c *Conn) WaitExpired() bool {
	c.shard.mustRun("Conn.WaitExpired", c)
	over := c.waitOver
	c.waitOver = false
	return over
}

// endWait resumes c (a waiter) if it still waits in wait gen. Any
// goroutine.
func (c *Conn) endWait(gen uint64, timedOut bool) {
	if c.Closed() {
		return
	}
	_ = c.shard.Execute(func() {
		if c.gone() || c.waitGen != gen {
			return
		}
		c.waitGen++
		c.waitOver = timedOut
		c.shard.resume(c)
	})
}

// wake resumes the waiters whose low mark pending has reached (all of
// them when all is set) and reports whether any still wait.
func (dw *drainWaiters) wake(pending int, all bool) bool {
	dw.mu.Lock()
	keep := dw.list[:0]
	var woken []drainWaiter
	for _, x := range dw.list {
		if all || pending <= x.low {
			woken = append(woken, x)
		} else {
			keep = append(keep, x)
		}
	}
	clear(dw.list[len(keep):])
	dw.list = keep
	left := len(keep) > 0
	dw.waiting.Store(left)
	if !left {
		dw.watched = false
	}
	dw.mu.Unlock()
	for _, x := range woken {
		x.w.endWait(x.gen, false)
	}
	return left
}

// wakeAll resumes every waiter (the owner closed).
func (dw *drainWaiters) wakeAll() { dw.wake(0, true) }

// checkDrained wakes c's waiters that its Pending allows. c's loop.
func (s *Shard) checkDrained(c *Conn) bool {
	if c.Closed() {
		c.drainWait.wakeAll()
		return false
	}
	c.backlog.Store(int64(c.socketQueued()))
	return c.drainWait.wake(s.Pending(c), false)
}

// watch puts c on the shard's watch list (any goroutine): the poll
// re-checks it until nobody waits on it.
func (s *Shard) watch(c *Conn) {
	s.watchMu.Lock()
	s.watchNew = append(s.watchNew, c)
	s.watchMu.Unlock()
	s.armPoll()
}

func (s *Shard) armPoll() {
	if s.pollArmed.Swap(true) {
		return
	}
	s.pollOnce.Do(func() { go s.pollClock() })
	select {
	case s.pollKick <- struct{}{}:
	default:
	}
}

// pollClock runs the shard's drain poll drainPoll after each armPoll,
// until the server stops. Started on the first armPoll.
func (s *Shard) pollClock() {
	ts := syscall.NsecToTimespec(int64(drainPoll))
	for {
		select {
		case <-s.pollKick:
		case <-s.srv.done:
			return
		}
		for syscall.Nanosleep(&ts, nil) == syscall.EINTR {
		}
		if err := s.el.Execute(context.Background(), s.pollTask); err != nil {
			s.pollArmed.Store(false) // engine stopping
		}
	}
}

// poll runs on the loop: every watched conn is re-checked; the poll
// re-arms while any is still waited on.
func (s *Shard) poll() {
	s.pollArmed.Store(false)
	s.watchMu.Lock()
	s.watching = append(s.watching, s.watchNew...)
	clear(s.watchNew)
	s.watchNew = s.watchNew[:0]
	s.watchMu.Unlock()
	keep := s.watching[:0]
	for _, c := range s.watching {
		if s.checkDrained(c) {
			keep = append(keep, c)
		}
	}
	clear(s.watching[len(keep):])
	s.watching = keep
	if len(keep) > 0 {
		s.armPoll()
	}
}

// newPoll prepares the shard's drain poll task.
func (s *Shard) newPoll() {
	s.pollKick = make(chan struct{}, 1)
	s.pollTask = gnet.RunnableFunc(func(context.Context) error {
		prev := s.enter(nil)
		s.poll()
		s.leave(nil, prev)
		return nil
	})
}
