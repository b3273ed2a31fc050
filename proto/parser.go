package proto

import "bytes"

// Default limits (nats-server's defaults).
const (
	DefaultMaxControlLine = 4096
	DefaultMaxPayload     = 1048576
)

// routeControlLineFactor: nats-server lets route (and leaf, gateway)
// control lines be 16 times max_control_line, since they carry accounts
// and queue lists.
const routeControlLineFactor = 16

// controlLineSlack bounds the bytes of a control line beyond
// MaxControlLine that are not counted by the reference's rule (the op name
// and the blanks after it), so that a partial line can never grow the
// scratch buffer without bound.
const controlLineSlack = 1024

// bigScratch: a payload scratch buffer grown beyond this is dropped once its
// op is done, so that one large split message does not pin memory on an
// otherwise idle connection.
const bigScratch = 64 << 10

type parseState uint8

const (
	stateStart   parseState = iota // at a frame boundary, or p.line holds a partial control line
	stateSkip                      // after PING/PONG/+OK: ignoring bytes up to '\n'
	statePayload                   // control line parsed (in p.line), collecting p.need bytes into p.pay
)

// Parser is a NATS protocol state machine over memory the caller owns.
// The zero value (with Mode set) is ready to use. A Parser belongs to one
// goroutine (a connection's event loop); it is not safe for concurrent use.
// Do not copy a Parser after first use.
type Parser struct {
	Mode           Mode // which ops are accepted; set before the first Next
	MaxControlLine int  // 0 = 4096; < 0 = no limit. Counts the arguments; ModeRoute allows 16 times as much, as nats-server does
	MaxPayload     int  // 0 = 1048576 (ModeRoute: no limit, as nats-server); < 0 = no limit. Checked before the payload is read

	state    parseState
	skipKind OpKind // op completed by the '\n' in stateSkip
	err      *Error // sticky
	need     int    // payload size + 2 (CRLF) in statePayload
	line     []byte // scratch: partial control line, or the control line of the op in statePayload
	pay      []byte // scratch: payload + CRLF collected across calls
	args     [][]byte
	op       Op
}

// Next consumes input. It returns how many bytes of buf it consumed and the
// op it completed (nil when it consumed all of buf without completing one).
// The op and every slice in it are valid until the next call to Next or
// Reset: they point into buf when the whole frame was in buf, else into
// the Parser's scratch buffers. Loop:
//
//	for len(b) > 0 { n, op, err := p.Next(b); b = b[n:]; ... }
//
// err is a *Error; the first error is sticky (returned with n == 0 by
// every later call until Reset).
func (p *Parser) Next(buf []byte) (n int, op *Op, err error) {
	if p.err != nil {
		return 0, nil, p.err
	}
	switch p.state {
	case stateSkip:
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			return len(buf), nil, nil
		}
		p.state = stateStart
		p.op = Op{Kind: p.skipKind}
		return i + 1, &p.op, nil
	case statePayload:
		return p.payload(buf)
	}
	i := bytes.IndexByte(buf, '\n')
	if len(p.line) == 0 {
		if i >= 0 {
			return p.control(buf[:i], buf[i+1:], i+1, false)
		}
		if e := p.partial(buf); e != nil {
			return p.fail(e)
		}
		if p.state == stateStart {
			p.line = append(p.line, buf...)
		}
		return len(buf), nil, nil
	}
	if i >= 0 && len(p.line)+i <= p.hardCap()+1 {
		p.line = append(p.line, buf[:i]...)
		return p.control(p.line, buf[i+1:], i+1, true)
	}
	// No end of line yet, or a line already too long: append at most
	// enough to decide (past the hard cap the line is too long whatever
	// follows) and check the prefix.
	chunk := buf
	if i >= 0 {
		chunk = buf[:i]
	}
	room := max(p.hardCap()+2-len(p.line), 0)
	p.line = append(p.line, chunk[:min(len(chunk), room)]...)
	if e := p.partial(p.line); e != nil {
		return p.fail(e)
	}
	if p.state == stateSkip { // PING/PONG/+OK: no limit on what follows
		p.line = p.line[:0]
		if i >= 0 {
			p.state = stateStart
			p.op = Op{Kind: p.skipKind}
			return i + 1, &p.op, nil
		}
		return len(buf), nil, nil
	}
	if i >= 0 { // cannot happen: a line past the hard cap fails above
		return p.fail(ErrMaxControlLine)
	}
	return len(buf), nil, nil
}

// Reset makes the Parser ready for a new connection, keeping its scratch
// buffers (small ones) and its settings.
func (p *Parser) Reset() {
	p.state = stateStart
	p.err = nil
	p.need = 0
	p.line = p.line[:0]
	if cap(p.pay) > bigScratch {
		p.pay = nil
	}
	p.pay = p.pay[:0]
	p.op = Op{}
}

