package broker

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"natsloop/config"
)

// A transcript is a protocol exchange: what a raw client sends, what the
// server must answer, line by line. The same transcripts run against
// natsloop and the reference nats-server (2.15.2, the one to follow; also
// Debian's 2.9.10 when $NATSLOOP_REFERENCE_2_9 names it), so they are known
// to test the real behaviour.
type transcript struct {
	name   string
	config string // server config file text (besides host/port)
	// steps are the behaviour of the reference to follow (2.15.2).
	steps []step
	// before212, when set, replaces steps for a reference older than 2.12
	// (Debian's 2.9.10), which behaves differently here.
	before212 []step
}

// stepsFor returns the steps a server must follow when the reference in
// use is version v, and whether they are the pre-2.12 ones.
func (tc transcript) stepsFor(v serverVersion) (steps []step, old bool) {
	if tc.before212 != nil && !v.atLeast(2, 12) {
		return tc.before212, true
	}
	return tc.steps, false
}

// step sends text (may be empty), then expects each line in order. A line
// ending in "*" matches by prefix; "<closed>" expects the server to close.
type step struct {
	send   string
	expect []string
}

var transcripts = []transcript{
	{name: "unknown op", steps: []step{
		{"FOO bar\r\n", []string{"-ERR 'Unknown Protocol Operation'", "<closed>"}},
	}},
	{name: "route op from a client", steps: []step{
		{"CONNECT {\"verbose\":false}\r\nRS+ $G foo\r\n", []string{"-ERR 'Unknown Protocol Operation'", "<closed>"}},
	}},
	{name: "verbose defaults on", steps: []step{
		{"CONNECT {}\r\nSUB foo 1\r\nPUB foo 2\r\nhi\r\nPING\r\n", []string{"+OK", "+OK", "+OK", "MSG foo 1 2", "hi", "PONG"}},
	}},
	{name: "ops before CONNECT without auth", steps: []step{
		{"PING\r\n", []string{"PONG"}},
	}},
	{name: "case-insensitive ops and tabs", steps: []step{
		{"connect {\"verbose\":false}\r\nsub\tfoo  7\r\npub foo\t3\r\nabc\r\nping\r\n", []string{"MSG foo 7 3", "abc", "PONG"}},
	}},
	{name: "maximum payload", config: "max_payload: 10\n", steps: []step{
		{"CONNECT {\"verbose\":false}\r\nPUB foo 11\r\n", []string{"-ERR 'Maximum Payload Violation'", "<closed>"}},
	}},
	{name: "maximum control line", config: "max_control_line: 64\n", steps: []step{
		{"CONNECT {\"verbose\":false}\r\nSUB " + strings.Repeat("a", 80) + " 1\r\n", []string{"-ERR 'maximum control line exceeded'", "<closed>"}},
	}},
	{name: "invalid client protocol", steps: []step{
		{"CONNECT {\"protocol\":2}\r\n", []string{"-ERR 'invalid client protocol'", "<closed>"}},
	}},
	{name: "no responders needs headers", steps: []step{
		{"CONNECT {\"no_responders\":true}\r\n", []string{"-ERR 'no responders requires headers support'", "<closed>"}},
	}},
	{name: "invalid subject keeps the connection", steps: []step{
		{"CONNECT {\"verbose\":false}\r\nSUB foo..bar 1\r\nSUB foo.>.bar 2\r\nPING\r\n", []string{"-ERR 'Invalid Subject'", "-ERR 'Invalid Subject'", "PONG"}},
	}},
	{name: "pedantic publish subject", steps: []step{
		{"CONNECT {\"verbose\":false,\"pedantic\":true}\r\nPUB foo.* 2\r\nhi\r\nPING\r\n", []string{"-ERR 'Invalid Publish Subject'", "PONG"}},
	}},
	{name: "maximum subscriptions", config: "max_subscriptions: 1\n", steps: []step{
		{"CONNECT {\"verbose\":false}\r\nSUB a 1\r\nSUB b 2\r\nPING\r\n", []string{"-ERR 'maximum subscriptions exceeded'", "PONG"}},
	}},
	{name: "payload without CRLF", steps: []step{
		{"CONNECT {\"verbose\":false}\r\nPUB foo 2\r\nhiX\r\n", []string{"-ERR 'Unknown Protocol Operation'", "<closed>"}},
	}},
	{name: "stale connection", config: "ping_interval: \"100ms\"\nping_max: 2\n", steps: []step{
		{"CONNECT {\"verbose\":false}\r\n", []string{"PING", "PING", "-ERR 'Stale Connection'", "<closed>"}},
	}},
	// Since 2.12 (nats-server PR #5250) the 503 carries the request's
	// subject in a Nats-Subject header: header length 32+len(subject),
	// no payload. Before, the header was the status line alone (16 16).
	{name: "no responders status", steps: []step{
		{noRespondersSend, []string{"HMSG _INBOX.x 9 35 35", "NATS/1.0 503", "Nats-Subject: foo", "", "", "PONG"}},
	}, before212: []step{
		{noRespondersSend, []string{"HMSG _INBOX.x 9 16 16", "NATS/1.0 503", "", "", "PONG"}},
	}},
	{name: "auto unsubscribe", steps: []step{
		{"CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nUNSUB 1 2\r\nPUB foo 1\r\na\r\nPUB foo 1\r\nb\r\nPUB foo 1\r\nc\r\nPING\r\n",
			[]string{"MSG foo 1 1", "a", "MSG foo 1 1", "b", "PONG"}},
	}},
	{name: "auth: wrong password", config: authConfig, steps: []step{
		{"CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"nope\"}\r\n", []string{"-ERR 'Authorization Violation'", "<closed>"}},
	}},
	{name: "auth: op before CONNECT", config: authConfig, steps: []step{
		{"PING\r\n", []string{"-ERR 'Authorization Violation'", "<closed>"}},
	}},
	{name: "auth: right password", config: authConfig, steps: []step{
		{"CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"secret\"}\r\nPING\r\n", []string{"PONG"}},
	}},
	{name: "auth: token", config: "authorization { token: \"s3cr3t\" }\n", steps: []step{
		{"CONNECT {\"verbose\":false,\"auth_token\":\"s3cr3t\"}\r\nPING\r\n", []string{"PONG"}},
	}},
	{name: "auth: timeout", config: "authorization { user: a, password: b, timeout: 0.3 }\n", steps: []step{
		{"", []string{"-ERR 'Authentication Timeout'", "<closed>"}},
	}},
	{name: "auth: publish violation", config: authConfig, steps: []step{
		{"CONNECT {\"verbose\":false,\"user\":\"bob\",\"pass\":\"pw\"}\r\nPUB foo.secret 1\r\nx\r\nPUB bar 1\r\nx\r\nPING\r\n",
			[]string{"-ERR 'Permissions Violation for Publish to \"foo.secret\"'", "-ERR 'Permissions Violation for Publish to \"bar\"'", "PONG"}},
	}},
	{name: "auth: subscribe violation", config: authConfig, steps: []step{
		{"CONNECT {\"verbose\":false,\"user\":\"bob\",\"pass\":\"pw\"}\r\nSUB bar 1\r\nSUB foo.x q 2\r\nSUB foo.y 3\r\nPING\r\n",
			[]string{"-ERR 'Permissions Violation for Subscription to \"bar\"'", "-ERR 'Permissions Violation for Subscription to \"foo.x\" using queue \"q\"'", "PONG"}},
	}},
	{name: "auth: allowed publish delivers", config: authConfig, steps: []step{
		{"CONNECT {\"verbose\":false,\"user\":\"bob\",\"pass\":\"pw\"}\r\nSUB foo.a 1\r\nPUB foo.a 1\r\nx\r\nPING\r\n", []string{"MSG foo.a 1 1", "x", "PONG"}},
	}},
	// A second CONNECT is merged over the first (nats-server unmarshals
	// it into the client's options): omitted fields keep their values.
	{name: "second CONNECT keeps headers", steps: []step{
		{"CONNECT {\"verbose\":false,\"headers\":true}\r\nCONNECT {\"no_responders\":true}\r\nPING\r\n", []string{"PONG"}},
	}},
	{name: "second CONNECT keeps verbose off", steps: []step{
		{"CONNECT {\"verbose\":false}\r\nCONNECT {}\r\nSUB foo 1\r\nPING\r\n", []string{"PONG"}},
	}},
	// Since 2.15 a second CONNECT drops the client's subscriptions (it may
	// move the client to another account); 2.9 kept them.
	{name: "second CONNECT drops subscriptions", steps: []step{
		{"CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nCONNECT {}\r\nPUB foo 1\r\nx\r\nPING\r\n", []string{"PONG"}},
	}, before212: []step{
		{"CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nCONNECT {}\r\nPUB foo 1\r\nx\r\nPING\r\n", []string{"MSG foo 1 1", "x", "PONG"}},
	}},
	{name: "auth: second CONNECT re-authenticates", config: authConfig, steps: []step{
		{"CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"secret\"}\r\nPING\r\n", []string{"PONG"}},
		{"CONNECT {\"pass\":\"nope\"}\r\nPING\r\n", []string{"-ERR 'Authorization Violation'", "<closed>"}},
	}},
	{name: "auth: second CONNECT as another user", config: authConfig, steps: []step{
		{"CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"secret\"}\r\nPUB bar 1\r\nx\r\nPING\r\n", []string{"PONG"}},
		{"CONNECT {\"user\":\"bob\",\"pass\":\"pw\"}\r\nPUB bar 1\r\nx\r\nPING\r\n", []string{"-ERR 'Permissions Violation for Publish to \"bar\"'", "PONG"}},
	}},
	{name: "auth: unknown op before CONNECT", config: authConfig, steps: []step{
		{"FOO\r\n", []string{"-ERR 'Authorization Violation'", "<closed>"}},
	}},
	{name: "auth: account in CONNECT", config: authConfig, steps: []step{
		{"CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"secret\",\"account\":\"A\"}\r\nPING\r\n", []string{"-ERR 'Authorization Violation'", "<closed>"}},
	}},
	// Pedantic only adds the -ERR: the PUB is still acknowledged and
	// delivered to whatever its subject matches.
	{name: "pedantic invalid subject still delivers", steps: []step{
		{"CONNECT {\"verbose\":true}\r\nSUB > 1\r\nPUB foo.* 1\r\nx\r\nPING\r\n", []string{"+OK", "+OK", "-ERR 'Invalid Publish Subject'", "+OK", "MSG foo.* 1 1", "x", "PONG"}},
	}},
	{name: "reserved subjects", steps: []step{
		{"CONNECT {\"verbose\":false}\r\nPUB _GR_.x 1\r\nx\r\nPUB $NRG.a 1\r\nx\r\nPUB a _R_. 1\r\nx\r\nPUB a $JS.ACK.x 1\r\nx\r\nPING\r\n", []string{
			"-ERR 'Permissions Violation for Publish to \"_GR_.x\"'", "-ERR 'Permissions Violation for Publish to \"$NRG.a\"'",
			"-ERR 'Permissions Violation for Publish with Reply of \"_R_.\"'", "-ERR 'Permissions Violation for Publish with Reply of \"$JS.ACK.x\"'", "PONG"}},
	}, before212: []step{ // 2.9 did not reserve $NRG.
		{"CONNECT {\"verbose\":false}\r\nPUB _GR_.x 1\r\nx\r\nPUB $NRG.a 1\r\nx\r\nPUB a _R_. 1\r\nx\r\nPUB a $JS.ACK.x 1\r\nx\r\nPING\r\n", []string{
			"-ERR 'Permissions Violation for Publish to \"_GR_.x\"'",
			"-ERR 'Permissions Violation for Publish with Reply of \"_R_.\"'", "-ERR 'Permissions Violation for Publish with Reply of \"$JS.ACK.x\"'", "PONG"}},
	}},
	{name: "queue group and reply", steps: []step{
		{"CONNECT {\"verbose\":false}\r\nSUB foo q 1\r\nSUB foo q 2\r\nPUB foo bar 1\r\nx\r\nPING\r\n", []string{"MSG foo * bar 1", "x", "PONG"}},
	}},
}

