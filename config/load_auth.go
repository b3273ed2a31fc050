package config

import (
	"strconv"
	"strings"
	"time"
)

// auth returns the Authorization, creating it on first use.
func (l *loader) auth() *Authorization {
	if l.o.Authorization == nil {
		l.o.Authorization = &Authorization{}
	}
	return l.o.Authorization
}

func (l *loader) authorization(v value) {
	a := l.auth()
	var usersSeen bool
	ok := l.each(v, func(f value) bool {
		switch f.name {
		case "user", "username":
			l.setStr(f, &a.User)
		case "pass", "password":
			l.setStr(f, &a.Password)
		case "token":
			l.setStr(f, &a.Token)
		case "timeout":
			l.authTimeout(f, a)
		case "users":
			usersSeen = true
			a.Users = append(a.Users, l.users(f, "")...)
		case "default_permission", "default_permissions", "permissions":
			a.DefaultPermissions = l.permissions(f)
		case "auth_callout", "auth_hook", "proxy_required":
			l.refused(f)
		default:
			return false
		}
		return true
	})
	if !ok {
		return
	}
	defaultPermissions(a.Users, a.DefaultPermissions)
	switch {
	case (a.User != "" || a.Password != "") && a.Token != "":
		l.errorf(v, "Cannot have a user/pass and token")
	case usersSeen && a.User != "":
		l.errorf(v, "Can not have a single user/pass and a users array")
	case usersSeen && a.Token != "":
		l.errorf(v, "Can not have a token and a users array")
	}
}

// authTimeout reads authorization.timeout: seconds or a duration, with
// nats-server's warning above a minute.
func (l *loader) authTimeout(f value, a *Authorization) {
	d, ok := l.seconds(f)
	if !ok {
		return
	}
	if d > time.Minute {
		l.warnf(f, "timeout of %v (%f seconds) is high, consider keeping it under 60 seconds. possibly caused by unquoted duration; use '1m' instead of 1m, for example", f.raw, d.Seconds())
	}
	a.Timeout = d
	l.o.AuthTimeout = d
	l.authTimeoutSet = true
}

// users reads a users list; account is the owning account ("" = global).
func (l *loader) users(v value, account string) []*User {
	items, ok := l.list(v)
	if !ok {
		return nil
	}
	var out []*User
	for _, it := range items {
		if _, ok := it.raw.(map[string]any); !ok {
			l.errorf(it, "expected user entry to be a map, got %s", describe(it.raw))
			continue
		}
		u := &User{Account: account}
		l.each(it, func(f value) bool { return l.userField(f, u) })
		switch {
		case u.User == "" && u.Nkey == "":
			l.errorf(it, "User entry requires a user")
			continue
		case u.Nkey != "" && (u.User != "" || u.Password != ""):
			l.errorf(it, "Nkey users do not take usernames or passwords")
			continue
		case u.Nkey != "" && !validUserNkey(u.Nkey):
			l.errorf(it, "Not a valid public nkey for a user")
			continue
		}
		out = append(out, u)
	}
	return out
}

func (l *loader) userField(f value, u *User) bool {
	switch f.name {
	case "user", "username":
		l.setStr(f, &u.User)
	case "pass", "password":
		l.setStr(f, &u.Password)
	case "nkey":
		l.setStr(f, &u.Nkey)
	case "permission", "permissions", "authorization":
		u.Permissions = l.permissions(f)
	case "allowed_connection_types", "connection_types", "clients", "proxy_required":
		l.refused(f)
	default:
		return false
	}
	return true
}

