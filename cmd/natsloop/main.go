// Command natsloop is a NATS server: nats-server's flags, config files and
// log format, on gnet event loops.
//
// What it prints before its logger exists is what nats-server 2.15.2
// prints in the same situation: "nats-server: <file>:<line>:<col>: ..."
// for a config error (exit 1), the config's warnings before starting
// (fatal with -t), the usage after a flag that does not parse (exit 0),
// the TLS help for --help_tls.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"natsloop/broker"
	"natsloop/config"
	"natsloop/internal/logging"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the exit, for tests.
func run(args []string, stdout, stderr io.Writer) int {
	opts, action, warnings, err := config.ParseFlagsWarnings(args)
	switch {
	case action == config.ActionHelp && err != nil:
		// nats-server: the flag package's message, the usage, exit 0.
		fmt.Fprintln(stderr, message(err))
		fmt.Fprint(stdout, config.Usage)
		return 0
	case err != nil:
		return fail(stderr, warnings, err)
	}
	switch action {
	case config.ActionVersion:
		fmt.Fprintf(stdout, "nats-server: v%s (natsloop)\n", broker.Version)
		return 0
	case config.ActionHelp:
		fmt.Fprint(stdout, config.Usage)
		return 0
	case config.ActionHelpTLS:
		fmt.Fprint(stdout, config.TLSUsage())
		return 0
	case config.ActionSignal:
		return sendSignal(opts.Signal, stderr)
	case config.ActionTestConfig:
		return testConfig(opts, warnings, stderr)
	}
	// nats-server prints the file's warnings as they are and starts.
	for _, w := range warnings {
		fmt.Fprintln(stderr, w.String())
	}
	return serve(opts, stderr)
}

// fail prints an error as nats-server does ("nats-server: " and the
// problems, warnings first, one a line) and returns the exit status.
func fail(stderr io.Writer, warnings []config.Warning, err error) int {
	lines := make([]string, 0, len(warnings)+1)
	for _, w := range warnings {
		lines = append(lines, w.String())
	}
	lines = append(lines, message(err))
	fmt.Fprintf(stderr, "nats-server: %s\n", strings.Join(lines, "\n"))
	return 1
}

// testConfig is -t: warnings fail it, as in nats-server; building the
// server checks what the file alone cannot (accounts, permissions).
func testConfig(opts *config.Options, warnings []config.Warning, stderr io.Writer) int {
	if len(warnings) > 0 {
		lines := make([]string, len(warnings))
		for i, w := range warnings {
			lines[i] = w.String()
		}
		fmt.Fprintf(stderr, "nats-server: %s\n", strings.Join(lines, "\n"))
		return 1
	}
	s, err := broker.New(opts, logging.Nop())
	if err != nil {
		return fail(stderr, nil, err)
	}
	s.Shutdown()
	fmt.Fprintf(stderr, "nats-server: configuration file %s is valid (%s)\n", opts.ConfigFile, opts.ConfigDigest)
	return 0
}
