package testcert

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// TB is the part of testing.TB the Must and file helpers use.
type TB interface {
	Helper()
	Fatal(args ...any)
}

// KeyType is a leaf's key algorithm.
type KeyType int

const (
	ECDSA KeyType = iota // P-256
	RSA                  // 2048 bits
)

// Use is what a leaf certificate is for.
type Use int

const (
	ServerAndClient Use = iota // both extended key usages, server names
	ServerOnly                 // server auth, names localhost and 127.0.0.1
	ClientOnly                 // client auth, no names
)

// Spec describes a leaf certificate.
type Spec struct {
	Name string // common name, and the file names Write picks
	Key  KeyType
	Use  Use
}

// CA is a certificate authority that issues test certificates.
type CA struct {
	Cert   *x509.Certificate
	Key    crypto.Signer
	CAFile string // PEM of the CA certificate, once written
}

// Leaf is an issued certificate and its key.
type Leaf struct {
	Name string
	DER  []byte // the certificate
	Key  crypto.Signer
}

// New creates a CA in memory.
func New(name string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl, err := template(name)
	if err != nil {
		return nil, err
	}
	tmpl.IsCA = true
	tmpl.BasicConstraintsValid = true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, Key: key}, nil
}

// MustNew is New for tests.
func MustNew(tb TB, name string) *CA {
	tb.Helper()
	ca, err := New(name)
	if err != nil {
		tb.Fatal(err)
	}
	return ca
}

// NewCA creates a CA and writes its certificate to dir/<name>-ca.pem
// (CAFile).
func NewCA(tb TB, dir, name string) *CA {
	tb.Helper()
	ca := MustNew(tb, name)
	if err := ca.WriteFile(filepath.Join(dir, name+"-ca.pem")); err != nil {
		tb.Fatal(err)
	}
	return ca
}

// WriteFile writes the CA certificate as PEM to path and sets CAFile.
func (ca *CA) WriteFile(path string) error {
	if err := writePEM(path, "CERTIFICATE", ca.Cert.Raw); err != nil {
		return err
	}
	ca.CAFile = path
	return nil
}

// Pool is a pool holding the CA certificate.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// Leaf issues a certificate.
func (ca *CA) Leaf(s Spec) (*Leaf, error) {
	key, err := newKey(s.Key)
	if err != nil {
		return nil, err
	}
	tmpl, err := template(s.Name)
	if err != nil {
		return nil, err
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	if s.Use != ClientOnly {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
		tmpl.DNSNames = []string{"localhost"}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	if s.Use != ServerOnly {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageClientAuth)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return nil, err
	}
	return &Leaf{Name: s.Name, DER: der, Key: key}, nil
}

// MustLeaf is Leaf for tests.
func (ca *CA) MustLeaf(tb TB, s Spec) *Leaf {
	tb.Helper()
	l, err := ca.Leaf(s)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// Issue makes an ECDSA certificate for 127.0.0.1 and localhost (server
// and client use) and returns the PEM file paths of the certificate and
// its key, written under dir.
func (ca *CA) Issue(tb TB, dir, name string) (certFile, keyFile string) {
	tb.Helper()
	return ca.IssueSpec(tb, dir, Spec{Name: name})
}

// IssueSpec is Issue for any Spec.
func (ca *CA) IssueSpec(tb TB, dir string, s Spec) (certFile, keyFile string) {
	tb.Helper()
	certFile, keyFile, err := ca.MustLeaf(tb, s).Write(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return certFile, keyFile
}

// TLS is the leaf as a tls.Certificate.
func (l *Leaf) TLS() tls.Certificate {
	return tls.Certificate{Certificate: [][]byte{l.DER}, PrivateKey: l.Key}
}

// Write writes dir/<name>-cert.pem and dir/<name>-key.pem (PKCS#8).
func (l *Leaf) Write(dir string) (certFile, keyFile string, err error) {
	kder, err := x509.MarshalPKCS8PrivateKey(l.Key)
	if err != nil {
		return "", "", err
	}
	certFile = filepath.Join(dir, l.Name+"-cert.pem")
	keyFile = filepath.Join(dir, l.Name+"-key.pem")
	if err := writePEM(certFile, "CERTIFICATE", l.DER); err != nil {
		return "", "", err
	}
	if err := writePEM(keyFile, "PRIVATE KEY", kder); err != nil {
		return "", "", err
	}
	return certFile, keyFile, nil
}

func newKey(k KeyType) (crypto.Signer, error) {
	if k == RSA {
		return rsa.GenerateKey(rand.Reader, 2048)
	}
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}

// template is what every certificate shares: a random serial, the name,
// validity from an hour ago for a day.
func template(name string) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, err
	}
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}, nil
}

func writePEM(path, typ string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
}
