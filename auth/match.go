package auth

// Subject relations used by permissions and imports. Subjects are
// '.'-separated tokens; '*' (one token) and '>' (one or more trailing
// tokens) are wildcards only as whole tokens. None of these functions
// allocates or validates its arguments.

// token returns the token of s starting at i and the index after it (past
// the separator), or len(s)+1 at the end.
func token(s []byte, i int) (tok []byte, next int) {
	j := i
	for j < len(s) && s[j] != '.' {
		j++
	}
	return s[i:j], j + 1
}

func isPWC(t []byte) bool { return len(t) == 1 && t[0] == '*' }
func isFWC(t []byte) bool { return len(t) == 1 && t[0] == '>' }

// isSubset reports whether every subject matched by sub is matched by
// pattern ("foo.*" is a subset of "foo.>", "foo.>" is not a subset of
// "foo.*").
func isSubset(sub, pattern []byte) bool {
	si, pi := 0, 0
	for {
		sEnd, pEnd := si > len(sub), pi > len(pattern)
		if sEnd || pEnd {
			return sEnd && pEnd
		}
		var st, pt []byte
		st, si = token(sub, si)
		pt, pi = token(pattern, pi)
		switch {
		case isFWC(pt):
			return true // sub has at least this token left
		case isFWC(st):
			return false // sub may match more tokens than pattern allows
		case isPWC(pt):
		case isPWC(st):
			return false // pattern is literal here
		case string(st) != string(pt):
			return false
		}
	}
}

// overlaps reports whether some literal subject is matched by both a and
// b.
func overlaps(a, b []byte) bool {
	ai, bi := 0, 0
	for {
		aEnd, bEnd := ai > len(a), bi > len(b)
		if aEnd || bEnd {
			return aEnd && bEnd
		}
		var at, bt []byte
		at, ai = token(a, ai)
		bt, bi = token(b, bi)
		switch {
		case isFWC(at) || isFWC(bt):
			return true
		case isPWC(at) || isPWC(bt):
		case string(at) != string(bt):
			return false
		}
	}
}

// hasWildcard reports whether s has a '*' or '>' token.
func hasWildcard(s []byte) bool {
	for i := 0; i <= len(s); {
		var t []byte
		t, i = token(s, i)
		if isPWC(t) || isFWC(t) {
			return true
		}
	}
	return false
}

// maxCaptures bounds the '*' wildcards of an import mapping.
const maxCaptures = 16

// wildShape counts the '*' tokens of s and reports a trailing '>'.
func wildShape(s []byte) (pwcs int, fwc bool) {
	for i := 0; i <= len(s); {
		var t []byte
		t, i = token(s, i)
		switch {
		case isPWC(t):
			pwcs++
		case isFWC(t):
			fwc = true
		}
	}
	return pwcs, fwc
}

// canMap reports whether mapSubject can fill target's wildcards from a
// subject matching source: target is literal, or both have the same
// number of '*' (at most maxCaptures) and the same '>'.
func canMap(source, target []byte) bool {
	tp, tf := wildShape(target)
	if tp == 0 && !tf {
		return true
	}
	sp, sf := wildShape(source)
	return tp == sp && tf == sf && tp <= maxCaptures
}

// mapSubject appends to dst the subject of pattern to that corresponds
// to src, a literal subject matching pattern from: the i-th '*' of to
// takes the token matched by the i-th '*' of from, and '>' the tokens
// matched by '>'. A literal to is appended as is. Patterns are assumed
// to have passed canMap; it does not allocate beyond growing dst.
func mapSubject(dst, src, from, to []byte) []byte {
	if string(from) == string(to) {
		return append(dst, src...)
	}
	if !hasWildcard(to) {
		return append(dst, to...)
	}
	var caps [maxCaptures][2]int
	n, tail := 0, len(src)
	si, fi := 0, 0
	for si <= len(src) && fi <= len(from) {
		start := si
		var ft []byte
		_, si = token(src, si)
		ft, fi = token(from, fi)
		if isFWC(ft) {
			tail = start
			break
		}
		if isPWC(ft) && n < maxCaptures {
			caps[n] = [2]int{start, si - 1}
			n++
		}
	}
	k := 0
	for ti := 0; ti <= len(to); {
		var tt []byte
		tt, ti = token(to, ti)
		switch {
		case isPWC(tt) && k < n:
			dst = append(dst, src[caps[k][0]:caps[k][1]]...)
			k++
		case isFWC(tt) && tail < len(src):
			dst = append(dst, src[tail:]...)
		default:
			dst = append(dst, tt...)
		}
		if ti <= len(to) {
			dst = append(dst, '.')
		}
	}
	return dst
}
