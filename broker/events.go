package broker

import (
	"crypto/rand"
	"encoding/json"
	"time"

	"natsloop/proto"
)

// Account events nats-server publishes into the account a client belongs
// to (the system-account copies wait for the system account, issue 12).
const (
	// authErrorAccountSubject carries a client_disconnect advisory for
	// each failed authentication, into the account the client was in.
	authErrorAccountSubject = "$SYS.ACCOUNT.CLIENT.AUTH.ERR"
	disconnectEventType     = "io.nats.server.advisory.v1.client_disconnect"
	reasonAuthFailure       = "Authentication Failure"
)

// Event shapes: nats-server's JSON field names and types.
type (
	typedEvent struct {
		Type string    `json:"type"`
		ID   string    `json:"id"`
		Time time.Time `json:"timestamp"`
	}
	eventServer struct {
		Name      string    `json:"name"`
		Host      string    `json:"host"`
		ID        string    `json:"id"`
		Version   string    `json:"ver"`
		JetStream bool      `json:"jetstream"`
		Flags     uint64    `json:"flags"`
		Seq       uint64    `json:"seq"`
		Time      time.Time `json:"time"`
	}
	eventClient struct {
		Start      *time.Time    `json:"start,omitempty"`
		Host       string        `json:"host,omitempty"`
		ID         uint64        `json:"id,omitempty"`
		Account    string        `json:"acc,omitempty"`
		User       string        `json:"user,omitempty"`
		Name       string        `json:"name,omitempty"`
		Lang       string        `json:"lang,omitempty"`
		Version    string        `json:"ver,omitempty"`
		RTT        time.Duration `json:"rtt,omitempty"`
		Stop       *time.Time    `json:"stop,omitempty"`
		NameTag    string        `json:"name_tag,omitempty"`
		Kind       string        `json:"kind,omitempty"`
		ClientType string        `json:"client_type,omitempty"`
	}
	msgBytes struct {
		Msgs  int64 `json:"msgs"`
		Bytes int64 `json:"bytes"`
	}
	disconnectEvent struct {
		typedEvent
		Server   eventServer `json:"server"`
		Client   eventClient `json:"client"`
		Sent     msgBytes    `json:"sent"`
		Received msgBytes    `json:"received"`
		Reason   string      `json:"reason"`
	}
)

// sendAuthErrorEvent publishes the account-level advisory of a failed
// authentication into the client's current account, as nats-server does
// unless the system account is turned off. c's loop.
func (c *client) sendAuthErrorEvent() {
	s := c.srv
	if s.opts.NoSystemAccount {
		return
	}
	now := time.Now().UTC()
	acc := c.grant.acc
	ev := disconnectEvent{
		typedEvent: typedEvent{Type: disconnectEventType, ID: eventID(), Time: now},
		Server:     s.eventServer(now),
		Client: eventClient{
			Start: &c.start, Stop: &now, Host: remoteIP(c.conn.RemoteAddr()), ID: c.cid,
			Account: acc.name, User: c.rawUser(), Name: c.opts.Name, Lang: c.opts.Lang, Version: c.opts.Version,
			NameTag: acc.name, Kind: "Client", ClientType: "nats",
		},
		Sent:     msgBytes{Msgs: c.inMsgs.Load(), Bytes: c.inBytes.Load()},
		Received: msgBytes{Msgs: c.outMsgs.Load(), Bytes: c.outBytes.Load()},
		Reason:   reasonAuthFailure,
	}
	payload, err := json.Marshal(&ev)
	if err != nil {
		return
	}
	op := proto.Op{Kind: proto.OpPub, Subject: []byte(authErrorAccountSubject), Payload: payload}
	c.deliverAll(acc, op.Subject, nil, &op)
}

// eventServer is the "server" part of an event.
func (s *Server) eventServer(now time.Time) eventServer {
	return eventServer{
		Name: s.name, Host: s.opts.Host, ID: s.id, Version: Version,
		Seq: s.eventSeq.Add(1), Time: now,
	}
}

// rawUser is what nats-server reports as a client's user: the nkey, user
// name or token the CONNECT gave (a token redacted).
func (c *client) rawUser() string {
	switch o := &c.opts; {
	case o.Nkey != "":
		return o.Nkey
	case o.User != "":
		return o.User
	case o.AuthToken != "":
		return "[REDACTED]"
	}
	return ""
}

// eventID is a random 22-character id, as nats-server's (nuid) ids look.
func eventID() string {
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var b [22]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = digits[int(b[i])%len(digits)]
	}
	return string(b[:])
}
