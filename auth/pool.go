package auth

import (
	"errors"
	"net"
	"sync"
)

// pool runs bcrypt comparisons on a fixed number of goroutines, started
// on first use, in the order its queue gives (see queue). Checks with the
// same key (user, configured hash, password) that overlap in time share
// one run ("flight").
//
// Memory is bounded: at most lim.queue flights wait for a worker (a
// newcomer beyond that evicts the oldest check of the busiest host, whose
// waiters get ErrBusy) and at most lim.waiters connections wait in total
// (beyond that submit fails fast with ErrBusy).
type pool struct {
	a   *Auth
	lim limits
	wg  sync.WaitGroup

	start sync.Once

	mu       sync.Mutex
	work     sync.Cond            // signalled (with mu) when q gains a flight or closed is set
	closed   bool                 // guarded by mu
	q        *queue               // guarded by mu
	inflight map[[32]byte]*flight // guarded by mu: queued or running
	waiting  int                  // guarded by mu: waiters over all flights
}

// flight is one bcrypt run and the connections waiting for it. All
// fields but j and host are guarded by pool.mu until the flight leaves
// inflight.
type flight struct {
	j       *job
	host    string // queue class: the first waiter's remote host; immutable
	queued  bool   // in the queue (not yet taken by a worker)
	waiters []waiter
}

type waiter struct {
	done func(*Identity, error)
}

func newPool(a *Auth, l limits) *pool {
	if l.workers < 1 {
		l.workers = 1
	}
	if l.queue < 1 {
		l.queue = 1
	}
	p := &pool{a: a, lim: l, q: newQueue(), inflight: map[[32]byte]*flight{}}
	p.work.L = &p.mu
	return p
}

// submit queues j (or joins the flight already queued or running for its
// key). done will be called exactly once from a goroutine other than the
// caller's, unless submit returns an error, in which case it is never
// called.
func (p *pool) submit(j *job, done func(*Identity, error), remote string) error {
	p.start.Do(p.startWorkers)
	w := waiter{done: done}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	if p.waiting >= p.lim.waiters {
		return ErrBusy
	}
	if f := p.inflight[j.key]; f != nil {
		p.join(f, w)
		clear(j.pass)
		return nil
	}
	if j.cacheable && p.a.cache.has(j.key) {
		// The flight this check would have joined ended between the
		// caller's cache lookup and now (a worker caches a success before
		// it unlists the flight, under mu).
		return errCached
	}
	f := &flight{j: j, host: hostOf(remote), queued: true, waiters: []waiter{w}}
	p.q.push(f)
	if p.q.n > p.lim.queue {
		g := p.q.evict()
		if g == f {
			return ErrBusy
		}
		p.drop(g)
	}
	p.inflight[j.key] = f
	p.waiting++
	p.work.Signal()
	return nil
}

// errCached tells Start that the check's result is in the cache after
// all (never returned by Start).
var errCached = errors.New("auth: cached meanwhile")

// join adds w to f; a queued f becomes its host's newest flight, as if
// w had submitted it.
func (p *pool) join(f *flight, w waiter) {
	f.waiters = append(f.waiters, w)
	p.waiting++
	if f.queued && p.q.remove(f) {
		p.q.push(f)
	}
}

// drop answers an evicted flight's waiters with ErrBusy, from a new
// goroutine (never the submitter's) that close waits for. Called with mu
// held, before closed is set.
func (p *pool) drop(f *flight) {
	ws := p.unlist([]*flight{f})
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.answer(ws, nil, ErrBusy)
	}()
}

func (p *pool) startWorkers() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	for range p.lim.workers {
		p.wg.Add(1)
		go p.worker()
	}
}

// worker runs flights until the pool is closed.
func (p *pool) worker() {
	defer p.wg.Done()
	for {
		f := p.next()
		if f == nil {
			return
		}
		id, err := p.a.runJob(f.j)
		p.finish(f, id, err)
	}
}

// next waits for a flight to run; nil once closed.
func (p *pool) next() *flight {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.q.n == 0 && !p.closed {
		p.work.Wait()
	}
	if p.closed {
		return nil
	}
	f := p.q.pop()
	f.queued = false
	return f
}

// finish removes f from inflight and tells its waiters, outside the lock.
func (p *pool) finish(f *flight, id *Identity, err error) {
	p.mu.Lock()
	ws := p.unlist([]*flight{f})
	p.mu.Unlock()
	p.answer(ws, id, err)
}

// unlist removes flights from inflight and returns their waiters.
// Called with mu held.
func (p *pool) unlist(fs []*flight) []waiter {
	var ws []waiter
	for _, f := range fs {
		clear(f.j.pass)
		f.queued = false
		delete(p.inflight, f.j.key)
		ws = append(ws, f.waiters...)
		f.waiters = nil
	}
	p.waiting -= len(ws)
	return ws
}

// answer calls each waiter's done.
func (p *pool) answer(ws []waiter, id *Identity, err error) {
	for _, w := range ws {
		w.done(id, err)
	}
}

// close stops accepting work, completes queued flights with ErrClosed,
// waits for the running ones, and returns once every done was called.
// Idempotent.
func (p *pool) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	queued := p.q.drain()
	ws := p.unlist(queued)
	p.work.Broadcast()
	p.mu.Unlock()
	p.answer(ws, nil, ErrClosed)
	p.wg.Wait()
}

// pending is the number of connections waiting for a check.
func (p *pool) pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.waiting
}

// hostOf is the host part of a remote address (the queue's class).
func hostOf(remote string) string {
	if h, _, err := net.SplitHostPort(remote); err == nil {
		return h
	}
	return remote
}