func (p *Parser) fail(e *Error) (int, *Op, error) {
	p.err = e
	return 0, nil, e
}

func (p *Parser) maxControlLine() int {
	mcl := p.MaxControlLine
	switch {
	case mcl == 0:
		mcl = DefaultMaxControlLine
	case mcl < 0:
		return int(^uint(0) >> 2)
	}
	if p.Mode == ModeRoute {
		mcl *= routeControlLineFactor
	}
	return mcl
}

func (p *Parser) hardCap() int { return p.maxControlLine() + controlLineSlack }

func (p *Parser) maxPayload() int {
	switch {
	case p.MaxPayload < 0, p.MaxPayload == 0 && p.Mode == ModeRoute:
		return int(^uint(0) >> 2)
	case p.MaxPayload == 0:
		return DefaultMaxPayload
	}
	return p.MaxPayload
}

// tooLong applies the reference's rule (the arguments, without the op name,
// the blanks after it and the final '\r', may not exceed MaxControlLine)
// plus a hard cap on the whole line.
func (p *Parser) tooLong(ln, arg []byte) bool {
	return len(arg) > p.maxControlLine() || len(ln) > p.hardCap()
}

// partial checks a control line that has not ended yet: an impossible op
// name or an over-long line fail at once; a PING/PONG/+OK switches to
// stateSkip. Every check is monotone in the prefix, so the outcome does not
// depend on where the input was split.
func (p *Parser) partial(line []byte) *Error {
	ln := line
	if len(ln) > 0 && ln[len(ln)-1] == '\r' {
		ln = ln[:len(ln)-1]
	}
	res, o := matchOp(opTable(p.Mode), ln, false)
	switch res {
	case matchBad:
		return ErrUnknownOp
	case matchMore:
		return nil
	}
	if o.follow == followSkip {
		p.state = stateSkip
		p.skipKind = o.kind
		return nil
	}
	if p.tooLong(ln, trimBlankLeft(ln[len(o.name):])) {
		return ErrMaxControlLine
	}
	return nil
}

// control handles a complete control line (without its '\n'); rest is the
// input after the '\n' and n the bytes consumed through it. owned says that
// line lives in p.line.
func (p *Parser) control(line, rest []byte, n int, owned bool) (int, *Op, error) {
	ln := line
	if len(ln) > 0 && ln[len(ln)-1] == '\r' {
		ln = ln[:len(ln)-1]
	}
	res, o := matchOp(opTable(p.Mode), ln, true)
	if res != matchOK {
		return p.fail(ErrUnknownOp)
	}
	if o.follow == followSkip {
		p.line = p.line[:0]
		p.op = Op{Kind: o.kind}
		return n, &p.op, nil
	}
	arg := trimBlankLeft(ln[len(o.name):])
	if p.tooLong(ln, arg) {
		return p.fail(ErrMaxControlLine)
	}
	size, e := p.parseArgs(o.kind, arg)
	if e != nil {
		return p.fail(e)
	}
	if size < 0 {
		p.line = p.line[:0]
		return n, &p.op, nil
	}
	if size > p.maxPayload() {
		return p.fail(ErrMaxPayload)
	}
	need := size + 2
	if len(rest) >= need {
		if rest[size] != '\r' || rest[size+1] != '\n' {
			return p.fail(ErrUnknownOp)
		}
		p.op.Payload = rest[:size:size]
		p.line = p.line[:0]
		return n + need, &p.op, nil
	}
	// The payload is split across calls: keep the control line in scratch
	// (re-parsed there so that the op's slices point into it) and collect
	// the payload.
	if !owned {
		p.line = append(p.line[:0], ln...)
		p.parseArgs(o.kind, trimBlankLeft(p.line[len(o.name):]))
	}
	if cap(p.pay) < need {
		p.pay = make([]byte, 0, need)
	}
	p.pay = append(p.pay[:0], rest...)
	p.need = need
	p.state = statePayload
	return n + len(rest), nil, nil
}

// payload collects the rest of a split payload.
func (p *Parser) payload(buf []byte) (int, *Op, error) {
	k := min(p.need-len(p.pay), len(buf))
	p.pay = append(p.pay, buf[:k]...)
	if len(p.pay) < p.need {
		return k, nil, nil
	}
	size := p.need - 2
	if p.pay[size] != '\r' || p.pay[size+1] != '\n' {
		return p.fail(ErrUnknownOp)
	}
	p.op.Payload = p.pay[:size:size]
	p.state = stateStart
	p.line = p.line[:0]
	if cap(p.pay) > bigScratch {
		p.pay = nil // op.Payload keeps the array alive as long as needed
	} else {
		p.pay = p.pay[:0]
	}
	return k, &p.op, nil
}

// AtOpStart reports whether the next input byte starts a new op (no
// partial control line or payload is held).
func (p *Parser) AtOpStart() bool {
	return p.state == stateStart && len(p.line) == 0 && p.err == nil
}
