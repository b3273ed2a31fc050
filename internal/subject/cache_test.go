package subject

import (
	"fmt"
	"strings"
	"testing"
)

// cached reports whether literal has a cache entry.
func cached(x *Index[int], literal string) bool {
	return x.cache.get(x.cache.hash([]byte(literal)), []byte(literal)) != nil
}

// warm matches literal twice: the second miss in a row is admitted.
func warm(x *Index[int], literal string) {
	x.Match([]byte(literal))
	x.Match([]byte(literal))
}

func TestCacheSeesInsertAndRemove(t *testing.T) {
	x := NewIndex[int]()
	expect(t, x, "foo.bar", "plain=[]")
	if cached(x, "foo.bar") {
		t.Fatal("cached on its first miss")
	}
	expect(t, x, "foo.bar", "plain=[]") // negative result cached
	if !cached(x, "foo.bar") {
		t.Fatal("empty result not cached on its second miss")
	}
	mustInsert(t, x, "foo.bar", "", 1)
	expect(t, x, "foo.bar", "plain=[1]")
	mustInsert(t, x, "foo.*", "", 2)
	expect(t, x, "foo.bar", "plain=[1 2]")
	mustInsert(t, x, ">", "q", 3)
	expect(t, x, "foo.bar", "plain=[1 2] q=[3]")
	mustInsert(t, x, "foo.bar", "q", 4)
	expect(t, x, "foo.bar", "plain=[1 2] q=[3 4]")
	x.Remove([]byte("foo.*"), nil, 2)
	expect(t, x, "foo.bar", "plain=[1] q=[3 4]")
	x.Remove([]byte(">"), []byte("q"), 3)
	expect(t, x, "foo.bar", "plain=[1] q=[4]")
	x.Remove([]byte("foo.bar"), nil, 1)
	x.Remove([]byte("foo.bar"), []byte("q"), 4)
	expect(t, x, "foo.bar", "plain=[]")
}

func TestCacheResultImmutable(t *testing.T) {
	x := NewIndex[int]()
	mustInsert(t, x, "foo", "", 1)
	mustInsert(t, x, "foo", "", 2)
	mustInsert(t, x, "foo", "q", 3)
	mustInsert(t, x, "foo", "q", 4)
	r := x.Match([]byte("foo"))
	before := canon(r)
	x.Remove([]byte("foo"), nil, 1)
	x.Remove([]byte("foo"), []byte("q"), 3)
	mustInsert(t, x, "foo", "", 5)
	mustInsert(t, x, "foo", "q", 6)
	if canon(r) != before {
		t.Fatalf("held result changed: %s, was %s", canon(r), before)
	}
	expect(t, x, "foo", "plain=[2 5] q=[4 6]")
}

func TestCacheInvalidationIsSelective(t *testing.T) {
	x := NewIndex[int]()
	mustInsert(t, x, "a.>", "", 1)
	lits := []string{"a.x", "a.y", "b.x", "b.y", "c.z.w"}
	for _, l := range lits {
		warm(x, l)
	}
	check := func(what string, want map[string]bool) {
		t.Helper()
		for _, l := range lits {
			if got := cached(x, l); got != want[l] {
				t.Errorf("after %s: cached(%q) = %v, want %v", what, l, got, want[l])
			}
		}
		for _, l := range lits {
			warm(x, l) // refill
		}
	}
	mustInsert(t, x, "b.x", "", 2)
	check("insert b.x", map[string]bool{"a.x": true, "a.y": true, "b.y": true, "c.z.w": true})
	mustInsert(t, x, "*.y", "", 3)
	check("insert *.y", map[string]bool{"a.x": true, "b.x": true, "c.z.w": true})
	x.Remove([]byte("a.>"), nil, 1)
	check("remove a.>", map[string]bool{"b.x": true, "b.y": true, "c.z.w": true})
	mustInsert(t, x, ">", "q", 4)
	check("insert >", map[string]bool{})
	mustInsert(t, x, "b.x", "", 2) // duplicate: no change, no invalidation
	check("duplicate insert", map[string]bool{"a.x": true, "a.y": true, "b.x": true, "b.y": true, "c.z.w": true})
	x.Remove([]byte("nothing.here"), nil, 9) // absent: no invalidation
	check("absent remove", map[string]bool{"a.x": true, "a.y": true, "b.x": true, "b.y": true, "c.z.w": true})
}

