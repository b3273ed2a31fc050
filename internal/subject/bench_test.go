package subject

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// benchIndex holds n literal subjects "bench.<i>.data", a few wildcards
// and a queue group, like a busy account.
func benchIndex(b *testing.B, cacheSize, n int) *Index[int] {
	x := NewIndexSize[int](cacheSize)
	for i := range n {
		mustInsert(b, x, "bench."+strconv.Itoa(i)+".data", "", i)
	}
	mustInsert(b, x, "bench.*.data", "", -1)
	mustInsert(b, x, "bench.>", "workers", -2)
	mustInsert(b, x, "bench.>", "workers", -3)
	return x
}

func benchSubjects(n int) [][]byte {
	s := make([][]byte, n)
	for i := range s {
		s[i] = []byte("bench." + strconv.Itoa(i) + ".data")
	}
	return s
}

func BenchmarkMatchCached(b *testing.B) {
	x := benchIndex(b, DefaultCacheSize, 1000)
	lit := []byte("bench.7.data")
	x.Match(lit)
	x.Match(lit) // admitted on the second miss
	b.ReportAllocs()
	for b.Loop() {
		if r := x.Match(lit); len(r.Plain) != 2 {
			b.Fatal("bad result")
		}
	}
}

func BenchmarkHasInterestCached(b *testing.B) {
	x := benchIndex(b, DefaultCacheSize, 1000)
	lit := []byte("bench.7.data")
	x.Match(lit)
	x.Match(lit) // admitted on the second miss
	b.ReportAllocs()
	for b.Loop() {
		if !x.HasInterest(lit) {
			b.Fatal("no interest")
		}
	}
}

// BenchmarkMatchUncached: cache disabled, many subjects: trie walk and
// result building on every call.
func BenchmarkMatchUncached(b *testing.B) {
	x := benchIndex(b, 0, 10000)
	subs := benchSubjects(10000)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if r := x.Match(subs[i%len(subs)]); len(r.Plain) != 2 {
			b.Fatal("bad result")
		}
		i++
	}
}

// BenchmarkMatchCacheThrash: default cache, more subjects than it holds.
func BenchmarkMatchCacheThrash(b *testing.B) {
	x := benchIndex(b, DefaultCacheSize, 10000)
	subs := benchSubjects(10000)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		x.Match(subs[i%len(subs)])
		i++
	}
}

// BenchmarkParallelMatch: every goroutine matches cached subjects: "same"
// all the same one (a bench with one publisher subject), "spread" over
// 1000 subjects.
func BenchmarkParallelMatch(b *testing.B) {
	for _, spread := range []int{1, 1000} {
		b.Run(fmt.Sprintf("subjects=%d", spread), func(b *testing.B) {
			x := benchIndex(b, DefaultCacheSize, 1000)
			subs := benchSubjects(spread)
			for _, s := range subs {
				x.Match(s)
				x.Match(s) // admitted on the second miss
			}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if r := x.Match(subs[i%len(subs)]); len(r.Plain) != 2 {
						b.Fatal("bad result")
					}
					i++
				}
			})
		})
	}
}

// rwCache is the alternative the package does not use: an RWMutex around
// a map cache with one shared hit counter. Kept as a baseline for
// BenchmarkParallelMatch.
type rwCache struct {
	mu      sync.RWMutex
	m       map[string]*Result[int]
	matches atomic.Uint64
}

func (c *rwCache) get(b []byte) *Result[int] {
	c.mu.RLock()
	r := c.m[string(b)]
	c.mu.RUnlock()
	c.matches.Add(1)
	return r
}

