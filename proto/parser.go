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

// bigScratch: a payload scratch buffer grown beyond this is dropped once its
// op is done, so that one large split message does not pin memory on an
// otherwise idle connection.
const bigScratch = 64 << 10

type parseState uint8

const (
	stateStart   parseState = iota // at a frame boundary
	stateLine                      // p.line holds a partial control line
	stateSkip                      // after PING/PONG/+OK: ignoring bytes up to '\n'
	statePayload                   // control line parsed (args in p.line), collecting p.need bytes into p.pay
)

// Parser is a NATS protocol state machine over memory the caller owns.
// The zero value (with Mode set) is ready to use. A Parser belongs to one
// goroutine (a connection's event loop); it is not safe for concurrent use.
// Do not copy a Parser after first use.
type Parser struct {
	Mode           Mode // which ops are accepted; set before the first Next
	MaxControlLine int  // 0 = 4096; < 0 = no limit. Counts the argument; ModeRoute allows 16 times as much, as nats-server does
	MaxPayload     int  // 0 = 1048576 (ModeRoute: no limit, as nats-server); < 0 = no limit. Checked before the payload is read
	// NoHeaders makes an HPUB fail with ErrNoHeaders once its control line
	// is complete and within MaxControlLine, before its arguments are
	// read: nats-server's answer to a client that did not ask for headers
	// in CONNECT (the broker keeps it equal to !headers).
	NoHeaders bool

	state    parseState
	skipKind OpKind // op completed by the '\n' in stateSkip
	err      *Error // sticky
	need     int    // payload size + 2 (CRLF) in statePayload
	head     head   // stateLine: the line's head once known (argAt > 0)
	argAt    int    // stateLine: index in p.line of the argument's first byte, 0 while the head is incomplete
	drop     bool   // stateLine: a '\r' follows the argument's first byte
	fresh    bool   // statePayload entered during the last Next (see Pending)
	failed   bool   // the sticky error came after p.op was set up (see Failed)
	line     []byte // scratch: partial control line, or the argument of the op in statePayload
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
	p.fresh = false
	switch p.state {
	case stateSkip:
		return p.skip(buf)
	case statePayload:
		return p.payload(buf)
	case stateLine:
		return p.more(buf)
	}
	// Fast path: the whole control line is in buf.
	res, h := scanHead(opTable(p.Mode), buf)
	switch {
	case res == matchBad:
		return p.fail(ErrUnknownOp)
	case res == matchOK && h.op.follow == followSkip:
		p.state, p.skipKind = stateSkip, h.op.kind
		n, op, err := p.skip(buf[h.arg:])
		return h.arg + n, op, err
	case res == matchOK:
		if i := bytes.IndexByte(buf[h.arg+1:], '\n'); i >= 0 {
			end := h.arg + 1 + i
			return p.control(buf[:end], h.arg, h.op, buf[end+1:], end+1, false)
		}
	}
	p.state = stateLine
	return p.more(buf)
}

// skip ignores bytes up to the '\n' that completes a PING, PONG or +OK.
func (p *Parser) skip(buf []byte) (int, *Op, error) {
	i := bytes.IndexByte(buf, '\n')
	if i < 0 {
		return len(buf), nil, nil
	}
	p.state = stateStart
	p.op = Op{Kind: p.skipKind}
	return i + 1, &p.op, nil
}

// more adds buf to a control line split across calls. The head is taken a
// byte at a time, keeping one blank of a run (blanks before the argument
// do not count); the argument is taken in one piece up to the newline,
// checked against MaxControlLine before it is copied, so that p.line never
// grows past the op name, one blank and MaxControlLine+1 bytes.
func (p *Parser) more(buf []byte) (int, *Op, error) {
	n := 0
	for p.argAt == 0 {
		if n == len(buf) {
			return n, nil, nil
		}
		c := buf[n]
		n++
		if isBlank(c) && len(p.line) > 0 && isBlank(p.line[len(p.line)-1]) {
			continue
		}
		p.line = append(p.line, c)
		res, h := scanHead(opTable(p.Mode), p.line)
		switch {
		case res == matchBad:
			return p.fail(ErrUnknownOp)
		case res == matchMore:
			continue
		case h.op.follow == followSkip:
			p.line = p.line[:0]
			p.state, p.skipKind = stateSkip, h.op.kind
			k, op, err := p.skip(buf[n:])
			return n + k, op, err
		}
		p.head, p.argAt = h, h.arg
	}
	rest := buf[n:]
	i := bytes.IndexByte(rest, '\n')
	chunk := rest
	if i >= 0 {
		chunk = rest[:i]
	}
	p.drop = p.drop || bytes.IndexByte(chunk, '\r') >= 0
	count := len(p.line) - p.argAt + len(chunk)
	if p.drop {
		count--
	}
	if count > p.maxControlLine() {
		return p.fail(ErrMaxControlLine)
	}
	p.line = append(p.line, chunk...)
	if i < 0 {
		return len(buf), nil, nil
	}
	argAt := p.argAt
	p.argAt, p.drop = 0, false
	return p.control(p.line, argAt, p.head.op, rest[i+1:], n+i+1, true)
}