func TestCacheBounded(t *testing.T) {
	x := NewIndexSize[int](64)
	mustInsert(t, x, "s.*", "", 1)
	for i := range 10000 {
		l := fmt.Sprintf("s.%d", i)
		for range 2 { // admitted on the second miss
			if r := x.Match([]byte(l)); len(r.Plain) != 1 || r.Plain[0] != 1 {
				t.Fatalf("Match(%q) = %s", l, canon(r))
			}
		}
	}
	st := x.Stats()
	if st.CacheSize != 64 || st.CacheEntries > 64 || st.CacheEntries < 32 {
		t.Fatalf("Stats = %+v", st)
	}
	if st.Matches != 20000 || st.CacheHits != 0 {
		t.Fatalf("Stats = %+v", st)
	}
	// Recently matched subjects are mostly cached: hits happen.
	for range 3 {
		x.Match([]byte("s.9999"))
	}
	if st := x.Stats(); st.CacheHits < 3 || st.MaxFanout != 1 || st.AvgFanout != 1 {
		t.Fatalf("Stats = %+v", st)
	}
}

// TestCacheChurn: subjects that come back only after many others (a
// publisher cycling through more subjects than the cache holds) are not
// stored, so they neither allocate nor evict, while a subject published
// often among them is cached and hit.
func TestCacheChurn(t *testing.T) {
	x := NewIndexSize[int](1024)
	mustInsert(t, x, ">", "", 1)
	mustInsert(t, x, "hot", "", 2)
	churn := make([][]byte, 50000)
	for i := range churn {
		churn[i] = []byte(fmt.Sprintf("churn.%d", i))
	}
	hot := []byte("hot")
	i := 0
	next := func() {
		if r := x.Match(churn[i%len(churn)]); len(r.Plain) != 1 || r.Plain[0] != 1 {
			t.Fatalf("Match(%q) = %s", churn[i%len(churn)], canon(r))
		}
		if i%10 == 0 {
			if r := x.Match(hot); len(r.Plain) != 2 {
				t.Fatalf("Match(hot) = %s", canon(r))
			}
		}
		i++
	}
	for range 2 * len(churn) { // two full cycles
		next()
	}
	st := x.Stats()
	if st.CacheEntries > 4 {
		t.Errorf("churned subjects stored: %d entries (%+v)", st.CacheEntries, st)
	}
	if !cached(x, "hot") {
		t.Errorf("hot subject not cached (%+v)", st)
	}
	if allocs := testing.AllocsPerRun(20000, next); allocs > 0.01 {
		t.Errorf("Match under churn: %v allocs per call", allocs)
	}
	// Two patterns matching the churned subjects: their merged result is
	// kept too; still nothing stored, nothing allocated.
	mustInsert(t, x, "churn.*", "", 3)
	two := func() {
		r := x.Match(churn[i%len(churn)])
		if len(r.Plain) != 2 {
			t.Fatalf("Match(%q) = %s", churn[i%len(churn)], canon(r))
		}
		i++
	}
	two()
	if allocs := testing.AllocsPerRun(20000, two); allocs > 0.01 {
		t.Errorf("Match under churn, two patterns: %v allocs per call", allocs)
	}
	if st := x.Stats(); st.CacheEntries > 4 {
		t.Errorf("churned subjects stored: %d entries (%+v)", st.CacheEntries, st)
	}
}

