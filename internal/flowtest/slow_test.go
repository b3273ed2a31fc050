package flowtest

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// rssCap is the peak RSS the slow-consumer cases allow the server
// (nats-server 2.15.2 peaks at 16-27 MB there).
const rssCap = 96 * mib

// runSlowAndHealthy: one subscriber that never reads, `healthy` nats.go
// subscribers reading as fast as they can, one publisher sending 4,000 x
// 16 KB. Every healthy subscriber gets every message in order, the stalled
// one is closed as a slow consumer, the publisher's final flush succeeds,
// and the server's peak RSS stays below rssCap.
func runSlowAndHealthy(t *testing.T, sd side, loops, healthy int) int64 {
	conf := "max_pending: 4MB\nwrite_deadline: \"2s\"\n"
	if sd.name == "natsloop" {
		conf += fmt.Sprintf("loops: %d\n", loops)
	}
	p := start(t, sd.bin, conf)
	url := "nats://" + p.addr

	stuck := connected(t, p.addr, "SUB flood 1\r\n")
	_ = stuck // never reads from here on

	const n = 4000
	payload := make([]byte, 16<<10)
	counts := make([]atomic.Int64, healthy)
	errs := make(chan error, healthy)
	for i := 0; i < healthy; i++ {
		nc, err := nats.Connect(url)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		i := i
		sub, err := nc.Subscribe("flood", func(m *nats.Msg) {
			want := counts[i].Load()
			if got := int64(binary.BigEndian.Uint64(m.Data)); got != want {
				select {
				case errs <- fmt.Errorf("subscriber %d: message %d, want %d", i, got, want):
				default:
				}
			}
			counts[i].Add(1)
		})
		if err != nil {
			t.Fatal(err)
		}
		_ = sub.SetPendingLimits(-1, -1)
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	pub, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	for i := 0; i < n; i++ {
		binary.BigEndian.PutUint64(payload, uint64(i))
		if err := pub.Publish("flood", payload); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	if err := pub.FlushTimeout(20 * time.Second); err != nil {
		t.Fatalf("publisher's final flush: %v", err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for i := range counts {
		for counts[i].Load() < n {
			select {
			case err := <-errs:
				t.Fatal(err)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("healthy subscriber %d got %d of %d messages; server log:\n%s", i, counts[i].Load(), n, tail(p.logText(), 3000))
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	p.waitLog(t, "Slow Consumer Detected", 10*time.Second)
	return p.peakRSS(t)
}

// TestSlowConsumerNextToHealthy runs the case five times per
// placement (one loop: same-loop delivery; two loops: cross-loop), so
// that a one-in-three failure cannot pass.
func TestSlowConsumerNextToHealthy(t *testing.T) { slowCase(t, 1) }

// TestFanoutOneOfFourStalls: four subscribers of which one never reads.
func TestFanoutOneOfFourStalls(t *testing.T) { slowCase(t, 3) }

// slowCase runs runSlowAndHealthy five times per side and placement.
func slowCase(t *testing.T, healthy int) {
	for _, sd := range sides(t) {
		for _, loops := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/loops=%d", sd.name, loops), func(t *testing.T) {
				for run := 0; run < 5; run++ {
					rss := runSlowAndHealthy(t, sd, loops, healthy)
					t.Logf("run %d: peak RSS %.1f MiB", run, float64(rss)/mib)
					if sd.name == "natsloop" && rss > rssCap {
						t.Fatalf("run %d: peak RSS %.1f MiB, want below %d MiB", run, float64(rss)/mib, rssCap/mib)
					}
				}
			})
		}
	}
}
