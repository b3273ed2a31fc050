package proto

import (
	"reflect"
	"strings"
	"testing"
)

// The reference parser below is deliberately simple and slow: it reads one
// byte at a time, as nats-server 2.15.2's client.parse does when a whole
// stream arrives in one read, with the rules written out as plainly as
// possible (reference_test.go records the probes that confirm them). It
// shares no code with the Parser, which is line-based; they must agree on
// every input, however split.

type refOp struct {
	name string
	kind OpKind
	how  string // "sep": a blank, blanks, argument; "raw": blanks, argument; "skip": ignored up to '\n'
}

// refOps: the op names each side accepts (parser.go's OP_START switch and
// its per-kind guards: a client may not send R…, A…, L…, or MSG; HMSG from
// a client is read, see refArgs).
var refOps = map[Mode][]refOp{
	ModeClient: {{"PUB", OpPub, "sep"}, {"HPUB", OpHPub, "sep"}, {"SUB", OpSub, "sep"}, {"UNSUB", OpUnsub, "sep"},
		{"PING", OpPing, "skip"}, {"PONG", OpPong, "skip"}, {"+OK", OpOK, "skip"},
		{"CONNECT", OpConnect, "raw"}, {"INFO", OpInfo, "raw"}, {"-ERR", OpErr, "sep"}, {"HMSG", OpHMsg, "sep"}},
	ModeRoute: {{"RMSG", OpRMsg, "sep"}, {"HMSG", OpRHMsg, "sep"}, {"RS+", OpRSub, "sep"}, {"RS-", OpRUnsub, "sep"},
		{"PING", OpPing, "skip"}, {"PONG", OpPong, "skip"}, {"+OK", OpOK, "skip"},
		{"CONNECT", OpConnect, "raw"}, {"INFO", OpInfo, "raw"}, {"-ERR", OpErr, "sep"}},
	ModeServer: {{"MSG", OpMsg, "sep"}, {"HMSG", OpHMsg, "sep"},
		{"PING", OpPing, "skip"}, {"PONG", OpPong, "skip"}, {"+OK", OpOK, "skip"},
		{"INFO", OpInfo, "raw"}, {"-ERR", OpErr, "sep"}},
}

type refLimits struct {
	maxCL, maxPayload int
	noHeaders         bool
}

// refParse parses in; an unfinished frame at the end is not an error
// unless its bytes so far already are one.
func refParse(mode Mode, in string, lim refLimits) result {
	var r result
	for i := 0; i < len(in); {
		// The op name, any case, byte by byte: the first byte that no op
		// name of the mode can continue with is an Unknown Protocol
		// Operation (OP_START, OP_P, OP_PU, … each fail on anything else).
		var o refOp
		name := ""
		for o.name == "" {
			if i == len(in) {
				return r
			}
			name += strings.ToUpper(string(in[i]))
			i++
			could := false
			for _, c := range refOps[mode] {
				if strings.HasPrefix(c.name, name) {
					could = true
					if c.name == name {
						o = c
					}
				}
			}
			if !could {
				r.Err = ErrUnknownOp
				return r
			}
		}
		op := rec{Kind: o.kind}
		if o.how == "skip" { // OP_PING etc. wait for '\n' and ignore the rest
			j := strings.IndexByte(in[i:], '\n')
			if j < 0 {
				return r
			}
			i += j + 1
			r.Ops = append(r.Ops, op)
			continue
		}
		// OP_PUB etc. need one blank; OP_PUB_SPC and OP_CONNECT skip blanks.
		if o.how == "sep" {
			if i == len(in) {
				return r
			}
			if in[i] != ' ' && in[i] != '\t' {
				r.Err = ErrUnknownOp
				return r
			}
		}
		for i < len(in) && (in[i] == ' ' || in[i] == '\t') {
			i++
		}
		if i == len(in) {
			return r
		}
		// The first other byte starts the argument, unseen (c.as = i);
		// in the ARG state each '\r' sets drop, and the '\n' ends it:
		// arg = buf[as : i-drop].
		as, drop := i, 0
		for i++; i < len(in) && in[i] != '\n'; i++ {
			if in[i] == '\r' {
				drop = 1
			}
		}
		if i == len(in) { // split buffer: the partial argument is checked too
			if len(in)-drop-as > lim.maxCL {
				r.Err = ErrMaxControlLine
			}
			return r
		}
		arg := in[as : i-drop]
		i++
		if len(arg) > lim.maxCL { // overMaxControlLineLimit, before the op's own checks
			r.Err = ErrMaxControlLine
			return r
		}
		if o.kind == OpHPub && lim.noHeaders { // processHeaderPub checks c.headers first
			r.Err = ErrNoHeaders
			return r
		}
		op.Arg = arg
		size, err := refArgs(mode, &op, arg)
		if err == nil && size > lim.maxPayload {
			err = ErrMaxPayload
		}
		if err != nil {
			r.Err = err
			return r
		}
		if size >= 0 { // MSG_PAYLOAD, then MSG_END_R wants '\r', MSG_END_N '\n'
			for k, want := range []byte{'\r', '\n'} {
				if i+size+k < len(in) && in[i+size+k] != want {
					r.Err = ErrUnknownOp
					return r
				}
			}
			if i+size+2 > len(in) {
				return r
			}
			op.Payload = in[i : i+size]
			i += size + 2
		}
		r.Ops = append(r.Ops, op)
	}
	return r
}

