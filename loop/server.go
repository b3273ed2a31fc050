package loop

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// Handler receives the events of every connection. All methods run on the
// connection's event loop, never concurrently for connections of the same
// loop, and never for a connection after its OnClose.
type Handler interface {
	// OnOpen: a connection was accepted or enrolled. It may stage output
	// (c.Out()), which is flushed when OnOpen returns.
	OnOpen(c *Conn)
	// OnData offers the bytes buffered for c (plaintext), at most 256 KiB
	// at a time (more when c.Need asked for more), and returns how many it
	// consumed. When it consumed all it was offered and more is buffered,
	// the rest is offered right after this callback's flush. Unconsumed
	// bytes stay buffered and are offered again, followed by newer bytes,
	// on the next read or after c.Resume(). data is valid only until
	// OnData returns: copy what must outlive it. A handler consumes every
	// complete frame it was offered (and what it can of a partial one, or
	// calls Need), since OnData is called per readable event, not per frame.
	OnData(c *Conn, data []byte) int
	// OnClose: c is closed (exactly once per connection). err is the error
	// given to Close/CloseAsync, ErrSlowConsumer*, ErrServerStopped, or the
	// read/write error that ended the connection (nil for a plain close).
	OnClose(c *Conn, err error)
	// OnTick runs every Config.Tick for each open connection.
	OnTick(c *Conn, now time.Time)
}

// Server runs the gnet engine and owns the shards (one per event loop).
type Server struct {
	cfg Config  // immutable after New
	h   Handler // immutable after New
	ev  *events // gnet callbacks; immutable after New

	epoch    time.Time // immutable after New; base of monotonic stall stamps
	started  atomic.Bool
	stopping atomic.Bool
	nextID   atomic.Uint64

	readyOnce sync.Once
	ready     chan struct{} // closed once the loops run (first gnet OnTick)
	done      chan struct{} // closed when gnet.Run has returned
	runErr    error         // written before done is closed
	bootErr   error         // written in OnBoot, read after done/ready
	eng       gnet.Engine   // written in OnBoot, read after ready
	addr      net.Addr      // written in OnBoot, read after ready

	mu     sync.Mutex
	shards []*Shard // guarded by mu; grows lazily up to cfg.Loops
}

// New returns a server that is not started yet. Zero Config fields get
// their defaults.
func New(cfg Config, h Handler) *Server {
	s := &Server{
		cfg:   cfg.withDefaults(),
		h:     h,
		epoch: time.Now(),
		ready: make(chan struct{}),
		done:  make(chan struct{}),
	}
	s.ev = &events{s: s}
	return s
}

// Start runs the engine in a goroutine and returns once it listens and its
// loops run, or with the error that prevented it.
func (s *Server) Start() error {
	if !s.started.CompareAndSwap(false, true) {
		return ErrAlreadyStarted
	}
	lb := gnet.LeastConnections
	if s.cfg.Balance == RoundRobin {
		lb = gnet.RoundRobin
	}
	opts := []gnet.Option{
		gnet.WithMulticore(true),
		gnet.WithNumEventLoop(s.cfg.Loops),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay),
		gnet.WithReadBufferCap(s.cfg.ReadBufferCap),
		gnet.WithLoadBalancing(lb),
		gnet.WithReuseAddr(true),
		gnet.WithTicker(true),
		gnet.WithLogger(s.cfg.Logger),
	}
	if s.cfg.SocketRecvBuffer > 0 {
		opts = append(opts, gnet.WithSocketRecvBuffer(s.cfg.SocketRecvBuffer))
	}
	if s.cfg.SocketSendBuffer > 0 {
		opts = append(opts, gnet.WithSocketSendBuffer(s.cfg.SocketSendBuffer))
	}
	if s.cfg.TCPKeepAlive > 0 {
		opts = append(opts, gnet.WithTCPKeepAlive(s.cfg.TCPKeepAlive))
	}
	go func() {
		s.runErr = gnet.Run(s.ev, s.cfg.Addr, opts...)
		close(s.done)
	}()
	select {
	case <-s.ready:
		return nil
	case <-s.done:
		if s.bootErr != nil {
			return s.bootErr
		}
		if s.runErr != nil {
			return fmt.Errorf("loop: start %s: %w", s.cfg.Addr, s.runErr)
		}
		return fmt.Errorf("loop: start %s: engine exited", s.cfg.Addr)
	}
}

// Addr is the bound listen address (the real port when Config.Addr asked
// for port 0); nil before Start succeeded.
func (s *Server) Addr() net.Addr {
	select {
	case <-s.ready:
		return s.addr
	default:
		return nil
	}
}

// Stop closes every connection (each gets OnClose with ErrServerStopped
// after its staged output was flushed), stops the engine and waits for it
// to exit or for ctx to end. Any goroutine except a loop's.
func (s *Server) Stop(ctx context.Context) error {
	if !s.started.Load() {
		return ErrNotStarted
	}
	select {
	case <-s.ready:
	case <-s.done:
		return nil
	}
	if !s.stopping.Swap(true) {
		for _, sh := range s.shardList() {
			fin := make(chan struct{})
			if err := sh.Execute(func() { sh.closeAll(ErrServerStopped); close(fin) }); err != nil {
				continue
			}
			select {
			case <-fin:
			case <-ctx.Done():
				return ctx.Err()
			case <-s.done:
			}
		}
		// Engine.Stop polls every 500ms; cut the wait short when Run returns.
		stopCtx, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-s.done:
			case <-stopCtx.Done():
			}
			cancel()
		}()
		_ = s.eng.Stop(stopCtx)
		cancel()
	}
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// enrollCtx marks a gnet conn as enrolled: outbound (carrying its Value),
// or a paused socket put back on its loop (back).
type enrollCtx struct {
	value any
	back  *Conn
}

