package tlsbridge

import (
	"crypto/tls"
	"strings"
	"testing"
)

func TestPolicy(t *testing.T) {
	p := Policy()
	t.Logf("AESHardware=%v GoAES=%v: %s", p.AESHardware, p.GoAES, p.Description)
	chacha := 0
	for _, id := range p.Suites {
		if !allowedSuite(id) {
			t.Fatalf("suite %s", tls.CipherSuiteName(id))
		}
		if strings.Contains(tls.CipherSuiteName(id), "CHACHA20") {
			chacha++
		}
	}
	if len(p.Suites) != 6 || chacha != 2 {
		t.Fatalf("suites %v", p.Suites)
	}
	first := tls.CipherSuiteName(p.Suites[0])
	if p.GoAES != strings.Contains(first, "GCM") {
		t.Fatalf("GoAES=%v but first suite %s", p.GoAES, first)
	}
	if !strings.Contains(p.Description, "TLS 1.2 minimum") {
		t.Fatal(p.Description)
	}
}

func TestPolicyGODEBUG(t *testing.T) {
	t.Setenv("GODEBUG", "http2client=0,cpu.aes=off")
	p := Policy()
	if p.GoAES || !p.GODEBUGOff || !strings.Contains(tls.CipherSuiteName(p.Suites[0]), "CHACHA20") {
		t.Fatalf("%+v", p)
	}
	if p.AESHardware && !strings.Contains(p.Description, "disabled for Go by GODEBUG") {
		t.Fatal(p.Description)
	}
	for v, off := range map[string]bool{"": false, "cpu.all=off": true, "cpu.aes=off,cpu.aes=on": false, "x=1, cpu.aes=off": true} {
		if godebugAESOff(v) != off {
			t.Errorf("%q", v)
		}
	}
}