// noRespondersSend requests on foo, which nobody serves, with the reply
// subject's subscription in place.
const noRespondersSend = "CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true,\"protocol\":1}\r\n" +
	"SUB _INBOX.> 9\r\nPUB foo _INBOX.x 2\r\nhi\r\nPING\r\n"

// authConfig: alice may do anything; bob may publish to foo.> except
// foo.secret and subscribe to foo.> except with queue q.
const authConfig = `authorization {
  users: [
    {user: alice, password: secret}
    {user: bob, password: pw, permissions: {
      publish: {allow: ["foo.>"], deny: ["foo.secret"]}
      subscribe: {allow: ["foo.>"], deny: ["foo.x q"]}
    }}
  ]
}
`

// maxConnsTranscript needs two connections: the second is refused right
// after its INFO.
const maxConnsConfig = "max_connections: 1\n"

// TestTranscripts holds natsloop to the behaviour of the reference it
// follows (targetVersion), whichever reference is installed.
func TestTranscripts(t *testing.T) {
	target := targetVersion
	for _, tc := range transcripts {
		t.Run(tc.name, func(t *testing.T) {
			steps, _ := tc.stepsFor(target)
			addr := startNatsloopWithConfig(t, tc.config)
			runTranscript(t, addr, tc.name, steps)
		})
	}
}

