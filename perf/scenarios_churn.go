package perf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The churn scenarios: one raw publisher sends to cfg.ChurnSubjects
// distinct subjects (churn.0, churn.1, ... cycling) as fast as it can
// while another raw client measures its PING round trip. What they show
// is what subject churn (match-cache misses, allocations, GC) costs the
// other connections of the server, not the publisher's own rate.
//
// Placement: natsloop spreads connections over its loops (least
// connections), but which loop a connection lands on also depends on the
// harness's readiness probe still being counted or not, and nothing on the
// wire tells. So the publisher connects first, then churnCandidates idle
// pingers (whatever the counts, they land on both loops of two); during
// the warm-up every candidate pings in turn while the publisher runs, and
// the one with the highest median round trip (it shares the publisher's
// loop) or the lowest (it does not) pings alone in the measured window.
// With one loop (--loops 1) all share it. nats-server gets the same
// clients and the same choice; its candidates are alike, so the choice
// made on the warm-up does not bias the window.

// churnCandidates is how many pingers try for the place.
const churnCandidates = 4

func churnMetrics() []Metric {
	return []Metric{
		{Name: "avg", Unit: "us", Primary: true},
		{Name: "p50", Unit: "us"},
		{Name: "p99", Unit: "us"},
		{Name: "max", Unit: "us"},
		{Name: "pings", Unit: "count", HigherIsBetter: true, Detail: true},
		{Name: "msgs/s", Unit: "msgs/s", HigherIsBetter: true, Detail: true},
		{Name: metricCPU, Unit: "ns/msg"},
		{Name: metricRSS, Unit: "bytes"},
	}
}

// churnScenarios are the churn variants; none is in the default set.
func churnScenarios() []*Scenario {
	v := []struct {
		name, title string
		spec        churnSpec
	}{
		{"churn", "PING RTT of a client on another loop while 1 publisher churns --churn-subjects subjects",
			churnSpec{}},
		{"churn-same", "churn, the pinger on the publisher's loop", churnSpec{sameLoop: true}},
		{"churn-subs", "churn with subscribers (> and 4 literal subjects)", churnSpec{subs: true}},
		{"churn-same-subs", "churn-subs, the pinger on the publisher's loop", churnSpec{sameLoop: true, subs: true}},
	}
	out := make([]*Scenario, 0, len(v))
	for _, s := range v {
		spec := s.spec
		out = append(out, &Scenario{
			Name: s.name, Title: s.title, Sized: true, Extra: true,
			DefaultSizes: []int{16}, QuickSizes: []int{16}, Metrics: churnMetrics(),
			run: func(ctx context.Context, e *env) (*runResult, error) { return runChurn(ctx, e, spec) },
		})
	}
	return out
}

// churnSpec is the shape of a churn run.
type churnSpec struct {
	sameLoop bool // pinger on the publisher's loop (natsloop): the slowest candidate
	subs     bool // a '>' subscriber and a client with 4 literal subscriptions
}

// churnLiterals are the literal subscriptions of the churn-subs variants:
// two subjects the publisher sends to, two it never does.
var churnLiterals = []string{"churn.0", "churn.1", "other.a", "other.b"}

func runChurn(ctx context.Context, e *env, spec churnSpec) (*runResult, error) {
	var conns []net.Conn
	var drains sync.WaitGroup // the subscribers' readers, done when closed
	defer func() {
		for _, c := range conns {
			c.Close()
		}
		drains.Wait()
	}()
	dial := func(subs ...string) (net.Conn, error) {
		c, err := rawDial(ctx, e.addr, subs)
		if c != nil {
			conns = append(conns, c)
		}
		return c, err
	}
	pub, err := dial()
	if err != nil {
		return nil, err
	}
	cands := make([]net.Conn, churnCandidates)
	for i := range cands {
		if cands[i], err = dial(); err != nil {
			return nil, err
		}
	}
	if spec.subs {
		for _, subs := range [][]string{{">"}, churnLiterals} {
			c, err := dial(subs...)
			if err != nil {
				return nil, err
			}
			drains.Add(1)
			go func() { defer drains.Done(); _, _ = io.Copy(io.Discard, c) }()
		}
	}

	p := &churnPub{c: pub, subjects: e.cfg.ChurnSubjects, payload: makePayload(e.size)}
	pubErr := make(chan error, 1)
	go func() { pubErr <- p.run() }()
	stopPub := func() error {
		p.stop.Store(true)
		return <-pubErr
	}

	buf := make([]byte, 4<<10)
	pinger, err := pickPinger(ctx, cands, buf, e.cfg.Warmup, spec.sameLoop, &p.stop)
	if err != nil {
		_ = stopPub()
		return nil, fmt.Errorf("perf: warm-up: %w", err)
	}
	e.markBegin()
	sent0 := p.sent.Load()
	t0 := time.Now()
	lats, err := pingFor(ctx, pinger, buf, e.cfg.Duration, &p.stop)
	sent := p.sent.Load() - sent0
	el := time.Since(t0)
	e.markEnd()
	perr := stopPub()
	res := newResult()
	switch {
	case err != nil:
		res.failed = err.Error()
		return res, nil
	case perr != nil:
		res.failed = "publisher: " + perr.Error()
		return res, nil
	case len(lats) == 0:
		res.failed = "no PING answered"
		return res, nil
	}
	// The server must have taken all of it: one more PING on the
	// publisher's own connection.
	if err := rawPing(pub, buf, time.Now().Add(30*time.Second)); err != nil {
		res.failed = "publisher's final PING: " + err.Error()
		return res, nil
	}
	var sum time.Duration
	for _, l := range lats {
		sum += l
	}
	res.values["avg"] = float64(sum) / float64(len(lats)) / float64(time.Microsecond)
	res.values["pings"] = float64(len(lats))
	putLatencies(res, lats, churnMetrics())
	res.throughput(sent, e.size, el)
	return res, nil
}

