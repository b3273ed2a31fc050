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
	a.users = map[string]*entry{}
	a.nkeys = map[string]*Identity{}
	if err := a.addUsers(o, accountNames(accts)); err != nil {
		return err
	}
	if az := o.Authorization; az != nil {
		if err := a.compileSecret(az); err != nil {
			return err
		}
		if err := a.compileNoAuthUser(az.NoAuthUser); err != nil {
			return err
		}
	}
	a.required = a.single != nil || a.token != nil || len(a.users) > 0 || len(a.nkeys) > 0
	a.dummy = pickDummy(a.users)
	return nil
}

func accountNames(accts []*AccountSpec) map[string]bool {
	known := make(map[string]bool, len(accts))
	for _, s := range accts {
		known[s.Name] = true
	}
	return known
}

// addUsers adds the users of the authorization block, then those of each
// account (which belong to that account unless they name one).
func (a *Auth) addUsers(o *config.Options, known map[string]bool) error {
	if az := o.Authorization; az != nil {
		for _, u := range az.Users {
			if err := a.addUser(u, "", known); err != nil {
				return err
			}
		}
	}
	for _, ac := range o.Accounts {
		where := fmt.Sprintf(" in account %q", ac.Name)
		for _, u := range ac.Users {
			if u != nil && u.Account == "" {
				cp := *u
				cp.Account = ac.Name
				u = &cp
			}
			if err := a.addUser(u, where, known); err != nil {
				return err
			}
		}
	}
	return nil
}

// addUser compiles one user entry; where names its block in errors.
func (a *Auth) addUser(u *config.User, where string, known map[string]bool) error {
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
	id := &Identity{Account: acct, Perms: perms}
	switch {
	case u.Nkey != "":
		return a.addNkeyUser(u, id, where)
	case u.User != "":
		return a.addPasswordUser(u, id, where)
	}
	return fmt.Errorf("auth: a user entry%s has neither user nor nkey", where)
}

func (a *Auth) addNkeyUser(u *config.User, id *Identity, where string) error {
	switch {
	case u.User != "" || u.Password != "":
		return fmt.Errorf("auth: nkey user %q%s: nkey users take no user name or password", u.Nkey, where)
	case !nkeys.IsValidPublicUserKey(u.Nkey):
		return fmt.Errorf("auth: nkey user %q%s: not a valid public user nkey", u.Nkey, where)
	case a.nkeys[u.Nkey] != nil:
		return fmt.Errorf("auth: nkey user %q%s: defined twice", u.Nkey, where)
	}
	id.User = u.Nkey
	a.nkeys[u.Nkey] = id
	return nil
}

func (a *Auth) addPasswordUser(u *config.User, id *Identity, where string) error {
	if a.users[u.User] != nil {
		return fmt.Errorf("auth: user %q%s: defined twice", u.User, where)
	}
	id.User = u.User
	a.users[u.User] = &entry{name: u.User, id: id, sec: newSecret(u.Password)}
	return nil
}

// compileSecret sets the authorization block's single user or token,
// which exclude each other and a users list.
func (a *Auth) compileSecret(az *config.Authorization) error {
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
	return nil
}

// compileNoAuthUser resolves no_auth_user (empty: none) to a user or
// nkey defined above.
func (a *Auth) compileNoAuthUser(n string) error {
	if n == "" {
		return nil
	}
	if e := a.users[n]; e != nil {
		a.noAuth = e.id
		return nil
	}
	if id := a.nkeys[n]; id != nil {
		a.noAuth = id
		return nil
	}
	return fmt.Errorf("auth: no_auth_user %q not present as user or nkey in authorization block or account configuration", n)
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
