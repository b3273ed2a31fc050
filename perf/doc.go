// Package perf is natsloop's perf harness: it runs natsloop and a
// reference nats-server side by side on the local host, scenario by
// scenario, with the same client, and reports how they compare. The
// command is cmd/natsloop-perf (flags -> Config -> Run -> WriteTable,
// WriteCSV, WriteJSON, WriteHTML).
//
// It never imports natsloop's server packages: it only starts server
// binaries (natsloop built from ./cmd/natsloop, or any binary given) and
// talks to them over loopback with nats.go or a raw TCP client.
//
// # Method
//
// A case is one scenario at one message size. Each case runs Rounds times
// on each server, alternating A B A B ..., so slow drift of the host (other
// load, thermal state) hits both alike. Every run starts a fresh server
// process on a free 127.0.0.1 port chosen by the harness (not every server
// supports port 0), waits for its INFO line, runs the scenario and stops
// the server (SIGTERM, then SIGKILL). Servers get Pdeathsig so they die
// with the harness.
//
// Inside a run, the scenario first runs a warm-up phase (same clients,
// same traffic, not measured) and waits until it has fully drained, then
// the measured window (Duration, or exactly Msgs messages). The window
// ends when the last subscriber has received the last message (or, for
// publish-only, when the publisher's flush PING is answered, so the server
// has processed everything). Every subscriber must receive every message:
// a run that lost messages, saw a client error, or whose server exited is
// FAILED, and a FAILED side reports no figures for that case. A server
// that refuses a scenario's settings (natsloop without TLS) is
// "unsupported" instead.
//
// Publishers are flow-controlled by a window (at most ~8 MB or 100k
// messages in flight to the slowest subscriber), the same for both
// servers, so neither the client nor the server buffers without bound
// and a server is measured at the rate it can sustain delivering.
//
// Per run the harness reads /proc/PID/stat (utime+stime) at both ends of
// the window: cpu/msg is that delta over the messages counted (10 ms clock
// ticks: short --quick windows are coarse, and a window under one tick has
// no figure). Peak RSS is VmHWM from /proc/PID/status at the end of the
// run. The report gives per metric the median, min and max over the
// rounds and the ratio of the medians A/B; the verdict says "better" or
// "worse" for A only when the min..max ranges do not overlap and the
// medians differ by 2% or more, else "~".
//
// Peak RSS under load is reported as prominently as throughput: every
// case carries the ratio A/B of the peak RSS medians and its verdict
// (below 1x A used less memory) next to its headline ratio: the table's
// "RSS ratio" column right after "verdict", a second, lighter bar under
// each headline bar of the HTML ratio chart, the rss_ratio and
// rss_verdict columns of every CSV line and the rss_ratio and rss_verdict
// fields of every JSON case.
//
// The client runs on the same host and competes with the server for CPU:
// absolute figures are "this server with this client on this host", which
// is what a user deciding on a server wants; the comparison is fair because
// the client and its settings are identical for both.
//
// # Scenarios
//
// pub (publish only), pubsub (1:1), fanout (1:N), nm (N:M, every
// subscriber gets every publisher's messages), queue (one queue group,
// each message to exactly one member), reqrep (request/reply round trips,
// concurrent requesters), latency (open loop at a fixed rate: message i is
// due at start+i/rate and carries its due time; latency is measured from
// the due time, not the call time, so stalls are not hidden), idle (many
// raw connections from several 127.0.0.x source addresses; RSS growth per
// connection; every connection must still answer PING), tls (pub/sub over
// TLS with a throwaway CA made at run time), raw (one TCP connection
// writing pre-built 1 MB buffers of PUB frames: server ingest without
// client overhead) and multisubj (100k distinct subjects defeating match
// caches, subscriber on bench.>).
//
// Extra scenarios, run only when named (or with "all"): churn,
// churn-same, churn-subs and churn-same-subs. A raw publisher cycles
// through --churn-subjects (1M) distinct subjects as fast as it can while
// another client's PING round trip is measured (avg, p50, p99, max): on
// another loop of natsloop than the publisher or on the same one (chosen
// by measurement during the warm-up, see scenarios_churn.go), without
// subscribers or with a '>' subscriber and a client holding 4 literal
// subscriptions. --loops N starts natsloop (only) with N event loops
// through a config file holding its `loops` key.
//
// # Concurrency
//
// Run is sequential: one case, one run, one server at a time; it owns the
// Config copy, the progress line and the report. Within a run a scenario
// starts its publisher goroutines and nats.go starts its own; they share
// only atomic counters (one per subscriber, on separate cache lines) and
// the env, which they only read. Every loop is bounded by the window, a
// message count, a no-progress timeout (2 s while draining, 5 s while
// flow-controlled) or the run's context (warm-up + duration + 90 s).
// Cancelling Run's context stops the current run and returns the partial
// report.
//
// Run raises the soft open-files limit to the hard limit (the servers
// inherit it) so the idle scenario can open its connections; it caps the
// connection count below the limit if needed.
package perf
