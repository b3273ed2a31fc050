package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPortsFile: --ports_file_dir writes nats-server's ports file once
// the server listens, with the URL clients reach it on, and removes it at
// shutdown.
func TestPortsFile(t *testing.T) {
	dir := t.TempDir()
	lines, stop := start(t, "-a", "127.0.0.1", "-p", "-1", "--ports_file_dir", dir)
	var port string
	for _, l := range lines {
		if _, p, ok := strings.Cut(l, "Listening for client connections on 127.0.0.1:"); ok {
			port = p
		}
	}
	var files []string
	for deadline := time.Now().Add(10 * time.Second); len(files) == 0 && time.Now().Before(deadline); {
		files, _ = filepath.Glob(filepath.Join(dir, "natsloop_*.ports"))
		if len(files) == 0 {
			time.Sleep(10 * time.Millisecond) // polling for the file, bounded by deadline
		}
	}
	if len(files) != 1 || port == "" {
		t.Fatalf("ports files %v, port %q", files, port)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	var pf struct{ Nats []string }
	if err := json.Unmarshal(b, &pf); err != nil || len(pf.Nats) != 1 || pf.Nats[0] != "nats://127.0.0.1:"+port {
		t.Fatalf("ports file %s: %v", b, err)
	}
	c, err := net.Dial("tcp", strings.TrimPrefix(pf.Nats[0], "nats://"))
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	stop()
	if _, err := os.Stat(files[0]); !os.IsNotExist(err) {
		t.Fatalf("ports file left after shutdown: %v", err)
	}
}

// TestClientURLs: an unspecified host lists the interface addresses of
// its family.
func TestClientURLs(t *testing.T) {
	got := clientURLs(&net.TCPAddr{IP: net.IPv4zero, Port: 4222})
	if len(got) == 0 {
		t.Fatal("no URLs")
	}
	for _, u := range got {
		host, _, _ := net.SplitHostPort(strings.TrimPrefix(u, "nats://"))
		if ip := net.ParseIP(host); ip == nil || ip.To4() == nil || !strings.HasSuffix(u, ":4222") {
			t.Errorf("%q is not an IPv4 URL on 4222", u)
		}
	}
	if got := clientURLs(&net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 5}); len(got) != 1 || got[0] != "nats://127.0.0.1:5" {
		t.Fatal(got)
	}
}
