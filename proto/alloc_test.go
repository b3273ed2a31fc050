package proto

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseAllocations(t *testing.T) {
	cases := map[string]string{
		"pub":   "PUB foo.bar reply 16\r\n0123456789abcdef\r\n",
		"hpub":  "HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n",
		"sub":   "SUB foo.* q 1\r\n",
		"unsub": "UNSUB 1 10\r\n",
	}
	for name, in := range cases {
		buf := []byte(in)
		var p Parser
		if n := testing.AllocsPerRun(1000, func() { p.Next(buf) }); n != 0 {
			t.Errorf("%s whole: %v allocs per parse", name, n)
		}
		half := len(buf) / 2
		if n := testing.AllocsPerRun(1000, func() {
			p.Next(buf[:half])
			p.Next(buf[half:])
		}); n != 0 {
			t.Errorf("%s split: %v allocs per parse", name, n)
		}
	}
	var sp Parser
	sp.Mode = ModeServer
	msg := []byte("MSG foo 1 r 5\r\nhello\r\n")
	if n := testing.AllocsPerRun(1000, func() { sp.Next(msg) }); n != 0 {
		t.Errorf("msg: %v allocs", n)
	}
}

func TestEncodeAllocations(t *testing.T) {
	buf := make([]byte, 0, 4096)
	subj, sid, reply, payload := []byte("foo.bar"), []byte("12"), []byte("_INBOX.x"), []byte("0123456789abcdef")
	if n := testing.AllocsPerRun(1000, func() { buf = AppendMsg(buf[:0], subj, sid, reply, payload) }); n != 0 {
		t.Errorf("AppendMsg: %v allocs", n)
	}
	if n := testing.AllocsPerRun(1000, func() { buf = AppendHMsg(buf[:0], subj, sid, reply, 4, payload) }); n != 0 {
		t.Errorf("AppendHMsg: %v allocs", n)
	}
	if n := testing.AllocsPerRun(1000, func() { buf = AppendRMsg(buf[:0], []byte("$G"), subj, reply, nil, payload) }); n != 0 {
		t.Errorf("AppendRMsg: %v allocs", n)
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
		{Kind: OpPub, Subject: "a", Reply: "r", Payload: "xy"},
		{Kind: OpHPub, Subject: "a", HdrLen: 2, Payload: "hhxy"},
		{Kind: OpSub, Subject: "a.*", Queue: "q", SID: "7"},
		{Kind: OpUnsub, SID: "7", Max: 3},
	}
	if got.Err != nil || !reflect.DeepEqual(got.Ops, want) {
		t.Fatalf("got %+v", got)
	}
	b = AppendMsg(nil, []byte("a"), []byte("1"), nil, []byte("xy"))
	b = AppendHMsg(b, []byte("a"), []byte("1"), []byte("r"), 2, []byte("hhxy"))
	b = AppendErr(b, "Stale Connection")
	b = AppendInfo(b, &Info{ServerID: "N1", Proto: 1})
	got = feed(Parser{Mode: ModeServer}, b)
	if got.Err != nil || len(got.Ops) != 4 || got.Ops[2].Arg != "Stale Connection" || !strings.HasPrefix(got.Ops[3].Arg, `{"server_id":"N1"`) {
		t.Fatalf("server ops: %+v", got)
	}
	b = AppendRSub(nil, []byte("$G"), []byte("a"), []byte("q"), 2)
	b = AppendRUnsub(b, []byte("$G"), []byte("a"), nil)
	b = AppendRMsg(b, []byte("$G"), []byte("a"), []byte("r"), [][]byte{[]byte("q1"), []byte("q2")}, []byte("x"))
	b = AppendRHMsg(b, []byte("$G"), []byte("a"), nil, [][]byte{[]byte("q")}, 1, []byte("hx"))
	got = feed(Parser{Mode: ModeRoute}, b)
	wantR := []rec{
		{Kind: OpRSub, Account: "$G", Subject: "a", Queue: "q", Max: 2},
		{Kind: OpRUnsub, Account: "$G", Subject: "a"},
		{Kind: OpRMsg, Account: "$G", Subject: "a", Reply: "r", Queues: "q1,q2", Payload: "x"},
		{Kind: OpRHMsg, Account: "$G", Subject: "a", Queues: "q", HdrLen: 1, Payload: "hx"},
	}
	if got.Err != nil || !reflect.DeepEqual(got.Ops, wantR) {
		t.Fatalf("route ops: %+v", got)
	}
}

func TestParseConnectDefaults(t *testing.T) {
	c, err := ParseConnect([]byte(`{"name":"x"}`))
	if err != nil || !c.Verbose || !c.Pedantic || !c.Echo || c.Name != "x" {
		t.Fatalf("%+v %v", c, err)
	}
	c, _ = ParseConnect([]byte(`{"verbose":false,"echo":false}`))
	if c.Verbose || c.Echo || !c.Pedantic {
		t.Fatalf("%+v", c)
	}
	if _, err := ParseConnect(nil); err == nil {
		t.Fatal("empty CONNECT accepted")
	}
	if id := NewServerID(); len(id) != 56 || id[0] != 'N' || strings.ToUpper(id) != id {
		t.Fatalf("server id %q", id)
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
