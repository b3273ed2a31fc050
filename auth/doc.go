// Package auth decides who may connect and what they may do: the
// authorization block (single user/password, token, users list with
// per-user permissions, nkey users, default_permissions, no_auth_user)
// and the accounts block (users per account, stream and service exports
// and imports, the default account $G). New compiles a config.Options
// into an *Auth; the broker asks it at three moments:
//
//	INFO     Required() -> auth_required; NeedsNonce() -> NewNonce() per connection
//	CONNECT  Start(Credentials{...Nonce: the INFO nonce}, done) -> *Identity
//	PUB/SUB  Identity.Perms.CanPublish / CanSubscribe (nil Perms: all allowed)
//
// # bcrypt off the loop
//
// A configured password or token that looks like a bcrypt hash
// (^\$2[abxy]\$\d{2}\$) is checked with bcrypt: about 116 ms of CPU at
// cost 11, which would freeze every connection of an event loop. Start
// therefore never runs bcrypt on the caller's goroutine:
//
//   - It returns sync=true with the result when no bcrypt is needed:
//     no auth, plain passwords and tokens (constant-time compare),
//     nkey signatures (~50 µs, verified inline), no_auth_user, and bcrypt
//     credentials found in the success cache. done is not called.
//   - Otherwise it queues the check on a pool of GOMAXPROCS goroutines
//     and returns sync=false; done(identity, err) is then called exactly
//     once, from a pool goroutine, never from the caller's. The broker
//     parks the connection (stops parsing its input), and from done hops
//     back to the connection's loop (Shard.Execute) to resume it.
//
// Check is the synchronous form, for callers that may block (tools,
// tests): on a cache miss it runs bcrypt on the calling goroutine.
//
// # Pool order and bounds
//
// A CONNECT stops the auth timer, as in nats-server: however long its
// check waits, a client that sent CONNECT in time is answered with the
// verdict, never Authentication Timeout. Under a flood the pool decides
// who is answered first. It has GOMAXPROCS workers, no more: concurrent
// bcrypts share the CPUs, so more workers would only make every check
// end later (nats-server runs one per client goroutine, so under a flood
// all its answers come late, together) and take the CPUs from the event
// loops. The queue (see queue.go) serves the remote hosts in turn and,
// within a host, the newest check first: a flood from one host delays
// another host's check by about one bcrypt run, a valid user connecting
// during a burst from the same host waits for a worker rather than for
// the burst, and the checks answered first are those whose clients are
// most likely still waiting.
//
// Memory is bounded: at most 1024 distinct checks queue; a newcomer
// beyond that evicts the oldest check of the host with the most queued
// (its done gets ErrBusy). At most 16384 connections wait in total
// (checks with the same key share a run); beyond that Start fails fast
// with ErrBusy (sync=true). The broker answers ErrBusy with
// Authentication Timeout, never with a verdict on the credentials.
//
// # Cache
//
// A successful bcrypt check is remembered under
// sha256(salt || user || 0 || configured hash || 0 || sha256(password)),
// salt random per Auth, in an LRU of 8192 keys. A reconnect storm of N
// clients sharing a credential therefore costs one bcrypt, not N: checks
// with the same key that overlap in time also share one bcrypt run
// (coalescing), so even the first burst pays once. Only successes are
// added: wrong passwords can neither fill the cache nor evict good
// entries, and every distinct wrong password still costs a full bcrypt,
// so brute force is no cheaper than against nats-server. A cache hit is
// only possible with the right password, so its speed tells an attacker
// nothing it did not already know. The key changes with the configured
// hash, so a new Auth (reload) or a changed password never hits an old
// entry. BcryptChecks counts real bcrypt runs (for tests and metrics).
//
// # Timing
//
// Plain passwords and tokens are kept as SHA-256 digests and compared
// with crypto/subtle over the digests, so the time does not depend on
// the presented value or its length. An unknown user name is compared
// against a dummy: a digest nothing matches, or, when any user has a
// bcrypt password, the highest-cost configured hash (its result is
// discarded), so that an unknown user costs what a wrong password costs.
// With a single user, the password is compared whatever the name. (A
// configuration mixing plain and bcrypt users still tells a plain user
// from an unknown one by timing; use one kind.)
//
// Failed logins are logged by the caller (broker), which knows the
// connection's id; this package never sees where a password came from.
//
// # Permissions
//
// Perms is compiled once per user and shared by its connections. See
// Perms for the exact allow/deny/queue semantics. CanPublish,
// CanSubscribe and CanDeliver do not allocate; CanPublish caches results
// per subject (lock-free) when a user has many patterns. allow_responses
// is per connection state: Perms.NewReplies gives the connection a
// Replies tracker, owned by its loop.
//
// # Accounts
//
// Accounts returns validated accounts ($G first): every import matches
// an export of the same kind in the other account that allows the
// importer. ImportSpec.ToLocal / ToRemote map subjects between the two
// namespaces (stream prefix or to, service to).
//
// # Concurrency
//
// An *Auth, its Identities, Perms and AccountSpecs are immutable after
// New (the caches are internally synchronized) and safe for concurrent
// use from every loop. Replies is not: one per connection, on its loop.
// Close stops the pool; queued checks complete with ErrClosed.
package auth
