package perf

import (
	"context"
	"crypto/tls"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Metric describes one figure a scenario reports.
type Metric struct {
	Name           string `json:"name"`
	Unit           string `json:"unit"` // msgs/s, MB/s, us, ns/msg, bytes, conns/s, req/s
	HigherIsBetter bool   `json:"higher_is_better"`
	// Primary metrics are the scenario's headline (charted as ratios).
	Primary bool `json:"primary"`
	// Detail metrics go to CSV/JSON/HTML but not to the terminal table.
	Detail bool `json:"detail,omitempty"`
}

// Names of the metrics every run can report from /proc.
const (
	metricCPU = "cpu/msg"
	metricRSS = "peak RSS"
)

func throughputMetrics() []Metric {
	return []Metric{
		{Name: "msgs/s", Unit: "msgs/s", HigherIsBetter: true, Primary: true},
		{Name: "MB/s", Unit: "MB/s", HigherIsBetter: true, Detail: true},
		{Name: metricCPU, Unit: "ns/msg"},
		{Name: metricRSS, Unit: "bytes"},
	}
}

// Scenario is one named workload.
type Scenario struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	// Sized scenarios run once per message size.
	Sized        bool  `json:"sized"`
	DefaultSizes []int `json:"default_sizes,omitempty"`
	QuickSizes   []int `json:"quick_sizes,omitempty"`
	// TLS scenarios start the server with --tls.
	TLS bool `json:"tls,omitempty"`
	// Extra scenarios run only when named (or with "all"), not by default.
	Extra   bool     `json:"extra,omitempty"`
	Metrics []Metric `json:"metrics"`
	run     func(ctx context.Context, e *env) (*runResult, error)
}

// Scenarios returns every scenario in report order (a fresh slice).
func Scenarios() []*Scenario {
	all := []int{16, 128, 1024, 16 << 10}
	one := []int{128}
	return append([]*Scenario{
		{Name: "pub", Title: "pub-only: 1 publisher, no subscriber", Sized: true,
			DefaultSizes: all, QuickSizes: []int{16}, Metrics: throughputMetrics(), run: runPubOnly},
		{Name: "pubsub", Title: "pub/sub 1:1", Sized: true,
			DefaultSizes: all, QuickSizes: one, Metrics: throughputMetrics(), run: runPubSub},
		{Name: "fanout", Title: "fan-out 1:N (N = --fanout)", Sized: true,
			DefaultSizes: one, QuickSizes: one, Metrics: throughputMetrics(), run: runFanout},
		{Name: "nm", Title: "N:M (--pubs publishers, --subs subscribers, one subject)", Sized: true,
			DefaultSizes: one, QuickSizes: one, Metrics: throughputMetrics(), run: runNM},
		{Name: "queue", Title: "queue group (1 publisher, --queue-members members)", Sized: true,
			DefaultSizes: one, QuickSizes: one, Metrics: throughputMetrics(), run: runQueue},
		{Name: "reqrep", Title: "request/reply service latency (--requesters in flight)", Sized: true,
			DefaultSizes: one, QuickSizes: one, Metrics: reqRepMetrics(), run: runReqRep},
		{Name: "latency", Title: "latency at a fixed rate (--rate), open loop, from scheduled send time", Sized: true,
			DefaultSizes: one, QuickSizes: one, Metrics: latencyMetrics(), run: runLatency},
		{Name: "idle", Title: "many idle connections (--conns): RSS per connection",
			Metrics: idleMetrics(), run: runIdle},
		{Name: "tls", Title: "TLS pub/sub 1:1", Sized: true, TLS: true,
			DefaultSizes: []int{1024}, QuickSizes: one, Metrics: throughputMetrics(), run: runTLS},
		{Name: "raw", Title: "raw pre-framed publisher: server ingest without client overhead", Sized: true,
			DefaultSizes: []int{16}, QuickSizes: []int{16}, Metrics: throughputMetrics(), run: runRaw},
		{Name: "multisubj", Title: "pub/sub over --subjects distinct subjects, subscriber on bench.>", Sized: true,
			DefaultSizes: one, QuickSizes: one, Metrics: throughputMetrics(), run: runMultiSubject},
	}, churnScenarios()...)
}

