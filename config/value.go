package config

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// token is what conf.ParseFileWithChecks wraps every value in (an
// unexported type of the conf package with these methods).
type token interface {
	Value() any
	Line() int
	Position() int
	SourceFile() string
	IsUsedVariable() bool
}

// value is one key's value with its position and dotted key path.
type value struct {
	key  string // dotted path
	name string // last key element, lower case (what switches match)
	raw  any    // unwrapped
	tk   token  // nil when conf gave a bare value
	file string
	line int
	col  int
}

func (l *loader) wrap(parent *value, key string, v any) value {
	out := value{key: key, name: strings.ToLower(key)}
	if parent != nil {
		out.file, out.line, out.col = parent.file, parent.line, parent.col
		if parent.key != "" {
			if strings.HasPrefix(key, "[") {
				out.key = parent.key + key
			} else {
				out.key = parent.key + "." + key
			}
		}
	} else {
		out.file = l.file
	}
	if tk, ok := v.(token); ok {
		out.tk = tk
		out.raw = tk.Value()
		if tk.Line() > 0 {
			// conf's columns, as nats-server prints them (0-based on
			// the first line of a file, 1-based on the others).
			out.line, out.col = tk.Line(), tk.Position()
			if f := tk.SourceFile(); f != "" {
				out.file = f
			}
		}
	} else {
		out.raw = v
	}
	return out
}

// usedVariable reports whether the key only defines a variable used
// elsewhere (not a setting).
func (v value) usedVariable() bool { return v.tk != nil && v.tk.IsUsedVariable() }

// field is the key as written in the file, without its parents.
func (v value) field() string {
	k := v.key
	if i := strings.LastIndexAny(k, ".["); i >= 0 && k[i] == '.' {
		k = k[i+1:]
	}
	return k
}

func (v value) err(format string, args ...any) *Error {
	return errorf(v.file, v.line, v.col, v.key, format, args...)
}

func (l *loader) errorf(v value, format string, args ...any) {
	l.errs = append(l.errs, v.err(format, args...))
}

// fieldErrorf records an error whose text names the field itself (no
// "key: " before it), as nats-server words unknown fields.
func (l *loader) fieldErrorf(v value, format string, args ...any) {
	e := v.err(format, args...)
	e.Key = ""
	l.errs = append(l.errs, e)
}

// warnf records nats-server's "invalid use of field" warning.
func (l *loader) warnf(v value, format string, args ...any) {
	l.warns = append(l.warns, Warning{File: v.file, Line: v.line, Col: v.col, Field: v.field(), Msg: fmt.Sprintf(format, args...)})
}

// unknown refuses a key nats-server does not know either, with its
// words (`unknown field "foo"`), unless the key merely defines a
// variable that is referenced elsewhere.
func (l *loader) unknown(v value) {
	if !v.usedVariable() {
		l.fieldErrorf(v, "unknown field %q", v.field())
	}
}

// fields returns the entries of m in file order (then by key).
func (l *loader) fields(parent *value, m map[string]any) []value {
	out := make([]value, 0, len(m))
	for k, v := range m {
		out = append(out, l.wrap(parent, k, v))
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.file != b.file {
			return a.file < b.file
		}
		if a.line != b.line {
			return a.line < b.line
		}
		if a.col != b.col {
			return a.col < b.col
		}
		return a.key < b.key
	})
	return out
}

// each is the skeleton of every block loader: v must be a map; field
// handles one entry and reports whether it knows the key; the entries it
// does not know are refused as unknown. each reports whether v was a map.
// A block with its own wording for unknown keys handles them in field
// and returns true.
func (l *loader) each(v value, field func(f value) bool) bool {
	m, ok := l.mapOf(v)
	if !ok {
		return false
	}
	for _, f := range l.fields(&v, m) {
		if !field(f) {
			l.unknown(f)
		}
	}
	return true
}

func describe(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case map[string]any:
		return "a map"
	case []any:
		return "a list"
	case nil:
		return "nothing"
	default:
		return fmt.Sprintf("%v", x)
	}
}

func (l *loader) str(v value) (string, bool) {
	s, ok := v.raw.(string)
	if !ok {
		l.errorf(v, "expected a string, got %s", describe(v.raw))
	}
	return s, ok
}

func (l *loader) boolean(v value) (bool, bool) {
	b, ok := v.raw.(bool)
	if !ok {
		l.errorf(v, "expected a boolean, got %s", describe(v.raw))
	}
	return b, ok
}

