package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"natsloop/internal/testcert"
)

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func load(t *testing.T, body string) (*Options, []Warning, error) {
	t.Helper()
	return Load(write(t, t.TempDir(), "test.conf", body))
}

// loadAll is load without refusing the settings natsloop does not
// implement, to test their parsing.
func loadAll(t *testing.T, body string) (*Options, []Warning, error) {
	t.Helper()
	o := Default()
	w, err := loadInto(o, write(t, t.TempDir(), "test.conf", body), true)
	return o, w, err
}

func mustLoadAll(t *testing.T, body string) *Options {
	t.Helper()
	o, _, err := loadAll(t, body)
	if err != nil {
		t.Fatalf("loadAll(%q): %v", body, err)
	}
	return o
}

func mustLoad(t *testing.T, body string) *Options {
	t.Helper()
	o, _, err := load(t, body)
	if err != nil {
		t.Fatalf("Load(%q): %v", body, err)
	}
	return o
}

func TestKeys(t *testing.T) {
	tests := []struct {
		conf  string
		check func(o *Options) bool
	}{
		{"port: 4333", func(o *Options) bool { return o.Port == 4333 }},
		{"port = 4333", func(o *Options) bool { return o.Port == 4333 }},
		{"port 4333", func(o *Options) bool { return o.Port == 4333 }},
		{"port: 4333;", func(o *Options) bool { return o.Port == 4333 }},
		{"port: -1", func(o *Options) bool { return o.Port == 0 }},
		{"port: 0", func(o *Options) bool { return o.Port == 4222 }},
		{"listen: 127.0.0.1:4333", func(o *Options) bool { return o.Host == "127.0.0.1" && o.Port == 4333 }},
		{"listen: 127.0.0.1:-1", func(o *Options) bool { return o.Host == "127.0.0.1" && o.Port == 0 }},
		{"listen: 4333", func(o *Options) bool { return o.Port == 4333 }},
		{"listen: \"[::1]:4333\"", func(o *Options) bool { return o.Host == "::1" && o.Port == 4333 }},
		{"host: 127.0.0.1", func(o *Options) bool { return o.Host == "127.0.0.1" }},
		{"net: 127.0.0.1", func(o *Options) bool { return o.Host == "127.0.0.1" }},
		{"server_name: n1", func(o *Options) bool { return o.ServerName == "n1" }},
		{"client_advertise: \"a:1\"", func(o *Options) bool { return o.ClientAdvertise == "a:1" }},
		{"max_connections: 10", func(o *Options) bool { return o.MaxConn == 10 }},
		{"max_conn: 0", func(o *Options) bool { return o.MaxConn == -1 }},
		{"max_subscriptions: 7", func(o *Options) bool { return o.MaxSubs == 7 }},
		{"max_subs: 7", func(o *Options) bool { return o.MaxSubs == 7 }},
		{"max_payload: 2MB", func(o *Options) bool { return o.MaxPayload == 2<<20 }},
		{"max_payload: 2m", func(o *Options) bool { return o.MaxPayload == 2000000 }},
		{"max_payload: 64k", func(o *Options) bool { return o.MaxPayload == 64000 }},
		{"max_payload: 64KB", func(o *Options) bool { return o.MaxPayload == 65536 }},
		{"max_payload: \"1MB\"", func(o *Options) bool { return o.MaxPayload == 1<<20 }},
		{"max_payload: 1000", func(o *Options) bool { return o.MaxPayload == 1000 }},
		{"max_pending: 1GB", func(o *Options) bool { return o.MaxPending == 1<<30 }},
		{"max_pending: 1g", func(o *Options) bool { return o.MaxPending == 1e9 }},
		{"max_control_line: 8KB", func(o *Options) bool { return o.MaxControlLine == 8192 }},
		{"ping_interval: \"30s\"", func(o *Options) bool { return o.PingInterval == 30*time.Second }},
		{"ping_interval: 30", func(o *Options) bool { return o.PingInterval == 30*time.Second }},
		{"ping_max: 5", func(o *Options) bool { return o.MaxPingsOut == 5 }},
		{"write_deadline: \"3s\"", func(o *Options) bool { return o.WriteDeadline == 3*time.Second }},
		{"lame_duck_duration: \"45s\"", func(o *Options) bool { return o.LameDuckDuration == 45*time.Second }},
		{"lame_duck_grace_period: \"1s\"", func(o *Options) bool { return o.LameDuckGracePeriod == time.Second }},
		{"debug: true", func(o *Options) bool { return o.Debug }},
		{"debug: yes", func(o *Options) bool { return o.Debug }},
		{"debug: on", func(o *Options) bool { return o.Debug }},
		{"trace: true", func(o *Options) bool { return o.Trace }},
		{"trace_verbose: true", func(o *Options) bool { return o.Trace && o.TraceVerbose }},
		{"logtime: false", func(o *Options) bool { return !o.Logtime }},
		{"logtime: no", func(o *Options) bool { return !o.Logtime }},
		{"logtime: off", func(o *Options) bool { return !o.Logtime }},
		{"logtime_utc: true", func(o *Options) bool { return o.LogtimeUTC }},
		{"logfile: /tmp/x.log", func(o *Options) bool { return o.LogFile == "/tmp/x.log" }},
		{"log_file: \"/tmp/x.log\"", func(o *Options) bool { return o.LogFile == "/tmp/x.log" }},
		{"log_size_limit: 10MB", func(o *Options) bool { return o.LogSizeLimit == 10<<20 }},
		{"syslog: true", func(o *Options) bool { return o.Syslog }},
		{"remote_syslog: \"udp://h:514\"", func(o *Options) bool { return o.RemoteSyslog == "udp://h:514" }},
		{"pid_file: /tmp/n.pid", func(o *Options) bool { return o.PidFile == "/tmp/n.pid" }},
		{"pidfile: /tmp/n.pid", func(o *Options) bool { return o.PidFile == "/tmp/n.pid" }},
		{"ports_file_dir: /tmp", func(o *Options) bool { return o.PortsFileDir == "/tmp" }},
		{"http_port: 8222", func(o *Options) bool { return o.HTTPPort == 8222 }},
		{"monitor_port: 8222", func(o *Options) bool { return o.HTTPPort == 8222 }},
		{"http: 127.0.0.1:8222", func(o *Options) bool { return o.HTTPHost == "127.0.0.1" && o.HTTPPort == 8222 }},
		{"http: 8222", func(o *Options) bool { return o.HTTPPort == 8222 }},
		{"http_base_path: /nats", func(o *Options) bool { return o.HTTPBasePath == "/nats" }},
		{"no_header_support: true", func(o *Options) bool { return o.NoHeaderSupport }},
		{"connect_error_reports: 10", func(o *Options) bool { return o.ConnectErrorReports == 10 }},
		{"reconnect_error_reports: 10", func(o *Options) bool { return o.ReconnectErrorReports == 10 }},
		{"max_traced_msg_len: 100", func(o *Options) bool { return o.MaxTracedMsgLen == 100 }},
		{"loops: 4", func(o *Options) bool { return o.Loops == 4 }},
		{"PORT: 4333", func(o *Options) bool { return o.Port == 4333 }},
		{"# comment\n// comment\nport: 4333 # trailing", func(o *Options) bool { return o.Port == 4333 }},
		{"port: 1, debug: true", func(o *Options) bool { return o.Port == 1 && o.Debug }},
		{"{ port: 4333 }", func(o *Options) bool { return o.Port == 4333 }},
	}
	for _, tt := range tests {
		t.Run(tt.conf, func(t *testing.T) {
			if o := mustLoadAll(t, tt.conf); !tt.check(o) {
				t.Errorf("%q: unexpected options %+v", tt.conf, *o)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	o := mustLoad(t, "debug: false")
	want := Default()
	want.ConfigFile, want.ConfigDigest = o.ConfigFile, o.ConfigDigest
	if !reflect.DeepEqual(o, want) {
		t.Fatalf("got %+v\nwant %+v", *o, *want)
	}
	if o.Host != "0.0.0.0" || o.Port != 4222 || o.MaxPayload != 1<<20 || o.MaxPending != 64<<20 ||
		o.MaxControlLine != 4096 || o.MaxConn != 65536 || o.PingInterval != 2*time.Minute ||
		o.MaxPingsOut != 2 || o.WriteDeadline != 10*time.Second || o.AuthTimeout != 2*time.Second ||
		o.LameDuckDuration != 2*time.Minute || o.LameDuckGracePeriod != 10*time.Second || !o.Logtime {
		t.Fatalf("defaults differ from nats-server: %+v", *o)
	}
}

var posRE = regexp.MustCompile(`^config: .+test\.conf:(\d+):(\d+): ([$A-Za-z_.\[\]0-9]+): `)

// TestKeysRefused: every setting natsloop parses but does not implement
// stops Load at its position, unless its value asks for nothing.
func TestKeysRefused(t *testing.T) {
	for _, conf := range []string{
		"client_advertise: \"a:1\"", "log_size_limit: 10MB", "logfile_size_limit: 1", "syslog: true",
		"remote_syslog: \"udp://h:514\"", "no_header_support: true", "lame_duck_duration: \"45s\"",
		"lame_duck_grace_period: \"1s\"", "http: 8222", "https: 8222", "http_port: 8222", "monitor_port: 8222",
		"https_port: 8443", "http_base_path: /nats", "jetstream: enabled", "jetstream: true", "jetstream {}",
		"cluster { port: -1 }", "leafnodes { port: -1 }", "gateway { name: g }", "websocket { port: 1 }",
		"mqtt { port: 1 }", "system_account: SYS", "mappings { a: b }", "max_sub_tokens: 4",
		"tls { verify_and_map: true }", "tls { connection_rate_limit: 10 }", "tls { ocsp_peer: true }",
		"tls { handshake_first: auto }", "tls { handshake_first: \"300ms\" }",
		"authorization { auth_callout { issuer: x } }", "authorization { users: [{user: a, allowed_connection_types: [MQTT]}] }",
		"accounts { A: { jetstream: enabled } }", "accounts { A: { nkey: ADLGEVANYDKDQ6WYXPNBEGVUURXZY4LLLK5BJPOUDN6NGNXLNH4ATPWR } }", "accounts { A: { exports: [{service: a, latency: x}] } }",
		"accounts { A: { exports: [{stream: a}] }, B: { imports: [{stream: {account: A, subject: a}, share: true}] } }",
	} {
		t.Run(conf, func(t *testing.T) {
			_, _, err := load(t, conf)
			if err == nil || !strings.Contains(err.Error(), "not supported by natsloop") || !posRE.MatchString(err.Error()) {
				t.Fatalf("%q: err = %v, want a refusal at its position", conf, err)
			}
		})
	}
	// Values that ask for nothing are nats-server's defaults: accepted.
	for _, conf := range []string{
		"syslog: false", "jetstream: disabled", "jetstream: false", "http_port: 0", "leafnodes {}",
		"log_size_limit: 0", "no_system_account: true", "store_dir: /tmp/js", "trace_verbose: true",
		"max_traced_msg_len: 100", "connect_error_reports: 10", "tls { verify_and_map: false }",
	} {
		if _, _, err := load(t, conf); err != nil && !strings.Contains(err.Error(), "cert_file") {
			t.Errorf("%q refused: %v", conf, err)
		}
	}
}

func TestRefusalText(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "x.conf", "port: 4333\nleafnodes {\n  port: 7422\n}\n")
	_, _, err := Load(p)
	want := p + ":2:1: leafnodes: not supported by natsloop; remove it from the configuration"
	var e *Error
	if !errors.As(err, &e) || e.String() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		conf, pos, key, text string
	}{
		{"port: 4333\n\n max_payload: abc\n", "3:2", "max_payload", `expected a size, got "abc"`},
		{"port: 70000", "1:0", "port", "out of range"},
		{"port: \"x\"", "1:0", "port", "expected an integer"},
		{"debug: 3", "1:0", "debug", "expected a boolean"},
		{"ping_interval: \"2x\"", "1:0", "ping_interval", "expected a duration"},
		{"listen: \"nohost\"", "1:0", "listen", "could not parse address"},
		{"server_name: \"a b\"", "1:0", "server_name", "spaces"},
		{"lame_duck_duration: \"10s\"", "1:0", "lame_duck_duration", "minimum is 30 seconds"},
		{"max_pending: 1MB\nmax_payload: 2MB", "2:1", "max_payload", "cannot be higher than max_pending"},
		{"max_payload: 0", "1:0", "max_payload", "must be positive"},
		{"cluster {\n  port: abc\n}", "2:3", "cluster.port", "expected an integer"},
		{"authorization {\n  users: [\n    {user: a, password: b, permissions: {publish: {allow: 1}}}\n  ]\n}", "3:52", "authorization.users[0].permissions.publish.allow", "expected a list"},
		{"tls {\n  cert_file: /nonexistent/cert.pem\n  key_file: /nonexistent/key.pem\n}", "2:3", "tls.cert_file", "no such file"},
		{"authorization { user: a, token: b }", "1:0", "authorization", "user/pass and token"},
		{"no_auth_user: bob", "1:0", "no_auth_user", "not present"},
		{"accounts { $G: {} }", "1:11", "accounts.$G", "Reserved"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			_, _, err := loadAll(t, tt.conf)
			if err == nil {
				t.Fatalf("%q: no error", tt.conf)
			}
			msg := err.Error()
			m := posRE.FindStringSubmatch(msg)
			if m == nil || m[1]+":"+m[2] != tt.pos || m[3] != tt.key || !strings.Contains(msg, tt.text) {
				t.Fatalf("%q:\n got  %s\n want test.conf:%s: %s: ...%s", tt.conf, msg, tt.pos, tt.key, tt.text)
			}
		})
	}
}

func TestErrorExactText(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "x.conf", "port: 4333\n\n max_payload: abc\n")
	_, _, err := Load(p)
	want := `config: ` + p + `:3:2: max_payload: expected a size, got "abc"`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}

