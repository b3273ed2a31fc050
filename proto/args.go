package proto

import "bytes"

// pubArgs: PUB subj [reply] size.
func (p *Parser) pubArgs(o *Op, rest []byte) (int, *Error) {
	a := p.split(rest)
	switch len(a) {
	case 2:
		o.Subject = a[0]
	case 3:
		o.Subject, o.Reply = a[0], a[1]
	default:
		return -1, ErrBadArgs
	}
	size := parseSize(a[len(a)-1])
	if size < 0 {
		return -1, ErrBadSize
	}
	return size, nil
}

// hpubArgs: HPUB subj [reply] hdrlen totlen.
func (p *Parser) hpubArgs(o *Op, rest []byte) (int, *Error) {
	a := p.split(rest)
	switch len(a) {
	case 3:
		o.Subject = a[0]
	case 4:
		o.Subject, o.Reply = a[0], a[1]
	default:
		return -1, ErrBadArgs
	}
	return headerSizes(o, a[len(a)-2], a[len(a)-1])
}

// trailingSizes reads the size (or hdrlen and totlen) that ends a
// message's arguments and returns the payload size.
func trailingSizes(o *Op, a [][]byte, hdr bool) (int, *Error) {
	if hdr {
		return headerSizes(o, a[len(a)-2], a[len(a)-1])
	}
	size := parseSize(a[len(a)-1])
	if size < 0 {
		return -1, ErrBadSize
	}
	return size, nil
}

// headerSizes reads hdrlen and totlen into o and returns totlen.
func headerSizes(o *Op, hdr, tot []byte) (int, *Error) {
	h, t := parseSize(hdr), parseSize(tot)
	if h < 0 || t < 0 || h > t {
		return -1, ErrBadSize
	}
	o.HdrLen = h
	return t, nil
}

// subArgs: SUB subj [queue] sid.
func (p *Parser) subArgs(o *Op, rest []byte) *Error {
	a := p.split(rest)
	switch len(a) {
	case 2:
		o.Subject, o.SID = a[0], a[1]
	case 3:
		o.Subject, o.Queue, o.SID = a[0], a[1], a[2]
	default:
		return ErrBadArgs
	}
	return nil
}

// unsubArgs: UNSUB sid [max]. A missing sid is a parser error (-ERR); a
// malformed max is ignored, as the reference does.
func (p *Parser) unsubArgs(o *Op, rest []byte) *Error {
	a := p.split(rest)
	switch len(a) {
	case 1:
		o.SID = a[0]
	case 2:
		o.SID = a[0]
		if m := parseSize(a[1]); m > 0 {
			o.Max = m
		}
	case 0:
		return ErrUnknownOp
	default:
		return ErrBadArgs
	}
	return nil
}

// msgArgs: MSG subj sid [reply] size, HMSG subj sid [reply] hdrlen totlen.
func (p *Parser) msgArgs(o *Op, rest []byte, hdr bool) (int, *Error) {
	a := p.split(rest)
	sizes := 1
	if hdr {
		sizes = 2
	}
	switch len(a) - sizes {
	case 2:
		o.Subject, o.SID = a[0], a[1]
	case 3:
		o.Subject, o.SID, o.Reply = a[0], a[1], a[2]
	default:
		return -1, ErrBadArgs
	}
	return trailingSizes(o, a, hdr)
}

// rmsgArgs: RMSG acc subj [reply | + reply q1 q2… | \| q1 q2…] size, and
// the routed HMSG with hdrlen totlen in place of size.
func (p *Parser) rmsgArgs(o *Op, rest []byte, hdr bool) (int, *Error) {
	a := p.split(rest)
	sizes := 1
	if hdr {
		sizes = 2
	}
	if len(a) < 2+sizes {
		return -1, ErrBadArgs
	}
	o.Account, o.Subject = a[0], a[1]
	mid := a[2 : len(a)-sizes]
	switch {
	case len(mid) == 0:
	case len(mid[0]) == 1 && mid[0][0] == '+':
		if len(mid) < 2 {
			return -1, ErrBadArgs
		}
		o.Reply = mid[1]
		o.Queues = mid[2:]
	case len(mid[0]) == 1 && mid[0][0] == '|':
		o.Queues = mid[1:]
	case len(mid) == 1:
		o.Reply = mid[0]
	default:
		return -1, ErrBadArgs
	}
	return trailingSizes(o, a, hdr)
}

// rsubArgs: RS+ acc subj [queue weight], RS- acc subj [queue].
func (p *Parser) rsubArgs(o *Op, rest []byte, plus bool) *Error {
	a := p.split(rest)
	switch {
	case len(a) == 2:
		o.Account, o.Subject = a[0], a[1]
	case len(a) == 3:
		o.Account, o.Subject, o.Queue = a[0], a[1], a[2]
		if plus {
			o.Max = 1
		}
	case len(a) == 4 && plus:
		o.Account, o.Subject, o.Queue = a[0], a[1], a[2]
		o.Max = parseSize(a[3])
		if o.Max < 0 {
			return ErrBadArgs
		}
	default:
		return ErrBadArgs
	}
	return nil
}

// split cuts b at runs of spaces and tabs into the parser's args array.
// More arguments than fit make the result one too long to be valid.
func (p *Parser) split(b []byte) [][]byte {
	n := 0
	for {
		b = trimLeft(b)
		if len(b) == 0 {
			break
		}
		if n == len(p.args) {
			return p.args[:0]
		}
		i := 0
		for i < len(b) && b[i] != ' ' && b[i] != '\t' {
			i++
		}
		p.args[n] = b[:i]
		n++
		b = b[i:]
	}
	return p.args[:n]
}

// cutToken returns the first token of line and the rest, leading blanks
// removed.
func cutToken(line []byte) (tok, rest []byte) {
	line = trimLeft(line)
	i := 0
	for i < len(line) && line[i] != ' ' && line[i] != '\t' {
		i++
	}
	return line[:i], trimLeft(line[i:])
}

func trimLeft(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

func trimRight(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// trimQuotes strips blanks and one pair of single quotes from an -ERR text.
func trimQuotes(b []byte) []byte {
	b = trimRight(trimLeft(b))
	if len(b) >= 2 && b[0] == '\'' && b[len(b)-1] == '\'' {
		b = b[1 : len(b)-1]
	}
	return b
}

func indexLF(b []byte) int { return bytes.IndexByte(b, '\n') }

// eqFold compares an op name with an upper-case ASCII constant.
func eqFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// parseSize reads a non-negative decimal integer; -1 if b is not one.
func parseSize(b []byte) int {
	if len(b) == 0 || len(b) > 9 {
		return -1
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}
