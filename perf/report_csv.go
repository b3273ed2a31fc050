package perf

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// csvHeader is the first line WriteCSV writes.
func csvHeader() []string {
	return []string{
		"scenario", "size_bytes", "metric", "unit", "higher_is_better", "primary",
		"a_label", "a_status", "a_median", "a_min", "a_max", "a_runs",
		"b_label", "b_status", "b_median", "b_min", "b_max", "b_runs",
		"ratio", "verdict", "rss_ratio", "rss_verdict", "a_reason", "b_reason",
	}
}

// WriteCSV writes one line per case and metric (every metric, details
// included). Numbers are in the metric's unit, unrounded; runs are
// separated by ';'. A side that is not ok has empty figures. rss_ratio and
// rss_verdict are the case's peak RSS ratio A/B and verdict, repeated on
// every line of the case so that each line carries both its own ratio and
// the memory one.
func WriteCSV(w io.Writer, rep *Report) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(csvHeader())
	num := func(v float64, n int) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	runs := func(vs []float64) string {
		s := make([]string, len(vs))
		for i, v := range vs {
			s[i] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		return strings.Join(s, ";")
	}
	for _, cr := range rep.Cases {
		for _, r := range cr.Rows {
			ratio, rssRatio := csvRatio(r.Ratio), csvRatio(cr.RSSRatio)
			_ = cw.Write([]string{
				cr.Scenario, strconv.Itoa(cr.Size), r.Name, r.Unit,
				strconv.FormatBool(r.HigherIsBetter), strconv.FormatBool(r.Primary),
				rep.A.Label, cr.A.Status, num(r.A.Median, r.A.N), num(r.A.Min, r.A.N), num(r.A.Max, r.A.N), runs(r.A.Runs),
				rep.B.Label, cr.B.Status, num(r.B.Median, r.B.N), num(r.B.Min, r.B.N), num(r.B.Max, r.B.N), runs(r.B.Runs),
				ratio, r.Verdict, rssRatio, cr.RSSVerdict, cr.A.Reason, cr.B.Reason,
			})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("perf: write csv: %w", err)
	}
	return nil
}

// csvRatio prints a ratio with six significant digits, empty when there
// is none.
func csvRatio(r float64) string {
	if r == 0 {
		return ""
	}
	return strconv.FormatFloat(r, 'g', 6, 64)
}
