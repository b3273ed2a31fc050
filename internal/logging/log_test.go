package logging

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Lines captured from the reference (nats-server 2.9.10 -DV, and -T=false).
const (
	refTimed   = "[7570] 2026/11/23 13:26:13.739078 [INF] Starting nats-server"
	refUntimed = "[7580] [INF] Starting nats-server"
)

var (
	timedRE   = regexp.MustCompile(`^\[\d+\] \d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}\.\d{6} \[(INF|WRN|ERR|FTL|DBG|TRC)\] `)
	untimedRE = regexp.MustCompile(`^\[\d+\] \[(INF|WRN|ERR|FTL|DBG|TRC)\] `)
)

func TestReferenceLinesMatchPatterns(t *testing.T) {
	if !timedRE.MatchString(refTimed) || !untimedRE.MatchString(refUntimed) {
		t.Fatal("patterns do not match the reference server's lines")
	}
}

func TestFormatLevels(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, Options{Time: true, Debug: true, Trace: true})
	l.Noticef("Starting %s", "nats-server")
	l.Warnf("w")
	l.Errorf("e %d", 1)
	l.Fatalf("f")
	l.Debugf("d")
	l.Tracef("t")
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	want := []string{"[INF] Starting nats-server", "[WRN] w", "[ERR] e 1", "[FTL] f", "[DBG] d", "[TRC] t"}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines: %q", len(lines), lines)
	}
	pfx := fmt.Sprintf("[%d] ", os.Getpid())
	for i, line := range lines {
		if !timedRE.MatchString(line) || !strings.HasPrefix(line, pfx) || !strings.HasSuffix(line, want[i]) {
			t.Errorf("line %d = %q, want pattern ending in %q", i, line, want[i])
		}
		// Same shape as the reference line, character for character class.
		if got, ref := shape(line[len(pfx):]), shape(refTimed[len("[7570] "):]); !strings.HasPrefix(got, ref[:len("0000/00/00 00:00:00.000000 [")]) {
			t.Errorf("shape %q differs from reference %q", got, ref)
		}
	}
}

func shape(s string) string {
	return regexp.MustCompile(`\d`).ReplaceAllString(s, "0")
}

func TestFormatNoTime(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, Options{})
	l.Noticef("Starting nats-server")
	got := strings.TrimSuffix(buf.String(), "\n")
	want := fmt.Sprintf("[%d] [INF] Starting nats-server", os.Getpid())
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestTimestampValue(t *testing.T) {
	l := New(nil, Options{Time: true})
	ts := time.Date(2026, 1, 2, 3, 4, 5, 6_007_000, time.Local)
	got := string(l.format(nil, ts, "[INF] ", "x", nil))
	want := l.prefix + "2026/01/02 03:04:05.006007 [INF] x\n"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if got := string(appendTime(nil, ts)); got != ts.Format("2006/01/02 15:04:05.000000") {
		t.Fatalf("appendTime %q", got)
	}
}

func TestDebugTraceOff(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, Options{})
	l.Debugf("d")
	l.Tracef("t")
	if buf.Len() != 0 || l.Debug() || l.Trace() {
		t.Fatalf("debug/trace printed while off: %q", buf.String())
	}
	l.SetDebug(true)
	l.SetTrace(true)
	l.Debugf("d")
	l.Tracef("t")
	if !l.Debug() || !l.Trace() || strings.Count(buf.String(), "\n") != 2 {
		t.Fatalf("after enabling: %q", buf.String())
	}
}

func TestPercentWithoutArgs(t *testing.T) {
	var buf bytes.Buffer
	New(&buf, Options{}).Noticef("100%")
	if !strings.HasSuffix(buf.String(), "[INF] 100%\n") {
		t.Fatalf("got %q", buf.String())
	}
}

func TestReopen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "server.log")
	l, err := NewFile(path, Options{Time: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.Noticef("first")
	rotated := filepath.Join(dir, "server.log.1")
	if err := os.Rename(path, rotated); err != nil {
		t.Fatal(err)
	}
	l.Noticef("second") // still goes to the renamed file
	if err := l.Reopen(); err != nil {
		t.Fatal(err)
	}
	l.Noticef("third")
	old, _ := os.ReadFile(rotated)
	cur, _ := os.ReadFile(path)
	if !strings.Contains(string(old), "first") || !strings.Contains(string(old), "second") || strings.Contains(string(old), "third") {
		t.Fatalf("rotated file: %q", old)
	}
	if !strings.Contains(string(cur), "third") || strings.Contains(string(cur), "second") {
		t.Fatalf("new file: %q", cur)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm()&^fileMode != 0 {
		t.Fatalf("mode %v", fi.Mode())
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Reopen(); err != ErrClosed {
		t.Fatalf("Reopen after Close = %v", err)
	}
	l.Noticef("dropped") // must not panic
}

func TestNewFileError(t *testing.T) {
	_, err := NewFile(filepath.Join(t.TempDir(), "no", "such", "dir", "x.log"), Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "logging: ") {
		t.Fatalf("err = %v", err)
	}
}

func TestConcurrentLinesIntact(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, Options{Time: true, Trace: true})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				l.Tracef("goroutine %d line %d %s", g, i, strings.Repeat("x", i))
				if i%50 == 0 {
					_ = l.Reopen()
				}
			}
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 8*200 {
		t.Fatalf("got %d lines", len(lines))
	}
	for _, line := range lines {
		if !timedRE.MatchString(line) {
			t.Fatalf("torn line %q", line)
		}
	}
}

func TestNop(t *testing.T) {
	var l Logger = Nop()
	l.Noticef("x")
	l.Warnf("x")
	l.Errorf("x")
	l.Fatalf("x")
	l.Debugf("x")
	l.Tracef("x")
}

func TestNewTest(t *testing.T) {
	var l Logger = NewTest(t)
	l.Noticef("hello from %s", t.Name())
	l.Tracef("trace on")
}

func TestTestLoggerAfterCleanup(t *testing.T) {
	var l *Log
	t.Run("sub", func(t *testing.T) { l = NewTest(t) })
	l.Noticef("after the subtest ended: dropped, no panic")
}

func BenchmarkNoticef(b *testing.B) {
	l := New(discard{}, Options{Time: true})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		l.Noticef("client %d connected", i)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
