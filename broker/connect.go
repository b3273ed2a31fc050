package broker

import (
	"fmt"
	"time"

	"natsloop/proto"
)

// processConnect applies a CONNECT as nats-server 2.15 does: the JSON is
// merged over the client's current options (a second CONNECT changes only
// what it names), a second CONNECT drops the client's subscriptions, and
// every CONNECT is authenticated again with the merged credentials.
func (c *client) processConnect(op *proto.Op) {
	first := c.hs != nil
	if err := c.opts.Merge(op.Arg); err != nil {
		// nats-server closes without an -ERR on a malformed CONNECT.
		c.srv.log.Errorf("%s%v", c.prefix(), err)
		c.closeWithErr("", errBadConnect)
		return
	}
	if first {
		// The CONNECT arrived: the auth timeout no longer applies, even
		// while a slow credential check runs (as nats-server).
		c.hs.authDue = time.Time{}
	} else {
		c.srv.debugf(c, "Client sent a second CONNECT")
		c.dropSubs()
	}
	c.authenticate(first)
}

// connectAccepted finishes a CONNECT whose credentials passed, with g the
// result: the remaining checks, in nats-server's order, then +OK.
func (c *client) connectAccepted(first bool, g *grant) {
	if c.opts.Account != "" || c.opts.NewAccount {
		// nats-server refuses an account named in CONNECT.
		c.authViolation(c.credentials())
		return
	}
	c.grant = g
	c.state = stateConnected
	if first {
		c.hs = nil
		c.tagPrefix()
	}
	c.view.Store(&peerView{headers: c.opts.Headers, grant: g})
	c.parser.NoHeaders = !c.opts.Headers
	if p := c.opts.Protocol; p < 0 || p > 1 {
		c.srv.log.Errorf("%sinvalid client protocol", c.prefix())
		c.closeWithErr("invalid client protocol", errBadConnect)
		return
	}
	if c.opts.NoResponders && !c.opts.Headers {
		c.srv.log.Errorf("%sno responders requires headers support", c.prefix())
		c.closeWithErr("no responders requires headers support", errBadConnect)
		return
	}
	c.sendOK()
}

// tagPrefix adds what nats-server adds to a connection's log prefix once
// its first CONNECT is accepted: "v<version>:<lang>:<name>" and
// "<account>/<user label>", each quoted.
func (c *client) tagPrefix() {
	o := &c.opts
	var tags []string
	if ncs := joinNonEmpty(":", prefixed("v", o.Version), o.Lang, o.Name); ncs != "" {
		tags = append(tags, ncs)
	}
	if label := c.userLabel(); label != "" {
		tags = append(tags, c.grant.acc.name+"/"+label)
	}
	p := c.prefix()
	for _, t := range tags {
		p += fmt.Sprintf("%q - ", t)
	}
	c.setPrefix(p)
}

// userLabel is nats-server's label for the user a CONNECT names, used in
// logs (also when the server requires no authentication).
func (c *client) userLabel() string {
	switch o := &c.opts; {
	case o.Nkey != "":
		return "nkey:" + o.Nkey
	case o.User != "":
		return "user:" + o.User
	case o.AuthToken != "":
		return "token"
	}
	return ""
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

func joinNonEmpty(sep string, parts ...string) string {
	out := ""
	for _, s := range parts {
		if s == "" {
			continue
		}
		if out != "" {
			out += sep
		}
		out += s
	}
	return out
}

// prefix is the connection's log prefix; safe from any goroutine.
func (c *client) prefix() string { return *c.pfx.Load() }

func (c *client) setPrefix(p string) { c.pfx.Store(&p) }
