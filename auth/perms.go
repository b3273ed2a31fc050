package auth

import (
	"fmt"
	"strings"
	"time"

	"natsloop/config"
	"natsloop/internal/subject"
)

// Perms is a compiled permissions block. It is immutable after New except
// for its publish cache, and safe for concurrent use: one Perms is shared
// by every connection of a user. A nil *Perms allows everything.
//
// Semantics (nats-server's, stated precisely):
//
//   - Publish: allowed when the subject matches an allow pattern (or there
//     is no allow list) and matches no deny pattern. Deny wins.
//   - Subscribe: allowed when the subscription subject is a subset of an
//     allow pattern ("foo.*" under "foo.>"; "foo.>" is not under "foo.*",
//     where nats-server lets it through) and is not matched by a deny
//     pattern. Allow entries with a queue ("foo.* q") allow the subject
//     only for that queue (queue names may carry wildcards); when a queue
//     entry matches, a queue subscription must use one of its queues.
//     A deny entry without a queue denies all subscriptions it matches;
//     one with a queue denies only that queue. Deny wins.
//   - A wildcard subscription that is allowed but overlaps a plain deny
//     pattern ("foo.*" with deny "foo.bar") is accepted, and messages on
//     denied subjects are not delivered to it: see NeedsDeliveryFilter and
//     CanDeliver.
type Perms struct {
	pub  pubRules
	sub  subRules
	resp *config.ResponsePermission // nil: no allow_responses

	pubCache *pubCache // nil when the rules are few enough to scan
}

type pubRules struct {
	open  bool     // no allow list and no deny list: everything allowed
	all   bool     // no allow list (nil Allow)
	allow [][]byte // patterns
	deny  [][]byte
}

type subRules struct {
	open  bool
	all   bool
	allow []subRule
	deny  []subRule
}

// subRule is "subject" or "subject queue".
type subRule struct {
	subject []byte
	queue   []byte // nil for a plain rule
}

// cacheRules is the number of publish patterns above which CanPublish
// results are cached; below it a scan is as cheap as a lookup.
const cacheRules = 8

// compilePerms validates and compiles p; nil gives nil (allow all).
func compilePerms(p *config.Permissions) (*Perms, error) {
	if p == nil {
		return nil, nil
	}
	c := &Perms{}
	var err error
	if c.pub, err = compilePub(p.Publish); err != nil {
		return nil, err
	}
	if c.sub, err = compileSub(p.Subscribe); err != nil {
		return nil, err
	}
	if r := p.AllowResponses; r != nil {
		rp := *r
		c.resp = &rp
		if c.pub.all {
			// allow_responses without a publish allow list denies all
			// other publishing, as in nats-server.
			c.pub.all, c.pub.open = false, false
		}
	}
	if len(c.pub.allow)+len(c.pub.deny) > cacheRules {
		c.pubCache = newPubCache()
	}
	if c.pub.open && c.sub.open && c.resp == nil {
		return nil, nil
	}
	return c, nil
}

func compilePub(sp *config.SubjectPermission) (pubRules, error) {
	r := pubRules{all: true}
	if sp == nil {
		r.open = true
		return r, nil
	}
	if sp.Allow != nil {
		r.all = false
		r.allow = make([][]byte, 0, len(sp.Allow))
	}
	for _, s := range sp.Allow {
		if !subject.ValidSubject([]byte(s)) {
			return r, fmt.Errorf("invalid publish allow subject %q", s)
		}
		r.allow = append(r.allow, []byte(s))
	}
	for _, s := range sp.Deny {
		if !subject.ValidSubject([]byte(s)) {
			return r, fmt.Errorf("invalid publish deny subject %q", s)
		}
		r.deny = append(r.deny, []byte(s))
	}
	r.open = r.all && len(r.deny) == 0
	return r, nil
}

func compileSub(sp *config.SubjectPermission) (subRules, error) {
	r := subRules{all: true}
	if sp == nil {
		r.open = true
		return r, nil
	}
	if sp.Allow != nil {
		r.all = false
		r.allow = make([]subRule, 0, len(sp.Allow))
	}
	for _, s := range sp.Allow {
		sr, err := parseSubRule(s, "allow")
		if err != nil {
			return r, err
		}
		r.allow = append(r.allow, sr)
	}
	for _, s := range sp.Deny {
		sr, err := parseSubRule(s, "deny")
		if err != nil {
			return r, err
		}
		r.deny = append(r.deny, sr)
	}
	r.open = r.all && len(r.deny) == 0
	return r, nil
}

