package difftest

import (
	"bytes"
	"errors"
	"net"
	"os"
	"sync"
	"time"
)

// Segment is the bytes one client sends in one write.
type Segment struct {
	Client int
	Data   []byte
}

// Stream is one test case: a config name and what the clients send, in
// order.
type Stream struct {
	Config   string
	Segments []Segment
}

// clients is the number of clients the stream uses.
func (s Stream) clients() int {
	n := 0
	for _, sg := range s.Segments {
		n = max(n, sg.Client+1)
	}
	return n
}

// Phase is what one client received during one sync: after segment Seg
// (-1 for the final phase).
type Phase struct {
	Client, Seg int
	Items       []string
}

// Result is every phase of one run, in the order the syncs happened.
type Result []Phase

// Sync timing. A PONG answers the sync PING; quietAfterPong catches what
// is flushed right after it. quietNoPong ends a sync whose PING was taken
// as payload or never answered.
const (
	quietAfterPong = 10 * time.Millisecond
	quietNoPong    = 150 * time.Millisecond
	syncDeadline   = 2 * time.Second
	syncPing       = "PING\r\n"
)

// client is one raw connection of a run.
type client struct {
	nc      net.Conn
	pending []byte // received bytes not yet a whole item
	closed  bool
}

// run sends st to the server at addr and returns what each client got.
func run(st Stream, addr string) Result {
	cs := make([]*client, st.clients())
	defer func() {
		for _, c := range cs {
			if c != nil && c.nc != nil {
				c.nc.Close()
			}
		}
	}()
	var res Result
	for i, sg := range st.Segments {
		c := cs[sg.Client]
		var items []string
		if c == nil {
			c, items = dial(addr)
			cs[sg.Client] = c
		}
		if !c.closed {
			items = append(items, c.sync(sg.Data)...)
		}
		res = append(res, Phase{Client: sg.Client, Seg: i, Items: items})
	}
	for i, c := range cs {
		var items []string
		if c != nil && !c.closed {
			items = c.sync(nil)
		}
		res = append(res, Phase{Client: i, Seg: -1, Items: items})
	}
	return res
}

// dial connects and reads the INFO the server greets with.
func dial(addr string) (*client, []string) {
	nc, err := net.DialTimeout("tcp", addr, syncDeadline)
	if err != nil {
		return &client{closed: true}, []string{"<dial failed>"}
	}
	c := &client{nc: nc}
	return c, c.read(func(items []string) bool { return len(items) > 0 }, quietNoPong)
}

// sync writes data and the sync PING in one write and reads what comes
// back.
func (c *client) sync(data []byte) []string {
	msg := append(append([]byte(nil), data...), syncPing...)
	_ = c.nc.SetWriteDeadline(time.Now().Add(syncDeadline))
	if _, err := c.nc.Write(msg); err != nil {
		// The server may have closed; what it sent before is still to read.
		items := c.read(func([]string) bool { return false }, quietNoPong)
		if !c.closed {
			c.closed = true
			items = append(items, "<write failed>")
		}
		return items
	}
	return c.read(func(items []string) bool {
		return len(items) > 0 && items[len(items)-1] == "PONG"
	}, quietNoPong)
}

// read collects items until the server closes, done holds and
// quietAfterPong passes without more bytes, quiet passes without any, or
// syncDeadline passes.
func (c *client) read(done func([]string) bool, quiet time.Duration) []string {
	var items []string
	end := time.Now().Add(syncDeadline)
	buf := make([]byte, 64<<10)
	for {
		wait := quiet
		if done(items) {
			wait = quietAfterPong
		}
		dl := time.Now().Add(wait)
		if dl.After(end) {
			dl = end
		}
		_ = c.nc.SetReadDeadline(dl)
		n, err := c.nc.Read(buf)
		c.pending = append(c.pending, buf[:n]...)
		var got []string
		got, c.pending = parseItems(c.pending)
		items = append(items, got...)
		if err == nil {
			continue
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			if time.Now().After(end) && !done(items) {
				items = append(items, "<deadline>")
			}
			return items
		}
		if len(c.pending) > 0 {
			items = append(items, "<partial "+quote(c.pending)+">")
			c.pending = nil
		}
		c.closed = true
		return append(items, "<closed>")
	}
}

// runPair runs st on both servers of pr at once.
func runPair(st Stream, pr pair) (got, ref Result) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); got = run(st, pr.got.Addr()) }()
	go func() { defer wg.Done(); ref = run(st, pr.ref.Addr()) }()
	wg.Wait()
	pr.got.WaitIdle(syncDeadline)
	pr.ref.WaitIdle(syncDeadline)
	q := queueSIDs(st)
	return queueNames(filter(got, pr.ignore), q), queueNames(filter(ref, pr.ignore), q)
}

// equalResults reports whether two runs match item for item.
func equalResults(a, b Result) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Client != b[i].Client || a[i].Seg != b[i].Seg || len(a[i].Items) != len(b[i].Items) {
			return false
		}
		for j := range a[i].Items {
			if a[i].Items[j] != b[i].Items[j] {
				return false
			}
		}
	}
	return true
}

// clone copies a stream so that the minimizer can change it.
func (s Stream) clone() Stream {
	out := Stream{Config: s.Config, Segments: make([]Segment, len(s.Segments))}
	for i, sg := range s.Segments {
		out.Segments[i] = Segment{Client: sg.Client, Data: bytes.Clone(sg.Data)}
	}
	return out
}
