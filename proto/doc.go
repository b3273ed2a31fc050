// Package proto is the NATS wire protocol and nothing else: a parser state
// machine for what clients, route peers and servers send, append-style
// encoders for every op natsloop writes, and the INFO/CONNECT JSON types.
// It imports only the standard library: no locks, no logger, no server.
//
// # Wire
//
//	client -> server (ModeClient)           server -> client (ModeServer)
//	CONNECT {json}\r\n                      INFO {json} \r\n   (space before CRLF)
//	PUB subj [reply] n\r\n<n bytes>\r\n      MSG subj sid [reply] n\r\n<n bytes>\r\n
//	HPUB subj [reply] h t\r\n<t bytes>\r\n   HMSG subj sid [reply] h t\r\n<t bytes>\r\n
//	SUB subj [queue] sid\r\n                 PING\r\n  PONG\r\n  +OK\r\n  -ERR 'text'\r\n
//	UNSUB sid [max]\r\n
//	PING\r\n  PONG\r\n
//
//	route <-> route (ModeRoute)
//	RS+ acc subj [queue weight]\r\n          RS- acc subj [queue]\r\n
//	RMSG acc subj [reply | + reply q1 q2… | \| q1 q2…] n\r\n<n bytes>\r\n
//	HMSG acc subj [same] h t\r\n<t bytes>\r\n
//	CONNECT, INFO, PING, PONG, +OK, -ERR
//
// # Reading a control line (nats-server 2.15.2, a stream read whole)
//
// The parser accepts and rejects exactly what nats-server's byte-at-a-time
// state machine does when a whole stream arrives in one read, and gives
// the same result however the stream is split (nats-server itself does
// not always: it drops every '\r' of an argument split across reads).
//
//   - Op names are case-insensitive and start the line (no leading
//     blanks); an unknown op fails at the first byte that rules out every
//     op of the mode. PING, PONG and +OK ignore everything up to the '\n'
//     (no length limit).
//   - Other ops take an argument: after the name, one blank (space or
//     tab; CONNECT and INFO need none) and any more blanks, the first
//     other byte starts the argument whatever it is, even '\r' or '\n'
//     ("PUB \nfoo 2" publishes to "\nfoo"); the line ends at the next
//     '\n'.
//   - If any '\r' follows the argument's first byte, the argument's last
//     byte (the one before the '\n') is dropped, whatever it is: "SUB
//     foo\r1\r\n" is "foo\r1", "SUB foo 1\rx\n" is "foo 1\r".
//   - PUB and HPUB split the argument on runs of spaces and tabs only
//     ('\r' and '\n' are subject bytes); SUB, UNSUB, MSG, HMSG and the
//     route ops also on '\r' and '\n'. CONNECT, INFO and -ERR take it
//     whole (Op.Arg, which every op carries: what nats-server traces).
//   - Sizes are 1 to 9 decimal digits; the tokens are kept (Op.SizeTok,
//     Op.HdrTok) because nats-server delivers them as sent: "PUB foo 01"
//     arrives as "MSG foo 1 01".
//   - A payload must be followed by "\r\n"; the first wrong byte fails,
//     before the frame is whole.
//   - A client's HMSG is read as nats-server reads it: its argument is not
//     looked at and its payload is empty, so "\r\n" must follow; the
//     broker treats it as a publish of nothing to no subject.
//
// Following nats-server: INFO, +OK and -ERR are accepted from clients (the
// broker checks an INFO's JSON with CheckInfo and closes on failure,
// ignores +OK and closes on -ERR); MSG and route ops from a client are
// unknown operations.
//
// # Parsing
//
//	for len(b) > 0 {
//		n, op, err := p.Next(b) // op == nil: all of b consumed, frame incomplete
//		if err != nil { ... }   // *Error; sticky
//		b = b[n:]
//		if op != nil { handle(op) }
//	}
//
// Limits follow the reference: MaxControlLine counts the argument (after
// the drop rule, its first byte included; not the op name and the blanks
// after it) and is enforced as soon as a partial line proves too long,
// newline or not; MaxPayload is checked on the control line, before any
// payload byte is read. With NoHeaders set (a client that did not ask for
// headers) an HPUB fails with ErrNoHeaders once its line is in, before its
// arguments are read. Each op's arguments are read by one small function
// (args.go), named in the op tables.
//
// # Encoding
//
// nats-server writes a message's size tokens as the publisher sent them
// when it passes the payload on unchanged (MSG, HMSG, RMSG, route HMSG,
// and MSG for an HPUB whose header size is 0), and a computed size when
// it strips the headers for a subscriber that did not ask for them. The
// *Tok encoders (AppendMsgTok, AppendHMsgTok, AppendRMsgTok,
// AppendRHMsgTok) take the tokens (Op.SizeTok, Op.HdrTok); the plain ones
// compute the sizes and share their code.
//
// # Buffer ownership
//
// A frame that lies whole inside buf is returned as slices of buf, without
// copying. A frame split across calls is gathered in the Parser's own
// scratch buffers (the control line, then the payload), which are reused:
// steady-state parsing allocates nothing, and every byte is copied at most
// once (never quadratic). Either way the *Op and every slice in it are
// valid only until the next call to Next or Reset: copy what you keep. The
// Parser never retains buf past the call except by copying a partial frame.
// A payload scratch buffer that grew past 64 KiB is dropped once its op is
// done; a partial control line keeps one blank of a run before its
// argument and never grows past the op name, one blank and
// MaxControlLine+1 bytes.
//
// # Concurrency
//
// A Parser belongs to one goroutine (a connection's event loop) and must
// not be copied after first use. Encoders are pure functions: they append
// to dst and allocate only when dst lacks room. Package-level tables are
// read-only.
//
// # Errors
//
// Every parse error is a *Error. Text is the exact text of the -ERR the
// reference server sends for it (Unknown Protocol Operation, maximum
// control line exceeded, Maximum Payload Violation); an empty Text means
// the reference closes the connection without any -ERR (malformed
// arguments: ErrBadArgs, ErrBadSize; ErrNoHeaders) and Reason says why,
// for the log.
// The first error is sticky until Reset.
package proto
