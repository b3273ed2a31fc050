package broker

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"natsloop/loop"
	"natsloop/proto"
)

// client is one client connection's session. Other loops reach a client
// only through its subscriptions: what they read of it (conn, the
// counters, view) is either immutable, atomic, or an immutable snapshot
// behind an atomic pointer.
type client struct {
	srv   *Server    // immutable
	conn  *loop.Conn // immutable
	cid   uint64     // immutable
	nonce string     // INFO nonce for nkey users; immutable after OnOpen
	start time.Time  // when the connection was accepted; immutable

	// Owned by the loop goroutine.
	parser    proto.Parser
	state     clientState   // where the connection is in its life
	hs        *handshake    // until the first CONNECT is accepted, then nil
	opts      proto.Connect // CONNECT options: each CONNECT is merged in
	grant     *grant        // what authentication decided; replaced, never mutated
	lastPing  time.Time     // last server PING sent
	pingsOut  int
	mapBuf    []byte     // scratch for subjects mapped across accounts
	waitOn    *client    // a consumer above the high-water mark (flow.go)
	stallFree int        // input bytes to process without stalling (flow.go)
	rng       uint64     // xorshift state for queue member choice
	lingering bool       // closed by the client's -ERR: the rest of the read is still processed
	lineDone  bool       // the PUB whose payload is arriving had its control line checked
	inOff     int64      // input offset of the next unconsumed byte
	opStart   int64      // input offset where the op being parsed began
	opEnd     int64      // input offset just past the op being processed
	reads     readMirror // nats-server's read boundaries over the input
	pongSent  bool       // the first PONG after CONNECT went out (connect_info INFO)

	// view is what publishers on other loops need of this client as a
	// subscriber; each CONNECT publishes a new one.
	view atomic.Pointer[peerView]
	// pfx is the log prefix "ip:port - cid:N - ", plus the client's
	// name/lang/version and account/user tags once connected (as
	// nats-server); read by delivery traces on any loop.
	pfx atomic.Pointer[string]

	mu   sync.Mutex               // guards subs
	subs map[string]*subscription // by sid

	inMsgs   atomic.Int64
	inBytes  atomic.Int64
	outMsgs  atomic.Int64 // added to by publishers on any loop
	outBytes atomic.Int64
}

// peerView is what delivery on any loop reads of a subscriber: immutable.
type peerView struct {
	headers bool   // the client takes HMSG
	grant   *grant // its permissions and response grants
}

// subscription is one SUB. Its identity fields are immutable; delivered
// and closed are touched by publishers on any loop.
type subscription struct {
	client  *client
	acc     *account // the account whose index holds it
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
	errClientClosed = errors.New("broker: client closed connection")
	errProtocol     = errors.New("broker: protocol violation")
	errStale        = errors.New("broker: stale connection")
	errAuthTimeout  = errors.New("broker: authentication timeout")
	errMaxConns     = errors.New("broker: maximum connections exceeded")
	errMaxPayload   = errors.New("broker: maximum payload exceeded")
	errBadConnect   = errors.New("broker: invalid CONNECT")
	errNoHeaders    = errors.New("broker: message headers not supported")
)

