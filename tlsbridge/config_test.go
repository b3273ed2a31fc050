package tlsbridge

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"natsloop/config"
)

func TestServerConfigDefaults(t *testing.T) {
	f := certs(t)
	cfg, err := ServerConfig(&config.TLS{CertFile: f.serverCert, KeyFile: f.serverKey})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MinVersion != tls.VersionTLS12 || cfg.ClientAuth != tls.NoClientCert || !cfg.DynamicRecordSizingDisabled {
		t.Fatalf("%+v", cfg)
	}
	if len(cfg.Certificates) != 1 || cfg.Certificates[0].Leaf == nil {
		t.Fatal("certificate not loaded")
	}
	for _, id := range cfg.CipherSuites {
		if !allowedSuite(id) {
			t.Fatalf("suite %s", tls.CipherSuiteName(id))
		}
	}
	if len(cfg.CipherSuites) != 6 {
		t.Fatalf("%d suites", len(cfg.CipherSuites))
	}

	tc := f.serverTLS()
	tc.VerifyAndMap = true
	tc.MinVersion = "1.3"
	cfg, err = ServerConfig(tc)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ClientAuth != tls.RequireAndVerifyClientCert || cfg.ClientCAs == nil || cfg.MinVersion != tls.VersionTLS13 {
		t.Fatalf("verify_and_map: %+v", cfg)
	}
}

