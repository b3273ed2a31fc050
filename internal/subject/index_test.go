package subject

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
)

// canon renders a result in a canonical form: "plain=[1 2] q1=[3] q2=[4 5]",
// members sorted, groups sorted by name.
func canon(r *Result[int]) string {
	var b strings.Builder
	p := slices.Clone(r.Plain)
	sort.Ints(p)
	fmt.Fprintf(&b, "plain=%v", p)
	gs := slices.Clone(r.Queues)
	sort.Slice(gs, func(i, j int) bool { return string(gs[i].Name) < string(gs[j].Name) })
	for i, g := range gs {
		if i > 0 && string(gs[i-1].Name) == string(g.Name) {
			fmt.Fprintf(&b, " DUPLICATE-GROUP")
		}
		m := slices.Clone(g.Members)
		sort.Ints(m)
		fmt.Fprintf(&b, " %s=%v", g.Name, m)
	}
	return b.String()
}

func mustInsert(t testing.TB, x *Index[int], subj, queue string, s int) {
	t.Helper()
	if err := x.Insert([]byte(subj), []byte(queue), s); err != nil {
		t.Fatalf("Insert(%q, %q, %d): %v", subj, queue, s, err)
	}
}

func expect(t *testing.T, x *Index[int], literal, want string) {
	t.Helper()
	if got := canon(x.Match([]byte(literal))); got != want {
		t.Errorf("Match(%q) = %s, want %s", literal, got, want)
	}
	wantInterest := want != "plain=[]"
	if got := x.HasInterest([]byte(literal)); got != wantInterest {
		t.Errorf("HasInterest(%q) = %v, want %v", literal, got, wantInterest)
	}
}

func TestIndexLiteral(t *testing.T) {
	x := NewIndex[int]()
	mustInsert(t, x, "foo", "", 1)
	mustInsert(t, x, "foo.bar", "", 2)
	mustInsert(t, x, "foo.bar", "", 3)
	mustInsert(t, x, "foo.bar.baz", "", 4)
	expect(t, x, "foo", "plain=[1]")
	expect(t, x, "foo.bar", "plain=[2 3]")
	expect(t, x, "foo.bar.baz", "plain=[4]")
	expect(t, x, "foo.baz", "plain=[]")
	expect(t, x, "bar", "plain=[]")
	expect(t, x, "foo.bar.baz.qux", "plain=[]")
	if x.Count() != 4 {
		t.Errorf("Count = %d, want 4", x.Count())
	}
}

func TestIndexWildcards(t *testing.T) {
	x := NewIndex[int]()
	mustInsert(t, x, "foo.*", "", 1)
	mustInsert(t, x, "*.bar", "", 2)
	mustInsert(t, x, "foo.>", "", 3)
	mustInsert(t, x, ">", "", 4)
	mustInsert(t, x, "*", "", 5)
	mustInsert(t, x, "foo.*.baz", "", 6)
	mustInsert(t, x, "*.*.>", "", 7)
	mustInsert(t, x, "foo.bar", "", 8)
	mustInsert(t, x, "foo*.bar", "", 9) // literal token "foo*"
	expect(t, x, "foo", "plain=[4 5]")
	expect(t, x, "foo.bar", "plain=[1 2 3 4 8]")
	expect(t, x, "foo.baz", "plain=[1 3 4]")
	expect(t, x, "bar.bar", "plain=[2 4]")
	expect(t, x, "foo.bar.baz", "plain=[3 4 6 7]")
	expect(t, x, "foo.bar.qux", "plain=[3 4 7]")
	expect(t, x, "a.b.c.d.e", "plain=[4 7]")
	expect(t, x, "foo*.bar", "plain=[2 4 9]")
	expect(t, x, "foox.bar", "plain=[2 4]")
}

