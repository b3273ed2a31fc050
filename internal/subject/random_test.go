package subject

import (
	"math/rand/v2"
	"strings"
	"testing"
)

type triple struct {
	subj, q string
	s       int
}

// reference is a brute-force index: a list of subscriptions and Matches.
type reference struct{ subs []triple }

func (r *reference) find(t triple) int {
	for i, v := range r.subs {
		if v == t {
			return i
		}
	}
	return -1
}

func (r *reference) insert(t triple) {
	if r.find(t) < 0 {
		r.subs = append(r.subs, t)
	}
}

func (r *reference) remove(t triple) bool {
	i := r.find(t)
	if i < 0 {
		return false
	}
	r.subs = append(r.subs[:i], r.subs[i+1:]...)
	return true
}

func (r *reference) match(literal string) *Result[int] {
	res := &Result[int]{}
	if !hasTokens([]byte(literal)) {
		return res
	}
	for _, t := range r.subs {
		if !Matches([]byte(literal), []byte(t.subj)) {
			continue
		}
		if t.q == "" {
			res.Plain = append(res.Plain, t.s)
			continue
		}
		found := false
		for i := range res.Queues {
			if string(res.Queues[i].Name) == t.q {
				res.Queues[i].Members = append(res.Queues[i].Members, t.s)
				found = true
			}
		}
		if !found {
			res.Queues = append(res.Queues, Group[int]{Name: []byte(t.q), Members: []int{t.s}})
		}
	}
	return res
}

var randTokens = []string{"a", "b", "c", "foo*"}

func randSubject(rng *rand.Rand, wild bool) string {
	n := 1 + rng.IntN(4)
	toks := make([]string, n)
	for i := range toks {
		toks[i] = randTokens[rng.IntN(len(randTokens))]
		if wild && rng.IntN(4) == 0 {
			toks[i] = "*"
		}
	}
	if wild && rng.IntN(5) == 0 {
		toks[n-1] = ">"
	}
	return strings.Join(toks, ".")
}

func TestRandomAgainstReference(t *testing.T) {
	for _, size := range []int{0, 8, 64, DefaultCacheSize} {
		for seed := range uint64(4) {
			rng := rand.New(rand.NewPCG(seed, uint64(size)))
			x := NewIndexSize[int](size)
			var ref reference
			var held []*Result[int]
			var heldWant []string
			for op := range 1000 {
				tr := triple{randSubject(rng, true), []string{"", "", "q1", "q2"}[rng.IntN(4)], rng.IntN(30)}
				if rng.IntN(3) == 0 && len(ref.subs) > 0 {
					tr = ref.subs[rng.IntN(len(ref.subs))]
				}
				if rng.IntN(2) == 0 {
					mustInsert(t, x, tr.subj, tr.q, tr.s)
					ref.insert(tr)
				} else if got, want := x.Remove([]byte(tr.subj), []byte(tr.q), tr.s), ref.remove(tr); got != want {
					t.Fatalf("size %d seed %d op %d: Remove(%v) = %v, want %v", size, seed, op, tr, got, want)
				}
				if x.Count() != len(ref.subs) {
					t.Fatalf("size %d seed %d op %d: Count = %d, want %d", size, seed, op, x.Count(), len(ref.subs))
				}
				for range 4 {
					lit := randSubject(rng, false)
					got, want := canon(x.Match([]byte(lit))), canon(ref.match(lit))
					if got != want {
						t.Fatalf("size %d seed %d op %d: Match(%q) = %s, want %s", size, seed, op, lit, got, want)
					}
					if hi, wi := x.HasInterest([]byte(lit)), want != "plain=[]"; hi != wi {
						t.Fatalf("size %d seed %d op %d: HasInterest(%q) = %v, want %v", size, seed, op, lit, hi, wi)
					}
					if rng.IntN(20) == 0 {
						r := x.Match([]byte(lit))
						held, heldWant = append(held, r), append(heldWant, canon(r))
					}
				}
			}
			for i, r := range held {
				if canon(r) != heldWant[i] {
					t.Fatalf("size %d seed %d: held result changed: %s, was %s", size, seed, canon(r), heldWant[i])
				}
			}
			n := 0
			x.All(func(subject, queue []byte, s int) {
				n++
				if ref.find(triple{string(subject), string(queue), s}) < 0 {
					t.Fatalf("All reports %q %q %d, not in the reference", subject, queue, s)
				}
			})
			if n != len(ref.subs) {
				t.Fatalf("All reported %d subscriptions, want %d", n, len(ref.subs))
			}
		}
	}
}

// The invalidation prefilter must never reject a subject a pattern matches.
func TestFilterNeverRejectsAMatch(t *testing.T) {
	c := newCache[int](4)
	rng := rand.New(rand.NewPCG(1, 2))
	matched := 0
	for range 20000 {
		lit, pat := randSubject(rng, false), randSubject(rng, true)
		if IsLiteral([]byte(pat)) {
			continue
		}
		f := c.filterOf([]byte(pat))
		if Matches([]byte(lit), []byte(pat)) {
			matched++
			if !f.mayMatch(c.shapeOf([]byte(lit))) {
				t.Fatalf("filter of %q rejects %q", pat, lit)
			}
		}
	}
	if matched < 1000 {
		t.Fatalf("only %d matching pairs generated", matched)
	}
}
