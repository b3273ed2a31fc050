package broker

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"natsloop/auth"
	"natsloop/loop"
	"natsloop/proto"
)

// client is one client connection's session.
type client struct {
	srv  *Server    // immutable
	conn *loop.Conn // immutable
	cid  uint64     // immutable
	acc  *account   // immutable (until auth binds accounts)
	pfx  string     // log prefix "ip:port - cid:N - "; immutable

	// Owned by the loop goroutine.
	parser     proto.Parser
	connected  bool // CONNECT seen
	verbose    bool
	pedantic   bool
	echo       bool
	headers    bool
	noResp     bool
	name       string
	lang       string
	version    string
	lastPing   time.Time // last server PING sent
	pingsOut   int
	authDue    time.Time   // zero: no auth timeout
	parked     bool        // waiting for an off-loop auth check: no parsing
	tlsWaiting bool        // INFO-first TLS: the client's handshake has not started
	tlsDue     time.Time   // the TLS handshake must finish by then (zero: done or none)
	nonce      string      // INFO nonce for nkey users
	mapBuf     []byte      // scratch for subjects mapped across accounts
	user       string      // authenticated user
	perms      *auth.Perms // nil: everything allowed; immutable after auth
	waitOn     *client     // a consumer above the high-water mark (flow.go)
	stallFree  int         // input bytes to process without stalling (flow.go)
	rng        uint64      // xorshift state for queue member choice

	mu   sync.Mutex               // guards subs
	subs map[string]*subscription // by sid

	replyMu sync.Mutex    // guards replies (granted by publishers on any loop)
	replies *auth.Replies // allow_responses grants; nil when not allowed

	inMsgs   atomic.Int64
	inBytes  atomic.Int64
	outMsgs  atomic.Int64 // added to by publishers on any loop
	outBytes atomic.Int64
}

// subscription is one SUB. Its identity fields are immutable; delivered
// and closed are touched by publishers on any loop.
type subscription struct {
	client  *client
	subject []byte
	queue   []byte
	sid     []byte
	filter  bool // check dst perms.CanDeliver per message (wildcard SUB with denies)

	max       atomic.Int64 // auto-unsubscribe limit, 0 = none
	delivered atomic.Int64
	closed    atomic.Bool
}

// connHandler adapts the server to loop.Handler.
type connHandler struct{ s *Server }

// Close reasons, logged when a connection ends.
var (
	errClientClosed  = errors.New("broker: client closed connection")
	errServerClosing = errors.New("broker: server shutdown")
	errProtocol      = errors.New("broker: protocol violation")
	errStale         = errors.New("broker: stale connection")
	errAuthTimeout   = errors.New("broker: authentication timeout")
	errMaxConns      = errors.New("broker: maximum connections exceeded")
	errMaxPayload    = errors.New("broker: maximum payload exceeded")
	errBadConnect    = errors.New("broker: invalid CONNECT")
	errNoHeaders     = errors.New("broker: message headers not supported")
)

func (h *connHandler) OnOpen(lc *loop.Conn) {
	s := h.s
	now := time.Now()
	c := &client{
		srv:  s,
		conn: lc,
		cid:  s.cidSeq.Add(1),
		acc:  s.gacc,
		// nats-server defaults before CONNECT is applied.
		verbose:  true,
		pedantic: true,
		echo:     true,
		lastPing: now,
		subs:     make(map[string]*subscription),
	}
	c.rng = c.cid*0x9E3779B97F4A7C15 | 1
	c.pfx = fmt.Sprintf("%s - cid:%d - ", lc.RemoteAddr(), c.cid)
	c.parser.Mode = proto.ModeClient
	c.parser.MaxControlLine = int(s.opts.MaxControlLine)
	c.parser.MaxPayload = int(s.opts.MaxPayload)
	lc.Value = c

	s.stats.totalConns.Add(1)
	n := s.numClients.Add(1)
	s.addClient(c)
	s.debugf(c, "Client connection created")

	if s.tls == nil || !s.tls.handshakeFirst {
		c.sendInfo()
	}
	if s.opts.MaxConn > 0 && n > int64(s.opts.MaxConn) {
		c.closeWithErr("maximum connections exceeded", errMaxConns)
		return
	}
	if s.tls != nil {
		c.openTLS(now) // the auth timer starts after the handshake
		return
	}
	c.startAuthTimer(now)
}

// startAuthTimer arms the auth timeout when clients must authenticate.
func (c *client) startAuthTimer(now time.Time) {
	s := c.srv
	if !s.authRequired() || c.connected {
		return
	}
	d := s.auth.Timeout()
	if d <= 0 {
		d = s.opts.AuthTimeout
	}
	c.authDue = now.Add(d)
}

