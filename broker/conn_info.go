package broker

import (
	"errors"
	"net"
	"runtime"

	"natsloop/loop"
	"natsloop/proto"
)

// authRequired reports whether clients must authenticate.
func (s *Server) authRequired() bool { return s.auth.Required() }

// sendInfo stages the INFO a client sees first.
func (c *client) sendInfo() {
	info := c.clientInfo()
	info.Nonce = c.infoNonce()
	c.stageInfo(&info)
}

// clientInfo is the server's INFO as this client sees it.
func (c *client) clientInfo() proto.Info {
	info := c.srv.baseInfo()
	info.ClientID = c.cid
	info.ClientIP = remoteIP(c.conn.RemoteAddr())
	return info
}

func (c *client) stageInfo(info *proto.Info) {
	out := c.conn.Out()
	*out = proto.AppendInfo(*out, info)
}

// afterFirstPong sends, after the first PONG that follows an accepted
// CONNECT, the INFO nats-server 2.12+ sends a protocol-1 client then:
// connect_info set and the account the client is bound to.
func (c *client) afterFirstPong() {
	if c.pongSent || c.state != stateConnected {
		return
	}
	c.pongSent = true
	if c.opts.Protocol < 1 || c.conn.Closed() {
		return
	}
	info := c.clientInfo()
	info.ConnectInfo = true
	info.RemoteAccount = c.grant.acc.name
	c.stageInfo(&info)
}

// baseInfo is the part of INFO every client shares.
func (s *Server) baseInfo() proto.Info {
	o := s.opts
	port := o.Port
	if ta, ok := s.Addr().(*net.TCPAddr); ok {
		port = ta.Port
	}
	return proto.Info{
		ServerID:     s.id,
		ServerName:   s.name,
		Version:      Version,
		Proto:        1,
		Go:           runtime.Version(),
		Host:         o.Host,
		Port:         port,
		Headers:      true,
		MaxPayload:   int64(o.MaxPayload),
		AuthRequired: s.authRequired(),
		TLSRequired:  s.tls != nil,
		TLSVerify:    s.tls != nil && s.tls.verify,
	}
}

// closeReason names why a connection ended, in nats-server's words.
func closeReason(err error) string {
	switch {
	case err == nil, errors.Is(err, errClientClosed):
		return "Client Closed"
	case errors.Is(err, loop.ErrSlowConsumerPending):
		return "Slow Consumer (Pending Bytes)"
	case errors.Is(err, loop.ErrSlowConsumerDeadline):
		return "Slow Consumer (Write Deadline)"
	case errors.Is(err, errStale):
		return "Stale Connection"
	case errors.Is(err, errTLSHandshake), errors.Is(err, errTLSTimeout):
		return "TLS Handshake Failure"
	case errors.Is(err, errAuthViolation):
		return "Authentication Failure"
	case errors.Is(err, errAuthTimeout):
		return "Authentication Timeout"
	case errors.Is(err, errMaxConns):
		return "Maximum Connections Exceeded"
	case errors.Is(err, errMaxPayload):
		return "Maximum Message Payload Exceeded"
	case errors.Is(err, errProtocol), errors.Is(err, errBadConnect), errors.Is(err, errNoHeaders):
		return "Protocol Violation"
	case errors.Is(err, loop.ErrServerStopped):
		return "Server Shutdown"
	}
	return "Client Closed"
}

// clientClosed cleans up after a connection ended (on its loop).
func (s *Server) clientClosed(c *client, err error) {
	if c.state == stateTLS {
		// The peer hung up during the handshake, typically after an alert
		// (it refused our certificate): say why, as nats-server does.
		c.logTLSEnd()
		err = errTLSHandshake
	}
	switch {
	case errors.Is(err, loop.ErrSlowConsumerPending):
		s.stats.slowConsumers.Add(1)
		s.log.Noticef("%sSlow Consumer Detected: MaxPending of %d Exceeded", c.prefix(), s.opts.MaxPending)
	case errors.Is(err, loop.ErrSlowConsumerDeadline):
		s.stats.slowConsumers.Add(1)
		s.log.Noticef("%sSlow Consumer Detected: WriteDeadline of %v exceeded", c.prefix(), s.opts.WriteDeadline)
	}
	c.dropSubs()
	s.numClients.Add(-1)
	s.mu.Lock()
	delete(s.clients, c.cid)
	// Fold the totals in under the same lock Stats holds, so a snapshot
	// counts this client exactly once.
	s.stats.closedIn.Add(c.inMsgs.Load())
	s.stats.closedInBytes.Add(c.inBytes.Load())
	s.stats.closedOut.Add(c.outMsgs.Load())
	s.stats.closedOutBytes.Add(c.outBytes.Load())
	s.mu.Unlock()
	s.debugf(c, "Client connection closed: %s", closeReason(err))
}

// debugf logs a connection-scoped debug line.
func (s *Server) debugf(c *client, format string, args ...any) {
	if !s.opts.Debug {
		return
	}
	s.log.Debugf(c.prefix()+format, args...)
}

// tracef logs a connection-scoped trace line.
func (s *Server) tracef(c *client, format string, args ...any) {
	if !s.opts.Trace {
		return
	}
	s.log.Tracef(c.prefix()+format, args...)
}
