package logging

import (
	"strings"
	"sync"
	"testing"
)

type nop struct{}

func (nop) Noticef(string, ...any) {}
func (nop) Warnf(string, ...any)   {}
func (nop) Errorf(string, ...any)  {}
func (nop) Fatalf(string, ...any)  {}
func (nop) Debugf(string, ...any)  {}
func (nop) Tracef(string, ...any)  {}

// Nop returns a Logger that discards everything.
func Nop() Logger { return nop{} }

// tbWriter sends each line to tb.Log until the test's cleanup runs; lines
// logged after that (by goroutines outliving the test) are dropped instead
// of panicking in the testing package.
type tbWriter struct {
	mu   sync.Mutex // guards done and serializes tb.Log
	tb   testing.TB
	done bool
}

func (w *tbWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.tb.Helper()
		w.tb.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

// NewTest returns a Log with debug and trace on that writes each line to
// tb.Log, in nats-server's format without timestamps.
func NewTest(tb testing.TB) *Log {
	w := &tbWriter{tb: tb}
	tb.Cleanup(func() {
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return New(w, Options{Debug: true, Trace: true})
}
