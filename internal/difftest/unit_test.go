package difftest

import (
	"slices"
	"testing"
)

// TestGenerateIsDeterministic: stream i of a seed is the same every time,
// and other seeds or indexes give other streams.
func TestGenerateIsDeterministic(t *testing.T) {
	for i := range 50 {
		a, b := generate(7, i), generate(7, i)
		if !equalStreams(a, b) {
			t.Fatalf("stream %d differs between two generations", i)
		}
	}
	if equalStreams(generate(7, 1), generate(8, 1)) && equalStreams(generate(7, 2), generate(8, 2)) {
		t.Fatal("seeds 7 and 8 give the same streams")
	}
}

// TestParseItems: payloads are taken by their announced size, even when
// they hold CRLF; a payload not yet complete stays pending.
func TestParseItems(t *testing.T) {
	in := "INFO {\"server_id\":\"x\",\"proto\":1}\r\n+OK\r\nMSG foo 1 04\r\na\r\nb\r\nHMSG f 2 12 12\r\nNATS/1.0\r\n\r\n\r\nMSG x 1 5\r\nab"
	items, rest := parseItems([]byte(in))
	want := []string{`INFO {"proto":1}`, "+OK", "MSG foo 1 04", `payload "a\r\nb"`, "HMSG f 2 12 12", `payload "NATS/1.0\r\n\r\n"`}
	if !slices.Equal(items, want) || string(rest) != "MSG x 1 5\r\nab" {
		t.Fatalf("got %q rest %q", items, rest)
	}
}

// TestDdmin finds the two items a condition needs.
func TestDdmin(t *testing.T) {
	in := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	got := ddmin(in, func(s []int) bool { return slices.Contains(s, 3) && slices.Contains(s, 9) })
	if !slices.Equal(got, []int{3, 9}) {
		t.Fatalf("ddmin: %v", got)
	}
}

// TestSortFanout: deliveries of one message to several subscriptions of a
// client compare in sid order; other items keep theirs.
func TestSortFanout(t *testing.T) {
	got := sortFanout([]string{"PONG", "MSG bar 3 1", `payload "x"`, "MSG bar 2 1", `payload "x"`, "MSG baz 1 1", `payload "x"`, "PONG"})
	want := []string{"PONG", "MSG bar 2 1", `payload "x"`, "MSG bar 3 1", `payload "x"`, "MSG baz 1 1", `payload "x"`, "PONG"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}
