package perf

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
)

func latencyMetrics() []Metric {
	var ms []Metric
	for _, p := range LatencyPercentiles {
		ms = append(ms, Metric{Name: p.Name, Unit: "us", Primary: p.Name == "p99"})
	}
	return append(ms,
		Metric{Name: "msgs/s", Unit: "msgs/s", HigherIsBetter: true, Detail: true},
		Metric{Name: metricCPU, Unit: "ns/msg"},
		Metric{Name: metricRSS, Unit: "bytes"})
}

func reqRepMetrics() []Metric {
	return []Metric{
		{Name: "req/s", Unit: "req/s", HigherIsBetter: true, Primary: true},
		{Name: "p50", Unit: "us"},
		{Name: "p99", Unit: "us"},
		{Name: "p99.9", Unit: "us", Detail: true},
		{Name: "max", Unit: "us", Detail: true},
		{Name: metricCPU, Unit: "ns/msg"},
		{Name: metricRSS, Unit: "bytes"},
	}
}

// putLatencies stores the percentiles of lats (sorted in place) in res, in
// microseconds, for the metrics the scenario declares.
func putLatencies(res *runResult, lats []time.Duration, metrics []Metric) {
	sortDurations(lats)
	want := map[string]bool{}
	for _, m := range metrics {
		want[m.Name] = true
	}
	for _, p := range LatencyPercentiles {
		if want[p.Name] {
			res.values[p.Name] = float64(Percentile(lats, p.P)) / float64(time.Microsecond)
		}
	}
}

// runLatency publishes at a fixed rate on a schedule (open loop): message
// i is due at start + i/rate and carries that due time; the subscriber
// measures delivery time minus due time, so a stall on any side shows up
// in the latency of every message queued behind it (no coordinated
// omission).
func runLatency(ctx context.Context, e *env) (*runResult, error) {
	size := max(e.size, 8)
	errs := &asyncErrs{}
	sub, err := connect(e, errs, "lat-sub")
	if err != nil {
		return nil, err
	}
	defer sub.Close()
	pub, err := connect(e, errs, "lat-pub")
	if err != nil {
		return nil, err
	}
	defer pub.Close()

	t0 := time.Now()
	interval := time.Second / time.Duration(e.cfg.Rate)
	expected := int64(e.cfg.Rate) * int64(e.cfg.Duration/time.Millisecond) / 1000
	if e.cfg.Msgs > 0 {
		expected = e.cfg.Msgs
	}
	var (
		measureFrom atomic.Int64 // due offsets >= this are recorded
		recv        counter      // every delivery
		lats        = make([]time.Duration, 0, min(expected+16, 10_000_000))
	)
	measureFrom.Store(1 << 62)
	// nats.go runs one subscription's callbacks on one goroutine, so lats
	// is only appended to there; it is read after recv shows all arrived.
	s, err := sub.Subscribe("bench.lat", func(m *nats.Msg) {
		now := time.Since(t0)
		if len(m.Data) >= 8 {
			due := time.Duration(binary.LittleEndian.Uint64(m.Data))
			if int64(due) >= measureFrom.Load() && len(lats) < cap(lats) {
				lats = append(lats, now-due)
			}
		}
		recv.n.Add(1)
	})
	if err != nil {
		return nil, fmt.Errorf("perf: subscribe: %w", err)
	}
	_ = s.SetPendingLimits(1<<20, 512<<20)
	if err := sub.FlushTimeout(5 * time.Second); err != nil {
		return nil, fmt.Errorf("perf: subscribe flush: %w", err)
	}

	payload := makePayload(size)
	var sent int64
	phase := func(d time.Duration, count int64) (int64, error) {
		begin := time.Since(t0)
		var i int64
		for ; ; i++ {
			due := begin + time.Duration(i)*interval
			if count > 0 {
				if i >= count {
					break
				}
			} else if due-begin >= d {
				break
			}
			if wait := due - time.Since(t0); wait > 0 {
				if err := ctx.Err(); err != nil {
					return i, err
				}
				time.Sleep(wait) // at most one interval
			}
			binary.LittleEndian.PutUint64(payload, uint64(due))
			if err := pub.Publish("bench.lat", payload); err != nil {
				return i, fmt.Errorf("publish: %w", err)
			}
			sent++
		}
		if err := pub.FlushTimeout(30 * time.Second); err != nil {
			return i, fmt.Errorf("publisher flush: %w", err)
		}
		return i, waitCount(ctx, &recv, func() int64 { return sent })
	}
	if _, err := phase(e.cfg.Warmup, 0); err != nil {
		return nil, fmt.Errorf("perf: warm-up: %w", err)
	}
	measureFrom.Store(int64(time.Since(t0)))
	e.markBegin()
	n, err := phase(e.cfg.Duration, e.cfg.Msgs)
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
	if int64(len(lats)) < n && len(lats) < cap(lats) {
		res.failed = fmt.Sprintf("recorded %d of %d measured messages", len(lats), n)
		return res, nil
	}
	putLatencies(res, lats, latencyMetrics())
	res.count = n
	if el := e.end.At.Sub(e.begin.At); el > 0 {
		res.values["msgs/s"] = float64(n) / el.Seconds()
	}
	return res, nil
}

