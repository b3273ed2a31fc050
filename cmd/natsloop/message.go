package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"natsloop/broker"
	"natsloop/config"
)

// message is what a user reads for err: each problem on its line, without
// natsloop's internal package prefixes. Config errors are already worded
// for the user (file:line:col, key, problem).
func message(err error) string {
	var lines []string
	for _, e := range flatten(err) {
		var ce *config.Error
		if errors.As(e, &ce) {
			lines = append(lines, ce.String())
			continue
		}
		lines = append(lines, trimPackage(e.Error()))
	}
	return strings.Join(lines, "\n")
}

// flatten lists the errors of errors.Join.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// trimPackage drops the package prefix natsloop's errors carry
// ("auth: user \"a\": ..." becomes "user \"a\": ...").
func trimPackage(s string) string {
	for _, p := range []string{"broker: ", "auth: ", "tlsbridge: ", "loop: ", "logging: ", "config: "} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return rest
		}
	}
	return s
}

// listenFailure words a failed listen as nats-server does:
// Error listening on port: 127.0.0.1:4222, "listen tcp 127.0.0.1:4222: bind: address already in use".
func listenFailure(err error) string {
	var le *broker.ListenError
	if !errors.As(err, &le) {
		return message(err)
	}
	cause := trimPackage(le.Err.Error())
	var se *os.SyscallError
	if errors.As(le.Err, &se) {
		cause = "listen tcp " + le.Addr + ": " + se.Error()
	}
	return fmt.Sprintf("Error listening on port: %s, %q", le.Addr, cause)
}

// fileFailure words a log file that cannot be opened as nats-server does
// ("error opening file: open x.log: permission denied").
func fileFailure(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return "error opening file: " + pe.Error()
	}
	return message(err)
}
