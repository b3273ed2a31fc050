package broker

import (
	"slices"
	"testing"
)

// TestReadMirrorSizes: nats-server's read sizes for input that arrives at
// once: 512, then doubling after each full read up to 64 KiB; short reads
// shrink the buffer only after more than two in a row.
func TestReadMirrorSizes(t *testing.T) {
	var m readMirror
	m.arrive(0, 512+1024+100)
	if want := []int64{512, 1536, 1636}; !slices.Equal(m.ends, want) {
		t.Fatalf("ends %v, want %v", m.ends, want)
	}
	if m.size != 2048 {
		t.Fatalf("size %d after a short read, want 2048 (no shrink yet)", m.size)
	}
	m.arrive(0, m.seen+10)
	if m.size != 2048 {
		t.Fatalf("size %d after two short reads, want 2048", m.size)
	}
	m.arrive(0, m.seen+10)
	if m.size != 1024 {
		t.Fatalf("size %d after three short reads, want 1024", m.size)
	}
	m.arrive(0, m.seen+10)
	if m.size != 512 {
		t.Fatalf("size %d after four short reads, want 512", m.size)
	}
	m.forget(1600)
	if m.ends[0] < 1600 {
		t.Fatalf("forget kept %v", m.ends)
	}
	var big readMirror
	big.arrive(0, 1<<20)
	if big.size != mirrorMaxSize {
		t.Fatalf("size %d, want the cap %d", big.size, mirrorMaxSize)
	}
}

// TestReadMirrorSplitsPayload: the line is read again only when it was
// read whole and a read ends inside the payload (not exactly after it).
func TestReadMirrorSplitsPayload(t *testing.T) {
	var m readMirror
	m.arrive(0, 2000) // reads end at 512, 1536, 2000
	cases := []struct {
		start, line, end int64
		want             bool
	}{
		{0, 40, 700, true},      // payload crosses 512
		{0, 40, 512, false},     // the frame ends with the read
		{0, 40, 513, true},      // the read ends before the final '\n'
		{500, 520, 600, false},  // the line itself was split at 512
		{600, 620, 1000, false}, // no read ends in it
		{512, 530, 1600, true},  // line starts a read, payload crosses 1536
	}
	for _, tc := range cases {
		if got := m.splitsPayload(tc.start, tc.line, tc.end); got != tc.want {
			t.Errorf("splitsPayload(%d, %d, %d) = %v, want %v", tc.start, tc.line, tc.end, got, tc.want)
		}
	}
}
