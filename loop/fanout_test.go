package loop

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"
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

	var rxs []*bufio.Reader
	for i := 0; i < receivers; i++ {
		nc := dial(t, s)
		if _, err := nc.Write([]byte("R\n")); err != nil {
			t.Fatal(err)
		}
		n := i + 1
		waitFor(t, "receiver registered", 5*time.Second, func() bool { return len(reg.list()) == n })
		rxs = append(rxs, bufio.NewReaderSize(nc, 64<<10))
	}
	shards := map[int]bool{}
	for _, c := range reg.list() {
		shards[c.Shard().Index()] = true
	}
	if len(shards) < 2 {
		t.Fatalf("receivers on %d shard(s), want 2", len(shards))
	}

	errs := make(chan error, senders+receivers)
	var wg sync.WaitGroup
	for i := 0; i < receivers; i++ {
		wg.Add(1)
		go func(r *bufio.Reader) {
			defer wg.Done()
			next := make([]int, senders)
			for got := 0; got < senders*frames; got++ {
				line, err := r.ReadSlice('\n')
				if err != nil {
					errs <- fmt.Errorf("receiver: after %d frames: %v", got, err)
					return
				}
				sp := bytes.IndexByte(line, ' ')
				id, _ := strconv.Atoi(string(line[1:sp]))
				seq, _ := strconv.Atoi(string(line[sp+1 : len(line)-1]))
				if id < 0 || id >= senders || seq != next[id] {
					errs <- fmt.Errorf("receiver: got %q, want sender %d seq %d", line, id, next[id])
					return
				}
				next[id]++
			}
		}(rxs[i])
	}
	for i := 0; i < senders; i++ {
		nc := dial(t, s)
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			var buf []byte
			for seq := 0; seq < frames; seq++ {
				buf = fmt.Appendf(buf, "S%d %d\n", id, seq)
				if len(buf) > 32<<10 || seq == frames-1 {
					if _, err := nc.Write(buf); err != nil {
						errs <- err
						return
					}
					buf = buf[:0]
				}
			}
		}(i)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case err := <-errs:
		t.Fatal(err)
	case <-time.After(120 * time.Second):
		t.Fatal("timeout")
	}
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	t.Logf("%d senders x %d receivers x %d frames delivered in order", senders, receivers, frames)
}
