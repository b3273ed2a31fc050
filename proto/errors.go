package proto

// Error is a protocol error. Text is the exact -ERR text to send (without
// quotes); an empty Text means the connection is closed without an -ERR,
// as nats-server does for malformed arguments.
type Error struct {
	Text   string
	Reason string // for logs: what was wrong
}

func (e *Error) Error() string {
	if e.Text == "" {
		return "proto: " + e.Reason
	}
	return "proto: " + e.Text
}

// Sentinel errors. Compare with ==.
var (
	ErrUnknownOp      = &Error{Text: "Unknown Protocol Operation", Reason: "unknown protocol operation"}
	ErrMaxControlLine = &Error{Text: "maximum control line exceeded", Reason: "maximum control line exceeded"}
	ErrMaxPayload     = &Error{Text: "Maximum Payload Violation", Reason: "maximum payload exceeded"}
	ErrBadArgs        = &Error{Reason: "malformed arguments"}
	ErrBadSize        = &Error{Reason: "bad or missing size"}
	ErrNoHeaders      = &Error{Reason: "message headers not supported"}
)
