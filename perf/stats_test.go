package perf

import (
	"math"
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	tests := []struct {
		in   []float64
		want Summary
	}{
		{nil, Summary{}},
		{[]float64{5}, Summary{Median: 5, Min: 5, Max: 5, N: 1}},
		{[]float64{3, 1, 2}, Summary{Median: 2, Min: 1, Max: 3, N: 3}},
		{[]float64{4, 1, 3, 2}, Summary{Median: 2.5, Min: 1, Max: 4, N: 4}},
		{[]float64{math.NaN(), 7, 9}, Summary{Median: 8, Min: 7, Max: 9, N: 2}},
		{[]float64{-1, 10, 10, 10, 0}, Summary{Median: 10, Min: -1, Max: 10, N: 5}},
	}
	for _, tt := range tests {
		if got := Summarize(tt.in); got != tt.want {
			t.Errorf("Summarize(%v) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestSummarizeDoesNotReorderInput(t *testing.T) {
	in := []float64{3, 1, 2}
	Summarize(in)
	if in[0] != 3 || in[1] != 1 || in[2] != 2 {
		t.Fatalf("input reordered: %v", in)
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 1000; i++ {
		ds = append(ds, time.Duration(i))
	}
	tests := []struct {
		p    float64
		want time.Duration
	}{
		{0, 1}, {50, 500}, {90, 900}, {99, 990}, {99.9, 999}, {100, 1000}, {0.01, 1},
	}
	for _, tt := range tests {
		if got := Percentile(ds, tt.p); got != tt.want {
			t.Errorf("Percentile(1..1000, %v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if got := Percentile(nil, 50); got != 0 {
		t.Errorf("empty: %v", got)
	}
	small := []time.Duration{10, 20, 30}
	for p, want := range map[float64]time.Duration{33: 10, 34: 20, 66: 20, 67: 30, 99.9: 30} {
		if got := Percentile(small, p); got != want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", small, p, got, want)
		}
	}
}

func TestPutLatenciesSortsAndConverts(t *testing.T) {
	lats := []time.Duration{3 * time.Millisecond, time.Microsecond, 2 * time.Microsecond}
	res := newResult()
	putLatencies(res, lats, latencyMetrics())
	if res.values["p50"] != 2 || res.values["max"] != 3000 {
		t.Fatalf("values %v", res.values)
	}
	if _, ok := res.values["msgs/s"]; ok {
		t.Fatal("putLatencies set a non-latency metric")
	}
}

func TestRatioAndVerdict(t *testing.T) {
	if Ratio(2, 1) != 2 || Ratio(0, 1) != 0 || Ratio(1, 0) != 0 || Ratio(math.NaN(), 1) != 0 || Ratio(math.Inf(1), 1) != 0 {
		t.Fatal("Ratio")
	}
	row := func(hib bool, a, b Summary) Row {
		r := Row{Metric: Metric{HigherIsBetter: hib}, A: Side{Summary: a}, B: Side{Summary: b}}
		r.Ratio = Ratio(a.Median, b.Median)
		return r
	}
	s := func(med, lo, hi float64) Summary { return Summary{Median: med, Min: lo, Max: hi, N: 3} }
	tests := []struct {
		r    Row
		want string
	}{
		{row(true, s(10, 9, 11), s(5, 4, 6)), "better"},
		{row(false, s(10, 9, 11), s(5, 4, 6)), "worse"},
		{row(true, s(10, 5, 11), s(9, 8, 10)), "~"},          // overlap
		{row(true, s(101, 101, 101), s(100, 100, 100)), "~"}, // within 2%
		{row(false, s(1, 1, 1), s(2, 2, 2)), "better"},
		{Row{}, ""},
	}
	for i, tt := range tests {
		if got := verdict(tt.r); got != tt.want {
			t.Errorf("%d: verdict = %q, want %q", i, got, tt.want)
		}
	}
}

func TestFormatValue(t *testing.T) {
	tests := []struct {
		v    float64
		unit string
		want string
	}{
		{5213000, "msgs/s", "5.21M"},
		{812345, "msgs/s", "812k"},
		{950, "req/s", "950"},
		{85.4, "us", "85.4us"},
		{1250, "us", "1.25ms"},
		{2.5e6, "us", "2.50s"},
		{310, "ns/msg", "310ns"},
		{16700, "ns/msg", "16.7us"},
		{200000, "ns/msg", "200us"},
		{45.2 * 1024, "bytes", "45.2KiB"},
		{12 << 20, "bytes", "12.0MiB"},
		{100, "bytes", "100B"},
		{math.NaN(), "msgs/s", "-"},
	}
	for _, tt := range tests {
		if got := FormatValue(tt.v, tt.unit); got != tt.want {
			t.Errorf("FormatValue(%v, %q) = %q, want %q", tt.v, tt.unit, got, tt.want)
		}
	}
}
