package loop

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/panjf2000/gnet/v2"
	"syscall"
)

// readState is where a conn's socket stands with respect to its loop's
// poller. See "Read pause" in doc.go.
type readState uint8

const (
	// readOn: on its loop; gnet reads the socket and OnData is offered.
	readOn readState = iota
	// readHeld: a pause is wanted but the socket is still on its loop
	// (gnet still holds output for it, or the detach waits for the end of
	// the callback); nothing is offered.
	readHeld
	// readDetached: off its loop. Nobody reads the socket: the kernel's
	// receive queue fills and TCP holds the peer back. Output is written
	// to the socket directly.
	readDetached
	// readReattaching: EventLoop.Enroll is putting the socket back; output
	// is staged until it is on the loop again.
	readReattaching
)

func (r readState) String() string {
	switch r {
	case readOn:
		return "on"
	case readHeld:
		return "held"
	case readDetached:
		return "detached"
	case readReattaching:
		return "reattaching"
	}
	return fmt.Sprintf("readState(%d)", uint8(r))
}

// detachedConn is the context of a gnet conn whose socket was taken off
// the loop: its OnClose and OnTraffic concern no Conn any more.
type detachedConn struct{}

// Pause stops reading c: OnData is not called again until Resume. As soon
// as gnet holds no output for c (normally when the current callback
// ends), the socket is taken off the loop: bytes the peer sends then stay
// in the kernel, whose receive window closes, so TCP slows the peer down.
// What gnet had already read is kept and offered first after Resume.
// Output staged for c still goes out while it is paused. c's loop only.
func (c *Conn) Pause() {
	c.shard.mustRun("Conn.Pause", c)
	if c.gone() || c.paused {
		return
	}
	c.paused = true
	c.shard.hold(c)
}

// Paused reports whether c is paused (Pause without Resume yet). c's loop
// only.
func (c *Conn) Paused() bool {
	c.shard.mustRun("Conn.Paused", c)
	return c.paused
}

// wantsPause reports whether anything holds c's reads back.
func (c *Conn) wantsPause() bool { return c.paused || c.tlsHold }

// hold stops offering c's input and queues the detach for the end of the
// current callback.
func (s *Shard) hold(c *Conn) {
	if c.rstate == readOn {
		c.rstate = readHeld
		s.detaching = append(s.detaching, c)
	}
}

// resume ends a Pause (Conn.Resume's work, on c's loop).
func (s *Shard) resume(c *Conn) {
	c.paused = false
	c.need = 0
	s.unhold(c)
}

// unhold offers c's input again once nothing holds it back: a held conn
// reads at once, a detached one goes back on its loop first.
func (s *Shard) unhold(c *Conn) {
	if c.gone() || c.wantsPause() {
		return
	}
	switch c.rstate {
	case readHeld:
		c.rstate = readOn
		s.read(c)
	case readOn:
		s.read(c)
	case readDetached:
		s.reattach(c)
	case readReattaching:
		// reopen reads once the socket is back.
	}
}

// detachHeld takes the held conns off their loop (run by finish).
func (s *Shard) detachHeld() {
	list := s.detaching
	s.detaching = nil
	for i, c := range list {
		list[i] = nil
		if !c.gone() && c.rstate == readHeld && c.wantsPause() && !c.Closed() {
			s.detach(c)
		}
	}
	if s.detaching == nil {
		s.detaching = list[:0]
	}
}

// detach takes a held conn's socket off the loop: what gnet read is
// copied to c.held, the socket is duplicated and gnet's conn closed (gnet
// removes it from its poller; the duplicate keeps the socket open). A
// conn for which gnet still holds output stays held: gnet would drop that
// output on close. It is tried again after its next flush, read or tick.
func (s *Shard) detach(c *Conn) {
	gc := c.gc
	if gc.OutboundBuffered() > 0 {
		return
	}
	if n := gc.InboundBuffered(); n > 0 {
		b, err := gc.Peek(n)
		if err != nil {
			return
		}
		c.held = append(c.held, b...)
		_, _ = gc.Discard(n) // n > 0
	}
	fd, err := gc.Dup()
	if err != nil {
		return // stays held; heldRead bounds what gnet buffers meanwhile
	}
	c.fd = fd
	c.gc = nil
	c.rstate = readDetached
	gc.SetContext(detachedConn{})
	if c != s.current {
		// Synchronous; OnClose sees detachedConn and does nothing. The
		// conn of the running OnOpen/OnTraffic is closed by the action
		// its callback returns (see events).
		_ = s.el.Close(gc)
	}
}

// reattach puts a detached socket back on c's loop with EventLoop.Enroll
// (asynchronous: reopen runs on the loop when gnet registered it).
func (s *Shard) reattach(c *Conn) {
	f := os.NewFile(uintptr(c.fd), "natsloop-paused")
	nc, err := net.FileConn(f) // dups the fd
	_ = f.Close()
	c.fd = -1
	if err != nil {
		s.closeOff(c, fmt.Errorf("loop: resume: %w", err))
		return
	}
	c.rstate = readReattaching
	ctx := gnet.NewContext(context.Background(), &enrollCtx{back: c})
	ch, err := s.el.Enroll(ctx, nc) // gnet dups again and closes nc
	if err != nil {
		_ = nc.Close()
		s.closeOff(c, fmt.Errorf("loop: resume: %w", err))
		return
	}
	go func() {
		res, ok := <-ch
		if ok && res.Err == nil {
			return
		}
		err := errors.New("loop: resume: enroll failed")
		if ok {
			err = fmt.Errorf("loop: resume: %w", res.Err)
		}
		_ = s.Execute(func() {
			if !c.gone() && c.rstate == readReattaching {
				s.closeOff(c, err)
			}
		})
	}()
}

