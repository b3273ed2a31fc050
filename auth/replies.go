package auth

import "time"

// Replies tracks the reply subjects a connection may publish to under
// allow_responses: each request it receives (a message with a reply
// subject delivered to it) grants up to maxMsgs publishes to that reply
// subject within expires. One Replies belongs to one connection and is
// owned by that connection's event loop: it is not safe for concurrent
// use.
type Replies struct {
	max    int           // immutable; <= 0: unlimited
	ttl    time.Duration // immutable; <= 0: never expires
	m      map[string]*replyGrant
	adds   int       // since the last prune
	pruned time.Time // last prune
}

type replyGrant struct {
	n int       // responses sent
	t time.Time // when the request was delivered
}

// replyPruneEvery bounds the map: every that many grants, expired ones
// are dropped (nats-server prunes at the same count).
const replyPruneEvery = 4096

// replyMax caps the grants kept when they never expire: beyond it, older
// grants are dropped in no particular order.
const replyMax = 64 * 1024

// NewReplies returns a tracker for one connection, or nil when p has no
// allow_responses.
func (p *Perms) NewReplies() *Replies {
	max, ttl, ok := p.AllowResponses()
	if !ok {
		return nil
	}
	return &Replies{max: max, ttl: ttl, m: make(map[string]*replyGrant)}
}

// Add records that a request with this reply subject was delivered to
// the connection at now. It allocates a copy of reply the first time.
func (r *Replies) Add(reply []byte, now time.Time) {
	if r == nil || len(reply) == 0 {
		return
	}
	r.m[string(reply)] = &replyGrant{t: now}
	r.adds++
	if r.adds >= replyPruneEvery || (r.ttl > 0 && now.Sub(r.pruned) > r.ttl) {
		r.prune(now)
	}
}

// Use reports whether the connection may publish to subj as a response,
// and counts the response when it may. Call it when CanPublish refused
// subj. It does not allocate.
func (r *Replies) Use(subj []byte, now time.Time) bool {
	if r == nil {
		return false
	}
	g := r.m[string(subj)]
	if g == nil {
		return false
	}
	if r.ttl > 0 && now.Sub(g.t) > r.ttl {
		delete(r.m, string(subj))
		return false
	}
	g.n++
	if r.max > 0 && g.n >= r.max {
		delete(r.m, string(subj)) // this was the last one allowed
	}
	return true
}

// Len returns the number of reply subjects currently granted.
func (r *Replies) Len() int {
	if r == nil {
		return 0
	}
	return len(r.m)
}

func (r *Replies) prune(now time.Time) {
	r.adds, r.pruned = 0, now
	if r.ttl > 0 {
		for k, g := range r.m {
			if now.Sub(g.t) > r.ttl {
				delete(r.m, k)
			}
		}
	}
	for k := range r.m {
		if len(r.m) <= replyMax {
			break
		}
		delete(r.m, k)
	}
}