// waitCount waits until c reaches want(); no progress for 2 s (or 30 s
// in all) is an error naming the lost count.
func waitCount(ctx context.Context, c *counter, want func() int64) error {
	last, lastChange := int64(-1), time.Now()
	hardStop := time.Now().Add(30 * time.Second)
	for {
		got, w := c.n.Load(), want()
		if got >= w {
			return nil
		}
		now := time.Now()
		if got != last {
			last, lastChange = got, now
		}
		if now.Sub(lastChange) > 2*time.Second || now.After(hardStop) {
			return fmt.Errorf("lost %d of %d messages", w-got, w)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// runReqRep runs a responder (echo) and cfg.Requesters goroutines doing
// synchronous requests over one connection; every request must be
// answered. req/s and the round-trip latency percentiles are reported;
// cpu/msg counts request and reply as two messages.
func runReqRep(ctx context.Context, e *env) (*runResult, error) {
	errs := &asyncErrs{}
	svc, err := connect(e, errs, "responder")
	if err != nil {
		return nil, err
	}
	defer svc.Close()
	if _, err := svc.Subscribe("bench.svc", func(m *nats.Msg) { _ = m.Respond(m.Data) }); err != nil {
		return nil, fmt.Errorf("perf: subscribe: %w", err)
	}
	if err := svc.FlushTimeout(5 * time.Second); err != nil {
		return nil, fmt.Errorf("perf: subscribe flush: %w", err)
	}
	cli, err := connect(e, errs, "requester")
	if err != nil {
		return nil, err
	}
	defer cli.Close()
	payload := makePayload(e.size)

	phase := func(d time.Duration, count int64) ([]time.Duration, int64, error) {
		start := time.Now()
		var issued atomic.Int64
		var wg sync.WaitGroup
		per := make([][]time.Duration, e.cfg.Requesters)
		perr := make([]error, e.cfg.Requesters)
		for g := range per {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					if count > 0 {
						if issued.Add(1) > count {
							return
						}
					} else if time.Since(start) >= d {
						return
					}
					if ctx.Err() != nil {
						perr[g] = ctx.Err()
						return
					}
					t := time.Now()
					if _, err := cli.Request("bench.svc", payload, 5*time.Second); err != nil {
						perr[g] = fmt.Errorf("request: %w", err)
						return
					}
					per[g] = append(per[g], time.Since(t))
				}
			}()
		}
		wg.Wait()
		var all []time.Duration
		for _, p := range per {
			all = append(all, p...)
		}
		return all, int64(len(all)), errors.Join(perr...)
	}
	if _, _, err := phase(e.cfg.Warmup, 0); err != nil {
		return nil, fmt.Errorf("perf: warm-up: %w", err)
	}
	e.markBegin()
	lats, n, err := phase(e.cfg.Duration, e.cfg.Msgs)
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
	putLatencies(res, lats, reqRepMetrics())
	res.count = 2 * n
	if el := e.end.At.Sub(e.begin.At); el > 0 {
		res.values["req/s"] = float64(n) / el.Seconds()
	}
	return res, nil
}
