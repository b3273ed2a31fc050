package perf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// runRaw is the pre-framed publisher: one TCP connection writing large
// pre-built buffers of PUB frames, then PING; the window ends at PONG, so
// the server has parsed every frame. No subscriber: this is ingest.
func runRaw(ctx context.Context, e *env) (*runResult, error) {
	d := net.Dialer{Timeout: 5 * time.Second}
	c, err := d.DialContext(ctx, "tcp", e.addr)
	if err != nil {
		return nil, fmt.Errorf("perf: raw dial: %w", err)
	}
	defer c.Close()
	scratch := make([]byte, 64<<10)
	if err := rawHandshake(c, scratch, time.Now().Add(10*time.Second)); err != nil {
		return nil, err
	}
	frame := appendPub(nil, "bench.raw", makePayload(e.size))
	perBuf := max(1, (1<<20)/len(frame))
	buf := bytes.Repeat(frame, perBuf)

	phase := func(d time.Duration, count int64) (int64, time.Duration, error) {
		start := time.Now()
		var frames int64
		for {
			if err := ctx.Err(); err != nil {
				return 0, 0, err
			}
			chunk := buf
			if count > 0 {
				left := count - frames
				if left <= 0 {
					break
				}
				if left < int64(perBuf) {
					chunk = buf[:int(left)*len(frame)]
				}
			} else if time.Since(start) >= d {
				break
			}
			_ = c.SetWriteDeadline(time.Now().Add(30 * time.Second))
			if _, err := c.Write(chunk); err != nil {
				return 0, 0, fmt.Errorf("write: %w", err)
			}
			frames += int64(len(chunk) / len(frame))
		}
		if err := rawPing(c, scratch, time.Now().Add(30*time.Second)); err != nil {
			return 0, 0, err
		}
		return frames, time.Since(start), nil
	}
	if _, _, err := phase(e.cfg.Warmup, 0); err != nil {
		return nil, fmt.Errorf("perf: warm-up: %w", err)
	}
	e.markBegin()
	frames, elapsed, err := phase(e.cfg.Duration, e.cfg.Msgs)
	e.markEnd()
	res := newResult()
	if err != nil {
		res.failed = err.Error()
		return res, nil
	}
	res.throughput(frames, e.size, elapsed)
	return res, nil
}

func idleMetrics() []Metric {
	return []Metric{
		{Name: "bytes/conn", Unit: "bytes", Primary: true},
		{Name: "conns/s", Unit: "conns/s", HigherIsBetter: true},
		{Name: metricRSS, Unit: "bytes"},
	}
}

// idleSources is how many 127.0.0.x source addresses idle connections
// are spread over (each has its own ephemeral port range).
const idleSources = 16

// runIdle opens cfg.Conns raw connections (CONNECT + PING/PONG each),
// lets them sit, and reports the server's RSS growth per connection. Every
// connection must still answer a PING at the end.
func runIdle(ctx context.Context, e *env) (*runResult, error) {
	n := e.cfg.Conns
	res := newResult()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && lim.Cur < uint64(n)+256 {
		if lim.Cur <= 512 {
			return nil, fmt.Errorf("perf: open files limit %d too low for idle connections", lim.Cur)
		}
		n = int(lim.Cur) - 256
	}
	base := e.srv.sample()
	conns := make([]net.Conn, n)
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	forEach := func(fn func(i int, buf []byte) error) (failed int, first error) {
		var next, nfail atomic.Int64
		var once sync.Once
		var wg sync.WaitGroup
		for w := 0; w < 32; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				buf := make([]byte, 4<<10)
				for {
					i := int(next.Add(1) - 1)
					if i >= n || ctx.Err() != nil {
						return
					}
					if err := fn(i, buf); err != nil {
						nfail.Add(1)
						once.Do(func() { first = err })
					}
				}
			}()
		}
		wg.Wait()
		return int(nfail.Load()), first
	}
	e.markBegin()
	start := time.Now()
	failed, first := forEach(func(i int, buf []byte) error {
		c, err := dialFrom(ctx, e.addr, i)
		if err != nil {
			return err
		}
		conns[i] = c
		return rawHandshake(c, buf, time.Now().Add(15*time.Second))
	})
	elapsed := time.Since(start)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if failed > 0 {
		res.failed = fmt.Sprintf("%d of %d connections failed: %v", failed, n, first)
		return res, nil
	}
	// Let the server settle (buffers shrink, GC runs) before sampling.
	settle := min(max(e.cfg.Duration/2, 100*time.Millisecond), time.Second)
	select {
	case <-time.After(settle):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	e.markEnd()
	if !e.end.OK || !base.OK {
		return nil, errors.New("perf: cannot read server RSS from /proc")
	}
	res.values["bytes/conn"] = float64(e.end.RSS-base.RSS) / float64(n)
	res.values["conns/s"] = float64(n) / elapsed.Seconds()
	dead, first := forEach(func(i int, buf []byte) error {
		return rawPing(conns[i], buf, time.Now().Add(15*time.Second))
	})
	if dead > 0 {
		res.failed = fmt.Sprintf("%d of %d idle connections did not answer PING: %v", dead, n, first)
	}
	return res, nil
}

// dialFrom dials addr from source address 127.0.0.(2 + i%idleSources), or
// from the default address where that cannot be bound.
func dialFrom(ctx context.Context, addr string, i int) (net.Conn, error) {
	src := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i%idleSources))}
	d := net.Dialer{Timeout: 10 * time.Second, LocalAddr: src}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil && errors.Is(err, syscall.EADDRNOTAVAIL) {
		d.LocalAddr = nil
		c, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("perf: dial: %w", err)
	}
	return c, nil
}
