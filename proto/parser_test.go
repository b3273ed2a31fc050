package proto

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// rec is a deep copy of an Op, comparable with reflect.DeepEqual.
type rec struct {
	Kind                                        OpKind
	Account, Subject, Reply, Queue, SID, Queues string
	Max, HdrLen                                 int
	HdrTok, SizeTok, Payload, Arg               string
}

func record(o *Op) rec {
	var qs []string
	for _, q := range o.Queues {
		qs = append(qs, string(q))
	}
	return rec{o.Kind, string(o.Account), string(o.Subject), string(o.Reply), string(o.Queue),
		string(o.SID), strings.Join(qs, ","), o.Max, o.HdrLen, string(o.HdrTok), string(o.SizeTok), string(o.Payload), string(o.Arg)}
}

// result is what a parse of a whole stream produced.
type result struct {
	Ops []rec
	Err *Error
}

// feed runs a fresh parser over the chunks in order.
func feed(p Parser, chunks ...[]byte) result {
	var r result
	for _, b := range chunks {
		for len(b) > 0 {
			n, op, err := p.Next(b)
			b = b[n:]
			if err != nil {
				r.Err = err.(*Error)
				return r
			}
			if op == nil {
				if len(b) != 0 {
					r.Err = &Error{Reason: "nil op with input left"}
					return r
				}
				break
			}
			r.Ops = append(r.Ops, record(op))
		}
	}
	return r
}

