package broker

import (
	"bufio"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"natsloop/config"
)

// floodClient is one raw connection of the auth flood: it sends CONNECT
// and PING at once and records the first answer and when it came.
type floodClient struct {
	nc   net.Conn
	br   *bufio.Reader
	sent time.Time
	got  string
	at   time.Time
}

// dialFlood connects from source address src and reads INFO. It may run
// on any goroutine: errors are returned.
func dialFlood(addr, src string) (*floodClient, error) {
	d := net.Dialer{Timeout: 5 * time.Second}
	if src != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(src)}
	}
	nc, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s from %q: %v", addr, src, err)
	}
	fc := &floodClient{nc: nc, br: bufio.NewReader(nc)}
	nc.SetReadDeadline(time.Now().Add(60 * time.Second))
	if line, err := fc.br.ReadString('\n'); err != nil || !strings.HasPrefix(line, "INFO ") {
		nc.Close()
		return nil, fmt.Errorf("first line %q %v, want INFO", line, err)
	}
	return fc, nil
}

// dialAll dials n clients from src at once.
func dialAll(t *testing.T, addr, src string, n int) []*floodClient {
	t.Helper()
	fcs := make([]*floodClient, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range fcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fcs[i], errs[i] = dialFlood(addr, src)
		}()
	}
	wg.Wait()
	for i, fc := range fcs {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		t.Cleanup(func() { fc.nc.Close() })
	}
	return fcs
}

// exchange sends CONNECT+PING and waits (up to 60 s) for PONG or -ERR.
func (fc *floodClient) exchange(user, pass string) {
	fc.sent = time.Now()
	fmt.Fprintf(fc.nc, "CONNECT {\"verbose\":false,\"pedantic\":false,\"user\":%q,\"pass\":%q}\r\nPING\r\n", user, pass)
	line, err := fc.br.ReadString('\n')
	fc.at = time.Now()
	if err != nil {
		fc.got = "<" + err.Error() + ">"
		return
	}
	fc.got = strings.TrimRight(line, "\r\n")
}

// floodSize returns an auth timeout and a number of flooding clients
// from t0, the least time one bcrypt took here: the flood needs twice the
// auth timeout of work from w workers even at that speed (the contention
// it brings slows each run further), so that many answers come after
// their client's auth timeout. Timings size the load; the test asserts
// only answers, orders and counts.
func floodSize(t0 time.Duration, w int) (time.Duration, int) {
	timeout := max(10*t0, 500*time.Millisecond)
	n := int(2*int64(timeout)*int64(w)/int64(t0)) + w
	return timeout, min(n, 400)
}

// floodCost picks the lowest bcrypt cost whose comparison takes at least
// 40 ms here (the race detector makes bcrypt many times slower), and
// returns it with that time. Runs much longer than the scheduler's time
// slice keep the order of answers close to the order of the runs.
func floodCost(t *testing.T) (int, time.Duration) {
	for cost := bcrypt.MinCost; ; cost++ {
		t0 := bcryptTime(hashPassword(t, "x", cost))
		if t0 >= 40*time.Millisecond || cost == 12 {
			return cost, t0
		}
	}
}

// bcryptTime is the least time of a few bcrypt comparisons with hash.
func bcryptTime(hash string) time.Duration {
	best := time.Hour
	for range 5 {
		t0 := time.Now()
		_ = bcrypt.CompareHashAndPassword([]byte(hash), []byte("x"))
		best = min(best, time.Since(t0))
	}
	return best
}

// waitFor polls cond every millisecond for up to 60 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(60 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("gave up waiting: %s", what)
		}
	}
}

// TestAuthFloodAnswersEveryClientAndSparesValidUsers: many clients send
// CONNECT with distinct wrong passwords for a bcrypt user, more than the
// bcrypt pool (w workers, w = GOMAXPROCS) can check within the auth
// timeout. Then two valid users connect: alice (the flooded user) from
// the flood's host and bob from another host.
//
// What must hold, whatever the machine's speed:
//   - every flooding client gets Authorization Violation, as from
//     nats-server, also when its check ends after its auth timeout (the
//     regression: most got Authentication Timeout), and each check ran
//     once;
//   - the valid users get in, each with at most 5w flooding clients
//     answered between its CONNECT and its PONG: a check waits for a
//     worker to free up, not for the flood's backlog (newest check of a
//     host first, hosts in turn; the regression: behind the whole flood).
func TestAuthFloodAnswersEveryClientAndSparesValidUsers(t *testing.T) {
	w := runtime.GOMAXPROCS(0)
	cost, t0 := floodCost(t)
	timeout, n := floodSize(t0, w)
	t.Logf("bcrypt cost %d: %v; auth timeout %v; %d flooding clients; %d workers", cost, t0, timeout, n, w)
	s := startServer(t, 0, func(o *config.Options) {
		o.AuthTimeout = timeout
		o.Authorization = &config.Authorization{Users: []*config.User{
			{User: "alice", Password: hashPassword(t, "alice-pw", cost)},
			{User: "bob", Password: hashPassword(t, "bob-pw", cost)},
		}}
	})
	addr := s.Addr().String()
	flood := dialAll(t, addr, "127.0.0.1", n)
	var answered atomic.Int64
	var wg sync.WaitGroup
	for i, fc := range flood {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fc.exchange("alice", fmt.Sprintf("wrong-%d", i))
			answered.Add(1)
		}()
	}
	waitFor(t, "every flood check submitted", func() bool { return s.auth.Pending()+int(answered.Load()) >= n })
	valid := map[string]*floodClient{
		"alice from the flood's host": dialAll(t, addr, "127.0.0.1", 1)[0],
		"bob from another host":       dialAll(t, addr, "127.0.0.2", 1)[0],
	}
	for name, fc := range valid {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := strings.Fields(name)[0]
			fc.exchange(user, user+"-pw")
		}()
	}
	wg.Wait()

	late := 0
	for i, fc := range flood {
		if fc.got != "-ERR 'Authorization Violation'" {
			t.Errorf("flooding client %d got %q, want Authorization Violation", i, fc.got)
		}
		if fc.at.Sub(fc.sent) > timeout { // its auth timer started before it sent
			late++
		}
	}
	t.Logf("%d of %d flooding clients answered after their auth timeout", late, n)
	if late == 0 {
		t.Errorf("the flood ended within the auth timeout: this run could not catch a check answered Authentication Timeout")
	}
	waitFor(t, "pool idle", func() bool { return s.auth.Pending() == 0 })
	if runs, want := s.auth.BcryptChecks(), uint64(n+len(valid)); runs != want {
		t.Errorf("%d bcrypt runs, want %d (each check once)", runs, want)
	}
	for name, fc := range valid {
		between := 0
		for _, f := range flood {
			if f.at.After(fc.sent) && f.at.Before(fc.at) {
				between++
			}
		}
		t.Logf("%s: %q; %d flooding clients answered meanwhile", name, fc.got, between)
		if fc.got != "PONG" {
			t.Errorf("%s: got %q, want PONG", name, fc.got)
		}
		if between > 5*w {
			t.Errorf("%s: %d flooding clients answered before it, want at most %d", name, between, 5*w)
		}
	}
}
