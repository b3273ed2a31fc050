package proto

// follow says what may come between an op name and its argument.
type follow uint8

const (
	followSep  follow = iota // at least one blank, then the argument (PUB, SUB, -ERR, …)
	followRaw                // any blanks, even none, then the argument (CONNECT, INFO)
	followSkip               // no argument: everything up to the newline is ignored (PING, PONG, +OK)
)

// reader fills p.op from the argument of one op and returns the payload
// size (-1 for an op without payload). p.op holds Kind and Arg already.
type reader func(p *Parser, arg []byte) (size int, err *Error)

type opName struct {
	name   string // upper case; no name is a prefix of another in a table
	kind   OpKind
	follow follow
	read   reader // nil for followSkip
}

// Op tables per mode. Read-only.
var (
	clientOps = []opName{
		{"PUB", OpPub, followSep, readPub}, {"HPUB", OpHPub, followSep, readHPub},
		{"SUB", OpSub, followSep, readSub}, {"UNSUB", OpUnsub, followSep, readUnsub},
		{"PING", OpPing, followSkip, nil}, {"PONG", OpPong, followSkip, nil},
		{"CONNECT", OpConnect, followRaw, readRaw}, {"INFO", OpInfo, followRaw, readRaw},
		{"+OK", OpOK, followSkip, nil}, {"-ERR", OpErr, followSep, readRaw},
		{"HMSG", OpHMsg, followSep, readClientHMsg},
	}
	routeOps = []opName{
		{"RMSG", OpRMsg, followSep, readRMsg}, {"HMSG", OpRHMsg, followSep, readRHMsg},
		{"RS+", OpRSub, followSep, readRSub}, {"RS-", OpRUnsub, followSep, readRUnsub},
		{"PING", OpPing, followSkip, nil}, {"PONG", OpPong, followSkip, nil},
		{"CONNECT", OpConnect, followRaw, readRaw}, {"INFO", OpInfo, followRaw, readRaw},
		{"+OK", OpOK, followSkip, nil}, {"-ERR", OpErr, followSep, readRaw},
	}
	serverOps = []opName{
		{"MSG", OpMsg, followSep, readMsg}, {"HMSG", OpHMsg, followSep, readHMsg},
		{"PING", OpPing, followSkip, nil}, {"PONG", OpPong, followSkip, nil},
		{"INFO", OpInfo, followRaw, readRaw}, {"+OK", OpOK, followSkip, nil},
		{"-ERR", OpErr, followSep, readRaw},
	}
)

func opTable(m Mode) []opName {
	switch m {
	case ModeRoute:
		return routeOps
	case ModeServer:
		return serverOps
	}
	return clientOps
}

// scanHead results
const (
	matchBad  = iota // no op of the table can start this way
	matchMore        // the head is not complete yet
	matchOK
)