func TestIndexDuplicateAcrossPatterns(t *testing.T) {
	x := NewIndex[int]()
	mustInsert(t, x, "foo.*", "", 1)
	mustInsert(t, x, "foo.bar", "", 1)
	mustInsert(t, x, "foo.bar", "", 1) // same triple: no-op
	expect(t, x, "foo.bar", "plain=[1 1]")
	if x.Count() != 2 {
		t.Errorf("Count = %d, want 2", x.Count())
	}
}

func TestIndexQueues(t *testing.T) {
	x := NewIndex[int]()
	mustInsert(t, x, "foo.bar", "q", 1)
	mustInsert(t, x, "foo.bar", "q", 2)
	mustInsert(t, x, "foo.*", "q", 3)
	mustInsert(t, x, "foo.>", "r", 4)
	mustInsert(t, x, "foo.bar", "", 5)
	mustInsert(t, x, "foo.*", "r", 6)
	expect(t, x, "foo.bar", "plain=[5] q=[1 2 3] r=[4 6]")
	expect(t, x, "foo.baz", "plain=[] q=[3] r=[4 6]")
	expect(t, x, "foo.baz.x", "plain=[] r=[4]")
	// Same S plain and in a queue: both.
	mustInsert(t, x, "foo.bar", "q", 5)
	expect(t, x, "foo.bar", "plain=[5] q=[1 2 3 5] r=[4 6]")
	if !x.Remove([]byte("foo.bar"), []byte("q"), 5) {
		t.Fatal("Remove queue member failed")
	}
	expect(t, x, "foo.bar", "plain=[5] q=[1 2 3] r=[4 6]")
	// Removing the plain sub must not remove queue members with the same S.
	if x.Remove([]byte("foo.bar"), nil, 1) {
		t.Fatal("Remove of a plain sub that is only a queue member succeeded")
	}
	if x.Remove([]byte("foo.bar"), []byte("nope"), 1) {
		t.Fatal("Remove from an unknown queue succeeded")
	}
}

func TestIndexInsertErrors(t *testing.T) {
	x := NewIndex[int]()
	for _, s := range []string{"", "foo.", ".foo", "foo..bar", "foo.>.bar", "foo bar"} {
		if err := x.Insert([]byte(s), nil, 1); err != ErrInvalidSubject {
			t.Errorf("Insert(%q) = %v, want ErrInvalidSubject", s, err)
		}
	}
	if err := x.Insert([]byte("foo"), []byte("a b"), 1); err != ErrInvalidQueue {
		t.Errorf("Insert with queue %q = %v, want ErrInvalidQueue", "a b", err)
	}
	if !strings.HasPrefix(ErrInvalidSubject.Error(), "subject: ") {
		t.Errorf("error %q lacks the package prefix", ErrInvalidSubject)
	}
	if x.Count() != 0 {
		t.Errorf("Count = %d after failed inserts", x.Count())
	}
}

func TestIndexRemoveAndPrune(t *testing.T) {
	x := NewIndex[int]()
	subs := []struct {
		subj, q string
		s       int
	}{
		{"a.b.c", "", 1}, {"a.b.c", "", 2}, {"a.b", "", 3}, {"a.*.c", "", 4},
		{"a.>", "", 5}, {"a.b.c", "q", 6}, {"a.b.c", "q", 7}, {"x.y.z.w", "", 8},
	}
	for _, s := range subs {
		mustInsert(t, x, s.subj, s.q, s.s)
	}
	expect(t, x, "a.b.c", "plain=[1 2 4 5] q=[6 7]")
	if x.Remove([]byte("a.b.c"), nil, 99) || x.Remove([]byte("a.b.c.d"), nil, 1) ||
		x.Remove([]byte("a"), nil, 1) || x.Remove([]byte("bad..subj"), nil, 1) {
		t.Fatal("Remove of an absent subscription succeeded")
	}
	for i, s := range subs {
		if !x.Remove([]byte(s.subj), []byte(s.q), s.s) {
			t.Fatalf("Remove(%q, %q, %d) failed", s.subj, s.q, s.s)
		}
		if x.Remove([]byte(s.subj), []byte(s.q), s.s) {
			t.Fatalf("second Remove(%q, %q, %d) succeeded", s.subj, s.q, s.s)
		}
		if x.Count() != len(subs)-i-1 {
			t.Fatalf("Count = %d, want %d", x.Count(), len(subs)-i-1)
		}
	}
	expect(t, x, "a.b.c", "plain=[]")
	if !x.root.empty() {
		t.Errorf("trie not pruned: %+v", x.root)
	}
	st := x.Stats()
	if st.Inserts != uint64(len(subs)) || st.Removes != uint64(len(subs)) || st.Subscriptions != 0 {
		t.Errorf("Stats = %+v", st)
	}
}