// SelectScenarios resolves names ("all", "default" or scenario names,
// possibly comma-separated) to scenarios in report order. Empty means the
// default set: every scenario but the Extra ones; "all" adds those.
func SelectScenarios(names []string) ([]*Scenario, error) {
	all := Scenarios()
	byName := make(map[string]*Scenario, len(all))
	for _, s := range all {
		byName[s.Name] = s
	}
	want := map[string]bool{}
	for _, n := range names {
		for _, part := range strings.Split(n, ",") {
			part = strings.ToLower(strings.TrimSpace(part))
			switch {
			case part == "":
			case part == "all" || part == "default":
				for _, s := range all {
					if part == "all" || !s.Extra {
						want[s.Name] = true
					}
				}
			case byName[part] != nil:
				want[part] = true
			default:
				return nil, fmt.Errorf("perf: unknown scenario %q (known: %s)", part, strings.Join(ScenarioNames(), ", "))
			}
		}
	}
	var out []*Scenario
	for _, s := range all {
		if want[s.Name] || (len(want) == 0 && !s.Extra) {
			out = append(out, s)
		}
	}
	return out, nil
}

// ScenarioNames lists the scenario names in report order.
func ScenarioNames() []string {
	var n []string
	for _, s := range Scenarios() {
		n = append(n, s.Name)
	}
	return n
}

// ParseSizes parses "16,128,1K,16KB,1MiB" into bytes (K = 1024).
func ParseSizes(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		p := strings.ToUpper(strings.TrimSpace(part))
		if p == "" {
			continue
		}
		p = strings.TrimSuffix(strings.TrimSuffix(p, "B"), "I")
		mult := 1
		switch {
		case strings.HasSuffix(p, "K"):
			mult, p = 1<<10, strings.TrimSuffix(p, "K")
		case strings.HasSuffix(p, "M"):
			mult, p = 1<<20, strings.TrimSuffix(p, "M")
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n*mult > 1<<20 {
			return nil, fmt.Errorf("perf: bad message size %q (want e.g. 16,128,1K,16K; at most 1M)", strings.TrimSpace(part))
		}
		out = append(out, n*mult)
	}
	sort.Ints(out)
	return dedupInts(out), nil
}

func dedupInts(s []int) []int {
	var out []int
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// FormatSize prints a message size the way ParseSizes reads it: 16B, 1K.
func FormatSize(n int) string {
	switch {
	case n < 0:
		return "-"
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dM", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dK", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

// Case is one scenario at one size: the unit that runs Rounds times on
// each server.
type Case struct {
	Scenario *Scenario
	Size     int // -1 when the scenario takes no size
}

// planCases expands scenarios by sizes (cfg.Sizes, else the scenario's
// quick or default sizes).
func planCases(scs []*Scenario, cfg Config) []Case {
	var out []Case
	for _, s := range scs {
		if !s.Sized {
			out = append(out, Case{Scenario: s, Size: -1})
			continue
		}
		sizes := cfg.Sizes
		if len(sizes) == 0 {
			sizes = s.DefaultSizes
			if cfg.Quick {
				sizes = s.QuickSizes
			}
		}
		for _, sz := range sizes {
			out = append(out, Case{Scenario: s, Size: sz})
		}
	}
	return out
}

// env is what a scenario gets for one run against one server. Owned by
// the goroutine running the scenario; the scenario's own goroutines only
// read it.
type env struct {
	cfg  *Config
	srv  *server
	url  string // nats://127.0.0.1:port or tls://...
	addr string // 127.0.0.1:port
	size int
	tls  *tls.Config // client TLS config for TLS scenarios, else nil

	begin, end procSample // the measured window, set by markBegin/markEnd
}

func (e *env) markBegin() { e.begin = e.srv.sample() }
func (e *env) markEnd()   { e.end = e.srv.sample() }

// runResult is what one scenario run produced. values are keyed by
// Metric.Name; count is the message count behind msgs/s (the divisor of
// cpu/msg); failed makes the run FAILED (e.g. lost messages).
type runResult struct {
	values map[string]float64
	count  int64
	failed string
}

func newResult() *runResult { return &runResult{values: map[string]float64{}} }

// throughput fills msgs/s and MB/s for count messages of size bytes over
// elapsed.
func (r *runResult) throughput(count int64, size int, elapsed time.Duration) {
	r.count = count
	if elapsed <= 0 {
		return
	}
	sec := elapsed.Seconds()
	r.values["msgs/s"] = float64(count) / sec
	r.values["MB/s"] = float64(count) * float64(size) / sec / 1e6
}
