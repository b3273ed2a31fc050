package perf

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// WriteHTML writes a self-contained HTML page: the method, a chart of the
// ratios A/B of every primary metric, each with its case's peak RSS ratio
// as a second bar (log scale, coloured by verdict), a
// chart of the absolute figures per case (median bars with min..max
// whiskers), the table and the notes. No scripts, no external resources.
func WriteHTML(w io.Writer, rep *Report) error {
	var b strings.Builder
	esc := html.EscapeString
	title := fmt.Sprintf("natsloop-perf: %s vs %s", rep.A.Label, rep.B.Label)
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%s</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
table{border-collapse:collapse;font-size:13px}
td,th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;white-space:nowrap}
tr.first td{border-top:2px solid #999}
.better{color:#1a7f37}.worse{color:#c62828}
svg text{font-size:12px;font-family:system-ui,sans-serif}
.case{display:inline-block;vertical-align:top;margin:0 1em 1em 0}
</style></head><body>
<h1>%s</h1>
`, esc(title), esc(title))
	b.WriteString("<ul>\n")
	for _, l := range reportPreamble(rep) {
		fmt.Fprintf(&b, "<li>%s</li>\n", esc(l))
	}
	fmt.Fprintf(&b, "<li>Started %s, took %.0fs.</li>\n</ul>\n", esc(rep.Started.Format("2006-01-02 15:04:05 MST")), rep.Seconds)

	b.WriteString("<h2>Ratio A/B per scenario (headline metric and peak RSS)</h2>\n")
	fmt.Fprintf(&b, "<p>Median of %s divided by median of %s, log scale. Per case two bars: the headline metric (solid) and, under it, "+
		"peak RSS under that load (light, outlined; below 1x A uses less memory). "+
		"Green: A better, red: A worse, grey: within noise (ranges overlap).</p>\n",
		esc(rep.A.Label), esc(rep.B.Label))
	writeRatioChart(&b, rep)
	b.WriteString("<h2>Absolute figures (median, whiskers min..max)</h2>\n")
	fmt.Fprintf(&b, `<p><span style="color:#3b6fb6">&#9632;</span> A = %s &nbsp; <span style="color:#e0a030">&#9632;</span> B = %s</p>`+"\n",
		esc(rep.A.Label), esc(rep.B.Label))
	for _, cr := range rep.Cases {
		writeCaseChart(&b, rep, cr)
	}
	b.WriteString("<h2>Table</h2>\n<table>\n<tr>")
	for _, h := range tableHeader(rep) {
		fmt.Fprintf(&b, "<th>%s</th>", esc(h))
	}
	b.WriteString("</tr>\n")
	for _, r := range tableRows(rep) {
		if r.first {
			b.WriteString(`<tr class="first">`)
		} else {
			b.WriteString("<tr>")
		}
		for i, c := range r.cells {
			if i == colVerdict && (c == "better" || c == "worse") {
				fmt.Fprintf(&b, `<td class="%s">%s</td>`, c, esc(c))
				continue
			}
			if i == colRSSRatio && (r.rssVerdict == "better" || r.rssVerdict == "worse") {
				fmt.Fprintf(&b, `<td class="%s">%s</td>`, r.rssVerdict, esc(c))
				continue
			}
			fmt.Fprintf(&b, "<td>%s</td>", esc(c))
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table>\n")
	if notes := reportNotes(rep); len(notes) > 0 {
		b.WriteString("<h2>Notes</h2>\n<ul>\n")
		for _, n := range notes {
			fmt.Fprintf(&b, "<li>%s</li>\n", esc(n))
		}
		b.WriteString("</ul>\n")
	}
	b.WriteString("</body></html>\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("perf: write html: %w", err)
	}
	return nil
}

func verdictColor(v string) string {
	switch v {
	case "better":
		return "#2e9e4f"
	case "worse":
		return "#d64545"
	}
	return "#9e9e9e"
}

// writeRatioChart draws, per primary row, two horizontal bars on a log2
// axis from 1/4x to 4x, centred on 1x: the headline ratio (solid) and,
// right under it, the case's peak RSS ratio (light with an outline), both
// coloured by their verdict.
func writeRatioChart(b *strings.Builder, rep *Report) {
	type bar struct {
		label, text, verdict string
		ratio                float64
		rss                  bool // the peak RSS series
	}
	var bars []bar
	for _, cr := range rep.Cases {
		for _, r := range cr.Rows {
			if !r.Primary {
				continue
			}
			lb := fmt.Sprintf("%s %s %s", cr.Scenario, sizeLabel(cr.Size), r.Name)
			if !r.HigherIsBetter {
				lb += " (lower is better)"
			}
			br := bar{label: lb, ratio: r.Ratio, verdict: r.Verdict, text: formatRatio(r.Ratio)}
			if cr.A.Status != StatusOK || cr.B.Status != StatusOK {
				br.text = fmt.Sprintf("A %s, B %s", cr.A.Status, cr.B.Status)
			}
			bars = append(bars, br, bar{label: metricRSS + " (lower is better)", ratio: cr.RSSRatio,
				verdict: cr.RSSVerdict, text: "RSS " + rssRatioCell(cr), rss: true})
		}
	}
	const labelW, chartW, barH, groupGap, axis = 300, 500, 16, 8, 2.0 // axis: log2 range either side
	h := 10 + len(bars)*barH + len(bars)/2*groupGap + 30
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img">`+"\n", labelW+chartW+140, h)
	mid := labelW + chartW/2
	xOf := func(r float64) float64 {
		l := math.Max(-axis, math.Min(axis, math.Log2(r)))
		return float64(mid) + l/axis*float64(chartW/2)
	}
	for _, t := range []float64{0.25, 0.5, 1, 2, 4} {
		x := xOf(t)
		fmt.Fprintf(b, `<line x1="%.1f" y1="10" x2="%.1f" y2="%d" stroke="%s"/>`+"\n", x, x, h-20, map[bool]string{true: "#444", false: "#ddd"}[t == 1])
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%gx</text>`+"\n", x, h-5, t)
	}
	for i, br := range bars {
		y := 10 + i*barH + i/2*groupGap
		style := ""
		if br.rss {
			style = fmt.Sprintf(` fill-opacity="0.4" stroke="%s"`, verdictColor(br.verdict))
			fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end" fill="#666">%s</text>`+"\n", labelW-8, y+12, html.EscapeString(br.label))
		} else {
			fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", labelW-8, y+12, html.EscapeString(br.label))
		}
		if br.ratio > 0 {
			x0, x1 := float64(mid), xOf(br.ratio)
			fmt.Fprintf(b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"%s/>`+"\n",
				math.Min(x0, x1), y+2, math.Max(math.Abs(x1-x0), 1), barH-4, verdictColor(br.verdict), style)
		}
		fmt.Fprintf(b, `<text x="%d" y="%d">%s</text>`+"\n", labelW+chartW+6, y+12, html.EscapeString(br.text))
	}
	b.WriteString("</svg>\n")
}