// TestNodeResultFollowsChanges: the shared result of a single node is
// rebuilt after every change to that node's subscriptions, and a result
// handed out earlier stays as it was.
func TestNodeResultFollowsChanges(t *testing.T) {
	x := NewIndexSize[int](0) // no match cache: every Match builds
	mustInsert(t, x, "a.>", "", 1)
	r1 := x.Match([]byte("a.b"))
	if x.Match([]byte("a.c")) != r1 {
		t.Fatal("single-node results not shared")
	}
	mustInsert(t, x, "a.>", "q", 2)
	expect(t, x, "a.b", "plain=[1] q=[2]")
	mustInsert(t, x, "a.>", "", 3)
	expect(t, x, "a.b", "plain=[1 3] q=[2]")
	x.Remove([]byte("a.>"), nil, 1)
	expect(t, x, "a.b", "plain=[3] q=[2]")
	x.Remove([]byte("a.>"), []byte("q"), 2)
	expect(t, x, "a.b", "plain=[3]")
	if x.Remove([]byte("a.>"), nil, 9) {
		t.Fatal("removed an absent subscription")
	}
	expect(t, x, "a.b", "plain=[3]")
	if canon(r1) != "plain=[1]" {
		t.Fatalf("held result changed: %s", canon(r1))
	}
	if n := testing.AllocsPerRun(1000, func() { x.Match([]byte("a.b")) }); n > 0 {
		t.Fatalf("uncached single-node Match allocates: %v", n)
	}

	// Merged results of several nodes follow every change too.
	mustInsert(t, x, "a.*", "", 4)
	r2 := x.Match([]byte("a.b"))
	if x.Match([]byte("a.c")) != r2 {
		t.Fatal("merged results of the same nodes not shared")
	}
	expect(t, x, "a.b", "plain=[3 4]")
	mustInsert(t, x, "a.b", "q", 5)
	expect(t, x, "a.b", "plain=[3 4] q=[5]")
	expect(t, x, "a.c", "plain=[3 4]")
	mustInsert(t, x, "a.*", "", 6)
	expect(t, x, "a.c", "plain=[3 4 6]")
	mustInsert(t, x, "x.y", "", 7) // elsewhere: the merged result is rebuilt, equal
	expect(t, x, "a.c", "plain=[3 4 6]")
	x.Remove([]byte("a.>"), nil, 3)
	expect(t, x, "a.c", "plain=[4 6]")
	if canon(r2) != "plain=[3 4]" {
		t.Fatalf("held merged result changed: %s", canon(r2))
	}
	for i := range 5 { // more matching nodes than a merged result keeps
		mustInsert(t, x, strings.Repeat("*.", i)+">", "", 10+i)
	}
	expect(t, x, "a.b.c.d.e.f", "plain=[10 11 12 13 14]")
	expect(t, x, "a.b", "plain=[4 6 10 11] q=[5]")
}

func TestCacheDisabled(t *testing.T) {
	x := NewIndexSize[int](0)
	expect(t, x, "foo", "plain=[]")
	mustInsert(t, x, "foo", "", 1)
	expect(t, x, "foo", "plain=[1]")
	if st := x.Stats(); st.CacheEntries != 0 || st.CacheHits != 0 || st.CacheSize != 0 {
		t.Fatalf("Stats = %+v", st)
	}
}

func TestCachedMatchAllocs(t *testing.T) {
	x := NewIndex[int]()
	mustInsert(t, x, "foo.bar", "", 1)
	mustInsert(t, x, "foo.*", "q", 2)
	lit := []byte("foo.bar")
	none := []byte("no.interest")
	warm(x, "foo.bar")
	warm(x, "no.interest")
	n := testing.AllocsPerRun(1000, func() {
		if r := x.Match(lit); len(r.Plain) != 1 {
			t.Fatal("bad result")
		}
		if r := x.Match(none); len(r.Plain) != 0 {
			t.Fatal("bad result")
		}
		if !x.HasInterest(lit) || x.HasInterest(none) {
			t.Fatal("bad interest")
		}
	})
	if n > 0 {
		t.Fatalf("cached Match allocates: %v allocs per run", n)
	}
}

func TestUncachedInterestAllocs(t *testing.T) {
	x := NewIndexSize[int](0)
	mustInsert(t, x, "foo.*.baz", "", 1)
	mustInsert(t, x, "foo.>", "", 2)
	lit := []byte("foo.bar.baz")
	n := testing.AllocsPerRun(1000, func() {
		if !x.HasInterest(lit) || x.HasInterest([]byte("bar")) {
			t.Fatal("bad interest")
		}
		// A miss with no interest returns the shared empty result.
		if r := x.Match([]byte("nothing")); len(r.Plain) != 0 {
			t.Fatal("bad result")
		}
	})
	if n > 0 {
		t.Fatalf("HasInterest allocates: %v allocs per run", n)
	}
}