// reopen runs in gnet's OnOpen for a socket reattach put back: c takes
// the new gnet conn, writes what the socket did not take while detached,
// and reads again (or is held again if a pause is still wanted).
func (e *events) reopen(gc gnet.Conn, c *Conn) gnet.Action {
	if c.gone() || c.rstate != readReattaching {
		gc.SetContext(detachedConn{})
		return gnet.Close
	}
	sh := c.shard
	gc.SetContext(c)
	c.gc = gc
	c.rstate = readOn
	prev := sh.enter(c)
	if len(c.unsent) > 0 {
		_, _ = gc.Write(c.unsent) // a failure closes c (OnClose) at once
		c.unsent = nil
	}
	switch {
	case c.gone():
	case c.Closed():
		sh.closing = append(sh.closing, c) // its Close came while off the loop
	default:
		c.markPending()
		if c.wantsPause() {
			sh.hold(c)
		} else {
			sh.read(c)
		}
	}
	return e.action(gc, c, sh.leave(c, prev))
}

// action is the gnet action for gc after a callback for c: Close when c
// left gc (detached during the callback) or asked to be closed.
func (e *events) action(gc gnet.Conn, c *Conn, a gnet.Action) gnet.Action {
	if c.gc != gc {
		return gnet.Close
	}
	return a
}

// heldRead runs for a read event of a held conn: nothing is offered; the
// detach is retried when gnet's output for c has drained, and a conn that
// can be neither read nor detached (its peer reads nothing back) may not
// make gnet buffer more than MaxPending for it.
func (s *Shard) heldRead(c *Conn, n int) {
	gc := c.gc
	ob := gc.OutboundBuffered()
	if ob == 0 {
		s.detaching = append(s.detaching, c)
		return
	}
	if limit := s.srv.cfg.MaxPending; limit > 0 && n+ob+len(c.held) > max(limit, 2*s.srv.cfg.ReadBufferCap) {
		c.Close(ErrSlowConsumerPending)
	}
}

// offerHeld offers the bytes kept at detach to OnData (plaintext conns),
// before anything gnet read since. A partial frame left at their end is
// joined with gnet's next bytes (copied). It reports whether they were
// all consumed (the read goes on with gnet's bytes).
func (s *Shard) offerHeld(c *Conn) bool {
	for len(c.held) > 0 {
		if c.need > len(c.held) && !s.pullHeld(c, c.need-len(c.held)) {
			return false
		}
		m := min(len(c.held), max(maxOffer, c.need))
		c.need = 0
		consumed := s.srv.h.OnData(c, c.held[:m])
		if c.gone() {
			return false
		}
		consumed = min(max(consumed, 0), m)
		c.held = c.held[consumed:]
		if c.rstate != readOn || c.Closed() {
			return false
		}
		switch {
		case consumed == m:
		case m < consumed+len(c.held): // more held past the window
			if consumed == 0 && c.need == 0 {
				return false // nothing taken from a full window: wait for a read
			}
		case c.need == 0 && !s.pullHeld(c, maxOffer):
			return false // a partial frame: wait for more bytes
		}
	}
	c.held = nil
	return true
}

// pullHeld moves up to n of gnet's buffered bytes behind c.held. It
// reports false when gnet has none (or not enough for Need).
func (s *Shard) pullHeld(c *Conn, n int) bool {
	avail := c.gc.InboundBuffered()
	if avail == 0 || c.need > 0 && avail < n {
		return false
	}
	b, err := c.gc.Peek(min(n, avail))
	if err != nil || len(b) == 0 {
		return false
	}
	c.held = append(c.held, b...)
	_, _ = c.gc.Discard(len(b)) // > 0
	return true
}

// writeSocket writes b (plaintext output or TLS records) to c's socket:
// through gnet while c is on its loop; directly while detached, keeping
// what the socket did not take in c.unsent and bringing c back on its
// loop so that gnet writes it when the socket is writable (c stays
// paused). While re-attaching everything waits in c.unsent.
func (s *Shard) writeSocket(c *Conn, b []byte) {
	if c.gc != nil {
		_, _ = c.gc.Write(b) // a failure closes c (OnClose) at once
		return
	}
	if c.rstate == readDetached && len(c.unsent) == 0 {
		n, err := writeFD(c.fd, b)
		if err != nil {
			c.Close(fmt.Errorf("loop: write: %w", err))
			return
		}
		b = b[n:]
	}
	if len(b) == 0 {
		return
	}
	c.unsent = append(c.unsent, b...)
	if c.rstate == readDetached {
		s.reattach(c)
	}
}

// writeFD writes b to a non-blocking socket until it would block.
func writeFD(fd int, b []byte) (int, error) {
	done := 0
	for done < len(b) {
		n, err := syscall.Write(fd, b[done:])
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return done, nil
		case err != nil:
			return done, err
		}
		done += n
	}
	return done, nil
}

// socketQueued is the output that waits for c's socket: gnet's outbound
// buffer, or what a detached socket did not take.
func (c *Conn) socketQueued() int {
	if c.gc != nil {
		return c.gc.OutboundBuffered() // reopen wrote unsent
	}
	return len(c.unsent)
}
