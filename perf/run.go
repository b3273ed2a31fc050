package perf

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Run resolves the two servers, runs every selected case Rounds times on
// each (alternating A B A B ..., a fresh server process per run) and
// returns the report. Progress goes to progress (may be nil) as a line
// rewritten with \r, plus one line per finished case. When ctx is
// cancelled Run stops the running server and returns the partial report
// with ctx's error.
func Run(ctx context.Context, cfg Config, progress io.Writer) (*Report, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	scs, err := SelectScenarios(cfg.Scenarios)
	if err != nil {
		return nil, err
	}
	cases := planCases(scs, cfg)
	if len(cases) == 0 {
		return nil, errors.New("perf: nothing to run")
	}
	pr := newProgress(progress, len(cases)*cfg.Rounds*2)
	openFiles, err := raiseFileLimit()
	if err != nil {
		pr.note(err.Error())
	}
	tmp, err := os.MkdirTemp(cfg.TempDir, "natsloop-perf-")
	if err != nil {
		return nil, fmt.Errorf("perf: temp dir: %w", err)
	}
	defer os.RemoveAll(tmp)
	a, b, err := resolveBinaries(ctx, cfg, tmp, pr)
	if err != nil {
		return nil, err
	}
	var (
		tf   *tlsFiles
		ctls *tls.Config
	)
	for _, c := range cases {
		if c.Scenario.TLS && tf == nil {
			if tf, ctls, err = makeCerts(tmp); err != nil {
				return nil, err
			}
		}
	}
	rep := &Report{
		Tool: "natsloop-perf", Started: time.Now(), Host: hostInfo(openFiles),
		A: a, B: b, Settings: settingsOf(cfg),
	}
	bins := [2]Binary{a, b}
	for _, c := range cases {
		var runs [2][]outcome
		for r := 0; r < cfg.Rounds; r++ {
			for s, bin := range bins {
				pr.update(fmt.Sprintf("%s %s  round %d/%d  %s", c.Scenario.Name, sizeLabel(c.Size), r+1, cfg.Rounds, bin.Label))
				o := runOne(ctx, &cfg, c, bin, tf, ctls)
				pr.step()
				if err := ctx.Err(); err != nil {
					rep.Interrupted = err.Error()
					rep.Seconds = time.Since(rep.Started).Seconds()
					pr.finish()
					return rep, err
				}
				runs[s] = append(runs[s], o)
			}
		}
		cr := aggregate(c, runs)
		rep.Cases = append(rep.Cases, cr)
		pr.caseDone(caseSummary(rep, cr))
	}
	pr.finish()
	rep.Seconds = time.Since(rep.Started).Seconds()
	return rep, nil
}

// resolveBinaries finds (or builds) both servers and labels them.
func resolveBinaries(ctx context.Context, cfg Config, tmp string, pr *progress) (Binary, Binary, error) {
	var a, b Binary
	var err error
	if cfg.Natsloop != "" {
		if a.Path, err = checkExecutable(cfg.Natsloop); err != nil {
			return a, b, err
		}
	} else {
		dir := cfg.ModuleDir
		if dir == "" {
			dir = "."
		}
		root, err := FindModuleRoot(dir)
		if err != nil {
			return a, b, err
		}
		pr.update("building natsloop (go build ./cmd/natsloop) ...")
		if a.Path, err = BuildNatsloop(ctx, root, tmp); err != nil {
			return a, b, err
		}
	}
	if b.Path, err = FindReference(cfg.Reference); err != nil {
		return a, b, err
	}
	a.Version = binaryVersion(ctx, a.Path)
	b.Version = binaryVersion(ctx, b.Path)
	a.Label, b.Label = cfg.LabelA, cfg.LabelB
	if a.Label == "" {
		a.Label = labelFor(a.Version, a.Path)
	}
	if b.Label == "" {
		b.Label = labelFor(b.Version, b.Path)
	}
	a.Label, b.Label = distinctLabels(a.Label, b.Label)
	if cfg.Loops > 0 {
		conf := filepath.Join(tmp, "natsloop-loops.conf")
		if err := os.WriteFile(conf, []byte(fmt.Sprintf("loops: %d\n", cfg.Loops)), 0o600); err != nil {
			return a, b, fmt.Errorf("perf: %w", err)
		}
		a.Args = []string{"-c", conf}
	}
	return a, b, nil
}

