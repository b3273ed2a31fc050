package auth

// queue orders the flights waiting for a bcrypt worker. It is a plain
// data structure: the pool guards it with its mutex.
//
// Flights are grouped by the remote host of their first waiter, and the
// hosts are served in turn (round robin): a host flooding the pool with
// wrong passwords delays another host's check by one turn, not by its
// whole backlog. Within a host the newest flight runs first: under a
// burst its client is the most likely to be still waiting (clients give
// up after a connect timeout, nats.go's is 2 s), and a valid user who
// connects during a burst waits for a worker, not for the burst. The
// oldest flights run when the pool catches up, or are evicted when the
// queue is full.
type queue struct {
	hosts map[string]*hostQueue // hosts with queued flights
	ring  []*hostQueue          // the same hosts, in serving order
	next  int                   // index in ring of the host served next
	n     int                   // queued flights over all hosts
}

// hostQueue is one host's queued flights, oldest first.
type hostQueue struct {
	host string
	fl   []*flight
}

func newQueue() *queue { return &queue{hosts: map[string]*hostQueue{}} }

// push queues f as the newest flight of f.host.
func (q *queue) push(f *flight) {
	h := q.hosts[f.host]
	if h == nil {
		h = &hostQueue{host: f.host}
		q.hosts[f.host] = h
		q.ring = append(q.ring, h)
	}
	h.fl = append(h.fl, f)
	q.n++
}

// pop returns the next flight to run: the newest of the host whose turn
// it is; nil when none is queued.
func (q *queue) pop() *flight {
	if len(q.ring) == 0 {
		return nil
	}
	if q.next >= len(q.ring) {
		q.next = 0
	}
	i := q.next
	h := q.ring[i]
	f := h.fl[len(h.fl)-1]
	q.take(i, len(h.fl)-1)
	if len(h.fl) > 0 { // h is still in the ring: the next host's turn
		q.next++
	}
	return f
}

// evict removes and returns the oldest flight of the host with the most
// queued flights (the first such host in the ring): the check least
// likely to be awaited still, from the host most responsible for the
// backlog. nil when none is queued.
func (q *queue) evict() *flight {
	best := -1
	for i, h := range q.ring {
		if best < 0 || len(h.fl) > len(q.ring[best].fl) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	f := q.ring[best].fl[0]
	q.take(best, 0)
	return f
}

// remove takes f out of the queue; it reports whether f was queued.
func (q *queue) remove(f *flight) bool {
	h := q.hosts[f.host]
	if h == nil {
		return false
	}
	for j, g := range h.fl {
		if g == f {
			q.take(q.ringIndex(h), j)
			return true
		}
	}
	return false
}

// drain removes and returns every queued flight.
func (q *queue) drain() []*flight {
	var all []*flight
	for _, h := range q.ring {
		all = append(all, h.fl...)
	}
	*q = *newQueue()
	return all
}

// take deletes flight j of the host at ring index i, and the host from
// the ring when it has no flight left; the turn stays with the host that
// was due (the one after a removed host slides into its index).
func (q *queue) take(i, j int) {
	h := q.ring[i]
	copy(h.fl[j:], h.fl[j+1:])
	h.fl[len(h.fl)-1] = nil
	h.fl = h.fl[:len(h.fl)-1]
	q.n--
	if len(h.fl) > 0 {
		return
	}
	delete(q.hosts, h.host)
	copy(q.ring[i:], q.ring[i+1:])
	q.ring[len(q.ring)-1] = nil
	q.ring = q.ring[:len(q.ring)-1]
	if q.next > i {
		q.next--
	}
}

func (q *queue) ringIndex(h *hostQueue) int {
	for i, g := range q.ring {
		if g == h {
			return i
		}
	}
	return -1
}