// refArgs fills op from its argument; it returns the payload size or -1.
// PUB and HPUB split on blanks only (processPub, processHeaderPub); SUB,
// UNSUB, MSG and the route ops also on '\r' and '\n' (splitArg,
// processRoutedMsgArgs, processRemoteSub, …).
func refArgs(mode Mode, op *rec, arg string) (int, *Error) {
	a := strings.FieldsFunc(arg, func(c rune) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' })
	if op.Kind == OpPub || op.Kind == OpHPub {
		a = strings.FieldsFunc(arg, func(c rune) bool { return c == ' ' || c == '\t' })
	}
	n := len(a)
	sizes := func(h, t string) (int, *Error) {
		hv, tv := refSize(h), refSize(t)
		if hv < 0 || tv < 0 || hv > tv {
			return -1, ErrBadSize
		}
		op.HdrLen, op.HdrTok, op.SizeTok = hv, h, t
		return tv, nil
	}
	size := func(s string) (int, *Error) {
		if v := refSize(s); v >= 0 {
			op.SizeTok = s
			return v, nil
		}
		return -1, ErrBadSize
	}
	switch op.Kind {
	case OpConnect, OpInfo, OpErr: // processConnect/processInfo/processErr take arg whole
	case OpPub:
		if n == 2 {
			op.Subject = a[0]
			return size(a[1])
		}
		if n == 3 {
			op.Subject, op.Reply = a[0], a[1]
			return size(a[2])
		}
		return -1, ErrBadArgs
	case OpHPub:
		if n == 3 {
			op.Subject = a[0]
			return sizes(a[1], a[2])
		}
		if n == 4 {
			op.Subject, op.Reply = a[0], a[1]
			return sizes(a[2], a[3])
		}
		return -1, ErrBadArgs
	case OpSub:
		if n == 2 {
			op.Subject, op.SID = a[0], a[1]
		} else if n == 3 {
			op.Subject, op.Queue, op.SID = a[0], a[1], a[2]
		} else {
			return -1, ErrBadArgs
		}
	case OpUnsub:
		if n < 1 || n > 2 {
			return -1, ErrBadArgs
		}
		op.SID = a[0]
		if n == 2 && refSize(a[1]) > 0 { // processUnsub: a bad max is -1, "no max"
			op.Max = refSize(a[1])
		}
	case OpMsg:
		if n == 3 {
			op.Subject, op.SID = a[0], a[1]
			return size(a[2])
		}
		if n == 4 {
			op.Subject, op.SID, op.Reply = a[0], a[1], a[2]
			return size(a[3])
		}
		return -1, ErrBadArgs
	case OpHMsg:
		if mode == ModeClient {
			// A client's HMSG: HMSG_ARG calls nothing for a CLIENT, so
			// the payload size stays 0 and the args are never looked at.
			return 0, nil
		}
		if n == 4 {
			op.Subject, op.SID = a[0], a[1]
			return sizes(a[2], a[3])
		}
		if n == 5 {
			op.Subject, op.SID, op.Reply = a[0], a[1], a[2]
			return sizes(a[3], a[4])
		}
		return -1, ErrBadArgs
	case OpRSub:
		if n != 2 && n != 4 {
			return -1, ErrBadArgs
		}
		op.Account, op.Subject = a[0], a[1]
		if n == 4 { // a weight below 1 counts as 1
			op.Queue, op.Max = a[2], max(refSize(a[3]), 1)
		}
	case OpRUnsub:
		if n != 2 && n != 3 {
			return -1, ErrBadArgs
		}
		op.Account, op.Subject = a[0], a[1]
		if n == 3 {
			op.Queue = a[2]
		}
	case OpRMsg, OpRHMsg:
		k := 1
		if op.Kind == OpRHMsg {
			k = 2
		}
		if n < 2+k {
			return -1, ErrBadArgs
		}
		op.Account, op.Subject = a[0], a[1]
		mid := a[2 : n-k]
		if len(mid) == 1 {
			op.Reply = mid[0]
		} else if len(mid) > 1 {
			switch mid[0] {
			case "+":
				op.Reply, op.Queues = mid[1], strings.Join(mid[2:], ",")
			case "|":
				op.Queues = strings.Join(mid[1:], ",")
			default:
				return -1, ErrBadArgs
			}
		}
		if k == 2 {
			return sizes(a[n-2], a[n-1])
		}
		return size(a[n-1])
	}
	return -1, nil
}

// refSize is nats-server's parseSize: 1 to 9 decimal digits, else -1.
func refSize(s string) int {
	if len(s) == 0 || len(s) > 9 {
		return -1
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// FuzzParser compares the parser, fed in three pieces split anywhere, with
// the reference parser, in every mode. The seed corpus runs as a normal
// test.
func FuzzParser(f *testing.F) {
	for _, tc := range tableTests {
		f.Add([]byte(tc.in), uint16(3), uint16(7), uint8(tc.mode))
	}
	for _, tc := range referenceFacts {
		f.Add([]byte(tc.in), uint16(5), uint16(1), uint8(ModeClient))
	}
	f.Add([]byte("PUB a 3\r\nabc\r\nSUB a q 1\r\nUNSUB 1 2\r\n"), uint16(9), uint16(2), uint8(0))
	f.Add([]byte("HPUB a b 2 3\r\nxyz\r\nPING\r\n"), uint16(0), uint16(0), uint8(0))
	f.Add([]byte("CONNECT\t{\"x\" : 1}   \r\n-ERR  'oops'  \r\n"), uint16(20), uint16(3), uint8(0))
	f.Add([]byte("PUB a 300\r\n"), uint16(4), uint16(0), uint8(0))
	f.Add([]byte("sUb a 1\nPiNg\n"), uint16(1), uint16(1), uint8(0))
	f.Add([]byte("PUB "+strings.Repeat("a", 70)+" 1\r\n"), uint16(30), uint16(60), uint8(0))
	f.Add([]byte("RMSG $G a + r 1\r\nx\r\nRMSG $G a | 1\r\nx\r\n"), uint16(12), uint16(2), uint8(ModeRoute))
	f.Add([]byte("HMSG a 1 r 2 3\r\nxyz\r\n+OKfoo\r\n"), uint16(5), uint16(5), uint8(ModeServer))
	f.Add([]byte("PUB \nfoo 2\r\nhi\r\nSUB foo\r1\r\nSUB \t\nfoo 2\rx\n"), uint16(5), uint16(5), uint8(0))
	f.Add([]byte("CONNECT\n{}\r\nINFO \r\n-ERR \r\r\nHMSG \n\r\n\r\n"), uint16(8), uint16(9), uint8(0))
	f.Add([]byte("HPUB foo 012 0014\r\nNATS/1.0\r\n\r\nhi\r\n"), uint16(2), uint16(30), uint8(0x80))
	f.Add([]byte("SUB"+strings.Repeat(" ", 100)+"foo 1\r\nPUB foo 1\r\nxY"), uint16(50), uint16(60), uint8(0))
	f.Add([]byte("RS+ \n$G foo\r 1\r\nRMSG $G\nfoo 01\r\nx\r\n"), uint16(3), uint16(4), uint8(ModeRoute))
	f.Fuzz(func(t *testing.T, data []byte, s1, s2 uint16, m uint8) {
		const maxCL, maxPayload = 64, 256
		mode := Mode(m % 3)
		lim := refLimits{maxCL: maxCL, maxPayload: maxPayload, noHeaders: mode == ModeClient && m&0x80 != 0}
		if mode == ModeRoute {
			lim.maxCL *= 16 // nats-server: routes get 16 x max_control_line
		}
		want := refParse(mode, string(data), lim)
		p := Parser{Mode: mode, MaxControlLine: maxCL, MaxPayload: maxPayload, NoHeaders: lim.noHeaders}
		k1 := int(s1) % (len(data) + 1)
		k2 := k1 + int(s2)%(len(data)-k1+1)
		got := feed(p, data[:k1], data[k1:k2], data[k2:])
		if !reflect.DeepEqual(normal(got), normal(want)) {
			t.Fatalf("mode %v noHeaders %v input %q split %d,%d\n got %+v\nwant %+v", mode, lim.noHeaders, data, k1, k2, got, want)
		}
	})
}

// normal maps empty slices to nil so DeepEqual compares content.
func normal(r result) result {
	if len(r.Ops) == 0 {
		r.Ops = nil
	}
	return r
}
