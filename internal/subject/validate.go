package subject

import "errors"

// Errors returned by Index.Insert.
var (
	ErrInvalidSubject = errors.New("subject: invalid subject")
	ErrInvalidQueue   = errors.New("subject: invalid queue name")
)

const (
	sep = '.' // token separator
	pwc = '*' // partial wildcard: exactly one token
	fwc = '>' // full wildcard: one or more tokens, last token only
)

// isSpace reports the bytes nats-server rejects inside a subject or queue
// name (its set is "\t\n\f\r ").
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// ValidSubject reports whether s is a valid SUB subject: tokens separated by
// '.', none empty, no whitespace; '*' and '>' are wildcards only as whole
// tokens ("foo*.bar" is a literal token) and '>' may only be the last token.
// It does not allocate.
func ValidSubject(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	start := 0      // first byte of the current token
	sawFWC := false // previous token was '>'
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != sep {
			if isSpace(s[i]) {
				return false
			}
			continue
		}
		if i == start || sawFWC {
			return false // empty token, or a token after '>'
		}
		if i-start == 1 && s[start] == fwc {
			sawFWC = true
		}
		start = i + 1
	}
	return true
}

// ValidLiteral reports whether s is a valid publish subject: a valid subject
// with no wildcard tokens. It does not allocate.
func ValidLiteral(s []byte) bool {
	return ValidSubject(s) && IsLiteral(s)
}

// HasEmptyToken reports whether s is empty or has an empty token
// ("foo..bar", ".foo", "foo."). nats-server's index matches nothing for
// such a subject. It does not allocate.
func HasEmptyToken(s []byte) bool {
	if len(s) == 0 || s[0] == sep || s[len(s)-1] == sep {
		return true
	}
	for i := 1; i < len(s); i++ {
		if s[i] == sep && s[i-1] == sep {
			return true
		}
	}
	return false
}

// ValidPublish is nats-server's check of a pedantic client's publish
// subject: no empty token and no wildcard token. Unlike ValidLiteral it
// lets whitespace through (a PUB subject may hold '\r' or '\n', see
// proto). It does not allocate.
func ValidPublish(s []byte) bool {
	return !HasEmptyToken(s) && IsLiteral(s)
}

// ValidQueue reports whether q is a valid queue group name: non-empty and
// without whitespace. It does not allocate.
func ValidQueue(q []byte) bool {
	if len(q) == 0 {
		return false
	}
	for _, c := range q {
		if isSpace(c) {
			return false
		}
	}
	return true
}

// IsLiteral reports whether s contains no wildcard token ('*' or '>' as a
// whole token). It does not validate s and does not allocate.
func IsLiteral(s []byte) bool {
	for i, c := range s {
		if c != pwc && c != fwc {
			continue
		}
		if (i == 0 || s[i-1] == sep) && (i == len(s)-1 || s[i+1] == sep) {
			return false
		}
	}
	return true
}

// Matches reports whether the literal subject is matched by pattern, a
// subject that may contain wildcards: '*' matches exactly one token, '>'
// one or more trailing tokens. Tokens of literal are compared as they are
// (a '*' in literal is an ordinary token). Neither argument is validated;
// both are only read. It does not allocate.
func Matches(literal, pattern []byte) bool {
	li, pi := 0, 0
	for {
		// Current tokens: pattern[pi:pe] and literal[li:le].
		pe := tokenEnd(pattern, pi)
		le := tokenEnd(literal, li)
		if pe-pi == 1 && pattern[pi] == fwc && pe == len(pattern) {
			return len(literal) > 0 // '>' needs at least one token
		}
		wild := pe-pi == 1 && pattern[pi] == pwc
		if !wild && string(pattern[pi:pe]) != string(literal[li:le]) {
			return false
		}
		pEnd, lEnd := pe == len(pattern), le == len(literal)
		if pEnd || lEnd {
			return pEnd && lEnd
		}
		pi, li = pe+1, le+1
	}
}

// tokenEnd returns the index of the separator ending the token that starts
// at i, or len(s).
func tokenEnd(s []byte, i int) int {
	for ; i < len(s); i++ {
		if s[i] == sep {
			return i
		}
	}
	return i
}
