package loop

// read is the whole read path: every byte gnet holds for c is offered to
// Handler.OnData once, and what it consumed is discarded. Unconsumed bytes
// stay in gnet's inbound buffer (gnet keeps what OnTraffic did not
// discard) and are offered again with later bytes or on Resume.
//
// A TLS transform slots in here: feed the ciphertext to the conn's TLS
// engine, discard all of it, and offer the plaintext buffer instead.
func (s *Shard) read(c *Conn) {
	if c.gone {
		return
	}
	gc := c.gc
	n := gc.InboundBuffered()
	if c.closed.Load() { // closing: input is ignored
		if n > 0 {
			_, _ = gc.Discard(n)
		}
		return
	}
	if n == 0 || n < c.need {
		return
	}
	// Peek(n) is the loop's read buffer itself when nothing was left over
	// from earlier reads; otherwise gnet copies leftover + new bytes once.
	data, err := gc.Peek(n)
	if err != nil {
		return
	}
	c.need = 0
	consumed := s.srv.h.OnData(c, data)
	if c.gone || consumed <= 0 {
		// Never Discard(0): gnet treats n <= 0 as "discard everything".
		return
	}
	if consumed > n {
		consumed = n
	}
	_, _ = gc.Discard(consumed)
}
