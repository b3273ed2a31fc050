package auth

import (
	"encoding/base64"
	"testing"

	"github.com/nats-io/nkeys"

	"natsloop/config"
)

func newUserKey(t testing.TB) (nkeys.KeyPair, string) {
	t.Helper()
	kp, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := kp.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return kp, pub
}

func sign(t testing.TB, kp nkeys.KeyPair, nonce string) []byte {
	t.Helper()
	sig, err := kp.Sign([]byte(nonce))
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func TestNkeyUsers(t *testing.T) {
	kp, pub := newUserKey(t)
	other, otherPub := newUserKey(t)
	perms := &config.Permissions{Subscribe: &config.SubjectPermission{Deny: []string{"secret.>"}}}
	a := mustNew(t, opts(&config.Authorization{Users: []*config.User{
		{Nkey: pub, Permissions: perms},
		{User: "pw", Password: "pw"},
	}}))
	if !a.Required() || !a.NeedsNonce() {
		t.Fatal("nkeys configured: Required and NeedsNonce")
	}
	nonce := a.NewNonce()
	sig := sign(t, kp, nonce)
	raw := base64.RawURLEncoding.EncodeToString(sig)
	std := base64.StdEncoding.EncodeToString(sig)
	forged := base64.RawURLEncoding.EncodeToString(sign(t, other, nonce))
	oldSig := base64.RawURLEncoding.EncodeToString(sign(t, kp, a.NewNonce()))
	runCases(t, a, []credCase{
		{"raw url sig", Credentials{Nkey: pub, Sig: raw, Nonce: nonce}, true, pub},
		{"std sig", Credentials{Nkey: pub, Sig: std, Nonce: nonce}, true, pub},
		{"forged: signed by another key", Credentials{Nkey: pub, Sig: forged, Nonce: nonce}, false, ""},
		{"other key is not a user", Credentials{Nkey: otherPub, Sig: forged, Nonce: nonce}, false, ""},
		{"signature of another nonce", Credentials{Nkey: pub, Sig: oldSig, Nonce: nonce}, false, ""},
		{"no sig", Credentials{Nkey: pub, Nonce: nonce}, false, ""},
		{"no nonce", Credentials{Nkey: pub, Sig: raw}, false, ""},
		{"garbage sig", Credentials{Nkey: pub, Sig: "!!!", Nonce: nonce}, false, ""},
		{"truncated sig", Credentials{Nkey: pub, Sig: raw[:40], Nonce: nonce}, false, ""},
		{"password user still works", Credentials{User: "pw", Pass: "pw"}, true, "pw"},
	})
	id, _ := a.Check(Credentials{Nkey: pub, Sig: raw, Nonce: nonce})
	if id.Perms.CanSubscribe([]byte("secret.x"), nil) || !id.Perms.CanSubscribe([]byte("public"), nil) {
		t.Fatal("nkey user's permissions not applied")
	}
	// Inline, never through the pool.
	sync, id, err := a.Start(Credentials{Nkey: pub, Sig: raw, Nonce: nonce}, nil)
	if !sync || err != nil || id.User != pub {
		t.Fatalf("Start: %v %v %v", sync, id, err)
	}
	if a.BcryptChecks() != 0 {
		t.Fatal("bcrypt for an nkey")
	}
}

func TestNkeyInAccountAndNoAuth(t *testing.T) {
	kp, pub := newUserKey(t)
	o := opts(&config.Authorization{NoAuthUser: pub}, &config.Account{Name: "A", Users: []*config.User{{Nkey: pub, Account: "A"}}})
	a := mustNew(t, o)
	nonce := a.NewNonce()
	sig := base64.RawURLEncoding.EncodeToString(sign(t, kp, nonce))
	id, err := a.Check(Credentials{Nkey: pub, Sig: sig, Nonce: nonce})
	if err != nil || id.Account != "A" {
		t.Fatalf("%+v %v", id, err)
	}
	id, err = a.Check(Credentials{})
	if err != nil || id.User != pub || id.Account != "A" {
		t.Fatalf("no_auth_user nkey: %+v %v", id, err)
	}
}

// nkeyFixture is an Auth with one nkey user and valid credentials for it.
func nkeyFixture(t testing.TB) (*Auth, Credentials) {
	kp, pub := newUserKey(t)
	a := mustNew(t, opts(&config.Authorization{Users: []*config.User{{Nkey: pub}}}))
	nonce := a.NewNonce()
	return a, Credentials{Nkey: pub, Nonce: nonce, Sig: base64.RawURLEncoding.EncodeToString(sign(t, kp, nonce))}
}
