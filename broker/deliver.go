package broker

import (
	"natsloop/internal/subject"
	"natsloop/loop"
	"natsloop/proto"
)

// noRespStatus starts the header block of a no-responders status message;
// since nats-server 2.12 a Nats-Subject header names the request's subject.
const noRespStatus = "NATS/1.0 503\r\nNats-Subject: "

// processPub delivers one PUB or HPUB. It is the hot path: no allocation,
// no lock besides the index's own read path.
func (c *client) processPub(op *proto.Op) {
	// (An HPUB from a client without headers never gets here: the parser
	// refuses it, Parser.NoHeaders.)
	if !c.lineDone && c.badPubLine(op) {
		line := c.opEnd - int64(len(op.Payload)) - 2
		c.pubLineAgain(op, line, c.opEnd)
	}
	c.lineDone = false
	if c.srv.opts.Trace {
		c.tracePayload("<<-", op.Payload)
	}
	c.inMsgs.Add(1)
	c.inBytes.Add(int64(len(op.Payload)))
	if !c.mayPublish(op.Subject, op.Reply) {
		return
	}
	c.sendOK() // nats-server acknowledges before delivering
	acc := c.grant.acc
	delivered := c.deliverAll(acc, op.Subject, op.Reply, op)
	if len(acc.streams)+len(acc.services) > 0 || acc.nresp.Load() > 0 {
		delivered = c.deliverImports(op) || delivered
	}
	if !delivered && c.opts.NoResponders && len(op.Reply) > 0 {
		c.sendNoResponders(op.Subject, op.Reply)
	}
}

// deliverAll sends op, as subj with reply, to every matching plain
// subscription of acc and to one member of every matching queue group. It
// reports whether anyone got it.
func (c *client) deliverAll(acc *account, subj, reply []byte, op *proto.Op) bool {
	r := acc.sl.Match(subj)
	if r == nil {
		return false
	}
	sh := c.conn.Shard()
	delivered := false
	for _, sub := range r.Plain {
		if c.deliver(sh, sub, subj, reply, op) {
			delivered = true
		}
	}
	for i := range r.Queues {
		members := r.Queues[i].Members
		n := len(members)
		if n == 0 {
			continue
		}
		// Start at a random member; skip members that cannot take it.
		start := int(c.nextRand() % uint64(n))
		for j := 0; j < n; j++ {
			if c.deliver(sh, members[(start+j)%n], subj, reply, op) {
				delivered = true
				break
			}
		}
	}
	return delivered
}

// deliver stages one MSG/HMSG for sub. It returns false when sub cannot
// take it (closed, echo off, auto-unsubscribe limit reached).
func (c *client) deliver(sh *loop.Shard, sub *subscription, subj, reply []byte, op *proto.Op) bool {
	dst := sub.client
	if (dst == c && !c.opts.Echo) || sub.closed.Load() || dst.conn.Closed() {
		return false
	}
	view := dst.view.Load()
	if sub.filter && !view.grant.perms.CanDeliver(subj) {
		return false
	}
	n := sub.delivered.Add(1)
	max := sub.max.Load()
	if max > 0 && n > max {
		return false
	}
	last := max > 0 && n == max
	payload := op.Payload
	buf := sh.Begin(dst.conn)
	start := len(*buf)
	switch {
	case op.HdrLen > 0 && view.headers:
		*buf = proto.AppendHMsgTok(*buf, subj, sub.sid, reply, op.HdrTok, op.SizeTok, payload)
	case op.HdrLen > 0:
		// A subscriber without headers gets the payload only.
		payload = payload[op.HdrLen:]
		*buf = proto.AppendMsg(*buf, subj, sub.sid, reply, payload)
	default:
		*buf = proto.AppendMsgTok(*buf, subj, sub.sid, reply, op.SizeTok, payload)
	}
	if c.srv.opts.Trace {
		dst.traceDelivery((*buf)[start:], len(payload))
	}
	sh.Commit(dst.conn)
	c.overHigh(sh, dst)
	dst.outMsgs.Add(1)
	dst.outBytes.Add(int64(len(payload)))
	if len(reply) > 0 && view.grant.replies != nil {
		view.grant.grantReply(reply)
	}
	if last {
		sub.unsubAfterMax()
	}
	return true
}

// sendNoResponders answers a request nobody received with a 503 status
// message on the publisher's own subscription that matches the reply.
func (c *client) sendNoResponders(subj, reply []byte) {
	r := c.grant.acc.sl.Match(reply)
	if r == nil {
		return
	}
	for _, sub := range r.Plain {
		if sub.client != c || sub.closed.Load() {
			continue
		}
		hdr := append(append(append(c.mapBuf[:0], noRespStatus...), subj...), "\r\n\r\n"...)
		c.mapBuf = hdr[:0]
		out := c.conn.Out()
		*out = proto.AppendHMsg(*out, reply, sub.sid, nil, len(hdr), hdr)
		return
	}
}

// A PUB's control line is checked as nats-server checks it while reading
// byte by byte: before its payload has arrived. So the pedantic subject
// check answers before a bad payload end is found (checkFailedLine), and
// when one of nats-server's reads ends inside the payload (readMirror) it
// reads the line again and answers twice (checkPendingLine when our read
// ended there too, processPub otherwise).

// badPubLine sends what nats-server answers to a PUB/HPUB control line
// and reports whether it complained.
func (c *client) badPubLine(op *proto.Op) bool {
	if c.opts.Pedantic && !subject.ValidPublish(op.Subject) {
		c.sendErr("Invalid Publish Subject")
		return true
	}
	return false
}

// pubLineAgain repeats the complaint when nats-server would have read the
// line again: one of its reads ended inside the payload of the op whose
// line ends at line and frame at end.
func (c *client) pubLineAgain(op *proto.Op, line, end int64) {
	if c.reads.splitsPayload(c.opStart, line, end) {
		c.badPubLine(op)
	}
}

// checkPendingLine checks the control line of a PUB whose payload is
// still arriving, once it was just read.
func (c *client) checkPendingLine() {
	op, fresh := c.parser.Pending()
	if !fresh || !isPub(op) {
		return
	}
	c.lineDone = true
	if c.badPubLine(op) {
		have, need := c.parser.PayloadHave()
		line := c.opEnd - int64(have)
		c.pubLineAgain(op, line, line+int64(need))
	}
}

// checkFailedLine checks the control line of a PUB whose payload end was
// wrong, before the parse error is answered.
func (c *client) checkFailedLine(err error) {
	if op := c.parser.Failed(); err == proto.ErrUnknownOp && isPub(op) && !c.lineDone {
		c.badPubLine(op)
	}
}

func isPub(op *proto.Op) bool {
	return op != nil && (op.Kind == proto.OpPub || op.Kind == proto.OpHPub)
}
