package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"natsloop/broker"
	"natsloop/config"
	"natsloop/internal/logging"
)

// serve runs the server until a shutdown signal.
func serve(opts *config.Options, stderr io.Writer) int {
	log, err := newLog(opts, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "nats-server: %s\n", fileFailure(err))
		return 1
	}
	defer log.Close()

	s, err := broker.New(opts, log)
	if err != nil {
		fmt.Fprintf(stderr, "nats-server: %s\n", message(err))
		return 1
	}
	for _, a := range opts.Advisories() {
		log.Warnf("%s", a)
	}
	if opts.PidFile != "" {
		if err := os.WriteFile(opts.PidFile, []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
			log.Fatalf("Could not write pidfile: %v", err)
			return 1
		}
		defer os.Remove(opts.PidFile)
	}
	// Trap signals before Start logs "Server is ready".
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2)
	defer signal.Stop(sigs)
	startProfiler(opts.ProfPort, log)
	if err := s.Start(); err != nil {
		log.Fatalf("%s", listenFailure(err))
		return 1
	}
	if path := writePortsFile(opts, s, log); path != "" {
		defer os.Remove(path)
	}
	return waitForSignals(s, sigs, log)
}

func newLog(opts *config.Options, stderr io.Writer) (*logging.Log, error) {
	lo := logging.Options{Time: opts.Logtime, UTC: opts.LogtimeUTC, Debug: opts.Debug, Trace: opts.Trace}
	if opts.LogFile != "" {
		return logging.NewFile(opts.LogFile, lo)
	}
	return logging.New(stderr, lo), nil
}

// waitForSignals handles signals until the server shuts down.
func waitForSignals(s *broker.Server, sigs <-chan os.Signal, log *logging.Log) int {
	done := make(chan struct{})
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