// Reset makes the Parser ready for a new connection, keeping its scratch
// buffers (small ones) and its settings.
func (p *Parser) Reset() {
	p.state = stateStart
	p.err, p.failed, p.fresh = nil, false, false
	p.need = 0
	p.head, p.argAt, p.drop = head{}, 0, false
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

// failOp fails after p.op describes the control line read (see Failed).
func (p *Parser) failOp(e *Error) (int, *Op, error) {
	p.failed = true
	return p.fail(e)
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

func (p *Parser) maxPayload() int {
	switch {
	case p.MaxPayload < 0, p.MaxPayload == 0 && p.Mode == ModeRoute:
		return int(^uint(0) >> 2)
	case p.MaxPayload == 0:
		return DefaultMaxPayload
	}
	return p.MaxPayload
}

// argument cuts the argument out of a complete control line (without its
// '\n') whose argument starts at at: when a '\r' follows the first byte,
// the last byte goes, whatever it is (nats-server's drop rule).
func argument(line []byte, at int) []byte {
	arg := line[at:]
	if n := len(arg); n > 1 && (arg[n-1] == '\r' || bytes.IndexByte(arg[1:], '\r') >= 0) {
		return arg[:n-1]
	}
	return arg
}

// control handles a complete control line (without its '\n') of op o whose
// argument starts at at; rest is the input after the '\n' and n the bytes
// consumed through it. owned says that line lives in p.line.
func (p *Parser) control(line []byte, at int, o *opName, rest []byte, n int, owned bool) (int, *Op, error) {
	arg := argument(line, at)
	if len(arg) > p.maxControlLine() {
		return p.fail(ErrMaxControlLine)
	}
	if o.kind == OpHPub && p.NoHeaders {
		return p.fail(ErrNoHeaders)
	}
	p.op = Op{Kind: o.kind, Arg: arg}
	size, e := o.read(p, arg)
	if e != nil {
		return p.failOp(e)
	}
	p.state = stateStart
	if size < 0 {
		p.line = p.line[:0]
		return n, &p.op, nil
	}
	if size > p.maxPayload() {
		return p.failOp(ErrMaxPayload)
	}
	need := size + 2
	if badEnd(rest, size) {
		return p.failOp(ErrUnknownOp)
	}
	if len(rest) >= need {
		p.op.Payload = rest[:size:size]
		p.line = p.line[:0]
		return n + need, &p.op, nil
	}
	// The payload is split across calls: keep the argument in scratch
	// (read again there so that the op's slices point into it) and collect
	// the payload.
	if !owned {
		p.line = append(p.line[:0], arg...)
		p.op = Op{Kind: o.kind, Arg: p.line}
		o.read(p, p.line)
	}
	if cap(p.pay) < need {
		p.pay = make([]byte, 0, need)
	}
	p.pay = append(p.pay[:0], rest...)
	p.need = need
	p.state, p.fresh = statePayload, true
	return n + len(rest), nil, nil
}

// payload collects the rest of a split payload.
func (p *Parser) payload(buf []byte) (int, *Op, error) {
	k := min(p.need-len(p.pay), len(buf))
	p.pay = append(p.pay, buf[:k]...)
	size := p.need - 2
	if badEnd(p.pay, size) {
		return p.failOp(ErrUnknownOp)
	}
	if len(p.pay) < p.need {
		return k, nil, nil
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

// Failed returns, after an error found in a control line's arguments or
// after them (ErrBadArgs, ErrBadSize, ErrMaxPayload, or ErrUnknownOp for
// a payload not followed by "\r\n"), the op that line started: Kind and
// Arg always, the other fields as far as they were read (all of them but
// Payload for the last two). nats-server handles a PUB's control line
// before it looks at the payload (-ERR 'Invalid Publish Subject' comes
// before 'Unknown Protocol Operation') and logs refused arguments
// (`processPub Parse Error: "foo"`). Nil after any other outcome; valid
// as long as the slices of an op returned by the failing call would be.
func (p *Parser) Failed() *Op {
	if p.err == nil || !p.failed {
		return nil
	}
	return &p.op
}

// Pending returns the op whose control line has been read and whose
// payload is being collected (no Payload yet; valid until the next Next or
// Reset), or nil. fresh reports that its control line ended during the
// last call to Next. nats-server, when a read ends inside a payload whose
// control line ended in that read, reads that line again (clonePubArg):
// a pedantic client whose PUB to "foo.*" is split there gets -ERR
// 'Invalid Publish Subject' twice; the broker can do the same when fresh.
func (p *Parser) Pending() (op *Op, fresh bool) {
	if p.state != statePayload || p.err != nil {
		return nil, false
	}
	return &p.op, p.fresh
}

// PayloadHave returns, while a payload is being collected (Pending), how
// many of its bytes (with the final CRLF) have arrived and how many it
// needs in all; 0, 0 otherwise.
func (p *Parser) PayloadHave() (have, need int) {
	if p.state != statePayload {
		return 0, 0
	}
	return len(p.pay), p.need
}

// badEnd reports whether b, the input after a control line, has something
// else than "\r\n" right after the size bytes of payload, as far as b goes
// (nats-server fails at the first wrong byte, before the frame is whole).
func badEnd(b []byte, size int) bool {
	return len(b) > size && b[size] != '\r' || len(b) > size+1 && b[size+1] != '\n'
}

// AtOpStart reports whether the next input byte starts a new op (no
// partial control line or payload is held).
func (p *Parser) AtOpStart() bool {
	return p.state == stateStart && p.err == nil
}
