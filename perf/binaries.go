package perf

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// debianReference is where Debian's nats-server package installs it.
const debianReference = "/usr/sbin/nats-server"

// installHint tells how to get a reference server.
const installHint = `perf: no reference nats-server found (looked at --reference, "nats-server" on PATH, ` + debianReference + `).
Install one of:
    sudo apt-get install nats-server                       (Debian/Ubuntu; /usr/sbin/nats-server)
    go install github.com/nats-io/nats-server/v2@latest     (then it is in $(go env GOPATH)/bin)
or pass --reference /path/to/nats-server`

// ErrNoReference is returned when no reference nats-server can be found.
var ErrNoReference = errors.New(installHint)

// FindReference returns the reference server binary: explicit when not
// empty (it must exist), else `nats-server` on PATH, else
// /usr/sbin/nats-server. The error explains how to install one.
func FindReference(explicit string) (string, error) {
	if explicit != "" {
		return checkExecutable(explicit)
	}
	if p, err := exec.LookPath("nats-server"); err == nil {
		return filepath.Abs(p)
	}
	if p, err := checkExecutable(debianReference); err == nil {
		return p, nil
	}
	return "", ErrNoReference
}

func checkExecutable(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("perf: %w", err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("perf: server binary: %w", err)
	}
	if fi.IsDir() || fi.Mode()&0o111 == 0 {
		return "", fmt.Errorf("perf: server binary %s is not an executable file", abs)
	}
	return abs, nil
}

// FindModuleRoot walks up from dir to the directory holding the go.mod of
// module natsloop with a cmd/natsloop directory.
func FindModuleRoot(dir string) (string, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("perf: %w", err)
	}
	for i := 0; i < 64; i++ {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil {
			if isNatsloopModule(b) {
				if fi, err := os.Stat(filepath.Join(d, "cmd", "natsloop")); err == nil && fi.IsDir() {
					return d, nil
				}
			}
			break // another module: do not climb out of it
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	return "", fmt.Errorf("perf: not inside the natsloop source tree (from %s); pass --natsloop PATH", dir)
}

func isNatsloopModule(gomod []byte) bool {
	for _, line := range strings.Split(string(gomod), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "module" {
			return f[1] == "natsloop"
		}
	}
	return false
}

// BuildNatsloop runs `go build -o dir/natsloop ./cmd/natsloop` in the
// module root and returns the binary's path.
func BuildNatsloop(ctx context.Context, root, dir string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	out := filepath.Join(dir, "natsloop")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/natsloop")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("perf: go build ./cmd/natsloop in %s: %v\n%s", root, err, strings.TrimSpace(string(b)))
	}
	return out, nil
}

// labelFor derives a column label from a server's `-v` line:
// "natsloop" for natsloop, "nats-server 2.9.10" for the reference.
func labelFor(version, path string) string {
	v := strings.TrimSpace(version)
	v = strings.TrimPrefix(v, "nats-server:")
	v = strings.TrimSpace(v)
	if strings.Contains(v, "natsloop") {
		return "natsloop"
	}
	if f := strings.Fields(v); len(f) > 0 && strings.HasPrefix(f[0], "v") {
		return "nats-server " + strings.TrimPrefix(f[0], "v")
	}
	return filepath.Base(path)
}

// distinctLabels makes the two labels differ: equal labels get " (A)" and
// " (B)" appended.
func distinctLabels(a, b string) (string, string) {
	if a == b {
		return a + " (A)", b + " (B)"
	}
	return a, b
}