func (h *connHandler) OnData(lc *loop.Conn, data []byte) int {
	c, ok := lc.Value.(*client)
	if !ok {
		return len(data)
	}
	if c.parked {
		return 0 // an auth check is running: input waits (Resume follows)
	}
	if c.tlsWaiting {
		return c.tlsData(data)
	}
	c.afterWait()
	consumed := 0
	for len(data) > 0 && !c.conn.Closed() {
		n, op, err := c.parser.Next(data)
		data = data[n:]
		consumed += n
		if err != nil {
			c.parseError(err)
			return consumed + len(data)
		}
		if op == nil {
			break
		}
		c.processOp(op)
		if c.stallFree > 0 {
			c.stallFree -= n
		}
		if c.parked || c.waitForConsumer() {
			return consumed
		}
	}
	if c.conn.Closed() {
		return consumed + len(data)
	}
	return consumed
}

func (h *connHandler) OnClose(lc *loop.Conn, err error) {
	c, ok := lc.Value.(*client)
	if !ok {
		return
	}
	h.s.clientClosed(c, err)
}

func (h *connHandler) OnTick(lc *loop.Conn, now time.Time) {
	c, ok := lc.Value.(*client)
	if !ok || lc.Closed() {
		return
	}
	c.tick(now)
}

// parseError answers a parser error with its -ERR text and closes.
func (c *client) parseError(err error) {
	var pe *proto.Error
	if errors.As(err, &pe) {
		if pe == proto.ErrMaxPayload {
			c.closeWithErr(pe.Text, errMaxPayload)
			return
		}
		c.srv.log.Errorf("%sClient parser ERROR: %s", c.pfx, pe.Reason)
		c.closeWithErr(pe.Text, errProtocol)
		return
	}
	c.closeWithErr("Unknown Protocol Operation", errProtocol)
}

// processOp runs one parsed op. Slices in op are valid only during the call.
func (c *client) processOp(op *proto.Op) {
	if c.srv.opts.Trace {
		c.traceIn(op)
	}
	if !c.connected && op.Kind != proto.OpConnect && c.srv.authRequired() {
		c.closeWithErr(auth.ErrTextAuthViolation, errAuthViolation)
		return
	}
	switch op.Kind {
	case proto.OpPub, proto.OpHPub:
		c.processPub(op)
	case proto.OpSub:
		c.processSub(op)
	case proto.OpUnsub:
		c.processUnsub(op)
	case proto.OpPing:
		c.sendPong()
	case proto.OpPong:
		c.pingsOut = 0
	case proto.OpConnect:
		c.processConnect(op)
	case proto.OpErr:
		// A client's -ERR ends its connection (nats-server does the same).
		c.srv.log.Errorf("%sClient Error %s", c.pfx, op.Arg)
		c.closeWithErr("", errClientClosed)
	default:
		// INFO, +OK, -ERR from a client carry nothing for the server.
	}
}

// sendErr stages -ERR 'text' without closing.
func (c *client) sendErr(text string) {
	out := c.conn.Out()
	*out = proto.AppendErr(*out, text)
	c.srv.tracef(c, "->> [-ERR '%s']", text)
}

// sendOK stages +OK when the client asked for verbose replies.
func (c *client) sendOK() {
	if c.verbose {
		out := c.conn.Out()
		*out = append(*out, proto.OKLine...)
	}
}

func (c *client) sendPong() {
	out := c.conn.Out()
	*out = append(*out, proto.PongLine...)
}

// closeWithErr sends -ERR 'text' (when text is not empty) and closes.
func (c *client) closeWithErr(text string, reason error) {
	if c.conn.Closed() {
		return
	}
	if text != "" {
		c.sendErr(text)
	}
	c.conn.Close(reason)
}

// tick runs liveness checks: auth timeout and server PINGs.
func (c *client) tick(now time.Time) {
	o := c.srv.opts
	if c.tlsTick(now) {
		return
	}
	if !c.authDue.IsZero() && !c.connected && now.After(c.authDue) {
		c.closeWithErr("Authentication Timeout", errAuthTimeout)
		return
	}
	if o.PingInterval <= 0 || now.Sub(c.lastPing) < o.PingInterval {
		return
	}
	if c.pingsOut+1 > o.MaxPingsOut {
		c.closeWithErr("Stale Connection", errStale)
		return
	}
	c.lastPing = now
	c.pingsOut++
	out := c.conn.Out()
	*out = append(*out, proto.PingLine...)
}

// nextRand is xorshift64*, owned by the loop goroutine.
func (c *client) nextRand() uint64 {
	x := c.rng
	x ^= x >> 12
	x ^= x << 25
	x ^= x >> 27
	c.rng = x
	return x * 2685821657736338717
}
