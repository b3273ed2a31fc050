package loop

import (
	"bytes"
	"sync/atomic"
	"testing"
	"time"
)

// deliverRig: a 2-loop server with 2 receivers per loop, each drained by a
// reader goroutine that only counts bytes. Batches of frames are staged
// from a task on src (the shard of the first receiver) through
// Begin/Commit to the receivers of one loop or the other.
type deliverRig struct {
	s       *Server
	src     *Shard
	same    []*Conn // receivers on src's loop
	other   []*Conn // receivers on the other loop
	got     atomic.Int64
	staged  atomic.Int64 // batches staged on the loop
	posted  int64        // batches posted
	sent    int64
	frame   []byte
	dst     []*Conn // the batch's targets
	perConn int     // frames per target per batch
	stage   func()  // built once: the batch body run on src's loop
}

func newDeliverRig(tb testing.TB) *deliverRig {
	tb.Helper()
	reg := &registry{}
	h := &funcHandler{data: func(c *Conn, b []byte) int {
		return lines(b, func(line []byte) {
			if line[0] == 'R' {
				reg.add(c)
			}
		})
	}}
	r := &deliverRig{frame: append(bytes.Repeat([]byte("f"), 63), '\n')}
	r.s = startServer(tb, Config{Loops: 2}, h)
	for i := 0; i < 4; i++ {
		nc := dial(tb, r.s)
		if _, err := nc.Write([]byte("R\n")); err != nil {
			tb.Fatal(err)
		}
		n := i + 1
		waitFor(tb, "registration", 5*time.Second, func() bool { return len(reg.list()) == n })
		go func() {
			buf := make([]byte, 64<<10)
			for {
				n, err := nc.Read(buf)
				r.got.Add(int64(n))
				if err != nil {
					return
				}
			}
		}()
	}
	all := reg.list()
	r.src = all[0].Shard()
	for _, c := range all {
		if c.Shard() == r.src {
			r.same = append(r.same, c)
		} else {
			r.other = append(r.other, c)
		}
	}
	if len(r.same) == 0 || len(r.other) == 0 {
		tb.Fatalf("receivers not spread over both loops: %d same, %d other", len(r.same), len(r.other))
	}
	r.stage = func() {
		src, frame := r.src, r.frame
		for i := 0; i < r.perConn; i++ {
			for _, c := range r.dst {
				out := src.Begin(c)
				*out = append(*out, frame...)
				src.Commit(c)
			}
		}
		r.staged.Add(1)
	}
	return r
}

// batch stages perConn frames to each of dst on src's loop and waits until
// the receivers have read them all.
func (r *deliverRig) batch(tb testing.TB, dst []*Conn, perConn int) {
	r.post(tb, dst, perConn)
	r.wait(tb, 0)
}

// post queues one batch; the caller waits before changing dst or perConn.
func (r *deliverRig) post(tb testing.TB, dst []*Conn, perConn int) {
	deadline := time.Now().Add(10 * time.Second)
	for r.staged.Load() < r.posted { // the loop still reads dst/perConn
		if time.Now().After(deadline) {
			tb.Fatalf("batch %d not staged", r.posted)
		}
		time.Sleep(time.Microsecond)
	}
	r.posted++
	r.dst, r.perConn = dst, perConn
	r.sent += int64(len(dst) * perConn * len(r.frame))
	if err := r.src.Execute(r.stage); err != nil {
		tb.Fatalf("Execute: %v", err)
	}
}

// wait returns once at most behind bytes are still unread.
func (r *deliverRig) wait(tb testing.TB, behind int64) {
	deadline := time.Now().Add(10 * time.Second)
	for r.got.Load() < r.sent-behind {
		if time.Now().After(deadline) {
			tb.Fatalf("receivers got %d of %d bytes", r.got.Load(), r.sent)
		}
		time.Sleep(20 * time.Microsecond)
	}
}

// TestDeliveryAllocs fails if delivering a frame allocates in steady
// state. Method: testing.AllocsPerRun (runtime.MemStats.Mallocs, all
// goroutines, so gnet's loops and the reader goroutines are counted too)
// around one batch of frames = one Execute on the source loop that stages
// perConn frames for each target, plus the wait until every byte was read
// back by the clients; divided by the frames in the batch. A batch costs a
// few allocations (the Execute closures, the one drain task for the
// cross-loop batch); one allocation per frame would give >= 1.
func TestDeliveryAllocs(t *testing.T) {
	r := newDeliverRig(t)
	const perConn = 256
	for _, tc := range []struct {
		name string
		dst  []*Conn
	}{{"same-loop", r.same}, {"cross-loop", r.other}, {"both", append(append([]*Conn(nil), r.same...), r.other...)}} {
		for i := 0; i < 5; i++ { // warm up: buffers reach their steady size
			r.batch(t, tc.dst, perConn)
		}
		allocs := testing.AllocsPerRun(50, func() { r.batch(t, tc.dst, perConn) })
		frames := float64(perConn * len(tc.dst))
		perFrame := allocs / frames
		t.Logf("%s: %.1f allocs per batch of %.0f frames = %.4f per frame", tc.name, allocs, frames, perFrame)
		if perFrame > 0.05 {
			t.Errorf("%s: %.4f allocs per frame, want ~0", tc.name, perFrame)
		}
	}
}

func benchDeliver(b *testing.B, pick func(r *deliverRig) []*Conn) {
	r := newDeliverRig(b)
	dst := pick(r)
	const perBatch = 1024
	perConn := perBatch / len(dst)
	r.batch(b, dst, perConn)
	b.SetBytes(int64(len(r.frame)))
	b.ReportAllocs()
	b.ResetTimer()
	// Batches are pipelined (up to 1 MiB in flight) so that the figure is
	// the loop's cost per frame rather than a round trip per batch.
	for done := 0; done < b.N; done += perConn * len(dst) {
		r.post(b, dst, perConn)
		r.wait(b, 1<<20)
	}
	r.wait(b, 0)
}

func BenchmarkDeliverSameLoop(b *testing.B) {
	benchDeliver(b, func(r *deliverRig) []*Conn { return r.same })
}

func BenchmarkDeliverCrossLoop(b *testing.B) {
	benchDeliver(b, func(r *deliverRig) []*Conn { return r.other })
}