func (l *loader) integer(v value) (int64, bool) {
	switch x := v.raw.(type) {
	case int64:
		return x, true
	case float64:
		if x == float64(int64(x)) {
			return int64(x), true
		}
	}
	l.errorf(v, "expected an integer, got %s", describe(v.raw))
	return 0, false
}

// intIn reads an integer within [lo, hi].
func (l *loader) intIn(v value, lo, hi int64) (int, bool) {
	n, ok := l.integer(v)
	if !ok {
		return 0, false
	}
	if n < lo || n > hi {
		l.errorf(v, "%d is out of range [%d, %d]", n, lo, hi)
		return 0, false
	}
	return int(n), true
}

// size reads a byte size: an integer (conf already applied a 1MB / 1k
// suffix) or a string with such a suffix.
func (l *loader) size(v value) (int64, bool) {
	switch x := v.raw.(type) {
	case int64:
		if x < 0 {
			l.errorf(v, "expected a size, got %d", x)
			return 0, false
		}
		return x, true
	case string:
		if n, err := ParseSize(x); err == nil {
			return n, true
		}
	}
	l.errorf(v, "expected a size, got %s", describe(v.raw))
	return 0, false
}

// duration reads a Go duration string; a bare number is seconds (with
// nats-server's warning).
func (l *loader) duration(v value) (time.Duration, bool) {
	switch x := v.raw.(type) {
	case string:
		d, err := time.ParseDuration(x)
		if err != nil {
			l.errorf(v, "expected a duration, got %s", describe(x))
			return 0, false
		}
		return d, true
	case int64:
		l.warnf(v, "%s should be converted to a duration", v.field())
		return time.Duration(x) * time.Second, true
	case float64:
		l.warnf(v, "%s should be converted to a duration", v.field())
		return time.Duration(x * float64(time.Second)), true
	}
	l.errorf(v, "expected a duration, got %s", describe(v.raw))
	return 0, false
}

// seconds reads a timeout the nats-server way: a number of seconds
// (integer or float) or a duration string.
func (l *loader) seconds(v value) (time.Duration, bool) {
	switch x := v.raw.(type) {
	case int64:
		return time.Duration(x) * time.Second, true
	case float64:
		return time.Duration(x * float64(time.Second)), true
	case string:
		if d, err := time.ParseDuration(x); err == nil {
			return d, true
		}
	}
	l.errorf(v, "expected seconds or a duration, got %s", describe(v.raw))
	return 0, false
}

func (l *loader) mapOf(v value) (map[string]any, bool) {
	m, ok := v.raw.(map[string]any)
	if !ok {
		l.errorf(v, "expected a map, got %s", describe(v.raw))
	}
	return m, ok
}

func (l *loader) list(v value) ([]value, bool) {
	a, ok := v.raw.([]any)
	if !ok {
		l.errorf(v, "expected a list, got %s", describe(v.raw))
		return nil, false
	}
	out := make([]value, len(a))
	for i, e := range a {
		out[i] = l.wrap(&v, "["+strconv.Itoa(i)+"]", e)
	}
	return out, true
}

// strs reads a string or a list of strings.
func (l *loader) strs(v value) ([]string, bool) {
	if s, ok := v.raw.(string); ok {
		return []string{s}, true
	}
	items, ok := l.list(v)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := l.str(it)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// ParseSize parses a size as the config file writes it: 1048576, 1MB
// (1024^2), 1m or 1M (1000^2), 64KB, 1GiB. Case-insensitive.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("config: invalid size %q", s)
	}
	n, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("config: invalid size %q", s)
	}
	var mul int64
	switch strings.ToLower(strings.TrimSpace(t[i:])) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb", "ki", "kib":
		mul = 1 << 10
	case "m":
		mul = 1000 * 1000
	case "mb", "mi", "mib":
		mul = 1 << 20
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb", "gi", "gib":
		mul = 1 << 30
	case "t":
		mul = 1000 * 1000 * 1000 * 1000
	case "tb", "ti", "tib":
		mul = 1 << 40
	default:
		return 0, fmt.Errorf("config: invalid size %q", s)
	}
	if n > (1<<63-1)/mul {
		return 0, fmt.Errorf("config: size %q is too large", s)
	}
	return n * mul, nil
}
