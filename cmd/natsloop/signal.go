package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"natsloop/config"
)

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