func TestIndexLargeSet(t *testing.T) {
	// Crosses idxMin so that the position map is exercised.
	x := NewIndex[int]()
	const n = 200
	for i := range n {
		mustInsert(t, x, "big", "", i)
		mustInsert(t, x, "big", "q", i)
	}
	mustInsert(t, x, "big", "", 7) // duplicate
	if x.Count() != 2*n {
		t.Fatalf("Count = %d, want %d", x.Count(), 2*n)
	}
	for i := 0; i < n; i += 2 {
		r := x.Match([]byte("big")) // keeps the lists shared: removes copy
		if !x.Remove([]byte("big"), nil, i) || !x.Remove([]byte("big"), []byte("q"), i) {
			t.Fatalf("Remove %d failed", i)
		}
		if len(r.Plain) != n-i/2 {
			t.Fatalf("earlier result changed: %d members, want %d", len(r.Plain), n-i/2)
		}
	}
	r := x.Match([]byte("big"))
	p := slices.Clone(r.Plain)
	sort.Ints(p)
	for j, v := range p {
		if v != 2*j+1 {
			t.Fatalf("plain after removes = %v", p)
		}
	}
	if len(r.Queues) != 1 || len(r.Queues[0].Members) != n/2 {
		t.Fatalf("queues after removes = %s", canon(r))
	}
}

func TestIndexCopiesInput(t *testing.T) {
	x := NewIndex[int]()
	subj := []byte("foo.bar")
	q := []byte("q")
	mustInsert(t, x, string(subj), "", 0)
	if err := x.Insert(subj, q, 1); err != nil {
		t.Fatal(err)
	}
	lit := []byte("foo.bar")
	x.Match(lit) // cached with its own copy
	copy(subj, "xxx.yyy")
	copy(q, "z")
	copy(lit, "zzz.zzz")
	expect(t, x, "foo.bar", "plain=[0] q=[1]")
	expect(t, x, "zzz.zzz", "plain=[]")
}

func TestIndexAll(t *testing.T) {
	x := NewIndex[int]()
	want := []string{"a.b| 1", "a.b|q 2", "a.*| 3", "a.>|r 4", ">| 5", "c.d.e| 6", "*.d| 7"}
	for _, w := range want {
		var subj, q string
		var s int
		subjq, rest, _ := strings.Cut(w, " ")
		subj, q, _ = strings.Cut(subjq, "|")
		fmt.Sscan(rest, &s)
		mustInsert(t, x, subj, q, s)
	}
	var got []string
	x.All(func(subject, queue []byte, s int) {
		got = append(got, fmt.Sprintf("%s|%s %d", subject, queue, s))
	})
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("All = %v, want %v", got, want)
	}
}

func TestMatchInvalidLiteral(t *testing.T) {
	x := NewIndex[int]()
	mustInsert(t, x, ">", "", 1)
	mustInsert(t, x, "foo.*", "", 2)
	for _, s := range []string{"", ".", "foo.", ".foo", "foo..bar"} {
		expect(t, x, s, "plain=[]")
	}
	// Wildcard tokens in a "literal" are ordinary tokens.
	expect(t, x, "foo.*", "plain=[1 2]")
	expect(t, x, "foo.>", "plain=[1 2]")
}