func TestTranscriptMaxConnections(t *testing.T) {
	addr := startNatsloopWithConfig(t, maxConnsConfig)
	checkMaxConns(t, addr)
}

// TestTranscriptsAgainstReference runs the same transcripts against the
// reference nats-server and, when $NATSLOOP_REFERENCE_2_9 names another
// binary, against that one too, each held to the steps of its version.
// Without a reference it skips, or fails under CI.
func TestTranscriptsAgainstReference(t *testing.T) {
	refs := []reference{requireReference(t)}
	if p := os.Getenv("NATSLOOP_REFERENCE_2_9"); p != "" && p != refs[0].path {
		refs = append(refs, reference{path: p, version: referenceVersion(t, p)})
	} else if p == "" {
		t.Log("$NATSLOOP_REFERENCE_2_9 not set: transcripts run against one reference")
	}
	for _, ref := range refs {
		t.Run("v"+ref.version.String(), func(t *testing.T) {
			t.Logf("reference %s: v%s", ref.path, ref.version)
			for _, tc := range transcripts {
				t.Run(tc.name, func(t *testing.T) {
					steps, _ := tc.stepsFor(ref.version)
					addr := startReference(t, ref.path, tc.config)
					runTranscript(t, addr, tc.name, steps)
				})
			}
			t.Run("max connections", func(t *testing.T) {
				checkMaxConns(t, startReference(t, ref.path, maxConnsConfig))
			})
		})
	}
}

