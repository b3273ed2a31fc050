package broker

import (
	"errors"
	"net"
	"time"

	"natsloop/auth"
	"natsloop/proto"
)

var errAuthViolation = errors.New("broker: authorization violation")

// authenticate checks a CONNECT's credentials. Cheap checks (plain
// passwords, tokens, nkeys, cached bcrypt results) finish inline; a bcrypt
// check parks the connection, which stops parsing until the worker pool
// answers and the result is applied back on the connection's loop.
func (c *client) authenticate(cn *proto.Connect) {
	a := c.srv.auth
	cr := auth.Credentials{
		User:  cn.User,
		Pass:  cn.Pass,
		Token: cn.AuthToken,
		Nkey:  cn.Nkey,
		Sig:   cn.Sig,
		Nonce: c.nonce,
	}
	if ra := c.conn.RemoteAddr(); ra != nil {
		cr.RemoteAddr = ra.String()
	}
	sync, id, err := a.Start(cr, func(id *auth.Identity, err error) {
		// On a pool goroutine: hop back to the connection's loop.
		_ = c.conn.Shard().Execute(func() {
			c.parked = false
			if c.conn.Closed() {
				return
			}
			c.authDone(id, err)
			c.conn.Resume()
		})
	})
	if sync {
		c.authDone(id, err)
		return
	}
	c.parked = true
	c.conn.Pause() // nothing past the CONNECT is read until the check ends
}

// authDone applies an authentication result on the connection's loop.
func (c *client) authDone(id *auth.Identity, err error) {
	if err != nil {
		c.closeWithErr(auth.ErrTextAuthViolation, errAuthViolation)
		return
	}
	acc := c.srv.accounts[id.Account]
	if acc == nil {
		c.srv.log.Errorf("%sunknown account %q for user %q", c.pfx, id.Account, id.User)
		c.closeWithErr(auth.ErrTextAuthViolation, errAuthViolation)
		return
	}
	c.acc = acc
	c.user = id.User
	c.perms = id.Perms
	if c.perms != nil {
		if _, _, ok := c.perms.AllowResponses(); ok {
			c.replies = c.perms.NewReplies()
		}
	}
	c.connected = true
	c.authDue = time.Time{}
	c.sendOK()
}

// mayPublish reports whether the client may publish to subj; it sends the
// violation otherwise (the connection stays open).
func (c *client) mayPublish(subj []byte) bool {
	if c.perms == nil || c.perms.CanPublish(subj) {
		return true
	}
	if c.replies != nil {
		c.replyMu.Lock()
		ok := c.replies.Use(subj, time.Now())
		c.replyMu.Unlock()
		if ok {
			return true
		}
	}
	text := auth.PubViolation(string(subj))
	c.srv.log.Errorf("%sPublish Violation - %s", c.pfx, text)
	c.sendErr(text)
	return false
}

// maySubscribe is mayPublish for SUB.
func (c *client) maySubscribe(subj, queue []byte) bool {
	if c.perms == nil || c.perms.CanSubscribe(subj, queue) {
		return true
	}
	text := auth.SubViolation(string(subj), string(queue))
	c.srv.log.Errorf("%sSubscription Violation - %s", c.pfx, text)
	c.sendErr(text)
	return false
}

// grantReply records that dst may answer on reply (allow_responses).
// Called by publishers on any loop.
func (dst *client) grantReply(reply []byte) {
	dst.replyMu.Lock()
	dst.replies.Add(reply, time.Now())
	dst.replyMu.Unlock()
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
