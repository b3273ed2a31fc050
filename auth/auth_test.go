package auth

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"natsloop/config"
)

// hashOf returns a bcrypt hash of pass at a cheap cost.
func hashOf(t testing.TB, pass string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pass), 4)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

func opts(az *config.Authorization, accts ...*config.Account) *config.Options {
	o := config.Default()
	o.Authorization = az
	o.Accounts = accts
	return o
}

func mustNew(t testing.TB, o *config.Options) *Auth {
	t.Helper()
	a, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

type credCase struct {
	name string
	cr   Credentials
	ok   bool
	user string // expected Identity.User when ok
}

func runCases(t *testing.T, a *Auth, cases []credCase) {
	t.Helper()
	for _, c := range cases {
		id, err := a.Check(c.cr)
		if c.ok != (err == nil) {
			t.Errorf("%s: Check err=%v, want ok=%v", c.name, err, c.ok)
			continue
		}
		if err != nil && !errors.Is(err, ErrAuthorization) {
			t.Errorf("%s: err %v is not ErrAuthorization", c.name, err)
		}
		if c.ok && id.User != c.user {
			t.Errorf("%s: user %q, want %q", c.name, id.User, c.user)
		}
	}
}

func TestNoAuth(t *testing.T) {
	a := mustNew(t, opts(nil))
	if a.Required() || a.NeedsNonce() {
		t.Fatal("no authorization configured: nothing required")
	}
	id, err := a.Check(Credentials{User: "x", Pass: "y"})
	if err != nil || id.Account != GlobalAccount || id.Perms != nil {
		t.Fatalf("got %+v, %v", id, err)
	}
	sync, id, err := a.Start(Credentials{}, func(*Identity, error) { t.Error("done called") })
	if !sync || err != nil || id.Account != GlobalAccount {
		t.Fatalf("Start: %v %+v %v", sync, id, err)
	}
}

func TestSingleUser(t *testing.T) {
	for _, pw := range []string{"s3cr3t", hashOf(t, "s3cr3t")} {
		a := mustNew(t, opts(&config.Authorization{User: "derek", Password: pw}))
		if !a.Required() {
			t.Fatal("Required")
		}
		runCases(t, a, []credCase{
			{"right", Credentials{User: "derek", Pass: "s3cr3t"}, true, "derek"},
			{"wrong pass", Credentials{User: "derek", Pass: "s3cr3"}, false, ""},
			{"longer pass", Credentials{User: "derek", Pass: "s3cr3tt"}, false, ""},
			{"wrong user", Credentials{User: "derec", Pass: "s3cr3t"}, false, ""},
			{"none", Credentials{}, false, ""},
			{"token", Credentials{Token: "s3cr3t"}, false, ""},
			{"hash as password", Credentials{User: "derek", Pass: pw}, pw == "s3cr3t", "derek"},
		})
	}
}

func TestToken(t *testing.T) {
	for _, tok := range []string{"tok-123", hashOf(t, "tok-123")} {
		a := mustNew(t, opts(&config.Authorization{Token: tok}))
		runCases(t, a, []credCase{
			{"right", Credentials{Token: "tok-123"}, true, ""},
			{"right, any user", Credentials{User: "x", Token: "tok-123"}, true, ""},
			{"wrong", Credentials{Token: "tok-124"}, false, ""},
			{"as password", Credentials{Pass: "tok-123"}, false, ""},
			{"none", Credentials{}, false, ""},
		})
	}
}

func TestUsersList(t *testing.T) {
	perms := &config.Permissions{Publish: &config.SubjectPermission{Allow: []string{"a.>"}}}
	a := mustNew(t, opts(&config.Authorization{Users: []*config.User{
		{User: "alice", Password: "plain-a"},
		{User: "bob", Password: hashOf(t, "hashed-b"), Permissions: perms},
	}}))
	runCases(t, a, []credCase{
		{"alice", Credentials{User: "alice", Pass: "plain-a"}, true, "alice"},
		{"alice wrong", Credentials{User: "alice", Pass: "plain-b"}, false, ""},
		{"bob", Credentials{User: "bob", Pass: "hashed-b"}, true, "bob"},
		{"bob wrong", Credentials{User: "bob", Pass: "hashed-a"}, false, ""},
		{"bob with alice's", Credentials{User: "bob", Pass: "plain-a"}, false, ""},
		{"unknown", Credentials{User: "carol", Pass: "plain-a"}, false, ""},
		{"unknown with bob's", Credentials{User: "carol", Pass: "hashed-b"}, false, ""},
		{"no user", Credentials{Pass: "plain-a"}, false, ""},
		{"none", Credentials{}, false, ""},
	})
	id, _ := a.Check(Credentials{User: "bob", Pass: "hashed-b"})
	if id.Perms == nil || id.Perms.CanPublish([]byte("b.x")) || !id.Perms.CanPublish([]byte("a.x")) {
		t.Fatal("bob's permissions not applied")
	}
	if id.Account != GlobalAccount {
		t.Fatalf("account %q", id.Account)
	}
	// The same identity is handed out each time (no allocation per login).
	id2, _ := a.Check(Credentials{User: "bob", Pass: "hashed-b"})
	if id != id2 {
		t.Fatal("identity not shared")
	}
}

// An unknown user costs a bcrypt when users have bcrypt passwords, so
// that user names cannot be probed by timing; the dummy never succeeds.
func TestUnknownUserPaysBcrypt(t *testing.T) {
	a := mustNew(t, opts(&config.Authorization{Users: []*config.User{
		{User: "bob", Password: hashOf(t, "pw")},
	}}))
	before := a.BcryptChecks()
	for i := 0; i < 3; i++ {
		if _, err := a.Check(Credentials{User: "nobody", Pass: "pw"}); err == nil {
			t.Fatal("unknown user accepted with another user's password")
		}
	}
	if n := a.BcryptChecks() - before; n != 3 {
		t.Fatalf("unknown user ran %d bcrypts, want 3", n)
	}
	if a.cache.len() != 0 {
		t.Fatal("failure cached")
	}
}

func TestNoAuthUser(t *testing.T) {
	a := mustNew(t, opts(&config.Authorization{
		Users: []*config.User{
			{User: "anon", Password: hashOf(t, "x"), Permissions: &config.Permissions{Subscribe: &config.SubjectPermission{Allow: []string{"pub.>"}}}},
			{User: "admin", Password: "adm"},
		},
		NoAuthUser: "anon",
	}))
	runCases(t, a, []credCase{
		{"no credentials", Credentials{}, true, "anon"},
		{"admin", Credentials{User: "admin", Pass: "adm"}, true, "admin"},
		{"admin wrong", Credentials{User: "admin", Pass: "x"}, false, ""},
		{"anon wrong pass", Credentials{User: "anon", Pass: "y"}, false, ""},
	})
	before := a.BcryptChecks()
	sync, id, err := a.Start(Credentials{}, nil)
	if !sync || err != nil || id.User != "anon" || id.Perms.CanSubscribe([]byte("x"), nil) {
		t.Fatalf("Start: %v %+v %v", sync, id, err)
	}
	if a.BcryptChecks() != before {
		t.Fatal("no_auth_user ran bcrypt")
	}
}

func TestNonce(t *testing.T) {
	a := mustNew(t, opts(nil))
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		n := a.NewNonce()
		if len(n) != 15 {
			t.Fatalf("nonce %q: %d chars", n, len(n))
		}
		b, err := base64.RawURLEncoding.DecodeString(n)
		if err != nil || len(b) != 11 {
			t.Fatalf("nonce %q: %v %d", n, err, len(b))
		}
		if seen[n] {
			t.Fatal("nonce repeated")
		}
		seen[n] = true
	}
}

