package tlsbridge

import (
	"crypto"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"natsloop/config"
)

// ServerConfig builds the tls.Config for accepting connections (clients,
// route listeners, HTTPS monitoring) from a tls {} block. cert_file and
// key_file are required; verify (or verify_and_map) requires and verifies
// a client certificate against ca_file (the system roots without one).
//
// Every error names the setting and the file and says what is wrong.
func ServerConfig(t *config.TLS) (*tls.Config, error) {
	if t == nil {
		return nil, errors.New("tlsbridge: no tls settings")
	}
	if t.CertFile == "" || t.KeyFile == "" {
		return nil, errors.New("tlsbridge: cert_file and key_file are required for a TLS server")
	}
	cfg, err := baseConfig(t)
	if err != nil {
		return nil, err
	}
	cert, err := LoadKeyPair(t.CertFile, t.KeyFile)
	if err != nil {
		return nil, err
	}
	cfg.Certificates = []tls.Certificate{cert}
	if t.CAFile != "" {
		pool, err := LoadCAFile(t.CAFile)
		if err != nil {
			return nil, err
		}
		cfg.ClientCAs = pool
	}
	if t.Verify || t.VerifyAndMap {
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// ClientConfig builds the tls.Config for dialing (route links) from a
// tls {} block. serverName is the name verified in the peer's
// certificate (a host name or IP). cert_file/key_file, when set, are the
// certificate offered to the peer; ca_file is the root pool (the system
// roots without one); insecure skips verification of the peer.
func ClientConfig(t *config.TLS, serverName string) (*tls.Config, error) {
	if t == nil {
		return nil, errors.New("tlsbridge: no tls settings")
	}
	cfg, err := baseConfig(t)
	if err != nil {
		return nil, err
	}
	cfg.ServerName = serverName
	cfg.InsecureSkipVerify = t.Insecure
	if t.CertFile != "" || t.KeyFile != "" {
		if t.CertFile == "" || t.KeyFile == "" {
			return nil, errors.New("tlsbridge: cert_file and key_file must be set together")
		}
		cert, err := LoadKeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if t.CAFile != "" {
		pool, err := LoadCAFile(t.CAFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// HandshakeTimeout is the handshake timeout of a tls {} block (timeout),
// config.DefaultTLSTimeout when unset.
func HandshakeTimeout(t *config.TLS) time.Duration {
	if t == nil || t.Timeout <= 0 {
		return config.DefaultTLSTimeout
	}
	return t.Timeout
}

// baseConfig sets what servers and clients share: versions, suites,
// curves, pinned certificates, and 16 KB records from the first byte.
func baseConfig(t *config.TLS) (*tls.Config, error) {
	minV, err := ParseMinVersion(t.MinVersion)
	if err != nil {
		return nil, err
	}
	suites, err := ParseCipherSuites(t.CipherSuites)
	if err != nil {
		return nil, err
	}
	curves, err := ParseCurves(t.CurvePreferences)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{
		MinVersion:       minV,
		CipherSuites:     suites,
		CurvePreferences: curves,
		// Full 16 KB records at once: the bridge encrypts a whole flush
		// in one Write and wants the fewest records, not a slow start.
		DynamicRecordSizingDisabled: true,
	}
	if len(t.PinnedCerts) > 0 {
		pins, err := parsePins(t.PinnedCerts)
		if err != nil {
			return nil, err
		}
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return nil // nothing offered; verify decides whether that is allowed
			}
			sum := sha256.Sum256(cs.PeerCertificates[0].RawSubjectPublicKeyInfo)
			if _, ok := pins[sum]; !ok {
				return errors.New("tlsbridge: peer certificate is not in pinned_certs")
			}
			return nil
		}
	}
	return cfg, nil
}

// ParseMinVersion maps min_version to a crypto/tls version: "" and "1.2"
// are TLS 1.2, "1.3" is TLS 1.3; anything older is refused.
func ParseMinVersion(v string) (uint16, error) {
	s := strings.ToLower(strings.TrimSpace(v))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "tls"), " ")
	switch s {
	case "", "1.2", "12":
		return tls.VersionTLS12, nil
	case "1.3", "13":
		return tls.VersionTLS13, nil
	case "1.0", "1.1", "10", "11", "ssl3", "ssl3.0":
		return 0, fmt.Errorf("tlsbridge: min_version %q refused: TLS 1.2 is the minimum", v)
	}
	return 0, fmt.Errorf("tlsbridge: min_version %q unknown (use \"1.2\" or \"1.3\")", v)
}

// ParseCipherSuites maps cipher_suites names (crypto/tls names, e.g.
// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) to ids. nil or empty gives the
// policy's suites. A suite that is not ECDHE + AEAD is an error; TLS 1.3
// names are accepted and dropped (crypto/tls does not let them be
// configured).
func ParseCipherSuites(names []string) ([]uint16, error) {
	if len(names) == 0 {
		return Policy().Suites, nil
	}
	ids := make([]uint16, 0, len(names))
	for _, name := range names {
		id, tls13, ok := lookupSuite(strings.TrimSpace(name))
		switch {
		case !ok:
			return nil, fmt.Errorf("tlsbridge: cipher_suites: unknown cipher suite %q", name)
		case tls13:
			continue
		case !allowedSuite(id):
			return nil, fmt.Errorf("tlsbridge: cipher_suites: %s is not allowed: TLS 1.2 suites must be ECDHE with AES-GCM or ChaCha20-Poly1305", name)
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		// Only TLS 1.3 names: TLS 1.2 gets the policy's suites.
		return Policy().Suites, nil
	}
	return ids, nil
}

// lookupSuite finds a suite by its crypto/tls name (case-insensitive),
// also accepting the names without the _SHA256 of ChaCha20 suites.
func lookupSuite(name string) (id uint16, tls13, ok bool) {
	for _, list := range [][]*tls.CipherSuite{tls.CipherSuites(), tls.InsecureCipherSuites()} {
		for _, s := range list {
			if strings.EqualFold(s.Name, name) || (strings.Contains(s.Name, "CHACHA20") && strings.EqualFold(strings.TrimSuffix(s.Name, "_SHA256"), name)) {
				onlyTLS13 := len(s.SupportedVersions) == 1 && s.SupportedVersions[0] == tls.VersionTLS13
				return s.ID, onlyTLS13, true
			}
		}
	}
	return 0, false, false
}

// ParseCurves maps curve_preferences names (CurveP256, CurveP384,
// CurveP521, X25519, X25519MLKEM768, ..., case-insensitive, "P256" and
// "P-256" too) to ids. nil gives Go's default (nil).
func ParseCurves(names []string) ([]tls.CurveID, error) {
	if len(names) == 0 {
		return nil, nil
	}
	known := []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521,
		tls.X25519MLKEM768, tls.SecP256r1MLKEM768, tls.SecP384r1MLKEM1024}
	ids := make([]tls.CurveID, 0, len(names))
next:
	for _, name := range names {
		n := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(name), "-", ""))
		for _, id := range known {
			s := strings.ToLower(id.String())
			if n == s || "curve"+n == s {
				ids = append(ids, id)
				continue next
			}
		}
		return nil, fmt.Errorf("tlsbridge: curve_preferences: unknown curve %q", name)
	}
	return ids, nil
}