// writeCaseChart draws, for each table metric of a case (plus cpu/msg
// and peak RSS), bars for A and B scaled to the larger maximum.
func writeCaseChart(b *strings.Builder, rep *Report, cr CaseReport) {
	var rows []Row
	for _, r := range cr.Rows {
		if !r.Detail {
			rows = append(rows, r)
		}
	}
	const labelW, chartW, barH = 90, 260, 14
	h := 28 + len(rows)*(2*barH+10)
	fmt.Fprintf(b, `<div class="case"><svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img">`+"\n", labelW+chartW+110, h)
	fmt.Fprintf(b, `<text x="0" y="14" font-weight="bold">%s</text>`+"\n", html.EscapeString(cr.Scenario+" "+sizeLabel(cr.Size)))
	colors := [2]string{"#3b6fb6", "#e0a030"}
	for i, r := range rows {
		y := 24 + i*(2*barH+10)
		fmt.Fprintf(b, `<text x="0" y="%d">%s</text>`+"\n", y+barH+4, html.EscapeString(r.Name))
		scale := math.Max(r.A.Max, r.B.Max)
		for s, side := range [2]Side{r.A, r.B} {
			cs := [2]CaseSide{cr.A, cr.B}[s]
			by := y + s*barH
			text := sideCell(cs, side, r.Unit, false)
			if side.N > 0 && scale > 0 {
				wd := side.Median / scale * chartW
				fmt.Fprintf(b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s</title></rect>`+"\n",
					labelW, by+1, math.Max(wd, 1), barH-2, colors[s], html.EscapeString([2]string{rep.A.Label, rep.B.Label}[s]))
				if side.N > 1 {
					x0, x1 := float64(labelW)+side.Min/scale*chartW, float64(labelW)+side.Max/scale*chartW
					fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#222"/>`+"\n", x0, by+barH/2, x1, by+barH/2)
				}
			}
			fmt.Fprintf(b, `<text x="%d" y="%d">%s %s</text>`+"\n", labelW+chartW+6, by+barH-2, []string{"A", "B"}[s], html.EscapeString(text))
		}
	}
	b.WriteString("</svg></div>\n")
}