// runOne starts a fresh server, runs one scenario against it, samples
// /proc and stops the server.
func runOne(ctx context.Context, cfg *Config, c Case, bin Binary, tf *tlsFiles, ctls *tls.Config) outcome {
	started := time.Now()
	o := outcome{values: map[string]float64{}}
	limit := cfg.Warmup + cfg.Duration + 90*time.Second
	if cfg.Msgs > 0 {
		limit += 10 * time.Minute
	}
	rctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()

	var stf *tlsFiles
	if c.Scenario.TLS {
		stf = tf
	}
	srv, err := startServer(rctx, bin, stf)
	if err != nil {
		return failOutcome(o, err, started)
	}
	defer srv.stop()
	e := &env{cfg: cfg, srv: srv, addr: srv.addr(), size: max(c.Size, 0)}
	e.url = "nats://" + e.addr
	if c.Scenario.TLS {
		e.url = "tls://" + e.addr
		e.tls = ctls.Clone()
	}
	res, err := c.Scenario.run(rctx, e)
	if err != nil {
		if !srv.alive() {
			err = fmt.Errorf("%w (server exited: %s)", err, srv.log.lastLine())
		}
		return failOutcome(o, err, started)
	}
	if !srv.alive() {
		o.failed = "server exited: " + srv.log.lastLine()
	} else if res.failed != "" {
		o.failed = res.failed
	}
	for k, v := range res.values {
		o.values[k] = v
	}
	// A window shorter than one clock tick of CPU has no cpu/msg figure.
	if e.begin.OK && e.end.OK && res.count > 0 && e.end.CPU > e.begin.CPU {
		o.values[metricCPU] = float64(e.end.CPU-e.begin.CPU) / float64(res.count)
	}
	if s := srv.sample(); s.OK {
		o.values[metricRSS] = float64(s.HWM)
	}
	o.elapsed = time.Since(started)
	return o
}

func failOutcome(o outcome, err error, started time.Time) outcome {
	var u *errUnsupported
	if errors.As(err, &u) {
		o.unsupported = u.reason
	} else {
		o.failed = strings.TrimPrefix(err.Error(), "perf: ")
	}
	o.elapsed = time.Since(started)
	return o
}

// caseSummary is the one-line result printed when a case finishes.
func caseSummary(rep *Report, cr CaseReport) string {
	head := cr.Scenario + " " + sizeLabel(cr.Size) + ": "
	for _, r := range cr.Rows {
		if !r.Primary {
			continue
		}
		return head + fmt.Sprintf("%s: %s %s, %s %s (ratio %s %s)", r.Name, rep.A.Label, sideCell(cr.A, r.A, r.Unit, false),
			rep.B.Label, sideCell(cr.B, r.B, r.Unit, false), formatRatio(r.Ratio), r.Verdict)
	}
	return head + "done"
}

// sizeLabel prints a case size, "-" when not applicable.
func sizeLabel(size int) string {
	if size < 0 {
		return "-"
	}
	return FormatSize(size)
}

// progress writes the \r-updated progress line. Owned by Run's goroutine.
type progress struct {
	w       io.Writer
	total   int
	done    int
	start   time.Time
	lastLen int
}

func newProgress(w io.Writer, total int) *progress {
	return &progress{w: w, total: total, start: time.Now()}
}

func (p *progress) update(what string) {
	if p.w == nil {
		return
	}
	el := time.Since(p.start)
	eta := "?"
	if p.done > 0 {
		eta = fmtClock(el / time.Duration(p.done) * time.Duration(p.total-p.done))
	}
	line := fmt.Sprintf("[%d/%d] %s  (%s elapsed, ~%s left)", p.done+1, p.total, what, fmtClock(el), eta)
	p.write("\r" + line + strings.Repeat(" ", max(0, p.lastLen-len(line))))
	p.lastLen = len(line)
}

func (p *progress) step() { p.done++ }

func (p *progress) clear() {
	if p.lastLen > 0 {
		p.write("\r" + strings.Repeat(" ", p.lastLen) + "\r")
		p.lastLen = 0
	}
}

// caseDone prints a finished case's line above the progress line.
func (p *progress) caseDone(line string) {
	p.clear()
	p.write(line + "\n")
}

func (p *progress) note(line string) {
	p.clear()
	p.write("note: " + line + "\n")
}

func (p *progress) finish() { p.clear() }

func (p *progress) write(s string) {
	if p.w != nil {
		_, _ = io.WriteString(p.w, s)
	}
}

func fmtClock(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
