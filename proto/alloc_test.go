package proto

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestParseAllocations fails if parsing allocates in steady state, for
// whole frames, frames split in two, and frames fed one byte at a time
// (once the scratch buffers have grown).
func TestParseAllocations(t *testing.T) {
	cases := []struct {
		name string
		mode Mode
		in   string
	}{
		{"pub", ModeClient, "PUB foo.bar reply 16\r\n0123456789abcdef\r\n"},
		{"hpub", ModeClient, "HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"},
		{"sub", ModeClient, "SUB foo.* q 1\r\n"},
		{"unsub", ModeClient, "UNSUB 1 10\r\n"},
		{"ping", ModeClient, "PING\r\n"},
		{"connect", ModeClient, "CONNECT {\"verbose\":false}\r\n"},
		{"msg", ModeServer, "MSG foo 1 r 5\r\nhello\r\n"},
		{"hmsg", ModeServer, "HMSG foo 1 r 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"},
		{"rmsg", ModeRoute, "RMSG $G foo + r q1 q2 5\r\nhello\r\n"},
		{"rs+", ModeRoute, "RS+ $G foo q 1\r\n"},
	}
	for _, tc := range cases {
		buf := []byte(tc.in)
		p := Parser{Mode: tc.mode}
		parseAll := func(chunks ...[]byte) {
			ops := 0
			for _, b := range chunks {
				for len(b) > 0 {
					n, op, err := p.Next(b)
					if err != nil {
						t.Fatalf("%s: %v", tc.name, err)
					}
					if op != nil {
						ops++
					}
					b = b[n:]
				}
			}
			if ops != 1 {
				t.Fatalf("%s: %d ops", tc.name, ops)
			}
		}
		if n := testing.AllocsPerRun(1000, func() { parseAll(buf) }); n != 0 {
			t.Errorf("%s whole: %v allocs per parse", tc.name, n)
		}
		for _, at := range []int{3, len(buf) / 2, len(buf) - 1} {
			if n := testing.AllocsPerRun(1000, func() { parseAll(buf[:at], buf[at:]) }); n != 0 {
				t.Errorf("%s split at %d: %v allocs per parse", tc.name, at, n)
			}
		}
		var bytesAt [][]byte
		for i := range buf {
			bytesAt = append(bytesAt, buf[i:i+1])
		}
		if n := testing.AllocsPerRun(1000, func() { parseAll(bytesAt...) }); n != 0 {
			t.Errorf("%s byte at a time: %v allocs per parse", tc.name, n)
		}
	}
}

// TestEncodeAllocations fails if an encoder allocates when dst has room.
func TestEncodeAllocations(t *testing.T) {
	buf := make([]byte, 0, 4096)
	subj, sid, reply, payload := []byte("foo.bar"), []byte("12"), []byte("_INBOX.x"), []byte("0123456789abcdef")
	acc, queues := []byte("$G"), [][]byte{[]byte("q1"), []byte("q2")}
	tok, hdrTok := []byte("0016"), []byte("04")
	encoders := map[string]func(){
		"AppendMsg":    func() { buf = AppendMsg(buf[:0], subj, sid, reply, payload) },
		"AppendHMsg":   func() { buf = AppendHMsg(buf[:0], subj, sid, reply, 4, payload) },
		"AppendPub":    func() { buf = AppendPub(buf[:0], subj, reply, payload) },
		"AppendHPub":   func() { buf = AppendHPub(buf[:0], subj, reply, 4, payload) },
		"AppendSub":    func() { buf = AppendSub(buf[:0], subj, nil, sid) },
		"AppendUnsub":  func() { buf = AppendUnsub(buf[:0], sid, 5) },
		"AppendRSub":   func() { buf = AppendRSub(buf[:0], acc, subj, queues[0], 3) },
		"AppendRUnsub": func() { buf = AppendRUnsub(buf[:0], acc, subj, nil) },
		"AppendRMsg":   func() { buf = AppendRMsg(buf[:0], acc, subj, reply, queues, payload) },
		"AppendRHMsg":  func() { buf = AppendRHMsg(buf[:0], acc, subj, reply, queues, 4, payload) },
		"AppendErr":    func() { buf = AppendErr(buf[:0], "Stale Connection") },
		"AppendMsgTok": func() { buf = AppendMsgTok(buf[:0], subj, sid, reply, tok, payload) },
		"AppendHMsgTok": func() {
			buf = AppendHMsgTok(buf[:0], subj, sid, reply, hdrTok, tok, payload)
		},
		"AppendRMsgTok": func() { buf = AppendRMsgTok(buf[:0], acc, subj, reply, queues, tok, payload) },
		"AppendRHMsgTok": func() {
			buf = AppendRHMsgTok(buf[:0], acc, subj, reply, queues, hdrTok, tok, payload)
		},
	}
	for name, fn := range encoders {
		if n := testing.AllocsPerRun(1000, fn); n != 0 {
			t.Errorf("%s: %v allocs", name, n)
		}
	}
}

