package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRunFlagsOnly(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"--list"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "multisubj") {
		t.Fatalf("--list: %d %q %q", code, out.String(), errb.String())
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"--scenarios", "nope"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "unknown scenario") {
		t.Fatalf("bad scenario: %d %q", code, errb.String())
	}
	if code := run([]string{"-h"}, &out, &errb); code != 0 {
		t.Fatalf("-h: %d", code)
	}
}
