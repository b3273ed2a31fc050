package auth

import (
	"fmt"

	"github.com/nats-io/nkeys"

	"natsloop/config"
)

// tokenName is the cache name of the token principal; it cannot collide
// with a user name from a CONNECT (which is JSON text without NUL in
// practice, and is looked up in a map anyway).
const tokenName = "\x00token"

// unknownName keys checks that must fail (unknown user, wrong single user
// name), so that they never share a cache entry or a bcrypt run with a
// real user's.
const unknownName = "\x00unknown"

// compile fills a from o. It is called once, by New.
func (a *Auth) compile(o *config.Options) error {
	accts, err := compileAccounts(o.Accounts)
	if err != nil {
		return err
	}
	a.accounts = accts
	known := make(map[string]bool, len(accts))
	for _, s := range accts {
		known[s.Name] = true
	}
	a.users = map[string]*entry{}
	a.nkeys = map[string]*Identity{}

	add := func(u *config.User, where string) error {
		if u == nil {
			return nil
		}
		acct := u.Account
		if acct == "" {
			acct = GlobalAccount
		}
		if !known[acct] {
			return fmt.Errorf("auth: user %q%s: unknown account %q", userName(u), where, acct)
		}
		perms, err := compilePerms(u.Permissions)
		if err != nil {
			return fmt.Errorf("auth: user %q%s: %v", userName(u), where, err)
		}
		switch {
		case u.Nkey != "" && (u.User != "" || u.Password != ""):
			return fmt.Errorf("auth: nkey user %q%s: nkey users take no user name or password", u.Nkey, where)
		case u.Nkey != "":
			if !nkeys.IsValidPublicUserKey(u.Nkey) {
				return fmt.Errorf("auth: nkey user %q%s: not a valid public user nkey", u.Nkey, where)
			}
			if a.nkeys[u.Nkey] != nil {
				return fmt.Errorf("auth: nkey user %q%s: defined twice", u.Nkey, where)
			}
			a.nkeys[u.Nkey] = &Identity{User: u.Nkey, Account: acct, Perms: perms}
		case u.User != "":
			if a.users[u.User] != nil {
				return fmt.Errorf("auth: user %q%s: defined twice", u.User, where)
			}
			a.users[u.User] = &entry{
				name: u.User,
				id:   &Identity{User: u.User, Account: acct, Perms: perms},
				sec:  newSecret(u.Password),
			}
		default:
			return fmt.Errorf("auth: a user entry%s has neither user nor nkey", where)
		}
		return nil
	}

	az := o.Authorization
	if az != nil {
		for _, u := range az.Users {
			if err := add(u, ""); err != nil {
				return err
			}
		}
	}
	for _, ac := range o.Accounts {
		for _, u := range ac.Users {
			if u != nil && u.Account == "" {
				cp := *u
				cp.Account = ac.Name
				u = &cp
			}
			if err := add(u, " in account "+fmt.Sprintf("%q", ac.Name)); err != nil {
				return err
			}
		}
	}

	if az != nil {
		multi := len(a.users) > 0 || len(a.nkeys) > 0
		switch {
		case az.Token != "" && (az.User != "" || az.Password != ""):
			return fmt.Errorf("auth: authorization: cannot have a user/password and a token")
		case multi && az.Token != "":
			return fmt.Errorf("auth: authorization: cannot have a token and a users list")
		case multi && az.User != "":
			return fmt.Errorf("auth: authorization: cannot have a single user %q and a users list", az.User)
		case az.Token != "":
			a.token = &entry{name: tokenName, id: &Identity{Account: GlobalAccount}, sec: newSecret(az.Token)}
		case az.User != "" || az.Password != "":
			a.single = &entry{name: az.User, id: &Identity{User: az.User, Account: GlobalAccount}, sec: newSecret(az.Password)}
		}
		if n := az.NoAuthUser; n != "" {
			if e := a.users[n]; e != nil {
				a.noAuth = e.id
			} else if id := a.nkeys[n]; id != nil {
				a.noAuth = id
			} else {
				return fmt.Errorf("auth: no_auth_user %q not present as user or nkey in authorization block or account configuration", n)
			}
		}
	}
	a.required = a.single != nil || a.token != nil || len(a.users) > 0 || len(a.nkeys) > 0
	a.dummy = pickDummy(a.users)
	return nil
}

func userName(u *config.User) string {
	if u.Nkey != "" {
		return u.Nkey
	}
	return u.User
}

// pickDummy chooses what an unknown user name is compared against: the
// bcrypt hash of highest cost among the users (so an unknown user costs
// a bcrypt like a known one and names cannot be probed by timing), or a
// plain digest that nothing hashes to.
func pickDummy(users map[string]*entry) *entry {
	d := &entry{name: unknownName, sec: secret{plain: [32]byte{0: 1}}}
	for _, e := range users {
		if e.sec.hash != nil && e.sec.cost >= d.sec.cost {
			if d.sec.hash == nil || e.sec.cost > d.sec.cost || string(e.sec.hash) < string(d.sec.hash) {
				d.sec = e.sec
			}
		}
	}
	return d
}
