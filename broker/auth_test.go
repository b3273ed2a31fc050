package broker

import (
	"errors"
	"strings"
	"sync/atomic"
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

// TestBcryptDoesNotBlockTheLoop: with one event loop, a client keeps
// exchanging PINGs while another client's slow bcrypt check runs. If the
// check ran on the loop, the round trips would finish only after it.
func TestBcryptDoesNotBlockTheLoop(t *testing.T) {
	slow := hashPassword(t, "pw", 13) // ~0.5-1 s of CPU
	s := startServer(t, 0, func(o *config.Options) {
		o.Loops = 1
		o.Authorization = &config.Authorization{Users: []*config.User{
			{User: "fast", Password: "plain"},
			{User: "slow", Password: slow},
		}}
	})
	fast := connect(t, s, nats.UserInfo("fast", "plain"))
	var slowDone atomic.Bool
	go func() {
		nc, err := nats.Connect(s.ClientURL(), nats.UserInfo("slow", "pw"), nats.Timeout(20*time.Second))
		if err == nil {
			nc.Close()
		}
		slowDone.Store(true)
	}()
	// Wait until the bcrypt check is queued or running.
	deadline := time.Now().Add(10 * time.Second)
	for s.NumClients() < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	for i := 0; i < 20; i++ {
		if err := fast.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if slowDone.Load() {
		t.Skip("bcrypt finished before 20 round trips: machine too fast to tell")
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
	if m, err := aEvents.NextMsg(100 * time.Millisecond); err == nil {
		t.Fatalf("account leak: A got %q", m.Subject)
	}
	if m, err := cAll.NextMsg(100 * time.Millisecond); err == nil {
		t.Fatalf("account leak: C got %q", m.Subject)
	}
}
