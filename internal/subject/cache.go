package subject

import (
	"bytes"
	"hash/maphash"
	"math/rand/v2"
	"sync/atomic"
	"unsafe"
)

// The match cache: a fixed table of atomic slots, grouped in sets of
// `ways` consecutive slots chosen by a hash of the literal subject.
//
//   - A hit is lock-free: hash, up to `ways` atomic loads, one string
//     compare. No shared memory is written except a striped counter.
//   - Entries are stored only by Match on a miss while it holds the read
//     lock, so a writer (write lock) never races with a store: after it has
//     cleared the entries a change affects, no stale result can come back.
//   - A full set evicts a random way: the cache stays bounded by its slots.
//   - Insert/Remove clear only the entries the changed pattern matches: a
//     literal pattern touches one set; a wildcard pattern scans the table.

// DefaultCacheSize is the number of cached match results of NewIndex.
const DefaultCacheSize = 4096

const ways = 4 // slots per set

type entry[S comparable] struct {
	hash    uint64
	shape   shape  // of subject, for the invalidation prefilter
	subject []byte // private copy of the literal
	result  *Result[S]
}

// shape summarises a subject so that invalidation can skip most entries a
// wildcard pattern cannot match without running Matches on them (which
// costs a second pointer chase per entry).
type shape struct {
	ntok        int32  // number of tokens
	first, last uint32 // hashes of the first and last tokens
}

func (c *cache[S]) shapeOf(s []byte) shape {
	fe := tokenEnd(s, 0)
	ls := len(s)
	for ls > 0 && s[ls-1] != sep {
		ls--
	}
	return shape{
		ntok:  int32(bytes.Count(s, []byte{sep}) + 1),
		first: uint32(maphash.Bytes(c.seed, s[:fe])),
		last:  uint32(maphash.Bytes(c.seed, s[ls:])),
	}
}

// filter is the prefilter for one wildcard pattern: mayMatch is false only
// for subjects the pattern cannot match.
type filter struct {
	shape
	fwc, firstLit, lastLit bool
}

func (c *cache[S]) filterOf(pattern []byte) filter {
	f := filter{shape: c.shapeOf(pattern)}
	first := pattern[:tokenEnd(pattern, 0)]
	lastTok := pattern[bytes.LastIndexByte(pattern, sep)+1:]
	f.fwc = string(lastTok) == ">"
	f.firstLit = string(first) != "*" && string(first) != ">"
	f.lastLit = string(lastTok) != "*" && !f.fwc
	return f
}

func (f *filter) mayMatch(s shape) bool {
	if f.fwc {
		if s.ntok < f.ntok {
			return false
		}
	} else if s.ntok != f.ntok || (f.lastLit && s.last != f.last) {
		return false
	}
	return !f.firstLit || s.first == f.first
}

type cache[S comparable] struct {
	seed  maphash.Seed               // immutable after New
	slots []atomic.Pointer[entry[S]] // len is 0 or a power of two >= ways; immutable after New
	mask  uint64                     // len(slots)-1 with the low way bits cleared
}

func newCache[S comparable](size int) cache[S] {
	c := cache[S]{seed: maphash.MakeSeed()}
	if size <= 0 {
		return c
	}
	n := ways
	for n < size {
		n <<= 1
	}
	c.slots = make([]atomic.Pointer[entry[S]], n)
	c.mask = uint64(n-1) &^ (ways - 1)
	return c
}

func (c *cache[S]) hash(b []byte) uint64 { return maphash.Bytes(c.seed, b) }

// get returns the cached result for literal, or nil. Lock-free.
func (c *cache[S]) get(h uint64, literal []byte) *Result[S] {
	if c.slots == nil {
		return nil
	}
	set := c.slots[h&c.mask:][:ways]
	for i := range set {
		if e := set[i].Load(); e != nil && e.hash == h && string(e.subject) == string(literal) {
			return e.result
		}
	}
	return nil
}

// put stores r for literal and returns the result to use: an entry another
// reader stored meanwhile wins so that the set holds the subject once.
// Caller holds the read lock.
func (c *cache[S]) put(h uint64, literal []byte, r *Result[S]) *Result[S] {
	if c.slots == nil {
		return r
	}
	set := c.slots[h&c.mask:][:ways]
	e := &entry[S]{hash: h, shape: c.shapeOf(literal), subject: bytes.Clone(literal), result: r}
	for i := range set {
		old := set[i].Load()
		if old == nil {
			if set[i].CompareAndSwap(nil, e) {
				return r
			}
			old = set[i].Load()
		}
		if old != nil && old.hash == h && string(old.subject) == string(literal) {
			return old.result
		}
	}
	set[rand.Uint32()%ways].Store(e)
	return r
}

// invalidate clears every entry whose subject pattern matches. Caller holds
// the write lock.
func (c *cache[S]) invalidate(pattern []byte) {
	if c.slots == nil {
		return
	}
	if IsLiteral(pattern) {
		// Only the entry for this very subject can change.
		h := c.hash(pattern)
		set := c.slots[h&c.mask:][:ways]
		for i := range set {
			if e := set[i].Load(); e != nil && e.hash == h && string(e.subject) == string(pattern) {
				set[i].Store(nil)
			}
		}
		return
	}
	f := c.filterOf(pattern)
	for i := range c.slots {
		if e := c.slots[i].Load(); e != nil && f.mayMatch(e.shape) && Matches(e.subject, pattern) {
			c.slots[i].Store(nil)
		}
	}
}

// each calls fn for every cached result.
func (c *cache[S]) each(fn func(*Result[S])) {
	for i := range c.slots {
		if e := c.slots[i].Load(); e != nil {
			fn(e.result)
		}
	}
}

// Counters. Matches and hits are counted on every Match from every event
// loop: one shared atomic would bounce its cache line between cores on
// each call. They are striped instead, the stripe picked from the calling
// goroutine's stack address (distinct goroutines have distinct stacks, so
// each event loop mostly keeps to its own line); Stats sums the stripes.

const (
	stripeBits = 5
	stripes    = 1 << stripeBits
)

type stripe struct {
	matches atomic.Uint64
	hits    atomic.Uint64
	_       [112]byte // 128 bytes apart: never on one cache line, whatever the alignment
}

type counters struct {
	s [stripes]stripe
}

func stripeIndex() int {
	var x byte
	p := uint64(uintptr(unsafe.Pointer(&x))) >> 10
	return int((p * 0x9E3779B97F4A7C15) >> (64 - stripeBits))
}

func (c *counters) count(hit bool) {
	st := &c.s[stripeIndex()]
	st.matches.Add(1)
	if hit {
		st.hits.Add(1)
	}
}

func (c *counters) sum() (matches, hits uint64) {
	for i := range c.s {
		matches += c.s[i].matches.Load()
		hits += c.s[i].hits.Load()
	}
	return matches, hits
}
