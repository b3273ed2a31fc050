package config

import (
	"errors"
	"fmt"
)

// Validate checks settings that depend on each other or on limits, as
// nats-server does at startup. Errors name the setting
// ("config: max_payload: ..."); Load reports them with file positions.
func (o *Options) Validate() error {
	errs, _ := check(o)
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return errors.Join(out...)
}

// Advisories returns what nats-server logs as warnings at startup about
// valid but discouraged settings (max_payload above 8MB).
func (o *Options) Advisories() []string {
	_, w := check(o)
	return w
}

// validate runs check and places each problem at its setting in the file.
func (l *loader) validate(o *Options) []error {
	errs, _ := check(o)
	out := make([]error, 0, len(errs))
	for _, e := range errs {
		l.place(e)
		out = append(out, e)
	}
	return out
}

func (l *loader) place(e *Error) {
	if v, ok := l.at[e.Key]; ok {
		e.File, e.Line, e.Col = v.file, v.line, v.col
	} else if e.File == "" {
		e.File = l.file
	}
}

// complaint records a problem with the setting key.
type complaint func(key, format string, args ...any)

func check(o *Options) (errs []*Error, advisories []string) {
	bad := func(key, format string, args ...any) {
		errs = append(errs, &Error{Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	checkNet(o, bad)
	if checkLimits(o, bad) {
		advisories = append(advisories, "Maximum payloads over 8.00 MB are generally discouraged and could lead to poor performance")
	}
	checkTimers(o, bad)
	checkAccounts(o, bad)
	return errs, advisories
}

func checkNet(o *Options, bad complaint) {
	port := func(key string, p, lo int) {
		if p < lo || p > 65535 {
			bad(key, "port %d is out of range [%d, 65535]", p, lo)
		}
	}
	port("port", o.Port, 0)
	port("http_port", o.HTTPPort, -1)
	port("https_port", o.HTTPSPort, -1)
	if o.Host == "" {
		bad("host", "host must not be empty")
	}
	if o.HTTPSPort != 0 && o.TLS == nil {
		bad("https_port", "monitoring over https requires a tls {} block")
	}
	if o.Cluster != nil {
		port("cluster", o.Cluster.Port, -1)
	}
}

// checkLimits reports whether max_payload is large enough for
// nats-server's advisory.
func checkLimits(o *Options, bad complaint) (largePayload bool) {
	switch {
	case o.MaxPayload <= 0:
		bad("max_payload", "must be positive, got %d", o.MaxPayload)
	case o.MaxPayload > MaxPayloadLimit:
		bad("max_payload", "value is too big")
	case int64(o.MaxPayload) > o.MaxPending:
		bad("max_payload", "max_payload (%d) cannot be higher than max_pending (%d)", o.MaxPayload, o.MaxPending)
	case o.MaxPayload > MaxPayloadWarn:
		largePayload = true
	}
	if o.MaxPending <= 0 {
		bad("max_pending", "must be positive, got %d", o.MaxPending)
	}
	if o.MaxControlLine <= 0 {
		bad("max_control_line", "must be positive, got %d", o.MaxControlLine)
	}
	if o.MaxSubs < 0 {
		bad("max_subscriptions", "must not be negative, got %d", o.MaxSubs)
	}
	if o.Loops < 0 {
		bad("loops", "must not be negative, got %d", o.Loops)
	}
	return largePayload
}

func checkTimers(o *Options, bad complaint) {
	if o.PingInterval < 0 {
		bad("ping_interval", "must not be negative, got %v", o.PingInterval)
	}
	if o.MaxPingsOut < 0 {
		bad("ping_max", "must not be negative, got %d", o.MaxPingsOut)
	}
	if o.WriteDeadline < 0 {
		bad("write_deadline", "must not be negative, got %v", o.WriteDeadline)
	}
	if o.AuthTimeout < 0 {
		bad("authorization", "timeout must not be negative, got %v", o.AuthTimeout)
	}
}

func checkAccounts(o *Options, bad complaint) {
	names := map[string]bool{}
	users := map[string]bool{}
	for _, a := range o.Accounts {
		names[a.Name] = true
		for _, u := range a.Users {
			users[u.User] = true
			users[u.Nkey] = true
		}
	}
	if a := o.Authorization; a != nil {
		for _, u := range a.Users {
			users[u.User] = true
			users[u.Nkey] = true
		}
		if a.NoAuthUser != "" && !users[a.NoAuthUser] {
			bad("no_auth_user", "%q not present as user or nkey in authorization block or account configuration", a.NoAuthUser)
		}
	}
	for _, a := range o.Accounts {
		for _, im := range a.Imports {
			src := im.Stream
			if src == nil {
				src = im.Service
			}
			if src != nil && !names[src.Account] {
				bad("accounts", "account %q imports from unknown account %q", a.Name, src.Account)
			}
		}
	}
}
