package subject

import "bytes"

// Match returns the subscriptions matching the literal subject. The result
// is immutable and may be shared with other callers and the cache. Match
// does not retain literal (the cache keeps its own copy). A cache hit does
// not allocate and takes no lock.
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
	x.mu.RLock()
	r := x.build(literal)
	// Stored under the read lock: see cache.go.
	r = x.cache.put(h, literal, r)
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
func (x *Index[S]) build(literal []byte) *Result[S] {
	var b builder[S]
	x.root.collect(literal, &b)
	if b.plain == nil && b.queues == nil {
		return x.empty
	}
	return &Result[S]{Plain: b.plain, Queues: b.queues}
}

// builder accumulates the subscriptions of the matching nodes.
type builder[S comparable] struct {
	plain  []S
	queues []Group[S]
}

func (b *builder[S]) add(n *node[S]) {
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
