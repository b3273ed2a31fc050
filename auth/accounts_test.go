package auth

import (
	"os"
	"path/filepath"
	"testing"

	"natsloop/config"
)

func load(t *testing.T, text string) *config.Options {
	t.Helper()
	path := filepath.Join(t.TempDir(), "server.conf")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	o, _, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

const accountsConf = `
accounts {
  A: {
    users: [{user: a, password: pa, permissions: {publish: "a.>"}}]
    exports: [
      {stream: "a.>"}
      {service: "a.req.*", accounts: [B]}
    ]
  }
  B: {
    users: [{user: b, password: pb}]
    imports: [
      {stream: {account: A, subject: "a.>"}, prefix: "from_a"}
      {service: {account: A, subject: "a.req.*"}, to: "b.req.*"}
    ]
  }
  C: {
    users: [{user: c, password: pc}]
    imports: [
      {stream: {account: A, subject: "a.news"}}
    ]
  }
}
authorization { users: [{user: g, password: pg}] }
`

func TestAccountsFromConfig(t *testing.T) {
	a := mustNew(t, load(t, accountsConf))
	for user, acct := range map[string]string{"a": "A", "b": "B", "c": "C", "g": GlobalAccount} {
		id, err := a.Check(Credentials{User: user, Pass: "p" + user})
		if err != nil || id.Account != acct {
			t.Errorf("%s: %+v %v, want account %s", user, id, err, acct)
		}
	}
	if id, _ := a.Check(Credentials{User: "a", Pass: "pa"}); id.Perms.CanPublish([]byte("b.x")) {
		t.Error("a's permissions lost")
	}
	specs := a.Accounts()
	if len(specs) != 4 || specs[0].Name != GlobalAccount || specs[1].Name != "A" || specs[2].Name != "B" || specs[3].Name != "C" {
		t.Fatalf("accounts %+v", specs)
	}
	A, B, C := specs[1], specs[2], specs[3]
	if len(A.Exports) != 2 || A.Exports[0].Kind != Stream || A.Exports[1].Kind != Service ||
		A.Exports[1].ResponseType != "Singleton" || !A.Exports[0].Allows("C") || A.Exports[1].Allows("C") || !A.Exports[1].Allows("B") {
		t.Fatalf("A's exports %+v %+v", A.Exports[0], A.Exports[1])
	}
	if len(B.Imports) != 2 {
		t.Fatalf("B's imports %+v", B.Imports)
	}
	st, sv := B.Imports[0], B.Imports[1]
	if st.Kind != Stream || st.Account != "A" || st.Subject != "a.>" || st.Local != "from_a.a.>" || st.Export != A.Exports[0] {
		t.Fatalf("stream import %+v", st)
	}
	if got := string(st.ToLocal(nil, []byte("a.x.y"))); got != "from_a.a.x.y" {
		t.Fatalf("stream ToLocal: %q", got)
	}
	if sv.Kind != Service || sv.Local != "b.req.*" || sv.Export != A.Exports[1] {
		t.Fatalf("service import %+v", sv)
	}
	if got := string(sv.ToRemote(nil, []byte("b.req.42"))); got != "a.req.42" {
		t.Fatalf("service ToRemote: %q", got)
	}
	if got := string(C.Imports[0].ToLocal(nil, []byte("a.news"))); got != "a.news" || C.Imports[0].Local != "a.news" {
		t.Fatalf("plain import: %q", got)
	}
}

func TestMapSubject(t *testing.T) {
	for _, c := range []struct{ src, from, to, want string }{
		{"a.x", "a.*", "b.*", "b.x"},
		{"a.x.y", "a.*.*", "b.*.c.*", "b.x.c.y"},
		{"a.x.y.z", "a.*.>", "b.*.>", "b.x.y.z"},
		{"a.x.y", "a.>", "b.>", "b.x.y"},
		{"a.x", "a.*", "fixed", "fixed"},
		{"a.x", "a.*", "a.*", "a.x"},
	} {
		if got := string(mapSubject(nil, []byte(c.src), []byte(c.from), []byte(c.to))); got != c.want {
			t.Errorf("map %q (%s -> %s) = %q, want %q", c.src, c.from, c.to, got, c.want)
		}
		if !canMap([]byte(c.from), []byte(c.to)) {
			t.Errorf("canMap(%q, %q) false", c.from, c.to)
		}
	}
	for _, c := range [][2]string{{"a", "b.*"}, {"a.*", "b.>"}, {"a.*.*", "b.*"}} {
		if canMap([]byte(c[0]), []byte(c[1])) {
			t.Errorf("canMap(%q, %q) true", c[0], c[1])
		}
	}
}

// The example of nats-server's documentation (mkpasswd page) works as
// written: the unquoted hash mkpasswd printed, and its password.
func TestDocumentedBcryptExample(t *testing.T) {
	a := mustNew(t, load(t, `authorization {
  user: derek
  password: $2a$11$3kIDaCxw.Glsl1.u5nKa6eUnNDLV5HV9tIuUp7EHhMt6Nm9myW1aS
  timeout: 1
}
`))
	if a.Timeout().Seconds() != 1 || !a.Required() {
		t.Fatalf("timeout %v", a.Timeout())
	}
	done := make(chan result, 1)
	sync, _, err := a.Start(Credentials{User: "derek", Pass: "#IclkRPHUpsTmACWzmIGXr"}, func(id *Identity, err error) { done <- result{id, err} })
	if sync || err != nil {
		t.Fatalf("bcrypt check must go to the pool: sync=%v err=%v", sync, err)
	}
	if r := <-done; r.err != nil || r.id.User != "derek" {
		t.Fatalf("derek: %+v %v", r.id, r.err)
	}
	// Wrong passwords are covered at low cost elsewhere; a second
	// cost-11 run would only slow -race down.
	if sync, _, err := a.Start(Credentials{User: "derek", Pass: "#IclkRPHUpsTmACWzmIGXr"}, nil); !sync || err != nil {
		t.Fatalf("second login must hit the cache: %v %v", sync, err)
	}
}

func TestPermissionsFromConfig(t *testing.T) {
	a := mustNew(t, load(t, `
authorization {
  default_permissions: { publish: "pub.>", subscribe: { deny: "secret.>" } }
  users: [
    {user: def, password: x}
    {user: q, password: x, permissions: { subscribe: { allow: ["work.* workers", "status.>"] } }}
    {user: resp, password: x, permissions: { subscribe: "req.>", allow_responses: { max: 3, expires: "5s" } }}
  ]
}
`))
	id, _ := a.Check(Credentials{User: "def", Pass: "x"})
	if !id.Perms.CanPublish([]byte("pub.a")) || id.Perms.CanPublish([]byte("x")) || id.Perms.CanSubscribe([]byte("secret.a"), nil) {
		t.Error("default permissions")
	}
	id, _ = a.Check(Credentials{User: "q", Pass: "x"})
	if !id.Perms.CanSubscribe([]byte("work.a"), []byte("workers")) || id.Perms.CanSubscribe([]byte("work.a"), nil) ||
		!id.Perms.CanSubscribe([]byte("status.x"), nil) || !id.Perms.CanPublish([]byte("anything")) {
		t.Error("queue permissions")
	}
	id, _ = a.Check(Credentials{User: "resp", Pass: "x"})
	if max, exp, ok := id.Perms.AllowResponses(); !ok || max != 3 || exp.Seconds() != 5 || id.Perms.CanPublish([]byte("x")) {
		t.Errorf("allow_responses: %d %v %v", max, exp, ok)
	}
}