// Enroll puts an established outbound TCP connection (e.g. a route link the
// caller dialed with its own timeout) onto one of the loops. OnOpen runs on
// that loop with c.Value == value and c.Outbound() == true before Enroll
// returns. gnet duplicates the descriptor and closes nc. Any goroutine
// except a loop's (it waits for the loop).
func (s *Server) Enroll(nc net.Conn, value any) error {
	select {
	case <-s.ready:
	default:
		_ = nc.Close()
		return ErrNotStarted
	}
	if s.stopping.Load() {
		_ = nc.Close()
		return ErrServerStopped
	}
	ctx := gnet.NewContext(context.Background(), &enrollCtx{value: value})
	var (
		ch  <-chan gnet.RegisteredResult
		err error
	)
	// gnet's round-robin balancer is not safe for Register concurrent with
	// accepts: pick a known loop ourselves then.
	if sh := s.leastLoaded(); sh != nil && (s.cfg.Balance == RoundRobin || len(s.shardList()) == s.cfg.Loops) {
		ch, err = sh.el.Enroll(ctx, nc)
	} else {
		ch, err = s.eng.Register(gnet.NewNetConnContext(ctx, nc))
	}
	if err != nil {
		_ = nc.Close()
		return fmt.Errorf("loop: enroll: %w", err)
	}
	res, ok := <-ch
	if !ok {
		return errors.New("loop: enroll: no result")
	}
	if res.Err != nil {
		return fmt.Errorf("loop: enroll: %w", res.Err)
	}
	return nil
}

// shardFor returns the shard of event loop el, creating it on first use.
// Called on el's goroutine (OnOpen).
func (s *Server) shardFor(el gnet.EventLoop) *Shard {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sh := range s.shards {
		if sh.el == el {
			return sh
		}
	}
	if len(s.shards) >= s.cfg.Loops {
		panic("loop: more gnet event loops than Config.Loops")
	}
	sh := newShard(s, len(s.shards), el)
	s.shards = append(s.shards, sh)
	return sh
}

// shardList returns a snapshot of the known shards.
func (s *Server) shardList() []*Shard {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Shard(nil), s.shards...)
}

func (s *Server) leastLoaded() *Shard {
	var best *Shard
	for _, sh := range s.shardList() {
		if best == nil || sh.count.Load() < best.count.Load() {
			best = sh
		}
	}
	return best
}

// now is a monotonic timestamp in ns since New, never 0.
func (s *Server) now() int64 { return int64(time.Since(s.epoch)) + 1 }

// events adapts gnet's EventHandler to the Server.
type events struct {
	gnet.BuiltinEventEngine
	s      *Server
	ticked bool // owned by gnet's ticker goroutine
}

func (e *events) OnBoot(eng gnet.Engine) gnet.Action {
	s := e.s
	s.eng = eng
	fd, err := eng.Dup()
	if err != nil {
		s.bootErr = fmt.Errorf("loop: listener address: %w", err)
		return gnet.Shutdown
	}
	f := os.NewFile(uintptr(fd), "listener")
	ln, err := net.FileListener(f)
	_ = f.Close()
	if err != nil {
		s.bootErr = fmt.Errorf("loop: listener address: %w", err)
		return gnet.Shutdown
	}
	s.addr = ln.Addr()
	_ = ln.Close()
	return gnet.None
}

func (e *events) OnOpen(gc gnet.Conn) ([]byte, gnet.Action) {
	s := e.s
	ec, _ := gc.Context().(*enrollCtx)
	if ec != nil && ec.back != nil {
		return nil, e.reopen(gc, ec.back)
	}
	sh := s.shardFor(gc.EventLoop())
	c := &Conn{gc: gc, shard: sh, id: s.nextID.Add(1), remote: gc.RemoteAddr(), local: gc.LocalAddr(), fd: -1}
	if ec != nil {
		c.Value = ec.value
		c.outbound = true
	}
	gc.SetContext(c)
	sh.add(c)
	prev := sh.enter(c)
	s.h.OnOpen(c)
	return nil, e.action(gc, c, sh.leave(c, prev))
}

func (e *events) OnTraffic(gc gnet.Conn) gnet.Action {
	c, ok := gc.Context().(*Conn)
	if !ok {
		return gnet.Close
	}
	sh := c.shard
	prev := sh.enter(c)
	sh.read(c)
	return e.action(gc, c, sh.leave(c, prev))
}

func (e *events) OnClose(gc gnet.Conn, err error) gnet.Action {
	c, ok := gc.Context().(*Conn)
	if !ok || c.gone() || c.gc != gc {
		return gnet.None
	}
	c.shard.closeDone(c, err)
	return gnet.None
}

func (e *events) OnTick() (time.Duration, gnet.Action) {
	s := e.s
	if !e.ticked { // gnet calls OnTick first right after the loops started
		e.ticked = true
		s.readyOnce.Do(func() { close(s.ready) })
		return s.cfg.Tick, gnet.None
	}
	if !s.stopping.Load() {
		for _, sh := range s.shardList() {
			sh.scheduleTick()
		}
	}
	return s.cfg.Tick, gnet.None
}
