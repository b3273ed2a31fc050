package subject

import "testing"

func TestValidSubject(t *testing.T) {
	tests := []struct {
		s              string
		subject, liter bool
	}{
		{"foo", true, true},
		{"foo.bar", true, true},
		{"foo.bar.baz", true, true},
		{"foo.*", true, false},
		{"*", true, false},
		{">", true, false},
		{"foo.>", true, false},
		{"*.>", true, false},
		{"foo.*.bar", true, false},
		{"*.*.*", true, false},
		{"foo*.bar", true, true},
		{"foo.bar*", true, true},
		{"*foo", true, true},
		{"foo>", true, true},
		{">foo.bar", true, true},
		{"foo.>bar", true, true},
		{"$SYS.REQ", true, true},
		{"_INBOX.abc.123", true, true},
		{"foo-bar_baz", true, true},
		{"ünicode.tøken", true, true},
		{"", false, false},
		{".", false, false},
		{"foo.", false, false},
		{".foo", false, false},
		{"foo..bar", false, false},
		{"..", false, false},
		{"foo.>.bar", false, false},
		{">.bar", false, false},
		{">.>", false, false},
		{"foo bar", false, false},
		{"foo\tbar", false, false},
		{"foo\nbar", false, false},
		{"foo\rbar", false, false},
		{"foo\fbar", false, false},
		{" ", false, false},
		{"foo. .bar", false, false},
		{"foo.bar ", false, false},
		{" foo", false, false},
		{"foo.*.", false, false},
		{"foo.>.", false, false},
	}
	for _, tt := range tests {
		if got := ValidSubject([]byte(tt.s)); got != tt.subject {
			t.Errorf("ValidSubject(%q) = %v, want %v", tt.s, got, tt.subject)
		}
		if got := ValidLiteral([]byte(tt.s)); got != tt.liter {
			t.Errorf("ValidLiteral(%q) = %v, want %v", tt.s, got, tt.liter)
		}
		if tt.subject {
			if got := IsLiteral([]byte(tt.s)); got != tt.liter {
				t.Errorf("IsLiteral(%q) = %v, want %v", tt.s, got, tt.liter)
			}
		}
	}
}

func TestValidQueue(t *testing.T) {
	tests := []struct {
		q  string
		ok bool
	}{
		{"q", true},
		{"workers", true},
		{"foo.bar", true},
		{"foo.*", true},
		{">", true},
		{"", false},
		{"a b", false},
		{"a\tb", false},
		{"a\r\n", false},
		{" ", false},
	}
	for _, tt := range tests {
		if got := ValidQueue([]byte(tt.q)); got != tt.ok {
			t.Errorf("ValidQueue(%q) = %v, want %v", tt.q, got, tt.ok)
		}
	}
}

func TestMatches(t *testing.T) {
	tests := []struct {
		literal, pattern string
		ok               bool
	}{
		{"foo", "foo", true},
		{"foo", "bar", false},
		{"foo", "fo", false},
		{"fo", "foo", false},
		{"foo.bar", "foo.bar", true},
		{"foo.bar", "foo", false},
		{"foo", "foo.bar", false},
		{"foo.bar", "foo.*", true},
		{"foo.bar", "*.bar", true},
		{"foo.bar", "*.*", true},
		{"foo.bar", "*", false},
		{"foo", "*", true},
		{"foo", "*.*", false},
		{"foo.bar.baz", "foo.*", false},
		{"foo.bar.baz", "foo.*.baz", true},
		{"foo.bar.baz", "foo.*.bat", false},
		{"foo.bar", "foo.>", true},
		{"foo.bar.baz", "foo.>", true},
		{"foo", "foo.>", false},
		{"foo", ">", true},
		{"foo.bar.baz", ">", true},
		{"foo.bar.baz", "*.>", true},
		{"foo", "*.>", false},
		{"foo.bar.baz", "*.bar.>", true},
		{"foo.baz.baz", "*.bar.>", false},
		{"foo*.bar", "foo*.bar", true},
		{"foox.bar", "foo*.bar", false},
		{"foo.bar", "foo*.bar", false},
		{"foo.bar", "foo.b>", false},
		{"foo.b>", "foo.b>", true},
		{"foo.*", "foo.*", true},    // '*' in the literal is a plain token
		{"foo.>", "foo.bar", false}, // and does not match a literal token
		{"", ">", false},
		{"", "foo", false},
	}
	for _, tt := range tests {
		if got := Matches([]byte(tt.literal), []byte(tt.pattern)); got != tt.ok {
			t.Errorf("Matches(%q, %q) = %v, want %v", tt.literal, tt.pattern, got, tt.ok)
		}
	}
}

func TestValidatorsAllocs(t *testing.T) {
	subj := []byte("foo.bar.*.baz.>")
	lit := []byte("foo.bar.baz.qux")
	q := []byte("workers")
	n := testing.AllocsPerRun(100, func() {
		_ = ValidSubject(subj)
		_ = ValidLiteral(lit)
		_ = ValidQueue(q)
		_ = IsLiteral(subj)
		_ = Matches(lit, subj)
		_ = Matches(lit, []byte("foo.*.baz.>"))
	})
	if n > 0 {
		t.Fatalf("validators allocate: %v allocs per run", n)
	}
}

// TestValidPublish: nats-server's pedantic publish rule refuses empty and
// wildcard tokens only; whitespace, which ValidLiteral refuses, passes.
func TestValidPublish(t *testing.T) {
	for s, want := range map[string]bool{
		"foo": true, "foo.bar": true, "\nfoo": true, "foo*.b>": true,
		"": false, ".foo": false, "foo.": false, "foo..bar": false, "foo.*": false, ">": false, "a.>.b": false,
	} {
		if got := ValidPublish([]byte(s)); got != want {
			t.Errorf("ValidPublish(%q) = %v, want %v", s, got, want)
		}
		if got := HasEmptyToken([]byte(s)); got != (s == "" || s[0] == '.' || s[len(s)-1] == '.' || s == "foo..bar") {
			t.Errorf("HasEmptyToken(%q) = %v", s, got)
		}
	}
}
