package perf

import (
	"math"
	"sort"
	"time"
)

// Summary is the median, minimum and maximum of a set of values, one per
// run (or per sample).
type Summary struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	N      int     `json:"n"`
}

// Summarize returns the median, min and max of vs. The median of an even
// count is the mean of the two middle values. NaN values are ignored; an
// empty (or all-NaN) input gives a zero Summary with N == 0.
func Summarize(vs []float64) Summary {
	s := make([]float64, 0, len(vs))
	for _, v := range vs {
		if !math.IsNaN(v) {
			s = append(s, v)
		}
	}
	if len(s) == 0 {
		return Summary{}
	}
	sort.Float64s(s)
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return Summary{Median: med, Min: s[0], Max: s[n-1], N: n}
}

// Percentile returns the p-th percentile (0 < p <= 100) of sorted by the
// nearest-rank method: the smallest value such that at least p percent of
// the values are less than or equal to it. sorted must be in ascending
// order; an empty slice gives 0.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	if p <= 0 {
		return sorted[0]
	}
	if p >= 100 {
		return sorted[n-1]
	}
	rank := int(math.Ceil(p/100*float64(n) - 1e-9)) // tolerate 99.9/100*1000 = 999.0000000000001
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

// LatencyPercentiles are the figures reported for a latency distribution.
var LatencyPercentiles = []struct {
	Name string
	P    float64
}{
	{"p50", 50}, {"p90", 90}, {"p99", 99}, {"p99.9", 99.9}, {"max", 100},
}

// sortDurations sorts ds in place.
func sortDurations(ds []time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
}

// Ratio returns a/b, or 0 (meaning "no ratio") when either is not a
// positive finite number.
func Ratio(a, b float64) float64 {
	if !(a > 0) || !(b > 0) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return 0
	}
	return a / b
}
