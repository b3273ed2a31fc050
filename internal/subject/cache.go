package subject

import (
	"bytes"
	"hash/maphash"
	"math/rand/v2"
	"sync/atomic"
	"unsafe"
)

// The match cache: a fixed table of slots, grouped in sets of `ways`
// consecutive slots chosen by a hash of the literal subject, plus an
// admission filter.
//
//   - A hit is lock-free: hash, up to `ways` atomic loads of slot tags (one
//     cache line), one pointer load and string compare on a tag match. No
//     shared memory is written except a striped counter.
//   - Entries are stored only by Match on a miss while it holds the read
//     lock, so a writer (write lock) never races with a store: after it has
//     cleared the entries a change affects, no stale result can come back.
//   - Admission: a subject is stored on its second miss within a short
//     while, not its first. The filter (`door`) remembers the hash tags of
//     recent misses, one per slot of a table as large as the cache; a miss
//     whose tag is there is admitted, any other miss only leaves its tag
//     (overwriting whatever was in that slot). A publisher churning through
//     more subjects than the cache holds thus stores (and allocates)
//     nothing and evicts nothing: each subject's tag is overwritten long
//     before it comes back. A subject matched again soon is admitted.
//   - A full set evicts a random way: the cache stays bounded by its slots.
//   - Insert/Remove clear only the entries the changed pattern matches: a
//     literal pattern touches one set; a wildcard pattern scans the table.

// DefaultCacheSize is the number of cached match results of NewIndex.
const DefaultCacheSize = 4096

const ways = 4 // slots per set

// slot is one way of a set. tag is the hash of the entry's subject, stored
// after e: a prefilter for get only (it may lag e or name an entry since
// cleared); e is the truth. 16 bytes: a set of 4 is one 64-byte line.
type slot[S comparable] struct {
	tag atomic.Uint64
	e   atomic.Pointer[entry[S]]
}

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
	seed  maphash.Seed    // immutable after New
	slots []slot[S]       // len is 0 or a power of two >= ways; immutable after New
	mask  uint64          // len(slots)-1 with the low way bits cleared
	door  []atomic.Uint32 // admission filter: tags of recent misses; len(slots)
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
	c.slots = make([]slot[S], n)
	c.mask = uint64(n-1) &^ (ways - 1)
	c.door = make([]atomic.Uint32, n)
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
		if set[i].tag.Load() != h {
			continue
		}
		if e := set[i].e.Load(); e != nil && e.hash == h && string(e.subject) == string(literal) {
			return e.result
		}
	}
	return nil
}

// admit reports whether a missed subject of hash h should be stored: true
// when its tag is in the filter (a second miss), else it leaves its tag
// there and reports false. Lock-free; racing misses may lose a tag, which
// costs one more miss.
func (c *cache[S]) admit(h uint64) bool {
	if c.door == nil {
		return false
	}
	d := &c.door[(h>>32)&uint64(len(c.door)-1)] // other bits than the set's
	tag := uint32(h) | 1                        // 0 is "empty"
	if d.Load() == tag {
		return true
	}
	d.Store(tag)
	return false
}

// put stores r for literal and returns the result to use: an entry another
// reader stored meanwhile wins so that the set holds the subject once.
// Caller holds the read lock.
func (c *cache[S]) put(h uint64, literal []byte, r *Result[S]) *Result[S] {
	if c.slots == nil {
		return r
	}
	set := c.slots[h&c.mask:][:ways]
	if old := c.find(set, h, literal); old != nil {
		return old
	}
	e := &entry[S]{hash: h, shape: c.shapeOf(literal), subject: bytes.Clone(literal), result: r}
	for i := range set {
		if set[i].e.CompareAndSwap(nil, e) {
			set[i].tag.Store(h)
			return r
		}
	}
	if old := c.find(set, h, literal); old != nil {
		return old // stored by another reader meanwhile
	}
	v := &set[rand.Uint32()%ways]
	v.e.Store(e)
	v.tag.Store(h)
	return r
}

// find returns the result stored for literal in set by its entries (not
// the tags), or nil; it mends the slot's tag, which a racing store may
// have left naming another subject.
func (c *cache[S]) find(set []slot[S], h uint64, literal []byte) *Result[S] {
	for i := range set {
		if e := set[i].e.Load(); e != nil && e.hash == h && string(e.subject) == string(literal) {
			if set[i].tag.Load() != h {
				set[i].tag.Store(h)
			}
			return e.result
		}
	}
	return nil
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
			if e := set[i].e.Load(); e != nil && e.hash == h && string(e.subject) == string(pattern) {
				set[i].e.Store(nil)
			}
		}
		return
	}
	f := c.filterOf(pattern)
	for i := range c.slots {
		if e := c.slots[i].e.Load(); e != nil && f.mayMatch(e.shape) && Matches(e.subject, pattern) {
			c.slots[i].e.Store(nil)
		}
	}
}

// each calls fn for every cached result.
func (c *cache[S]) each(fn func(*Result[S])) {
	for i := range c.slots {
		if e := c.slots[i].e.Load(); e != nil {
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