var tableTests = []struct {
	name string
	mode Mode
	in   string
	want []rec
	err  *Error
}{
	{"ping pong", ModeClient, "PING\r\nPONG\r\nping\npong\r\n",
		[]rec{{Kind: OpPing}, {Kind: OpPong}, {Kind: OpPing}, {Kind: OpPong}}, nil},
	{"connect", ModeClient, "CONNECT {\"verbose\":false}\r\n", []rec{{Kind: OpConnect, Arg: `{"verbose":false}`}}, nil},
	{"connect no blank", ModeClient, "CONNECT{}\r\n", []rec{{Kind: OpConnect, Arg: `{}`}}, nil},
	{"connect newline first", ModeClient, "CONNECT \n{}\r\n", []rec{{Kind: OpConnect, Arg: "\n{}"}}, nil},
	{"connect only cr", ModeClient, "CONNECT\r\n", []rec{{Kind: OpConnect, Arg: "\r"}}, nil},
	{"pub", ModeClient, "PUB foo 5\r\nhello\r\n", []rec{{Kind: OpPub, Subject: "foo", SizeTok: "5", Payload: "hello", Arg: "foo 5"}}, nil},
	{"pub reply tabs case", ModeClient, "pub\tfoo  bar\t\t2\r\nhi\r\n",
		[]rec{{Kind: OpPub, Subject: "foo", Reply: "bar", SizeTok: "2", Payload: "hi", Arg: "foo  bar\t\t2"}}, nil},
	{"pub empty", ModeClient, "PUB foo 0\r\n\r\n", []rec{{Kind: OpPub, Subject: "foo", SizeTok: "0", Arg: "foo 0"}}, nil},
	{"pub size token kept", ModeClient, "PUB foo 002\r\nhi\r\n", []rec{{Kind: OpPub, Subject: "foo", SizeTok: "002", Payload: "hi", Arg: "foo 002"}}, nil},
	{"pub newline starts the argument", ModeClient, "PUB \nfoo 2\r\nhi\r\n",
		[]rec{{Kind: OpPub, Subject: "\nfoo", SizeTok: "2", Payload: "hi", Arg: "\nfoo 2"}}, nil},
	{"pub cr in subject", ModeClient, "PUB foo\rx 1 \r\nx\r\n",
		[]rec{{Kind: OpPub, Subject: "foo\rx", SizeTok: "1", Payload: "x", Arg: "foo\rx 1 "}}, nil},
	{"pub cr drops a size byte", ModeClient, "PUB foo 1\r2\nx\r\n", nil, ErrBadSize},
	{"pub only cr", ModeClient, "PUB \r\n\r\n", nil, ErrBadArgs},
	{"hpub", ModeClient, "HPUB foo r 12 14\r\nNATS/1.0\r\n\r\nhi\r\n",
		[]rec{{Kind: OpHPub, Subject: "foo", Reply: "r", HdrLen: 12, HdrTok: "12", SizeTok: "14", Payload: "NATS/1.0\r\n\r\nhi", Arg: "foo r 12 14"}}, nil},
	{"sub", ModeClient, "SUB foo 1\r\nSUB foo q 2\r\n",
		[]rec{{Kind: OpSub, Subject: "foo", SID: "1", Arg: "foo 1"}, {Kind: OpSub, Subject: "foo", Queue: "q", SID: "2", Arg: "foo q 2"}}, nil},
	{"sub cr separates", ModeClient, "SUB foo\r1\r\nSUB \nbar 2\rx\n",
		[]rec{{Kind: OpSub, Subject: "foo", SID: "1", Arg: "foo\r1"}, {Kind: OpSub, Subject: "bar", SID: "2", Arg: "\nbar 2\r"}}, nil},
	{"unsub", ModeClient, "UNSUB 1\r\nUNSUB 2 5\r\nUNSUB 3 x\r\n",
		[]rec{{Kind: OpUnsub, SID: "1", Arg: "1"}, {Kind: OpUnsub, SID: "2", Max: 5, Arg: "2 5"}, {Kind: OpUnsub, SID: "3", Arg: "3 x"}}, nil},
	{"unsub no sid", ModeClient, "UNSUB\r\n", nil, ErrUnknownOp},
	{"info from client", ModeClient, "INFO {}\r\n+OK\r\n", []rec{{Kind: OpInfo, Arg: "{}"}, {Kind: OpOK}}, nil},
	{"msg from client", ModeClient, "MSG foo 1 2\r\nhi\r\n", nil, ErrUnknownOp},
	{"hmsg from client", ModeClient, "HMSG foo 1 2 2\r\n\r\nhmsg\tx\n\r\n",
		[]rec{{Kind: OpHMsg, Arg: "foo 1 2 2"}, {Kind: OpHMsg, Arg: "x"}}, nil},
	{"hmsg from client with payload", ModeClient, "HMSG foo 1 2 2\r\nhi\r\n", nil, ErrUnknownOp},
	{"route op from client", ModeClient, "RS+ $G foo\r\n", nil, ErrUnknownOp},
	{"unknown", ModeClient, "FOO\r\n", nil, ErrUnknownOp},
	{"split op name", ModeClient, "PI\r\nNG\r\n", nil, ErrUnknownOp},
	{"pub bad size", ModeClient, "PUB foo 2x\r\nhi\r\n", nil, ErrBadSize},
	{"pub negative", ModeClient, "PUB foo -1\r\n", nil, ErrBadSize},
	{"pub no size", ModeClient, "PUB foo\r\n", nil, ErrBadArgs},
	{"pub too many", ModeClient, "PUB foo a b 2\r\nhi\r\n", nil, ErrBadArgs},
	{"sub too few", ModeClient, "SUB foo\r\n", nil, ErrBadArgs},
	{"payload no crlf", ModeClient, "PUB foo 2\r\nhiX\r\n", nil, ErrUnknownOp},
	{"payload end wrong before the frame is whole", ModeClient, "PUB foo 2\r\nhiX", nil, ErrUnknownOp},
	{"max payload", ModeClient, "PUB foo 1048577\r\n", nil, ErrMaxPayload},
	{"hpub hdr > total", ModeClient, "HPUB foo 5 3\r\nabc\r\n", nil, ErrBadSize},
	{"server msg", ModeServer, "MSG foo 1 2\r\nhi\r\nMSG foo 1 r 0\r\n\r\n",
		[]rec{{Kind: OpMsg, Subject: "foo", SID: "1", SizeTok: "2", Payload: "hi", Arg: "foo 1 2"},
			{Kind: OpMsg, Subject: "foo", SID: "1", Reply: "r", SizeTok: "0", Arg: "foo 1 r 0"}}, nil},
	{"server hmsg", ModeServer, "HMSG foo 9 12 12\r\nNATS/1.0\r\n\r\n\r\n",
		[]rec{{Kind: OpHMsg, Subject: "foo", SID: "9", HdrLen: 12, HdrTok: "12", SizeTok: "12", Payload: "NATS/1.0\r\n\r\n", Arg: "foo 9 12 12"}}, nil},
	{"server err", ModeServer, "-ERR 'Stale Connection'\r\nINFO {\"a\":1} \r\n",
		[]rec{{Kind: OpErr, Arg: "'Stale Connection'"}, {Kind: OpInfo, Arg: `{"a":1} `}}, nil},
	{"server pub", ModeServer, "PUB foo 1\r\na\r\n", nil, ErrUnknownOp},
	{"route rs+", ModeRoute, "RS+ $G foo\r\nRS+ $G foo q 3\r\nRS- $G foo q\r\n",
		[]rec{{Kind: OpRSub, Account: "$G", Subject: "foo", Arg: "$G foo"}, {Kind: OpRSub, Account: "$G", Subject: "foo", Queue: "q", Max: 3, Arg: "$G foo q 3"},
			{Kind: OpRUnsub, Account: "$G", Subject: "foo", Queue: "q", Arg: "$G foo q"}}, nil},
	{"route rmsg", ModeRoute, "RMSG $G foo 1\r\na\r\nRMSG $G foo r 1\r\nb\r\nRMSG $G foo + r q1 q2 1\r\nc\r\nRMSG $G foo | q1 1\r\nd\r\n",
		[]rec{{Kind: OpRMsg, Account: "$G", Subject: "foo", SizeTok: "1", Payload: "a", Arg: "$G foo 1"},
			{Kind: OpRMsg, Account: "$G", Subject: "foo", Reply: "r", SizeTok: "1", Payload: "b", Arg: "$G foo r 1"},
			{Kind: OpRMsg, Account: "$G", Subject: "foo", Reply: "r", Queues: "q1,q2", SizeTok: "1", Payload: "c", Arg: "$G foo + r q1 q2 1"},
			{Kind: OpRMsg, Account: "$G", Subject: "foo", Queues: "q1", SizeTok: "1", Payload: "d", Arg: "$G foo | q1 1"}}, nil},
	{"route hmsg", ModeRoute, "HMSG $G foo | q 12 12\r\nNATS/1.0\r\n\r\n\r\n",
		[]rec{{Kind: OpRHMsg, Account: "$G", Subject: "foo", Queues: "q", HdrLen: 12, HdrTok: "12", SizeTok: "12", Payload: "NATS/1.0\r\n\r\n", Arg: "$G foo | q 12 12"}}, nil},
	{"route newline separates", ModeRoute, "RS+ \n$G foo\r\n", []rec{{Kind: OpRSub, Account: "$G", Subject: "foo", Arg: "\n$G foo"}}, nil},
	{"route pub", ModeRoute, "PUB foo 1\r\na\r\n", nil, ErrUnknownOp},
	{"route rs+ 3 args", ModeRoute, "RS+ $G foo q\r\n", nil, ErrBadArgs},
	{"route rs+ bad weight", ModeRoute, "RS+ $G foo q x\r\n", []rec{{Kind: OpRSub, Account: "$G", Subject: "foo", Queue: "q", Max: 1, Arg: "$G foo q x"}}, nil},
	{"route rs- 4 args", ModeRoute, "RS- $G foo q 1\r\n", nil, ErrBadArgs},
	{"route rmsg reply is +", ModeRoute, "RMSG $G foo + 1\r\na\r\n",
		[]rec{{Kind: OpRMsg, Account: "$G", Subject: "foo", Reply: "+", SizeTok: "1", Payload: "a", Arg: "$G foo + 1"}}, nil},
	{"route rmsg + no queues", ModeRoute, "RMSG $G foo + r 1\r\na\r\n",
		[]rec{{Kind: OpRMsg, Account: "$G", Subject: "foo", Reply: "r", SizeTok: "1", Payload: "a", Arg: "$G foo + r 1"}}, nil},
	{"route rmsg bad indicator", ModeRoute, "RMSG $G foo x r q 1\r\na\r\n", nil, ErrBadArgs},
	{"route rmsg too few", ModeRoute, "RMSG $G 1\r\na\r\n", nil, ErrBadArgs},
	{"route rmsg bad size", ModeRoute, "RMSG $G foo r x\r\n", nil, ErrBadSize},
	{"route rmsg many queues", ModeRoute, "RMSG $G foo | " + strings.Repeat("q ", 100) + "0\r\n\r\n",
		[]rec{{Kind: OpRMsg, Account: "$G", Subject: "foo", Queues: strings.Repeat("q,", 99) + "q", SizeTok: "0", Arg: "$G foo | " + strings.Repeat("q ", 100) + "0"}}, nil},
	{"route connect info", ModeRoute, "CONNECT {\"name\":\"N1\"}\r\nINFO {}\r\nPING\r\n",
		[]rec{{Kind: OpConnect, Arg: `{"name":"N1"}`}, {Kind: OpInfo, Arg: "{}"}, {Kind: OpPing}}, nil},
	{"route no default max payload", ModeRoute, "RMSG $G foo 2000000\r\n", nil, nil},
	{"route long control line", ModeRoute, "RS+ $G " + strings.Repeat("a", 5000) + "\r\n",
		[]rec{{Kind: OpRSub, Account: "$G", Subject: strings.Repeat("a", 5000), Arg: "$G " + strings.Repeat("a", 5000)}}, nil},
	{"route hmsg hdr > tot", ModeRoute, "HMSG $G foo 5 3\r\nabc\r\n", nil, ErrBadSize},
	{"server msg bad args", ModeServer, "MSG foo 1\r\n", nil, ErrBadArgs},
	{"server hmsg bad args", ModeServer, "HMSG foo 1 2\r\n", nil, ErrBadArgs},
	{"server connect", ModeServer, "CONNECT {}\r\n", nil, ErrUnknownOp},
	{"server payload no crlf", ModeServer, "MSG foo 1 1\r\nab\r\n", nil, ErrUnknownOp},
	{"server ok ping pong", ModeServer, "+OK\r\nPING\r\nPONG\r\n", []rec{{Kind: OpOK}, {Kind: OpPing}, {Kind: OpPong}}, nil},
	{"server max control line", ModeServer, "MSG " + strings.Repeat("a", 4095) + " 1 1\r\n", nil, ErrMaxControlLine},
	{"blanks before the argument are not counted", ModeClient, "SUB" + strings.Repeat(" ", 5000) + "foo 1\r\n",
		[]rec{{Kind: OpSub, Subject: "foo", SID: "1", Arg: "foo 1"}}, nil},
}

