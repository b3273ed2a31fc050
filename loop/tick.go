package loop

import (
	"context"
	"time"
)

// scheduleTick posts one tick task to the shard's loop unless one is
// still queued. Called from gnet's ticker goroutine.
func (s *Shard) scheduleTick() {
	if s.tickScheduled.Swap(true) {
		return
	}
	if err := s.el.Execute(context.Background(), s.tickTask); err != nil {
		s.tickScheduled.Store(false)
	}
}

// tick runs on the loop: Handler.OnTick for every open conn, then the
// write-deadline check. The flush follows in finish.
func (s *Shard) tick() {
	s.tickScheduled.Store(false)
	now := time.Now()
	list := append(s.tickList[:0], s.conns...)
	h := s.srv.h
	for _, c := range list {
		if !c.gone() && !c.Closed() {
			h.OnTick(c, now)
			if c.rstate == readHeld && c.socketQueued() == 0 {
				s.detaching = append(s.detaching, c) // retry a detach gnet's output delayed
			}
		}
	}
	if s.deadlineC > 0 {
		mono := s.srv.now()
		for _, c := range list {
			if c.gone() || c.Closed() {
				continue
			}
			if c.socketQueued() == 0 {
				c.stallSince = 0
				c.backlog.Store(0)
				continue
			}
			if c.stallSince == 0 {
				c.stallSince = mono
			} else if mono-c.stallSince > s.deadlineC {
				c.Close(ErrSlowConsumerDeadline)
			}
		}
	}
	clear(list)
	s.tickList = list[:0]
}
