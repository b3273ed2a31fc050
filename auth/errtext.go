package auth

import "strconv"

// ErrTextAuthViolation is the -ERR text for a failed CONNECT.
const ErrTextAuthViolation = "Authorization Violation"

// PubViolation returns the -ERR text for a refused publish:
// Permissions Violation for Publish to "x".
func PubViolation(subject string) string {
	return "Permissions Violation for Publish to " + strconv.Quote(subject)
}

// SubViolation returns the -ERR text for a refused subscription:
// Permissions Violation for Subscription to "x", followed by
// ` using queue "q"` when queue is not empty.
func SubViolation(subject, queue string) string {
	s := "Permissions Violation for Subscription to " + strconv.Quote(subject)
	if queue != "" {
		s += " using queue " + strconv.Quote(queue)
	}
	return s
}