func TestParserTable(t *testing.T) {
	for _, tc := range tableTests {
		t.Run(tc.name, func(t *testing.T) {
			got := feed(Parser{Mode: tc.mode}, []byte(tc.in))
			want := result{Ops: tc.want, Err: tc.err}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestRouteMaxControlLine(t *testing.T) {
	// nats-server allows route control lines 16 x max_control_line.
	p := Parser{Mode: ModeRoute, MaxControlLine: 100}
	ok := "RS+ $G " + strings.Repeat("a", 1597) + "\r\n" // args 1600
	if got := feed(p, []byte(ok)); got.Err != nil || len(got.Ops) != 1 {
		t.Fatalf("%+v", got.Err)
	}
	long := "RS+ $G " + strings.Repeat("a", 1598) + "\r\n"
	if got := feed(p, []byte(long)); got.Err != ErrMaxControlLine {
		t.Fatalf("%+v", got.Err)
	}
	if got := feed(Parser{Mode: ModeRoute}, []byte("RS+ $G "+strings.Repeat("a", 65534)+"\r\n")); got.Err != ErrMaxControlLine {
		t.Fatalf("default: %+v", got.Err)
	}
}

func TestMaxControlLine(t *testing.T) {
	p := Parser{MaxControlLine: 16}
	in := "SUB " + strings.Repeat("a", 20) + " 1\r\n"
	if got := feed(p, []byte(in)); got.Err != ErrMaxControlLine {
		t.Fatalf("whole: %+v", got)
	}
	// Without a newline in sight, the limit still applies (split feed).
	if got := feed(p, []byte(in[:10]), []byte(in[10:22])); got.Err != ErrMaxControlLine {
		t.Fatalf("split: %+v", got)
	}
}

// TestSplitInvariance: whole input, every split offset, and one byte at a
// time give the same result.
func TestSplitInvariance(t *testing.T) {
	type input struct {
		name string
		mode Mode
		in   string
	}
	var inputs []input
	for _, tc := range tableTests {
		inputs = append(inputs, input{tc.name, tc.mode, tc.in})
	}
	for _, tc := range referenceFacts {
		inputs = append(inputs, input{fmt.Sprintf("%.30q", tc.in), ModeClient, tc.in})
	}
	for _, tc := range inputs {
		in := []byte(tc.in)
		p := Parser{Mode: tc.mode}
		whole := feed(p, in)
		for i := 0; i <= len(in); i++ {
			if got := feed(p, in[:i], in[i:]); !reflect.DeepEqual(got, whole) {
				t.Fatalf("%s split at %d:\n got %+v\nwant %+v", tc.name, i, got, whole)
			}
		}
		var bytesAt [][]byte
		for i := range in {
			bytesAt = append(bytesAt, in[i:i+1])
		}
		if got := feed(p, bytesAt...); !reflect.DeepEqual(got, whole) {
			t.Fatalf("%s byte at a time:\n got %+v\nwant %+v", tc.name, got, whole)
		}
	}
}

func TestStickyError(t *testing.T) {
	var p Parser
	if _, _, err := p.Next([]byte("FOO\r\n")); err != ErrUnknownOp {
		t.Fatal(err)
	}
	if _, _, err := p.Next([]byte("PING\r\n")); err != ErrUnknownOp {
		t.Fatalf("error not sticky: %v", err)
	}
	p.Reset()
	if _, op, err := p.Next([]byte("PING\r\n")); err != nil || op.Kind != OpPing {
		t.Fatalf("after Reset: %v %v", op, err)
	}
}

func TestLargeSplitPayload(t *testing.T) {
	payload := strings.Repeat("x", 1<<20)
	in := []byte(fmt.Sprintf("PUB big %d\r\n%s\r\nPING\r\n", len(payload), payload))
	var chunks [][]byte
	for i := 0; i < len(in); i += 65536 {
		chunks = append(chunks, in[i:min(i+65536, len(in))])
	}
	got := feed(Parser{}, chunks...)
	if got.Err != nil || len(got.Ops) != 2 || len(got.Ops[0].Payload) != 1<<20 || got.Ops[1].Kind != OpPing {
		t.Fatalf("got %d ops, err %v", len(got.Ops), got.Err)
	}
}

// TestScratchBounded: partial lines cannot grow the scratch past the hard
// cap, and big payload scratch is dropped after use.
func TestScratchBounded(t *testing.T) {
	p := Parser{MaxControlLine: 64}
	// A line longer than the hard cap, fed in pieces, fails without the
	// scratch growing past the cap.
	in := []byte("PUB " + strings.Repeat("a", 10000))
	for i := 0; i < len(in); i += 7 {
		if _, _, err := p.Next(in[i:min(i+7, len(in))]); err != nil {
			if err != ErrMaxControlLine {
				t.Fatal(err)
			}
			break
		}
	}
	if cap(p.line) > 2*(64+len("PUB ")+1) {
		t.Fatalf("line scratch grew to %d", cap(p.line))
	}
	// Large split payloads do not pin memory once done.
	var q Parser
	big := []byte("PUB a 100000\r\n" + strings.Repeat("x", 100000) + "\r\n")
	q.Next(big[:50])
	if _, op, err := q.Next(big[50:]); err != nil || op == nil || len(op.Payload) != 100000 {
		t.Fatalf("%v %v", op, err)
	}
	if q.pay != nil {
		t.Fatalf("payload scratch kept: cap %d", cap(q.pay))
	}
}

// TestNoHeaders: nats-server 2.15.2, for a client whose CONNECT did not ask
// for headers, closes on HPUB without an -ERR once the control line is in,
// before reading its arguments: "HPUB foo 1 2000000" gets no 'Maximum
// Payload Violation', "HPUB foo" no parse error (probed with
// CONNECT {"verbose":false}). The limit on the line still comes first.
func TestNoHeaders(t *testing.T) {
	for _, tc := range []struct {
		in  string
		err *Error
	}{
		{"HPUB foo 1 2000000\r\n", ErrNoHeaders},
		{"HPUB foo\r\n", ErrNoHeaders},
		{"HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n", ErrNoHeaders},
		{"HPUB " + strings.Repeat("a", 4097) + "\r\n", ErrMaxControlLine},
		{"HPUB " + strings.Repeat("a", 4097), ErrMaxControlLine},
		{"PUB foo 2\r\nhi\r\n", nil},
	} {
		if got := feed(Parser{NoHeaders: true}, []byte(tc.in)); got.Err != tc.err {
			t.Errorf("%.30q: got %v, want %v", tc.in, got.Err, tc.err)
		}
	}
}

// TestFailedAndPending: the op of a control line whose arguments or
// payload end failed, and the op whose payload is pending.
func TestFailedAndPending(t *testing.T) {
	for _, tc := range []struct {
		in   string
		err  *Error
		want rec
	}{
		{"PUB foo\r\n", ErrBadArgs, rec{Kind: OpPub, Arg: "foo"}},
		{"SUB foo 1 2 3\r\n", ErrBadArgs, rec{Kind: OpSub, Arg: "foo 1 2 3"}},
		{"PUB foo x\r\n", ErrBadSize, rec{Kind: OpPub, Subject: "foo", Arg: "foo x"}},
		{"PUB > 2\r\nabX\r\n", ErrUnknownOp, rec{Kind: OpPub, Subject: ">", SizeTok: "2", Arg: "> 2"}},
		{"PUB foo 2000000\r\n", ErrMaxPayload, rec{Kind: OpPub, Subject: "foo", SizeTok: "2000000", Arg: "foo 2000000"}},
	} {
		for _, split := range []int{len(tc.in), 5, len(tc.in) - 2} {
			var p Parser
			var err error
			for _, b := range [][]byte{[]byte(tc.in[:split]), []byte(tc.in[split:])} {
				for len(b) > 0 && err == nil {
					var n int
					n, _, err = p.Next(b)
					b = b[n:]
				}
			}
			op := p.Failed()
			if err != tc.err || op == nil || record(op) != tc.want {
				t.Errorf("%q split %d: %v %+v", tc.in, split, err, op)
			}
		}
	}
	var p Parser
	for _, in := range []string{"FOO\r\n", "PUB " + strings.Repeat("a", 5000)} {
		p.Reset()
		if _, _, err := p.Next([]byte(in)); err == nil || p.Failed() != nil {
			t.Errorf("%.10q: %v %+v", in, err, p.Failed())
		}
	}

	p.Reset()
	n, op, _ := p.Next([]byte("PUB > 3\r\nab"))
	pend, fresh := p.Pending()
	if n != 11 || op != nil || pend == nil || !fresh || string(pend.Subject) != ">" {
		t.Fatalf("pending after the line: %d %v %+v %v", n, op, pend, fresh)
	}
	p.Next([]byte("c"))
	if pend, fresh = p.Pending(); pend == nil || fresh {
		t.Fatalf("pending later: %+v %v", pend, fresh)
	}
	if _, op, _ = p.Next([]byte("\r\n")); op == nil || string(op.Payload) != "abc" {
		t.Fatalf("%+v", op)
	}
	if pend, _ = p.Pending(); pend != nil {
		t.Fatalf("pending after the op: %+v", pend)
	}
}
