package perf

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// fakeReport builds a report from made-up outcomes: pubsub ok on both
// sides, latency ok, tls unsupported on A, queue FAILED on B.
func fakeReport(t *testing.T) *Report {
	t.Helper()
	scs, err := SelectScenarios([]string{"pubsub,queue,latency,tls"})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*Scenario{}
	for _, s := range scs {
		byName[s.Name] = s
	}
	ok := func(vals map[string]float64) outcome { return outcome{values: vals, elapsed: time.Second} }
	tpRSS := func(rate, rss float64) outcome {
		return ok(map[string]float64{"msgs/s": rate, "MB/s": rate * 128 / 1e6, metricCPU: 300, metricRSS: rss})
	}
	tp := func(rate float64) outcome { return tpRSS(rate, 20<<20) }
	lat := func(base float64) outcome {
		return ok(map[string]float64{"p50": base, "p90": 2 * base, "p99": 3 * base, "p99.9": 4 * base, "max": 5 * base,
			"msgs/s": 20000, metricCPU: 1000, metricRSS: 10 << 20})
	}
	rep := &Report{
		Tool: "natsloop-perf", Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Seconds: 12,
		Host:     hostInfo(20000),
		A:        Binary{Label: "natsloop", Path: "/tmp/natsloop", Version: "nats-server: v2.10.0 (natsloop)"},
		B:        Binary{Label: "nats-server 2.9.10", Path: "/usr/sbin/nats-server", Version: "nats-server: v2.9.10"},
		Settings: settingsOf(Config{Rounds: 3}.withDefaults()),
	}
	rep.Cases = append(rep.Cases,
		// pubsub: A has half B's peak RSS (RSS ratio 0.50x better).
		aggregate(Case{byName["pubsub"], 128}, [2][]outcome{
			{tpRSS(2e6, 10<<20), tpRSS(2.2e6, 11<<20), tpRSS(2.1e6, 10<<20)},
			{tpRSS(1e6, 20<<20), tpRSS(1.1e6, 21<<20), tpRSS(0.9e6, 20<<20)}}),
		aggregate(Case{byName["queue"], 128}, [2][]outcome{{tp(1e6), tp(1e6), tp(1e6)}, {tp(1e6), {failed: "lost 5 of 10 messages"}, tp(1e6)}}),
		aggregate(Case{byName["latency"], 128}, [2][]outcome{{lat(50), lat(60), lat(55)}, {lat(100), lat(110), lat(90)}}),
		aggregate(Case{byName["tls"], 1024}, [2][]outcome{{{unsupported: "TLS: setting not supported yet"}}, {tp(5e5)}}),
	)
	return rep
}

func TestAggregate(t *testing.T) {
	rep := fakeReport(t)
	ps := rep.Cases[0]
	if ps.A.Status != StatusOK || ps.B.Status != StatusOK {
		t.Fatalf("pubsub statuses %+v %+v", ps.A, ps.B)
	}
	r := ps.Rows[0]
	if r.Name != "msgs/s" || !r.Primary || r.A.Median != 2.1e6 || r.B.Median != 1e6 || r.A.N != 3 {
		t.Fatalf("pubsub row %+v", r)
	}
	if r.Ratio != 2.1 || r.Verdict != "better" {
		t.Fatalf("ratio %v verdict %q", r.Ratio, r.Verdict)
	}
	q := rep.Cases[1]
	if q.B.Status != StatusFailed || !strings.Contains(q.B.Reason, "lost 5 of 10") || !strings.Contains(q.B.Reason, "1 run of 3") {
		t.Fatalf("queue B %+v", q.B)
	}
	if q.Rows[0].B.N != 0 || q.Rows[0].Ratio != 0 {
		t.Fatalf("a FAILED side must not report figures: %+v", q.Rows[0])
	}
	if tl := rep.Cases[3]; tl.A.Status != StatusUnsupported || tl.B.Status != StatusOK {
		t.Fatalf("tls %+v %+v", tl.A, tl.B)
	}
	lat := rep.Cases[2]
	for _, r := range lat.Rows {
		if r.Name == "p99" && (r.Verdict != "better" || r.Ratio != 0.55) {
			t.Fatalf("latency p99 row %+v", r)
		}
	}
	// The case-level peak RSS ratio repeats the peak RSS row's.
	for _, c := range []struct {
		cr      CaseReport
		ratio   float64
		verdict string
	}{{ps, 0.5, "better"}, {lat, 1, "~"}, {q, 0, ""}, {rep.Cases[3], 0, ""}} {
		if c.cr.RSSRatio != c.ratio || c.cr.RSSVerdict != c.verdict {
			t.Errorf("%s: RSS ratio %v %q, want %v %q", c.cr.Scenario, c.cr.RSSRatio, c.cr.RSSVerdict, c.ratio, c.verdict)
		}
		for _, r := range c.cr.Rows {
			if r.Name == metricRSS && (r.Ratio != c.cr.RSSRatio || r.Verdict != c.cr.RSSVerdict) {
				t.Errorf("%s: peak RSS row %+v, case %v %q", c.cr.Scenario, r, c.cr.RSSRatio, c.cr.RSSVerdict)
			}
		}
	}
}

