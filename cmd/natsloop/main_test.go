package main

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"natsloop/config"
	"natsloop/internal/testcert"
)

// natsloop runs the command in the test process.
func natsloop(args ...string) (rc int, stdout, stderr string) {
	var out, errb bytes.Buffer
	rc = run(args, &out, &errb)
	return rc, out.String(), errb.String()
}

func writeConf(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVersionAndHelp(t *testing.T) {
	if rc, out, _ := natsloop("-v"); rc != 0 || !strings.HasPrefix(out, "nats-server: v") {
		t.Fatalf("-v: rc=%d out=%q", rc, out)
	}
	rc, out, _ := natsloop("-h")
	if rc != 0 || out != config.Usage || !strings.Contains(out, "--logtime_utc") {
		t.Fatalf("-h: rc=%d out=%q", rc, out)
	}
}

// TestHelpTLS: --help_tls prints the TLS help, not the usage.
func TestHelpTLS(t *testing.T) {
	rc, out, errs := natsloop("--help_tls")
	if rc != 0 || errs != "" || out != config.TLSUsage() {
		t.Fatalf("rc=%d out=%q err=%q", rc, out, errs)
	}
	if strings.Contains(out, "Usage: natsloop") || !strings.Contains(out, "Available cipher suites include:\n    TLS_") ||
		!strings.Contains(out, "Available curve preferences include:\n    CurveP256") {
		t.Fatalf("not the TLS help:\n%s", out)
	}
}

// TestBadFlag: as nats-server, a flag that does not parse prints the
// flag package's message, then the usage, and exits 0.
func TestBadFlag(t *testing.T) {
	for args, want := range map[string]string{
		"--bogus": "flag provided but not defined: -bogus\n",
		"-p abc":  "invalid value \"abc\" for flag -p: parse error\n",
	} {
		rc, out, errs := natsloop(strings.Fields(args)...)
		if rc != 0 || errs != want || out != config.Usage {
			t.Errorf("%s: rc=%d stderr=%q stdout starts %.40q", args, rc, errs, out)
		}
	}
}

// TestConfigErrors: what a user reads for each problem is one line
// (per problem) in nats-server's shape, "nats-server: file:line:col:
// ...", naming the key, with exit status 1, without package chains.
func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	ca := testcert.NewCA(t, dir, "ca")
	_, key := ca.Issue(t, dir, "server")
	missing := filepath.Join(dir, "nocert.pem")
	for _, tt := range []struct{ name, body, want string }{
		{"unknown", "port: 4333\nmax_paylod: 1MB\n", `{F}:2:1: unknown field "max_paylod"`},
		{"unknown line 1", "max_paylod: 1MB\n", `{F}:1:0: unknown field "max_paylod"`},
		{"unknown nested", "authorization {\n  user: a\n  pasword: b\n}\n", `{F}:3:3: unknown field "pasword"`},
		{"unknown tls", "tls {\n  cert_fil: x\n}\n", `{F}:2:3: error parsing tls config, unknown field "cert_fil"`},
		{"not implemented", "leafnodes {\n  port: 7422\n}\n", "{F}:1:0: leafnodes: not supported by natsloop; remove it from the configuration"},
		{"jetstream", "jetstream: enabled\n", "{F}:1:0: jetstream: not supported by natsloop; remove it from the configuration"},
		{"bad value", "port: 4333\nmax_payload: lots\n", `{F}:2:1: max_payload: expected a size, got "lots"`},
		{"missing cert", "tls {\n  cert_file: " + missing + "\n  key_file: " + key + "\n}\n",
			"{F}:2:3: tls.cert_file: open " + missing + ": no such file or directory"},
		{"syntax", "port: 4333\nfoo {\n", "{F}: Parse error on line 3: 'Unexpected EOF processing map.'"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := writeConf(t, t.TempDir(), "s.conf", tt.body)
			want := "nats-server: " + strings.ReplaceAll(tt.want, "{F}", p) + "\n"
			for _, args := range [][]string{{"-c", p}, {"-t", "-c", p}} {
				rc, _, errs := natsloop(args...)
				if rc != 1 || errs != want {
					t.Errorf("%q: rc=%d\n got  %q\n want %q", args, rc, errs, want)
				}
			}
		})
	}
	missingConf := filepath.Join(dir, "nope.conf")
	for args, want := range map[string]string{
		"-c " + missingConf: "open " + missingConf + ": no such file or directory",
		"-c " + dir:         "read " + dir + ": is a directory",
		"-p -1 -l " + filepath.Join(missing, "x"):         "error opening file: open " + filepath.Join(missing, "x") + ": no such file or directory",
		"--tls --tlscert " + missing + " --tlskey " + key: "--tlscert: open " + missing + ": no such file or directory",
		"-m 8222":  "-m: not supported by natsloop; remove the flag",
		"-p 70000": "-p: port 70000 is out of range [-1, 65535]",
		"foo":      `unrecognized command: "foo"`,
	} {
		if rc, _, errs := natsloop(strings.Fields(args)...); rc != 1 || errs != "nats-server: "+want+"\n" {
			t.Errorf("%s: rc=%d got %q, want %q", args, rc, errs, want)
		}
	}
}

