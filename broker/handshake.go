package broker

import (
	"time"

	"natsloop/auth"
)

// clientState is where a connection is in its life. Owned by its loop.
type clientState uint8

const (
	// stateTLSWait: INFO-first TLS; the client's handshake has not started.
	stateTLSWait clientState = iota
	// stateTLS: the TLS bridge runs the handshake.
	stateTLS
	// stateNew: waiting for the first CONNECT (ops before it are allowed
	// when no authentication is required, as with nats-server).
	stateNew
	// stateChecking: an off-loop credential check for a CONNECT runs; the
	// connection's input is paused until it answers.
	stateChecking
	// stateConnected: a CONNECT was accepted.
	stateConnected
)

// handshake is what a connection needs until its first CONNECT is
// accepted; the client drops it then, as crypto/tls keeps handshake state
// out of Conn.
type handshake struct {
	tlsDue  time.Time // the TLS handshake must end by then (zero: done or no TLS)
	authDue time.Time // CONNECT must arrive by then (zero: no auth timeout)
	// tlsLogged: the handshake's failure was logged (by the handshake's
	// end or by the close, whichever learned it first).
	tlsLogged bool
}

// startAuthTimer arms the auth timeout when clients must authenticate.
func (c *client) startAuthTimer(now time.Time) {
	s := c.srv
	if !s.authRequired() || c.hs == nil {
		return
	}
	d := s.auth.Timeout()
	if d <= 0 {
		d = s.opts.AuthTimeout
	}
	c.hs.authDue = now.Add(d)
}

// expired closes the connection when its TLS handshake or its CONNECT is
// late, and reports whether it did.
func (hs *handshake) expired(c *client, now time.Time) bool {
	if !hs.tlsDue.IsZero() && now.After(hs.tlsDue) {
		c.srv.log.Errorf("%sTLS handshake timeout", c.prefix())
		c.closeWithErr("", errTLSTimeout)
		return true
	}
	if !hs.authDue.IsZero() && now.After(hs.authDue) {
		c.srv.debugf(c, "Authentication Timeout")
		c.closeWithErr("Authentication Timeout", errAuthTimeout)
		return true
	}
	return false
}

// refuseBeforeConnect applies nats-server's rule for a server that
// requires authentication: the first op must be CONNECT, so an op starting
// with any other byte is an authorization violation, unless no_auth_user
// lets the client in without one. b is the next input byte. It reports
// whether the connection was closed.
func (c *client) refuseBeforeConnect(b byte) bool {
	if b == 'C' || b == 'c' || !c.srv.authRequired() || !c.parser.AtOpStart() {
		return false
	}
	if c.srv.auth.HasNoAuthUser() {
		// nats-server runs its CONNECT pipeline with no credentials.
		c.hs.authDue = time.Time{}
		c.authenticate(true)
		return c.conn.Closed()
	}
	c.authViolation(auth.Credentials{})
	return true
}
