package broker

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"natsloop/config"
	"natsloop/internal/logging"
)

// logLines is a logging.Logger that keeps the INF, WRN and ERR lines
// (without timestamp or pid) and passes everything on to the test's log.
type logLines struct {
	logging.Logger
	mu    sync.Mutex
	lines []string // guarded by mu
}

func newLogLines(t testing.TB) *logLines { return &logLines{Logger: logging.NewTest(t)} }

func (l *logLines) Noticef(format string, v ...any) {
	l.keep("[INF] ", format, v)
	l.Logger.Noticef(format, v...)
}

func (l *logLines) Warnf(format string, v ...any) {
	l.keep("[WRN] ", format, v)
	l.Logger.Warnf(format, v...)
}

func (l *logLines) Errorf(format string, v ...any) {
	l.keep("[ERR] ", format, v)
	l.Logger.Errorf(format, v...)
}

func (l *logLines) keep(level, format string, v []any) {
	line := level + fmt.Sprintf(format, v...)
	l.mu.Lock()
	l.lines = append(l.lines, line)
	l.mu.Unlock()
}

// with returns the kept lines that contain sub.
func (l *logLines) with(sub string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range l.lines {
		if strings.Contains(line, sub) {
			out = append(out, line)
		}
	}
	return out
}

// TestSlowConsumerClosedOthersUnharmed: a subscriber that never reads is
// closed once max_pending is exceeded, the server logs it as nats-server
// does (INF, the client's address and cid, the limit), and a healthy
// subscriber of the same subject still receives every message.
func TestSlowConsumerClosedOthersUnharmed(t *testing.T) {
	log := newLogLines(t)
	s := startServerLog(t, 0, log, func(o *config.Options) {
		o.MaxPending = 4 << 20
		o.Loops = 1 // the slow and the healthy conn share a loop
	})
	stuck := dialRaw(t, s.Addr().String())
	stuck.send("CONNECT {\"verbose\":false}\r\nSUB flood 1\r\nPING\r\n")
	stuck.expect("PONG")
	// From here on the raw conn never reads.

	healthy := connect(t, s)
	const n = 20000
	var wg sync.WaitGroup
	wg.Add(n)
	sub, _ := healthy.Subscribe("flood", func(*nats.Msg) { wg.Done() })
	sub.SetPendingLimits(-1, -1)
	healthy.Flush()

	pub := connect(t, s)
	payload := []byte(strings.Repeat("x", 1024))
	for i := 0; i < n; i++ {
		if err := pub.Publish("flood", payload); err != nil {
			t.Fatal(err)
		}
	}
	pub.Flush()
	waitGroup(t, &wg)

	const detected = "Slow Consumer Detected"
	waitWithin(t, "the slow consumer logged", 10*time.Second, func() bool { return len(log.with(detected)) > 0 })
	lines := log.with(detected)
	want := fmt.Sprintf("[INF] %s - cid:%d - Slow Consumer Detected: MaxPending of %d Exceeded",
		stuck.nc.LocalAddr(), stuck.cid(), 4<<20)
	if len(lines) != 1 || lines[0] != want {
		t.Fatalf("slow consumer log lines %q, want just %q", lines, want)
	}
	if got := s.stats.slowConsumers.Load(); got != 1 {
		t.Fatalf("slow consumers = %d, want 1", got)
	}
	if got := s.NumClients(); got != 2 {
		t.Fatalf("clients = %d, want 2 (publisher and healthy subscriber)", got)
	}
}
