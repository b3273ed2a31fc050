package proto

// follow says what may come after an op name on its control line.
type follow uint8

const (
	followSep  follow = iota // a space or tab, then arguments
	followRaw                // anything: the rest of the line (leading blanks trimmed) is Arg
	followSkip               // anything: ignored up to the newline (PING, PONG, +OK)
)

type opName struct {
	name   string // upper case
	kind   OpKind
	follow follow
}

// Op tables per mode. Read-only after init.
var (
	clientOps = []opName{
		{"PUB", OpPub, followSep}, {"HPUB", OpHPub, followSep},
		{"SUB", OpSub, followSep}, {"UNSUB", OpUnsub, followSep},
		{"PING", OpPing, followSkip}, {"PONG", OpPong, followSkip},
		{"CONNECT", OpConnect, followRaw}, {"INFO", OpInfo, followRaw},
		{"+OK", OpOK, followSkip}, {"-ERR", OpErr, followRaw},
	}
	routeOps = []opName{
		{"RMSG", OpRMsg, followSep}, {"HMSG", OpRHMsg, followSep},
		{"RS+", OpRSub, followSep}, {"RS-", OpRUnsub, followSep},
		{"PING", OpPing, followSkip}, {"PONG", OpPong, followSkip},
		{"CONNECT", OpConnect, followRaw}, {"INFO", OpInfo, followRaw},
		{"+OK", OpOK, followSkip}, {"-ERR", OpErr, followRaw},
	}
	serverOps = []opName{
		{"MSG", OpMsg, followSep}, {"HMSG", OpHMsg, followSep},
		{"PING", OpPing, followSkip}, {"PONG", OpPong, followSkip},
		{"INFO", OpInfo, followRaw}, {"+OK", OpOK, followSkip},
		{"-ERR", OpErr, followRaw},
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

// match results
const (
	matchBad = iota
	matchMore
	matchOK
)

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// matchOp finds the op that line starts with. With complete false, line is
// a prefix of a control line that has not ended yet and matchMore means it
// may still become a valid op.
func matchOp(tab []opName, line []byte, complete bool) (res int, op opName) {
	res = matchBad
	for _, o := range tab {
		n := len(o.name)
		m := min(n, len(line))
		eq := true
		for i := 0; i < m; i++ {
			if lower(line[i]) != lower(o.name[i]) {
				eq = false
				break
			}
		}
		if !eq {
			continue
		}
		if len(line) < n || (len(line) == n && o.follow == followSep) {
			if !complete {
				res = matchMore
			}
			continue
		}
		if o.follow == followSep && !isBlank(line[n]) {
			continue
		}
		return matchOK, o
	}
	return res, opName{}
}

func trimBlankLeft(b []byte) []byte {
	for len(b) > 0 && isBlank(b[0]) {
		b = b[1:]
	}
	return b
}

func trimBlankRight(b []byte) []byte {
	for len(b) > 0 && isBlank(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// splitArgs appends the blank-separated fields of arg to args. Route mode
// also splits on '\r', like the reference's route argument splitter.
func splitArgs(args [][]byte, arg []byte, route bool) [][]byte {
	start := -1
	for i, c := range arg {
		if c == ' ' || c == '\t' || (route && c == '\r') {
			if start >= 0 {
				args = append(args, arg[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		args = append(args, arg[start:])
	}
	return args
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

// parseArgs fills p.op from the arguments of a control line whose op is
// kind. It returns the payload size (-1 for ops without payload).
func (p *Parser) parseArgs(kind OpKind, arg []byte) (size int, err *Error) {
	p.op = Op{Kind: kind}
	op := &p.op
	switch kind {
	case OpConnect, OpInfo:
		op.Arg = trimBlankRight(arg)
		return -1, nil
	case OpErr:
		a := trimBlankRight(arg)
		if len(a) >= 2 && a[0] == '\'' && a[len(a)-1] == '\'' {
			a = a[1 : len(a)-1]
		}
		op.Arg = a
		return -1, nil
	}
	p.args = splitArgs(p.args[:0], arg, p.Mode == ModeRoute)
	args := p.args
	switch kind {
	case OpPub:
		switch len(args) {
		case 2:
			op.Subject, size = args[0], parseSize(args[1])
		case 3:
			op.Subject, op.Reply, size = args[0], args[1], parseSize(args[2])
		default:
			return -1, ErrBadArgs
		}
		if size < 0 {
			return -1, ErrBadSize
		}
	case OpHPub:
		switch len(args) {
		case 3:
			op.Subject = args[0]
		case 4:
			op.Subject, op.Reply = args[0], args[1]
		default:
			return -1, ErrBadArgs
		}
		return p.hdrSizes(args[len(args)-2], args[len(args)-1])
	case OpSub:
		switch len(args) {
		case 2:
			op.Subject, op.SID = args[0], args[1]
		case 3:
			op.Subject, op.Queue, op.SID = args[0], args[1], args[2]
		default:
			return -1, ErrBadArgs
		}
		return -1, nil
	case OpUnsub:
		switch len(args) {
		case 1:
			op.SID = args[0]
		case 2:
			op.SID = args[0]
			op.Max = max(parseSize(args[1]), 0)
		default:
			return -1, ErrBadArgs
		}
		return -1, nil
	case OpMsg:
		switch len(args) {
		case 3:
			op.Subject, op.SID, size = args[0], args[1], parseSize(args[2])
		case 4:
			op.Subject, op.SID, op.Reply, size = args[0], args[1], args[2], parseSize(args[3])
		default:
			return -1, ErrBadArgs
		}
		if size < 0 {
			return -1, ErrBadSize
		}
	case OpHMsg:
		switch len(args) {
		case 4:
			op.Subject, op.SID = args[0], args[1]
		case 5:
			op.Subject, op.SID, op.Reply = args[0], args[1], args[2]
		default:
			return -1, ErrBadArgs
		}
		return p.hdrSizes(args[len(args)-2], args[len(args)-1])
	case OpRSub:
		switch len(args) {
		case 2:
			op.Account, op.Subject = args[0], args[1]
		case 4:
			op.Account, op.Subject, op.Queue = args[0], args[1], args[2]
			op.Max = max(parseSize(args[3]), 1)
		default:
			return -1, ErrBadArgs
		}
		return -1, nil
	case OpRUnsub:
		switch len(args) {
		case 2:
			op.Account, op.Subject = args[0], args[1]
		case 3:
			op.Account, op.Subject, op.Queue = args[0], args[1], args[2]
		default:
			return -1, ErrBadArgs
		}
		return -1, nil
	case OpRMsg, OpRHMsg:
		nsz := 1 // trailing size arguments
		if kind == OpRHMsg {
			nsz = 2
		}
		if len(args) < 2+nsz {
			return -1, ErrBadArgs
		}
		op.Account, op.Subject = args[0], args[1]
		mid := args[2 : len(args)-nsz]
		switch {
		case len(mid) == 1:
			op.Reply = mid[0]
		case len(mid) > 1:
			if len(mid[0]) != 1 {
				return -1, ErrBadArgs
			}
			switch mid[0][0] {
			case '+':
				op.Reply = mid[1]
				op.Queues = mid[2:]
			case '|':
				op.Queues = mid[1:]
			default:
				return -1, ErrBadArgs
			}
			if len(op.Queues) == 0 {
				op.Queues = nil
			}
		}
		if kind == OpRHMsg {
			return p.hdrSizes(args[len(args)-2], args[len(args)-1])
		}
		size = parseSize(args[len(args)-1])
		if size < 0 {
			return -1, ErrBadSize
		}
	}
	return size, nil
}

func (p *Parser) hdrSizes(h, t []byte) (int, *Error) {
	hdr, tot := parseSize(h), parseSize(t)
	if hdr < 0 {
		return -1, ErrBadSize
	}
	if tot < 0 {
		return -1, ErrBadSize
	}
	if hdr > tot {
		return -1, ErrBadSize
	}
	p.op.HdrLen = hdr
	return tot, nil
}