func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTable(&b, fakeReport(t)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"A = natsloop: /tmp/natsloop", "B = nats-server 2.9.10",
		"SCENARIO", "natsloop", "nats-server 2.9.10", "RATIO", "VERDICT  RSS RATIO  ",
		"2.10M [2.00M..2.20M]", "2.10x", "better", "0.50x better", "1.00x ~",
		"RSS ratio = A/B medians of peak RSS",
		"FAILED", "unsupported", "p99.9",
		"Notes:", "queue 128B, nats-server 2.9.10: FAILED", "tls 1K, natsloop: unsupported",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// Details (MB/s) are not in the table; columns line up.
	if strings.Contains(out, "MB/s") {
		t.Errorf("table shows detail metric MB/s")
	}
	lines := strings.Split(out, "\n")
	var hdr, first string
	for i, l := range lines {
		if strings.HasPrefix(l, "SCENARIO") {
			hdr, first = l, lines[i+1]
			break
		}
	}
	if strings.Index(hdr, "RATIO") != strings.Index(first, "2.10x") {
		t.Errorf("ratio column misaligned:\n%s\n%s", hdr, first)
	}
	// The RSS ratio is on the first line of every case, under its header.
	col := strings.Index(hdr, "RSS RATIO")
	if strings.Index(first, "0.50x better") != col {
		t.Errorf("RSS ratio column misaligned:\n%s\n%s", hdr, first)
	}
	for _, c := range []struct{ prefix, cell string }{
		{"pubsub ", "0.50x better"}, {"queue ", "-"}, {"latency ", "1.00x ~"}, {"tls ", "-"},
	} {
		var line string
		for _, l := range lines {
			if strings.HasPrefix(l, c.prefix) {
				line = l
				break
			}
		}
		if len(line) <= col || !strings.HasPrefix(line[col:], c.cell+" ") {
			t.Errorf("%sline lacks RSS ratio %q at column %d: %q", c.prefix, c.cell, col, line)
		}
	}
}

func TestWriteCSV(t *testing.T) {
	rep := fakeReport(t)
	var b bytes.Buffer
	if err := WriteCSV(&b, rep); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range rep.Cases {
		n += len(c.Rows)
	}
	if len(recs) != n+1 {
		t.Fatalf("%d records, want %d", len(recs), n+1)
	}
	hdr := recs[0]
	if len(hdr) != len(csvHeader()) || hdr[0] != "scenario" {
		t.Fatalf("header %v", hdr)
	}
	col := map[string]int{}
	for i, h := range hdr {
		col[h] = i
	}
	first := recs[1]
	if first[col["scenario"]] != "pubsub" || first[col["size_bytes"]] != "128" || first[col["metric"]] != "msgs/s" ||
		first[col["a_median"]] != "2.1e+06" || first[col["a_runs"]] != "2e+06;2.2e+06;2.1e+06" || first[col["ratio"]] != "2.1" {
		t.Fatalf("first record %v", first)
	}
	if col["rss_ratio"] != col["verdict"]+1 || col["rss_verdict"] != col["verdict"]+2 {
		t.Fatalf("rss_ratio, rss_verdict not right after verdict: %v", hdr)
	}
	for _, r := range recs[1:] {
		if len(r) != len(hdr) {
			t.Fatalf("ragged record %v", r)
		}
		if r[col["scenario"]] == "queue" && (r[col["b_status"]] != StatusFailed || r[col["b_median"]] != "" || r[col["rss_ratio"]] != "") {
			t.Fatalf("queue record %v", r)
		}
		// Every line of a case carries the case's peak RSS ratio.
		want := map[string][2]string{"pubsub": {"0.5", "better"}, "latency": {"1", "~"}, "queue": {"", ""}, "tls": {"", ""}}[r[col["scenario"]]]
		if got := [2]string{r[col["rss_ratio"]], r[col["rss_verdict"]]}; got != want {
			t.Errorf("%s %s: rss_ratio, rss_verdict %v, want %v", r[col["scenario"]], r[col["metric"]], got, want)
		}
	}
}