func TestClientConfig(t *testing.T) {
	f := certs(t)
	cfg, err := ClientConfig(&config.TLS{CAFile: f.caCert, Insecure: true}, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ServerName != "127.0.0.1" || cfg.RootCAs == nil || !cfg.InsecureSkipVerify || len(cfg.Certificates) != 0 {
		t.Fatalf("%+v", cfg)
	}
	if _, err := ClientConfig(&config.TLS{CertFile: f.clientCert}, "x"); err == nil {
		t.Fatal("cert_file without key_file accepted")
	}
	if HandshakeTimeout(&config.TLS{}) != config.DefaultTLSTimeout || HandshakeTimeout(&config.TLS{Timeout: time.Second}) != time.Second {
		t.Fatal("HandshakeTimeout")
	}
}

func TestConfigFileErrors(t *testing.T) {
	f := certs(t)
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	os.WriteFile(junk, []byte("this is not PEM\n"), 0o600)
	badCert := filepath.Join(dir, "badcert.pem")
	os.WriteFile(badCert, []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), 0o600)
	badKey := filepath.Join(dir, "badkey.pem")
	os.WriteFile(badKey, []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o600)
	missing := filepath.Join(dir, "missing.pem")

	cases := []struct {
		name string
		tls  config.TLS
		want []string // substrings of the error
	}{
		{"missing cert", config.TLS{CertFile: missing, KeyFile: f.serverKey}, []string{"cert_file", missing, "does not exist"}},
		{"missing key", config.TLS{CertFile: f.serverCert, KeyFile: missing}, []string{"key_file", missing, "does not exist"}},
		{"missing ca", config.TLS{CertFile: f.serverCert, KeyFile: f.serverKey, CAFile: missing}, []string{"ca_file", missing, "does not exist"}},
		{"cert not PEM", config.TLS{CertFile: junk, KeyFile: f.serverKey}, []string{"cert_file", junk, "no PEM certificate"}},
		{"key not PEM", config.TLS{CertFile: f.serverCert, KeyFile: junk}, []string{"key_file", junk, "no PEM private key"}},
		{"ca not PEM", config.TLS{CertFile: f.serverCert, KeyFile: f.serverKey, CAFile: junk}, []string{"ca_file", junk, "no PEM certificates"}},
		{"cert garbage", config.TLS{CertFile: badCert, KeyFile: f.serverKey}, []string{"cert_file", badCert, "invalid certificate"}},
		{"key garbage", config.TLS{CertFile: f.serverCert, KeyFile: badKey}, []string{"key_file", badKey, "invalid private key"}},
		{"key mismatch", config.TLS{CertFile: f.serverCert, KeyFile: f.clientKey}, []string{"key_file", f.clientKey, "does not match", f.serverCert}},
		{"key is a cert", config.TLS{CertFile: f.serverCert, KeyFile: f.serverCert}, []string{"key_file", f.serverCert, "no PEM private key"}},
		{"no key", config.TLS{CertFile: f.serverCert}, []string{"cert_file and key_file are required"}},
		{"dir", config.TLS{CertFile: dir, KeyFile: f.serverKey}, []string{"cert_file", dir, "cannot read"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ServerConfig(&c.tls)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range append(c.want, "tlsbridge: ") {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	if os.Geteuid() != 0 {
		locked := filepath.Join(dir, "locked.pem")
		os.WriteFile(locked, []byte("x"), 0o000)
		_, err := ServerConfig(&config.TLS{CertFile: locked, KeyFile: f.serverKey})
		if err == nil || !strings.Contains(err.Error(), "permission denied") || !strings.Contains(err.Error(), locked) {
			t.Fatalf("unreadable: %v", err)
		}
	}
}

func TestParseMinVersion(t *testing.T) {
	for in, want := range map[string]uint16{"": tls.VersionTLS12, "1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13, "TLS1.3": tls.VersionTLS13} {
		if v, err := ParseMinVersion(in); err != nil || v != want {
			t.Errorf("%q: %x %v", in, v, err)
		}
	}
	for _, in := range []string{"1.0", "1.1", "2.0", "x"} {
		if _, err := ParseMinVersion(in); err == nil || !strings.Contains(err.Error(), "min_version") {
			t.Errorf("%q: %v", in, err)
		}
	}
	if _, err := ServerConfig(&config.TLS{CertFile: "x", KeyFile: "y", MinVersion: "1.1"}); err == nil || !strings.Contains(err.Error(), "TLS 1.2 is the minimum") {
		t.Fatal(err)
	}
}

func TestParseCipherSuites(t *testing.T) {
	ids, err := ParseCipherSuites([]string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "tls_ecdhe_ecdsa_with_chacha20_poly1305", "TLS_AES_128_GCM_SHA256"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[0] != tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 || ids[1] != tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 {
		t.Fatalf("%x", ids)
	}
	for _, bad := range []string{
		"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",    // CBC
		"TLS_RSA_WITH_AES_128_GCM_SHA256",       // no ECDHE
		"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", // CBC, insecure list
		"TLS_RSA_WITH_RC4_128_SHA",
	} {
		if _, err := ParseCipherSuites([]string{bad}); err == nil || !strings.Contains(err.Error(), "not allowed") {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if _, err := ParseCipherSuites([]string{"TLS_NOPE"}); err == nil || !strings.Contains(err.Error(), "unknown cipher suite") {
		t.Error(err)
	}
	if ids, _ := ParseCipherSuites(nil); len(ids) != 6 {
		t.Errorf("default %x", ids)
	}
}

func TestParseCurves(t *testing.T) {
	ids, err := ParseCurves([]string{"CurveP256", "X25519", "p384", "P-521", "X25519MLKEM768"})
	if err != nil {
		t.Fatal(err)
	}
	want := []tls.CurveID{tls.CurveP256, tls.X25519, tls.CurveP384, tls.CurveP521, tls.X25519MLKEM768}
	for i := range want {
		if ids[i] != want[i] {
			t.Fatalf("%v", ids)
		}
	}
	if _, err := ParseCurves([]string{"secp256k1"}); err == nil || !strings.Contains(err.Error(), "curve_preferences") {
		t.Fatal(err)
	}
}

func TestPinnedCerts(t *testing.T) {
	f := certs(t)
	leaf, err := LoadKeyPair(f.serverCert, f.serverKey)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(leaf.Leaf.RawSubjectPublicKeyInfo)
	good := hex.EncodeToString(sum[:])
	scfg := mustServerConfig(t, f)
	for _, c := range []struct {
		pin string
		ok  bool
	}{{good, true}, {strings.Repeat("00", 32), false}} {
		tc := f.clientTLS()
		tc.PinnedCerts = []string{c.pin}
		ccfg, err := ClientConfig(tc, "localhost")
		if err != nil {
			t.Fatal(err)
		}
		s, peer := serverSim(t, scfg)
		_, cerr := clientHandshake(t, peer, ccfg)
		s.waitEnded(5 * time.Second)
		if (cerr == nil) != c.ok {
			t.Fatalf("pin %s: %v", c.pin[:8], cerr)
		}
	}
	if _, err := ClientConfig(&config.TLS{PinnedCerts: []string{"xyz"}}, ""); err == nil {
		t.Fatal("bad pin accepted")
	}
}
