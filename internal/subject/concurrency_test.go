package subject

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// TestConcurrentMatchInsertRemove runs writers that churn subscriptions
// while readers match; run it with -race. Invariants:
//   - stable subscriptions are always in every matching result;
//   - a writer sees its own insert in the next Match and its remove too
//     (the cache never serves a result older than a finished change);
//   - results never have two groups with the same name;
//   - a result, once returned, never changes.
func TestConcurrentMatchInsertRemove(t *testing.T) {
	x := NewIndexSize[int](256)
	const stableID = -1
	mustInsert(t, x, "s.*", "", stableID)
	mustInsert(t, x, "s.>", "sq", stableID)

	const writers, readers, rounds = 3, 3, 300
	var stop atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	fail := func(format string, args ...any) {
		select {
		case errs <- fmt.Sprintf(format, args...):
		default:
		}
		stop.Store(true)
	}

	var writing atomic.Int32
	writing.Store(writers)
	for w := range writers {
		wg.Go(func() {
			defer writing.Add(-1)
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for i := 0; i < rounds && !stop.Load(); i++ {
				id := w*1000000 + i
				subj := fmt.Sprintf("s.%d", rng.IntN(20))
				pat := []string{subj, "s.*", "s.>", ">"}[rng.IntN(4)]
				q := []string{"", "q"}[rng.IntN(2)]
				if err := x.Insert([]byte(pat), []byte(q), id); err != nil {
					fail("Insert: %v", err)
					return
				}
				if !contains(x.Match([]byte(subj)), q, id) {
					fail("writer %d: inserted %d on %q %q, next Match(%q) misses it", w, id, pat, q, subj)
					return
				}
				if !x.Remove([]byte(pat), []byte(q), id) {
					fail("writer %d: Remove %d failed", w, id)
					return
				}
				if contains(x.Match([]byte(subj)), q, id) {
					fail("writer %d: removed %d from %q %q, next Match(%q) still has it", w, id, pat, q, subj)
					return
				}
			}
		})
	}
	for r := range readers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(r), 2))
			type seen struct {
				r    *Result[int]
				want string
			}
			var held []seen
			for !stop.Load() && writing.Load() > 0 {
				subj := fmt.Sprintf("s.%d", rng.IntN(20))
				res := x.Match([]byte(subj))
				if !contains(res, "", stableID) || !contains(res, "sq", stableID) {
					fail("Match(%q) lacks the stable subscriptions: %s", subj, canon(res))
					return
				}
				for i := range res.Queues {
					for j := range i {
						if string(res.Queues[i].Name) == string(res.Queues[j].Name) {
							fail("Match(%q): duplicate group %q", subj, res.Queues[i].Name)
							return
						}
					}
				}
				if !x.HasInterest([]byte(subj)) {
					fail("HasInterest(%q) = false", subj)
					return
				}
				if rng.IntN(50) == 0 && len(held) < 200 {
					held = append(held, seen{res, canon(res)})
				}
				if rng.IntN(500) == 0 {
					_ = x.Stats()
				}
			}
			for _, h := range held {
				if got := canon(h.r); got != h.want {
					fail("held result changed: %s, was %s", got, h.want)
					return
				}
			}
		})
	}
	wg.Wait()
	stop.Store(true)
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if x.Count() != 2 {
		t.Errorf("Count = %d, want 2", x.Count())
	}
}

func contains(r *Result[int], q string, s int) bool {
	if q == "" {
		return slices.Contains(r.Plain, s)
	}
	for _, g := range r.Queues {
		if string(g.Name) == q && slices.Contains(g.Members, s) {
			return true
		}
	}
	return false
}
