package subject

import (
	"bytes"
	"unsafe"
)

// Match returns the subscriptions matching the literal subject. The result
// is immutable and may be shared with other callers and the cache. Match
// does not retain literal (the cache keeps its own copy). A cache hit does
// not allocate and takes no lock. A miss whose subscriptions all sit on one
// trie node (no interest, or one pattern's subscribers: '>', a literal
// subject, ...) does not allocate either unless the cache admits the
// subject (see cache.go).
//
// literal is not validated beyond this: a subject with an empty token
// matches nothing (like nats-server); a '*' or '>' token in it is an
// ordinary token, matched only by wildcards.
func (x *Index[S]) Match(literal []byte) *Result[S] {
	h := x.cache.hash(literal)
	if r := x.cache.get(h, literal); r != nil {
		x.counters.count(true)
		return r
	}
	x.counters.count(false)
	if !hasTokens(literal) {
		return x.empty
	}
	admit := x.cache.admit(h)
	x.mu.RLock()
	r := x.build(literal)
	if admit {
		// Stored under the read lock: see cache.go.
		r = x.cache.put(h, literal, r)
	}
	x.mu.RUnlock()
	return r
}

// HasInterest reports whether any subscription matches the literal subject.
// It does not allocate.
func (x *Index[S]) HasInterest(literal []byte) bool {
	if r := x.cache.get(x.cache.hash(literal), literal); r != nil {
		return len(r.Plain) > 0 || len(r.Queues) > 0
	}
	if !hasTokens(literal) {
		return false
	}
	x.mu.RLock()
	ok := x.root.interest(literal)
	x.mu.RUnlock()
	return ok
}

// hasTokens reports whether literal is non-empty with no empty token.
func hasTokens(literal []byte) bool {
	if len(literal) == 0 || literal[0] == sep || literal[len(literal)-1] == sep {
		return false
	}
	return !bytes.Contains(literal, []byte{sep, sep})
}

// build computes the result for literal from the trie. Read lock held.
// Results are shared where they can be: one node holding every matching
// subscription returns that node's result, a few nodes the result last
// merged from them (while the index has not changed since); neither
// allocates once built.
func (x *Index[S]) build(literal []byte) *Result[S] {
	var b builder[S]
	x.root.collect(literal, &b)
	switch {
	case b.over:
		return &Result[S]{Plain: b.plain, Queues: b.queues}
	case b.n == 0:
		return x.empty
	case b.n == 1:
		return b.nodes[0].result()
	}
	return x.combined(&b)
}

// maxCombo is the most matching nodes whose merged result is kept.
const maxCombo = 4

// combo is a result merged from several nodes, kept on the last of them
// (in walk order the most specific: a literal subject's node before a
// wildcard shared by many) for as long as the index is unchanged (gen).
// Immutable.
//
// The nodes are kept as addresses, only to compare: a combo must not keep
// pruned nodes alive. An address reused by a new node cannot match by
// mistake, since creating a node changes gen.
type combo[S comparable] struct {
	gen   uint64
	nodes [maxCombo]uintptr
	r     *Result[S]
}

// combined returns the merged result of b's nodes (2..maxCombo of them).
// Read lock held.
func (x *Index[S]) combined(b *builder[S]) *Result[S] {
	gen := x.gen.Load()
	var key [maxCombo]uintptr
	for i, n := range b.nodes[:b.n] {
		key[i] = uintptr(unsafe.Pointer(n))
	}
	last := b.nodes[b.n-1]
	if c := last.combo.Load(); c != nil && c.gen == gen && c.nodes == key {
		return c.r
	}
	for _, n := range b.nodes[:b.n] {
		b.merge(n)
	}
	r := &Result[S]{Plain: b.plain, Queues: b.queues}
	last.combo.Store(&combo[S]{gen: gen, nodes: key, r: r}) // racing readers store equal ones
	return r
}

// builder accumulates the matching nodes that have subscriptions: the
// first maxCombo are only noted; past that all are merged into plain and
// queues.
type builder[S comparable] struct {
	nodes  [maxCombo]*node[S] // in walk order; the first n are set
	n      int
	over   bool // more than maxCombo nodes: plain and queues hold them all
	plain  []S
	queues []Group[S]
}

func (b *builder[S]) add(n *node[S]) {
	if !n.hasSubs() {
		return
	}
	if !b.over {
		if b.n < maxCombo {
			b.nodes[b.n] = n
			b.n++
			return
		}
		b.over = true
		for _, m := range b.nodes {
			b.merge(m)
		}
	}
	b.merge(n)
}

// merge adds n's subscriptions to plain and queues.
func (b *builder[S]) merge(n *node[S]) {
	if len(n.plain.list) > 0 {
		if b.plain == nil {
			b.plain = n.plain.view() // shared with the trie, cap == len
		} else {
			// cap == len of a view: append copies, never writes the trie.
			b.plain = append(b.plain, n.plain.list...)
		}
	}
	for _, g := range n.groups {
		b.addGroup(g)
	}
}

// result returns the Result of n's subscriptions alone, built once and
// kept until n's subscriptions change. Read lock held.
func (n *node[S]) result() *Result[S] {
	if r := n.res.Load(); r != nil {
		return r
	}
	var b builder[S]
	b.merge(n)
	r := &Result[S]{Plain: b.plain, Queues: b.queues}
	n.res.Store(r) // racing readers store equal results
	return r
}

// addGroup merges g into the groups by name.
func (b *builder[S]) addGroup(g *qgroup[S]) {
	if len(g.members.list) == 0 {
		return
	}
	for i := range b.queues {
		if bytes.Equal(b.queues[i].Name, g.name) {
			b.queues[i].Members = append(b.queues[i].Members, g.members.list...)
			return
		}
	}
	b.queues = append(b.queues, Group[S]{Name: g.name, Members: g.members.view()})
}

// collect adds the nodes whose subscriptions match literal (which has no
// empty token) to b. Read lock held.
func (l *level[S]) collect(literal []byte, b *builder[S]) {
	e := tokenEnd(literal, 0)
	last := e == len(literal)
	if l.fwc != nil {
		b.add(l.fwc)
	}
	for _, n := range [2]*node[S]{l.pwc, l.lits[string(literal[:e])]} {
		switch {
		case n == nil:
		case last:
			b.add(n)
		case n.next != nil:
			n.next.collect(literal[e+1:], b)
		}
	}
}

// interest reports whether any subscription matches literal (no empty
// token). Read lock held.
func (l *level[S]) interest(literal []byte) bool {
	e := tokenEnd(literal, 0)
	last := e == len(literal)
	if l.fwc != nil && l.fwc.hasSubs() {
		return true
	}
	for _, n := range [2]*node[S]{l.pwc, l.lits[string(literal[:e])]} {
		if n == nil {
			continue
		}
		if last {
			if n.hasSubs() {
				return true
			}
		} else if n.next != nil && n.next.interest(literal[e+1:]) {
			return true
		}
	}
	return false
}

func (n *node[S]) hasSubs() bool { return len(n.plain.list) > 0 || len(n.groups) > 0 }
