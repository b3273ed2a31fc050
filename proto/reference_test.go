package proto

import (
	"strings"
	"testing"
)

// referenceFacts records what nats-server 2.15.2 did with raw client input
// on loopback: read INFO, send CONNECT {"verbose":false,"pedantic":false,
// "headers":true} and the bytes in one write (so that they arrive in one
// read), read until close or 400 ms. Every row was checked again on
// 2026-12-04; the rows above "whole-read rules" were also those of 2.9.10.
// The rows below it follow from nats-server's byte-at-a-time parser
// (server/parser.go, client.go) reading a whole stream; where a control
// line is split across reads, nats-server's own outcome can differ (it
// drops every '\r' of a split argument instead of applying the drop
// rule), and the Parser keeps the whole-read outcome for every split.
// "close" means the server closed the connection
// without sending any -ERR (it only logged e.g. `processPub Parse Error`);
// "" means the input was accepted (+OK/PONG replies as appropriate).
// The Parser maps these to: accepted ops, *Error with Text, or *Error with
// empty Text (close silently). CONNECT JSON errors, HPUB before headers
// were negotiated and `protocol` > 1 are the broker's business, not the
// parser's: the parser returns OpConnect/OpHPub for them.
var referenceFacts = []struct {
	in    string
	reply string // what the reference sent before closing, "close", or "" (accepted)
	kinds []OpKind
}{
	{"PUB foo 5\r\nhello\r\nPING\r\n", "", []OpKind{OpPub, OpPing}},
	{"pub foo 5\r\nhello\r\nping\r\n", "", []OpKind{OpPub, OpPing}},
	{"PuB\tfoo\t \t5\r\nhello\r\nPING\r\n", "", []OpKind{OpPub, OpPing}},
	{"PUB foo 5\nhello\r\nPING\n", "", []OpKind{OpPub, OpPing}},                    // bare \n ends a control line
	{"PUB foo 1 \r\nx\r\nPING\r\n", "", []OpKind{OpPub, OpPing}},                   // trailing blank
	{"PUB foo 05\r\nhello\r\nPING\r\n", "", []OpKind{OpPub, OpPing}},               // leading zero
	{"PUB foo 000000005\r\nhello\r\nPING\r\n", "", []OpKind{OpPub, OpPing}},        // 9 digits
	{"PUB foo 0\r\n\r\nPING\r\n", "", []OpKind{OpPub, OpPing}},                     // empty payload
	{"PUB foo bar 5\r\nhello\r\nPING\r\n", "", []OpKind{OpPub, OpPing}},            // reply
	{"PUB foo 5\r\nhelloXX\r\nPING\r\n", "-ERR 'Unknown Protocol Operation'", nil}, // payload not followed by CRLF
	{"PUB foo 5\r\nhello\nPING\r\n", "-ERR 'Unknown Protocol Operation'", nil},
	{"PUB foo 5\r\nhello\rPING\r\n", "-ERR 'Unknown Protocol Operation'", nil},
	{"PUB foo 1\r\nx\r\r\nPING\r\n", "-ERR 'Unknown Protocol Operation'", nil},
	{"PUB foo x\r\nhello\r\nPING\r\n", "close", nil},
	{"PUB foo -1\r\nhello\r\nPING\r\n", "close", nil},
	{"PUB foo +5\r\nhello\r\nPING\r\n", "close", nil},
	{"PUB foo 0000000005\r\nhello\r\n", "close", nil}, // 10 digits: bad size
	{"PUB foo 99999999999999999999\r\n", "close", nil},
	{"PUB foo\r\nPING\r\n", "close", nil},
	{"PUB foo bar baz 5\r\nhello\r\nPING\r\n", "close", nil},
	{"PUB \r\nPING\r\n", "close", nil},
	{"PUB 5\r\nhello\r\nPING\r\n", "close", nil},
	{"PUB foo 1\r\r\nx\r\n", "close", nil}, // only one \r is stripped: size "1\r"
	{"PUB foo\r1\r\nx\r\n", "close", nil},  // \r is not a separator
	{"PUB\r\nPING\r\n", "-ERR 'Unknown Protocol Operation'", nil},
	{"PUBX foo 1\r\nx\r\n", "-ERR 'Unknown Protocol Operation'", nil},
	{"PUB foo 2000000\r\nPING\r\n", "-ERR 'Maximum Payload Violation'", nil},
	{"PUB foo 1048577\r\n", "-ERR 'Maximum Payload Violation'", nil}, // before the payload
	{"PUB foo 999999999\r\n", "-ERR 'Maximum Payload Violation'", nil},
	{"PUB foo 1048576\r\n", "", nil},                                                          // exactly max: waits for the payload
	{"PUB " + strings.Repeat("a", 4094) + " 1\r\nx\r\nPING\r\n", "", []OpKind{OpPub, OpPing}}, // args 4096
	{"PUB " + strings.Repeat("a", 4095) + " 1\r\nx\r\n", "-ERR 'maximum control line exceeded'", nil},
	{"SUB " + strings.Repeat("a", 4094) + " 1\r\nPING\r\n", "", []OpKind{OpSub, OpPing}},
	{"SUB " + strings.Repeat("a", 4095) + " 1\r\n", "-ERR 'maximum control line exceeded'", nil},
	{"PUB " + strings.Repeat("a", 5000), "-ERR 'maximum control line exceeded'", nil}, // no newline needed
	{"CONNECT {\"name\":\"" + strings.Repeat("a", 5000) + "\"}\r\n", "-ERR 'maximum control line exceeded'", nil},
	{"INFO {\"name\":\"" + strings.Repeat("a", 5000) + "\"}\r\n", "-ERR 'maximum control line exceeded'", nil},
	{"-ERR '" + strings.Repeat("a", 5000) + "'\r\n", "-ERR 'maximum control line exceeded'", nil},
	{"UNSUB " + strings.Repeat("1", 5000) + "\r\n", "-ERR 'maximum control line exceeded'", nil},
	{"PING" + strings.Repeat("a", 5000), "", nil}, // no limit on a PING line
	{"PING" + strings.Repeat("a", 5000) + "\r\n", "", []OpKind{OpPing}},
	{strings.Repeat("X", 5000), "-ERR 'Unknown Protocol Operation'", nil}, // at the first byte
	{"MSG foo 1 5\r\nhello\r\nPING\r\n", "-ERR 'Unknown Protocol Operation'", nil},
	{"msg foo 1 1\r\nx\r\n", "-ERR 'Unknown Protocol Operation'", nil},
	{"HMSG foo 1 1 1\r\nx\r\n", "-ERR 'Unknown Protocol Operation'", nil},
	{"RS+ $G foo\r\nPING\r\n", "-ERR 'Unknown Protocol Operation'", nil},
	{"RMSG $G foo 5\r\nhello\r\n", "-ERR 'Unknown Protocol Operation'", nil},
	{"INFO {}\r\nPING\r\n", "", []OpKind{OpInfo, OpPing}}, // ignored by the server
	{"info {}\r\nPING\r\n", "", []OpKind{OpInfo, OpPing}},
	{"INFO\r\nPING\r\n", "close", []OpKind{OpInfo}},     // JSON error (broker)
	{"INFOX {}\r\nPING\r\n", "close", []OpKind{OpInfo}}, // JSON error (broker)
	{"+OK\r\nPING\r\n", "", []OpKind{OpOK, OpPing}},     // ignored
	{"+OKjunk\r\nPING\r\n", "", []OpKind{OpOK, OpPing}},
	{"+OK junk\r\nPING\r\n", "", []OpKind{OpOK, OpPing}},
	{"+O\r\nPING\r\n", "-ERR 'Unknown Protocol Operation'", nil},
	{"-ERR 'x'\r\nPING\r\n", "close", []OpKind{OpErr}}, // logged "Client Error 'x'", closed (broker)
	{"-ERR x\r\nPING\r\n", "close", []OpKind{OpErr}},
	{"-err 'x'\r\nPING\r\n", "close", []OpKind{OpErr}},
	{"XYZ\r\nPING\r\n", "-ERR 'Unknown Protocol Operation'", nil},
	{"PINGX\r\n", "", []OpKind{OpPing}}, // anything after PING up to \n is ignored
	{"PING X\r\n", "", []OpKind{OpPing}},
	{"PING\rPING\r\n", "", []OpKind{OpPing}},
	{"PONGA\r\nPING\r\n", "", []OpKind{OpPong, OpPing}},
	{"PI\r\nPING\r\n", "-ERR 'Unknown Protocol Operation'", nil},
	{"PO\r\nPING\r\n", "-ERR 'Unknown Protocol Operation'", nil},
	{"P\r\nPING\r\n", "-ERR 'Unknown Protocol Operation'", nil},
	{"\r\nPING\r\n", "-ERR 'Unknown Protocol Operation'", nil},
	{"  PING\r\n", "-ERR 'Unknown Protocol Operation'", nil}, // no leading blanks
	{"\xffPING\r\n", "-ERR 'Unknown Protocol Operation'", nil},
	{"\x00PING\r\n", "-ERR 'Unknown Protocol Operation'", nil},
	{"SUB foo 1\r\nPING\r\n", "", []OpKind{OpSub, OpPing}},
	{"SUB foo q 1\r\nPING\r\n", "", []OpKind{OpSub, OpPing}},
	{"SUB\tfoo\t\tq\t1\r\nPING\r\n", "", []OpKind{OpSub, OpPing}},
	{"SUB foo 1 \r\nPING\r\n", "", []OpKind{OpSub, OpPing}},
	{"SUB foo q 1 2\r\nPING\r\n", "close", nil},
	{"SUB a b c d\r\nPING\r\n", "close", nil},
	{"SUB foo\r\nPING\r\n", "close", nil},
	{"SUB\r\nPING\r\n", "-ERR 'Unknown Protocol Operation'", nil},
	{"UNSUB 1\r\nPING\r\n", "", []OpKind{OpUnsub, OpPing}},
	{"UNSUB 1 5\r\nPING\r\n", "", []OpKind{OpUnsub, OpPing}},
	{"UNSUB 1 x\r\nPING\r\n", "", []OpKind{OpUnsub, OpPing}}, // bad max = none (unsubscribes now)
	{"UNSUB 1 -5\r\nPING\r\n", "", []OpKind{OpUnsub, OpPing}},
	{"UNSUB 1 0000000005\r\nPING\r\n", "", []OpKind{OpUnsub, OpPing}},
	{"UNSUB 1 5 6\r\nPING\r\n", "close", nil},
	{"UNSUB\r\nPING\r\n", "-ERR 'Unknown Protocol Operation'", nil},
	{"HPUB foo 12 17\r\nNATS/1.0\r\n\r\nhello\r\nPING\r\n", "", []OpKind{OpHPub, OpPing}},
	{"HPUB foo r 12 17\r\nNATS/1.0\r\n\r\nhello\r\nPING\r\n", "", []OpKind{OpHPub, OpPing}},
	{"HPUB foo 12 12\r\nNATS/1.0\r\n\r\n\r\nPING\r\n", "", []OpKind{OpHPub, OpPing}},
	{"HPUB foo 0 0\r\n\r\nPING\r\n", "", []OpKind{OpHPub, OpPing}},
	{"HPUB foo 5 5\r\nhello\r\nPING\r\n", "", []OpKind{OpHPub, OpPing}}, // header block not checked
	{"HPUB foo 17 12\r\nNATS/1.0\r\n\r\nhello\r\n", "close", nil},
	{"HPUB foo 12\r\nPING\r\n", "close", nil},
	{"HPUB foo r x 12 17\r\n", "close", nil},
	{"HPUB foo x 17\r\n", "close", nil},
	{"HPUB foo -1 5\r\nhello\r\n", "close", nil},
	{"HPUB foo 0000000000 5\r\nhello\r\n", "close", nil},
	{"HPUB foo 12 2000000\r\n", "-ERR 'Maximum Payload Violation'", nil},
	{"HPUB foo 1048577 1048577\r\n", "-ERR 'Maximum Payload Violation'", nil},
	{"HPUB foo 12 1048576\r\n", "", nil},
	{"CONNECT {}\r\nPING\r\n", "", []OpKind{OpConnect, OpPing}},
	{"connect {}\r\nPING\r\n", "", []OpKind{OpConnect, OpPing}},
	{"CONNECT\t{}\r\nPING\r\n", "", []OpKind{OpConnect, OpPing}},
	{"CONNECT\r\nPING\r\n", "close", []OpKind{OpConnect}},      // JSON error (broker)
	{"CONNECTX {}\r\nPING\r\n", "close", []OpKind{OpConnect}},  // JSON error (broker)
	{"CONNECT {bad\r\nPING\r\n", "close", []OpKind{OpConnect}}, // JSON error (broker)

	// Whole-read rules. (1) After an op name that takes an argument and
	// its blanks, the first other byte starts the argument unseen, even
	// '\r' or '\n' (OP_PUB_SPC, OP_CONNECT, … set c.as = i and move to
	// the ARG state without looking at it); the line ends at the next '\n'.
	{"PUB \nfoo 2\r\nhi\r\nPING\r\n", "", []OpKind{OpPub, OpPing}}, // subject "\nfoo"
	{"PUB\t\t\nfoo 1\r\nx\r\nPING\r\n", "", []OpKind{OpPub, OpPing}},
	{"PUB \nfoo\n2\r\nhi\r\n", "close", nil},      // argument "\nfoo": no size
	{"PUB \r\n\r\nPING\r\n", "close", nil},        // argument "\r"
	{"PUB \r\n 1\r\nx\r\nPING\r\n", "close", nil}, // argument "\r"
	{"SUB \nfoo 1\r\nPING\r\n", "", []OpKind{OpSub, OpPing}},
	{"UNSUB \n1\r\nPING\r\n", "", []OpKind{OpUnsub, OpPing}},
	{"CONNECT \n{\"verbose\":false}\r\nPING\r\n", "", []OpKind{OpConnect, OpPing}},
	{"CONNECT\n{}\r\nPING\r\n", "", []OpKind{OpConnect, OpPing}}, // no blank needed
	{"CONNECT{}\r\nPING\r\n", "", []OpKind{OpConnect, OpPing}},
	{"CONNECT \r\nPING\r\n", "close", []OpKind{OpConnect}}, // JSON "\r" (broker)
	{"INFO \r\nPING\r\n", "close", []OpKind{OpInfo}},       // JSON "\r" (broker)
	{"INFO {bad\r\nPING\r\n", "close", []OpKind{OpInfo}},   // processInfo: JSON error closes (broker)
	{"INFO {\"port\":\"x\"}\r\nPING\r\n", "close", []OpKind{OpInfo}},
	{"-ERR\r\nPING\r\n", "-ERR 'Unknown Protocol Operation'", nil}, // OP_MINUS_ERR wants a blank
	{"-ERR \r\nPING\r\n", "close", []OpKind{OpErr}},
	// A client's HMSG: HMSG_ARG calls no processing for a CLIENT, so the
	// message has size 0 and no subject: "\r\n" must follow; it is
	// acknowledged (+OK when verbose) and delivered nowhere.
	{"HMSG foo 1 1 1\r\n\r\nPING\r\n", "", []OpKind{OpHMsg, OpPing}},
	{"HMSG \n\r\n\r\nPING\r\n", "", []OpKind{OpHMsg, OpPing}},
	{"hmsg x\r\nx\r\nPING\r\n", "-ERR 'Unknown Protocol Operation'", nil},
	// (2) In the ARG state every '\r' sets drop; at '\n' the argument is
	// buf[as : i-drop]: its last byte goes if a '\r' was seen, whatever
	// that byte is (the first, unseen byte does not count).
	{"SUB foo\r1\r\nPING\r\n", "", []OpKind{OpSub, OpPing}},       // "foo\r1": splitArg splits on '\r'
	{"SUB foo 1\rx\nPING\r\n", "", []OpKind{OpSub, OpPing}},       // "foo 1\r": x dropped
	{"UNSUB 1\r5\r\nPING\r\n", "", []OpKind{OpUnsub, OpPing}},     // max 5
	{"PUB foo 1\rx\nx\r\nPING\r\n", "close", nil},                 // size "1\r"
	{"PUB foo\r 1\r\nx\r\nPING\r\n", "", []OpKind{OpPub, OpPing}}, // subject "foo\r"
	{"PUB foo\rx 1 \r\nx\r\nPING\r\n", "", []OpKind{OpPub, OpPing}},
	// (3) PUB and HPUB split their argument on ' ' and '\t' only;
	// SUB and UNSUB (splitArg) also on '\r' and '\n'.
	{"SUB \nfoo\r\t1\r\nPING\r\n", "", []OpKind{OpSub, OpPing}},
	{"HPUB foo\r 0 0\r\n\r\nPING\r\n", "", []OpKind{OpHPub, OpPing}},
	{"HPUB \nfoo 012 0014\r\nNATS/1.0\r\n\r\nhi\r\nPING\r\n", "", []OpKind{OpHPub, OpPing}},
	// (4) Sizes are 1 to 9 digits (parseSize) and are echoed as sent.
	{"PUB foo 01\r\nx\r\nPING\r\n", "", []OpKind{OpPub, OpPing}},
	{"PUB foo 000000001\r\nx\r\nPING\r\n", "", []OpKind{OpPub, OpPing}},
	{"PUB foo 0000000001\r\nx\r\nPING\r\n", "close", nil},
	{"HPUB foo 00000000001 1\r\nx\r\n", "close", nil},
	// (5) MaxControlLine counts the argument after the drop rule, its
	// first byte included, not the op name and the blanks after it
	// (overMaxControlLineLimit on buf[as:i-drop]); at the end of a read a
	// partial argument is held to the same count.
	{"SUB " + strings.Repeat("a", 4093) + " 1\rx\nPING\r\n", "", []OpKind{OpSub, OpPing}}, // 4097 bytes - 1
	{"SUB " + strings.Repeat("a", 4094) + " 1\rx\nPING\r\n", "-ERR 'maximum control line exceeded'", nil},
	{"SUB \n" + strings.Repeat("a", 4093) + " 1\r\nPING\r\n", "", []OpKind{OpSub, OpPing}},
	{"SUB \n" + strings.Repeat("a", 4094) + " 1\r\nPING\r\n", "-ERR 'maximum control line exceeded'", nil},
	{"SUB" + strings.Repeat(" ", 5000) + "foo 1\r\nPING\r\n", "", []OpKind{OpSub, OpPing}},
	{"SUB " + strings.Repeat("a", 4096) + "\r", "", nil}, // partial: 4097 - 1
	{"SUB " + strings.Repeat("a", 4097) + "\r", "-ERR 'maximum control line exceeded'", nil},
	{"SUB " + strings.Repeat("a", 4097), "-ERR 'maximum control line exceeded'", nil},
	// (6) The payload must be followed by "\r\n": the first wrong byte
	// fails (MSG_END_R, MSG_END_N), before the frame is whole.
	{"PUB foo 1\r\nxY", "-ERR 'Unknown Protocol Operation'", nil},
	{"PUB foo 1\r\nx\rY", "-ERR 'Unknown Protocol Operation'", nil},
	{"PUB foo 3\r\nx", "", nil},
	{"\nPING\r\n", "-ERR 'Unknown Protocol Operation'", nil},
}

// TestReferenceFacts: the Parser's verdict on each input is the
// reference's reply (for rows the broker closes, the parser's ops are the
// prefix of kinds listed).
func TestReferenceFacts(t *testing.T) {
	for _, tc := range referenceFacts {
		got := feed(Parser{}, []byte(tc.in))
		reply := ""
		switch {
		case got.Err != nil && got.Err.Text != "":
			reply = "-ERR '" + got.Err.Text + "'"
		case got.Err != nil:
			reply = "close"
		}
		var kinds []OpKind
		for _, o := range got.Ops {
			kinds = append(kinds, o.Kind)
		}
		wantKinds := tc.kinds
		if tc.reply == "close" && len(tc.kinds) > 0 {
			// The parser accepts the line; the broker closes on it.
			reply = "close"
			kinds = kinds[:min(len(kinds), len(wantKinds))]
		}
		if reply != tc.reply || !equalKinds(kinds, wantKinds) {
			in := tc.in
			if len(in) > 60 {
				in = in[:60] + "..."
			}
			t.Errorf("%q: got reply %q ops %v, reference %q ops %v", in, reply, kinds, tc.reply, wantKinds)
		}
	}
}

func equalKinds(a, b []OpKind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
