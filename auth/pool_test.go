package auth

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"natsloop/config"
)

// result collects what done reports.
type result struct {
	id  *Identity
	err error
}

func bcryptUsers(t testing.TB, l limits) *Auth {
	t.Helper()
	a, err := newAuth(opts(&config.Authorization{Users: []*config.User{
		{User: "bob", Password: hashOf(t, "right")},
		{User: "eve", Password: hashOf(t, "other")},
	}}), l)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

// start runs Start and returns a channel with the result, sync or not.
func start(t testing.TB, a *Auth, cr Credentials) <-chan result {
	ch := make(chan result, 1)
	sync, id, err := a.Start(cr, func(id *Identity, err error) { ch <- result{id, err} })
	if sync {
		ch <- result{id, err}
	}
	return ch
}

// A reconnect storm of 200 clients with the same credentials costs one
// bcrypt: the first burst shares one run (coalescing) and later ones hit
// the cache.
func TestReconnectStormCostsOneBcrypt(t *testing.T) {
	a := bcryptUsers(t, defaultLimits())
	cr := Credentials{User: "bob", Pass: "right"}
	chans := make([]<-chan result, 200)
	var wg sync.WaitGroup
	for i := range chans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chans[i] = start(t, a, cr)
		}()
	}
	wg.Wait()
	for i, ch := range chans {
		r := <-ch
		if r.err != nil || r.id.User != "bob" {
			t.Fatalf("client %d: %+v %v", i, r.id, r.err)
		}
	}
	// A second storm, after the first: all cache hits, all synchronous.
	for i := 0; i < 200; i++ {
		sync, id, err := a.Start(cr, nil)
		if !sync || err != nil || id.User != "bob" {
			t.Fatalf("second storm %d: %v %v %v", i, sync, id, err)
		}
	}
	n := a.BcryptChecks()
	t.Logf("400 logins, %d bcrypt runs", n)
	if n != 1 {
		t.Fatalf("%d bcrypt runs, want 1", n)
	}
}

// Wrong passwords are never cached: each costs a bcrypt, repeated or not,
// and they do not evict good entries.
func TestWrongPasswordsEachCostBcrypt(t *testing.T) {
	l := defaultLimits()
	l.cacheMax = 2
	a := bcryptUsers(t, l)
	if _, err := a.Check(Credentials{User: "bob", Pass: "right"}); err != nil {
		t.Fatal(err)
	}
	base := a.BcryptChecks()
	for i := 0; i < 20; i++ {
		r := <-start(t, a, Credentials{User: "bob", Pass: fmt.Sprintf("guess-%d", i)})
		if !errors.Is(r.err, ErrAuthorization) {
			t.Fatalf("guess %d: %v", i, r.err)
		}
	}
	for i := 0; i < 5; i++ { // the same wrong password again and again
		if _, err := a.Check(Credentials{User: "bob", Pass: "guess-0"}); err == nil {
			t.Fatal("accepted")
		}
	}
	if n := a.BcryptChecks() - base; n != 25 {
		t.Fatalf("25 wrong passwords ran %d bcrypts", n)
	}
	if a.cache.len() != 1 {
		t.Fatalf("cache holds %d keys, want 1 (the success)", a.cache.len())
	}
	sync, _, err := a.Start(Credentials{User: "bob", Pass: "right"}, nil)
	if !sync || err != nil {
		t.Fatal("good entry evicted by failures")
	}
}

// Concurrent identical wrong passwords share a run and all fail; the
// coalescing key includes the user, so another user's right password is
// not confused with it.
func TestCoalescingKeepsUsersApart(t *testing.T) {
	a := bcryptUsers(t, defaultLimits())
	gate := make(chan struct{})
	a.compare = func(h, p []byte) error { <-gate; return bcrypt.CompareHashAndPassword(h, p) }
	bad := start(t, a, Credentials{User: "bob", Pass: "other"}) // eve's password
	bad2 := start(t, a, Credentials{User: "bob", Pass: "other"})
	good := start(t, a, Credentials{User: "eve", Pass: "other"})
	unknown := start(t, a, Credentials{User: "mallory", Pass: "other"})
	close(gate)
	if r := <-bad; r.err == nil {
		t.Fatal("bob with eve's password accepted")
	}
	if r := <-bad2; r.err == nil {
		t.Fatal("bob with eve's password accepted (coalesced)")
	}
	if r := <-good; r.err != nil || r.id.User != "eve" {
		t.Fatalf("eve: %+v %v", r.id, r.err)
	}
	if r := <-unknown; r.err == nil {
		t.Fatal("unknown user accepted")
	}
	if n := a.BcryptChecks(); n != 3 {
		t.Fatalf("%d bcrypt runs, want 3 (bob's two identical attempts share one)", n)
	}
}

