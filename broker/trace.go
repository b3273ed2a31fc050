package broker

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"

	"natsloop/proto"
)

// secretFields matches the CONNECT fields whose values never reach a log.
var secretFields = regexp.MustCompile(`"(pass|auth_token|sig|jwt)"\s*:\s*"(?:[^"\\]|\\.)*"`)

// redact hides passwords, tokens and signatures in a CONNECT payload.
func redact(arg []byte) []byte {
	return secretFields.ReplaceAll(arg, []byte(`"$1":"[REDACTED]"`))
}

// traceIn logs an incoming op as nats-server does: <<- [OP args].
func (c *client) traceIn(op *proto.Op) {
	s := c.srv
	switch op.Kind {
	case proto.OpPub:
		s.tracef(c, "<<- [PUB %s]", joinArgs(op.Subject, op.Reply, itoa(len(op.Payload))))
	case proto.OpHPub:
		s.tracef(c, "<<- [HPUB %s]", joinArgs(op.Subject, op.Reply, itoa(op.HdrLen), itoa(len(op.Payload))))
	case proto.OpSub:
		s.tracef(c, "<<- [SUB %s]", joinArgs(op.Subject, op.Queue, op.SID))
	case proto.OpUnsub:
		max := []byte(nil)
		if op.Max > 0 {
			max = itoa(op.Max)
		}
		s.tracef(c, "<<- [UNSUB %s]", joinArgs(op.SID, max))
	case proto.OpConnect:
		s.tracef(c, "<<- [CONNECT %s]", redact(op.Arg))
	default:
		s.tracef(c, "<<- [%s]", opName(op.Kind))
	}
}

// joinArgs joins the non-empty arguments with single spaces.
func joinArgs(args ...[]byte) []byte {
	var b []byte
	for _, a := range args {
		if len(a) == 0 {
			continue
		}
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, a...)
	}
	return b
}

func itoa(n int) []byte {
	return strconv.AppendInt(nil, int64(n), 10)
}

// opName is the wire name of an op without arguments.
func opName(k proto.OpKind) string {
	switch k {
	case proto.OpPing:
		return "PING"
	case proto.OpPong:
		return "PONG"
	case proto.OpOK:
		return "+OK"
	case proto.OpErr:
		return "-ERR"
	case proto.OpInfo:
		return "INFO"
	}
	return k.String()
}

// traceDelivery logs a MSG/HMSG staged for c, as nats-server does with
// the subscriber's prefix: ->> [MSG subject sid size], then the payload.
// frame is the whole frame, payloadLen the length of its payload.
func (c *client) traceDelivery(frame []byte, payloadLen int) {
	head, _, _ := bytes.Cut(frame, []byte("\r\n"))
	c.srv.tracef(c, "->> [%s]", head)
	end := len(frame) - 2
	c.tracePayload("->>", frame[end-payloadLen:end])
}

// tracePayload logs a message payload as nats-server does (dir is <<- or
// ->>), cut to max_traced_msg_len; an empty payload is not logged.
func (c *client) tracePayload(dir string, payload []byte) {
	if len(payload) == 0 {
		return
	}
	if max := c.srv.opts.MaxTracedMsgLen; max > 0 && len(payload) > max {
		q := fmt.Sprintf("%q", payload[:max])
		c.srv.tracef(c, "%s MSG_PAYLOAD: [\"%s...\"]", dir, q[1:len(q)-1])
		return
	}
	c.srv.tracef(c, "%s MSG_PAYLOAD: [%q]", dir, payload)
}