func (h *connHandler) OnOpen(lc *loop.Conn) {
	s := h.s
	now := time.Now()
	c := &client{
		srv:      s,
		conn:     lc,
		cid:      s.cidSeq.Add(1),
		start:    now,
		state:    stateNew,
		hs:       &handshake{},
		opts:     proto.DefaultConnect(),
		grant:    s.anonymous,
		lastPing: now,
		subs:     make(map[string]*subscription),
	}
	c.view.Store(&peerView{grant: c.grant})
	c.rng = c.cid*0x9E3779B97F4A7C15 | 1
	c.setPrefix(fmt.Sprintf("%s - cid:%d - ", lc.RemoteAddr(), c.cid))
	c.parser.Mode = proto.ModeClient
	c.parser.MaxControlLine = int(s.opts.MaxControlLine)
	c.parser.MaxPayload = int(s.opts.MaxPayload)
	c.parser.NoHeaders = true
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

func (h *connHandler) OnData(lc *loop.Conn, data []byte) int {
	c, ok := lc.Value.(*client)
	if !ok {
		return len(data)
	}
	switch c.state {
	case stateChecking:
		return 0 // an auth check is running: input waits (Resume follows)
	case stateTLSWait:
		return c.tlsData(data)
	}
	c.afterWait()
	c.reads.arrive(c.opStart, c.inOff+int64(len(data)))
	consumed := 0
	for len(data) > 0 && (!c.conn.Closed() || c.lingering) {
		if c.hs != nil && c.refuseBeforeConnect(data[0]) {
			return consumed + len(data)
		}
		if c.parser.AtOpStart() {
			c.opStart = c.inOff
		}
		n, op, err := c.parser.Next(data)
		data = data[n:]
		consumed += n
		c.inOff += int64(n)
		c.opEnd = c.inOff
		if err != nil {
			c.checkFailedLine(err)
			c.parseError(err)
			return consumed + len(data)
		}
		if op == nil {
			c.checkPendingLine()
			break
		}
		if c.conn.Closed() {
			c.lingerOp(op)
			continue
		}
		c.processOp(op)
		if c.stallFree > 0 {
			c.stallFree -= n
		}
		if c.state == stateChecking || c.waitForConsumer() {
			return consumed
		}
	}
	c.lingering = false
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
		switch pe {
		case proto.ErrMaxPayload:
			c.closeWithErr(pe.Text, errMaxPayload)
			return
		case proto.ErrNoHeaders:
			// nats-server logs it bare and closes without an -ERR.
			c.srv.log.Errorf("%s%s", c.prefix(), pe.Reason)
			c.closeWithErr("", errNoHeaders)
			return
		}
		c.srv.log.Errorf("%sClient parser ERROR: %s", c.prefix(), pe.Reason)
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
	switch op.Kind {
	case proto.OpPub, proto.OpHPub:
		c.processPub(op)
	case proto.OpSub:
		c.processSub(op)
	case proto.OpUnsub:
		c.processUnsub(op)
	case proto.OpPing:
		c.sendPong()
		c.afterFirstPong()
	case proto.OpPong:
		c.pingsOut = 0
	case proto.OpConnect:
		c.processConnect(op)
	case proto.OpHMsg:
		c.inMsgs.Add(1)
		c.sendOK()
	case proto.OpErr:
		// A client's -ERR ends its connection, as with nats-server, which
		// still processes the rest of what it read (lingerOp).
		c.srv.log.Errorf("%sClient Error %s", c.prefix(), op.Arg)
		c.closeWithErr("", errClientClosed)
		c.lingering = true
	case proto.OpInfo:
		// Ignored, but nats-server decodes it and closes on bad JSON.
		if err := proto.CheckInfo(op.Arg); err != nil {
			c.srv.log.Errorf("%s%v", c.prefix(), err)
			c.closeWithErr("", errProtocol)
		}
	default:
		// +OK from a client carries nothing for the server.
	}
}

// lingerOp runs an op that follows a client's -ERR in the same read: the
// connection is closed, but its publishes are still delivered to others,
// as nats-server does.
func (c *client) lingerOp(op *proto.Op) {
	if op.Kind == proto.OpPub || op.Kind == proto.OpHPub {
		c.processPub(op)
	}
}

// sendErr stages -ERR 'text' without closing (nothing once closed).
func (c *client) sendErr(text string) {
	if c.conn.Closed() {
		return
	}
	out := c.conn.Out()
	*out = proto.AppendErr(*out, text)
	c.srv.tracef(c, "->> [-ERR %s]", text)
}

// sendOK stages +OK when the client asked for verbose replies.
func (c *client) sendOK() {
	if c.opts.Verbose && !c.conn.Closed() {
		out := c.conn.Out()
		*out = append(*out, proto.OKLine...)
		c.srv.tracef(c, "->> [OK]")
	}
}

func (c *client) sendPong() {
	if c.conn.Closed() {
		return
	}
	out := c.conn.Out()
	*out = append(*out, proto.PongLine...)
	c.srv.tracef(c, "->> [PONG]")
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
	if c.hs != nil && c.hs.expired(c, now) {
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
	c.srv.tracef(c, "->> [PING]")
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
