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
	return AppendMsgTok(dst, subject, sid, reply, nil, payload)
}

// AppendMsgTok is AppendMsg with the size written as sizeTok, the
// publisher's size token byte for byte (Op.SizeTok: "PUB foo 01" is
// delivered as "MSG foo 1 01", as nats-server does). An empty sizeTok
// writes len(payload). sizeTok must be payload's size.
func AppendMsgTok(dst, subject, sid, reply, sizeTok, payload []byte) []byte {
	dst = appendMsgHead(dst, "MSG ", subject, sid, reply)
	dst = append(dst, ' ')
	dst = appendSize(dst, sizeTok, len(payload))
	dst = append(dst, crlf...)
	dst = append(dst, payload...)
	return append(dst, crlf...)
}

// AppendHMsg appends HMSG subject sid [reply] hdrLen len(payload)\r\n…
// payload holds the headers (its first hdrLen bytes) and the body.
func AppendHMsg(dst, subject, sid, reply []byte, hdrLen int, payload []byte) []byte {
	dst = appendMsgHead(dst, "HMSG ", subject, sid, reply)
	return appendHSizes(dst, nil, hdrLen, nil, payload)
}

// AppendHMsgTok is AppendHMsg with the sizes written as the publisher's
// tokens (Op.HdrTok, Op.SizeTok) byte for byte. An empty token writes the
// size: hdrTok must be non-empty (nothing else tells the header size),
// an empty sizeTok writes len(payload).
func AppendHMsgTok(dst, subject, sid, reply, hdrTok, sizeTok, payload []byte) []byte {
	dst = appendMsgHead(dst, "HMSG ", subject, sid, reply)
	return appendHSizes(dst, hdrTok, 0, sizeTok, payload)
}

// appendMsgHead appends verb subject sid [reply].
func appendMsgHead(dst []byte, verb string, subject, sid, reply []byte) []byte {
	dst = append(dst, verb...)
	dst = append(dst, subject...)
	dst = append(dst, ' ')
	dst = append(dst, sid...)
	return appendReply(dst, reply)
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
	return appendHSizes(dst, nil, hdrLen, nil, payload)
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
	return AppendRMsgTok(dst, account, subject, reply, queues, nil, payload)
}

// AppendRMsgTok is AppendRMsg with the size written as sizeTok (the
// publisher's token, which nats-server forwards unchanged; empty: the
// size).
func AppendRMsgTok(dst, account, subject, reply []byte, queues [][]byte, sizeTok, payload []byte) []byte {
	dst = append(dst, "RMSG "...)
	dst = appendRouted(dst, account, subject, reply, queues)
	dst = append(dst, ' ')
	dst = appendSize(dst, sizeTok, len(payload))
	dst = append(dst, crlf...)
	dst = append(dst, payload...)
	return append(dst, crlf...)
}

// AppendRHMsg is AppendRMsg for a message with headers (routed HMSG).
func AppendRHMsg(dst, account, subject, reply []byte, queues [][]byte, hdrLen int, payload []byte) []byte {
	dst = append(dst, "HMSG "...)
	dst = appendRouted(dst, account, subject, reply, queues)
	return appendHSizes(dst, nil, hdrLen, nil, payload)
}

// AppendRHMsgTok is AppendRHMsg with the sizes written as the publisher's
// tokens, as AppendHMsgTok.
func AppendRHMsgTok(dst, account, subject, reply []byte, queues [][]byte, hdrTok, sizeTok, payload []byte) []byte {
	dst = append(dst, "HMSG "...)
	dst = appendRouted(dst, account, subject, reply, queues)
	return appendHSizes(dst, hdrTok, 0, sizeTok, payload)
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

// appendSize appends tok, or n in decimal when tok is empty.
func appendSize(dst, tok []byte, n int) []byte {
	if len(tok) > 0 {
		return append(dst, tok...)
	}
	return strconv.AppendInt(dst, int64(n), 10)
}

// appendHSizes appends " hdr total\r\npayload\r\n", each size from its
// token when there is one.
func appendHSizes(dst, hdrTok []byte, hdr int, sizeTok, payload []byte) []byte {
	dst = append(dst, ' ')
	dst = appendSize(dst, hdrTok, hdr)
	dst = append(dst, ' ')
	dst = appendSize(dst, sizeTok, len(payload))
	dst = append(dst, crlf...)
	dst = append(dst, payload...)
	return append(dst, crlf...)
}
