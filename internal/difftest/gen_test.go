package difftest

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
)

// gen builds random client byte streams; stream i of a seed is always the
// same.
type gen struct {
	r    *rand.Rand
	auth bool
}

// generate returns stream i of seed.
func generate(seed uint64, i int) Stream {
	g := gen{r: rand.New(rand.NewPCG(seed, uint64(i)))}
	st := Stream{Config: "noauth"}
	if g.r.IntN(2) == 0 {
		st.Config, g.auth = "auth", true
	}
	clients := 1 + g.pick([]int{5, 4, 1})
	if clients > 1 {
		st.Segments = append(st.Segments, Segment{0, g.subscriber()})
	}
	for range 1 + g.r.IntN(4) {
		c := clients - 1
		if clients > 1 && g.r.IntN(4) == 0 {
			c = g.r.IntN(clients)
		}
		st.Segments = append(st.Segments, Segment{c, g.segment(c, st)})
	}
	return st
}

// pick returns an index into weights, chosen by weight.
func (g *gen) pick(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := g.r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

func (g *gen) oneOf(s ...string) string { return s[g.r.IntN(len(s))] }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// subscriber is a well-formed client that subscribes, so that MSG lines
// and headers reach a client that can be compared.
func (g *gen) subscriber() []byte {
	opts := map[string]any{"verbose": g.chance(0.3), "pedantic": g.chance(0.2)}
	if g.chance(0.6) {
		opts["headers"], opts["protocol"] = true, 1
		if g.chance(0.5) {
			opts["no_responders"] = true
		}
	}
	if g.chance(0.2) {
		opts["echo"] = false
	}
	if g.auth {
		g.credentials(opts, true)
	}
	var b strings.Builder
	b.WriteString("CONNECT " + mustJSON(opts) + "\r\n")
	for i := range 1 + g.r.IntN(3) {
		subj := g.oneOf("foo", "foo.*", "foo.>", ">", "foo.bar", "_INBOX.>", "bar", "*")
		if g.chance(0.2) {
			subj += " " + g.oneOf("q", "q2")
		}
		b.WriteString("SUB " + subj + " " + strconv.Itoa(i+1) + "\r\n")
	}
	if g.chance(0.2) {
		b.WriteString("UNSUB 1 " + g.oneOf("1", "2", "0") + "\r\n")
	}
	return []byte(b.String())
}

// credentials adds user and password to a CONNECT: right ones when good.
func (g *gen) credentials(opts map[string]any, good bool) {
	users := [][2]string{{"alice", "secret"}, {"bob", "pw"}, {"carol", "pw3"}}
	u := users[g.r.IntN(len(users))]
	opts["user"], opts["pass"] = u[0], u[1]
	if good {
		return
	}
	switch g.r.IntN(6) {
	case 0:
		opts["pass"] = "wrong"
	case 1:
		delete(opts, "pass")
	case 2:
		opts["user"] = "mallory"
	case 3:
		delete(opts, "user")
		delete(opts, "pass")
		opts["auth_token"] = "s3cr3t"
	}
}

// segment is what the fuzzed client c sends in one write: a few ops,
// sometimes mutated.
func (g *gen) segment(c int, st Stream) []byte {
	var b []byte
	first := true
	for _, sg := range st.Segments {
		if sg.Client == c {
			first = false
		}
	}
	if first && g.chance(0.85) {
		b = append(b, g.connect()...)
	} else if !first && g.chance(0.15) {
		b = append(b, g.connect()...) // a second CONNECT
	}
	for range g.r.IntN(6) {
		b = append(b, g.op()...)
	}
	if g.chance(0.25) {
		b = g.mutate(b)
	}
	return b
}

// connect is a CONNECT with random options, sometimes broken JSON.
func (g *gen) connect() []byte {
	if g.chance(0.08) {
		return []byte(g.word("CONNECT") + " " + g.oneOf("{", "", "[]", "null", `{"verbose":false`, `{"verbose":false}}`,
			`{"verbose":false} x`, `{"verbose":"no"}`, `{"protocol":"1"}`, `{"headers":1}`, `{'verbose':false}`, "{}{}") + g.eol())
	}
	opts := map[string]any{}
	for _, k := range []string{"verbose", "pedantic", "echo", "headers", "no_responders"} {
		if g.chance(0.4) {
			opts[k] = g.chance(0.5)
		}
	}
	if g.chance(0.4) {
		opts["protocol"] = []int{1, 0, 2, -1}[g.pick([]int{6, 3, 1, 1})]
	}
	if g.chance(0.3) {
		opts["name"] = g.oneOf("", "c1", "a b", "x\u00e9")
	}
	if g.chance(0.3) {
		opts["lang"], opts["version"] = g.oneOf("go", "", "rust"), g.oneOf("1.0.0", "", "x")
	}
	if g.auth || g.chance(0.1) {
		g.credentials(opts, g.chance(0.75))
	}
	js := mustJSON(opts)
	return []byte(g.word("CONNECT") + g.sep() + js + g.eol())
}

// op is one protocol operation, often odd.
func (g *gen) op() []byte {
	switch g.pick([]int{30, 10, 18, 8, 8, 4, 4, 3}) {
	case 0:
		return g.pub()
	case 1:
		return g.hpub()
	case 2:
		return g.sub()
	case 3:
		return g.unsub()
	case 4:
		return []byte(g.word("PING") + g.eol())
	case 5:
		return []byte(g.word("PONG") + g.eol())
	case 6:
		return g.connect()
	default:
		return []byte(g.oneOf("\x00", "\xff", "+OK\r\n", "-ERR 'x'\r\n", "MSG foo 1 2\r\nhi\r\n", "INFO {}\r\n",
			" \r\n", "\r\n", "\n", "PUB", "S", "SUBX foo 1\r\n", "PINGX\r\n", "PI NG\r\n"))
	}
}

func (g *gen) pub() []byte {
	payload := g.payload()
	line := g.word("PUB") + g.sep() + g.subject() + g.reply() + g.sep() + g.size(len(payload)) + g.eol()
	return []byte(line + payload + g.payloadEnd())
}

func (g *gen) hpub() []byte {
	hdr := "NATS/1.0\r\n"
	switch g.r.IntN(8) {
	case 0:
		hdr = g.oneOf("NATS/1.0 503\r\n", "NATS/1.1\r\n", "HTTP/1.0\r\n", "", "NATS/1.0")
	}
	for range g.r.IntN(3) {
		hdr += g.oneOf("K", "Nats-Msg-Id", "a b", "") + ": " + g.oneOf("v", "", "x y") + "\r\n"
	}
	if g.chance(0.9) {
		hdr += "\r\n"
	}
	payload := g.payload()
	hsize := g.size(len(hdr))
	tsize := g.size(len(hdr) + len(payload))
	if g.chance(0.1) {
		hsize, tsize = tsize, hsize
	}
	line := g.word("HPUB") + g.sep() + g.subject() + g.reply() + g.sep() + hsize + g.sep() + tsize + g.eol()
	return []byte(line + hdr + payload + g.payloadEnd())
}

func (g *gen) sub() []byte {
	q := ""
	if g.chance(0.25) {
		q = g.sep() + g.oneOf("q", "q2", "*", "q.>", "")
	}
	return []byte(g.word("SUB") + g.sep() + g.subject() + q + g.sep() + g.sid() + g.eol())
}

func (g *gen) unsub() []byte {
	m := ""
	if g.chance(0.4) {
		m = g.sep() + g.oneOf("0", "1", "2", "-1", "x", "01", "99999999999999999999")
	}
	return []byte(g.word("UNSUB") + g.sep() + g.sid() + m + g.eol())
}

// word is an op name: mostly upper case, sometimes lower or mixed.
func (g *gen) word(w string) string {
	switch g.pick([]int{85, 10, 5}) {
	case 1:
		return strings.ToLower(w)
	case 2:
		return strings.ToLower(w[:1]) + w[1:]
	}
	return w
}

func (g *gen) sep() string {
	return []string{" ", "\t", "  ", " \t"}[g.pick([]int{90, 5, 4, 1})]
}

func (g *gen) eol() string {
	return []string{"\r\n", "\n", "\r", " \r\n", ""}[g.pick([]int{88, 7, 1, 3, 1})]
}

func (g *gen) payloadEnd() string {
	return []string{"\r\n", "\n", "", "X\r\n"}[g.pick([]int{93, 3, 2, 2})]
}

func (g *gen) subject() string {
	if g.chance(0.7) {
		return g.oneOf("foo", "foo.bar", "foo.a", "bar", "_INBOX.x", "foo.a.b", "baz")
	}
	return g.oneOf("", "foo.*", "foo.>", ">", "*", "foo..bar", ".foo", "foo.", "foo bar", "foo\tbar",
		"$SYS.x", "foo.\u00e9", strings.Repeat("a.", 60)+"z", strings.Repeat("x", 300), "fo\x00o", "foo.>.bar", "*.>")
}

func (g *gen) reply() string {
	if g.chance(0.6) {
		return ""
	}
	return g.sep() + g.oneOf("_INBOX.x", "_INBOX.y", "bar", "foo", "foo.*", ">", "r.>", "")
}

func (g *gen) sid() string {
	return []string{"1", "2", "3", "01", "abc", "-1", "", strings.Repeat("9", 30)}[g.pick([]int{30, 20, 10, 4, 4, 3, 2, 1})]
}

// size is a size token for n: mostly n itself, sometimes odd.
func (g *gen) size(n int) string {
	switch g.pick([]int{80, 5, 4, 3, 2, 2, 2, 1, 1}) {
	case 1:
		return "0" + strconv.Itoa(n)
	case 2:
		return strconv.Itoa(n + 1)
	case 3:
		return strconv.Itoa(max(n-1, 0))
	case 4:
		return "-1"
	case 5:
		return "99999999999999999999"
	case 6:
		return "1048577"
	case 7:
		return "x"
	case 8:
		return "+" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func (g *gen) payload() string {
	switch g.pick([]int{20, 50, 10, 5, 5}) {
	case 0:
		return ""
	case 2:
		return "a\r\nb"
	case 3:
		return "PING\r\n"
	case 4:
		return strings.Repeat("z", 100+g.r.IntN(400))
	}
	b := make([]byte, 1+g.r.IntN(12))
	for i := range b {
		b[i] = byte('a' + g.r.IntN(26))
	}
	return string(b)
}

// mutate flips, deletes, inserts, duplicates or truncates bytes.
func (g *gen) mutate(b []byte) []byte {
	if len(b) == 0 {
		return []byte(g.oneOf("\r\n", "\x00", "x"))
	}
	for range 1 + g.r.IntN(3) {
		if len(b) == 0 {
			break
		}
		i := g.r.IntN(len(b))
		switch g.r.IntN(5) {
		case 0:
			b[i] ^= byte(1 << g.r.IntN(8))
		case 1:
			j := min(len(b), i+1+g.r.IntN(8))
			b = append(b[:i:i], b[j:]...)
		case 2:
			ins := g.oneOf("\r\n", "\n", " ", "\t", "*", ">", ".", "0", "-", "\x00", "\r", "PING\r\n")
			b = append(b[:i:i], append([]byte(ins), b[i:]...)...)
		case 3:
			j := min(len(b), i+1+g.r.IntN(16))
			b = append(b[:j:j], append(append([]byte(nil), b[i:j]...), b[j:]...)...)
		case 4:
			b = b[:i]
		}
	}
	return b
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