// TestEncodeRoundTrip parses what the encoders write.
func TestEncodeRoundTrip(t *testing.T) {
	var b []byte
	b = AppendPub(b, []byte("a"), []byte("r"), []byte("xy"))
	b = AppendHPub(b, []byte("a"), nil, 2, []byte("hhxy"))
	b = AppendSub(b, []byte("a.*"), []byte("q"), []byte("7"))
	b = AppendUnsub(b, []byte("7"), 3)
	got := feed(Parser{}, b)
	want := []rec{
		{Kind: OpPub, Subject: "a", Reply: "r", SizeTok: "2", Payload: "xy", Arg: "a r 2"},
		{Kind: OpHPub, Subject: "a", HdrLen: 2, HdrTok: "2", SizeTok: "4", Payload: "hhxy", Arg: "a 2 4"},
		{Kind: OpSub, Subject: "a.*", Queue: "q", SID: "7", Arg: "a.* q 7"},
		{Kind: OpUnsub, SID: "7", Max: 3, Arg: "7 3"},
	}
	if got.Err != nil || !reflect.DeepEqual(got.Ops, want) {
		t.Fatalf("got %+v", got)
	}
	b = AppendMsg(nil, []byte("a"), []byte("1"), nil, []byte("xy"))
	b = AppendHMsg(b, []byte("a"), []byte("1"), []byte("r"), 2, []byte("hhxy"))
	b = AppendErr(b, "Stale Connection")
	b = AppendInfo(b, &Info{ServerID: "N1", Proto: 1})
	got = feed(Parser{Mode: ModeServer}, b)
	if got.Err != nil || len(got.Ops) != 4 || got.Ops[2].Arg != "'Stale Connection'" || !strings.HasPrefix(got.Ops[3].Arg, `{"server_id":"N1"`) {
		t.Fatalf("server ops: %+v", got)
	}
	b = AppendRSub(nil, []byte("$G"), []byte("a"), []byte("q"), 2)
	b = AppendRUnsub(b, []byte("$G"), []byte("a"), nil)
	b = AppendRMsg(b, []byte("$G"), []byte("a"), []byte("r"), [][]byte{[]byte("q1"), []byte("q2")}, []byte("x"))
	b = AppendRHMsg(b, []byte("$G"), []byte("a"), nil, [][]byte{[]byte("q")}, 1, []byte("hx"))
	got = feed(Parser{Mode: ModeRoute}, b)
	wantR := []rec{
		{Kind: OpRSub, Account: "$G", Subject: "a", Queue: "q", Max: 2, Arg: "$G a q 2"},
		{Kind: OpRUnsub, Account: "$G", Subject: "a", Arg: "$G a"},
		{Kind: OpRMsg, Account: "$G", Subject: "a", Reply: "r", Queues: "q1,q2", SizeTok: "1", Payload: "x", Arg: "$G a + r q1 q2 1"},
		{Kind: OpRHMsg, Account: "$G", Subject: "a", Queues: "q", HdrLen: 1, HdrTok: "1", SizeTok: "2", Payload: "hx", Arg: "$G a | q 1 2"},
	}
	if got.Err != nil || !reflect.DeepEqual(got.Ops, wantR) {
		t.Fatalf("route ops: %+v", got)
	}
}

