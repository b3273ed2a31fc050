package auth

import "sync"

// pool runs bcrypt comparisons on a fixed number of goroutines, started
// on first use. Checks with the same key (user, configured hash,
// password) that overlap in time share one run ("flight"). The number of
// distinct queued checks and of waiting connections are both bounded:
// beyond them submit fails fast with ErrBusy.
type pool struct {
	a    *Auth
	lim  limits
	jobs chan *flight // capacity lim.queue
	wg   sync.WaitGroup

	start sync.Once

	mu       sync.Mutex
	closed   bool                 // guarded by mu
	inflight map[[32]byte]*flight // guarded by mu: queued or running
	waiting  int                  // guarded by mu: waiters over all flights
}

// flight is one bcrypt run and the connections waiting for it.
type flight struct {
	j       *job
	waiters []waiter // guarded by pool.mu until the flight leaves inflight
}

type waiter struct {
	done   func(*Identity, error)
	remote string
}

func newPool(a *Auth, l limits) *pool {
	if l.workers < 1 {
		l.workers = 1
	}
	if l.queue < 1 {
		l.queue = 1
	}
	return &pool{a: a, lim: l, jobs: make(chan *flight, l.queue), inflight: map[[32]byte]*flight{}}
}

// submit queues j (or joins the flight already running for its key).
// done will be called exactly once from a worker goroutine, unless
// submit returns an error, in which case it is never called.
func (p *pool) submit(j *job, done func(*Identity, error), remote string) error {
	p.start.Do(p.startWorkers)
	w := waiter{done: done, remote: remote}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	if p.waiting >= p.lim.waiters {
		return ErrBusy
	}
	if f := p.inflight[j.key]; f != nil {
		f.waiters = append(f.waiters, w)
		p.waiting++
		clear(j.pass)
		return nil
	}
	f := &flight{j: j, waiters: []waiter{w}}
	select {
	case p.jobs <- f:
	default:
		return ErrBusy
	}
	p.inflight[j.key] = f
	p.waiting++
	return nil
}

func (p *pool) startWorkers() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	for range p.lim.workers {
		p.wg.Add(1)
		go p.work()
	}
}

// work runs flights until the job channel is closed. After Close, the
// flights still queued complete with ErrClosed without running bcrypt.
func (p *pool) work() {
	defer p.wg.Done()
	for f := range p.jobs {
		if p.isClosed() {
			clear(f.j.pass)
			p.finish(f, nil, ErrClosed)
			continue
		}
		id, err := p.a.runJob(f.j)
		p.finish(f, id, err)
	}
}

func (p *pool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// finish removes f from inflight and tells its waiters, outside the lock.
func (p *pool) finish(f *flight, id *Identity, err error) {
	p.mu.Lock()
	delete(p.inflight, f.j.key)
	ws := f.waiters
	f.waiters = nil
	p.waiting -= len(ws)
	p.mu.Unlock()
	for _, w := range ws {
		if err == ErrAuthorization {
			p.a.logFailure(w.remote, f.j.user, "")
		}
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
	close(p.jobs) // no sender after closed=true: submit sends under mu
	p.mu.Unlock()
	p.wg.Wait() // workers drain the channel; none started means it is empty
}
