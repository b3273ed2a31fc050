package proto

import "strconv"

// Fixed lines.
const (
	PingLine = "PING\r\n"
	PongLine = "PONG\r\n"
	OKLine   = "+OK\r\n"
	crlf     = "\r\n"
)

// AppendMsg appends MSG subject sid [reply] len(payload)\r\npayload\r\n.
func AppendMsg(dst, subject, sid, reply, payload []byte) []byte {
	dst = append(dst, "MSG "...)
	dst = append(dst, subject...)
	dst = append(dst, ' ')
	dst = append(dst, sid...)
	dst = appendReply(dst, reply)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(len(payload)), 10)
	dst = append(dst, crlf...)
	dst = append(dst, payload...)
	return append(dst, crlf...)
}

// AppendHMsg appends HMSG subject sid [reply] hdrLen len(payload)\r\n…
// payload holds the headers (its first hdrLen bytes) and the body.
func AppendHMsg(dst, subject, sid, reply []byte, hdrLen int, payload []byte) []byte {
	dst = append(dst, "HMSG "...)
	dst = append(dst, subject...)
	dst = append(dst, ' ')
	dst = append(dst, sid...)
	dst = appendReply(dst, reply)
	dst = appendSizes(dst, hdrLen, len(payload))
	dst = append(dst, payload...)
	return append(dst, crlf...)
}

// AppendPub appends PUB subject [reply] len(payload)\r\npayload\r\n.
func AppendPub(dst, subject, reply, payload []byte) []byte {
	dst = append(dst, "PUB "...)
	dst = append(dst, subject...)
	dst = appendReply(dst, reply)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(len(payload)), 10)
	dst = append(dst, crlf...)
	dst = append(dst, payload...)
	return append(dst, crlf...)
}

// AppendHPub appends HPUB subject [reply] hdrLen len(payload)\r\n…
func AppendHPub(dst, subject, reply []byte, hdrLen int, payload []byte) []byte {
	dst = append(dst, "HPUB "...)
	dst = append(dst, subject...)
	dst = appendReply(dst, reply)
	dst = appendSizes(dst, hdrLen, len(payload))
	dst = append(dst, payload...)
	return append(dst, crlf...)
}

// AppendSub appends SUB subject [queue] sid\r\n.
func AppendSub(dst, subject, queue, sid []byte) []byte {
	dst = append(dst, "SUB "...)
	dst = append(dst, subject...)
	dst = appendReply(dst, queue)
	dst = append(dst, ' ')
	dst = append(dst, sid...)
	return append(dst, crlf...)
}

// AppendUnsub appends UNSUB sid [max]\r\n (max 0 = none).
func AppendUnsub(dst, sid []byte, max int) []byte {
	dst = append(dst, "UNSUB "...)
	dst = append(dst, sid...)
	if max > 0 {
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, int64(max), 10)
	}
	return append(dst, crlf...)
}

// AppendRSub appends RS+ account subject [queue weight]\r\n.
func AppendRSub(dst, account, subject, queue []byte, weight int) []byte {
	dst = append(dst, "RS+ "...)
	dst = append(dst, account...)
	dst = append(dst, ' ')
	dst = append(dst, subject...)
	if len(queue) > 0 {
		dst = append(dst, ' ')
		dst = append(dst, queue...)
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, int64(weight), 10)
	}
	return append(dst, crlf...)
}

// AppendRUnsub appends RS- account subject [queue]\r\n.
func AppendRUnsub(dst, account, subject, queue []byte) []byte {
	dst = append(dst, "RS- "...)
	dst = append(dst, account...)
	dst = append(dst, ' ')
	dst = append(dst, subject...)
	dst = appendReply(dst, queue)
	return append(dst, crlf...)
}

// AppendRMsg appends RMSG account subject [reply | + reply queues… |
// \| queues…] size\r\npayload\r\n.
func AppendRMsg(dst, account, subject, reply []byte, queues [][]byte, payload []byte) []byte {
	dst = append(dst, "RMSG "...)
	dst = appendRouted(dst, account, subject, reply, queues)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(len(payload)), 10)
	dst = append(dst, crlf...)
	dst = append(dst, payload...)
	return append(dst, crlf...)
}

// AppendRHMsg is AppendRMsg for a message with headers (routed HMSG).
func AppendRHMsg(dst, account, subject, reply []byte, queues [][]byte, hdrLen int, payload []byte) []byte {
	dst = append(dst, "HMSG "...)
	dst = appendRouted(dst, account, subject, reply, queues)
	dst = appendSizes(dst, hdrLen, len(payload))
	dst = append(dst, payload...)
	return append(dst, crlf...)
}

func appendRouted(dst, account, subject, reply []byte, queues [][]byte) []byte {
	dst = append(dst, account...)
	dst = append(dst, ' ')
	dst = append(dst, subject...)
	switch {
	case len(queues) > 0 && len(reply) > 0:
		dst = append(dst, " + "...)
		dst = append(dst, reply...)
	case len(queues) > 0:
		dst = append(dst, " |"...)
	default:
		return appendReply(dst, reply)
	}
	for _, q := range queues {
		dst = append(dst, ' ')
		dst = append(dst, q...)
	}
	return dst
}

// AppendErr appends -ERR 'text'\r\n.
func AppendErr(dst []byte, text string) []byte {
	dst = append(dst, "-ERR '"...)
	dst = append(dst, text...)
	return append(dst, "'\r\n"...)
}

func appendReply(dst, reply []byte) []byte {
	if len(reply) == 0 {
		return dst
	}
	dst = append(dst, ' ')
	return append(dst, reply...)
}

func appendSizes(dst []byte, hdr, total int) []byte {
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(hdr), 10)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(total), 10)
	return append(dst, crlf...)
}
