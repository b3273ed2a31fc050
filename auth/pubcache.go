package auth

import (
	"hash/maphash"
	"sync/atomic"
)

// pubCacheSlots is the number of entries of a publish cache (a power of
// two). One Perms is shared by all connections of a user, so the cache
// serves them all.
const pubCacheSlots = 512

// pubCache caches CanPublish results by subject: a direct-mapped table
// of immutable entries swapped atomically. A lookup takes no lock and
// does not allocate; a collision simply replaces the older entry. Safe
// for concurrent use.
type pubCache struct {
	seed  maphash.Seed // immutable
	slots [pubCacheSlots]atomic.Pointer[pubEntry]
}

type pubEntry struct {
	subject string
	allowed bool
}

func newPubCache() *pubCache { return &pubCache{seed: maphash.MakeSeed()} }

func (c *pubCache) hash(b []byte) uint64 { return maphash.Bytes(c.seed, b) }

func (c *pubCache) get(h uint64, subj []byte) (allowed, ok bool) {
	e := c.slots[h&(pubCacheSlots-1)].Load()
	if e == nil || e.subject != string(subj) {
		return false, false
	}
	return e.allowed, true
}

func (c *pubCache) put(h uint64, subj []byte, allowed bool) {
	c.slots[h&(pubCacheSlots-1)].Store(&pubEntry{subject: string(subj), allowed: allowed})
}
