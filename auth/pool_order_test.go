package auth

import (
	"errors"
	"fmt"
	"sync"
	"testing"
)

// heldPool is a one-worker pool whose bcrypt is replaced by a recorder
// that fails every check and holds the worker until released.
type heldPool struct {
	a       *Auth
	release chan struct{}
	running chan string
	mu      sync.Mutex
	ran     []string // passwords, in the order bcrypt ran them
}

func newHeldPool(t *testing.T, queue int) *heldPool {
	h := &heldPool{
		a:       bcryptUsers(t, limits{workers: 1, queue: queue, waiters: 64, cacheMax: 4}),
		release: make(chan struct{}),
		running: make(chan string, 64),
	}
	h.a.compare = func(_, p []byte) error {
		h.mu.Lock()
		h.ran = append(h.ran, string(p))
		h.mu.Unlock()
		h.running <- string(p)
		<-h.release
		return errors.New("no")
	}
	t.Cleanup(func() { close(h.release) })
	return h
}

func (h *heldPool) start(t *testing.T, pass, remote string) <-chan result {
	return start(t, h.a, Credentials{User: "bob", Pass: pass, RemoteAddr: remote})
}

// hold occupies the only worker with a check from a host of its own.
func (h *heldPool) hold(t *testing.T) <-chan result {
	ch := h.start(t, "hold", "10.9.9.9:1")
	<-h.running
	return ch
}

// runAll releases the worker until every queued check has run, and
// returns the order in which bcrypt ran them.
func (h *heldPool) runAll(n int) string {
	h.release <- struct{}{}
	for range n {
		<-h.running
		h.release <- struct{}{}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return fmt.Sprint(h.ran)
}

func expectErr(t *testing.T, name string, ch <-chan result, want error) {
	t.Helper()
	if r := <-ch; !errors.Is(r.err, want) {
		t.Fatalf("%s: %v, want %v", name, r.err, want)
	}
}

// Hosts take turns: a host with a backlog delays another host's check by
// one run; within a host the newest check runs first.
func TestPoolServesHostsInTurnNewestFirst(t *testing.T) {
	h := newHeldPool(t, 16)
	chans := []<-chan result{h.hold(t)}
	for i := 1; i <= 3; i++ {
		chans = append(chans, h.start(t, fmt.Sprintf("a%d", i), fmt.Sprintf("10.0.0.1:%d", i)))
	}
	chans = append(chans, h.start(t, "b1", "[::1]:7"))
	if got, want := h.runAll(4), "[hold a3 b1 a2 a1]"; got != want {
		t.Fatalf("bcrypt ran %s, want %s", got, want)
	}
	for i, ch := range chans {
		expectErr(t, fmt.Sprint("check ", i), ch, ErrAuthorization)
	}
}

// A connection joining a queued check (same user and password) makes it
// its host's newest: it runs once, for both.
func TestPoolJoinMakesNewest(t *testing.T) {
	h := newHeldPool(t, 16)
	hold := h.hold(t)
	a1 := h.start(t, "a1", "10.0.0.1:1")
	a2 := h.start(t, "a2", "10.0.0.1:2")
	a1b := h.start(t, "a1", "10.0.0.2:1")
	if got, want := h.runAll(2), "[hold a1 a2]"; got != want {
		t.Fatalf("bcrypt ran %s, want %s", got, want)
	}
	for name, ch := range map[string]<-chan result{"hold": hold, "a1": a1, "a2": a2, "a1 joined": a1b} {
		expectErr(t, name, ch, ErrAuthorization)
	}
}

// When the queue is full, a newcomer evicts the oldest check of the host
// with the most queued ones (its waiters get ErrBusy), never another
// host's only check. The queue never holds more than its bound, and
// every check is answered exactly once.
func TestPoolEvictsFromTheBusiestHost(t *testing.T) {
	h := newHeldPool(t, 3)
	hold := h.hold(t)
	f1 := h.start(t, "f1", "10.0.0.1:1")
	f2 := h.start(t, "f2", "10.0.0.1:2")
	v := h.start(t, "v", "10.0.0.2:1")
	f3 := h.start(t, "f3", "10.0.0.1:3") // evicts f1, not v
	expectErr(t, "f1", f1, ErrBusy)
	w := h.start(t, "w", "10.0.0.3:1") // evicts f2
	expectErr(t, "f2", f2, ErrBusy)
	h.a.pool.mu.Lock()
	n := h.a.pool.q.n
	h.a.pool.mu.Unlock()
	if n != 3 {
		t.Fatalf("%d queued, want 3", n)
	}
	if got, want := h.runAll(3), "[hold f3 v w]"; got != want {
		t.Fatalf("bcrypt ran %s, want %s", got, want)
	}
	for name, ch := range map[string]<-chan result{"hold": hold, "f3": f3, "v": v, "w": w} {
		expectErr(t, name, ch, ErrAuthorization)
	}
	if p := h.a.Pending(); p != 0 {
		t.Fatalf("%d still pending", p)
	}
}
