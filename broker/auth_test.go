package broker

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
	"golang.org/x/crypto/bcrypt"

	"natsloop/config"
)

func hashPassword(t testing.TB, pw string, cost int) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

func withUsers(users ...*config.User) func(*config.Options) {
	return func(o *config.Options) { o.Authorization = &config.Authorization{Users: users} }
}

func TestUserPassword(t *testing.T) {
	s := startServer(t, 0, withUsers(&config.User{User: "alice", Password: hashPassword(t, "s3cret", 4)}))
	connect(t, s, nats.UserInfo("alice", "s3cret"))
	_, err := nats.Connect(s.ClientURL(), nats.UserInfo("alice", "wrong"))
	if !errors.Is(err, nats.ErrAuthorization) {
		t.Fatalf("wrong password: %v, want authorization violation", err)
	}
	_, err = nats.Connect(s.ClientURL())
	if !errors.Is(err, nats.ErrAuthorization) {
		t.Fatalf("no credentials: %v", err)
	}
}

// slowHash is bcrypt("slow-pw") at cost 11 (~0.1 s of CPU on an idle
// core, far longer than a PING round trip), made once so that the test
// does not pay for it again.
const slowHash = "$2a$11$9ceRx68KRSCRiG4od3k40O/qYRiHVhRrAduSTy3I2TYC7OBeTE8XW"

// TestBcryptDoesNotBlockTheLoop: with one event loop, a client's PING is
// answered while another client's bcrypt check runs. Once Auth counts the
// check it is running; a PING sent then is answered before the parked
// client is. If the check ran on the loop, the loop would read the PING
// only after the check ended and the parked client's PONG had been
// written: on loopback it would already be readable when the PING's PONG
// arrives.
func TestBcryptDoesNotBlockTheLoop(t *testing.T) {
	s := startServer(t, 0, func(o *config.Options) {
		o.Loops = 1
		o.Authorization = &config.Authorization{Users: []*config.User{
			{User: "fast", Password: "plain"},
			{User: "slow", Password: slowHash},
		}}
	})
	fast := dialRaw(t, s.Addr().String())
	fast.send("CONNECT {\"verbose\":false,\"user\":\"fast\",\"pass\":\"plain\"}\r\nPING\r\n")
	fast.expect("PONG")
	slow := dialRaw(t, s.Addr().String())
	slow.send("CONNECT {\"verbose\":false,\"user\":\"slow\",\"pass\":\"slow-pw\"}\r\nPING\r\n")
	waitWithin(t, "the bcrypt check to start", 10*time.Second, func() bool { return s.auth.BcryptChecks() == 1 })
	fast.send("PING\r\n")
	fast.expect("PONG")
	if n := slow.unread(); n != 0 {
		t.Fatalf("the bcrypt-parked client got %d bytes before another client's PING was answered: the check blocked the loop", n)
	}
	if line := slow.readLineIn(time.Minute); line != "PONG" { // -race slows bcrypt down a lot
		t.Fatalf("parked client: got %q, want PONG once its check passed", line)
	}
}

// TestReconnectStormCostsOneBcrypt: 200 connections with the same bcrypt
// credentials run bcrypt about once (the rest hit the cache).
func TestReconnectStormCostsOneBcrypt(t *testing.T) {
	s := startServer(t, 0, withUsers(&config.User{User: "u", Password: hashPassword(t, "pw", 6)}))
	for i := 0; i < 200; i++ {
		nc, err := nats.Connect(s.ClientURL(), nats.UserInfo("u", "pw"))
		if err != nil {
			t.Fatalf("connect %d: %v", i, err)
		}
		nc.Close()
	}
	if n := s.auth.BcryptChecks(); n > 2 {
		t.Fatalf("200 connects ran bcrypt %d times, want about 1", n)
	}
}

func TestNkeyAuth(t *testing.T) {
	kp, _ := nkeys.CreateUser()
	pub, _ := kp.PublicKey()
	s := startServer(t, 0, withUsers(&config.User{Nkey: pub}))
	connect(t, s, nats.Nkey(pub, kp.Sign))

	forger, _ := nkeys.CreateUser()
	_, err := nats.Connect(s.ClientURL(), nats.Nkey(pub, forger.Sign))
	if !errors.Is(err, nats.ErrAuthorization) {
		t.Fatalf("forged signature: %v", err)
	}
}

func TestAccountsIsolationAndImports(t *testing.T) {
	conf := `
accounts {
  A: {
    users: [{user: a, password: a}]
    exports: [{stream: "events.>"}, {service: "svc.time"}]
  }
  B: {
    users: [{user: b, password: b}]
    imports: [
      {stream: {account: A, subject: "events.>"}, prefix: "fromA"}
      {service: {account: A, subject: "svc.time"}, to: "time"}
    ]
  }
  C: { users: [{user: c, password: c}] }
}
`
	addr := startNatsloopWithConfig(t, strings.TrimSpace(conf)+"\n")
	url := "nats://" + addr
	a, _ := nats.Connect(url, nats.UserInfo("a", "a"))
	b, _ := nats.Connect(url, nats.UserInfo("b", "b"))
	c, _ := nats.Connect(url, nats.UserInfo("c", "c"))
	if a == nil || b == nil || c == nil {
		t.Fatal("connect failed")
	}
	defer a.Close()
	defer b.Close()
	defer c.Close()

	// Isolation: C never sees A's or B's messages.
	cAll, _ := c.SubscribeSync(">")
	c.Flush()
	// Stream import with prefix.
	bEvents, _ := b.SubscribeSync("fromA.events.>")
	b.Flush()
	a.Publish("events.login", []byte("alice"))
	a.Flush()
	if m := nextMsg(t, bEvents); m.Subject != "fromA.events.login" || string(m.Data) != "alice" {
		t.Fatalf("stream import: %q %q", m.Subject, m.Data)
	}
	// Service import: B requests "time", A answers on svc.time.
	a.Subscribe("svc.time", func(m *nats.Msg) { m.Respond([]byte("noon")) })
	a.Flush()
	resp, err := b.Request("time", nil, 5*time.Second)
	if err != nil || string(resp.Data) != "noon" {
		t.Fatalf("service import: %v %v", err, resp)
	}
	// B publishing on A's subject does not reach A.
	aEvents, _ := a.SubscribeSync("events.>")
	a.Flush()
	b.Publish("events.fake", []byte("x"))
	b.Flush()
	// Once B's PONG is written its messages precede the PONG of any later
	// PING (TestPublisherFlushOrdersBeforeSubscriberPong): a leak would be
	// pending when these Flushes return.
	a.Flush()
	c.Flush()
	if n, _, _ := aEvents.Pending(); n != 0 {
		m, _ := aEvents.NextMsg(0)
		t.Fatalf("account leak: A got %q", m.Subject)
	}
	if n, _, _ := cAll.Pending(); n != 0 {
		m, _ := cAll.NextMsg(0)
		t.Fatalf("account leak: C got %q", m.Subject)
	}
}