func BenchmarkParallelMatchBaselineRWMutexMap(b *testing.B) {
	for _, spread := range []int{1, 1000} {
		b.Run(fmt.Sprintf("subjects=%d", spread), func(b *testing.B) {
			x := benchIndex(b, DefaultCacheSize, 1000)
			subs := benchSubjects(spread)
			c := &rwCache{m: map[string]*Result[int]{}}
			for _, s := range subs {
				c.m[string(s)] = x.Match(s)
			}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if r := c.get(subs[i%len(subs)]); len(r.Plain) != 2 {
						b.Fatal("bad result")
					}
					i++
				}
			})
		})
	}
}

// BenchmarkParallelMatchWithChurn: parallel cached matches while another
// goroutine subscribes and unsubscribes on an unrelated subject; selective
// invalidation keeps the matched subjects cached.
func BenchmarkParallelMatchWithChurn(b *testing.B) {
	x := benchIndex(b, DefaultCacheSize, 1000)
	subs := benchSubjects(100)
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() {
		other := []byte("other.subject")
		for i := 0; !stop.Load(); i++ {
			x.Insert(other, nil, i)
			x.Remove(other, nil, i)
		}
	})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			x.Match(subs[i%len(subs)])
			i++
		}
	})
	b.StopTimer()
	stop.Store(true)
	wg.Wait()
}

// BenchmarkInsertRemove: one subscribe + unsubscribe pair against a full
// cache, literal and wildcard (a wildcard scans the cache to invalidate).
func BenchmarkInsertRemove(b *testing.B) {
	for _, pat := range []string{"bench.7.data", "bench.*.x", "_INBOX.abc.*"} {
		b.Run(pat, func(b *testing.B) {
			x := benchIndex(b, DefaultCacheSize, 10000)
			for _, s := range benchSubjects(DefaultCacheSize) {
				x.Match(s)
				x.Match(s) // admitted on the second miss: a full cache
			}
			p := []byte(pat)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				x.Insert(p, nil, 1<<30+i)
				x.Remove(p, nil, 1<<30+i)
				i++
			}
		})
	}
}

// BenchmarkInsertRemoveLargeFanout: churn on a subject with 10000
// subscribers whose list is shared with a cached result.
func BenchmarkInsertRemoveLargeFanout(b *testing.B) {
	x := NewIndex[int]()
	for i := range 10000 {
		mustInsert(b, x, "fan", "", i)
	}
	p := []byte("fan")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		x.Match(p)
		x.Insert(p, nil, 1<<30+i)
		x.Remove(p, nil, 1<<30+i)
		i++
	}
}

func BenchmarkValidSubject(b *testing.B) {
	s := []byte("orders.eu-west.*.created.>")
	b.ReportAllocs()
	for b.Loop() {
		if !ValidSubject(s) {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkMatches(b *testing.B) {
	lit := []byte("orders.eu-west.shop42.created.v1")
	pat := []byte("orders.*.shop42.>")
	b.ReportAllocs()
	for b.Loop() {
		if !Matches(lit, pat) {
			b.Fatal("no match")
		}
	}
}

// BenchmarkMatchChurn: every Match is for a subject not seen for a long
// time (1M distinct subjects, cycling), as with a publisher churning
// through subjects: the miss path alone. "none": no subscription at all;
// "fwc": one '>' subscriber; "mixed": '>' plus a literal, a '*' and a queue
// subscription on other subjects.
func BenchmarkMatchChurn(b *testing.B) {
	subs := make([][]byte, 1<<20)
	for i := range subs {
		subs[i] = []byte("churn." + strconv.Itoa(i))
	}
	for _, tc := range []struct {
		name string
		pats []string
		want int
	}{
		{"none", nil, 0},
		{"fwc", []string{">"}, 1},
		{"mixed", []string{">", "other.a", "other.*.b", "x.>"}, 1},
	} {
		b.Run(tc.name, func(b *testing.B) {
			x := NewIndex[int]()
			for i, p := range tc.pats {
				mustInsert(b, x, p, "", i)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if r := x.Match(subs[i&(len(subs)-1)]); len(r.Plain) != tc.want {
					b.Fatal("bad result")
				}
				i++
			}
		})
	}
}
