package proto

const (
	defaultMaxControlLine = 4096
	defaultMaxPayload     = 1 << 20
	maxArgs               = maxQueues + 8
)

// Parser is the protocol state machine of one connection. Set Mode and the
// limits before the first Next; the zero value parses client ops with the
// default limits.
type Parser struct {
	Mode           Mode
	MaxControlLine int // 0 = 4096
	MaxPayload     int // 0 = 1 MiB; checked before the payload is read

	op      Op
	err     *Error
	pending []byte // a frame split across calls; reused
	need    int    // total length of the pending frame once its line is complete
	release bool   // pending holds the frame returned last time
	args    [maxArgs][]byte
}

// Reset forgets any partial frame and a sticky error. Mode and limits stay.
func (p *Parser) Reset() {
	p.pending = p.pending[:0]
	p.need = 0
	p.release = false
	p.err = nil
	p.op = Op{}
}

// Next consumes input. It returns how many bytes of buf it consumed and the
// op it completed, or nil when it consumed all of buf without completing
// one. The op and its slices are valid until the next Next or Reset. The
// first error is sticky: every later call returns it.
func (p *Parser) Next(buf []byte) (n int, op *Op, err error) {
	if p.err != nil {
		return 0, nil, p.err
	}
	if p.release {
		p.pending = p.pending[:0]
		p.need = 0
		p.release = false
	}
	if len(p.pending) == 0 {
		if len(buf) == 0 {
			return 0, nil, nil
		}
		op, flen, need, e := p.frame(buf)
		if e != nil {
			p.err = e
			return 0, nil, e
		}
		if flen > 0 {
			return flen, op, nil
		}
		// Incomplete: all of buf belongs to this frame.
		p.pending = append(p.pending, buf...)
		p.need = need
		return len(buf), nil, nil
	}
	return p.continuePending(buf)
}

// continuePending adds bytes to a frame that started in an earlier call.
func (p *Parser) continuePending(buf []byte) (int, *Op, error) {
	taken := 0
	if p.need == 0 { // the control line is not complete yet
		i := indexLF(buf)
		if i < 0 {
			p.pending = append(p.pending, buf...)
			if len(p.pending) > p.maxControlLine() {
				p.err = ErrMaxControlLine
				return len(buf), nil, p.err
			}
			return len(buf), nil, nil
		}
		p.pending = append(p.pending, buf[:i+1]...)
		taken = i + 1
		op, flen, need, e := p.frame(p.pending)
		if e != nil {
			p.err = e
			return taken, nil, e
		}
		if flen > 0 {
			p.release = true
			return taken, op, nil
		}
		p.need = need
	}
	want := p.need - len(p.pending)
	if rest := len(buf) - taken; want > rest {
		p.pending = append(p.pending, buf[taken:]...)
		return len(buf), nil, nil
	}
	p.pending = append(p.pending, buf[taken:taken+want]...)
	taken += want
	op, flen, _, e := p.frame(p.pending)
	if e != nil {
		p.err = e
		return taken, nil, e
	}
	if flen == 0 { // cannot happen: the frame is complete
		p.err = ErrUnknownOp
		return taken, nil, p.err
	}
	p.release = true
	return taken, op, nil
}

func (p *Parser) maxControlLine() int {
	if p.MaxControlLine > 0 {
		return p.MaxControlLine
	}
	return defaultMaxControlLine
}

func (p *Parser) maxPayload() int {
	if p.MaxPayload > 0 {
		return p.MaxPayload
	}
	return defaultMaxPayload
}

