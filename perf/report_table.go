package perf

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// tableRow is one line of the terminal (and HTML) table.
type tableRow struct {
	cells []string
	// first is true on the first line of a case.
	first bool
	// rssVerdict is the case's peak RSS verdict on its first line.
	rssVerdict string
}

// tableHeader returns the column names of the comparison table.
func tableHeader(rep *Report) []string {
	return []string{"scenario", "size", "metric", rep.A.Label, rep.B.Label, "ratio", "verdict", "RSS ratio",
		"cpu/msg A", "cpu/msg B", "peak RSS A", "peak RSS B"}
}

// Column indexes of tableHeader that the HTML table styles.
const (
	colVerdict  = 6
	colRSSRatio = 7
)

// rssRatioCell prints a case's peak RSS ratio A/B with its verdict
// ("0.50x better", "1.01x ~"), or "-" when there is no ratio.
func rssRatioCell(cr CaseReport) string {
	if cr.RSSRatio == 0 {
		return formatRatio(0)
	}
	return formatRatio(cr.RSSRatio) + " " + cr.RSSVerdict
}

// tableRows builds the comparison table: per case, one line per metric
// that is neither a detail nor cpu/RSS; the case's peak RSS ratio goes
// right after the verdict, and its cpu/msg and peak RSS medians in the
// last columns, of its first line.
func tableRows(rep *Report) []tableRow {
	var out []tableRow
	for _, cr := range rep.Cases {
		var cpu, rss *Row
		for i := range cr.Rows {
			switch cr.Rows[i].Name {
			case metricCPU:
				cpu = &cr.Rows[i]
			case metricRSS:
				rss = &cr.Rows[i]
			}
		}
		first := true
		for _, r := range cr.Rows {
			if r.Detail || r.Name == metricCPU || r.Name == metricRSS {
				continue
			}
			cells := []string{"", "", r.Name,
				sideCell(cr.A, r.A, r.Unit, true), sideCell(cr.B, r.B, r.Unit, true),
				formatRatio(r.Ratio), r.Verdict, "", "", "", "", ""}
			row := tableRow{cells: cells, first: first}
			if first {
				cells[0], cells[1] = cr.Scenario, sizeLabel(cr.Size)
				cells[colRSSRatio], row.rssVerdict = rssRatioCell(cr), cr.RSSVerdict
				if cpu != nil {
					cells[8], cells[9] = sideCell(cr.A, cpu.A, cpu.Unit, false), sideCell(cr.B, cpu.B, cpu.Unit, false)
				}
				if rss != nil {
					cells[10], cells[11] = sideCell(cr.A, rss.A, rss.Unit, false), sideCell(cr.B, rss.B, rss.Unit, false)
				}
			}
			out = append(out, row)
			first = false
		}
	}
	return out
}

// reportNotes lists why sides failed or were unsupported.
func reportNotes(rep *Report) []string {
	var notes []string
	for _, cr := range rep.Cases {
		for _, s := range []struct {
			label string
			side  CaseSide
		}{{rep.A.Label, cr.A}, {rep.B.Label, cr.B}} {
			if s.side.Status != StatusOK {
				notes = append(notes, fmt.Sprintf("%s %s, %s: %s: %s", cr.Scenario, sizeLabel(cr.Size), s.label, s.side.Status, s.side.Reason))
			}
		}
	}
	if rep.Interrupted != "" {
		notes = append(notes, "run interrupted ("+rep.Interrupted+"): the report is partial")
	}
	return notes
}

// reportPreamble describes the servers and the method in a few lines.
func reportPreamble(rep *Report) []string {
	s := rep.Settings
	window := fmt.Sprintf("%gs measured", s.DurationSec)
	if s.Msgs > 0 {
		window = fmt.Sprintf("%d messages measured", s.Msgs)
	}
	return []string{
		fmt.Sprintf("A = %s: %s (%s)%s", rep.A.Label, rep.A.Path, rep.A.Version, loopsNote(s.Loops)),
		fmt.Sprintf("B = %s: %s (%s)", rep.B.Label, rep.B.Path, rep.B.Version),
		fmt.Sprintf("%s/%s, %d CPUs, %s; %d rounds per server alternating A B, fresh server per run, %s after %gs warm-up.",
			rep.Host.OS, rep.Host.Arch, rep.Host.CPUs, rep.Host.GoVersion, s.Rounds, window, s.WarmupSec),
		"Cells: median [min..max] over rounds. ratio = A/B medians; verdict for A (~ = ranges overlap or within 2%).",
		"RSS ratio = A/B medians of peak RSS (server VmHWM under the case's load) with its verdict; below 1x A uses less memory.",
		"cpu/msg = server CPU (utime+stime) over the window / messages; peak RSS = server VmHWM.",
	}
}

func loopsNote(loops int) string {
	if loops <= 0 {
		return ""
	}
	return fmt.Sprintf(", %d event loops", loops)
}

// WriteTable writes the report as an aligned text table with notes.
func WriteTable(w io.Writer, rep *Report) error {
	var b strings.Builder
	for _, l := range reportPreamble(rep) {
		b.WriteString(l + "\n")
	}
	b.WriteString("\n")
	rows := tableRows(rep)
	header := tableHeader(rep)
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = utf8.RuneCountInString(h)
	}
	for _, r := range rows {
		for i, c := range r.cells {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	line := func(cells []string) {
		var l strings.Builder
		for i, c := range cells {
			l.WriteString(c)
			if i < len(cells)-1 {
				l.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " ") + "\n")
	}
	upper := make([]string, len(header))
	for i, h := range header {
		upper[i] = h
		if i < 3 || i > 4 {
			upper[i] = strings.ToUpper(h)
		}
	}
	line(upper)
	for _, r := range rows {
		line(r.cells)
	}
	if notes := reportNotes(rep); len(notes) > 0 {
		b.WriteString("\nNotes:\n")
		for _, n := range notes {
			b.WriteString("  - " + n + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("perf: write table: %w", err)
	}
	return nil
}
