package auth

import (
	"crypto/sha256"
	"crypto/subtle"
)

// secret is a configured password or token: either a bcrypt hash or a
// plain text, of which only the SHA-256 digest is kept so that the
// comparison is constant-time in the presented value's length too.
// Immutable after compile.
type secret struct {
	hash  []byte   // bcrypt hash; nil for a plain secret
	plain [32]byte // sha256 of a plain secret
	cost  int      // bcrypt cost (for choosing a dummy)
}

// entry is one password (or token) principal.
type entry struct {
	name string // key of the cache: user name, or "\x00token"
	id   *Identity
	sec  secret
}

func newSecret(s string) secret {
	if isBcrypt(s) {
		return secret{hash: []byte(s), cost: int(s[4]-'0')*10 + int(s[5]-'0')}
	}
	return secret{plain: sha256.Sum256([]byte(s))}
}

// isBcrypt reports whether s looks like a bcrypt hash, as nats-server
// decides it: ^\$2[abxy]\$\d{2}\$.
func isBcrypt(s string) bool {
	if len(s) < 7 || s[0] != '$' || s[1] != '2' || s[3] != '$' || s[6] != '$' {
		return false
	}
	switch s[2] {
	case 'a', 'b', 'x', 'y':
	default:
		return false
	}
	return isDigit(s[4]) && isDigit(s[5])
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// plainEqual compares a presented plain secret with a configured one in
// time independent of both values (digests have a fixed length).
func (s *secret) plainEqual(presented string) bool {
	d := sha256.Sum256([]byte(presented))
	return subtle.ConstantTimeCompare(d[:], s.plain[:]) == 1
}
