package perf

import (
	"bytes"
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	// comm with spaces and parentheses; utime=250 stime=50 ticks.
	stat := "1234 (nats server) (x)) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 8 0 100 0 0"
	d, err := parseStatCPU([]byte(stat))
	if err != nil || d != 3*time.Second {
		t.Fatalf("got %v %v", d, err)
	}
	if _, err := parseStatCPU([]byte("garbage")); err == nil {
		t.Fatal("garbage accepted")
	}
	if _, err := parseStatCPU([]byte("1 (x) S 1 2")); err == nil {
		t.Fatal("short accepted")
	}
}

func TestParseStatusMem(t *testing.T) {
	status := "Name:\tnats-server\nVmPeak:\t  9999 kB\nVmHWM:\t    2048 kB\nVmRSS:\t    1024 kB\nThreads: 8\n"
	rss, hwm, err := parseStatusMem([]byte(status))
	if err != nil || rss != 1024<<10 || hwm != 2048<<10 {
		t.Fatalf("rss %d hwm %d err %v", rss, hwm, err)
	}
	if _, _, err := parseStatusMem([]byte("Name: x\n")); err == nil {
		t.Fatal("missing fields accepted")
	}
}

func TestSampleSelf(t *testing.T) {
	p, err := os.FindProcess(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	_ = p
	cpu, err := readCPU(os.Getpid())
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	rss, hwm, err := readMem(os.Getpid())
	if err != nil || cpu < 0 || rss <= 0 || hwm < rss {
		t.Fatalf("cpu %v rss %d hwm %d err %v", cpu, rss, hwm, err)
	}
}

func TestLabels(t *testing.T) {
	tests := map[string]string{
		"nats-server: v2.10.0 (natsloop)": "natsloop",
		"nats-server: v2.9.10":            "nats-server 2.9.10",
		"":                                "srv",
	}
	for in, want := range tests {
		if got := labelFor(in, "/x/srv"); got != want {
			t.Errorf("labelFor(%q) = %q, want %q", in, got, want)
		}
	}
	if a, b := distinctLabels("natsloop", "natsloop"); a != "natsloop (A)" || b != "natsloop (B)" {
		t.Errorf("%q %q", a, b)
	}
	if a, b := distinctLabels("x", "y"); a != "x" || b != "y" {
		t.Errorf("%q %q", a, b)
	}
}

func TestFindReferenceAndModuleRoot(t *testing.T) {
	if _, err := FindReference("/nonexistent/nats-server"); err == nil || !strings.HasPrefix(err.Error(), "perf: ") {
		t.Fatalf("explicit missing: %v", err)
	}
	if _, err := FindReference(t.TempDir()); err == nil {
		t.Fatal("a directory accepted as binary")
	}
	if !strings.Contains(ErrNoReference.Error(), "apt-get install nats-server") ||
		!strings.Contains(ErrNoReference.Error(), "go install github.com/nats-io/nats-server/v2@latest") {
		t.Fatal("install hint")
	}
	root, err := FindModuleRoot(".")
	if err != nil {
		t.Skipf("cmd/natsloop not present: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	_ = os.WriteFile(filepath.Join(other, "go.mod"), []byte("module other\n"), 0o644)
	if _, err := FindModuleRoot(other); err == nil {
		t.Fatal("other module accepted")
	}
}

func TestTailBuffer(t *testing.T) {
	tb := &tailBuffer{max: 16}
	tb.Write([]byte("first line\nsecond line that is long\n\n"))
	if got := tb.lastLine(); !strings.HasSuffix(got, "that is long") || len(got) > 16 {
		t.Fatalf("lastLine %q", got)
	}
	if got := (&tailBuffer{max: 4}).lastLine(); got != "(no output)" {
		t.Fatal(got)
	}
}

func TestAppendPubAndRawHandshake(t *testing.T) {
	got := appendPub([]byte("x"), "a.b", []byte("hello"))
	if string(got) != "xPUB a.b 5\r\nhello\r\n" {
		t.Fatalf("%q", got)
	}
	if string(appendPub(nil, "s", nil)) != "PUB s 0\r\n\r\n" {
		t.Fatal("empty payload")
	}

	srv, cli := net.Pipe()
	defer cli.Close()
	go func() {
		defer srv.Close()
		srv.Write([]byte("INFO {\"server_id\":\"x\",\"tls_required\":true} \r\n"))
		buf := make([]byte, 512)
		var seen []byte
		for !bytes.Contains(seen, []byte("PING\r\n")) {
			n, err := srv.Read(buf)
			if err != nil {
				return
			}
			seen = append(seen, buf[:n]...)
		}
		if !bytes.HasPrefix(seen, []byte("CONNECT {")) {
			return
		}
		srv.Write([]byte("INFO {\"x\":1} \r\nPO"))
		srv.Write([]byte("NG\r\n"))
	}()
	if err := rawHandshake(cli, make([]byte, 4096), time.Now().Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
}

func TestRawHandshakeErr(t *testing.T) {
	srv, cli := net.Pipe()
	defer cli.Close()
	go func() {
		defer srv.Close()
		srv.Write([]byte("INFO {} \r\n"))
		buf := make([]byte, 512)
		srv.Read(buf)
		srv.Write([]byte("-ERR 'Authorization Violation'\r\n"))
	}()
	err := rawHandshake(cli, make([]byte, 4096), time.Now().Add(5*time.Second))
	if err == nil || !strings.Contains(err.Error(), "Authorization Violation") {
		t.Fatalf("err %v", err)
	}
}

func TestParseInfo(t *testing.T) {
	m, err := parseInfo([]byte("INFO {\"tls_required\":true,\"port\":4222} \r\n"))
	if err != nil || !infoBool(m, "tls_required") || infoBool(m, "auth_required") {
		t.Fatalf("%v %v", m, err)
	}
	if _, err := parseInfo([]byte("PING\r\n")); err == nil {
		t.Fatal("PING accepted as INFO")
	}
}

func TestMakeCerts(t *testing.T) {
	tf, cfg, err := makeCerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{tf.CA, tf.Cert, tf.Key} {
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Fatalf("%s: %v", p, err)
		}
	}
	cert, err := tls.LoadX509KeyPair(tf.Cert, tf.Key)
	if err != nil {
		t.Fatal(err)
	}
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	go func() {
		s := tls.Server(a, &tls.Config{Certificates: []tls.Certificate{cert}})
		_ = s.Handshake()
	}()
	ccfg := cfg.Clone()
	ccfg.ServerName = "127.0.0.1"
	c := tls.Client(b, ccfg)
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if err := c.Handshake(); err != nil {
		t.Fatalf("client does not trust the generated server cert: %v", err)
	}
}
