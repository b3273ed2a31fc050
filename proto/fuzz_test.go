package proto

import (
	"reflect"
	"strings"
	"testing"
)

// The reference parser below is deliberately simple and slow: it works on
// strings, one complete line at a time, with the rules written out as
// plainly as possible (see reference_test.go for where each rule comes
// from). The real Parser must agree with it on every input, however split.

type refOp struct {
	name string
	kind OpKind
	how  string // "sep": blank then args; "raw": rest of line is Arg; "skip": rest ignored
}

var refOps = map[Mode][]refOp{
	ModeClient: {{"PUB", OpPub, "sep"}, {"HPUB", OpHPub, "sep"}, {"SUB", OpSub, "sep"}, {"UNSUB", OpUnsub, "sep"},
		{"PING", OpPing, "skip"}, {"PONG", OpPong, "skip"}, {"+OK", OpOK, "skip"},
		{"CONNECT", OpConnect, "raw"}, {"INFO", OpInfo, "raw"}, {"-ERR", OpErr, "raw"}},
	ModeRoute: {{"RMSG", OpRMsg, "sep"}, {"HMSG", OpRHMsg, "sep"}, {"RS+", OpRSub, "sep"}, {"RS-", OpRUnsub, "sep"},
		{"PING", OpPing, "skip"}, {"PONG", OpPong, "skip"}, {"+OK", OpOK, "skip"},
		{"CONNECT", OpConnect, "raw"}, {"INFO", OpInfo, "raw"}, {"-ERR", OpErr, "raw"}},
	ModeServer: {{"MSG", OpMsg, "sep"}, {"HMSG", OpHMsg, "sep"},
		{"PING", OpPing, "skip"}, {"PONG", OpPong, "skip"}, {"+OK", OpOK, "skip"},
		{"INFO", OpInfo, "raw"}, {"-ERR", OpErr, "raw"}},
}

// refMatch: the op a complete line starts with, or ok=false.
func refMatch(mode Mode, line string) (refOp, bool) {
	up := asciiUpper(line)
	for _, o := range refOps[mode] {
		if !strings.HasPrefix(up, o.name) {
			continue
		}
		after := line[len(o.name):]
		if o.how == "sep" && (after == "" || (after[0] != ' ' && after[0] != '\t')) {
			continue
		}
		return o, true
	}
	return refOp{}, false
}

// refCouldMatch: whether an unfinished line can still become a valid op.
func refCouldMatch(mode Mode, part string) (refOp, bool, bool) {
	if o, ok := refMatch(mode, part); ok {
		return o, true, true
	}
	up := asciiUpper(part)
	for _, o := range refOps[mode] {
		if strings.HasPrefix(o.name, up) {
			return refOp{}, false, true
		}
	}
	return refOp{}, false, false
}

func refTooLong(line, name string, maxCL int) bool {
	arg := strings.TrimLeft(line[len(name):], " \t")
	return len(arg) > maxCL || len(line) > maxCL+controlLineSlack
}

func refParse(mode Mode, in string, maxCL, maxPayload int) result {
	var r result
	for len(in) > 0 {
		i := strings.IndexByte(in, '\n')
		if i < 0 { // unfinished line: only a certain error counts
			part := strings.TrimSuffix(in, "\r")
			o, matched, could := refCouldMatch(mode, part)
			switch {
			case !could:
				r.Err = ErrUnknownOp
			case matched && o.how != "skip" && refTooLong(part, o.name, maxCL):
				r.Err = ErrMaxControlLine
			}
			return r
		}
		line := strings.TrimSuffix(in[:i], "\r")
		in = in[i+1:]
		o, ok := refMatch(mode, line)
		if !ok {
			r.Err = ErrUnknownOp
			return r
		}
		op := rec{Kind: o.kind}
		if o.how == "skip" {
			r.Ops = append(r.Ops, op)
			continue
		}
		if refTooLong(line, o.name, maxCL) {
			r.Err = ErrMaxControlLine
			return r
		}
		arg := strings.TrimLeft(line[len(o.name):], " \t")
		args := strings.FieldsFunc(arg, func(c rune) bool {
			return c == ' ' || c == '\t' || (mode == ModeRoute && c == '\r')
		})
		size, err := refArgs(&op, arg, args)
		if err != nil {
			r.Err = err
			return r
		}
		if size >= 0 {
			if size > maxPayload {
				r.Err = ErrMaxPayload
				return r
			}
			if len(in) < size+2 {
				return r
			}
			if in[size:size+2] != "\r\n" {
				r.Err = ErrUnknownOp
				return r
			}
			op.Payload = in[:size]
			in = in[size+2:]
		}
		r.Ops = append(r.Ops, op)
	}
	return r
}

// refArgs fills op from the arguments; it returns the payload size or -1.
func refArgs(op *rec, arg string, a []string) (int, *Error) {
	n := len(a)
	sizes := func(h, t string) (int, *Error) {
		hv, tv := refSize(h), refSize(t)
		if hv < 0 || tv < 0 || hv > tv {
			return -1, ErrBadSize
		}
		op.HdrLen = hv
		return tv, nil
	}
	size := func(s string) (int, *Error) {
		if v := refSize(s); v >= 0 {
			return v, nil
		}
		return -1, ErrBadSize
	}
	switch op.Kind {
	case OpConnect, OpInfo:
		op.Arg = strings.TrimRight(arg, " \t")
	case OpErr:
		t := strings.TrimRight(arg, " \t")
		if len(t) >= 2 && t[0] == '\'' && t[len(t)-1] == '\'' {
			t = t[1 : len(t)-1]
		}
		op.Arg = t
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
		if n == 2 && refSize(a[1]) > 0 {
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
		if n == 4 {
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

func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
	return string(b)
}

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
	f.Fuzz(func(t *testing.T, data []byte, s1, s2 uint16, m uint8) {
		const maxCL, maxPayload = 64, 256
		mode := Mode(m % 3)
		effCL := maxCL
		if mode == ModeRoute {
			effCL *= 16 // nats-server: routes get 16 x max_control_line
		}
		want := refParse(mode, string(data), effCL, maxPayload)
		p := Parser{Mode: mode, MaxControlLine: maxCL, MaxPayload: maxPayload}
		k1 := int(s1) % (len(data) + 1)
		k2 := k1 + int(s2)%(len(data)-k1+1)
		got := feed(p, data[:k1], data[k1:k2], data[k2:])
		if !reflect.DeepEqual(normal(got), normal(want)) {
			t.Fatalf("mode %v input %q split %d,%d\n got %+v\nwant %+v", mode, data, k1, k2, got, want)
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
