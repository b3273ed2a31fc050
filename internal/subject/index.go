package subject

import (
	"sync"
	"sync/atomic"
)

// Index is a subscription index: subjects with '*' and '>' wildcards and
// optional queue groups, mapped to subscriptions of type S, with a match
// cache. It is safe for concurrent use; see the package documentation for
// the concurrency contract.
type Index[S comparable] struct {
	mu   sync.RWMutex // guards root and the whole trie
	root level[S]     // guarded by mu

	cache cache[S]   // slots are atomic; see cache.go for who stores what
	empty *Result[S] // the result with no subscriptions; immutable after New

	gen      atomic.Uint64 // bumped by every change to the trie; written under mu
	count    atomic.Int64  // subscriptions in the trie; written under mu
	inserts  atomic.Uint64
	removes  atomic.Uint64
	counters counters // matches and cache hits, striped
}

// Result lists the subscriptions matching a literal subject. It is
// immutable: once returned by Match it is never written again, so any
// goroutine may read it without locks for as long as it likes. Callers must
// not modify it or its slices (and must not append to them).
type Result[S comparable] struct {
	Plain  []S        // every matching subscription without a queue group
	Queues []Group[S] // one per queue name, merged across matching patterns
}

// Group is a queue group in a Result: one member of it gets the message.
type Group[S comparable] struct {
	Name    []byte
	Members []S
}

// Stats are counters for monitoring (/subsz).
type Stats struct {
	Subscriptions int     // subscriptions in the index (Count)
	Inserts       uint64  // successful Insert calls
	Removes       uint64  // successful Remove calls
	Matches       uint64  // Match calls
	CacheHits     uint64  // Match calls answered from the cache
	CacheEntries  int     // results currently cached
	CacheSize     int     // maximum number of cached results
	MaxFanout     int     // largest cached result (plain + queue groups)
	AvgFanout     float64 // mean size of cached results
}

// NewIndex returns an empty Index with a match cache of DefaultCacheSize
// results.
func NewIndex[S comparable]() *Index[S] {
	return NewIndexSize[S](DefaultCacheSize)
}

// NewIndexSize returns an empty Index caching up to cacheSize match results
// (rounded up to a power of two); cacheSize <= 0 disables the cache.
func NewIndexSize[S comparable](cacheSize int) *Index[S] {
	return &Index[S]{cache: newCache[S](cacheSize), empty: &Result[S]{}}
}

// Insert adds subscription s on subject (which may contain wildcards) in
// queue group queue (nil or empty for none). It copies what it keeps.
// Inserting a (subject, queue, s) triple that is already present does
// nothing. It returns ErrInvalidSubject or ErrInvalidQueue for bad input.
func (x *Index[S]) Insert(subject, queue []byte, s S) error {
	if !ValidSubject(subject) {
		return ErrInvalidSubject
	}
	if len(queue) > 0 && !ValidQueue(queue) {
		return ErrInvalidQueue
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.root.insert(subject, queue, s) {
		x.gen.Add(1)
		x.count.Add(1)
		x.inserts.Add(1)
		x.cache.invalidate(subject)
	}
	return nil
}

// Remove deletes subscription s from subject and queue (nil or empty for
// none), as inserted. It reports whether it was present.
func (x *Index[S]) Remove(subject, queue []byte, s S) bool {
	if !ValidSubject(subject) {
		return false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.root.remove(subject, queue, s) {
		return false
	}
	x.gen.Add(1)
	x.count.Add(-1)
	x.removes.Add(1)
	x.cache.invalidate(subject)
	return true
}

// Count returns the number of subscriptions in the index.
func (x *Index[S]) Count() int { return int(x.count.Load()) }

// Stats returns the index's counters. CacheEntries, MaxFanout and
// AvgFanout scan the cache: call it for monitoring, not per message.
func (x *Index[S]) Stats() Stats {
	m, h := x.counters.sum()
	st := Stats{
		Subscriptions: x.Count(),
		Inserts:       x.inserts.Load(),
		Removes:       x.removes.Load(),
		Matches:       m,
		CacheHits:     h,
		CacheSize:     len(x.cache.slots),
	}
	total := 0
	x.cache.each(func(r *Result[S]) {
		n := len(r.Plain) + len(r.Queues)
		st.CacheEntries++
		total += n
		st.MaxFanout = max(st.MaxFanout, n)
	})
	if st.CacheEntries > 0 {
		st.AvgFanout = float64(total) / float64(st.CacheEntries)
	}
	return st
}

// All calls fn for every subscription in the index, with its subject and
// queue (nil for none). Both slices are valid only during the call. All
// holds the read lock while it runs: fn must not call Insert or Remove on
// x (Match and HasInterest are fine).
func (x *Index[S]) All(fn func(subject, queue []byte, s S)) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var buf [256]byte
	x.root.each(buf[:0], fn)
}

func (l *level[S]) each(prefix []byte, fn func(subject, queue []byte, s S)) {
	if l == nil {
		return
	}
	visit := func(tok string, n *node[S]) {
		subj := prefix
		if len(subj) > 0 {
			subj = append(subj, sep)
		}
		subj = append(subj, tok...)
		for _, s := range n.plain.list {
			fn(subj, nil, s)
		}
		for _, g := range n.groups {
			for _, s := range g.members.list {
				fn(subj, g.name, s)
			}
		}
		n.next.each(subj, fn)
	}
	for tok, n := range l.lits {
		visit(tok, n)
	}
	if l.pwc != nil {
		visit("*", l.pwc)
	}
	if l.fwc != nil {
		visit(">", l.fwc)
	}
}
