// Command natsloop-perf runs the perf harness: natsloop side by side with
// a reference nats-server, scenario by scenario (see package perf).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"natsloop/perf"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the exit, for tests.
func run(args []string, stdout, stderr io.Writer) int {
	cli, err := perf.ParseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if cli.List {
		fmt.Fprint(stdout, perf.ScenarioList())
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := perf.Run(ctx, cli.Config, stderr)
	if rep == nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	code := 0
	if err != nil {
		fmt.Fprintln(stderr, err)
		code = 1
	}
	if werr := perf.WriteTable(stdout, rep); werr != nil {
		fmt.Fprintln(stderr, werr)
		code = 1
	}
	outputs := []struct {
		path  string
		write func(io.Writer, *perf.Report) error
	}{{cli.CSV, perf.WriteCSV}, {cli.JSON, perf.WriteJSON}, {cli.HTML, perf.WriteHTML}}
	for _, o := range outputs {
		if o.path == "" {
			continue
		}
		if werr := writeFile(o.path, rep, o.write); werr != nil {
			fmt.Fprintln(stderr, werr)
			code = 1
			continue
		}
		fmt.Fprintf(stderr, "wrote %s\n", o.path)
	}
	return code
}

func writeFile(path string, rep *perf.Report, write func(io.Writer, *perf.Report) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("natsloop-perf: %w", err)
	}
	if err := write(f, rep); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("natsloop-perf: %w", err)
	}
	return nil
}
