// Command natsloop is a NATS server: nats-server's flags, config files and
// log format, on gnet event loops.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

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
	if err != nil {
		fmt.Fprintf(stderr, "nats-server: %v\n", err)
		return 1
	}
	switch action {
	case config.ActionVersion:
		fmt.Fprintf(stdout, "nats-server: v%s (natsloop)\n", broker.Version)
		return 0
	case config.ActionHelp:
		fmt.Fprint(stdout, config.Usage)
		return 0
	case config.ActionSignal:
		return sendSignal(opts.Signal, stderr)
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "nats-server: warning: %s\n", w.String())
	}
	if action == config.ActionTestConfig {
		// Building the server checks what the file alone cannot:
		// certificates, keys, accounts, permissions.
		s, err := broker.New(opts, logging.Nop())
		if err != nil {
			fmt.Fprintf(stderr, "nats-server: %v\n", err)
			return 1
		}
		s.Shutdown()
		fmt.Fprintf(stderr, "nats-server: configuration file %s is valid\n", opts.ConfigFile)
		return 0
	}
	return serve(opts, stderr)
}

// serve runs the server until a shutdown signal.
func serve(opts *config.Options, stderr io.Writer) int {
	lo := logging.Options{Time: opts.Logtime, UTC: opts.LogtimeUTC, Debug: opts.Debug, Trace: opts.Trace}
	var log *logging.Log
	if opts.LogFile != "" {
		l, err := logging.NewFile(opts.LogFile, lo)
		if err != nil {
			fmt.Fprintf(stderr, "nats-server: %v\n", err)
			return 1
		}
		log = l
	} else {
		log = logging.New(stderr, lo)
	}
	defer log.Close()

	s, err := broker.New(opts, log)
	if err != nil {
		fmt.Fprintf(stderr, "nats-server: %v\n", err)
		return 1
	}
	if opts.PidFile != "" {
		if err := os.WriteFile(opts.PidFile, []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
			log.Errorf("Could not write pidfile: %v", err)
		} else {
			defer os.Remove(opts.PidFile)
		}
	}
	// Trap signals before Start logs "Server is ready".
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2)
	defer signal.Stop(sigs)
	done := make(chan struct{})
	startProfiler(opts.ProfPort, log)
	if err := s.Start(); err != nil {
		log.Fatalf("%v", err)
		return 1
	}
	go func() { s.WaitForShutdown(); close(done) }()

	for {
		select {
		case sig := <-sigs:
			switch sig {
			case syscall.SIGINT, syscall.SIGTERM:
				log.Noticef("Trapped %q signal", sig)
				s.Shutdown()
				return 0
			case syscall.SIGUSR1:
				if err := log.Reopen(); err != nil {
					log.Errorf("Error reopening log file: %v", err)
				} else {
					log.Noticef("File log re-opened")
				}
			case syscall.SIGHUP:
				log.Warnf("Reload is not supported yet: restart to apply configuration changes")
			case syscall.SIGUSR2:
				log.Warnf("Lame duck mode is not supported yet")
			}
		case <-done:
			return 0
		}
	}
}

// signals maps -sl commands to signals, as nats-server does.
var signals = map[string]syscall.Signal{
	"stop":   syscall.SIGKILL,
	"quit":   syscall.SIGINT,
	"term":   syscall.SIGTERM,
	"reopen": syscall.SIGUSR1,
	"reload": syscall.SIGHUP,
	"ldm":    syscall.SIGUSR2,
}

// sendSignal implements -sl command[=pid|pidfile].
func sendSignal(sl config.Signal, stderr io.Writer) int {
	sig, ok := signals[sl.Command]
	if !ok {
		fmt.Fprintf(stderr, "nats-server: unknown signal %q\n", sl.Command)
		return 1
	}
	pids, err := resolvePIDs(sl.PID)
	if err != nil {
		fmt.Fprintf(stderr, "nats-server: %v\n", err)
		return 1
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, sig); err != nil {
			fmt.Fprintf(stderr, "nats-server: signal %d: %v\n", pid, err)
			return 1
		}
	}
	return 0
}

// resolvePIDs reads a pid, a pid file, or finds the one running natsloop.
func resolvePIDs(spec string) ([]int, error) {
	if spec != "" {
		if pid, err := strconv.Atoi(spec); err == nil {
			return []int{pid}, nil
		}
		b, err := os.ReadFile(spec)
		if err != nil {
			return nil, fmt.Errorf("read pid file: %w", err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, fmt.Errorf("pid file %s: %w", spec, err)
		}
		return []int{pid}, nil
	}
	self := os.Getpid()
	me := filepath.Base(os.Args[0])
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		comm, err := os.ReadFile(filepath.Join("/proc", e.Name(), "comm"))
		if err == nil && strings.TrimSpace(string(comm)) == me {
			pids = append(pids, pid)
		}
	}
	switch len(pids) {
	case 0:
		return nil, errors.New("no natsloop process running")
	case 1:
		return pids, nil
	}
	return nil, fmt.Errorf("multiple natsloop processes running (%v): give a pid", pids)
}
