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
// Op names are case-insensitive and start the line (no leading blanks);
// arguments are separated by runs of spaces and tabs; a control line ends
// in \r\n or a bare \n; a payload must be followed by exactly \r\n.
// Following nats-server: anything after PING, PONG or +OK up to the newline
// is ignored (and not limited in length); INFO, +OK and -ERR are accepted
// from clients (the broker ignores the first two and closes on -ERR);
// MSG/HMSG and route ops from a client are unknown operations.
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
// Limits follow the reference: MaxControlLine counts the arguments of a
// control line (without the op name and the blanks after it) and is
// enforced as soon as the partial line proves too long, newline or not;
// sizes are 1 to 9 decimal digits; MaxPayload is checked on the control
// line, before any payload byte is read. An unknown op name fails at the
// first byte that rules out every op of the mode.
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
// done; a partial control line can never grow past MaxControlLine+1 KiB.
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
// arguments: ErrBadArgs, ErrBadSize) and Reason says why, for the log.
// The first error is sticky until Reset.
package proto
