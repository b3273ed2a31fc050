package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"

	"natsloop/config"
)

// GlobalAccount is the name of the default account, which holds every
// user not placed in an account and every connection when no
// authorization is configured.
const GlobalAccount = "$G"

// Errors. Every failed check returns ErrAuthorization (the broker answers
// -ERR 'Authorization Violation' whatever the cause); ErrBusy and
// ErrClosed are returned instead when the check did not run at all.
var (
	ErrAuthorization = errors.New("auth: " + ErrTextAuthViolation)
	ErrBusy          = errors.New("auth: too many authentications pending")
	ErrClosed        = errors.New("auth: closed")
)

// Credentials are what a client presented in CONNECT, plus the nonce the
// server sent it in INFO and its address (for the log). Field values are
// only read during Check/Start; Start copies what it keeps.
type Credentials struct {
	User  string // CONNECT "user"
	Pass  string // CONNECT "pass"
	Token string // CONNECT "auth_token"
	Nkey  string // CONNECT "nkey": a public user nkey (U...)
	Sig   string // CONNECT "sig": base64 (raw URL or standard) signature of Nonce
	Nonce string // the nonce sent in this connection's INFO

	RemoteAddr string // for the failed-login log line; its host is the pool's queue class
}

// empty reports whether no credential was presented at all.
func (cr *Credentials) empty() bool {
	return cr.User == "" && cr.Pass == "" && cr.Token == "" && cr.Nkey == ""
}

// Identity is who a connection is once authenticated. Identities are
// shared between connections of the same user and immutable: never
// modify one.
type Identity struct {
	User    string // user name, nkey public key, or "" (token, anonymous)
	Account string // account name; GlobalAccount by default
	Perms   *Perms // nil = everything allowed
}

// Auth is a compiled authorization configuration: the authenticators,
// compiled permissions, validated accounts, the bcrypt worker pool and the
// cache of successful bcrypt checks. It is safe for concurrent use; all
// fields are immutable after New except those documented otherwise.
type Auth struct {
	required bool
	timeout  time.Duration

	anonymous *Identity // identity when auth is not required
	single    *entry    // authorization { user, password }; nil otherwise
	token     *entry    // authorization { token }; nil otherwise
	users     map[string]*entry
	nkeys     map[string]*Identity
	noAuth    *Identity // no_auth_user; nil when not set

	// dummy stands in for an unknown user so that a failure costs what a
	// known user's failure costs: a constant-time compare of a digest, or
	// one bcrypt at a configured cost when any user has a bcrypt password.
	dummy *entry

	accounts []*AccountSpec

	salt  [16]byte // random per Auth, mixed into cache keys
	cache *okCache // guarded by its own mutex
	pool  *pool    // guarded by its own mutex

	// compare is bcrypt.CompareHashAndPassword; tests replace it (before
	// any check) to hold workers. Immutable after New.
	compare func(hash, pass []byte) error

	bcrypts atomic.Uint64 // real bcrypt comparisons run
}

// Limits of the bcrypt pool and cache; New uses defaultLimits.
type limits struct {
	workers  int // bcrypt goroutines
	queue    int // distinct checks waiting for a worker
	waiters  int // connections waiting in total (a check may serve several)
	cacheMax int // cached successful checks
}

func defaultLimits() limits {
	n := runtime.GOMAXPROCS(0)
	return limits{workers: n, queue: 1024, waiters: 16384, cacheMax: 8192}
}

// New compiles o's authorization block and accounts. Errors start with
// "auth: " and name the user or account at fault.
func New(o *config.Options) (*Auth, error) {
	return newAuth(o, defaultLimits())
}

func newAuth(o *config.Options, l limits) (*Auth, error) {
	a := &Auth{
		timeout:   o.AuthTimeout,
		anonymous: &Identity{Account: GlobalAccount},
		cache:     newOKCache(l.cacheMax),
		compare:   bcrypt.CompareHashAndPassword,
	}
	a.pool = newPool(a, l)
	if _, err := rand.Read(a.salt[:]); err != nil {
		return nil, errors.New("auth: no randomness: " + err.Error())
	}
	if err := a.compile(o); err != nil {
		return nil, err
	}
	return a, nil
}

// Required reports whether clients must authenticate (INFO
// auth_required).
func (a *Auth) Required() bool { return a.required }

// NeedsNonce reports whether INFO must carry a nonce: nkey users exist.
func (a *Auth) NeedsNonce() bool { return len(a.nkeys) > 0 }

// NewNonce returns a fresh nonce for one connection's INFO: 11 random
// bytes, base64 raw-URL encoded (15 characters), as nats-server.
func (a *Auth) NewNonce() string {
	var b [11]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("auth: no randomness: " + err.Error()) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Timeout is how long a client has to send CONNECT (authorization
// timeout).
func (a *Auth) Timeout() time.Duration { return a.timeout }

// Accounts returns every account, the global account $G first, then the
// configured ones in file order. The specs are immutable.
func (a *Auth) Accounts() []*AccountSpec { return a.accounts }

// BcryptChecks returns how many bcrypt comparisons have run (cache hits
// and coalesced checks do not count).
func (a *Auth) BcryptChecks() uint64 { return a.bcrypts.Load() }

// Pending returns the number of connections waiting for a bcrypt check
// (queued or running).
func (a *Auth) Pending() int { return a.pool.pending() }

// Close stops the bcrypt workers. Checks still queued complete with
// ErrClosed (their done is called); later Start calls return ErrClosed.
func (a *Auth) Close() { a.pool.close() }
