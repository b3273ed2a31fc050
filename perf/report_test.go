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
	tp := func(rate float64) outcome {
		return ok(map[string]float64{"msgs/s": rate, "MB/s": rate * 128 / 1e6, metricCPU: 300, metricRSS: 20 << 20})
	}
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
		aggregate(Case{byName["pubsub"], 128}, [2][]outcome{{tp(2e6), tp(2.2e6), tp(2.1e6)}, {tp(1e6), tp(1.1e6), tp(0.9e6)}}),
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
}

func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTable(&b, fakeReport(t)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"A = natsloop: /tmp/natsloop", "B = nats-server 2.9.10",
		"SCENARIO", "natsloop", "nats-server 2.9.10", "RATIO",
		"2.10M [2.00M..2.20M]", "2.10x", "better",
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
	for _, r := range recs[1:] {
		if len(r) != len(hdr) {
			t.Fatalf("ragged record %v", r)
		}
		if r[col["scenario"]] == "queue" && (r[col["b_status"]] != StatusFailed || r[col["b_median"]] != "") {
			t.Fatalf("queue record %v", r)
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
	for _, want := range []string{"<table>", "2.10x", "unsupported", "FAILED", "pubsub 128B msgs/s"} {
		if !strings.Contains(out, want) {
			t.Errorf("html lacks %q", want)
		}
	}
}