// parseSubRule reads "subject" or "subject queue".
func parseSubRule(s, kind string) (subRule, error) {
	f := strings.Fields(s)
	var r subRule
	switch len(f) {
	case 1:
		r.subject = []byte(f[0])
	case 2:
		r.subject, r.queue = []byte(f[0]), []byte(f[1])
	default:
		return r, fmt.Errorf("invalid subscribe %s entry %q", kind, s)
	}
	if !subject.ValidSubject(r.subject) || (r.queue != nil && !subject.ValidQueue(r.queue)) {
		return r, fmt.Errorf("invalid subscribe %s entry %q", kind, s)
	}
	return r, nil
}

// CanPublish reports whether the user may publish to subject (a literal).
// It does not check allow_responses (see Replies). It does not allocate
// except to cache a result the first time a subject is seen, when the
// rules are many.
func (p *Perms) CanPublish(subj []byte) bool {
	if p == nil || p.pub.open {
		return true
	}
	c := p.pubCache
	if c == nil {
		return p.pub.allowed(subj)
	}
	h := c.hash(subj)
	if v, ok := c.get(h, subj); ok {
		return v
	}
	v := p.pub.allowed(subj)
	c.put(h, subj, v)
	return v
}

func (r *pubRules) allowed(subj []byte) bool {
	if subject.HasEmptyToken(subj) {
		// nats-server's sublist matches nothing for such a subject: no
		// allow rule and no deny rule applies.
		return r.all
	}
	if !r.all {
		ok := false
		for _, a := range r.allow {
			if subject.Matches(subj, a) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for _, d := range r.deny {
		if subject.Matches(subj, d) {
			return false
		}
	}
	return true
}

// CanSubscribe reports whether the user may subscribe to subj (which may
// hold wildcards) with queue (nil or empty: no queue). It does not
// allocate.
func (p *Perms) CanSubscribe(subj, queue []byte) bool {
	if p == nil || p.sub.open {
		return true
	}
	if subject.HasEmptyToken(subj) {
		// As for publish: nats-server's sublist matches no rule.
		return p.sub.all
	}
	if !p.sub.all {
		plain, queueRules, queueOK := false, false, false
		for i := range p.sub.allow {
			r := &p.sub.allow[i]
			if !isSubset(subj, r.subject) {
				continue
			}
			if r.queue == nil {
				plain = true
				continue
			}
			queueRules = true
			if len(queue) > 0 && queueMatches(queue, r.queue) {
				queueOK = true
			}
		}
		allowed := plain
		if len(queue) > 0 && queueRules {
			allowed = queueOK
		}
		if !allowed {
			return false
		}
	}
	for i := range p.sub.deny {
		r := &p.sub.deny[i]
		if !subject.Matches(subj, r.subject) {
			continue
		}
		if r.queue == nil || (len(queue) > 0 && queueMatches(queue, r.queue)) {
			return false
		}
	}
	return true
}

// queueMatches: the same name, or a name under a wildcard rule queue
// ("v1.*" allows queue "v1.a").
func queueMatches(queue, rule []byte) bool {
	return string(queue) == string(rule) || isSubset(queue, rule)
}

// NeedsDeliveryFilter reports whether an allowed subscription to subj
// could receive messages on subjects its deny list forbids (a wildcard
// subscription overlapping a plain deny pattern). The broker then calls
// CanDeliver for each message delivered to that subscription.
func (p *Perms) NeedsDeliveryFilter(subj []byte) bool {
	if p == nil || !hasWildcard(subj) {
		return false
	}
	for i := range p.sub.deny {
		r := &p.sub.deny[i]
		if r.queue == nil && overlaps(subj, r.subject) {
			return true
		}
	}
	return false
}

// CanDeliver reports whether a message on the literal subject may be
// delivered to this user's subscriptions (it matches no plain subscribe
// deny pattern). It does not allocate.
func (p *Perms) CanDeliver(subj []byte) bool {
	if p == nil {
		return true
	}
	for i := range p.sub.deny {
		r := &p.sub.deny[i]
		if r.queue == nil && subject.Matches(subj, r.subject) {
			return false
		}
	}
	return true
}

// AllowResponses reports the allow_responses setting: at most maxMsgs
// replies per request received (negative: unlimited) within expires
// (negative: no limit).
func (p *Perms) AllowResponses() (maxMsgs int, expires time.Duration, ok bool) {
	if p == nil || p.resp == nil {
		return 0, 0, false
	}
	return p.resp.MaxMsgs, p.resp.Expires, true
}
