package difftest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"natsloop/broker"
	"natsloop/config"
	"natsloop/internal/logging"
)

// configs are the server configs a stream may name. The reference gets
// the same text after its host, port and monitoring port.
var configs = map[string]string{
	"noauth": "",
	"auth":   authConfig,
}

// authConfig: alice has a plain password, bob a bcrypt hash of "pw" (cost
// 4), carol may publish to foo.> and subscribe to foo.* (and inboxes).
const authConfig = `authorization {
  users: [
    {user: alice, password: secret}
    {user: bob, password: "$2a$04$VpLrFZA8/22u/h7.oKeMw.yrqiM3NCjoqmtbu2/WxCWQPHJkVWXr2"}
    {user: carol, password: pw3, permissions: {
      publish: {allow: ["foo.>", "_INBOX.>"]}
      subscribe: {allow: ["foo.*", "_INBOX.>"]}
    }}
  ]
}
`

// server is one running server a stream can be sent to.
type server interface {
	Addr() string
	// WaitIdle waits until the server has no client left from the last
	// stream (their subscriptions would change the next one's routing).
	WaitIdle(d time.Duration) bool
}

// natsloopServer is natsloop in-process.
type natsloopServer struct{ s *broker.Server }

func (n natsloopServer) Addr() string { return n.s.Addr().String() }

func (n natsloopServer) WaitIdle(d time.Duration) bool {
	return waitFor(d, func() bool { return n.s.NumClients() == 0 })
}

// startNatsloop loads the config text the way cmd/natsloop does and starts
// a server on 127.0.0.1:0 until the test ends.
func startNatsloop(tb testing.TB, text string) server {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "natsloop.conf")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		tb.Fatal(err)
	}
	opts, _, err := config.Load(path)
	if err != nil {
		tb.Fatalf("difftest: natsloop config: %v", err)
	}
	opts.Host, opts.Port = "127.0.0.1", 0
	s, err := broker.New(opts, logging.Nop())
	if err != nil {
		tb.Fatalf("difftest: broker.New: %v", err)
	}
	if err := s.Start(); err != nil {
		tb.Fatalf("difftest: start natsloop: %v", err)
	}
	tb.Cleanup(s.Shutdown)
	return natsloopServer{s}
}

// refServer is a nats-server process.
type refServer struct {
	addr, monitor string
}

func (r refServer) Addr() string { return r.addr }

func (r refServer) WaitIdle(d time.Duration) bool {
	client := http.Client{Timeout: time.Second}
	return waitFor(d, func() bool {
		resp, err := client.Get("http://" + r.monitor + "/varz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var v struct {
			Connections int `json:"connections"`
		}
		return json.NewDecoder(resp.Body).Decode(&v) == nil && v.Connections == 0
	})
}

// referencePath finds the reference binary: $NATSLOOP_REFERENCE, else
// nats-server on PATH. Without one the test skips, or fails under CI.
func referencePath(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("NATSLOOP_REFERENCE"); p != "" {
		if _, err := os.Stat(p); err != nil {
			tb.Fatalf("difftest: $NATSLOOP_REFERENCE: %v", err)
		}
		return p
	}
	p, err := exec.LookPath("nats-server")
	if err == nil {
		return p
	}
	const msg = "difftest: no reference nats-server ($NATSLOOP_REFERENCE or nats-server on PATH)"
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		tb.Fatal(msg + " under CI=true")
	}
	tb.Skip(msg + ": go install github.com/nats-io/nats-server/v2@v2.15.2")
	return ""
}

// startReference runs bin with the config text on free ports until the
// test ends.
func startReference(tb testing.TB, bin, text string) server {
	tb.Helper()
	port, mport := freePort(tb), freePort(tb)
	path := filepath.Join(tb.TempDir(), "reference.conf")
	cfg := fmt.Sprintf("host: 127.0.0.1\nport: %d\nhttp: 127.0.0.1:%d\n%s", port, mport, text)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", path)
	if err := cmd.Start(); err != nil {
		tb.Fatalf("difftest: start %s: %v", bin, err)
	}
	tb.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	r := refServer{addr: fmt.Sprintf("127.0.0.1:%d", port), monitor: fmt.Sprintf("127.0.0.1:%d", mport)}
	up := waitFor(10*time.Second, func() bool {
		c, err := net.DialTimeout("tcp", r.addr, time.Second)
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
	if !up || !r.WaitIdle(10*time.Second) {
		tb.Fatalf("difftest: reference %s did not start on %s", bin, r.addr)
	}
	return r
}

func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitFor polls cond until it holds or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		if cond() {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// pair is natsloop (or, in self mode, a second reference) and the
// reference, both with one config.
type pair struct {
	got, ref server
	ignore   []string // names of ignorable item filters
}

// pool holds one pair per config for one worker. Servers start in
// newPool, on the test's goroutine (tb.Fatal must not run on others).
type pool struct {
	pairs map[string]pair // immutable after newPool
}

func newPool(tb testing.TB, bin string, self bool, ignore []string) *pool {
	p := &pool{pairs: map[string]pair{}}
	for cfg, text := range configs {
		pr := pair{ignore: ignore}
		if self {
			pr.got = startReference(tb, bin, text)
		} else {
			pr.got = startNatsloop(tb, text)
		}
		pr.ref = startReference(tb, bin, text)
		p.pairs[cfg] = pr
	}
	return p
}

// pair returns the servers for config cfg (a config of configs).
func (p *pool) pair(cfg string) pair { return p.pairs[cfg] }
