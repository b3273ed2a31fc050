package perf

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// CLI is what the natsloop-perf command line asks for.
type CLI struct {
	Config Config
	// CSV, JSON and HTML are output files ("" = none).
	CSV, JSON, HTML string
	// List asks for the scenario list only.
	List bool
}

// ParseFlags parses natsloop-perf's arguments. -h gives flag.ErrHelp
// after writing the usage to out.
func ParseFlags(args []string, out io.Writer) (*CLI, error) {
	cli := &CLI{}
	c := &cli.Config
	fs := flag.NewFlagSet("natsloop-perf", flag.ContinueOnError)
	fs.SetOutput(out)
	var scenarios, sizes string
	fs.StringVar(&c.Natsloop, "natsloop", "", "server `binary` A (default: go build ./cmd/natsloop from the module root)")
	fs.StringVar(&c.Reference, "reference", "", "server `binary` B (default: nats-server on PATH, else /usr/sbin/nats-server)")
	fs.StringVar(&c.LabelA, "label-a", "", "column `name` for A (default from its -v output, e.g. natsloop)")
	fs.StringVar(&c.LabelB, "label-b", "", "column `name` for B (default from its -v output, e.g. nats-server 2.9.10)")
	fs.StringVar(&scenarios, "scenarios", "", "comma-separated scenario `names`, or all (default all; see --list)")
	fs.StringVar(&sizes, "sizes", "", "message `sizes`, e.g. 16,128,1K,16K (default: per scenario)")
	fs.IntVar(&c.Rounds, "rounds", 3, "runs per server per case, alternating A B A B")
	fs.DurationVar(&c.Duration, "duration", 0, "measured window per run (default 2s; 250ms with --quick)")
	fs.DurationVar(&c.Warmup, "warmup", 0, "warm-up before each measured window (default 300ms; 100ms with --quick)")
	fs.Int64Var(&c.Msgs, "msgs", 0, "publish exactly `N` messages per measured window instead of --duration")
	fs.BoolVar(&c.Quick, "quick", false, "smoke run of about 30s: short windows, one size per scenario, 2000 idle conns")
	fs.IntVar(&c.Fanout, "fanout", 4, "subscribers in fanout (1:N)")
	fs.IntVar(&c.Pubs, "pubs", 2, "publishers in nm (N:M)")
	fs.IntVar(&c.Subs, "subs", 2, "subscribers in nm (N:M)")
	fs.IntVar(&c.QueueMembers, "queue-members", 4, "members of the queue group in queue")
	fs.IntVar(&c.Requesters, "requesters", 8, "concurrent requesters in reqrep")
	fs.IntVar(&c.Rate, "rate", 20000, "messages per second in latency (open loop)")
	fs.IntVar(&c.Conns, "conns", 0, "connections in idle (default 10000; 2000 with --quick)")
	fs.IntVar(&c.Subjects, "subjects", 100000, "distinct subjects in multisubj")
	fs.IntVar(&c.ChurnSubjects, "churn-subjects", 1_000_000, "distinct subjects the churn scenarios publish to")
	fs.IntVar(&c.Loops, "loops", 0, "event loops of natsloop (A only, via its config key loops; default: its own, GOMAXPROCS)")
	fs.StringVar(&cli.CSV, "csv", "", "also write the report as CSV to `file`")
	fs.StringVar(&cli.JSON, "json", "", "also write the report as JSON to `file`")
	fs.StringVar(&cli.HTML, "html", "", "also write a self-contained HTML report with charts to `file`")
	fs.BoolVar(&cli.List, "list", false, "list the scenarios and exit")
	fs.Usage = func() {
		fmt.Fprint(out, usageHead)
		fs.PrintDefaults()
		fmt.Fprint(out, "\nScenarios:\n"+ScenarioList())
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, fmt.Errorf("perf: %w", err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("perf: unexpected argument %q (flags only; see -h)", fs.Arg(0))
	}
	if scenarios != "" {
		c.Scenarios = []string{scenarios}
		if _, err := SelectScenarios(c.Scenarios); err != nil {
			return nil, err
		}
	}
	if sizes != "" {
		s, err := ParseSizes(sizes)
		if err != nil {
			return nil, err
		}
		c.Sizes = s
	}
	if c.Rounds < 1 {
		return nil, fmt.Errorf("perf: --rounds %d: at least 1", c.Rounds)
	}
	if c.Duration < 0 || c.Warmup < 0 || c.Msgs < 0 {
		return nil, errors.New("perf: --duration, --warmup and --msgs must not be negative")
	}
	if err := c.withDefaults().validate(); err != nil {
		return nil, err
	}
	return cli, nil
}

const usageHead = `natsloop-perf compares natsloop with a reference nats-server on this host,
scenario by scenario, with the same client (nats.go, or raw TCP).

Usage: natsloop-perf [flags]

Each case (scenario x size) runs --rounds times per server, alternating
A B A B, on a fresh server process per run; the table shows median
[min..max] per server, the ratio A/B and, per case, the peak RSS ratio A/B.
Runs that lose messages are FAILED.

Flags:
`

// ScenarioList returns one line per scenario: name, sizes, title.
func ScenarioList() string {
	var b strings.Builder
	for _, s := range Scenarios() {
		sizes := "-"
		if s.Sized {
			var parts []string
			for _, z := range s.DefaultSizes {
				parts = append(parts, FormatSize(z))
			}
			sizes = strings.Join(parts, ",")
		}
		title := s.Title
		if s.Extra {
			title += " (only when named)"
		}
		fmt.Fprintf(&b, "  %-15s %-16s %s\n", s.Name, sizes, title)
	}
	return b.String()
}
