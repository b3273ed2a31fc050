//go:build invariants || race

package flowtest

// serverTags: when these tests run with -race or -tags invariants, the
// natsloop under test is built with the loop's invariant checks (a
// loop-only call off its loop panics). Not with -race itself: its peak
// RSS and latencies stay what the cases bound.
const serverTags = "invariants"
