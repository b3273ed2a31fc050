package subject

import (
	"bytes"
	"sync/atomic"
)

// The trie: one level per token. Literal tokens are map keys; '*' and '>'
// have their own slots so that a match never looks them up by name. All of
// it is guarded by Index.mu: written under the write lock, read under the
// read lock. The only fields a reader writes are memberSet.shared,
// node.res and node.combo (atomic).

type level[S comparable] struct {
	lits map[string]*node[S] // literal tokens; nil until the first one
	pwc  *node[S]            // '*'
	fwc  *node[S]            // '>'
}

func (l *level[S]) empty() bool {
	return l == nil || (len(l.lits) == 0 && l.pwc == nil && l.fwc == nil)
}

type node[S comparable] struct {
	next   *level[S]    // tokens after this one; nil when none
	plain  memberSet[S] // subscriptions without a queue
	groups []*qgroup[S] // queue groups, in insertion order; few per subject
	// res is the Result of this node's subscriptions alone (see result):
	// stored by readers under the read lock, cleared by writers whenever
	// plain or groups change.
	res atomic.Pointer[Result[S]]
	// combo is the result last merged from a few matching nodes ending
	// with this one (see Index.combined): stored by readers under the read
	// lock, valid while Index.gen is unchanged.
	combo atomic.Pointer[combo[S]]
}

func (n *node[S]) empty() bool {
	return len(n.plain.list) == 0 && len(n.groups) == 0 && n.next.empty()
}

func (n *node[S]) group(name []byte) (int, *qgroup[S]) {
	for i, g := range n.groups {
		if bytes.Equal(g.name, name) {
			return i, g
		}
	}
	return -1, nil
}

type qgroup[S comparable] struct {
	name    []byte // private copy, immutable; shared with Results
	members memberSet[S]
}

// idxMin is the set size from which memberSet keeps a position map, so that
// add (duplicate check) and remove stay O(1) for large fan-outs.
const idxMin = 16

// memberSet is a set of S as a slice that Results may share.
//
// Sharing rule: a Result holds list[:n:n]. Appending never writes below the
// length a Result saw, so add is always in place. Removing writes below it
// (swap with last), so remove copies the slice first when shared is set.
// Readers set shared (under the read lock) when they hand out the slice;
// the writer clears it when it has made a private copy.
type memberSet[S comparable] struct {
	list   []S
	idx    map[S]int32 // position in list; nil while len(list) < idxMin
	shared atomic.Bool
}

func (m *memberSet[S]) find(s S) int {
	if m.idx != nil {
		if i, ok := m.idx[s]; ok {
			return int(i)
		}
		return -1
	}
	for i, v := range m.list {
		if v == s {
			return i
		}
	}
	return -1
}

// add inserts s; false when s was already present.
func (m *memberSet[S]) add(s S) bool {
	if m.find(s) >= 0 {
		return false
	}
	m.list = append(m.list, s)
	if m.idx != nil {
		m.idx[s] = int32(len(m.list) - 1)
	} else if len(m.list) >= idxMin {
		m.idx = make(map[S]int32, 2*len(m.list))
		for i, v := range m.list {
			m.idx[v] = int32(i)
		}
	}
	return true
}

// remove deletes s; false when s was absent.
func (m *memberSet[S]) remove(s S) bool {
	i := m.find(s)
	if i < 0 {
		return false
	}
	last := len(m.list) - 1
	if m.shared.Load() {
		// A Result holds the current array: build a private one.
		cp := make([]S, last, last+last/4+1)
		copy(cp, m.list[:last])
		if i < last {
			cp[i] = m.list[last]
		}
		m.list = cp
		m.shared.Store(false)
	} else {
		m.list[i] = m.list[last]
		var zero S
		m.list[last] = zero // do not keep it alive
		m.list = m.list[:last]
	}
	if m.idx != nil {
		delete(m.idx, s)
		if i < last {
			m.idx[m.list[i]] = int32(i)
		}
		if len(m.list) == 0 {
			m.idx = nil
		}
	}
	if len(m.list) == 0 {
		m.list = nil
	}
	return true
}

