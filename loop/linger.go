package loop

import (
	"context"
	"time"
)

// A conn closed with output that gnet could not write yet (the socket
// buffer was full) lingers: input is ignored, and a shard timer re-checks
// until gnet's outbound buffer is empty, then closes it. gnet's own close
// writes only until EAGAIN, so closing at once would cut the output.
// Lingering ends after Config.WriteDeadline (DefaultWriteDeadline when the
// deadline check is disabled); slow consumers never linger.
const (
	lingerMinDelay = time.Millisecond
	lingerMaxDelay = 50 * time.Millisecond
)

func (s *Shard) linger(c *Conn) {
	if c.life.get() != closeRequested {
		return // lingering already (or its linger is over)
	}
	c.setClose(closeLingering)
	c.lingerAt = s.srv.now()
	s.lingering = append(s.lingering, c)
	if len(s.lingering) == 1 {
		s.lingerDelay = lingerMinDelay
		s.armLinger()
	}
}

func (s *Shard) armLinger() {
	if s.lingerTimer == nil {
		s.lingerTimer = time.AfterFunc(s.lingerDelay, func() {
			_ = s.el.Execute(context.Background(), s.lingerTask)
		})
		return
	}
	s.lingerTimer.Reset(s.lingerDelay)
}

// recheckLinger runs on the loop from the linger timer.
func (s *Shard) recheckLinger() {
	limit := int64(s.srv.cfg.WriteDeadline)
	if limit <= 0 {
		limit = int64(DefaultWriteDeadline)
	}
	now := s.srv.now()
	keep := s.lingering[:0]
	for _, c := range s.lingering {
		switch {
		case c.gone():
		case c.socketQueued() == 0:
			s.closing = append(s.closing, c)
		case now-c.lingerAt > limit:
			c.setClose(closeForced)
			s.closing = append(s.closing, c)
		default:
			keep = append(keep, c)
		}
	}
	clear(s.lingering[len(keep):])
	s.lingering = keep
	if len(keep) > 0 {
		if s.lingerDelay *= 2; s.lingerDelay > lingerMaxDelay {
			s.lingerDelay = lingerMaxDelay
		}
		s.armLinger()
	}
}
