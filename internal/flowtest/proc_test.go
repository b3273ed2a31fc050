package flowtest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// natsloopBin is the binary TestMain built.
var natsloopBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "flowtest")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	natsloopBin = filepath.Join(dir, "natsloop")
	args := []string{"build", "-o", natsloopBin}
	if serverTags != "" {
		args = append(args, "-tags", serverTags)
	}
	if out, err := exec.Command("go", append(args, "natsloop/cmd/natsloop")...).CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "flowtest: build natsloop: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// side is one server binary a case runs against.
type side struct {
	name string
	bin  string
}

// sides is natsloop, plus the reference when NATSLOOP_FLOW_COMPARE=1.
func sides(t *testing.T) []side {
	out := []side{{"natsloop", natsloopBin}}
	if os.Getenv("NATSLOOP_FLOW_COMPARE") != "1" {
		return out
	}
	ref := os.Getenv("NATSLOOP_REFERENCE")
	if ref == "" {
		p, err := exec.LookPath("nats-server")
		if err != nil {
			t.Fatalf("NATSLOOP_FLOW_COMPARE=1 but no reference nats-server")
		}
		ref = p
	}
	return append(out, side{"reference", ref})
}

// proc is a server process.
type proc struct {
	cmd  *exec.Cmd
	addr string
	mu   sync.Mutex
	log  bytes.Buffer
}

func (p *proc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.Write(b)
}

// logText is everything the server logged so far.
func (p *proc) logText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// freePort returns a port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// start runs bin with conf (the listen line is added) and waits until it
// accepts connections.
func start(t *testing.T, bin, conf string) *proc {
	t.Helper()
	port := freePort(t)
	path := filepath.Join(t.TempDir(), "server.conf")
	conf = fmt.Sprintf("listen: 127.0.0.1:%d\n%s", port, conf)
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &proc{addr: fmt.Sprintf("127.0.0.1:%d", port)}
	p.cmd = exec.Command(bin, "-c", path)
	p.cmd.Stdout, p.cmd.Stderr = p, p
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		nc, err := net.DialTimeout("tcp", p.addr, time.Second)
		if err == nil {
			nc.Close()
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on %s: %v\n%s", bin, p.addr, err, p.logText())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// peakRSS is the process's VmHWM in bytes.
func (p *proc) peakRSS(t *testing.T) int64 {
	t.Helper()
	return p.status(t, "VmHWM:")
}

// status reads a kB field of /proc/PID/status, in bytes.
func (p *proc) status(t *testing.T, field string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatalf("read status: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("parse %q: %v", line, err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s", field)
	return 0
}

// rss is the process's current VmRSS in bytes.
func (p *proc) rss(t *testing.T) int64 {
	t.Helper()
	return p.status(t, "VmRSS:")
}

// waitLog waits until the server logged a line containing want.
func (p *proc) waitLog(t *testing.T, want string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !strings.Contains(p.logText(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("server never logged %q; log:\n%s", want, tail(p.logText(), 3000))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

const mib = 1 << 20
