package config

import (
	"fmt"
	"strconv"
)

// Error is a problem with one setting. Error() gives
// "config: file:line:col: key: problem"; String() is the same without the
// package prefix, which is what a user reads. The position is left out
// when the setting came from a flag or has none; Key is then the flag
// ("--tlscert") or empty when Msg names the setting itself, as in
// nats-server's `unknown field "max_paylod"`.
//
// Positions are the ones nats-server prints: lines count from 1, columns
// from 1 except on the first line of a file, where nats-server's parser
// counts them from 0 ("x.conf:1:0").
type Error struct {
	File string
	Line int
	Col  int
	Key  string // dotted path for nested keys: cluster.tls.cert_file, authorization.users[1].user
	Msg  string
}

func (e *Error) Error() string { return "config: " + e.String() }

// String is Error() without the package prefix.
func (e *Error) String() string {
	s := position(e.File, e.Line, e.Col)
	if e.Key != "" {
		s += e.Key + ": "
	}
	return s + e.Msg
}

func position(file string, line, col int) string {
	switch {
	case line > 0:
		return file + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(col) + ": "
	case file != "":
		return file + ": "
	}
	return ""
}

// Warning is a setting that works but deserves attention, as nats-server
// reports it: a duration written as a bare number, an authorization
// timeout over a minute, a duplicate route, an empty file. nats-server
// prints warnings and starts, but fails -t on them; natsloop does the
// same (see cmd/natsloop). Field is the field nats-server names in
// `invalid use of field "ping_interval": ...`; "" for file-wide warnings.
type Warning struct {
	File  string
	Line  int
	Col   int
	Field string
	Msg   string
}

// String gives nats-server's text: "file:line:col: invalid use of field
// \"ping_interval\": ping_interval should be converted to a duration".
func (w Warning) String() string {
	if w.Field == "" {
		return position(w.File, w.Line, w.Col) + w.Msg
	}
	return position(w.File, w.Line, w.Col) + fmt.Sprintf("invalid use of field %q: %s", w.Field, w.Msg)
}

func errorf(file string, line, col int, key, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Col: col, Key: key, Msg: fmt.Sprintf(format, args...)}
}