// pickPinger pings every candidate in turn for d and returns the one with
// the highest median round trip (slowest) or the lowest.
func pickPinger(ctx context.Context, cands []net.Conn, buf []byte, d time.Duration, slowest bool, stop *atomic.Bool) (net.Conn, error) {
	lats := make([][]time.Duration, len(cands))
	end := time.Now().Add(d)
	for time.Now().Before(end) && !stop.Load() {
		for i, c := range cands {
			l, err := pingFor(ctx, c, buf, 0, stop)
			if err != nil {
				return nil, err
			}
			lats[i] = append(lats[i], l...)
		}
	}
	best, bestMed := 0, time.Duration(-1)
	for i, l := range lats {
		sortDurations(l)
		med := Percentile(l, 50)
		if bestMed < 0 || (slowest && med > bestMed) || (!slowest && med < bestMed) {
			best, bestMed = i, med
		}
	}
	return cands[best], nil
}

// rawDial connects a raw client and subscribes it to subs (sids 1..n).
func rawDial(ctx context.Context, addr string, subs []string) (net.Conn, error) {
	d := net.Dialer{Timeout: 5 * time.Second}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("perf: dial: %w", err)
	}
	buf := make([]byte, 4<<10)
	if err := rawHandshake(c, buf, time.Now().Add(10*time.Second)); err != nil {
		return c, err
	}
	if len(subs) == 0 {
		return c, nil
	}
	var b []byte
	for i, s := range subs {
		b = append(b, "SUB "...)
		b = append(b, s...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(i+1), 10)
		b = append(b, '\r', '\n')
	}
	if _, err := c.Write(b); err != nil {
		return c, fmt.Errorf("perf: raw: SUB: %w", err)
	}
	return c, rawPing(c, buf, time.Now().Add(10*time.Second))
}

// pingFor sends PINGs back to back for d (at least one) and returns the
// round trips. It stops early (with what it has) when stop is set: the
// publisher failed.
func pingFor(ctx context.Context, c net.Conn, buf []byte, d time.Duration, stop *atomic.Bool) ([]time.Duration, error) {
	var lats []time.Duration
	end := time.Now().Add(d)
	for t := time.Now(); len(lats) == 0 || (t.Before(end) && !stop.Load()); t = time.Now() {
		if err := ctx.Err(); err != nil {
			return lats, err
		}
		if err := rawPing(c, buf, t.Add(30*time.Second)); err != nil {
			return lats, err
		}
		lats = append(lats, time.Since(t))
	}
	return lats, nil
}

// churnPub writes PUB frames to subjects churn.0 .. churn.<subjects-1>,
// cycling, in 64 KiB writes, until stop is set. sent counts frames
// written (atomic: read by runChurn while it runs).
type churnPub struct {
	c        net.Conn
	subjects int
	payload  []byte
	stop     atomic.Bool
	sent     atomic.Int64
}

func (p *churnPub) run() error {
	buf := make([]byte, 0, 64<<10+256)
	next := 0
	for !p.stop.Load() {
		buf = buf[:0]
		n := 0
		for len(buf) < 64<<10 {
			buf = append(buf, "PUB churn."...)
			buf = strconv.AppendInt(buf, int64(next), 10)
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, int64(len(p.payload)), 10)
			buf = append(buf, '\r', '\n')
			buf = append(buf, p.payload...)
			buf = append(buf, '\r', '\n')
			n++
			if next++; next == p.subjects {
				next = 0
			}
		}
		_ = p.c.SetWriteDeadline(time.Now().Add(30 * time.Second))
		if _, err := p.c.Write(buf); err != nil {
			if p.stop.Load() {
				return nil
			}
			p.stop.Store(true)
			return errors.New("write: " + err.Error())
		}
		p.sent.Add(int64(n))
	}
	return nil
}
