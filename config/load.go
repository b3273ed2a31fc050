package config

import (
	"errors"
	"io/fs"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/conf"
)

// loader holds the state of one Load. Not shared.
type loader struct {
	file  string
	o     *Options
	errs  []error
	warns []Warning
	// where each top-level setting was, by canonical name, for
	// validation errors
	at             map[string]value
	authTimeoutSet bool
	// permissive accepts settings natsloop does not implement (they are
	// stored in Options all the same): for tests of their parsing.
	permissive bool
}

// Load reads a nats-server config file on top of Default. Every problem
// is an error (all of them joined, each a *Error naming file, line,
// column and key): values of the wrong kind, keys nats-server does not
// know, and settings natsloop does not implement. Warnings are what
// nats-server warns about and still starts with.
func Load(path string) (*Options, []Warning, error) {
	o := Default()
	w, err := LoadInto(o, path)
	if err != nil {
		return nil, w, err
	}
	return o, w, nil
}

// LoadInto is Load on top of the given options (flags use it to load the
// file before their own values are applied).
func LoadInto(o *Options, path string) ([]Warning, error) {
	return loadInto(o, path, false)
}

func loadInto(o *Options, path string, permissive bool) ([]Warning, error) {
	m, digest, err := conf.ParseFileWithChecksDigest(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	l := &loader{file: path, o: o, at: make(map[string]value), permissive: permissive}
	o.ConfigFile, o.ConfigDigest = path, digest
	if len(m) == 0 {
		l.warns = append(l.warns, Warning{File: path, Msg: "config has no values or is empty"})
	}
	for _, v := range l.fields(nil, m) {
		l.top(v)
	}
	l.checkDuplicateUsers()
	l.checkAccountUsers()
	l.finish()
	l.errs = append(l.errs, l.validate(o)...)
	return l.warns, errors.Join(l.errs...)
}

// fileError words a file that cannot be read or parsed as nats-server
// does ("open x.conf: no such file or directory"), and names the file in
// syntax errors, which conf words without it.
func fileError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &Error{Msg: pe.Error()}
	}
	return &Error{File: path, Msg: err.Error()}
}

// top loads one top-level setting.
func (l *loader) top(v value) {
	l.at[v.name] = v
	for _, group := range []func(value) bool{l.topNet, l.topLog, l.topLimits, l.topTimers, l.topBlocks, l.topMonitor} {
		if group(v) {
			return
		}
	}
	if unimplementedTop(v.name) {
		l.refused(v)
		return
	}
	l.unknown(v)
}

// clientPort maps the file's port to the listener's: -1 (random) is 0,
// 0 is the default port.
func clientPort(p int) int {
	switch p {
	case -1:
		return 0
	case 0:
		return DefaultPort
	}
	return p
}

func (l *loader) setStr(v value, dst *string) {
	if s, ok := l.str(v); ok {
		*dst = s
	}
}

func (l *loader) setBool(v value, dst *bool) {
	if b, ok := l.boolean(v); ok {
		*dst = b
	}
}

func (l *loader) setInt(v value, dst *int, lo, hi int64) {
	if n, ok := l.intIn(v, lo, hi); ok {
		*dst = n
	}
}

func (l *loader) setDuration(v value, dst *time.Duration) {
	if d, ok := l.duration(v); ok {
		*dst = d
	}
}

// listen reads `port` or `host:port` (port may be -1).
func (l *loader) listen(v value) (string, int, bool) {
	switch x := v.raw.(type) {
	case int64:
		if x < -1 || x > 65535 {
			l.errorf(v, "port %d is out of range [-1, 65535]", x)
			return "", 0, false
		}
		return "", int(x), true
	case string:
		host, port, err := net.SplitHostPort(x)
		if err != nil {
			l.errorf(v, "could not parse address string %q", x)
			return "", 0, false
		}
		p, err := strconv.Atoi(port)
		if err != nil || p < -1 || p > 65535 {
			l.errorf(v, "could not parse port %q", port)
			return "", 0, false
		}
		return host, p, true
	}
	l.errorf(v, "expected port or host:port, got %s", describe(v.raw))
	return "", 0, false
}

// finish applies defaults that depend on several settings.
func (l *loader) finish() {
	finish(l.o, l.authTimeoutSet)
}

func finish(o *Options, authTimeoutSet bool) {
	if o.TLS != nil && !authTimeoutSet {
		o.AuthTimeout = o.TLS.Timeout + time.Second
	}
	if o.Authorization != nil && o.Authorization.Timeout == 0 {
		o.Authorization.Timeout = o.AuthTimeout
	}
}
