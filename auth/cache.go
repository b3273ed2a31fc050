package auth

import (
	"container/list"
	"sync"
)

// okCache remembers successful bcrypt checks by key (see Auth.cacheKey)
// so that a reconnect storm costs one bcrypt per distinct credential. It
// is a plain LRU of at most max keys. Only successes are added, so a
// flood of wrong passwords can neither fill it nor evict good entries;
// failures always pay a full bcrypt. Safe for concurrent use.
type okCache struct {
	max int

	mu  sync.Mutex
	m   map[[32]byte]*list.Element // guarded by mu
	lru list.List                  // guarded by mu; front = most recent
}

func newOKCache(max int) *okCache {
	if max < 1 {
		max = 1
	}
	c := &okCache{max: max, m: make(map[[32]byte]*list.Element)}
	c.lru.Init()
	return c
}

// has reports whether key is cached, and marks it recently used.
func (c *okCache) has(key [32]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[key]
	if e == nil {
		return false
	}
	c.lru.MoveToFront(e)
	return true
}

// add records a successful check, evicting the least recently used key
// when full.
func (c *okCache) add(key [32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[key]; e != nil {
		c.lru.MoveToFront(e)
		return
	}
	if c.lru.Len() >= c.max {
		old := c.lru.Back()
		c.lru.Remove(old)
		delete(c.m, old.Value.([32]byte))
	}
	c.m[key] = c.lru.PushFront(key)
}

// len returns the number of cached keys.
func (c *okCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