func checkMaxConns(t *testing.T, addr string) {
	// The startup probe's connection may still hold the only slot for a
	// moment: retry until the first client is admitted.
	var first *rawConn
	for try := 0; ; try++ {
		first = dialRaw(t, addr)
		first.send("CONNECT {\"verbose\":false}\r\nPING\r\n")
		line := first.readLine()
		if line == "PONG" {
			break
		}
		if try == 50 || !strings.HasPrefix(line, "-ERR 'maximum connections exceeded'") {
			t.Fatalf("first connection: got %q, want PONG", line)
		}
		first.nc.Close()
		time.Sleep(20 * time.Millisecond)
	}
	second := dialRaw(t, addr)
	second.expect("-ERR 'maximum connections exceeded'")
	second.expectClosed()
	first.send("PING\r\n")
	first.expect("PONG")
}

func runTranscript(t *testing.T, addr, name string, steps []step) {
	rc := dialRaw(t, addr)
	for _, st := range steps {
		if st.send != "" {
			rc.send(st.send)
		}
		for _, want := range st.expect {
			got := rc.readLine()
			for strings.HasPrefix(got, "INFO ") { // async INFO (2.12+ after first PONG)
				got = rc.readLine()
			}
			if !lineMatches(got, want) {
				t.Fatalf("%s: got %q, want %q", name, got, want)
			}
		}
	}
}

