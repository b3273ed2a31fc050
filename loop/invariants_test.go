//go:build invariants || race

package loop

import (
	"strings"
	"testing"
	"time"
)

// panicOf runs fn and returns the message it panicked with ("" if none).
func panicOf(fn func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg, _ = r.(string)
			if msg == "" {
				msg = "non-string panic"
			}
		}
	}()
	fn()
	return ""
}

// loopOnlyCalls are the loop-only entries of the API, each called for
// conn c from shard s (the caller's idea of the running shard).
func loopOnlyCalls(s *Shard, c *Conn) map[string]func() {
	return map[string]func(){
		"Conn.Out":              func() { c.Out() },
		"Conn.Close":            func() { c.Close(nil) },
		"Conn.Need":             func() { c.Need(1) },
		"Conn.OutboundBuffered": func() { c.OutboundBuffered() },
		"Conn.Pause":            func() { c.Pause() },
		"Conn.Paused":           func() { c.Paused() },
		"Conn.WaitExpired":      func() { c.WaitExpired() },
		"Conn.StartTLS":         func() { c.StartTLS(nil, false, 0, nil, nil) },
		"Shard.Begin":           func() { s.Begin(c) },
		"Shard.Commit":          func() { s.Commit(c) },
		"Shard.Pending":         func() { s.Pending(c) },
		"Shard.WaitDrain":       func() { s.WaitDrain(c, c, 0, time.Second) },
	}
}

// TestLoopOnlyCallsPanicOffTheLoop: under -race or -tags invariants,
// each loop-only call made from a goroutine that is not the conn's loop
// (the test's, or another shard's loop) panics with a message naming
// the call, before it changes anything: the conn still echoes after.
func TestLoopOnlyCallsPanicOffTheLoop(t *testing.T) {
	reg := &registry{}
	s := startServer(t, Config{Loops: 2, Balance: RoundRobin}, &funcHandler{open: reg.add, data: echo})
	na, nb := dial(t, s), dial(t, s)
	waitFor(t, "two conns", 5*time.Second, func() bool { return len(reg.list()) == 2 })
	a, b := reg.list()[0], reg.list()[1]
	if a.Shard() == b.Shard() {
		t.Fatal("both conns on one shard; want one per loop")
	}

	for name, call := range loopOnlyCalls(a.Shard(), a) {
		msg := panicOf(call)
		if !strings.Contains(msg, "loop: "+name) || !strings.Contains(msg, "off its event loop") {
			t.Errorf("%s from the test goroutine: panic %q, want one naming it", name, msg)
		}
	}
	// From b's loop: a is not b's, and a's shard is not the running one.
	fromB := make(chan map[string]string, 1)
	if err := b.Shard().Execute(func() {
		got := map[string]string{}
		for name, call := range loopOnlyCalls(a.Shard(), a) {
			got[name] = panicOf(call)
		}
		got["Shard.Begin (running shard, other conn)"] = panicOf(func() { b.Shard().Begin(a); b.Shard().Commit(a) })
		fromB <- got
	}); err != nil {
		t.Fatal(err)
	}
	for name, msg := range <-fromB {
		if strings.HasSuffix(name, "other conn)") {
			if msg != "" {
				t.Errorf("%s: panic %q; cross-loop delivery from the running shard is allowed", name, msg)
			}
			continue
		}
		if !strings.Contains(msg, "off its event loop") {
			t.Errorf("%s from another loop: panic %q, want the off-loop panic", name, msg)
		}
	}
	// On its own loop the same calls are fine, and nothing was changed by
	// the refused ones: both conns still echo.
	if err := a.Shard().Execute(func() { a.Out() }); err != nil {
		t.Fatal(err)
	}
	for _, nc := range []interface {
		Write([]byte) (int, error)
	}{na, nb} {
		if _, err := nc.Write([]byte("ok\n")); err != nil {
			t.Fatal(err)
		}
	}
	if got := string(readN(t, na, 3, 5*time.Second)); got != "ok\n" {
		t.Fatalf("a echoed %q", got)
	}
	if got := string(readN(t, nb, 3, 5*time.Second)); got != "ok\n" {
		t.Fatalf("b echoed %q", got)
	}
}

// TestCloseStateMovesAreChecked: an illegal move of the close lifecycle
// panics under the invariants build.
func TestCloseStateMovesAreChecked(t *testing.T) {
	c := &Conn{id: 9}
	c.setClose(closeRequested)
	c.setClose(closeLingering)
	if msg := panicOf(func() { c.setClose(closeRequested) }); !strings.Contains(msg, "lingering -> requested") {
		t.Fatalf("lingering -> requested: panic %q", msg)
	}
	c.setClose(closeGone)
	if msg := panicOf(func() { c.setClose(closeGone) }); !strings.Contains(msg, "gone -> gone") {
		t.Fatalf("gone -> gone: panic %q", msg)
	}
}
