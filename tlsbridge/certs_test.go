package tlsbridge

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"natsloop/config"
	"natsloop/internal/testcert"
)

// certFixture holds PEM files generated for this test run: nothing
// checked in, nothing that expires.
type certFixture struct {
	dir                   string
	caCert                string // CA
	serverCert, serverKey string // RSA, localhost + 127.0.0.1, signed by CA
	clientCert, clientKey string // ECDSA client cert, signed by CA
	otherCA               string // a second CA
	otherCert, otherKey   string // client cert signed by the second CA
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

func makeFixture(f *certFixture) error {
	dir, err := os.MkdirTemp("", "tlsbridge-test-")
	if err != nil {
		return err
	}
	f.dir = dir
	ca, err := newCAFile(dir, "natsloop test CA", "ca.pem")
	if err != nil {
		return err
	}
	other, err := newCAFile(dir, "other test CA", "other-ca.pem")
	if err != nil {
		return err
	}
	f.caCert, f.otherCA = ca.CAFile, other.CAFile
	leaves := []struct {
		certPath, keyPath *string
		by                *testcert.CA
		spec              testcert.Spec
	}{
		{&f.serverCert, &f.serverKey, ca, testcert.Spec{Name: "server", Key: testcert.RSA}},
		{&f.clientCert, &f.clientKey, ca, testcert.Spec{Name: "client", Use: testcert.ClientOnly}},
		{&f.otherCert, &f.otherKey, other, testcert.Spec{Name: "other-client", Use: testcert.ClientOnly}},
	}
	for _, l := range leaves {
		leaf, err := l.by.Leaf(l.spec)
		if err != nil {
			return err
		}
		if *l.certPath, *l.keyPath, err = leaf.Write(dir); err != nil {
			return err
		}
	}
	return nil
}

func newCAFile(dir, name, file string) (*testcert.CA, error) {
	ca, err := testcert.New(name)
	if err != nil {
		return nil, err
	}
	return ca, ca.WriteFile(filepath.Join(dir, file))
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
