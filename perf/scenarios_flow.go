package perf

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
)

// The flow scenarios: publishers and subscribers over nats.go, counting
// every delivery. pub-only, 1:1, 1:N, N:M, queue group, TLS and
// multi-subject are all one engine (runFlow) with different shapes.

const flowSubject = "bench.data"

func runPubOnly(ctx context.Context, e *env) (*runResult, error) {
	return runFlow(ctx, e, flowSpec{pubs: 1})
}

func runPubSub(ctx context.Context, e *env) (*runResult, error) {
	return runFlow(ctx, e, flowSpec{pubs: 1, subs: 1})
}

func runFanout(ctx context.Context, e *env) (*runResult, error) {
	return runFlow(ctx, e, flowSpec{pubs: 1, subs: e.cfg.Fanout})
}

func runNM(ctx context.Context, e *env) (*runResult, error) {
	return runFlow(ctx, e, flowSpec{pubs: e.cfg.Pubs, subs: e.cfg.Subs})
}

func runQueue(ctx context.Context, e *env) (*runResult, error) {
	return runFlow(ctx, e, flowSpec{pubs: 1, subs: e.cfg.QueueMembers, queue: "bench-q"})
}

func runTLS(ctx context.Context, e *env) (*runResult, error) {
	info, err := readInfo(ctx, e.addr)
	if err != nil {
		return nil, err
	}
	if !infoBool(info, "tls_required") && !infoBool(info, "tls_available") {
		return nil, &errUnsupported{reason: "server INFO offers no TLS"}
	}
	return runFlow(ctx, e, flowSpec{pubs: 1, subs: 1})
}

func runMultiSubject(ctx context.Context, e *env) (*runResult, error) {
	subjects := make([]string, e.cfg.Subjects)
	for i := range subjects {
		subjects[i] = "bench.m." + strconv.Itoa(i)
	}
	return runFlow(ctx, e, flowSpec{pubs: 1, subs: 1, subjects: subjects, subSubject: "bench.>"})
}

// flowSpec is the shape of a flow run.
type flowSpec struct {
	pubs, subs int
	queue      string   // subscribers join this queue group when set
	subjects   []string // publishers cycle through these; default flowSubject
	subSubject string   // default flowSubject
}

// counter is an atomic counter alone on its cache line.
type counter struct {
	n atomic.Int64
	_ [56]byte
}

// asyncErrs collects errors reported by nats.go's async error handler.
// Safe for concurrent use: guarded by mu.
type asyncErrs struct {
	mu   sync.Mutex
	errs []error
}

func (a *asyncErrs) add(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.errs) < 16 {
		a.errs = append(a.errs, err)
	}
}

func (a *asyncErrs) first() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.errs) == 0 {
		return nil
	}
	return a.errs[0]
}

// connect opens a nats.go connection that never reconnects (a server
// that drops us is a failed run) and reports async errors to errs.
func connect(e *env, errs *asyncErrs, name string) (*nats.Conn, error) {
	opts := []nats.Option{
		nats.Name("natsloop-perf " + name),
		nats.NoReconnect(),
		nats.Timeout(5 * time.Second),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { errs.add(err) }),
	}
	if e.tls != nil {
		opts = append(opts, nats.Secure(e.tls))
	}
	nc, err := nats.Connect(e.url, opts...)
	if err != nil {
		return nil, fmt.Errorf("perf: connect %s: %w", name, err)
	}
	return nc, nil
}

// flow is one flow run in progress. The counters are shared with the
// publisher goroutines and nats.go's subscription goroutines (atomics);
// everything else is owned by runFlow's goroutine.
type flow struct {
	e         *env
	spec      flowSpec
	payload   []byte
	pubs      []*nats.Conn
	subs      []*nats.Conn
	published counter
	recv      []counter
	window    int64 // max messages in flight per subscriber
}

