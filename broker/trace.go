package broker

import (
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
