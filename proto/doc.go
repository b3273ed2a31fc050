// Package proto is the NATS wire protocol and nothing else: a parser state
// machine for what clients, route peers and servers send, append-style
// encoders for every op natsloop writes, and the INFO/CONNECT JSON types.
// It imports only the standard library: no locks, no logger, no server.
//
// # Parsing
//
//	bytes ──► Parser.Next(buf) ──► (n consumed, *Op or nil, *Error)
//
//	PUB subj [reply] size\r\n<payload>\r\n       (client)
//	HPUB subj [reply] hdrlen totlen\r\n<hdrs+payload>\r\n
//	SUB subj [queue] sid\r\n · UNSUB sid [max]\r\n · PING · PONG · CONNECT {json}
//	MSG subj sid [reply] size · HMSG … · INFO {json} · +OK · -ERR 'text'   (server)
//	RS+ acc subj [queue weight] · RS- acc subj [queue] · RMSG/HMSG acc subj …   (route)
//
// # Buffer ownership
//
// A complete frame inside buf is returned as slices of buf (no copy). A
// frame split across calls is gathered in the Parser's own scratch buffer,
// which is reused: steady-state parsing allocates nothing. Either way the
// *Op and every slice in it are valid only until the next call to Next or
// Reset. The caller owns buf; the Parser never retains it past the call,
// except by copying a partial frame.
//
// # Concurrency
//
// A Parser belongs to one goroutine (a connection's event loop). Encoders
// are pure functions.
//
// # Errors
//
// Every error is a *Error with the exact -ERR text the reference server
// sends (empty when it closes without one). The first error is sticky.
package proto
