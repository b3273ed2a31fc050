package broker

import (
	"crypto/tls"
	"errors"
	"strings"
	"time"

	"natsloop/loop"
	"natsloop/tlsbridge"
)

var (
	errTLSHandshake = errors.New("broker: TLS handshake failure")
	errTLSTimeout   = errors.New("broker: TLS handshake timeout")
)

// serverTLS is the client-port TLS setup, built once by New.
type serverTLS struct {
	cfg            *tls.Config   // immutable
	timeout        time.Duration // handshake timeout; immutable
	handshakeFirst bool          // TLS before INFO; immutable
	verify         bool          // client certificates required; immutable
}

// setupTLS loads certificates and the cipher policy. A bad file fails
// New with an error naming it: never a half-started server.
func (s *Server) setupTLS() error {
	t := s.opts.TLS
	if t == nil {
		return nil
	}
	cfg, err := tlsbridge.ServerConfig(t)
	if err != nil {
		return err
	}
	s.tls = &serverTLS{
		cfg:            cfg,
		timeout:        tlsbridge.HandshakeTimeout(t),
		handshakeFirst: t.HandshakeFirst,
		verify:         t.Verify || t.VerifyAndMap,
	}
	return nil
}

// logTLSStartup prints nats-server's TLS startup line and the cipher
// policy natsloop chose for this hardware.
func (s *Server) logTLSStartup() {
	if s.tls == nil {
		return
	}
	s.log.Noticef("TLS required for client connections")
	s.log.Noticef("%s", tlsbridge.Policy().Description)
}

// openTLS starts the TLS flow of a new connection. INFO-first: the
// plaintext INFO (tls_required) is already staged and the handshake
// starts on the client's first bytes; handshake_first: TLS now, INFO
// once it completes.
func (c *client) openTLS(now time.Time) {
	t := c.srv.tls
	c.hs.tlsDue = now.Add(t.timeout)
	if t.handshakeFirst {
		c.startTLS(nil)
		return
	}
	c.state = stateTLSWait
}

// startTLS hands the connection to the TLS bridge; first holds ciphertext
// already read.
func (c *client) startTLS(first []byte) {
	c.state = stateTLS
	c.srv.debugf(c, "Starting TLS client connection handshake")
	// One deadline from accept, as nats-server: the bridge gets what is
	// left of it (handshake.expired enforces it before the handshake starts).
	left := max(time.Until(c.hs.tlsDue), time.Millisecond)
	c.conn.StartTLS(c.srv.tls.cfg, false, left, first, c.tlsReady)
}

// tlsData handles the first bytes of an INFO-first TLS connection: they
// must start a TLS handshake.
func (c *client) tlsData(data []byte) int {
	if !tlsbridge.LooksLikeTLS(data) {
		c.srv.log.Errorf("%sTLS handshake error: first record does not look like a TLS handshake", c.prefix())
		c.closeWithErr("", errTLSHandshake)
		return len(data)
	}
	c.startTLS(data)
	return len(data)
}

// tlsReady runs on the connection's loop when the handshake ended.
func (c *client) tlsReady(_ *loop.Conn, err error) {
	if err != nil {
		c.logTLSError(err)
		return // the loop closes the connection
	}
	c.state = stateNew
	c.hs.tlsDue = time.Time{}
	if st, ok := c.conn.TLSState(); ok {
		c.srv.debugf(c, "TLS handshake complete")
		c.srv.debugf(c, "%s", st.LogLine())
	}
	if c.srv.tls.handshakeFirst {
		c.sendInfo()
	}
	c.startAuthTimer(time.Now())
}

// logTLSError logs a failed handshake once, as nats-server words it:
// crypto/tls's error without natsloop's package prefixes.
func (c *client) logTLSError(err error) {
	if c.hs == nil || c.hs.tlsLogged {
		return
	}
	c.hs.tlsLogged = true
	c.srv.log.Errorf("%sTLS handshake error: %v", c.prefix(), tlsCause(err))
}

// logTLSEnd logs why a connection closed during its handshake ended. The
// peer's alert and its hang-up race: when the close came first, the
// bridge is still reading what the peer sent, so a goroutine waits a
// little for its verdict (the loop is done with c by then).
func (c *client) logTLSEnd() {
	st, ok := c.conn.TLSState()
	if !ok {
		return
	}
	if st.Err != nil {
		c.logTLSError(st.Err)
		return
	}
	c.srv.bg.Add(1)
	go func() {
		defer c.srv.bg.Done()
		for deadline := time.Now().Add(tlsVerdictWait); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if st, _ := c.conn.TLSState(); st.Err != nil {
				c.logTLSError(st.Err)
				return
			}
		}
	}()
}

// tlsVerdictWait bounds how long logTLSEnd waits for the bridge.
const tlsVerdictWait = 250 * time.Millisecond

// tlsCause strips the loop's and the bridge's wrapping from err.
func tlsCause(err error) error {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if m := e.Error(); !strings.HasPrefix(m, "loop: ") && !strings.HasPrefix(m, "tlsbridge: ") {
			return e
		}
	}
	return err
}
