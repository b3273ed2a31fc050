package perf

import (
	"crypto/tls"
	"fmt"
	"path/filepath"

	"natsloop/internal/testcert"
)

// makeCerts writes a throwaway CA and a server certificate for 127.0.0.1
// and localhost (ECDSA P-256, valid for a day) into dir, and returns the
// file paths and a client tls.Config that trusts the CA.
func makeCerts(dir string) (*tlsFiles, *tls.Config, error) {
	ca, err := testcert.New("natsloop-perf throwaway CA")
	if err != nil {
		return nil, nil, fmt.Errorf("perf: CA: %w", err)
	}
	leaf, err := ca.Leaf(testcert.Spec{Name: "server", Use: testcert.ServerOnly})
	if err != nil {
		return nil, nil, fmt.Errorf("perf: server certificate: %w", err)
	}
	tf := &tlsFiles{CA: filepath.Join(dir, "ca.pem")}
	if err := ca.WriteFile(tf.CA); err != nil {
		return nil, nil, fmt.Errorf("perf: %w", err)
	}
	if tf.Cert, tf.Key, err = leaf.Write(dir); err != nil {
		return nil, nil, fmt.Errorf("perf: %w", err)
	}
	return tf, &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12}, nil
}