// parsePins reads pinned_certs: hex sha256 of SubjectPublicKeyInfo.
func parsePins(list []string) (map[[32]byte]struct{}, error) {
	pins := make(map[[32]byte]struct{}, len(list))
	for _, p := range list {
		b, err := hex.DecodeString(strings.TrimSpace(p))
		if err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("tlsbridge: pinned_certs: %q is not a hex sha256", p)
		}
		pins[[32]byte(b)] = struct{}{}
	}
	return pins, nil
}

// LoadKeyPair reads a certificate chain and its private key. Errors name
// the file and the problem: missing, unreadable, no PEM block, not a
// valid certificate or key, encrypted key, or a key that does not match
// the certificate.
func LoadKeyPair(certFile, keyFile string) (tls.Certificate, error) {
	var cert tls.Certificate
	certPEM, err := readFile("cert_file", certFile)
	if err != nil {
		return cert, err
	}
	for rest := certPEM; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			cert.Certificate = append(cert.Certificate, b.Bytes)
		}
	}
	if len(cert.Certificate) == 0 {
		return cert, fmt.Errorf("tlsbridge: cert_file %q: no PEM certificate found", certFile)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return cert, fmt.Errorf("tlsbridge: cert_file %q: invalid certificate: %v", certFile, err)
	}
	cert.Leaf = leaf

	keyPEM, err := readFile("key_file", keyFile)
	if err != nil {
		return cert, err
	}
	var kb *pem.Block
	for rest := keyPEM; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "PRIVATE KEY" || strings.HasSuffix(b.Type, " PRIVATE KEY") {
			kb = b
			break
		}
	}
	if kb == nil {
		return cert, fmt.Errorf("tlsbridge: key_file %q: no PEM private key found", keyFile)
	}
	if strings.Contains(kb.Type, "ENCRYPTED") || kb.Headers["Proc-Type"] != "" {
		return cert, fmt.Errorf("tlsbridge: key_file %q: encrypted private keys are not supported", keyFile)
	}
	key, err := parseKey(kb.Bytes)
	if err != nil {
		return cert, fmt.Errorf("tlsbridge: key_file %q: invalid private key: %v", keyFile, err)
	}
	pub, ok := leaf.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(key.Public()) {
		return cert, fmt.Errorf("tlsbridge: key_file %q does not match the certificate in cert_file %q", keyFile, certFile)
	}
	cert.PrivateKey = key
	return cert, nil
}

// parseKey parses PKCS#1, PKCS#8 and SEC 1 (EC) private keys.
func parseKey(der []byte) (crypto.Signer, error) {
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("unsupported key type %T", k)
		}
		return s, nil
	}
	k, err := x509.ParseECPrivateKey(der)
	if err != nil {
		return nil, errors.New("not a PKCS#1, PKCS#8 or EC private key")
	}
	return k, nil
}

// LoadCAFile reads a PEM bundle of CA certificates into a pool.
func LoadCAFile(caFile string) (*x509.CertPool, error) {
	b, err := readFile("ca_file", caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("tlsbridge: ca_file %q: no PEM certificates found", caFile)
	}
	return pool, nil
}

// readFile reads a configured file, naming the setting in errors.
func readFile(setting, path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		return b, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("tlsbridge: %s %q: file does not exist", setting, path)
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("tlsbridge: %s %q: not readable: permission denied", setting, path)
	default:
		return nil, fmt.Errorf("tlsbridge: %s %q: cannot read: %v", setting, path, err)
	}
}
