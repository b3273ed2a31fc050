package config

import (
	"fmt"
	"strconv"
)

// Error is a problem with one setting. Error() gives
// "config: file:line:col: key: problem"; the position is left out when
// the setting came from a flag or has none.
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
	s := ""
	if e.Line > 0 {
		s = e.File + ":" + strconv.Itoa(e.Line) + ":" + strconv.Itoa(e.Col) + ": "
	} else if e.File != "" {
		s = e.File + ": "
	}
	if e.Key != "" {
		s += e.Key + ": "
	}
	return s + e.Msg
}

// Warning is a setting that was accepted but deserves attention: an
// unknown key (ignored), a nats-server feature natsloop does not have
// (ignored), a deprecated form. Same fields and text as Error, without
// the "config: " prefix.
type Warning struct {
	File string
	Line int
	Col  int
	Key  string
	Msg  string
}

func (w Warning) String() string { e := Error(w); return e.String() }

func errorf(file string, line, col int, key, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Col: col, Key: key, Msg: fmt.Sprintf(format, args...)}
}
