package perf

import (
	"math"
	"runtime"
	"time"
)

// Status of one server in one case.
const (
	StatusOK          = "ok"
	StatusFailed      = "FAILED"
	StatusUnsupported = "unsupported"
)

// Report is the outcome of Run: per case (scenario x size), per metric,
// both servers' median/min/max over the rounds and the ratio A/B.
type Report struct {
	Tool        string       `json:"tool"`
	Started     time.Time    `json:"started"`
	Seconds     float64      `json:"seconds"`
	Host        Host         `json:"host"`
	A           Binary       `json:"a"`
	B           Binary       `json:"b"`
	Settings    Settings     `json:"settings"`
	Cases       []CaseReport `json:"cases"`
	Interrupted string       `json:"interrupted,omitempty"`
}

// Host describes the machine the report was made on.
type Host struct {
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	CPUs      int    `json:"cpus"`
	GoVersion string `json:"go"`
	OpenFiles uint64 `json:"open_files_limit"`
}

// Settings are the Config values that shape the figures.
type Settings struct {
	Rounds       int     `json:"rounds"`
	WarmupSec    float64 `json:"warmup_s"`
	DurationSec  float64 `json:"duration_s"`
	Msgs         int64   `json:"msgs,omitempty"`
	Quick        bool    `json:"quick"`
	Fanout       int     `json:"fanout"`
	Pubs         int     `json:"pubs"`
	Subs         int     `json:"subs"`
	QueueMembers int     `json:"queue_members"`
	Requesters   int     `json:"requesters"`
	Rate         int     `json:"rate"`
	Conns        int     `json:"conns"`
	Subjects     int     `json:"subjects"`
	ChurnSubj    int     `json:"churn_subjects,omitempty"`
	Loops        int     `json:"loops,omitempty"`
}

// CaseReport is one scenario at one size.
type CaseReport struct {
	Scenario string   `json:"scenario"`
	Title    string   `json:"title"`
	Size     int      `json:"size"` // bytes; -1 when not applicable
	A        CaseSide `json:"a"`
	B        CaseSide `json:"b"`
	// RSSRatio and RSSVerdict repeat the peak RSS row's ratio A/B of the
	// medians and its verdict, so that memory under load is read next to
	// the headline throughput ratio; 0 and empty when either side has no
	// peak RSS figure.
	RSSRatio   float64   `json:"rss_ratio,omitempty"`
	RSSVerdict string    `json:"rss_verdict,omitempty"`
	Rows       []Row     `json:"rows"`
	Runs       [2][]Trip `json:"runs"` // per side, in run order
}

// CaseSide is one server's status in a case. A side with a failed run is
// FAILED (its figures are not reported); a server that refused the
// scenario's settings is unsupported.
type CaseSide struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// Trip records one run: its wall time and failure, if any.
type Trip struct {
	Seconds float64 `json:"seconds"`
	Failed  string  `json:"failed,omitempty"`
}

// Row is one metric of a case.
type Row struct {
	Metric
	A       Side    `json:"a_values"`
	B       Side    `json:"b_values"`
	Ratio   float64 `json:"ratio,omitempty"` // A.Median / B.Median; 0 when either is missing
	Verdict string  `json:"verdict"`         // better, worse, ~ (ranges overlap) or empty
}

// Side is one server's figures for one metric: the summary over rounds
// and every run's value (ok runs only).
type Side struct {
	Summary
	Runs []float64 `json:"runs,omitempty"`
}

// outcome is one run's result as the runner saw it.
type outcome struct {
	values      map[string]float64
	failed      string
	unsupported string
	elapsed     time.Duration
}

// aggregate turns the runs of a case into a CaseReport.
func aggregate(c Case, runs [2][]outcome) CaseReport {
	cr := CaseReport{Scenario: c.Scenario.Name, Title: c.Scenario.Title, Size: c.Size}
	sides := [2]*CaseSide{&cr.A, &cr.B}
	for s := 0; s < 2; s++ {
		*sides[s] = sideStatus(runs[s])
		for _, o := range runs[s] {
			t := Trip{Seconds: o.elapsed.Seconds(), Failed: o.failed}
			if o.unsupported != "" {
				t.Failed = "unsupported: " + o.unsupported
			}
			cr.Runs[s] = append(cr.Runs[s], t)
		}
	}
	for _, m := range c.Scenario.Metrics {
		row := Row{Metric: m}
		vals := [2]*Side{&row.A, &row.B}
		for s := 0; s < 2; s++ {
			if sides[s].Status != StatusOK {
				continue
			}
			for _, o := range runs[s] {
				if v, ok := o.values[m.Name]; ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
					vals[s].Runs = append(vals[s].Runs, v)
				}
			}
			vals[s].Summary = Summarize(vals[s].Runs)
		}
		if row.A.N > 0 && row.B.N > 0 {
			row.Ratio = Ratio(row.A.Median, row.B.Median)
			row.Verdict = verdict(row)
		}
		cr.Rows = append(cr.Rows, row)
		if m.Name == metricRSS {
			cr.RSSRatio, cr.RSSVerdict = row.Ratio, row.Verdict
		}
	}
	return cr
}

// sideStatus: unsupported wins over failed; failed names the first
// failure and how many runs failed.
func sideStatus(runs []outcome) CaseSide {
	var failed []string
	for _, o := range runs {
		if o.unsupported != "" {
			return CaseSide{Status: StatusUnsupported, Reason: o.unsupported}
		}
		if o.failed != "" {
			failed = append(failed, o.failed)
		}
	}
	if len(failed) > 0 {
		return CaseSide{Status: StatusFailed, Reason: plural(len(failed), "run") + " of " + itoa(len(runs)) + " failed; first: " + failed[0]}
	}
	if len(runs) == 0 {
		return CaseSide{Status: StatusFailed, Reason: "no runs"}
	}
	return CaseSide{Status: StatusOK}
}

// verdict says whether A is better than B for this metric: "~" when the
// min..max ranges overlap or the medians are within 2%.
func verdict(r Row) string {
	if r.Ratio == 0 {
		return ""
	}
	if math.Abs(r.Ratio-1) < 0.02 || (r.A.Min <= r.B.Max && r.B.Min <= r.A.Max) {
		return "~"
	}
	if (r.Ratio > 1) == r.HigherIsBetter {
		return "better"
	}
	return "worse"
}

func hostInfo(openFiles uint64) Host {
	return Host{OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), OpenFiles: openFiles}
}

func settingsOf(c Config) Settings {
	return Settings{
		Rounds: c.Rounds, WarmupSec: c.Warmup.Seconds(), DurationSec: c.Duration.Seconds(), Msgs: c.Msgs,
		Quick: c.Quick, Fanout: c.Fanout, Pubs: c.Pubs, Subs: c.Subs, QueueMembers: c.QueueMembers,
		Requesters: c.Requesters, Rate: c.Rate, Conns: c.Conns, Subjects: c.Subjects,
		ChurnSubj: c.ChurnSubjects, Loops: c.Loops,
	}
}
