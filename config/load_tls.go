package config

import (
	"crypto/tls"
	"math"
	"os"
	"strings"
	"time"
)

// tls reads a tls {} block. server is true for blocks where natsloop
// presents a certificate to clients (client TLS, https), where a
// certificate and key are required.
func (l *loader) tls(v value, server bool) *TLS {
	m, ok := l.mapOf(v)
	if !ok {
		return nil
	}
	t := &TLS{Timeout: DefaultTLSTimeout}
	for _, f := range l.fields(&v, m) {
		switch f.name {
		case "cert_file":
			l.path(f, &t.CertFile)
		case "key_file":
			l.path(f, &t.KeyFile)
		case "ca_file":
			l.path(f, &t.CAFile)
		case "verify":
			l.setBool(f, &t.Verify)
		case "verify_and_map":
			if b, ok := l.boolean(f); ok {
				t.VerifyAndMap = b
				if b {
					t.Verify = true
				}
			}
		case "insecure":
			l.setBool(f, &t.Insecure)
		case "timeout":
			if d, ok := l.seconds(f); ok {
				t.Timeout = d
			}
		case "cipher_suites":
			if names, ok := l.strs(f); ok {
				for _, n := range names {
					if !knownCipher(n) {
						l.errorf(f, "unrecognized cipher suite %q", n)
						names = nil
						break
					}
				}
				t.CipherSuites = names
			}
		case "curve_preferences":
			if names, ok := l.strs(f); ok {
				for _, n := range names {
					if _, ok := CurveID(n); !ok {
						l.errorf(f, "unrecognized curve preference %q", n)
						names = nil
						break
					}
				}
				t.CurvePreferences = names
			}
		case "min_version":
			if s, ok := l.str(f); ok {
				switch s {
				case "1.2", "1.3":
					t.MinVersion = s
				case "1.0", "1.1":
					l.errorf(f, "unsupported TLS version %q: the minimum is 1.2", s)
				default:
					l.errorf(f, "unknown TLS version %q", s)
				}
			}
		case "handshake_first", "first", "immediate":
			l.handshakeFirst(f, t)
		case "pinned_certs":
			t.PinnedCerts, _ = l.strs(f)
		case "connection_rate_limit":
			if n, ok := l.intIn(f, 0, math.MaxInt32); ok {
				t.ConnectionRateLimit = int64(n)
			}
		default:
			l.unknown(f)
		}
	}
	if t.Timeout <= 0 {
		t.Timeout = DefaultTLSTimeout
	}
	if server || t.CertFile != "" || t.KeyFile != "" {
		if t.CertFile == "" {
			l.errorf(v, "missing 'cert_file' in TLS configuration")
			return nil
		}
		if t.KeyFile == "" {
			l.errorf(v, "missing 'key_file' in TLS configuration")
			return nil
		}
	}
	return t
}

// file reads a path and checks that it can be read, so that -t catches
// a missing certificate as nats-server does.
func (l *loader) path(v value, dst *string) {
	s, ok := l.str(v)
	if !ok {
		return
	}
	if _, err := os.Stat(s); err != nil {
		l.errorf(v, "%v", err)
		return
	}
	*dst = s
}

func (l *loader) handshakeFirst(v value, t *TLS) {
	switch x := v.raw.(type) {
	case bool:
		t.HandshakeFirst = x
	case string:
		switch strings.ToLower(x) {
		case "true", "on":
			t.HandshakeFirst = true
		case "false", "off":
			t.HandshakeFirst = false
		case "auto", "auto_fallback":
			t.HandshakeFirst = true
			t.HandshakeFirstFallback = DefaultHandshakeFirstFallback
		default:
			d, err := time.ParseDuration(x)
			if err != nil || d <= 0 {
				l.errorf(v, "expected a boolean, \"auto\" or a duration, got %q", x)
				return
			}
			t.HandshakeFirst = true
			t.HandshakeFirstFallback = d
		}
	default:
		l.errorf(v, "expected a boolean, \"auto\" or a duration, got %s", describe(v.raw))
	}
}

func knownCipher(name string) bool {
	for _, s := range tls.CipherSuites() {
		if s.Name == name {
			return true
		}
	}
	for _, s := range tls.InsecureCipherSuites() {
		if s.Name == name {
			return true
		}
	}
	return false
}

// CurveID maps a curve_preferences name to its crypto/tls ID.
func CurveID(name string) (tls.CurveID, bool) {
	switch name {
	case "CurveP256":
		return tls.CurveP256, true
	case "CurveP384":
		return tls.CurveP384, true
	case "CurveP521":
		return tls.CurveP521, true
	case "X25519":
		return tls.X25519, true
	case "X25519MLKEM768":
		return tls.X25519MLKEM768, true
	}
	return 0, false
}
