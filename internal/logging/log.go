package logging

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Logger is what the server logs through. The method set matches
// nats-server's logger (Noticef is the INF level).
type Logger interface {
	Noticef(format string, v ...any)
	Warnf(format string, v ...any)
	Errorf(format string, v ...any)
	Fatalf(format string, v ...any) // logs only; the caller exits
	Debugf(format string, v ...any) // no-op unless debug is on
	Tracef(format string, v ...any) // no-op unless trace is on
}

// Options select what a Log prints.
type Options struct {
	Time  bool // timestamp each line (nats-server's logtime, default true)
	UTC   bool // timestamps in UTC instead of local time (logtime_utc)
	Debug bool // print DBG lines
	Trace bool // print TRC lines
}

// ErrClosed is returned by writes and Reopen after Close.
var ErrClosed = errors.New("logging: logger closed")

const fileMode = 0o640

// Log writes nats-server formatted lines to a writer or a file.
// Safe for concurrent use.
type Log struct {
	prefix string // "[pid] ", immutable after New
	timed  bool   // immutable after New
	utc    bool   // immutable after New
	debug  atomic.Bool
	trace  atomic.Bool

	mu     sync.Mutex // guards w, f, closed
	w      io.Writer
	f      *os.File // non-nil when logging to path
	path   string   // immutable after NewFile
	closed bool

	pool sync.Pool // *[]byte line buffers
}

// New returns a Log writing to w (os.Stderr when w is nil).
func New(w io.Writer, o Options) *Log {
	if w == nil {
		w = os.Stderr
	}
	l := &Log{
		prefix: "[" + strconv.Itoa(os.Getpid()) + "] ",
		timed:  o.Time,
		utc:    o.UTC,
		w:      w,
	}
	l.debug.Store(o.Debug)
	l.trace.Store(o.Trace)
	l.pool.New = func() any { b := make([]byte, 0, 256); return &b }
	return l
}

// NewFile returns a Log appending to the file at path (created with mode
// 0640 when missing), as nats-server's -l/--log does.
func NewFile(path string, o Options) (*Log, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, err
	}
	l := New(f, o)
	l.f = f
	l.path = path
	return l, nil
}

func openFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, fileMode)
	if err != nil {
		return nil, fmt.Errorf("logging: open log file: %w", err)
	}
	return f, nil
}

// Reopen closes and reopens the log file (SIGUSR1), so that a file moved
// away by log rotation is recreated. For a writer-backed Log it does nothing.
func (l *Log) Reopen() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	if l.path == "" {
		return nil
	}
	f, err := openFile(l.path)
	if err != nil {
		return err
	}
	old := l.f
	l.f, l.w = f, f
	if err := old.Close(); err != nil {
		return fmt.Errorf("logging: close old log file: %w", err)
	}
	return nil
}

// Close closes the log file, if any. Later lines are dropped.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	if l.f != nil {
		if err := l.f.Close(); err != nil {
			return fmt.Errorf("logging: close log file: %w", err)
		}
	}
	return nil
}

// Debug reports whether DBG lines are printed.
func (l *Log) Debug() bool { return l.debug.Load() }

// Trace reports whether TRC lines are printed.
func (l *Log) Trace() bool { return l.trace.Load() }

// SetDebug turns DBG lines on or off (config reload).
func (l *Log) SetDebug(on bool) { l.debug.Store(on) }

// SetTrace turns TRC lines on or off (config reload).
func (l *Log) SetTrace(on bool) { l.trace.Store(on) }

// Noticef logs at INF.
func (l *Log) Noticef(format string, v ...any) { l.output("[INF] ", format, v) }

// Warnf logs at WRN.
func (l *Log) Warnf(format string, v ...any) { l.output("[WRN] ", format, v) }

// Errorf logs at ERR.
func (l *Log) Errorf(format string, v ...any) { l.output("[ERR] ", format, v) }

// Fatalf logs at FTL. It does not exit.
func (l *Log) Fatalf(format string, v ...any) { l.output("[FTL] ", format, v) }

// Debugf logs at DBG when debug is on.
func (l *Log) Debugf(format string, v ...any) {
	if l.debug.Load() {
		l.output("[DBG] ", format, v)
	}
}

// Tracef logs at TRC when trace is on.
func (l *Log) Tracef(format string, v ...any) {
	if l.trace.Load() {
		l.output("[TRC] ", format, v)
	}
}

func (l *Log) output(label, format string, v []any) {
	bp := l.pool.Get().(*[]byte)
	b := l.format((*bp)[:0], time.Now(), label, format, v)
	l.mu.Lock()
	if !l.closed {
		_, _ = l.w.Write(b)
	}
	l.mu.Unlock()
	if cap(b) <= 64<<10 { // do not pin huge trace lines in the pool
		*bp = b
		l.pool.Put(bp)
	}
}

// format appends one complete line (with its newline) to b.
func (l *Log) format(b []byte, now time.Time, label, format string, v []any) []byte {
	b = append(b, l.prefix...)
	if l.timed {
		if l.utc {
			now = now.UTC()
		}
		b = appendTime(b, now)
		b = append(b, ' ')
	}
	b = append(b, label...)
	if len(v) == 0 {
		b = append(b, format...)
	} else {
		b = fmt.Appendf(b, format, v...)
	}
	if len(b) == 0 || b[len(b)-1] != '\n' {
		b = append(b, '\n')
	}
	return b
}

// appendTime appends "YYYY/MM/DD HH:MM:SS.uuuuuu", as Go's log package
// does with LstdFlags|Lmicroseconds (what nats-server uses).
func appendTime(b []byte, t time.Time) []byte {
	year, month, day := t.Date()
	b = itoa(b, year, 4)
	b = append(b, '/')
	b = itoa(b, int(month), 2)
	b = append(b, '/')
	b = itoa(b, day, 2)
	b = append(b, ' ')
	hour, min, sec := t.Clock()
	b = itoa(b, hour, 2)
	b = append(b, ':')
	b = itoa(b, min, 2)
	b = append(b, ':')
	b = itoa(b, sec, 2)
	b = append(b, '.')
	return itoa(b, t.Nanosecond()/1e3, 6)
}

// itoa appends i zero-padded to wid digits.
func itoa(b []byte, i, wid int) []byte {
	var tmp [20]byte
	p := len(tmp) - 1
	for i >= 10 || wid > 1 {
		wid--
		q := i / 10
		tmp[p] = byte('0' + i - q*10)
		p--
		i = q
	}
	tmp[p] = byte('0' + i)
	return append(b, tmp[p:]...)
}
