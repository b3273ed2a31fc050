//go:build invariants || race

package loop

import (
	"fmt"
	"sync/atomic"
)

// invariants is true in builds with the race detector or the invariants
// tag (go test -tags invariants): the loop-only contracts of the API are
// checked and a violation panics. In other builds the checks compile to
// nothing (invariants_off.go).
const invariants = true

// loopOwner records the goroutine that runs a shard's event loop.
type loopOwner struct {
	g atomic.Uintptr // set once by newShard, on the loop; read anywhere
}

// claim records the calling goroutine (the shard's loop) as the owner.
func (o *loopOwner) claim() { o.g.Store(curg()) }

// onLoop panics unless the calling goroutine is s's loop. gnet runs every
// callback and task of a loop on the one goroutine that claimed it.
func (s *Shard) onLoop() {
	if s.owner.g.Load() != curg() {
		panic(fmt.Sprintf("loop: invariant: shard %d entered off its event loop goroutine", s.idx))
	}
}

// mustRun panics unless the caller runs on s's loop inside a callback or
// task (where output is flushed and closes happen when it ends). what
// names the API entry, c the conn concerned (nil for none).
func (s *Shard) mustRun(what string, c *Conn) {
	if s.owner.g.Load() != curg() {
		panic(fmt.Sprintf("loop: %s%s called off its event loop (shard %d): it is loop-only", what, connNote(c), s.idx))
	}
	if s.depth == 0 {
		panic(fmt.Sprintf("loop: %s%s called on its event loop (shard %d) outside a callback or task", what, connNote(c), s.idx))
	}
}

func connNote(c *Conn) string {
	if c == nil {
		return ""
	}
	return fmt.Sprintf(" for conn %d", c.id)
}