// validUserNkey checks the shape of a public user nkey (U + 55 base32
// characters); the checksum is auth's business.
func validUserNkey(s string) bool {
	if len(s) != 56 || s[0] != 'U' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

func (l *loader) permissions(v value) *Permissions {
	p := &Permissions{}
	ok := l.each(v, func(f value) bool {
		switch f.name {
		case "pub", "publish", "import":
			p.Publish = l.subjectPermission(f)
		case "sub", "subscribe", "export":
			p.Subscribe = l.subjectPermission(f)
		case "publish_allow_responses", "allow_responses":
			p.AllowResponses = l.responsePermission(f)
		default:
			if !f.usedVariable() {
				l.fieldErrorf(f, "Unknown field %q parsing permissions", f.field())
			}
		}
		return true
	})
	if !ok {
		return nil
	}
	if p.AllowResponses != nil {
		if p.Publish == nil {
			p.Publish = &SubjectPermission{}
		}
		if p.Publish.Allow == nil {
			p.Publish.Allow = []string{}
		}
	}
	return p
}

// subjectPermission reads a string, a list, or {allow, deny}.
func (l *loader) subjectPermission(v value) *SubjectPermission {
	m, ok := v.raw.(map[string]any)
	if !ok {
		s, ok := l.strs(v)
		if !ok {
			return nil
		}
		return &SubjectPermission{Allow: s}
	}
	if len(m) == 0 {
		return nil
	}
	sp := &SubjectPermission{}
	l.each(v, func(f value) bool {
		switch f.name {
		case "allow":
			sp.Allow, _ = l.strs(f)
		case "deny":
			sp.Deny, _ = l.strs(f)
		default:
			if !f.usedVariable() {
				l.errorf(f, "only 'allow' or 'deny' are permitted")
			}
		}
		return true
	})
	return sp
}

func (l *loader) responsePermission(v value) *ResponsePermission {
	rp := &ResponsePermission{MaxMsgs: DefaultResponseMaxMsgs, Expires: DefaultResponseExpires}
	if b, ok := v.raw.(bool); ok {
		if !b {
			return nil
		}
		return rp
	}
	if _, ok := v.raw.(map[string]any); !ok {
		l.errorf(v, "expected a boolean or a map, got %s", describe(v.raw))
		return nil
	}
	l.each(v, func(f value) bool {
		switch f.name {
		case "max", "max_msgs", "max_messages", "max_responses":
			if n, ok := l.integer(f); ok && n != 0 {
				rp.MaxMsgs = int(n)
			}
		case "expires", "expiration", "ttl":
			l.responseExpires(f, rp)
		default:
			if !f.usedVariable() {
				l.errorf(f, "unknown field in response permissions")
			}
		}
		return true
	})
	return rp
}

func (l *loader) responseExpires(f value, rp *ResponsePermission) {
	s, ok := l.str(f)
	if !ok {
		return
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		l.errorf(f, "expected a duration, got %q", s)
	} else if d != 0 {
		rp.Expires = d
	}
}

// accounts reads `accounts { A: {...} }` or `accounts: [A, B]`.
func (l *loader) accounts(v value) {
	if items, ok := v.raw.([]any); ok {
		for i := range items {
			it := l.wrap(&v, "["+strconv.Itoa(i)+"]", items[i])
			if name, ok := l.str(it); ok && l.accountName(it, name) {
				l.o.Accounts = append(l.o.Accounts, &Account{Name: name})
			}
		}
		return
	}
	l.each(v, func(f value) bool {
		if f.usedVariable() {
			return true
		}
		if _, ok := f.raw.(map[string]any); !ok {
			l.errorf(f, "Expected map entries for accounts")
			return true
		}
		name := f.field()
		if l.accountName(f, name) {
			l.o.Accounts = append(l.o.Accounts, l.account(f, name))
		}
		return true
	})
}

func (l *loader) accountName(v value, name string) bool {
	if name == "$G" {
		l.errorf(v, "%q is a Reserved Account", name)
		return false
	}
	for _, a := range l.o.Accounts {
		if a.Name == name {
			l.errorf(v, "duplicate account %q", name)
			return false
		}
	}
	return true
}

func (l *loader) account(v value, name string) *Account {
	a := &Account{Name: name}
	l.each(v, func(f value) bool {
		switch f.name {
		case "nkey": // the account's own public key: not used by natsloop
			if !l.refused(f) {
				l.setStr(f, &a.Nkey)
			}
		case "users":
			a.Users = append(a.Users, l.users(f, name)...)
			l.at[f.key] = f
		case "default_permissions":
			a.DefaultPermissions = l.permissions(f)
		case "exports":
			a.Exports = append(a.Exports, listOf(l, f, l.export)...)
		case "imports":
			a.Imports = append(a.Imports, listOf(l, f, l.importEntry)...)
		case "jetstream", "mappings", "maps", "limits", "msg_trace", "trace_dest":
			l.refused(f)
		default:
			return false
		}
		return true
	})
	defaultPermissions(a.Users, a.DefaultPermissions)
	return a
}

// listOf loads each entry of the list v with one, leaving out those
// one refuses.
func listOf[T any](l *loader, v value, one func(value) (T, bool)) []T {
	items, _ := l.list(v)
	var out []T
	for _, it := range items {
		if x, ok := one(it); ok {
			out = append(out, x)
		}
	}
	return out
}

func (l *loader) export(v value) (Export, bool) {
	var e Export
	ok := l.each(v, func(f value) bool {
		switch f.name {
		case "stream":
			l.setStr(f, &e.Stream)
		case "service":
			l.setStr(f, &e.Service)
		case "accounts":
			e.Accounts, _ = l.strs(f)
		case "response", "response_type":
			l.responseType(f, &e)
		case "latency", "threshold", "response_threshold", "response_max_time", "response_time",
			"account_token_position", "allow_trace":
			l.refused(f)
		default:
			return false
		}
		return true
	})
	if !ok {
		return e, false
	}
	switch {
	case e.Stream == "" && e.Service == "":
		l.errorf(v, "export needs a stream or a service subject")
		return e, false
	case e.Stream != "" && e.Service != "":
		l.errorf(v, "export cannot be both a stream and a service")
		return e, false
	case e.Stream != "" && e.ResponseType != "":
		l.errorf(v, "Detected response directive on non-service")
		return e, false
	}
	return e, true
}

func (l *loader) responseType(f value, e *Export) {
	s, ok := l.str(f)
	if !ok {
		return
	}
	switch strings.ToLower(s) {
	case "single", "singleton":
		e.ResponseType = "Singleton"
	case "stream":
		e.ResponseType = "Stream"
	case "chunk", "chunked":
		e.ResponseType = "Chunked"
	default:
		l.errorf(f, "unknown response type %q", s)
	}
}

func (l *loader) importEntry(v value) (Import, bool) {
	var im Import
	ok := l.each(v, func(f value) bool {
		switch f.name {
		case "stream":
			im.Stream = l.importSource(f)
		case "service":
			im.Service = l.importSource(f)
		case "prefix":
			l.setStr(f, &im.Prefix)
		case "to":
			l.setStr(f, &im.To)
		case "share", "allow_trace":
			l.refused(f)
		default:
			return false
		}
		return true
	})
	if !ok {
		return im, false
	}
	switch {
	case im.Stream == nil && im.Service == nil:
		l.errorf(v, "import needs a stream or a service")
		return im, false
	case im.Stream != nil && im.Service != nil:
		l.errorf(v, "import cannot be both a stream and a service")
		return im, false
	case im.Service != nil && im.Prefix != "":
		l.errorf(v, "prefix is only for stream imports")
		return im, false
	}
	return im, true
}

func (l *loader) importSource(v value) *ImportSource {
	src := &ImportSource{}
	ok := l.each(v, func(f value) bool {
		switch f.name {
		case "account":
			l.setStr(f, &src.Account)
		case "subject":
			l.setStr(f, &src.Subject)
		default:
			return false
		}
		return true
	})
	if !ok {
		return nil
	}
	if src.Account == "" || src.Subject == "" {
		l.errorf(v, "Expect an account name and a subject")
		return nil
	}
	return src
}

// checkDuplicateUsers reports a user name or nkey defined twice across
// the authorization block and all accounts.
func (l *loader) checkDuplicateUsers() {
	seen := map[string]bool{}
	check := func(us []*User) {
		for _, u := range us {
			id := u.User
			if u.Nkey != "" {
				id = u.Nkey
			}
			if seen[id] {
				l.errs = append(l.errs, errorf(l.file, 0, 0, "users", "Duplicate user %q detected", id))
			}
			seen[id] = true
		}
	}
	if l.o.Authorization != nil {
		check(l.o.Authorization.Users)
	}
	for _, a := range l.o.Accounts {
		check(a.Users)
	}
}

// checkAccountUsers refuses users in accounts beside a single user or a
// token in the authorization block, as nats-server does.
func (l *loader) checkAccountUsers() {
	az := l.o.Authorization
	if az == nil || az.User == "" && az.Token == "" {
		return
	}
	msg := "Can not have a single user/pass and accounts"
	if az.User == "" {
		msg = "Can not have a token and accounts"
	}
	for _, a := range l.o.Accounts {
		if len(a.Users) == 0 {
			continue
		}
		if v, ok := l.at["accounts."+a.Name+".users"]; ok {
			l.fieldErrorf(v, "%s", msg)
		} else {
			l.errs = append(l.errs, &Error{File: l.file, Key: "accounts", Msg: msg})
		}
	}
}

// defaultPermissions gives perms to every user that has none of its own.
func defaultPermissions(users []*User, perms *Permissions) {
	if perms == nil {
		return
	}
	for _, u := range users {
		if u.Permissions == nil {
			u.Permissions = perms
		}
	}
}
