package perf

import (
	"fmt"
	"math"
	"strconv"
)

// FormatValue prints v in unit compactly: 5.21M msgs/s as "5.21M",
// latencies as "85us"/"1.25ms", bytes as "45.2KiB", cpu as "310ns".
func FormatValue(v float64, unit string) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	switch unit {
	case "us":
		switch {
		case v >= 1e6:
			return trim(v/1e6, 2) + "s"
		case v >= 1e3:
			return trim(v/1e3, 2) + "ms"
		}
		return trim(v, sigDigits(v)) + "us"
	case "ns/msg":
		if v >= 1e3 {
			return trim(v/1e3, sigDigits(v/1e3)) + "us"
		}
		return trim(v, sigDigits(v)) + "ns"
	case "bytes":
		switch {
		case math.Abs(v) >= 1<<30:
			return trim(v/(1<<30), 2) + "GiB"
		case math.Abs(v) >= 1<<20:
			return trim(v/(1<<20), 1) + "MiB"
		case math.Abs(v) >= 1<<10:
			return trim(v/(1<<10), 1) + "KiB"
		}
		return strconv.FormatFloat(v, 'f', 0, 64) + "B"
	case "MB/s":
		return trim(v, sigDigits(v))
	}
	return si(v)
}

// si prints a rate with k/M/G suffixes and three significant digits.
func si(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e9:
		return trim(v/1e9, sigDigits(v/1e9)) + "G"
	case a >= 1e6:
		return trim(v/1e6, sigDigits(v/1e6)) + "M"
	case a >= 1e3:
		return trim(v/1e3, sigDigits(v/1e3)) + "k"
	}
	return trim(v, sigDigits(v))
}

// sigDigits is the number of decimals that gives about three significant
// digits.
func sigDigits(v float64) int {
	a := math.Abs(v)
	switch {
	case a >= 100:
		return 0
	case a >= 10:
		return 1
	}
	return 2
}

func trim(v float64, decimals int) string {
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// formatRatio prints a ratio as "1.06x", "-" when there is none.
func formatRatio(r float64) string {
	if r == 0 || math.IsNaN(r) {
		return "-"
	}
	return fmt.Sprintf("%.2fx", r)
}

// sideCell prints one server's figure for a table cell: the median, with
// [min..max] when withRange and there was more than one run, or the
// status when the side did not produce figures.
func sideCell(cs CaseSide, s Side, unit string, withRange bool) string {
	switch {
	case cs.Status == StatusUnsupported:
		return "unsupported"
	case cs.Status != StatusOK:
		return "FAILED"
	case s.N == 0:
		return "-"
	case withRange && s.N > 1:
		return fmt.Sprintf("%s [%s..%s]", FormatValue(s.Median, unit), FormatValue(s.Min, unit), FormatValue(s.Max, unit))
	}
	return FormatValue(s.Median, unit)
}

func itoa(n int) string { return strconv.Itoa(n) }

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
