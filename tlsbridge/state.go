package tlsbridge

import (
	"crypto/tls"
	"strconv"
)

// Phase is where a Bridge is in its life.
type Phase uint8

const (
	PhaseNew       Phase = iota // created, Start not called
	PhaseHandshake              // handshake goroutine running
	PhaseReady                  // handshake done; records processed inline
	PhaseFailed                 // handshake or record layer failed (State.Err)
	PhaseClosed                 // Close called
)

func (p Phase) String() string {
	switch p {
	case PhaseNew:
		return "PhaseNew"
	case PhaseHandshake:
		return "PhaseHandshake"
	case PhaseReady:
		return "PhaseReady"
	case PhaseFailed:
		return "PhaseFailed"
	case PhaseClosed:
		return "PhaseClosed"
	}
	return "Phase(" + strconv.Itoa(int(p)) + ")"
}

// State is a Bridge's state for logs and /connz.
type State struct {
	Phase             Phase
	Err               error  // first failure; nil while all is well
	HandshakeComplete bool   // the handshake succeeded (stays true after Close)
	Version           uint16 // negotiated, when HandshakeComplete
	CipherSuite       uint16 // negotiated, when HandshakeComplete
}

// VersionName is the version as nats-server prints it: "1.2", "1.3"
// ("" before the handshake completed).
func (s State) VersionName() string { return VersionName(s.Version) }

// CipherSuiteName is crypto/tls's name of the suite
// ("TLS_AES_128_GCM_SHA256"; "" before the handshake completed).
func (s State) CipherSuiteName() string {
	if !s.HandshakeComplete {
		return ""
	}
	return tls.CipherSuiteName(s.CipherSuite)
}

// LogLine is nats-server's debug line after a handshake:
// "TLS version 1.3, cipher suite TLS_AES_128_GCM_SHA256".
func (s State) LogLine() string {
	return "TLS version " + s.VersionName() + ", cipher suite " + s.CipherSuiteName()
}

// VersionName maps a TLS version to "1.0".."1.3" ("" for 0).
func VersionName(v uint16) string {
	switch v {
	case 0:
		return ""
	case tls.VersionTLS10:
		return "1.0"
	case tls.VersionTLS11:
		return "1.1"
	case tls.VersionTLS12:
		return "1.2"
	case tls.VersionTLS13:
		return "1.3"
	}
	return "0x" + strconv.FormatUint(uint64(v), 16)
}
