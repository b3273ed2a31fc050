package loop

import (
	"fmt"
	"sync/atomic"
	"syscall"
)

// closeState is where a conn stands in its close lifecycle. Every change
// goes through Conn.setClose, written by c's loop only; Closed and the
// other loops read it (an atomic load).
//
//	open --Close--> requested --(end of callback, output written)--> gone
//	  |                 |  \--(gnet still holds output)--> lingering --drained--> gone
//	  |                 |                                    \--deadline--> forced --> gone
//	  |                 \--(c runs OnOpen/OnTraffic: its action closes it)--> byAction --> gone
//	  \--(gnet closed it: peer hangup, write error, Engine.Stop)------------------------> gone
type closeState uint32

const (
	// closeOpen: no Close yet.
	closeOpen closeState = iota
	// closeRequested: Close was called (c is on shard.closing); its staged
	// output is flushed and its input ignored until it closes when the
	// running callback or task ends.
	closeRequested
	// closeLingering: gnet still holds output for c; the linger timer
	// re-checks until it drained (linger.go). Conn.lingerAt is its start.
	closeLingering
	// closeForced: lingering outlasted the write deadline: c is closed
	// although gnet still holds output.
	closeForced
	// closeByAction: c is the conn of the running OnOpen/OnTraffic; gnet
	// closes it from the action the callback returns.
	closeByAction
	// closeGone: OnClose has run. Nothing touches c any more.
	closeGone
)

func (st closeState) String() string {
	switch st {
	case closeOpen:
		return "open"
	case closeRequested:
		return "requested"
	case closeLingering:
		return "lingering"
	case closeForced:
		return "forced"
	case closeByAction:
		return "byAction"
	case closeGone:
		return "gone"
	}
	return fmt.Sprintf("closeState(%d)", uint32(st))
}

// canMove reports whether the lifecycle allows the move from st to to.
func (st closeState) canMove(to closeState) bool {
	switch st {
	case closeOpen:
		return to == closeRequested || to == closeGone
	case closeRequested:
		return to == closeLingering || to == closeByAction || to == closeGone
	case closeLingering:
		return to == closeForced || to == closeByAction || to == closeGone
	case closeForced:
		return to == closeByAction || to == closeGone
	case closeByAction:
		return to == closeGone
	}
	return false
}

// lifecycle holds a conn's closeState.
type lifecycle struct{ v atomic.Uint32 }

func (l *lifecycle) get() closeState { return closeState(l.v.Load()) }

// setClose moves c to state to. Under the invariants build an illegal
// move panics. c's loop only.
func (c *Conn) setClose(to closeState) {
	if invariants {
		if from := c.life.get(); !from.canMove(to) {
			panic(fmt.Sprintf("loop: invariant: conn %d close state %v -> %v", c.id, from, to))
		}
	}
	c.life.v.Store(uint32(to))
}

// gone reports whether OnClose has run for c. c's loop only.
func (c *Conn) gone() bool { return c.life.get() == closeGone }

// Closed reports whether Close was requested or c is closed. Any goroutine
// (an atomic load).
func (c *Conn) Closed() bool { return c.life.get() != closeOpen }

// Close flushes what is staged for c and then closes it; OnClose(c, err)
// follows once. The close happens when the current callback or task ends,
// after every flush. The first error given is the one reported. c's loop
// only.
func (c *Conn) Close(err error) {
	c.shard.mustRun("Conn.Close", c)
	if c.Closed() {
		return
	}
	c.setClose(closeRequested)
	c.closeErr = err
	c.shard.closing = append(c.shard.closing, c)
	c.drainWait.wakeAll() // it takes no more output: nobody waits on it
}

// CloseAsync is Close for any goroutine: it posts the Close to c's loop.
func (c *Conn) CloseAsync(err error) {
	if c.Closed() {
		return
	}
	_ = c.shard.Execute(func() {
		if !c.gone() {
			c.Close(err)
		}
	})
}

// closeQueued closes the conns whose Close was requested (s.closing). A conn
// whose output gnet could not write yet lingers (see linger.go) unless it
// is being closed as a slow consumer. The conn of the running
// OnOpen/OnTraffic is closed by gnet from the action that leave returns.
// It reports whether it did anything that may have created new work.
func (s *Shard) closeQueued() bool {
	list := s.closing
	s.closing = nil
	did := false
	for i, c := range list {
		list[i] = nil
		if c.gone() {
			continue
		}
		if c.tls != nil && !c.tls.close(c.closeErr) {
			continue // writing close_notify failed: gnet closed c
		}
		if c.gc == nil { // off its loop (pause.go)
			if c.rstate == readDetached {
				s.closeDetached(c)
				did = true
			} // re-attaching: reopen closes it once back
			continue
		}
		if c.life.get() != closeForced && c.gc.OutboundBuffered() > 0 && !isSlowConsumer(c.closeErr) {
			s.linger(c)
			continue
		}
		if c == s.current {
			c.setClose(closeByAction)
			continue
		}
		did = true
		// Synchronous: OnClose runs inside, gnet then writes what remains
		// of its outbound buffer (until EAGAIN) and closes the socket.
		_ = s.el.Close(c.gc)
	}
	if s.closing == nil {
		s.closing = list[:0]
	}
	return did || len(s.closing) > 0
}

func isSlowConsumer(err error) bool {
	return err == ErrSlowConsumerPending || err == ErrSlowConsumerDeadline
}

// closeAll requests Close(err) for every open conn.
func (s *Shard) closeAll(err error) {
	for _, c := range s.conns {
		c.Close(err)
	}
}

// closeDone ends c (exactly once): it leaves the shard, its drain waiters
// resume, and Handler.OnClose runs with the first Close reason, else err
// (ErrServerStopped for a plain close while stopping).
func (s *Shard) closeDone(c *Conn, err error) {
	c.setClose(closeGone)
	reason := c.closeErr
	if reason == nil {
		reason = err
		if reason == nil && s.srv.stopping.Load() {
			reason = ErrServerStopped
		}
	}
	s.remove(c)
	c.out, c.held, c.unsent = nil, nil, nil
	if c.tls != nil {
		c.tls.release() // stops a handshake goroutine
	}
	c.drainWait.wakeAll()
	prev := s.enter(c)
	s.srv.h.OnClose(c, reason)
	s.leave(nil, prev)
}

// closeDetached closes a conn whose socket is off the loop: the socket is
// ours to close, and OnClose runs here.
func (s *Shard) closeDetached(c *Conn) {
	if c.fd >= 0 {
		_ = syscall.Close(c.fd)
		c.fd = -1
	}
	s.closeDone(c, nil)
}

// closeOff closes a conn that is off its loop with err.
func (s *Shard) closeOff(c *Conn, err error) {
	if c.closeErr == nil {
		c.closeErr = err
	}
	if !c.Closed() {
		c.setClose(closeRequested)
	}
	s.closeDetached(c)
}
