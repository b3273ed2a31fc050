package broker

import (
	"time"

	"natsloop/internal/subject"
	"natsloop/proto"
)

// processConnect applies a CONNECT. nats-server's defaults (verbose,
// pedantic, echo true) apply to fields the JSON leaves out.
func (c *client) processConnect(op *proto.Op) {
	if c.connected {
		// A second CONNECT updates options, as nats-server allows.
		c.srv.debugf(c, "Client sent a second CONNECT")
	}
	cn, err := proto.ParseConnect(op.Arg)
	if err != nil {
		// nats-server closes without an -ERR on a malformed CONNECT.
		c.srv.log.Errorf("%s%v", c.pfx, err)
		c.closeWithErr("", errBadConnect)
		return
	}
	if cn.Protocol < 0 || cn.Protocol > 1 {
		c.srv.log.Errorf("%sinvalid client protocol", c.pfx)
		c.closeWithErr("invalid client protocol", errBadConnect)
		return
	}
	if cn.NoResponders && !cn.Headers {
		c.srv.log.Errorf("%sno responders requires headers support", c.pfx)
		c.closeWithErr("no responders requires headers support", errBadConnect)
		return
	}
	c.verbose = cn.Verbose
	c.pedantic = cn.Pedantic
	c.echo = cn.Echo
	c.headers = cn.Headers
	c.noResp = cn.NoResponders
	c.name, c.lang, c.version = cn.Name, cn.Lang, cn.Version
	if c.srv.authRequired() && !c.connected {
		c.authenticate(&cn)
		return
	}
	c.connected = true
	c.authDue = time.Time{}
	c.sendOK()
}

// processSub adds a subscription.
func (c *client) processSub(op *proto.Op) {
	if !subject.ValidSubject(op.Subject) || (len(op.Queue) > 0 && !subject.ValidQueue(op.Queue)) {
		c.sendErr("Invalid Subject")
		return
	}
	if !c.maySubscribe(op.Subject, op.Queue) {
		return
	}
	c.mu.Lock()
	if max := c.srv.opts.MaxSubs; max > 0 && len(c.subs) >= max {
		c.mu.Unlock()
		c.srv.log.Errorf("%sMaximum Subscriptions Exceeded (max %d)", c.pfx, max)
		c.sendErr("maximum subscriptions exceeded")
		return
	}
	if _, dup := c.subs[string(op.SID)]; dup {
		// nats-server ignores a SUB that reuses a live sid.
		c.mu.Unlock()
		c.sendOK()
		return
	}
	sub := &subscription{
		client:  c,
		subject: append([]byte(nil), op.Subject...),
		sid:     append([]byte(nil), op.SID...),
		filter:  c.perms != nil && c.perms.NeedsDeliveryFilter(op.Subject),
	}
	if len(op.Queue) > 0 {
		sub.queue = append([]byte(nil), op.Queue...)
	}
	c.subs[string(sub.sid)] = sub
	c.mu.Unlock()
	if err := c.acc.sl.Insert(sub.subject, sub.queue, sub); err != nil {
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
	c.acc.sl.Remove(sub.subject, sub.queue, sub)
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