// The pool is bounded: with its workers busy and its queue full, a new
// check evicts the oldest queued check (that one gets ErrBusy through
// done); past the waiter bound Start fails fast with ErrBusy. Nothing
// blocks, and every accepted check is answered once.
func TestPoolBounded(t *testing.T) {
	a := bcryptUsers(t, limits{workers: 1, queue: 2, waiters: 4, cacheMax: 16})
	gate := make(chan struct{})
	running := make(chan struct{}, 16)
	a.compare = func(h, p []byte) error {
		running <- struct{}{}
		<-gate
		return bcrypt.CompareHashAndPassword(h, p)
	}
	first := start(t, a, Credentials{User: "bob", Pass: "p0"})
	<-running // the worker holds p0
	p1 := start(t, a, Credentials{User: "bob", Pass: "p1"})
	p2 := start(t, a, Credentials{User: "bob", Pass: "p2"})
	t0 := time.Now()
	p3 := start(t, a, Credentials{User: "bob", Pass: "p3"}) // queue full: p1, the oldest, goes
	if r := <-p1; !errors.Is(r.err, ErrBusy) {
		t.Fatalf("evicted check: %v, want ErrBusy", r.err)
	}
	if d := time.Since(t0); d > time.Second {
		t.Fatalf("eviction took %v", d)
	}
	if n := a.pool.q.n; n != 2 {
		t.Fatalf("%d queued, want 2", n)
	}
	// Joining a queued flight needs no queue slot, but counts as a waiter.
	p2b := start(t, a, Credentials{User: "bob", Pass: "p2"})
	if _, _, err := a.Start(Credentials{User: "bob", Pass: "p4"}, func(*Identity, error) { t.Error("done of a refused check") }); !errors.Is(err, ErrBusy) {
		t.Fatalf("waiters full: %v", err)
	}
	close(gate)
	for _, ch := range []<-chan result{first, p2, p3, p2b} {
		if r := <-ch; !errors.Is(r.err, ErrAuthorization) {
			t.Fatalf("accepted check: %v", r.err)
		}
	}
	if n := a.BcryptChecks(); n != 3 {
		t.Fatalf("%d bcrypt runs, want 3 (p0, p2 shared, p3)", n)
	}
}

func TestCloseCompletesQueued(t *testing.T) {
	a := bcryptUsers(t, limits{workers: 1, queue: 4, waiters: 8, cacheMax: 16})
	gate := make(chan struct{})
	running := make(chan struct{}, 1)
	a.compare = func(h, p []byte) error { running <- struct{}{}; <-gate; return errors.New("no") }
	first := start(t, a, Credentials{User: "bob", Pass: "a"})
	<-running
	queued := start(t, a, Credentials{User: "bob", Pass: "b"})
	closed := make(chan struct{})
	go func() { a.Close(); close(closed) }()
	time.Sleep(10 * time.Millisecond)
	close(gate)
	<-closed
	if r := <-first; !errors.Is(r.err, ErrAuthorization) {
		t.Fatalf("running check: %v", r.err)
	}
	if r := <-queued; !errors.Is(r.err, ErrClosed) {
		t.Fatalf("queued check: %v", r.err)
	}
	if _, _, err := a.Start(Credentials{User: "bob", Pass: "c"}, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
	// Cheap paths still answer after Close.
	a.cache.add(a.cacheKey("bob", a.users["bob"].sec.hash, "right"))
	if sync, _, err := a.Start(Credentials{User: "bob", Pass: "right"}, nil); !sync || err != nil {
		t.Fatalf("cache hit after Close: %v", err)
	}
}

// Concurrent Start and Check with a mix of credentials: run with -race.
func TestConcurrentStartCheck(t *testing.T) {
	a := bcryptUsers(t, limits{workers: 2, queue: 1024, waiters: 4096, cacheMax: 4})
	creds := []struct {
		cr Credentials
		ok bool
	}{
		{Credentials{User: "bob", Pass: "right"}, true},
		{Credentials{User: "eve", Pass: "other"}, true},
		{Credentials{User: "bob", Pass: "wrong"}, false},
		{Credentials{User: "nobody", Pass: "right"}, false},
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				c := creds[(g+i)%len(creds)]
				var err error
				if (g+i)%3 == 0 {
					_, err = a.Check(c.cr)
				} else {
					err = (<-start(t, a, c.cr)).err
				}
				if (err == nil) != c.ok {
					t.Errorf("%+v: %v", c.cr, err)
				}
			}
		}()
	}
	wg.Wait()
}
