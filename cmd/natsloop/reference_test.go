package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// reference2_15 finds nats-server 2.15 ($NATSLOOP_REFERENCE, then
// nats-server on PATH), whose command line natsloop follows. It skips
// without one, except under CI (CI=true), where .ci/run installs it.
func reference2_15(t *testing.T) string {
	t.Helper()
	p := os.Getenv("NATSLOOP_REFERENCE")
	if p == "" {
		p, _ = exec.LookPath("nats-server")
	}
	if p != "" {
		if out, err := exec.Command(p, "--version").Output(); err == nil && strings.HasPrefix(string(out), "nats-server: v2.15.") {
			return p
		}
	}
	const msg = "no nats-server 2.15 ($NATSLOOP_REFERENCE or nats-server on PATH)"
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		t.Fatal(msg + " under CI: .ci/run should have installed it")
	}
	t.Skip(msg)
	return ""
}

// TestSameAsReference runs natsloop and nats-server 2.15 on the same
// command lines and files, and compares the exit status and what they
// print, where natsloop means to print exactly what nats-server does.
// (Where it deliberately says more, TestConfigErrors has the text.) Only
// cases where nats-server answers the same every time: it reports some
// conflicts, such as a single user beside users in accounts, in the
// order of a map iteration.
func TestSameAsReference(t *testing.T) {
	ref := reference2_15(t)
	bin := binary(t)
	dir := t.TempDir()
	files := map[string]string{
		"good.conf":     "port: 4333\nmax_payload: 2MB\nauthorization { user: a, password: b }\n",
		"unknown.conf":  "port: 4333\nmax_paylod: 1MB\n",
		"first.conf":    "max_paylod: 1MB\n",
		"nested.conf":   "authorization {\n  user: a\n  pasword: b\n}\naccounts { A: { users: [{user: b, password: c, foo: 1}] } }\n",
		"accusers.conf": "authorization {\n  user: a\n  password: b\n}\naccounts { A: { users: [{user: b, password: c}] } }\n",
		"tls.conf":      "tls {\n  cert_fil: x\n}\n",
		"perms.conf":    "authorization { users: [ {user: a, password: b, permissions: {publish: x, foo: 1}} ] }\n",
		"warn.conf":     "ping_interval: 60\n",
		"empty.conf":    "",
	}
	for name, body := range files {
		writeConf(t, dir, name, body)
	}
	cases := [][]string{
		{"-t", "-c", "good.conf"}, {"-c", "unknown.conf"}, {"-t", "-c", "unknown.conf"}, {"-c", "first.conf"},
		{"-c", "nested.conf"}, {"-c", "tls.conf"}, {"-c", "perms.conf"}, {"-t", "-c", "warn.conf"},
		{"-t", "-c", "empty.conf"}, {"-c", "nope.conf"}, {"-c", "."}, {"--bogus"}, {"-p", "abc"},
		{"-t"}, {"foo"}, {"-h"}, {"--tls", "--tlskey", "k"}, {"--tls", "--tlscert", "c"},
	}
	for _, args := range cases {
		rc2, out2, err2 := runIn(t, dir, bin, args)
		err2 = strings.TrimRight(err2, "\n")
		// nats-server's order of several config errors varies from run to
		// run (it walks a map): natsloop must print one of its answers.
		var rc1 int
		var out1, err1 string
		for try := 0; try < referenceTries; try++ {
			rc1, out1, err1 = runIn(t, dir, ref, args)
			// Same text, but natsloop's usage is its own, and nats-server
			// ends a config file's problems with a blank line.
			out1 = strings.ReplaceAll(out1, "nats-server [options]", "natsloop [options]")
			out1 = strings.ReplaceAll(out1, "Send signal to nats-server process", "Send signal to natsloop process")
			err1 = strings.TrimRight(err1, "\n")
			if rc1 == rc2 && out1 == out2 && err1 == err2 {
				break
			}
		}
		if rc1 != rc2 || out1 != out2 || err1 != err2 {
			t.Errorf("%q:\n nats-server: rc=%d stderr=%q stdout=%.60q\n natsloop:    rc=%d stderr=%q stdout=%.60q", args, rc1, err1, out1, rc2, err2, out2)
		}
	}
}

// referenceTries is how many runs of nats-server may show one of its
// varying answers.
const referenceTries = 8

func runIn(t *testing.T, dir, bin string, args []string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	rc := 0
	if ee, ok := err.(*exec.ExitError); ok {
		rc = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %q: %v", filepath.Base(bin), args, err)
	}
	return rc, out.String(), errb.String()
}