func lineMatches(got, want string) bool {
	if strings.HasSuffix(want, "*") {
		return strings.HasPrefix(got, strings.TrimSuffix(want, "*"))
	}
	if strings.Contains(want, " * ") { // a wildcard argument in the middle
		pre, post, _ := strings.Cut(want, " * ")
		if !strings.HasPrefix(got, pre+" ") || !strings.HasSuffix(got, " "+post) {
			return false
		}
		return !strings.Contains(strings.TrimSuffix(strings.TrimPrefix(got, pre+" "), " "+post), " ")
	}
	return got == want
}

// startNatsloopWithConfig writes the config text to a file, loads it the
// way cmd/natsloop does, and starts a server on 127.0.0.1:0.
func startNatsloopWithConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "server.conf")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	opts, _, err := config.Load(path)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	s := startServer(t, 0, func(o *config.Options) {
		host, port := o.Host, o.Port
		*o = *opts
		o.Host, o.Port = host, port
	})
	return s.Addr().String()
}

// targetVersion is the reference natsloop follows.
var targetVersion = serverVersion{2, 15, 2}

// serverVersion is a nats-server release as --version reports it.
type serverVersion struct{ major, minor, patch int }

func (v serverVersion) String() string { return fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.patch) }

// atLeast reports whether v is major.minor or later.
func (v serverVersion) atLeast(major, minor int) bool {
	return v.major > major || v.major == major && v.minor >= minor
}

// reference is a nats-server binary and its version.
type reference struct {
	path    string
	version serverVersion
}

// findReference finds the reference nats-server: $NATSLOOP_REFERENCE,
// "nats-server" on PATH, or Debian's /usr/sbin/nats-server, and asks it
// its version. ok is false when there is none; a binary that
// $NATSLOOP_REFERENCE names but is not there, or that reports no version,
// fails t.
func findReference(t testing.TB) (ref reference, ok bool) {
	t.Helper()
	if p := os.Getenv("NATSLOOP_REFERENCE"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("$NATSLOOP_REFERENCE: %v", err)
		}
		return reference{path: p, version: referenceVersion(t, p)}, true
	}
	p, err := exec.LookPath("nats-server")
	if err != nil {
		if _, err := os.Stat("/usr/sbin/nats-server"); err != nil {
			return reference{}, false
		}
		p = "/usr/sbin/nats-server"
	}
	return reference{path: p, version: referenceVersion(t, p)}, true
}

// requireReference is findReference for tests that need a reference: they
// skip without one, except under CI (CI=true), where .ci/run installs the
// references and a missing one fails the test.
func requireReference(t testing.TB) reference {
	t.Helper()
	ref, ok := findReference(t)
	if !ok {
		const msg = "no reference nats-server ($NATSLOOP_REFERENCE, nats-server on PATH, /usr/sbin/nats-server)"
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatal(msg + " under CI: .ci/run should have installed it")
		}
		t.Skip(msg + ": go install github.com/nats-io/nats-server/v2@v" + targetVersion.String())
	}
	return ref
}

// versionRE finds the version in "nats-server: v2.15.2".
var versionRE = regexp.MustCompile(`v(\d+)\.(\d+)\.(\d+)`)

// referenceVersion runs bin --version.
func referenceVersion(t testing.TB, bin string) serverVersion {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "--version").CombinedOutput()
	m := versionRE.FindSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("%s --version: %v %q", bin, err, out)
	}
	var v [3]int
	for i := range v {
		v[i], _ = strconv.Atoi(string(m[i+1]))
	}
	return serverVersion{v[0], v[1], v[2]}
}

// startReference runs the reference server with the config on a free port.
func startReference(t *testing.T, bin, text string) string {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	path := filepath.Join(dir, "server.conf")
	cfg := fmt.Sprintf("host: 127.0.0.1\nport: %d\n%s", port, text)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", path)
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("reference server did not start on %s", addr)
	return ""
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
