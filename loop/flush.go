package loop

// Staging buffers above this capacity are dropped after enough flushes
// that used less than a quarter of them, so one burst does not pin memory.
const (
	shrinkCap     = 256 << 10
	shrinkFlushes = 16
)

// flush is the whole write path for one conn: the staged bytes go to gnet
// in a single Write (gnet writes at once when its outbound buffer is empty
// and queues the rest for EPOLLOUT; it never blocks), the staging buffer is
// reset for reuse, and the max-pending and write-stall bookkeeping runs.
//
// A TLS conn (StartTLS) branches to flushTLS (tls.go): c.out is encrypted
// in one Bridge.Encrypt (records carry many frames) and the ciphertext is
// written instead; the bookkeeping below is shared.
func (s *Shard) flush(c *Conn) {
	if c.tls != nil {
		if !s.flushTLS(c) {
			return
		}
	} else if out := c.out; len(out) > 0 {
		if c.socketQueued() == 0 {
			c.stallSince = 0 // the socket caught up since we last looked
		}
		s.writeSocket(c, out)
		if c.gone() {
			return // the write failed and gnet closed c (OnClose has run)
		}
		if cap(out) > shrinkCap && len(out) < cap(out)/4 {
			c.idleFlush++
		} else {
			c.idleFlush = 0
		}
		if c.idleFlush >= shrinkFlushes {
			c.out, c.idleFlush = nil, 0
		} else {
			c.out = out[:0]
		}
	}
	ob := c.socketQueued()
	c.backlog.Store(int64(ob))
	if c.drained > 0 && len(c.out) == 0 {
		// Drained frames count as inflight until written (producers on
		// other loops read inflight + backlog): now backlog has them.
		c.inflight.Add(int64(-c.drained))
		c.drained = 0
	}
	if c.drainWait.waiting.Load() {
		s.checkDrained(c)
	}
	if ob == 0 {
		c.stallSince = 0
		if c.rstate == readHeld {
			s.detaching = append(s.detaching, c) // gnet's output drained: detach now
		}
		return
	}
	if c.stallSince == 0 {
		c.stallSince = s.srv.now()
	}
	if max := s.srv.cfg.MaxPending; max > 0 && ob+len(c.out) > max {
		c.Close(ErrSlowConsumerPending)
	}
}
