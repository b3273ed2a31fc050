package difftest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Transcript is a reduced finding: a stream and what 2.15.2 answered.
type Transcript struct {
	Name, Skip string
	Path       string // the file it was read from
	Comment    string // its "#" lines, without the "# "
	Stream     Stream
	Expect     Result
}

// formatTranscript writes t in the testdata format (doc.go).
func formatTranscript(t Transcript, comment string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(comment), "\n") {
		if l != "" {
			fmt.Fprintf(&b, "# %s\n", l)
		}
	}
	fmt.Fprintf(&b, "name: %s\nconfig: %s\n", t.Name, t.Stream.Config)
	if t.Skip != "" {
		fmt.Fprintf(&b, "skip: %s\n", t.Skip)
	}
	inFinal := false
	for _, p := range t.Expect {
		if p.Seg >= 0 {
			fmt.Fprintf(&b, "send %d %s\n", p.Client, quote(t.Stream.Segments[p.Seg].Data))
		} else if !inFinal {
			b.WriteString("final\n")
			inFinal = true
		}
		for _, it := range p.Items {
			if clean(it) {
				fmt.Fprintf(&b, "recv %d %s\n", p.Client, it)
			} else {
				fmt.Fprintf(&b, "recvq %d %s\n", p.Client, strconv.Quote(it))
			}
		}
	}
	return b.String()
}

// clean reports whether an item can be written unquoted.
func clean(s string) bool {
	return s != "" && strconv.Quote(s) == `"`+s+`"` && strings.TrimSpace(s) == s && !strings.Contains(s, `\`)
}

// parseTranscript reads the testdata format.
func parseTranscript(text string) (Transcript, error) {
	var t Transcript
	final := map[int][]string{}
	inFinal := false
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if c, ok := strings.CutPrefix(line, "#"); ok {
			t.Comment += strings.TrimPrefix(c, " ") + "\n"
			continue
		}
		if line == "" {
			continue
		}
		if err := t.parseLine(line, final, &inFinal); err != nil {
			return t, fmt.Errorf("difftest: transcript line %d: %v", n, err)
		}
	}
	if t.Stream.Config == "" {
		return t, fmt.Errorf("difftest: transcript has no config line")
	}
	for c := range t.Stream.clients() {
		t.Expect = append(t.Expect, Phase{Client: c, Seg: -1, Items: final[c]})
	}
	return t, sc.Err()
}

func (t *Transcript) parseLine(line string, final map[int][]string, inFinal *bool) error {
	key, rest, _ := strings.Cut(line, " ")
	switch key {
	case "name:":
		t.Name = rest
	case "config:":
		t.Stream.Config = rest
	case "skip:":
		t.Skip = rest
	case "final":
		*inFinal = true
	case "send", "recv", "recvq":
		cs, arg, _ := strings.Cut(rest, " ")
		c, err := strconv.Atoi(cs)
		if err != nil {
			return fmt.Errorf("client %q: %v", cs, err)
		}
		if key != "recv" {
			if arg, err = strconv.Unquote(arg); err != nil {
				return fmt.Errorf("%s: %v", key, err)
			}
		}
		return t.add(key, c, arg, final, *inFinal)
	default:
		return fmt.Errorf("unknown directive %q", key)
	}
	return nil
}

func (t *Transcript) add(key string, c int, arg string, final map[int][]string, inFinal bool) error {
	switch {
	case key == "send" && inFinal:
		return fmt.Errorf("send after final")
	case key == "send":
		t.Expect = append(t.Expect, Phase{Client: c, Seg: len(t.Stream.Segments)})
		t.Stream.Segments = append(t.Stream.Segments, Segment{Client: c, Data: []byte(arg)})
	case inFinal:
		final[c] = append(final[c], arg)
	case len(t.Expect) == 0 || t.Expect[len(t.Expect)-1].Client != c:
		return fmt.Errorf("recv for client %d outside its send", c)
	default:
		p := &t.Expect[len(t.Expect)-1]
		p.Items = append(p.Items, arg)
	}
	return nil
}

func loadTranscripts(t *testing.T) []Transcript {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out []Transcript
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := parseTranscript(string(text))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		tr.Path = f
		if tr.Name == "" {
			tr.Name = strings.TrimSuffix(filepath.Base(f), ".txt")
		}
		out = append(out, tr)
	}
	return out
}

// TestTranscripts replays each reduced finding against the reference and
// against natsloop; both must give what 2.15.2 gave when it was recorded.
func TestTranscripts(t *testing.T) {
	trs := loadTranscripts(t)
	if len(trs) == 0 {
		t.Fatal("difftest: no transcripts in testdata")
	}
	bin := referencePath(t)
	refs, nls := map[string]server{}, map[string]server{}
	for _, tr := range trs {
		cfg := tr.Stream.Config
		if refs[cfg] == nil {
			refs[cfg] = startReference(t, bin, configs[cfg])
			nls[cfg] = startNatsloop(t, configs[cfg])
		}
		if os.Getenv("NATSLOOP_DIFF_RERECORD") == "1" {
			rerecord(t, tr, refs[cfg])
			continue
		}
		t.Run(tr.Name, func(t *testing.T) {
			t.Run("reference", func(t *testing.T) { replay(t, tr, refs[cfg]) })
			t.Run("natsloop", func(t *testing.T) {
				if tr.Skip != "" && os.Getenv("NATSLOOP_DIFF_NOSKIP") != "1" {
					t.Skip(tr.Skip)
				}
				replay(t, tr, nls[cfg])
			})
		})
	}
}

// rerecord (NATSLOOP_DIFF_RERECORD=1) writes the transcript again with
// what the reference answers now: for a new file, write its name, config,
// skip and send lines, and let the reference fill in the rest.
func rerecord(t *testing.T, tr Transcript, ref server) {
	got := run(tr.Stream, ref.Addr())
	ref.WaitIdle(syncDeadline)
	tr.Expect = got
	if err := os.WriteFile(tr.Path, []byte(formatTranscript(tr, tr.Comment)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %s", tr.Path)
}

func replay(t *testing.T, tr Transcript, s server) {
	got := run(tr.Stream, s.Addr())
	s.WaitIdle(syncDeadline)
	if d := firstDiff(got, tr.Expect); d != nil {
		t.Errorf("%s: got %q, recorded %q\n%s", tr.Name, d.Got, d.Ref, formatResults(tr.Stream, got, tr.Expect))
	}
}

// TestTranscriptFormat: a transcript written and read back is the same.
func TestTranscriptFormat(t *testing.T) {
	st := generate(1, 7)
	var exp Result
	for i, sg := range st.Segments {
		exp = append(exp, Phase{Client: sg.Client, Seg: i, Items: []string{"+OK", "MSG foo 1 01", "payload \"a\\r\\n\"", " odd"}})
	}
	for c := range st.clients() {
		exp = append(exp, Phase{Client: c, Seg: -1, Items: []string{"PONG"}})
	}
	text := formatTranscript(Transcript{Name: "x", Skip: "why", Stream: st, Expect: exp}, "a\nb")
	back, err := parseTranscript(text)
	if err != nil {
		t.Fatal(err)
	}
	if back.Name != "x" || back.Skip != "why" || !equalStreams(back.Stream, st) || !equalResults(back.Expect, exp) {
		t.Fatalf("round trip changed the transcript:\n%s", text)
	}
}
