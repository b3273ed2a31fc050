package perf

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// e2eBinaries returns the servers for the end-to-end test: natsloop when
// cmd/natsloop builds, and the reference when installed; with only one,
// it runs against itself. It skips when there is none.
func e2eBinaries(t *testing.T) (a, b string) {
	t.Helper()
	ref, refErr := FindReference("")
	var nl string
	if root, err := FindModuleRoot("."); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		out := filepath.Join(t.TempDir(), "natsloop")
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/natsloop")
		cmd.Dir = root
		if msg, err := cmd.CombinedOutput(); err == nil {
			nl = out
		} else {
			t.Logf("cmd/natsloop does not build, not using it: %v %s", err, msg)
		}
	}
	switch {
	case nl != "" && refErr == nil:
		return nl, ref
	case nl != "":
		return nl, nl
	case refErr == nil:
		return ref, ref
	}
	t.Skip("no server binary: cmd/natsloop does not build here and no reference nats-server is installed")
	return "", ""
}

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	a, b := e2eBinaries(t)
	cfg := Config{
		Natsloop: a, Reference: b,
		Scenarios: []string{"pubsub,latency,idle,tls,raw"},
		Sizes:     []int{128},
		Rounds:    1,
		Warmup:    30 * time.Millisecond,
		Duration:  100 * time.Millisecond,
		Rate:      2000,
		Conns:     100,
		TempDir:   t.TempDir(),
	}
	var progress bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rep, err := Run(ctx, cfg, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if rep.A.Path != a || rep.B.Path != b || rep.A.Label == rep.B.Label || rep.A.Label == "" {
		t.Fatalf("binaries %+v %+v", rep.A, rep.B)
	}
	var got []string
	for _, cr := range rep.Cases {
		got = append(got, cr.Scenario+" "+sizeLabel(cr.Size))
		for s, side := range []CaseSide{cr.A, cr.B} {
			ok := side.Status == StatusOK || (cr.Scenario == "tls" && side.Status == StatusUnsupported)
			if !ok {
				t.Errorf("%s side %d: %s: %s", cr.Scenario, s, side.Status, side.Reason)
			}
		}
		if len(cr.Runs[0]) != 1 || len(cr.Runs[1]) != 1 {
			t.Errorf("%s: runs %v", cr.Scenario, cr.Runs)
		}
		for _, r := range cr.Rows {
			if r.Primary && cr.A.Status == StatusOK && !(r.A.Median > 0) {
				t.Errorf("%s: primary %s = %v", cr.Scenario, r.Name, r.A.Median)
			}
		}
	}
	if want := "pubsub 128B,latency 128B,idle -,tls 128B,raw 128B"; strings.Join(got, ",") != want {
		t.Fatalf("cases %v", got)
	}
	if !strings.Contains(progress.String(), "\r[1/10] pubsub 128B") || !strings.Contains(progress.String(), "raw 128B: msgs/s:") {
		t.Errorf("progress output: %q", progress.String())
	}
	var tbl, csvb, js, htm bytes.Buffer
	for _, err := range []error{WriteTable(&tbl, rep), WriteCSV(&csvb, rep), WriteJSON(&js, rep), WriteHTML(&htm, rep)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(tbl.String(), rep.A.Label) || !strings.Contains(tbl.String(), "bytes/conn") {
		t.Errorf("table:\n%s", tbl.String())
	}
	t.Logf("\n%s", tbl.String())
}

// TestChurnEndToEnd runs a churn scenario with --loops (natsloop started
// with a config file holding its loops key) and checks that both sides
// report round trips (not the publisher's rate: on a loaded host one write
// can block for a whole short window).
func TestChurnEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	a, b := e2eBinaries(t)
	cfg := Config{
		Natsloop: a, Reference: b,
		Scenarios:     []string{"churn-same-subs"},
		Rounds:        1,
		Warmup:        100 * time.Millisecond,
		Duration:      200 * time.Millisecond,
		ChurnSubjects: 10000,
		Loops:         2,
		TempDir:       t.TempDir(),
	}
	if filepath.Base(a) != "natsloop" {
		cfg.Loops = 0 // only natsloop knows the loops key
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rep, err := Run(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Loops > 0 && (len(rep.A.Args) != 2 || rep.A.Args[0] != "-c" || len(rep.B.Args) != 0) {
		t.Fatalf("server args: A %v, B %v", rep.A.Args, rep.B.Args)
	}
	if len(rep.Cases) != 1 {
		t.Fatalf("cases %+v", rep.Cases)
	}
	cr := rep.Cases[0]
	for s, side := range []CaseSide{cr.A, cr.B} {
		if side.Status != StatusOK {
			t.Fatalf("side %d: %s: %s", s, side.Status, side.Reason)
		}
	}
	for _, r := range cr.Rows {
		switch r.Name {
		case "avg", "p99", "pings":
			if !(r.A.Median > 0) || !(r.B.Median > 0) {
				t.Errorf("%s: A %v, B %v", r.Name, r.A.Median, r.B.Median)
			}
		}
	}
	var tbl bytes.Buffer
	if err := WriteTable(&tbl, rep); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", tbl.String())
}
