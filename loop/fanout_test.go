package loop

import (
	"net"
	"testing"
)

// fanout delivers every line a sender sends ("S<id> <seq>\n") to every
// registered receiver (a conn that sent "R\n"), on every loop, through
// Shard.Begin/Commit.
func fanoutHandler(reg *registry) *funcHandler {
	return &funcHandler{data: func(c *Conn, b []byte) int {
		sh := c.Shard()
		return lines(b, func(line []byte) {
			switch line[0] {
			case 'R':
				reg.add(c)
			case 'S':
				for _, r := range reg.list() {
					out := sh.Begin(r)
					*out = append(*out, line...)
					sh.Commit(r)
				}
			}
		})
	}}
}

func TestFanoutOrderAcrossLoops(t *testing.T) {
	const senders, receivers = 4, 4
	frames := 20000
	if testing.Short() {
		frames = 2000
	}
	reg := &registry{}
	s := startServer(t, Config{Loops: 2}, fanoutHandler(reg))

	rxs := fanoutReceivers(t, reg, receivers, func(int) net.Conn { return dial(t, s) })
	shards := map[int]bool{}
	for _, c := range reg.list() {
		shards[c.Shard().Index()] = true
	}
	if len(shards) < 2 {
		t.Fatalf("receivers on %d shard(s), want 2", len(shards))
	}

	runFanout(t, rxs, senders, frames, 32<<10, func(int) net.Conn { return dial(t, s) })
	t.Logf("%d senders x %d receivers x %d frames delivered in order", senders, receivers, frames)
}