// view returns the current members for a Result and marks them shared.
// Called under the read lock.
func (m *memberSet[S]) view() []S {
	if !m.shared.Load() {
		m.shared.Store(true)
	}
	return m.list[:len(m.list):len(m.list)]
}

// child returns the node for token tok in l, creating it when create is set.
func (l *level[S]) child(tok []byte, create bool) *node[S] {
	if len(tok) == 1 {
		switch tok[0] {
		case pwc:
			if l.pwc == nil && create {
				l.pwc = &node[S]{}
			}
			return l.pwc
		case fwc:
			if l.fwc == nil && create {
				l.fwc = &node[S]{}
			}
			return l.fwc
		}
	}
	n := l.lits[string(tok)]
	if n == nil && create {
		if l.lits == nil {
			l.lits = make(map[string]*node[S])
		}
		n = &node[S]{}
		l.lits[string(tok)] = n // the key is a copy
	}
	return n
}

// drop removes the (empty) child for tok from l.
func (l *level[S]) drop(tok []byte) {
	if len(tok) == 1 {
		switch tok[0] {
		case pwc:
			l.pwc = nil
			return
		case fwc:
			l.fwc = nil
			return
		}
	}
	delete(l.lits, string(tok))
}

// insert adds s under the valid subject and queue (nil for none); false
// when the triple was already present. Write lock held.
func (l *level[S]) insert(subject, queue []byte, s S) bool {
	var n *node[S]
	for i := 0; ; {
		e := tokenEnd(subject, i)
		n = l.child(subject[i:e], true)
		if e == len(subject) {
			break
		}
		if n.next == nil {
			n.next = &level[S]{}
		}
		l, i = n.next, e+1
	}
	if len(queue) == 0 {
		return n.changed(n.plain.add(s))
	}
	_, g := n.group(queue)
	if g == nil {
		g = &qgroup[S]{name: bytes.Clone(queue)}
		// groups itself is never handed out: Results get their own
		// []Group, so it may change in place under the write lock.
		n.groups = append(n.groups, g)
	}
	return n.changed(g.members.add(s))
}

// changed drops n's own Result when its subscriptions changed (ok) and
// returns ok. Write lock held.
func (n *node[S]) changed(ok bool) bool {
	if ok {
		n.res.Store(nil)
	}
	return ok
}

// remove deletes s from subject/queue and prunes nodes left empty; false
// when absent. Write lock held.
func (l *level[S]) remove(subject, queue []byte, s S) bool {
	type step struct {
		l     *level[S]
		tok   []byte
		n     *node[S]
		owner *node[S] // node whose next is l (nil for the root)
	}
	var buf [16]step
	path := buf[:0]
	var n, owner *node[S]
	for i := 0; ; {
		e := tokenEnd(subject, i)
		tok := subject[i:e]
		n = l.child(tok, false)
		if n == nil {
			return false
		}
		path = append(path, step{l, tok, n, owner})
		if e == len(subject) {
			break
		}
		if n.next == nil {
			return false
		}
		owner, l, i = n, n.next, e+1
	}
	if len(queue) == 0 {
		if !n.plain.remove(s) {
			return false
		}
	} else {
		gi, g := n.group(queue)
		if g == nil || !g.members.remove(s) {
			return false
		}
		if len(g.members.list) == 0 {
			last := len(n.groups) - 1
			copy(n.groups[gi:], n.groups[gi+1:])
			n.groups[last] = nil
			n.groups = n.groups[:last]
			if last == 0 {
				n.groups = nil
			}
		}
	}
	n.changed(true)
	// Prune bottom-up while nodes are empty.
	for d := len(path) - 1; d >= 0; d-- {
		st := path[d]
		if !st.n.empty() {
			break
		}
		st.n.next = nil
		st.l.drop(st.tok)
		if st.owner != nil && st.l.empty() {
			st.owner.next = nil
		}
	}
	return true
}
