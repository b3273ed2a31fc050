package difftest

import "strings"

// deliberate is a known, deliberate difference from nats-server: a
// difference whose first items it matches is excluded by name.
type deliberate struct {
	name  string
	why   string
	match func(st Stream, d *Diff) bool
}

// deliberateDiffs are the differences natsloop keeps on purpose
// (docs/design/0003, REFERENCE.md). doc.go lists them too.
var deliberateDiffs = []deliberate{
	{
		name: "tls-aead-only",
		why:  "TLS 1.2 with ECDHE+AEAD suites only; the fuzzer runs without TLS, so nothing matches",
		match: func(Stream, *Diff) bool {
			return false
		},
	},
	{
		name: "wildcard-permission",
		why:  "a SUB broader than its allow pattern (carol: allow foo.*, SUB foo.>) is refused",
		match: func(st Stream, d *Diff) bool {
			const refused = "-ERR 'Permissions Violation for Subscription to \""
			subj, ok := strings.CutPrefix(d.Got, refused)
			subj, _, _ = strings.Cut(subj, "\"")
			return ok && st.Config == "auth" && strings.ContainsAny(subj, "*>") && d.Got != d.Ref
		},
	},
}

// deliberateName names the deliberate difference d is, or "".
func deliberateName(st Stream, d *Diff) string {
	for _, k := range deliberateDiffs {
		if k.match(st, d) {
			return k.name
		}
	}
	return ""
}
