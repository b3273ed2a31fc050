package tlsbridge

import (
	"crypto/tls"
	"os"
	"runtime"
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// CipherPolicy is natsloop's cipher policy as seen on this host: what the
// startup log line reports and what ServerConfig/ClientConfig allow when
// no cipher_suites are configured.
type CipherPolicy struct {
	// AESHardware: the CPU has AES and carry-less multiply instructions
	// (AESNI+CLMUL on amd64/386, AESARM+PMULL on arm64), per cpuid.
	AESHardware bool
	// GoAES: Go's own AES-GCM assembly will be used. cpuid is the only
	// view of the hardware this package has, so this is AESHardware
	// unless GODEBUG turns the instructions off for Go (cpu.aes=off or
	// cpu.all=off), in which case Go picks ChaCha20-Poly1305 as if the
	// hardware were missing.
	GoAES bool
	// GODEBUGOff: GODEBUG disables AES for Go (see GoAES).
	GODEBUGOff bool
	// Suites are the TLS 1.2 suites allowed (ECDHE + AEAD only), ordered
	// for this host (AES-GCM first with GoAES, ChaCha20-Poly1305 first
	// without). Go ignores the order and chooses from both ends'
	// hardware; ChaCha20-Poly1305 stays allowed everywhere, so that a
	// peer without AES hardware is never forced into software AES, and a
	// host without it always has the fast suite. TLS 1.3 suites are not
	// configurable in crypto/tls and are all AEAD.
	Suites []uint16
	// Description is one line for the startup log.
	Description string
}

// allowedSuite reports whether id is an ECDHE + AEAD TLS 1.2 suite.
func allowedSuite(id uint16) bool {
	switch id {
	case tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:
		return true
	}
	return false
}

// Policy detects AES hardware with cpuid and returns the policy for this
// host. It reads the CPU and the GODEBUG environment variable on every
// call (cheap; meant for startup and config building).
func Policy() CipherPolicy {
	var p CipherPolicy
	var hw string
	switch runtime.GOARCH {
	case "amd64", "386":
		p.AESHardware = cpuid.CPU.Supports(cpuid.AESNI, cpuid.CLMUL)
		hw = "AES-NI+CLMUL"
	case "arm64":
		p.AESHardware = cpuid.CPU.Supports(cpuid.AESARM, cpuid.PMULL)
		hw = "AES+PMULL"
	default:
		hw = "AES instructions"
	}
	p.GODEBUGOff = godebugAESOff(os.Getenv("GODEBUG"))
	p.GoAES = p.AESHardware && !p.GODEBUGOff

	aes := []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	}
	chacha := []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	}
	if p.GoAES {
		p.Suites = append(aes, chacha...)
	} else {
		p.Suites = append(chacha, aes...)
	}

	var b strings.Builder
	b.WriteString("TLS cipher policy: ")
	switch {
	case p.GoAES:
		b.WriteString("AES hardware acceleration (" + hw + ") detected, AES-GCM preferred")
	case p.AESHardware:
		b.WriteString("AES hardware acceleration (" + hw + ") detected but disabled for Go by GODEBUG, ChaCha20-Poly1305 preferred")
	default:
		b.WriteString("no AES hardware acceleration (" + hw + "), ChaCha20-Poly1305 preferred")
	}
	b.WriteString("; TLS 1.2 minimum, TLS 1.2 suites ECDHE with AES-GCM or ChaCha20-Poly1305 only")
	p.Description = b.String()
	return p
}

// godebugAESOff reports whether a GODEBUG value turns AES off for Go.
func godebugAESOff(v string) bool {
	off := false
	for _, kv := range strings.Split(v, ",") {
		switch strings.TrimSpace(kv) {
		case "cpu.aes=off", "cpu.all=off":
			off = true
		case "cpu.aes=on":
			off = false
		}
	}
	return off
}
