package config

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"math"
	"os"
	"strings"
	"time"
)

// tls reads a tls {} block. server is true for blocks where natsloop
// presents a certificate to clients (client TLS, https), where a
// certificate and key are required. The files are read and parsed here,
// as nats-server does, so that -t reports a bad certificate at its
// setting.
func (l *loader) tls(v value, server bool) *TLS {
	t := &TLS{Timeout: DefaultTLSTimeout}
	files := map[string]value{}
	errs := len(l.errs)
	if !l.each(v, func(f value) bool { return l.tlsField(f, t, files) }) || len(l.errs) > errs {
		return nil // as nats-server, the block's first problems only
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
	for _, p := range checkTLSFiles(t) {
		at, ok := files[p.setting]
		if !ok {
			at = v
		}
		l.errorf(at, "%s", p.msg)
	}
	return t
}

// tlsField reads one key of a tls block; files keeps where the file
// settings are.
func (l *loader) tlsField(f value, t *TLS, files map[string]value) bool {
	switch f.name {
	case "cert_file":
		files[f.name] = f
		l.setStr(f, &t.CertFile)
	case "key_file":
		files[f.name] = f
		l.setStr(f, &t.KeyFile)
	case "ca_file":
		files[f.name] = f
		l.setStr(f, &t.CAFile)
	case "verify":
		l.setBool(f, &t.Verify)
	case "verify_and_map":
		if !l.refused(f) {
			// Verifies, but mapping the certificate to a user is not built.
			l.setBool(f, &t.VerifyAndMap)
			t.Verify = t.Verify || t.VerifyAndMap
		}
	case "insecure":
		l.setBool(f, &t.Insecure)
	case "timeout":
		if d, ok := l.seconds(f); ok {
			t.Timeout = d
		}
	case "cipher_suites":
		t.CipherSuites = l.names(f, cipherProblem)
	case "curve_preferences":
		t.CurvePreferences = l.names(f, curveProblem)
	case "min_version":
		l.minVersion(f, t)
	case "handshake_first", "first", "immediate":
		l.handshakeFirst(f, t)
	case "pinned_certs":
		t.PinnedCerts, _ = l.strs(f)
	case "connection_rate_limit":
		if !l.refused(f) {
			if n, ok := l.intIn(f, 0, math.MaxInt32); ok {
				t.ConnectionRateLimit = int64(n)
			}
		}
	case "verify_cert_and_check_known_urls", "allow_insecure_cipher_suites", "cert_store",
		"cert_match_by", "cert_match", "ca_certs_match", "cert_match_skip_invalid",
		"ocsp_peer", "certs", "certificates":
		l.refused(f)
	default:
		if !f.usedVariable() {
			l.fieldErrorf(f, "error parsing tls config, unknown field %q", f.field())
		}
	}
	return true
}

// tlsProblem is a file of a TLS block that cannot be used: setting is
// cert_file, key_file or ca_file, or "" for the certificate/key pair.
type tlsProblem struct{ setting, msg string }

// checkTLSFiles reads and parses the files of t in nats-server's words:
// "open x.pem: no such file or directory", "error parsing X509
// certificate/key pair: ...", "failed to parse root ca certificate".
func checkTLSFiles(t *TLS) []tlsProblem {
	var out []tlsProblem
	read := func(setting, path string) []byte {
		if path == "" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			out = append(out, tlsProblem{setting, err.Error()})
			return nil
		}
		return b
	}
	cert, key := read("cert_file", t.CertFile), read("key_file", t.KeyFile)
	if cert != nil && key != nil {
		if _, err := tls.X509KeyPair(cert, key); err != nil {
			out = append(out, tlsProblem{"", "error parsing X509 certificate/key pair: " + err.Error()})
		}
	}
	if ca := read("ca_file", t.CAFile); ca != nil && !x509.NewCertPool().AppendCertsFromPEM(ca) {
		out = append(out, tlsProblem{"ca_file", "failed to parse root ca certificate"})
	}
	return out
}

// names reads a string or a list of strings, all of which problem
// accepts (it returns "" for a good name).
func (l *loader) names(f value, problem func(name string) string) []string {
	names, ok := l.strs(f)
	if !ok {
		return nil
	}
	for _, n := range names {
		if msg := problem(n); msg != "" {
			l.errorf(f, "%s", msg)
			return nil
		}
	}
	return names
}

func curveProblem(name string) string {
	if _, ok := CurveID(name); !ok {
		return fmt.Sprintf("unrecognized curve preference %q (see --help_tls)", name)
	}
	return ""
}

func (l *loader) minVersion(f value, t *TLS) {
	s, ok := l.str(f)
	if !ok {
		return
	}
	switch s {
	case "1.2", "1.3":
		t.MinVersion = s
	case "1.0", "1.1":
		l.errorf(f, "unsupported TLS version %q: the minimum is 1.2", s)
	default:
		l.errorf(f, "unknown TLS version %q", s)
	}
}

// handshakeFirst reads true/false, or "auto" or a duration (TLS first,
// with a fallback to INFO first for clients that stay silent), which
// natsloop does not implement.
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
	if t.HandshakeFirstFallback > 0 && !l.permissive {
		l.errorf(v, "%s: the fallback to INFO first is not supported by natsloop; use true", describe(v.raw))
	}
}

// cipherProblem says why a cipher_suites name is refused, "" when it is
// accepted: natsloop allows TLS 1.2 suites with ECDHE and an AEAD
// (AES-GCM, ChaCha20-Poly1305) only; TLS 1.3 suites are all AEAD.
func cipherProblem(name string) string {
	for _, s := range AllowedCipherSuites() {
		if s == name {
			return ""
		}
	}
	for _, list := range [][]*tls.CipherSuite{tls.CipherSuites(), tls.InsecureCipherSuites()} {
		for _, s := range list {
			if s.Name == name {
				return "cipher suite " + name + " is not allowed: natsloop accepts only ECDHE suites with AES-GCM or ChaCha20-Poly1305 (see --help_tls)"
			}
		}
	}
	return "unrecognized cipher suite \"" + name + "\" (see --help_tls)"
}

// AllowedCipherSuites lists the cipher_suites names natsloop accepts, in
// crypto/tls's order: the TLS 1.2 ECDHE + AEAD suites and the TLS 1.3
// suites.
func AllowedCipherSuites() []string {
	var out []string
	for _, s := range tls.CipherSuites() {
		tls13 := len(s.SupportedVersions) == 1 && s.SupportedVersions[0] == tls.VersionTLS13
		aead := strings.Contains(s.Name, "_GCM_") || strings.Contains(s.Name, "CHACHA20_POLY1305")
		if tls13 || strings.Contains(s.Name, "_ECDHE_") && aead {
			out = append(out, s.Name)
		}
	}
	return out
}

// curveIDs are the curve_preferences natsloop accepts, named as
// crypto/tls names them (CurveP256, X25519, X25519MLKEM768, ...).
func curveIDs() []tls.CurveID {
	return []tls.CurveID{tls.CurveP256, tls.CurveP384, tls.CurveP521, tls.X25519,
		tls.X25519MLKEM768, tls.SecP256r1MLKEM768, tls.SecP384r1MLKEM1024}
}

// CurveID maps a curve_preferences name to its crypto/tls ID.
func CurveID(name string) (tls.CurveID, bool) {
	for _, id := range curveIDs() {
		if id.String() == name {
			return id, true
		}
	}
	return 0, false
}