func TestSyntaxAndMissingFile(t *testing.T) {
	if _, _, err := load(t, "port: {"); err == nil || !strings.HasPrefix(err.Error(), "config: ") {
		t.Fatalf("syntax error: %v", err)
	}
	if _, _, err := Load(filepath.Join(t.TempDir(), "nope.conf")); err == nil || !strings.HasPrefix(err.Error(), "config: ") {
		t.Fatalf("missing file: %v", err)
	}
}

// TestUnknownKeys: as nats-server, a key it does not know stops Load,
// in nats-server's words and at its position, in any block.
func TestUnknownKeys(t *testing.T) {
	_, w, err := loadAll(t, "port: 4333\nfoo: 1\ncluster {\n  bar: 2\n}\nmax_paylod: 1MB\n")
	if err == nil || len(w) != 0 {
		t.Fatalf("err %v warnings %v", err, w)
	}
	for _, want := range []string{`test.conf:2:1: unknown field "foo"`, `test.conf:4:3: unknown field "bar"`, `test.conf:6:1: unknown field "max_paylod"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	for conf, want := range map[string]string{
		"max_paylod: 1MB":                                     `test.conf:1:0: unknown field "max_paylod"`,
		"authorization {\n  user: a\n  pw: b\n}":              `test.conf:3:3: unknown field "pw"`,
		"authorization { users: [{user: a, pw: b}] }":         `test.conf:1:34: unknown field "pw"`,
		"accounts { A: { userz: [] } }":                       `test.conf:1:16: unknown field "userz"`,
		"accounts { A: { exports: [{stream: a, x: 1}] } }":    `test.conf:1:38: unknown field "x"`,
		"tls {\n  cert_file: a\n  kye_file: b\n}":             `test.conf:3:3: error parsing tls config, unknown field "kye_file"`,
		"authorization { permissions: { publish: a, x: 1 } }": `Unknown field "x" parsing permissions`,
	} {
		if _, _, err := loadAll(t, conf); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", conf, err, want)
		}
	}
	// A key that only defines a variable used elsewhere is not unknown.
	_, w, err = load(t, "PASS: secret\nauthorization { user: a, password: $PASS }\n")
	if err != nil || len(w) != 0 {
		t.Fatalf("variable definition refused: %v %v", w, err)
	}
}

// TestWarnings: what nats-server warns about, in its words.
func TestWarnings(t *testing.T) {
	for conf, want := range map[string]string{
		"ping_interval: 5":                                `test.conf:1:0: invalid use of field "ping_interval": ping_interval should be converted to a duration`,
		"port: 1\nauthorization { timeout: 120 }":         `test.conf:2:17: invalid use of field "timeout": timeout of 120 (120.000000 seconds) is high, consider keeping it under 60 seconds. possibly caused by unquoted duration; use '1m' instead of 1m, for example`,
		"cluster {\n routes: [nats://a:1, nats://a:1]\n}": `test.conf:2:23: invalid use of field "nats://a:1": Duplicate route entry detected`,
		"": `test.conf: config has no values or is empty`,
	} {
		_, w, err := loadAll(t, conf)
		if err != nil || len(w) != 1 || !strings.HasSuffix(w[0].String(), want) {
			t.Errorf("%q: warnings %v err %v, want %q", conf, w, err, want)
		}
	}
}

func TestVariables(t *testing.T) {
	t.Setenv("NATSLOOP_TEST_PORT", "4444")
	t.Setenv("NATSLOOP_TEST_SIZE", "2MB")
	o := mustLoadAll(t, "port: $NATSLOOP_TEST_PORT\nmax_payload: $NATSLOOP_TEST_SIZE\nNAME: srv\nserver_name: $NAME\ncluster {\n  N: c1\n  name: $N\n}\n")
	if o.Port != 4444 || o.MaxPayload != 2<<20 || o.ServerName != "srv" || o.Cluster.Name != "c1" {
		t.Fatalf("%+v %+v", *o, *o.Cluster)
	}
	if _, _, err := load(t, "port: $NATSLOOP_TEST_UNDEFINED"); err == nil {
		t.Fatal("undefined variable accepted")
	}
}

func TestInclude(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "sub/auth.conf", "authorization {\n  user: a\n  password: b\n}\nmax_payload: xyz\n")
	write(t, dir, "sub/ok.conf", "authorization {\n  user: a\n  password: b\n}\n")
	p := write(t, dir, "sub/main.conf", "port: 4333\ninclude ./ok.conf\n")
	o, _, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if o.Port != 4333 || o.Authorization == nil || o.Authorization.User != "a" {
		t.Fatalf("%+v", o)
	}
	// An error inside an included file names that file.
	p = write(t, dir, "main2.conf", "port: 4333\ninclude 'sub/auth.conf'\n")
	_, _, err = Load(p)
	if err == nil || !strings.Contains(err.Error(), "sub/auth.conf:5:1: max_payload") {
		t.Fatalf("got %v", err)
	}
}

func TestBcryptUnquoted(t *testing.T) {
	const hash = "$2a$11$W2zko751KUvVy59mUTWmpOdWjpEm5qhcCZRd05GjI/sSOT.xtiHyG"
	o := mustLoad(t, "authorization {\n  user: derek\n  password: "+hash+"\n  timeout: 1\n}\n")
	a := o.Authorization
	if a.User != "derek" || a.Password != hash || a.Timeout != time.Second || o.AuthTimeout != time.Second {
		t.Fatalf("%+v auth timeout %v", *a, o.AuthTimeout)
	}
	o = mustLoad(t, "authorization { user: derek, password: "+hash+", timeout: 1 }")
	if o.Authorization.Password != hash {
		t.Fatalf("one line: %q", o.Authorization.Password)
	}
}

func TestAuthorization(t *testing.T) {
	o := mustLoad(t, `
authorization {
  timeout: 0.5
  default_permissions: { publish: "pub.>", subscribe: ["a", "b q"] }
  users: [
    {user: alice, password: pw, permissions: {
      publish: {allow: ["x.>"], deny: "x.secret"}
      subscribe: {deny: ["y.>"]}
      allow_responses: true
    }}
    {user: bob, password: pw2}
    {nkey: UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4}
    {user: rr, password: p, permissions: {allow_responses: {max: 5, expires: "1m"}}}
  ]
}
no_auth_user: bob
`)
	a := o.Authorization
	if a.Timeout != 500*time.Millisecond || a.NoAuthUser != "bob" || len(a.Users) != 4 || !a.Configured() {
		t.Fatalf("%+v", *a)
	}
	al := a.Users[0].Permissions
	if !reflect.DeepEqual(al.Publish, &SubjectPermission{Allow: []string{"x.>"}, Deny: []string{"x.secret"}}) ||
		!reflect.DeepEqual(al.Subscribe, &SubjectPermission{Deny: []string{"y.>"}}) ||
		*al.AllowResponses != (ResponsePermission{MaxMsgs: 1, Expires: 2 * time.Minute}) {
		t.Fatalf("alice %+v %+v %+v", *al.Publish, *al.Subscribe, al.AllowResponses)
	}
	bob := a.Users[1].Permissions
	if bob != a.DefaultPermissions || !reflect.DeepEqual(bob.Publish.Allow, []string{"pub.>"}) ||
		!reflect.DeepEqual(bob.Subscribe.Allow, []string{"a", "b q"}) {
		t.Fatalf("bob %+v", bob)
	}
	if a.Users[2].Nkey == "" || a.Users[2].User != "" {
		t.Fatalf("nkey user %+v", a.Users[2])
	}
	rr := a.Users[3].Permissions
	if *rr.AllowResponses != (ResponsePermission{MaxMsgs: 5, Expires: time.Minute}) || rr.Publish.Allow == nil || len(rr.Publish.Allow) != 0 {
		t.Fatalf("rr %+v %+v", rr.AllowResponses, rr.Publish)
	}
	o = mustLoad(t, "authorization { token: s3cr3t }")
	if o.Authorization.Token != "s3cr3t" {
		t.Fatal(o.Authorization)
	}
	for _, bad := range []string{
		"authorization { user: a, users: [{user: b, password: c}] }",
		"authorization { users: [{password: c}] }",
		"authorization { users: [{nkey: UABC, password: c}] }",
		"authorization { users: [{nkey: NOTAKEY}] }",
		"authorization { users: [{user: a, password: b}, {user: a, password: c}] }",
		"authorization { users: [{user: a, password: b, permissions: {pub: {allow: x, nope: y}}}] }",
	} {
		if _, _, err := load(t, bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestAccounts(t *testing.T) {
	o := mustLoad(t, `
accounts {
  A: {
    users: [{user: a, password: a}]
    exports: [{stream: "a.>"}, {service: "a.req", accounts: [B], response: stream}]
  }
  B: {
    users: [{user: b, password: b}]
    imports: [
      {stream: {account: A, subject: "a.>"}, prefix: from_a}
      {service: {account: A, subject: "a.req"}, to: "b.req"}
    ]
  }
}
`)
	if len(o.Accounts) != 2 {
		t.Fatalf("%+v", o.Accounts)
	}
	a, b := o.Accounts[0], o.Accounts[1]
	if a.Name != "A" || a.Users[0].Account != "A" || b.Users[0].Account != "B" {
		t.Fatalf("%+v %+v", a, b)
	}
	if !reflect.DeepEqual(a.Exports, []Export{{Stream: "a.>"}, {Service: "a.req", Accounts: []string{"B"}, ResponseType: "Stream"}}) {
		t.Fatalf("exports %+v", a.Exports)
	}
	want := []Import{
		{Stream: &ImportSource{Account: "A", Subject: "a.>"}, Prefix: "from_a"},
		{Service: &ImportSource{Account: "A", Subject: "a.req"}, To: "b.req"},
	}
	if !reflect.DeepEqual(b.Imports, want) {
		t.Fatalf("imports %+v", b.Imports)
	}
	o = mustLoad(t, "accounts: [X, Y]")
	if len(o.Accounts) != 2 || o.Accounts[1].Name != "Y" {
		t.Fatalf("%+v", o.Accounts)
	}
	for _, bad := range []string{
		"accounts { A: { imports: [{stream: {account: Z, subject: x}}] } }",
		"accounts { A: { exports: [{stream: x, service: y}] } }",
		"accounts { A: { users: [{user: a, password: b}] } }\nauthorization { users: [{user: a, password: c}] }",
	} {
		if _, _, err := load(t, bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestAccountUsersBesideSingleUser: as nats-server, users in accounts
// and a single user or a token in the authorization block are refused.
func TestAccountUsersBesideSingleUser(t *testing.T) {
	for conf, want := range map[string]string{
		"authorization {\n  user: a\n  password: b\n}\naccounts { A: { users: [{user: b, password: c}] } }\n": "test.conf:5:17: Can not have a single user/pass and accounts",
		"authorization { token: t }\naccounts { A: { users: [{user: b, password: c}] } }\n":                   "test.conf:2:17: Can not have a token and accounts",
	} {
		if _, _, err := load(t, conf); err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", conf, err, want)
		}
	}
	if _, _, err := load(t, "authorization { user: a, password: b }\naccounts { A: {} }\n"); err != nil {
		t.Fatalf("an account without users: %v", err)
	}
}

func TestCluster(t *testing.T) {
	o := mustLoadAll(t, `
cluster {
  name: c1
  listen: 127.0.0.1:6222
  advertise: "ext:6222"
  no_advertise: true
  connect_retries: 3
  authorization { user: ruser, password: T0p, timeout: 2 }
  routes: [
    nats-route://ruser:T0p@127.0.0.1:6223
    "nats://127.0.0.1:6224"
  ]
}
`)
	c := o.Cluster
	if c.Name != "c1" || c.Host != "127.0.0.1" || c.Port != 6222 || c.Advertise != "ext:6222" || !c.NoAdvertise ||
		c.ConnectRetries != 3 || *c.Authorization != (ClusterAuth{User: "ruser", Password: "T0p", Timeout: 2 * time.Second}) {
		t.Fatalf("%+v", *c)
	}
	if len(c.Routes) != 2 || c.Routes[0].User.Username() != "ruser" || c.Routes[0].Host != "127.0.0.1:6223" || c.Routes[1].Scheme != "nats" {
		t.Fatalf("routes %v", c.Routes)
	}
	o = mustLoadAll(t, "cluster { port: -1 }")
	if o.Cluster.Port != -1 {
		t.Fatal(o.Cluster.Port)
	}
	if _, _, err := loadAll(t, "cluster { authorization { token: x } }"); err == nil {
		t.Fatal("cluster token accepted")
	}
	if _, _, err := loadAll(t, "cluster { routes: [\"nats://noport\"] }"); err == nil {
		t.Fatal("route without port accepted")
	}
}

// tlsFiles makes a CA and a server certificate under dir.
func tlsFiles(t *testing.T, dir string) (cert, key, ca string) {
	c := testcert.NewCA(t, dir, "ca")
	cert, key = c.Issue(t, dir, "server")
	return cert, key, c.CAFile
}

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key, ca := tlsFiles(t, dir)
	o := mustLoadAll(t, `
tls {
  cert_file: "`+cert+`"
  key_file: "`+key+`"
  ca_file: "`+ca+`"
  verify: true
  timeout: 3
  cipher_suites: ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"]
  curve_preferences: [X25519, CurveP256, SecP256r1MLKEM768]
  min_version: "1.3"
  handshake_first: auto
}
cluster {
  port: 6222
  tls { cert_file: "`+cert+`", key_file: "`+key+`", ca_file: "`+ca+`", verify: true, timeout: "1.5s" }
}
https_port: 8443
`)
	tl := o.TLS
	if tl.CertFile != cert || tl.KeyFile != key || tl.CAFile != ca || !tl.Verify || tl.Timeout != 3*time.Second ||
		len(tl.CipherSuites) != 3 || len(tl.CurvePreferences) != 3 || tl.MinVersion != "1.3" ||
		!tl.HandshakeFirst || tl.HandshakeFirstFallback != DefaultHandshakeFirstFallback {
		t.Fatalf("%+v", *tl)
	}
	if o.AuthTimeout != 4*time.Second {
		t.Fatalf("auth timeout with TLS = %v, want tls timeout + 1s", o.AuthTimeout)
	}
	if o.Cluster.TLS.Timeout != 1500*time.Millisecond || o.HTTPSPort != 8443 {
		t.Fatalf("%+v", *o.Cluster.TLS)
	}
	o = mustLoad(t, "tls { cert_file: \""+cert+"\", key_file: \""+key+"\", handshake_first: true }\nauthorization { timeout: 5 }")
	if o.AuthTimeout != 5*time.Second || !o.TLS.HandshakeFirst || o.TLS.HandshakeFirstFallback != 0 || o.TLS.Timeout != 2*time.Second {
		t.Fatalf("explicit auth timeout: %v %+v", o.AuthTimeout, *o.TLS)
	}
	for _, bad := range []string{
		"tls { key_file: \"" + key + "\" }",
		"tls { cert_file: \"" + cert + "\", key_file: \"" + key + "\", min_version: \"1.1\" }",
		"tls { cert_file: \"" + cert + "\", key_file: \"" + key + "\", cipher_suites: [NOPE] }",
		"tls { cert_file: \"" + cert + "\", key_file: \"" + key + "\", cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA] }",
		"tls { cert_file: \"" + cert + "\", key_file: \"" + key + "\", curve_preferences: [P1] }",
		"https_port: 8443",
	} {
		if _, _, err := loadAll(t, bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestTLSFiles: the files of a tls block are read and parsed while
// loading, as nats-server does, and a problem is one line at the
// setting at fault.
func TestTLSFiles(t *testing.T) {
	dir := t.TempDir()
	cert, key, ca := tlsFiles(t, dir)
	_, otherKey, _ := tlsFiles(t, t.TempDir())
	missing := filepath.Join(dir, "nocert.pem")
	for _, tt := range []struct{ block, want string }{
		{"cert_file: " + q(missing) + "\n  key_file: " + q(key), "test.conf:2:3: tls.cert_file: open " + missing + ": no such file or directory"},
		{"cert_file: " + q(cert) + "\n  key_file: " + q(missing), "test.conf:3:3: tls.key_file: open " + missing + ": no such file or directory"},
		{"cert_file: " + q(cert) + "\n  key_file: " + q(otherKey), "test.conf:1:0: tls: error parsing X509 certificate/key pair: tls: private key does not match public key"},
		{"cert_file: " + q(ca) + "\n  key_file: " + q(key), "test.conf:1:0: tls: error parsing X509 certificate/key pair:"},
		{"cert_file: " + q(cert) + "\n  key_file: " + q(key) + "\n  ca_file: " + q(key), "test.conf:4:3: tls.ca_file: failed to parse root ca certificate"},
		{"cert_file: " + q(cert), "test.conf:1:0: tls: missing 'key_file' in TLS configuration"},
	} {
		_, _, err := load(t, "tls {\n  "+tt.block+"\n}\n")
		if err == nil || strings.Count(err.Error(), "\n") != 0 || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s:\n got  %v\n want one line with %s", tt.block, err, tt.want)
		}
	}
}

func q(s string) string { return strconv.Quote(s) }

func TestMaxPayloadAdvisory(t *testing.T) {
	o := mustLoad(t, "max_payload: 16MB")
	if a := o.Advisories(); o.MaxPayload != 16<<20 || len(a) != 1 || !strings.Contains(a[0], "Maximum payloads over 8.00 MB") {
		t.Fatalf("%v", a)
	}
	// Like nats-server, a payload above 64MB is fine when max_pending allows it.
	if _, _, err := load(t, "max_payload: 100MB\nmax_pending: 200MB"); err != nil {
		t.Fatal(err)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1": 1, "1MB": 1 << 20, "1mb": 1 << 20, "1m": 1e6, "2k": 2000, "2KB": 2048, "3G": 3e9, "3GB": 3 << 30, "1MiB": 1 << 20} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "abc", "1XB", "-1"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
}