func TestNewErrors(t *testing.T) {
	valid := "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4"
	cases := []struct {
		name string
		o    *config.Options
		want string
	}{
		{"bad nkey", opts(&config.Authorization{Users: []*config.User{{Nkey: "UABC"}}}), `nkey user "UABC"`},
		{"account nkey as user", opts(&config.Authorization{Users: []*config.User{{Nkey: "A" + valid[1:]}}}), "not a valid public user nkey"},
		{"bad publish subject", opts(&config.Authorization{Users: []*config.User{{User: "u", Password: "p",
			Permissions: &config.Permissions{Publish: &config.SubjectPermission{Allow: []string{"a..b"}}}}}}), `user "u": invalid publish allow subject "a..b"`},
		{"bad subscribe entry", opts(&config.Authorization{Users: []*config.User{{User: "u", Password: "p",
			Permissions: &config.Permissions{Subscribe: &config.SubjectPermission{Deny: []string{"a b c"}}}}}}), `user "u": invalid subscribe deny entry "a b c"`},
		{"unknown account", opts(&config.Authorization{Users: []*config.User{{User: "u", Password: "p", Account: "X"}}}), `unknown account "X"`},
		{"no_auth_user missing", opts(&config.Authorization{Users: []*config.User{{User: "u", Password: "p"}}, NoAuthUser: "v"}), `no_auth_user "v"`},
		{"duplicate user", opts(&config.Authorization{Users: []*config.User{{User: "u"}, {User: "u"}}}), `user "u": defined twice`},
		{"import from unknown", opts(nil, &config.Account{Name: "B", Imports: []config.Import{
			{Stream: &config.ImportSource{Account: "A", Subject: "a"}}}}), `account "B": stream import of "a": unknown account "A"`},
		{"import not exported", opts(nil, &config.Account{Name: "A"}, &config.Account{Name: "B", Imports: []config.Import{
			{Stream: &config.ImportSource{Account: "A", Subject: "a"}}}}), `account "B": stream import of "a": account "A" has no matching stream export`},
		{"import kind mismatch", opts(nil, &config.Account{Name: "A", Exports: []config.Export{{Stream: "a.>"}}},
			&config.Account{Name: "B", Imports: []config.Import{{Service: &config.ImportSource{Account: "A", Subject: "a.x"}}}}),
			"no matching service export"},
		{"import not authorized", opts(nil, &config.Account{Name: "A", Exports: []config.Export{{Stream: "a.>", Accounts: []string{"C"}}}},
			&config.Account{Name: "B", Imports: []config.Import{{Stream: &config.ImportSource{Account: "A", Subject: "a.>"}}}},
			&config.Account{Name: "C"}), `account "B": stream import of "a.>" from account "A": not authorized`},
		{"import wider than export", opts(nil, &config.Account{Name: "A", Exports: []config.Export{{Stream: "a.*"}}},
			&config.Account{Name: "B", Imports: []config.Import{{Stream: &config.ImportSource{Account: "A", Subject: "a.>"}}}}),
			"no matching stream export"},
		{"export to unknown", opts(nil, &config.Account{Name: "A", Exports: []config.Export{{Service: "a", Accounts: []string{"Z"}}}}),
			`unknown account "Z"`},
		{"to with other wildcards", opts(nil, &config.Account{Name: "A", Exports: []config.Export{{Service: "a.*"}}},
			&config.Account{Name: "B", Imports: []config.Import{{Service: &config.ImportSource{Account: "A", Subject: "a.*"}, To: "b.x"}}}),
			"does not have the same wildcards"},
		{"user and token", opts(&config.Authorization{User: "u", Password: "p", Token: "t"}), "cannot have a user/password and a token"},
	}
	for _, c := range cases {
		_, err := New(c.o)
		if err == nil || !strings.HasPrefix(err.Error(), "auth: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want auth: ...%s", c.name, err, c.want)
		}
	}
}

func TestErrorTexts(t *testing.T) {
	if ErrTextAuthViolation != "Authorization Violation" {
		t.Fatal(ErrTextAuthViolation)
	}
	if s := PubViolation("foo.bar"); s != `Permissions Violation for Publish to "foo.bar"` {
		t.Fatal(s)
	}
	if s := SubViolation("foo.*", ""); s != `Permissions Violation for Subscription to "foo.*"` {
		t.Fatal(s)
	}
	if s := SubViolation("foo.*", "q"); s != `Permissions Violation for Subscription to "foo.*" using queue "q"` {
		t.Fatal(s)
	}
}
