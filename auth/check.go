package auth

import (
	"crypto/sha256"
	"encoding/base64"

	"github.com/nats-io/nkeys"
)

// job is a bcrypt comparison still to run. It is built by resolve and
// either run inline (Check) or by a pool worker (Start).
type job struct {
	key       [32]byte  // cache and coalescing key
	hash      []byte    // configured bcrypt hash (shared, read-only)
	pass      []byte    // presented password: a private copy, zeroed after use
	id        *Identity // identity on success; nil = fails whatever bcrypt says (dummy)
	user      string    // for the log
	cacheable bool
}

// Check authenticates cr synchronously and returns the identity or
// ErrAuthorization. Cheap paths (plain compare, nkey signature, cache hit)
// cost microseconds; a bcrypt miss runs bcrypt on the calling goroutine
// (~100 ms at cost 11). Event loops must call Start instead.
func (a *Auth) Check(cr Credentials) (*Identity, error) {
	id, j, err := a.resolve(&cr)
	if j == nil {
		return id, err
	}
	return a.runJob(j)
}

// Start authenticates cr without blocking on bcrypt.
//
// When no bcrypt is needed (plain secrets, nkeys, no auth, a cache hit)
// or the check cannot be queued, it returns sync=true with the result and
// never calls done. Otherwise it returns sync=false and calls done exactly
// once, later, on a pool goroutine (never on the caller's): the caller
// parks the connection and hops back to its event loop from done. When
// the pool has no room for it Start fails fast with ErrBusy (sync=true)
// rather than block; a queued check evicted to make room for a newer
// one gets ErrBusy through done. After Close Start returns ErrClosed.
//
// Concurrent Starts with the same user, configured hash and password
// share one bcrypt run.
func (a *Auth) Start(cr Credentials, done func(*Identity, error)) (sync bool, id *Identity, err error) {
	id, j, err := a.resolve(&cr)
	if j == nil {
		return true, id, err
	}
	if err := a.pool.submit(j, done, cr.RemoteAddr); err != nil {
		clear(j.pass)
		if err == errCached {
			return true, j.id, nil
		}
		return true, nil, err
	}
	return false, nil, nil
}

// resolve does everything but bcrypt: it returns the final result (j ==
// nil) or the bcrypt job to run. Failures found here are logged here.
func (a *Auth) resolve(cr *Credentials) (*Identity, *job, error) {
	if !a.required {
		return a.anonymous, nil, nil
	}
	if cr.empty() && a.noAuth != nil {
		return a.noAuth, nil, nil
	}
	if cr.Nkey != "" && len(a.nkeys) > 0 {
		return a.checkNkey(cr)
	}
	switch {
	case len(a.users) > 0:
		e := a.users[cr.User]
		if e == nil || cr.User == "" {
			return a.checkSecret(a.dummy, cr.Pass, cr, false)
		}
		return a.checkSecret(e, cr.Pass, cr, true)
	case a.token != nil:
		return a.checkSecret(a.token, cr.Token, cr, true)
	case a.single != nil:
		// The name is compared in the clear (it is not secret); the
		// password compare runs whatever the name, so that timing does not
		// tell which one was wrong.
		return a.checkSecret(a.single, cr.Pass, cr, cr.User == a.single.name)
	}
	return nil, nil, ErrAuthorization
}

// checkSecret compares a presented secret with e's. known=false makes the
// result a failure whatever the comparison says (unknown user or name).
func (a *Auth) checkSecret(e *entry, presented string, cr *Credentials, known bool) (*Identity, *job, error) {
	if e.sec.hash == nil {
		if e.sec.plainEqual(presented) && known {
			return e.id, nil, nil
		}
		return nil, nil, ErrAuthorization
	}
	name := e.name
	if !known {
		name = unknownName // never shares a key (cache or flight) with a real user
	}
	key := a.cacheKey(name, e.sec.hash, presented)
	if known && a.cache.has(key) {
		return e.id, nil, nil
	}
	j := &job{key: key, hash: e.sec.hash, pass: []byte(presented), user: cr.User, cacheable: known}
	if known {
		j.id = e.id
	}
	return nil, j, nil
}

// runJob runs one bcrypt comparison and records a success in the cache.
// Failures never touch the cache.
func (a *Auth) runJob(j *job) (*Identity, error) {
	a.bcrypts.Add(1)
	err := a.compare(j.hash, j.pass)
	clear(j.pass)
	if err != nil || j.id == nil {
		return nil, ErrAuthorization
	}
	if j.cacheable {
		a.cache.add(j.key)
	}
	return j.id, nil
}

// cacheKey is sha256(salt || name || 0 || hash || 0 || sha256(password)):
// it identifies one (user, configured hash, presented password) without
// keeping the password, and changes when the configuration changes the
// hash. The random salt keeps keys from being precomputed.
func (a *Auth) cacheKey(name string, hash []byte, pass string) [32]byte {
	ph := sha256.Sum256([]byte(pass))
	h := sha256.New()
	h.Write(a.salt[:])
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write(hash)
	h.Write([]byte{0})
	h.Write(ph[:])
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// checkNkey verifies the signature of the nonce with the user's public
// key (~50 µs, done inline).
func (a *Auth) checkNkey(cr *Credentials) (*Identity, *job, error) {
	id := a.nkeys[cr.Nkey]
	if id == nil || cr.Sig == "" || cr.Nonce == "" {
		return nil, nil, ErrAuthorization
	}
	sig, err := base64.RawURLEncoding.DecodeString(cr.Sig)
	if err != nil {
		sig, err = base64.StdEncoding.DecodeString(cr.Sig)
	}
	if err == nil {
		var pub nkeys.KeyPair
		if pub, err = nkeys.FromPublicKey(cr.Nkey); err == nil {
			err = pub.Verify([]byte(cr.Nonce), sig)
		}
	}
	if err != nil {
		return nil, nil, ErrAuthorization
	}
	return id, nil, nil
}
