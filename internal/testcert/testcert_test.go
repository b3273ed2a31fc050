package testcert

import (
	"crypto/tls"
	"crypto/x509"
	"testing"
)

// TestLeavesVerify: every kind of leaf loads from its files and verifies
// against its CA for the uses it was made for, and only those.
func TestLeavesVerify(t *testing.T) {
	dir := t.TempDir()
	ca := NewCA(t, dir, "ca")
	pool := x509.NewCertPool()
	if ca.CAFile == "" {
		t.Fatal("no CA file")
	}
	pool.AddCert(ca.Cert)
	for _, s := range []Spec{
		{Name: "both"}, {Name: "server", Use: ServerOnly}, {Name: "client", Use: ClientOnly},
		{Name: "rsa", Key: RSA, Use: ServerOnly},
	} {
		certFile, keyFile := ca.IssueSpec(t, dir, s)
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		leaf, _ := x509.ParseCertificate(pair.Certificate[0])
		for use, want := range map[x509.ExtKeyUsage]bool{
			x509.ExtKeyUsageServerAuth: s.Use != ClientOnly,
			x509.ExtKeyUsageClientAuth: s.Use != ServerOnly,
		} {
			opts := x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{use}}
			if use == x509.ExtKeyUsageServerAuth {
				opts.DNSName = "localhost"
			}
			if _, err := leaf.Verify(opts); (err == nil) != want {
				t.Errorf("%s for %v: %v, want ok=%v", s.Name, use, err, want)
			}
		}
	}
	other := MustNew(t, "other")
	l := other.MustLeaf(t, Spec{Name: "x"})
	leaf, _ := x509.ParseCertificate(l.TLS().Certificate[0])
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err == nil {
		t.Fatal("a leaf of another CA verified")
	}
}
