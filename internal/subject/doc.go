// Package subject validates NATS subjects and indexes subscriptions by
// subject for message delivery.
//
// # Subjects
//
// A subject is a series of tokens separated by '.', none empty, without
// whitespace ("\t\n\f\r "). In a subscription, '*' as a whole token matches
// exactly one token and '>' as the whole last token matches one or more
// tokens; "foo*.bar" is a literal token. ValidSubject checks SUB subjects,
// ValidLiteral publish subjects (no wildcards), ValidPublish what a
// pedantic client may publish to (nats-server's looser rule),
// HasEmptyToken subjects no rule can match, ValidQueue queue names,
// Matches tests one literal against one pattern (for permissions). None of
// them allocates or retains its arguments.
//
// # Index
//
// Index[S] maps subjects (with wildcards) and optional queue groups to
// subscriptions of any comparable type S (typically a pointer). Match
// returns a *Result: every matching plain subscription, plus one Group per
// queue name, merged across patterns (a message matching "foo.*" queue q
// and "foo.bar" queue q sees one group q). An S inserted under two patterns
// that both match appears twice, as in nats-server; the broker deals with
// it. Inserting the same (subject, queue, S) twice is a no-op.
//
// # Concurrency contract
//
// All methods are safe for concurrent use. Match and HasInterest may run on
// every event loop at once, concurrently with Insert and Remove:
//
//   - A cache hit takes no lock: a hash of the subject, a few atomic loads
//     of a set-associative table (slot tags first, one cache line per set)
//     and a striped counter increment. It does not allocate.
//   - A miss walks the trie under the read lock of a sync.RWMutex. Its
//     result is shared, not built, in the usual cases: the matching
//     subscriptions all on one trie node (no interest, one '>' subscriber,
//     a literal subject's subscribers) give that node's result, kept on
//     the node until its subscriptions change; two to four matching nodes
//     give the result last merged from those very nodes, kept on the last
//     of them while the index is unchanged. Only more nodes, or the first
//     match after a change, allocate a new Result.
//   - The miss stores its result in the cache (still under the read lock)
//     only when the subject missed shortly before too: an admission
//     filter of recent misses' hash tags, as large as the cache. So a
//     publisher cycling through more subjects than the cache holds (subject
//     churn, unique reply subjects) neither allocates cache entries nor
//     evicts the subjects that are published often.
//   - Insert and Remove take the write lock, change the trie and clear the
//     cached results the changed pattern matches (one set for a literal
//     subject, a scan of the table for a wildcard), nothing else, so churn
//     on one subject leaves the cache of the others alone. Because misses
//     store under the read lock, a result computed before a change can never
//     be stored after the change cleared it: once Insert returns, the next
//     Match sees the new subscription.
//
// Why this and not a plain RWMutex around a map cache: RLock/RUnlock write
// the mutex's reader count, one cache line shared by every core, on every
// Match, and so does a single shared hit counter; with every event loop
// matching millions of messages per second that line ping-pongs between
// cores. Here the hit path writes nothing shared except a counter stripe
// picked from the calling goroutine's stack address (32 stripes 128 bytes
// apart; each event loop goroutine mostly owns its stripe). Measured on the
// 2-core build machine with b.RunParallel (bench_test.go), per Match:
//
//	lock-free hit, one subject          ~9 ns   (RWMutex + map: ~40 ns)
//	lock-free hit, 1000 subjects       ~13 ns   (RWMutex + map: ~40 ns)
//	same, single shared hit counter    ~22 ns
//
// The trie itself stays under a sync.RWMutex: only misses and writers take
// it, and a miss pays a trie walk anyway. A miss under subject churn
// (BenchmarkMatchChurn: 1M subjects cycling, none cached; no subscription,
// one '>', or '>' among other patterns) costs ~45 ns and allocates
// nothing; before results were shared and the cache had its admission
// filter it cost ~150-200 ns and 2-3 allocations, and evicted the cache.
//
// The cost moves to writers: a wildcard Insert/Remove scans the cache
// (4096 slots, a per-entry prefilter on token count and first/last token
// hashes before Matches): ~3-5 us; a literal one touches one set: ~0.1 us.
//
// # Result immutability
//
// A Result is never written after Match returns it: readers iterate Plain
// and Queues without locks for as long as they like, while writers build
// new Results. A Result may share its slices with the trie (a writer that
// would overwrite them copies first), so callers must not modify or append
// to them.
//
// # Ownership of byte slices
//
// Insert copies the subject tokens and the queue name it keeps; the caller
// may reuse its buffers when Insert returns. Remove, Match, HasInterest and
// the validators do not retain their arguments; when Match caches a result
// it stores its own copy of the subject. Group.Name in a Result is the
// index's private copy and is immutable. The subject and queue passed to
// the All callback are valid only during the call.
package subject
