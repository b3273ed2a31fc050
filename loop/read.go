package loop

// read is the whole read path: every byte gnet holds for c is offered to
// Handler.OnData once, and what it consumed is discarded. Unconsumed bytes
// stay in gnet's inbound buffer (gnet keeps what OnTraffic did not
// discard) and are offered again with later bytes or on Resume.
//
// A TLS conn (StartTLS) branches to readTLS (tls.go): the ciphertext is
// fed to its bridge and discarded, and its plaintext carry is offered.
func (s *Shard) read(c *Conn) {
	if c.gone() {
		return
	}
	// Frames other loops already handed to this one go out before anything
	// c's input causes: once a publisher's PONG is written, its messages
	// precede whatever a subscriber's next PING (or UNSUB) gets back, as
	// with nats-server.
	if s.drainScheduled.Load() {
		s.drain()
	}
	gc := c.gc
	if gc == nil {
		return // off its loop (paused): Resume brings it back
	}
	n := gc.InboundBuffered()
	if c.Closed() { // closing: input is ignored
		if n > 0 {
			_, _ = gc.Discard(n)
		}
		c.held = nil
		return
	}
	if c.rstate == readHeld {
		s.heldRead(c, n)
		return
	}
	if c.tls != nil {
		s.readTLS(c, n)
		return
	}
	if len(c.held) > 0 {
		if !s.offerHeld(c) {
			return
		}
		n = gc.InboundBuffered()
	}
	if n == 0 || n < c.need {
		return
	}
	// Offer at most maxOffer bytes (or what Need asked for): Peek of a
	// bounded prefix is the read buffer itself or gnet's contiguous
	// inbound segment, so a large backlog (a paused handler) is not copied
	// again on every call. The rest follows after this callback's flush.
	m := n
	if limit := max(maxOffer, c.need); m > limit {
		m = limit
	}
	data, err := gc.Peek(m)
	if err != nil {
		return
	}
	c.need = 0
	consumed := s.srv.h.OnData(c, data)
	if c.gone() || consumed <= 0 {
		// Never Discard(0): gnet treats n <= 0 as "discard everything".
		return
	}
	if consumed > m {
		consumed = m
	}
	_, _ = gc.Discard(consumed)
	if consumed == m && m < n && !c.Closed() && c.rstate == readOn {
		c.continueRead()
	}
}

// maxOffer bounds the bytes one OnData call is offered. A handler must
// consume what it can of them (or call Need for more).
const maxOffer = 256 << 10
