package auth

// HasNoAuthUser reports whether no_auth_user is set: a client may then
// connect without credentials (nats-server also lets it send other ops
// before any CONNECT).
func (a *Auth) HasNoAuthUser() bool { return a.required && a.noAuth != nil }
