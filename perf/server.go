package perf

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime/stime in /proc/PID/stat. It is
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// Binary is one server under test.
type Binary struct {
	Label   string `json:"label"`
	Path    string `json:"path"`
	Version string `json:"version"` // first line of `PATH -v`
	// Args are added to every start of this binary (e.g. -c loops.conf).
	Args []string `json:"args,omitempty"`
}

// server is one running server process. Its fields are owned by the
// goroutine that started it, except as noted.
type server struct {
	bin  Binary
	cmd  *exec.Cmd
	port int
	// done is closed when the process has exited; waitErr is set before.
	done    chan struct{}
	waitErr error
	// log keeps the tail of the process's stdout and stderr; it is safe
	// for concurrent use (the exec package's copy goroutines write to it).
	log *tailBuffer
}

// tlsFiles are the PEM files a TLS server is started with.
type tlsFiles struct {
	Cert, Key, CA string
}

// errUnsupported marks a server that refused a setting (e.g. TLS). The
// run is reported as "unsupported" instead of failed.
type errUnsupported struct{ reason string }

func (e *errUnsupported) Error() string { return "perf: unsupported: " + e.reason }

// freePort asks the kernel for a free loopback port. The port is free
// when this returns; a server may still lose a race for it, which
// startServer handles by retrying.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("perf: no free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startServer launches bin on a free 127.0.0.1 port (with TLS when tf is
// not nil) and waits until it sends its INFO line. A server that exits
// before it is ready is retried twice on a new port when its output says
// the port was taken; with tf set, any early exit is errUnsupported.
func startServer(ctx context.Context, bin Binary, tf *tlsFiles) (*server, error) {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := startOnce(ctx, bin, tf)
		if err == nil {
			return s, nil
		}
		lastErr = err
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	return nil, lastErr
}

func startOnce(ctx context.Context, bin Binary, tf *tlsFiles) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{"-a", "127.0.0.1", "-p", strconv.Itoa(port)}
	if tf != nil {
		args = append(args, "--tls", "--tlscert", tf.Cert, "--tlskey", tf.Key)
	}
	args = append(args, bin.Args...)
	s := &server{bin: bin, port: port, done: make(chan struct{}), log: &tailBuffer{max: 16 << 10}}
	s.cmd = exec.Command(bin.Path, args...)
	s.cmd.Stdout = s.log
	s.cmd.Stderr = s.log
	// The server dies with the harness, even on SIGKILL of the harness.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("perf: start %s: %w", bin.Path, err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.done)
	}()
	if err := s.waitReady(ctx, 10*time.Second); err != nil {
		s.stop()
		if tf != nil && !errors.Is(err, context.Canceled) {
			return nil, &errUnsupported{reason: "TLS: " + err.Error()}
		}
		return nil, err
	}
	return s, nil
}

// waitReady polls the port until the server answers with an INFO line.
func (s *server) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	addr := s.addr()
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("%s exited before it was ready (%v): %s", s.bin.Label, s.waitErr, s.log.lastLine())
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
			line, rerr := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if rerr == nil && strings.HasPrefix(strings.ToUpper(line), "INFO ") {
				return nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready on %s after %v: %s", s.bin.Label, addr, limit, s.log.lastLine())
}

func (s *server) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// alive reports whether the process is still running.
func (s *server) alive() bool {
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// stop ends the process: SIGTERM, then SIGKILL after 3 s. It waits for the
// exit (bounded) and is safe to call twice.
func (s *server) stop() {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return
	}
	if !s.alive() {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return
	case <-time.After(3 * time.Second):
	}
	_ = s.cmd.Process.Kill()
	select {
	case <-s.done:
	case <-time.After(3 * time.Second):
	}
}

// procSample is what /proc tells about a process at one instant.
type procSample struct {
	At  time.Time
	CPU time.Duration // utime + stime
	RSS int64         // VmRSS, bytes
	HWM int64         // VmHWM (peak RSS), bytes
	OK  bool
}

// sample reads /proc/PID/stat and /proc/PID/status. On a system without
// /proc (or a dead process) OK is false.
func (s *server) sample() procSample {
	ps := procSample{At: time.Now()}
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return ps
	}
	pid := s.cmd.Process.Pid
	cpu, err := readCPU(pid)
	if err != nil {
		return ps
	}
	rss, hwm, err := readMem(pid)
	if err != nil {
		return ps
	}
	ps.CPU, ps.RSS, ps.HWM, ps.OK = cpu, rss, hwm, true
	return ps
}

// readCPU returns utime+stime of pid from /proc/PID/stat.
func readCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("perf: %w", err)
	}
	return parseStatCPU(b)
}

// parseStatCPU extracts utime+stime (fields 14 and 15) from the text of
// /proc/PID/stat. The command name (field 2) may contain spaces and
// parentheses, so fields are counted after its last ')'.
func parseStatCPU(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("perf: malformed /proc stat")
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); utime is field 14 -> f[11], stime f[12].
	if len(f) < 13 {
		return 0, errors.New("perf: short /proc stat")
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("perf: malformed /proc stat times")
	}
	return time.Duration(u+st) * time.Second / clockTicks, nil
}

// readMem returns VmRSS and VmHWM of pid in bytes.
func readMem(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("perf: %w", err)
	}
	return parseStatusMem(b)
}

// parseStatusMem extracts VmRSS and VmHWM (kB in the file) in bytes.
func parseStatusMem(b []byte) (rss, hwm int64, err error) {
	found := 0
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, perr := strconv.ParseInt(f[0], 10, 64)
		if perr != nil {
			continue
		}
		if k == "VmRSS" {
			rss = n << 10
		} else {
			hwm = n << 10
		}
		found++
	}
	if found < 2 {
		return 0, 0, errors.New("perf: no VmRSS/VmHWM in /proc status")
	}
	return rss, hwm, nil
}

// tailBuffer keeps the last max bytes written to it. Safe for concurrent
// use: all fields guarded by mu.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

// lastLine returns the last non-empty line written, or "(no output)".
func (t *tailBuffer) lastLine() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(string(t.b)), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return l
		}
	}
	return "(no output)"
}

// binaryVersion runs `path -v` and returns its first output line.
func binaryVersion(ctx context.Context, path string) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	out, _ := exec.CommandContext(ctx, path, "-v").CombinedOutput()
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(line)
}

// raiseFileLimit raises the soft RLIMIT_NOFILE to the hard limit (the
// servers started later inherit it) and returns the new soft limit.
func raiseFileLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("perf: getrlimit: %w", err)
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return 0, fmt.Errorf("perf: setrlimit: %w", err)
		}
	}
	return lim.Cur, nil
}