// frame parses one frame at the start of b. It returns the op and the
// frame's length when b holds all of it; otherwise flen is 0 and need is
// the frame's total length when the control line is complete (0 when not).
func (p *Parser) frame(b []byte) (op *Op, flen, need int, err *Error) {
	i := indexLF(b)
	if i < 0 {
		if len(b) > p.maxControlLine() {
			return nil, 0, 0, ErrMaxControlLine
		}
		return nil, 0, 0, nil
	}
	line := b[:i]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if len(line) > p.maxControlLine() {
		return nil, 0, 0, ErrMaxControlLine
	}
	name, rest := cutToken(line)
	kind := p.lookup(name)
	o := &p.op
	*o = Op{Kind: kind}
	size := -1
	switch kind {
	case OpNone:
		return nil, 0, 0, ErrUnknownOp
	case OpPing, OpPong, OpOK:
	case OpConnect, OpInfo:
		o.Arg = trimRight(rest)
	case OpErr:
		o.Arg = trimQuotes(rest)
	case OpPub:
		size, err = p.pubArgs(o, rest)
	case OpHPub:
		size, err = p.hpubArgs(o, rest)
	case OpSub:
		err = p.subArgs(o, rest)
	case OpUnsub:
		err = p.unsubArgs(o, rest)
	case OpMsg:
		size, err = p.msgArgs(o, rest, false)
	case OpHMsg:
		if p.Mode == ModeRoute {
			o.Kind = OpRHMsg
			size, err = p.rmsgArgs(o, rest, true)
		} else {
			size, err = p.msgArgs(o, rest, true)
		}
	case OpRMsg:
		size, err = p.rmsgArgs(o, rest, false)
	case OpRSub, OpRUnsub:
		err = p.rsubArgs(o, rest, kind == OpRSub)
	}
	if err != nil {
		return nil, 0, 0, err
	}
	if size < 0 {
		return o, i + 1, 0, nil
	}
	if size > p.maxPayload() {
		return nil, 0, 0, ErrMaxPayload
	}
	total := i + 1 + size + 2
	if len(b) < total {
		return nil, 0, total, nil
	}
	if b[total-2] != '\r' || b[total-1] != '\n' {
		return nil, 0, 0, ErrUnknownOp
	}
	o.Payload = b[i+1 : i+1+size]
	return o, total, 0, nil
}

// lookup maps an op name (any case) to its kind in the parser's mode.
func (p *Parser) lookup(name []byte) OpKind {
	var k OpKind
	switch len(name) {
	case 3:
		switch {
		case eqFold(name, "PUB"):
			k = OpPub
		case eqFold(name, "SUB"):
			k = OpSub
		case eqFold(name, "MSG"):
			k = OpMsg
		case eqFold(name, "+OK"):
			k = OpOK
		case eqFold(name, "RS+"):
			k = OpRSub
		case eqFold(name, "RS-"):
			k = OpRUnsub
		}
	case 4:
		switch {
		case eqFold(name, "PING"):
			k = OpPing
		case eqFold(name, "PONG"):
			k = OpPong
		case eqFold(name, "HPUB"):
			k = OpHPub
		case eqFold(name, "HMSG"):
			k = OpHMsg
		case eqFold(name, "INFO"):
			k = OpInfo
		case eqFold(name, "-ERR"):
			k = OpErr
		case eqFold(name, "RMSG"):
			k = OpRMsg
		}
	case 5:
		if eqFold(name, "UNSUB") {
			k = OpUnsub
		}
	case 7:
		if eqFold(name, "CONNECT") {
			k = OpConnect
		}
	}
	if !p.allowed(k) {
		return OpNone
	}
	return k
}

// allowed reports whether mode p.Mode accepts ops of kind k.
func (p *Parser) allowed(k OpKind) bool {
	switch k {
	case OpNone:
		return false
	case OpPing, OpPong, OpOK, OpErr, OpInfo:
		return true
	case OpConnect:
		return p.Mode != ModeServer
	case OpPub, OpHPub, OpSub, OpUnsub:
		return p.Mode == ModeClient
	case OpMsg:
		return p.Mode == ModeServer
	case OpHMsg:
		return p.Mode == ModeServer || p.Mode == ModeRoute
	case OpRMsg, OpRSub, OpRUnsub:
		return p.Mode == ModeRoute
	}
	return false
}
