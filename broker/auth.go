package broker

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"natsloop/auth"
)

var errAuthViolation = errors.New("broker: authorization violation")

// grant is what authentication decided for a client: its account, user
// and permissions. Immutable, except the response grants (own lock),
// which publishers on any loop add to. A re-authentication replaces a
// client's grant; it never changes one.
type grant struct {
	acc   *account
	user  string
	perms *auth.Perms // nil: everything allowed

	replyMu sync.Mutex
	replies *auth.Replies // allow_responses grants; nil when not allowed
}

func newGrant(acc *account, id *auth.Identity) *grant {
	g := &grant{acc: acc, user: id.User, perms: id.Perms}
	if g.perms != nil {
		if _, _, ok := g.perms.AllowResponses(); ok {
			g.replies = g.perms.NewReplies()
		}
	}
	return g
}

// credentials are the ones the client's CONNECT options carry.
func (c *client) credentials() auth.Credentials {
	o := &c.opts
	cr := auth.Credentials{User: o.User, Pass: o.Pass, Token: o.AuthToken, Nkey: o.Nkey, Sig: o.Sig, Nonce: c.nonce}
	if ra := c.conn.RemoteAddr(); ra != nil {
		cr.RemoteAddr = ra.String()
	}
	return cr
}

// authenticate checks the client's credentials for a CONNECT (first says
// whether it is the first). Cheap checks (no auth, plain passwords,
// tokens, nkeys, cached bcrypt results) finish inline; a bcrypt check
// parks the connection (stateChecking: its input is paused) until the
// worker pool answers, and the result is applied on the connection's loop.
func (c *client) authenticate(first bool) {
	cr := c.credentials()
	inline, id, err := c.srv.auth.Start(cr, func(id *auth.Identity, err error) {
		// On a pool goroutine: hop back to the connection's loop.
		_ = c.conn.Shard().Execute(func() {
			if c.conn.Closed() {
				return
			}
			c.authDone(first, cr, id, err)
			c.conn.Resume()
		})
	})
	if inline {
		c.authDone(first, cr, id, err)
		return
	}
	c.state = stateChecking
	c.conn.Pause() // nothing past the CONNECT is read until the check ends
}

// authDone applies an authentication result on the connection's loop.
func (c *client) authDone(first bool, cr auth.Credentials, id *auth.Identity, err error) {
	if errors.Is(err, auth.ErrBusy) {
		// The pool had no room to check it: not a verdict on the
		// credentials, so the answer a client retries on.
		c.closeWithErr("Authentication Timeout", errAuthTimeout)
		return
	}
	if err != nil {
		c.authViolation(cr)
		c.sendAuthErrorEvent()
		return
	}
	acc := c.srv.accounts[id.Account]
	if acc == nil {
		c.srv.log.Errorf("%sunknown account %q for user %q", c.prefix(), id.Account, id.User)
		c.authViolation(cr)
		return
	}
	g := c.srv.anonymous
	if id.User != "" || id.Perms != nil || acc != g.acc {
		g = newGrant(acc, id)
	}
	c.connectAccepted(first, g)
}

// authViolation logs a failed authentication as nats-server does
// (naming the user the CONNECT gave) and closes with Authorization
// Violation.
func (c *client) authViolation(cr auth.Credentials) {
	who := ""
	switch {
	case cr.Nkey != "":
		who = fmt.Sprintf(" - Nkey %q", cr.Nkey)
	case cr.User != "":
		who = fmt.Sprintf(" - User %q", cr.User)
	case cr.Token != "":
		who = ` - Token "[REDACTED]"`
	}
	c.srv.log.Errorf("%sauthentication error%s", c.prefix(), who)
	c.closeWithErr(auth.ErrTextAuthViolation, errAuthViolation)
}

// Subject prefixes nats-server keeps for itself: clients may not publish
// to them, or use them as reply subjects.
const (
	gatewayReplyPrefix = "_GR_."    // gateway-routed replies
	nrgPrefix          = "$NRG."    // JetStream's raft groups
	serviceReplyPrefix = "_R_."     // service import replies
	jsAckPrefix        = "$JS.ACK." // JetStream acknowledgements
)

// mayPublish reports whether the client may publish to subj with reply;
// it sends the violation otherwise (the connection stays open). The
// checks and their order are nats-server's.
func (c *client) mayPublish(subj, reply []byte) bool {
	if hasPrefixLonger(subj, gatewayReplyPrefix) || !c.mayPublishTo(subj) || hasPrefix(subj, nrgPrefix) {
		c.sendErr(auth.PubViolation(string(subj)))
		c.srv.log.Errorf("%sPublish Violation - Subject %q", c.prefix(), subj)
		return false
	}
	if len(reply) > 0 && (hasPrefix(reply, serviceReplyPrefix) ||
		hasPrefixLonger(reply, jsAckPrefix) || hasPrefixLonger(reply, gatewayReplyPrefix)) {
		c.sendErr(fmt.Sprintf("Permissions Violation for Publish with Reply of %q", reply))
		c.srv.log.Errorf("%sPublish Violation - Reply %q", c.prefix(), reply)
		return false
	}
	return true
}

// hasPrefix is bytes.HasPrefix for a string prefix, without a conversion.
func hasPrefix(b []byte, p string) bool {
	return len(b) >= len(p) && string(b[:len(p)]) == p
}

// hasPrefixLonger reports whether b starts with p and has more after it.
func hasPrefixLonger(b []byte, p string) bool {
	return len(b) > len(p) && string(b[:len(p)]) == p
}

// mayPublishTo applies the client's publish permissions (and the
// response grants allow_responses gave it).
func (c *client) mayPublishTo(subj []byte) bool {
	g := c.grant
	if g.perms == nil || g.perms.CanPublish(subj) {
		return true
	}
	if g.replies != nil {
		g.replyMu.Lock()
		ok := g.replies.Use(subj, time.Now())
		g.replyMu.Unlock()
		return ok
	}
	return false
}

// maySubscribe is mayPublish for SUB.
func (c *client) maySubscribe(subj, queue, sid []byte) bool {
	p := c.grant.perms
	if (p == nil || p.CanSubscribe(subj, queue)) && string(queue) != sysQueue {
		return true
	}
	c.sendErr(auth.SubViolation(string(subj), string(queue)))
	if len(queue) > 0 {
		c.srv.log.Errorf("%sSubscription Violation - Subject %q, Queue: %q, SID %s", c.prefix(), subj, queue, sid)
	} else {
		c.srv.log.Errorf("%sSubscription Violation - Subject %q, SID %s", c.prefix(), subj, sid)
	}
	return false
}

// grantReply records that the holder of g may answer on reply
// (allow_responses). Called by publishers on any loop.
func (g *grant) grantReply(reply []byte) {
	g.replyMu.Lock()
	g.replies.Add(reply, time.Now())
	g.replyMu.Unlock()
}

// infoNonce fills the nonce a client must sign when nkeys are configured.
func (c *client) infoNonce() string {
	if c.srv.auth.NeedsNonce() {
		c.nonce = c.srv.auth.NewNonce()
	}
	return c.nonce
}

// remoteIP is the client's address for INFO.
func remoteIP(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.String()
	}
	return ""
}