// head is what the start of a control line says: its op, and the index of
// the argument's first byte (for followSkip, the end of the name).
type head struct {
	op  *opName
	arg int
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// scanHead reads the head of a control line from b: the op name (any
// case), then the blanks after it, then the argument's first byte, which
// is taken whatever it is, even '\r' or '\n' (nats-server's state machine
// does not look at it). It returns matchBad as soon as a byte rules out
// every op, matchMore while b ends inside the head.
func scanHead(tab []opName, b []byte) (int, head) {
	res := matchBad
	for i := range tab {
		o := &tab[i]
		n := len(o.name)
		m := min(n, len(b))
		eq := true
		for j := 0; j < m && eq; j++ {
			eq = lower(b[j]) == lower(o.name[j])
		}
		switch {
		case !eq:
			continue
		case len(b) < n:
			res = matchMore
			continue
		}
		return afterName(o, b) // the only op this can be
	}
	return res, head{}
}

// afterName reads the blanks after a complete op name and finds the
// argument's first byte.
func afterName(o *opName, b []byte) (int, head) {
	k := len(o.name)
	switch o.follow {
	case followSkip:
		return matchOK, head{o, k}
	case followSep:
		if k == len(b) {
			return matchMore, head{}
		}
		if !isBlank(b[k]) {
			return matchBad, head{}
		}
		k++
	}
	for k < len(b) && isBlank(b[k]) {
		k++
	}
	if k == len(b) {
		return matchMore, head{}
	}
	return matchOK, head{o, k}
}

// Separator classes for fields: sepBlank for every split, sepCtl only
// with ctl. Read-only.
const (
	sepBlank = 1
	sepCtl   = 2
)

var sepClass = [256]uint8{' ': sepBlank, '\t': sepBlank, '\r': sepCtl, '\n': sepCtl}

// fields splits arg into p.args: on runs of spaces and tabs, and with ctl
// also of '\r' and '\n' (nats-server's PUB and HPUB split on blanks only,
// so '\r' and '\n' are subject bytes there; SUB, UNSUB, MSG and the route
// ops split on all four).
func (p *Parser) fields(arg []byte, ctl bool) [][]byte {
	mask := uint8(sepBlank)
	if ctl {
		mask |= sepCtl
	}
	a := p.args[:0]
	start := -1
	for i, c := range arg {
		if sepClass[c]&mask != 0 {
			if start >= 0 {
				a = append(a, arg[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		a = append(a, arg[start:])
	}
	p.args = a
	return a
}

// parseSize parses 1 to 9 decimal digits; anything else is -1.
func parseSize(d []byte) int {
	if len(d) == 0 || len(d) > 9 {
		return -1
	}
	n := 0
	for _, c := range d {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// readRaw: CONNECT, INFO, -ERR carry their argument as it is (Op.Arg).
func readRaw(*Parser, []byte) (int, *Error) { return -1, nil }

// readPub: PUB subject [reply] size.
func readPub(p *Parser, arg []byte) (int, *Error) { return p.message(p.fields(arg, false), false, 1) }

// readHPub: HPUB subject [reply] hdr total.
func readHPub(p *Parser, arg []byte) (int, *Error) { return p.message(p.fields(arg, false), false, 2) }

// readMsg: MSG subject sid [reply] size (ModeServer).
func readMsg(p *Parser, arg []byte) (int, *Error) { return p.message(p.fields(arg, true), true, 1) }

// readHMsg: HMSG subject sid [reply] hdr total (ModeServer).
func readHMsg(p *Parser, arg []byte) (int, *Error) { return p.message(p.fields(arg, true), true, 2) }

// message reads subject, the sid when withSID, an optional reply and nsz
// trailing sizes (1: size; 2: header and total size) from the fields a.
func (p *Parser) message(a [][]byte, withSID bool, nsz int) (int, *Error) {
	op := &p.op
	k := 1 // fields before the reply
	if withSID {
		k = 2
	}
	switch len(a) - k - nsz {
	case 0:
	case 1:
		op.Reply = a[k]
	default:
		return -1, ErrBadArgs
	}
	op.Subject = a[0]
	if withSID {
		op.SID = a[1]
	}
	if nsz == 1 {
		return p.size(a[len(a)-1])
	}
	return p.sizes(a[len(a)-2], a[len(a)-1])
}

// readSub: SUB subject [queue] sid.
func readSub(p *Parser, arg []byte) (int, *Error) {
	a := p.fields(arg, true)
	op := &p.op
	switch len(a) {
	case 2:
	case 3:
		op.Queue = a[1]
	default:
		return -1, ErrBadArgs
	}
	op.Subject, op.SID = a[0], a[len(a)-1]
	return -1, nil
}

// readUnsub: UNSUB sid [max]. A max that is not a size means none, as in
// nats-server (the subscription goes at once).
func readUnsub(p *Parser, arg []byte) (int, *Error) {
	a := p.fields(arg, true)
	switch len(a) {
	case 1:
	case 2:
		p.op.Max = max(parseSize(a[1]), 0)
	default:
		return -1, ErrBadArgs
	}
	p.op.SID = a[0]
	return -1, nil
}

// readClientHMsg: nats-server reads a client's HMSG without looking at its
// arguments and takes it as a message of size 0 to no subject (so it must
// be followed by "\r\n").
func readClientHMsg(*Parser, []byte) (int, *Error) { return 0, nil }

// readRSub: RS+ account subject [queue weight]; a weight that is not a
// positive size counts as 1.
func readRSub(p *Parser, arg []byte) (int, *Error) {
	a := p.fields(arg, true)
	op := &p.op
	switch len(a) {
	case 2:
	case 4:
		op.Queue, op.Max = a[2], max(parseSize(a[3]), 1)
	default:
		return -1, ErrBadArgs
	}
	op.Account, op.Subject = a[0], a[1]
	return -1, nil
}

// readRUnsub: RS- account subject [queue].
func readRUnsub(p *Parser, arg []byte) (int, *Error) {
	a := p.fields(arg, true)
	op := &p.op
	switch len(a) {
	case 2:
	case 3:
		op.Queue = a[2]
	default:
		return -1, ErrBadArgs
	}
	op.Account, op.Subject = a[0], a[1]
	return -1, nil
}

// readRMsg: RMSG account subject [reply | + reply queues… | \| queues…] size.
func readRMsg(p *Parser, arg []byte) (int, *Error) {
	if e := p.routed(arg, 1); e != nil {
		return -1, e
	}
	return p.size(p.args[len(p.args)-1])
}

// readRHMsg: route HMSG, as RMSG with hdr and total sizes.
func readRHMsg(p *Parser, arg []byte) (int, *Error) {
	if e := p.routed(arg, 2); e != nil {
		return -1, e
	}
	a := p.args
	return p.sizes(a[len(a)-2], a[len(a)-1])
}

// routed reads what RMSG and route HMSG share: account, subject, and the
// reply and queues between the subject and the nsz trailing sizes.
func (p *Parser) routed(arg []byte, nsz int) *Error {
	a := p.fields(arg, true)
	if len(a) < 2+nsz {
		return ErrBadArgs
	}
	op := &p.op
	op.Account, op.Subject = a[0], a[1]
	mid := a[2 : len(a)-nsz]
	if len(mid) <= 1 {
		if len(mid) == 1 {
			op.Reply = mid[0]
		}
		return nil
	}
	if len(mid[0]) != 1 {
		return ErrBadArgs
	}
	switch mid[0][0] {
	case '+':
		op.Reply, op.Queues = mid[1], mid[2:]
	case '|':
		op.Queues = mid[1:]
	default:
		return ErrBadArgs
	}
	if len(op.Queues) == 0 {
		op.Queues = nil
	}
	return nil
}

// size takes the payload size token of a PUB, MSG or RMSG.
func (p *Parser) size(tok []byte) (int, *Error) {
	n := parseSize(tok)
	if n < 0 {
		return -1, ErrBadSize
	}
	p.op.SizeTok = tok
	return n, nil
}

// sizes takes the header and total size tokens of an HPUB or HMSG.
func (p *Parser) sizes(h, t []byte) (int, *Error) {
	hdr, tot := parseSize(h), parseSize(t)
	if hdr < 0 || tot < 0 || hdr > tot {
		return -1, ErrBadSize
	}
	p.op.HdrLen, p.op.HdrTok, p.op.SizeTok = hdr, h, t
	return tot, nil
}
