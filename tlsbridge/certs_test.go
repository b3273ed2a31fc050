package tlsbridge

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"natsloop/config"
)

// certFixture holds PEM files generated for this test run: nothing
// checked in, nothing that expires.
type certFixture struct {
	dir                    string
	caCert                 string // CA
	serverCert, serverKey  string // RSA, localhost + 127.0.0.1, signed by CA
	clientCert, clientKey  string // ECDSA client cert, signed by CA
	otherCA                string // a second CA
	otherCert, otherKey    string // client cert signed by the second CA
	ecServerCert, ecSrvKey string // ECDSA server cert, signed by CA
}

var (
	fixtureOnce sync.Once
	fixture     certFixture
	fixtureErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixture.dir != "" {
		os.RemoveAll(fixture.dir)
	}
	os.Exit(code)
}

// certs returns the shared fixture, generating it on first use.
func certs(tb testing.TB) *certFixture {
	tb.Helper()
	fixtureOnce.Do(func() { fixtureErr = makeFixture(&fixture) })
	if fixtureErr != nil {
		tb.Fatal(fixtureErr)
	}
	return &fixture
}

type issuer struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func makeFixture(f *certFixture) error {
	dir, err := os.MkdirTemp("", "tlsbridge-test-")
	if err != nil {
		return err
	}
	f.dir = dir
	write := func(name string, typ string, der []byte) (string, error) {
		p := filepath.Join(dir, name)
		return p, os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
	}
	writeKey := func(name string, k crypto.Signer) (string, error) {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return "", err
		}
		return write(name, "PRIVATE KEY", der)
	}
	ca, caDER, err := makeCA("natsloop test CA")
	if err != nil {
		return err
	}
	other, otherDER, err := makeCA("other test CA")
	if err != nil {
		return err
	}
	if f.caCert, err = write("ca.pem", "CERTIFICATE", caDER); err != nil {
		return err
	}
	if f.otherCA, err = write("other-ca.pem", "CERTIFICATE", otherDER); err != nil {
		return err
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	leaves := []struct {
		certPath, keyPath *string
		name              string
		key               crypto.Signer
		by                issuer
		server            bool
	}{
		{&f.serverCert, &f.serverKey, "server", rsaKey, ca, true},
		{&f.ecServerCert, &f.ecSrvKey, "ecserver", nil, ca, true},
		{&f.clientCert, &f.clientKey, "client", nil, ca, false},
		{&f.otherCert, &f.otherKey, "other-client", nil, other, false},
	}
	for i, l := range leaves {
		key := l.key
		if key == nil {
			if key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
				return err
			}
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(int64(100 + i)),
			Subject:      pkix.Name{CommonName: l.name},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		}
		if l.server {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
			tmpl.DNSNames = []string{"localhost"}
			tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
		} else {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, l.by.cert, key.Public(), l.by.key)
		if err != nil {
			return err
		}
		if *l.certPath, err = write(l.name+".pem", "CERTIFICATE", der); err != nil {
			return err
		}
		if *l.keyPath, err = writeKey(l.name+"-key.pem", key); err != nil {
			return err
		}
	}
	return nil
}

func makeCA(name string) (issuer, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return issuer{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return issuer{}, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return issuer{cert, key}, der, err
}

// serverTLS is a tls {} block for the RSA server certificate.
func (f *certFixture) serverTLS() *config.TLS {
	return &config.TLS{CertFile: f.serverCert, KeyFile: f.serverKey, CAFile: f.caCert}
}

// clientTLS is a tls {} block trusting the CA, with the client cert.
func (f *certFixture) clientTLS() *config.TLS {
	return &config.TLS{CertFile: f.clientCert, KeyFile: f.clientKey, CAFile: f.caCert}
}

func (c *tlsConfigTLS) tls() *config.TLS {
	return &config.TLS{CertFile: c.CertFile, KeyFile: c.KeyFile, CAFile: c.CAFile}
}