// TestEncodeTokens: the token encoders write the sizes exactly as the
// publisher sent them (nats-server echoes them), and the plain encoders
// are the token encoders with the sizes computed.
func TestEncodeTokens(t *testing.T) {
	pub := feed(Parser{}, []byte("PUB foo r 002\r\nhi\r\nHPUB foo 012 0014\r\nNATS/1.0\r\n\r\nhi\r\n"))
	if pub.Err != nil || len(pub.Ops) != 2 {
		t.Fatalf("%+v", pub)
	}
	p, h := pub.Ops[0], pub.Ops[1]
	b := []byte(nil)
	subj, sid := []byte("foo"), []byte("1")
	cases := []struct{ got, want string }{
		{string(AppendMsgTok(b, subj, sid, []byte(p.Reply), []byte(p.SizeTok), []byte(p.Payload))), "MSG foo 1 r 002\r\nhi\r\n"},
		{string(AppendHMsgTok(b, subj, sid, nil, []byte(h.HdrTok), []byte(h.SizeTok), []byte(h.Payload))), "HMSG foo 1 012 0014\r\nNATS/1.0\r\n\r\nhi\r\n"},
		{string(AppendRMsgTok(b, []byte("$G"), subj, nil, nil, []byte(p.SizeTok), []byte(p.Payload))), "RMSG $G foo 002\r\nhi\r\n"},
		{string(AppendRHMsgTok(b, []byte("$G"), subj, nil, [][]byte{[]byte("q")}, []byte(h.HdrTok), []byte(h.SizeTok), []byte(h.Payload))), "HMSG $G foo | q 012 0014\r\nNATS/1.0\r\n\r\nhi\r\n"},
		{string(AppendMsgTok(b, subj, sid, nil, nil, []byte("hi"))), "MSG foo 1 2\r\nhi\r\n"},
		{string(AppendMsg(b, subj, sid, nil, []byte("hi"))), "MSG foo 1 2\r\nhi\r\n"},
		{string(AppendHMsg(b, subj, sid, nil, 1, []byte("hi"))), "HMSG foo 1 1 2\r\nhi\r\n"},
		{string(AppendRMsg(b, []byte("$G"), subj, []byte("r"), nil, []byte("hi"))), "RMSG $G foo r 2\r\nhi\r\n"},
		{string(AppendRHMsg(b, []byte("$G"), subj, nil, nil, 1, []byte("hi"))), "HMSG $G foo 1 2\r\nhi\r\n"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func benchParse(b *testing.B, size int) {
	frame := "PUB foo.bar " + strconv.Itoa(size) + "\r\n" + strings.Repeat("x", size) + "\r\n"
	buf := []byte(strings.Repeat(frame, 100))
	var p Parser
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	b.ResetTimer()
	for i := 0; i < b.N; i += 100 {
		in := buf
		for len(in) > 0 {
			n, _, _ := p.Next(in)
			in = in[n:]
		}
	}
}

func BenchmarkParsePub16(b *testing.B) { benchParse(b, 16) }
func BenchmarkParsePub1K(b *testing.B) { benchParse(b, 1024) }

func BenchmarkAppendMsg(b *testing.B) {
	buf := make([]byte, 0, 256)
	subj, sid, payload := []byte("foo.bar"), []byte("1"), []byte("0123456789abcdef")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = AppendMsg(buf[:0], subj, sid, nil, payload)
	}
}

func BenchmarkParsePub16Split(b *testing.B) {
	frame := []byte("PUB foo.bar 16\r\n0123456789abcdef\r\n")
	var p Parser
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for i := 0; i < b.N; i++ {
		p.Next(frame[:20])
		p.Next(frame[20:])
	}
}

func BenchmarkParseSub(b *testing.B) {
	frame := []byte("SUB foo.bar.> queue 123\r\n")
	var p Parser
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p.Next(frame)
	}
}

func BenchmarkParseRMsg(b *testing.B) {
	frame := []byte("RMSG $G foo.bar + _INBOX.abc q1 q2 16\r\n0123456789abcdef\r\n")
	p := Parser{Mode: ModeRoute}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p.Next(frame)
	}
}

func BenchmarkAppendHMsg(b *testing.B) {
	buf := make([]byte, 0, 256)
	subj, sid, payload := []byte("foo.bar"), []byte("1"), []byte("NATS/1.0\r\n\r\n0123456789abcdef")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = AppendHMsg(buf[:0], subj, sid, nil, 12, payload)
	}
}

func BenchmarkAppendRMsg(b *testing.B) {
	buf := make([]byte, 0, 256)
	acc, subj, payload := []byte("$G"), []byte("foo.bar"), []byte("0123456789abcdef")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = AppendRMsg(buf[:0], acc, subj, nil, nil, payload)
	}
}