func TestWriteJSON(t *testing.T) {
	rep := fakeReport(t)
	var b bytes.Buffer
	if err := WriteJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Cases) != 4 || back.A.Label != "natsloop" || back.Cases[0].Rows[0].A.Median != 2.1e6 ||
		back.Cases[0].Rows[0].Name != "msgs/s" || back.Cases[3].A.Status != StatusUnsupported || back.Settings.Rounds != 3 {
		t.Fatalf("round trip: %+v", back)
	}
	var generic map[string]any
	_ = json.Unmarshal(b.Bytes(), &generic)
	for _, k := range []string{"tool", "started", "host", "a", "b", "settings", "cases"} {
		if _, ok := generic[k]; !ok {
			t.Errorf("json lacks %q", k)
		}
	}
	if back.Cases[0].RSSRatio != 0.5 || back.Cases[0].RSSVerdict != "better" {
		t.Errorf("pubsub RSS ratio round trip: %v %q", back.Cases[0].RSSRatio, back.Cases[0].RSSVerdict)
	}
	c0 := generic["cases"].([]any)[0].(map[string]any)
	if c0["rss_ratio"] != 0.5 || c0["rss_verdict"] != "better" {
		t.Errorf("json case lacks rss_ratio/rss_verdict: %v %v", c0["rss_ratio"], c0["rss_verdict"])
	}
}

func TestWriteHTML(t *testing.T) {
	rep := fakeReport(t)
	rep.A.Label = "natsloop <dev>"
	var b bytes.Buffer
	if err := WriteHTML(&b, rep); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.HasSuffix(strings.TrimSpace(out), "</html>") {
		t.Fatal("not an HTML document")
	}
	if strings.Contains(out, "<dev>") || !strings.Contains(out, "natsloop &lt;dev&gt;") {
		t.Error("label not escaped")
	}
	if got := strings.Count(out, "<svg"); got != 1+len(rep.Cases) {
		t.Errorf("%d svg charts, want %d", got, 1+len(rep.Cases))
	}
	if strings.Count(out, "<svg") != strings.Count(out, "</svg>") {
		t.Error("unbalanced svg")
	}
	for _, bad := range []string{"<script", "http://", "https://", "NaN"} {
		if bad == "http://" {
			out2 := strings.ReplaceAll(out, `xmlns="http://www.w3.org/2000/svg"`, "")
			if strings.Contains(out2, bad) {
				t.Errorf("html refers to %s", bad)
			}
			continue
		}
		if strings.Contains(out, bad) {
			t.Errorf("html contains %q", bad)
		}
	}
	for _, want := range []string{"<table>", "2.10x", "unsupported", "FAILED", "pubsub 128B msgs/s",
		"<th>RSS ratio</th>", `<td class="better">0.50x better</td>`, "RSS 0.50x better", "RSS 1.00x ~", "peak RSS under that load"} {
		if !strings.Contains(out, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	// The headline chart has a second, outlined bar (RSS) per headline
	// bar: one per case with a peak RSS ratio (pubsub, latency).
	chart := out[strings.Index(out, "<svg"):strings.Index(out, "</svg>")]
	if got := strings.Count(chart, `fill-opacity="0.4"`); got != 2 {
		t.Errorf("%d RSS bars in the ratio chart, want 2", got)
	}
	if got := strings.Count(chart, "peak RSS (lower is better)"); got != len(rep.Cases) {
		t.Errorf("%d RSS labels in the ratio chart, want %d", got, len(rep.Cases))
	}
}
