package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"natsloop/internal/testcert"
)

func TestVersionAndHelp(t *testing.T) {
	var out, errb bytes.Buffer
	if rc := run([]string{"-v"}, &out, &errb); rc != 0 || !strings.HasPrefix(out.String(), "nats-server: v") {
		t.Fatalf("-v: rc=%d out=%q err=%q", rc, out.String(), errb.String())
	}
	out.Reset()
	if rc := run([]string{"-h"}, &out, &errb); rc != 0 || !strings.Contains(out.String(), "--port") {
		t.Fatalf("-h: rc=%d out=%q", rc, out.String())
	}
}

func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.conf")
	os.WriteFile(good, []byte("port: 4333\nmax_payload: 2MB\n"), 0o600)
	var out, errb bytes.Buffer
	if rc := run([]string{"-t", "-c", good}, &out, &errb); rc != 0 || !strings.Contains(errb.String(), "is valid") {
		t.Fatalf("-t good: rc=%d err=%q", rc, errb.String())
	}
	bad := filepath.Join(dir, "bad.conf")
	os.WriteFile(bad, []byte("port: 4333\nmax_payload: lots\n"), 0o600)
	errb.Reset()
	rc := run([]string{"-t", "-c", bad}, &out, &errb)
	if rc == 0 || !strings.Contains(errb.String(), "bad.conf:2") || !strings.Contains(errb.String(), "max_payload") {
		t.Fatalf("-t bad: rc=%d err=%q (want file:line and key)", rc, errb.String())
	}
}

// TestStartupLinesAndShutdown builds the binary, starts it on a random
// port and checks nats-server's startup lines and a clean SIGTERM exit.
func TestStartupLinesAndShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "natsloop")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	pidFile := filepath.Join(t.TempDir(), "natsloop.pid")
	cmd := exec.Command(bin, "-a", "127.0.0.1", "-p", "-1", "-P", pidFile)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	lineRE := regexp.MustCompile(`^\[\d+\] \d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d{6} \[INF\] `)
	var seen []string
	deadline := time.After(20 * time.Second)
	for ready := false; !ready; {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("exited early: %q", seen)
			}
			seen = append(seen, l)
			if !lineRE.MatchString(l) {
				t.Fatalf("line not in nats-server format: %q", l)
			}
			ready = strings.HasSuffix(l, "Server is ready")
		case <-deadline:
			t.Fatalf("not ready: %q", seen)
		}
	}
	joined := strings.Join(seen, "\n")
	for _, want := range []string{"Starting nats-server", "Listening for client connections on 127.0.0.1:"} {
		if !strings.Contains(joined, want) {
			t.Errorf("startup lines lack %q:\n%s", want, joined)
		}
	}
	if _, err := os.Stat(pidFile); err != nil {
		t.Errorf("pid file: %v", err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
}

// TestTLSFlags: --tls --tlscert --tlskey (--tlsverify --tlscacert) as
// nats-server's; -t loads the certificates, and a bad file is named.
func TestTLSFlags(t *testing.T) {
	dir := t.TempDir()
	ca := testcert.NewCA(t, dir, "ca")
	cert, key := ca.Issue(t, dir, "server")
	conf := filepath.Join(dir, "server.conf")
	os.WriteFile(conf, []byte("port: 4333\n"), 0o600)
	var out, errb bytes.Buffer
	args := []string{"-t", "-c", conf, "--tls", "--tlscert", cert, "--tlskey", key, "--tlsverify", "--tlscacert", ca.CAFile}
	if rc := run(args, &out, &errb); rc != 0 {
		t.Fatalf("valid TLS flags: rc=%d %s", rc, errb.String())
	}
	errb.Reset()
	missing := filepath.Join(dir, "missing-key.pem")
	if rc := run([]string{"-t", "-c", conf, "--tls", "--tlscert", cert, "--tlskey", missing}, &out, &errb); rc == 0 || !strings.Contains(errb.String(), "missing-key.pem") {
		t.Fatalf("missing key: rc=%d %q", rc, errb.String())
	}
}