// TestCheckConfig: -t reports a valid file with nats-server's digest and
// fails on warnings, which a normal start prints and goes on.
func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	good := writeConf(t, dir, "good.conf", "port: 4333\nmax_payload: 2MB\n")
	rc, _, errs := natsloop("-t", "-c", good)
	if rc != 0 || !regexp.MustCompile(`^nats-server: configuration file .*good.conf is valid \(sha256:[0-9a-f]{64}\)\n$`).MatchString(errs) {
		t.Fatalf("-t good: rc=%d err=%q", rc, errs)
	}
	warn := writeConf(t, dir, "warn.conf", "ping_interval: 60\n")
	want := warn + `:1:0: invalid use of field "ping_interval": ping_interval should be converted to a duration`
	if rc, _, errs := natsloop("-t", "-c", warn); rc != 1 || errs != "nats-server: "+want+"\n" {
		t.Fatalf("-t with a warning: rc=%d err=%q", rc, errs)
	}
	if testing.Short() {
		return
	}
	lines, stop := start(t, "-c", warn, "-a", "127.0.0.1", "-p", "-1")
	defer stop()
	if lines[0] != want {
		t.Fatalf("first line %q, want the warning %q", lines[0], want)
	}
}

// TestPortInUse: nats-server's fatal line, not natsloop's error chain.
func TestPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	rc, _, errs := natsloop("-a", "127.0.0.1", "-p", strings.TrimPrefix(addr, "127.0.0.1:"))
	want := `[FTL] Error listening on port: ` + addr + `, "listen tcp ` + addr + `: bind: address already in use"`
	if rc != 1 || !strings.Contains(errs, want+"\n") || strings.Contains(errs, "broker:") || strings.Contains(errs, "loop:") {
		t.Fatalf("rc=%d stderr:\n%s\nwant a line ending %s", rc, errs, want)
	}
}

func TestTLSFlags(t *testing.T) {
	dir := t.TempDir()
	ca := testcert.NewCA(t, dir, "ca")
	cert, key := ca.Issue(t, dir, "server")
	conf := writeConf(t, dir, "server.conf", "port: 4333\n")
	args := []string{"-t", "-c", conf, "--tls", "--tlscert", cert, "--tlskey", key, "--tlsverify", "--tlscacert", ca.CAFile}
	if rc, _, errs := natsloop(args...); rc != 0 {
		t.Fatalf("valid TLS flags: rc=%d %s", rc, errs)
	}
}

var build struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

func TestMain(m *testing.M) {
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// binary builds the command once per test run.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	build.once.Do(func() {
		if build.dir, build.err = os.MkdirTemp("", "natsloop-cmd-"); build.err != nil {
			return
		}
		build.bin = filepath.Join(build.dir, "natsloop")
		build.out, build.err = exec.Command("go", "build", "-o", build.bin, ".").CombinedOutput()
	})
	if build.err != nil {
		t.Fatalf("build: %v\n%s", build.err, build.out)
	}
	return build.bin
}

// start runs the binary until "Server is ready" and returns the stderr
// lines so far and a function that stops it with SIGTERM and checks a
// clean exit.
func start(t *testing.T, args ...string) (lines []string, stop func()) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ch := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			ch <- sc.Text()
		}
		close(ch)
	}()
	deadline := time.After(20 * time.Second)
	for ready := false; !ready; {
		select {
		case l, ok := <-ch:
			if !ok {
				cmd.Process.Kill()
				t.Fatalf("exited early: %q", lines)
			}
			lines = append(lines, l)
			ready = strings.HasSuffix(l, "Server is ready")
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("not ready: %q", lines)
		}
	}
	return lines, func() {
		t.Helper()
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() {
			for range ch {
			}
			done <- cmd.Wait()
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("exit after SIGTERM: %v", err)
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Error("no exit after SIGTERM")
		}
	}
}

// TestStartupLinesAndShutdown starts the binary on a random port and
// checks nats-server's startup lines and a clean SIGTERM exit.
func TestStartupLinesAndShutdown(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "natsloop.pid")
	lines, stop := start(t, "-a", "127.0.0.1", "-p", "-1", "-P", pidFile)
	lineRE := regexp.MustCompile(`^\[\d+\] \d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d{6} \[INF\] `)
	for _, l := range lines {
		if !lineRE.MatchString(l) {
			t.Errorf("line not in nats-server format: %q", l)
		}
	}
	joined := strings.Join(lines, "\n")
	for _, want := range []string{"Starting nats-server", "Listening for client connections on 127.0.0.1:"} {
		if !strings.Contains(joined, want) {
			t.Errorf("startup lines lack %q:\n%s", want, joined)
		}
	}
	if _, err := os.Stat(pidFile); err != nil {
		t.Errorf("pid file: %v", err)
	}
	stop()
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Errorf("pid file left after shutdown: %v", err)
	}
}
