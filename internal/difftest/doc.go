// Package difftest is natsloop's differential test against the reference
// nats-server (2.15.2): the same random client byte streams go to both
// servers and what every client receives must be the same.
//
// The package has no non-test code. Its parts:
//
//   - gen_test.go: a seeded generator of client byte streams. A stream is a
//     server config (no auth, or users alice with a plain password, bob
//     with a bcrypt hash of cost 4 and carol with permissions) and a list
//     of segments, each the bytes one of up to three clients sends:
//     CONNECT variants, PUB/HPUB/SUB/UNSUB with odd subjects, sizes and
//     sids, PING/PONG, lowercase ops, "\n" line ends, stray bytes, and
//     mutations (byte flips, truncation, insertion). Stream i of seed s is
//     the same on every run (math/rand/v2 PCG seeded with s and i).
//   - run_test.go: the runner. natsloop runs in-process (broker.New with
//     the config loaded by config.Load from the same file the reference
//     reads): no build step, streams can reuse one server, and a panic or
//     race in natsloop shows in the test itself. The reference runs as a
//     process: $NATSLOOP_REFERENCE, else nats-server on PATH; without one
//     the tests skip, except under CI=true where they fail. A client dials
//     and reads its INFO when it first sends. Each segment is written in
//     one write followed by "PING\r\n" (the sync PING), then the client
//     reads until a PONG ends what it received and 10 ms pass quietly, the
//     server closes, or 150 ms pass with nothing (a PING swallowed as
//     payload); 2 s at most. After the last segment every open client is
//     synced the same way (the final phase), which collects the MSGs
//     delivered to subscribers.
//   - compare_test.go: what is compared. Each client's bytes become items:
//     INFO reduced to the fields a client acts on (auth_required, headers,
//     max_payload, proto, tls_*; not server_id, nonce, version, go,
//     client_id, ports), MSG/HMSG lines verbatim (size tokens included)
//     with their payloads, +OK, -ERR texts, PING, PONG, and "<closed>",
//     grouped by the segment during whose sync they arrived. A difference
//     has a signature (the kinds of the first differing items) that groups
//     findings; one cause can show under several signatures. System
//     events ($SYS.>) are compared by subject and event type only; deliveries
//     of one message to several of a client's subscriptions compare in sid
//     order (the reference's order varies), and a delivery on a queue
//     subscription names the queue instead of the sid (which member gets
//     a message is random). A stable difference is one
//     that appears again
//     when the stream is re-run on both servers; one that does not is
//     flaky, counted and reported but not a failure.
//   - minimize_test.go: delta debugging (ddmin) over segments, lines and
//     bytes, keeping the signature, so a finding reduces to a small
//     transcript.
//   - known_test.go: the known deliberate differences, each by name, which
//     the comparison excludes: "tls-aead-only" (natsloop allows only ECDHE
//     with AEAD suites for TLS 1.2; the fuzzer does not use TLS, listed for
//     completeness) and "wildcard-permission" (a SUB whose wildcard is
//     broader than its allow pattern, carol's SUB foo.> under allow foo.*,
//     is refused by natsloop, accepted by nats-server).
//   - transcript_test.go and testdata/*.txt: reduced findings, replayed
//     against natsloop and the reference, both held to the recorded
//     output of 2.15.2. A transcript whose difference is not fixed yet
//     names it in a "skip:" line and its natsloop replay skips.
//
// Environment:
//
//	NATSLOOP_REFERENCE      the reference binary (else nats-server on PATH)
//	NATSLOOP_DIFF_SEED      seed (default: a fixed one; "random" picks one)
//	NATSLOOP_DIFF_N         number of streams (default 300)
//	NATSLOOP_DIFF_STRICT=0  only log stable differences (default: fail)
//	NATSLOOP_DIFF_SELF=1    a second nats-server in natsloop's place: the
//	                        sanity check, which must find nothing
//	NATSLOOP_DIFF_RECORD    directory to write minimized findings to, as
//	                        transcript files
//	NATSLOOP_DIFF_ONLY      run only stream index i (reproduce a finding)
//	NATSLOOP_DIFF_MINTIME   time the minimizer may take in all (default 20s)
//	NATSLOOP_DIFF_IGNORE    item filters by name, to look past a known
//	                        difference that hides others behind it:
//	                        "connect-info" (the INFO 2.12+ sends after the
//	                        first PONG to a protocol-1 client)
//	NATSLOOP_DIFF_RERECORD=1  TestTranscripts writes each testdata file
//	                        again with what the reference answers (to add
//	                        a transcript, write its name, config and send
//	                        lines and re-record)
//	NATSLOOP_DIFF_NOSKIP=1  run the natsloop replays marked skip too
//
// Transcript format (testdata/*.txt), one directive a line, "#" comments:
//
//	name: second-connect-keeps-options
//	config: auth              (or noauth)
//	skip: known difference, issue 9: ...   (natsloop replay skips)
//	send 1 "CONNECT {}\r\n"   (client 1 writes these bytes, Go-quoted,
//	                           then the sync PING, and reads)
//	recv 1 +OK                (an item client 1 got during that sync)
//	final                     (every open client is synced, in order)
//	recv 0 MSG foo 1 2
//	recv 0 payload "hi"
package difftest
