package broker

import (
	"natsloop/internal/subject"
	"natsloop/proto"
)

// sysQueue is the queue group name nats-server reserves for itself.
const sysQueue = "_sys_"

// processSub adds a subscription. The checks and their order are
// nats-server's: permissions (and the reserved queue name), the
// subscription limit, a reused sid (accepted and ignored, unchecked),
// then the subject's validity.
func (c *client) processSub(op *proto.Op) {
	if !c.maySubscribe(op.Subject, op.Queue, op.SID) {
		return
	}
	c.mu.Lock()
	if max := c.srv.opts.MaxSubs; max > 0 && len(c.subs) >= max {
		c.mu.Unlock()
		c.srv.log.Errorf("%sMaximum Subscriptions Exceeded (max %d)", c.prefix(), max)
		c.sendErr("maximum subscriptions exceeded")
		return
	}
	if _, dup := c.subs[string(op.SID)]; dup {
		c.mu.Unlock()
		c.sendOK()
		return
	}
	c.mu.Unlock()
	if !subject.ValidSubject(op.Subject) || (len(op.Queue) > 0 && !subject.ValidQueue(op.Queue)) {
		c.sendErr("Invalid Subject")
		return
	}
	c.addSub(op)
}

// addSub records and indexes a checked SUB.
func (c *client) addSub(op *proto.Op) {
	perms := c.grant.perms
	sub := &subscription{
		client:  c,
		acc:     c.grant.acc,
		subject: append([]byte(nil), op.Subject...),
		sid:     append([]byte(nil), op.SID...),
		filter:  perms != nil && perms.NeedsDeliveryFilter(op.Subject),
	}
	if len(op.Queue) > 0 {
		sub.queue = append([]byte(nil), op.Queue...)
	}
	c.mu.Lock()
	c.subs[string(sub.sid)] = sub
	c.mu.Unlock()
	if err := sub.acc.sl.Insert(sub.subject, sub.queue, sub); err != nil {
		c.mu.Lock()
		delete(c.subs, string(sub.sid))
		c.mu.Unlock()
		c.sendErr("Invalid Subject")
		return
	}
	c.sendOK()
}

// processUnsub removes a subscription now, or after max deliveries.
func (c *client) processUnsub(op *proto.Op) {
	c.mu.Lock()
	sub := c.subs[string(op.SID)]
	if sub == nil {
		c.mu.Unlock()
		c.sendOK()
		return
	}
	max := int64(op.Max)
	if max > 0 && max > sub.delivered.Load() {
		sub.max.Store(max)
		c.mu.Unlock()
		c.sendOK()
		return
	}
	delete(c.subs, string(op.SID))
	c.mu.Unlock()
	c.removeSub(sub)
	c.sendOK()
}

// removeSub takes sub out of the account's index. Safe from any loop.
func (c *client) removeSub(sub *subscription) {
	if sub.closed.Swap(true) {
		return
	}
	sub.acc.sl.Remove(sub.subject, sub.queue, sub)
}

// unsubAfterMax drops a subscription that reached its auto-unsubscribe
// limit. It runs on the publisher's loop, so it takes the owner's lock.
func (sub *subscription) unsubAfterMax() {
	c := sub.client
	c.mu.Lock()
	if c.subs[string(sub.sid)] == sub {
		delete(c.subs, string(sub.sid))
	}
	c.mu.Unlock()
	c.removeSub(sub)
}

// dropSubs removes every subscription of the client (a second CONNECT
// does this in nats-server 2.15: it may move the client to another
// account).
func (c *client) dropSubs() {
	c.mu.Lock()
	subs := make([]*subscription, 0, len(c.subs))
	for _, sub := range c.subs {
		subs = append(subs, sub)
	}
	clear(c.subs)
	c.mu.Unlock()
	for _, sub := range subs {
		c.removeSub(sub)
	}
}