func runFlow(ctx context.Context, e *env, spec flowSpec) (*runResult, error) {
	if len(spec.subjects) == 0 {
		spec.subjects = []string{flowSubject}
	}
	if spec.subSubject == "" {
		spec.subSubject = flowSubject
	}
	f := &flow{e: e, spec: spec, payload: makePayload(e.size), recv: make([]counter, spec.subs)}
	f.window = clamp64(int64(8<<20)/int64(max(e.size, 1)), 1000, 100000)
	errs := &asyncErrs{}
	defer func() {
		for _, nc := range append(f.pubs, f.subs...) {
			nc.Close()
		}
	}()
	for i := 0; i < spec.subs; i++ {
		nc, err := connect(e, errs, "sub"+strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		f.subs = append(f.subs, nc)
		c := &f.recv[i]
		cb := func(*nats.Msg) { c.n.Add(1) }
		var sub *nats.Subscription
		if spec.queue != "" {
			sub, err = nc.QueueSubscribe(spec.subSubject, spec.queue, cb)
		} else {
			sub, err = nc.Subscribe(spec.subSubject, cb)
		}
		if err != nil {
			return nil, fmt.Errorf("perf: subscribe: %w", err)
		}
		_ = sub.SetPendingLimits(1<<20, 512<<20)
		if err := nc.FlushTimeout(5 * time.Second); err != nil {
			return nil, fmt.Errorf("perf: subscribe flush: %w", err)
		}
	}
	for i := 0; i < spec.pubs; i++ {
		nc, err := connect(e, errs, "pub"+strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		f.pubs = append(f.pubs, nc)
	}

	if _, _, _, err := f.phase(ctx, e.cfg.Warmup, 0); err != nil {
		return nil, fmt.Errorf("perf: warm-up: %w", err)
	}
	e.markBegin()
	pub, deliv, elapsed, err := f.phase(ctx, e.cfg.Duration, e.cfg.Msgs)
	e.markEnd()
	res := newResult()
	if err != nil {
		res.failed = err.Error()
		return res, nil
	}
	if aerr := errs.first(); aerr != nil {
		res.failed = "client error: " + aerr.Error()
		return res, nil
	}
	if spec.subs == 0 {
		res.throughput(pub, e.size, elapsed)
	} else {
		res.throughput(deliv, e.size, elapsed)
	}
	return res, nil
}

// phase publishes for d (or exactly count messages when count > 0) and
// waits until every subscriber has every message. It returns the messages
// published and delivered in the phase and the time from the first
// publish to the last delivery. Lost messages are an error.
func (f *flow) phase(ctx context.Context, d time.Duration, count int64) (pub, deliv int64, elapsed time.Duration, err error) {
	pub0 := f.published.n.Load()
	recv0 := make([]int64, len(f.recv))
	for i := range f.recv {
		recv0[i] = f.recv[i].n.Load()
	}
	start := time.Now()
	var wg sync.WaitGroup
	perr := make([]error, len(f.pubs))
	for i, nc := range f.pubs {
		quota := int64(0)
		if count > 0 {
			quota = count / int64(len(f.pubs))
			if i == 0 {
				quota += count % int64(len(f.pubs))
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			perr[i] = f.publish(ctx, nc, i, start, d, quota)
		}()
	}
	wg.Wait()
	if err := errors.Join(perr...); err != nil {
		return 0, 0, 0, err
	}
	pub = f.published.n.Load() - pub0
	if len(f.recv) == 0 {
		return pub, 0, time.Since(start), nil
	}
	// Wait for every delivery: done when complete, failed when no progress
	// for 2 s (or 30 s in all).
	want := func(i int) int64 {
		if f.spec.queue != "" {
			return pub // checked on the sum below
		}
		return pub
	}
	got := func() (total int64, complete bool) {
		complete = true
		for i := range f.recv {
			n := f.recv[i].n.Load() - recv0[i]
			total += n
			if f.spec.queue == "" && n < want(i) {
				complete = false
			}
		}
		if f.spec.queue != "" {
			complete = total >= pub
		}
		return total, complete
	}
	last, lastChange := int64(-1), time.Now()
	hardStop := time.Now().Add(30 * time.Second)
	for {
		total, complete := got()
		if complete {
			elapsed = time.Since(start)
			return pub, total, elapsed, nil
		}
		now := time.Now()
		if total != last {
			last, lastChange = total, now
		}
		if now.Sub(lastChange) > 2*time.Second || now.After(hardStop) {
			expected := pub * int64(len(f.recv))
			if f.spec.queue != "" {
				expected = pub
			}
			return pub, total, 0, fmt.Errorf("lost %d of %d messages", expected-total, expected)
		}
		if err := ctx.Err(); err != nil {
			return pub, total, 0, err
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// publish is one publisher goroutine's loop.
func (f *flow) publish(ctx context.Context, nc *nats.Conn, idx int, start time.Time, d time.Duration, quota int64) error {
	const batch = 256
	subjects := f.spec.subjects
	j := (idx * 7919) % len(subjects)
	var sent, pending int64
	for {
		if quota > 0 {
			if sent >= quota {
				break
			}
		} else if sent%batch == 0 && time.Since(start) >= d {
			break
		}
		if err := nc.Publish(subjects[j], f.payload); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		if j++; j == len(subjects) {
			j = 0
		}
		sent++
		if pending++; pending == batch {
			f.published.n.Add(pending)
			pending = 0
			if err := f.waitLag(ctx); err != nil {
				return err
			}
		}
	}
	f.published.n.Add(pending)
	if err := nc.FlushTimeout(30 * time.Second); err != nil {
		return fmt.Errorf("publisher flush: %w", err)
	}
	return nil
}

// waitLag blocks while subscribers are more than a window behind, so that
// neither the client nor the server buffers unboundedly (the same flow
// control for both servers). It gives up after 5 s without progress.
func (f *flow) waitLag(ctx context.Context) error {
	if len(f.recv) == 0 {
		return nil
	}
	var waitedSince time.Time
	for i := 0; ; i++ {
		lag := f.lag()
		if lag <= f.window {
			return nil
		}
		if i == 0 {
			waitedSince = time.Now()
		} else if time.Since(waitedSince) > 5*time.Second {
			return fmt.Errorf("subscribers stalled %d messages behind", lag)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// lag is how far the slowest subscriber is behind (for a queue group: how
// far the group is behind).
func (f *flow) lag() int64 {
	pub := f.published.n.Load()
	if f.spec.queue != "" {
		var sum int64
		for i := range f.recv {
			sum += f.recv[i].n.Load()
		}
		return pub - sum
	}
	minRecv := int64(-1)
	for i := range f.recv {
		if n := f.recv[i].n.Load(); minRecv < 0 || n < minRecv {
			minRecv = n
		}
	}
	return pub - minRecv
}

// makePayload returns size bytes of printable filler.
func makePayload(size int) []byte {
	p := make([]byte, size)
	for i := range p {
		p[i] = 'a' + byte(i%26)
	}
	return p
}

func clamp64(v, lo, hi int64) int64 {
	return min(max(v, lo), hi)
}
