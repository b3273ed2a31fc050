package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"natsloop/internal/testcert"
)

func parse(t *testing.T, args ...string) (*Options, Action) {
	t.Helper()
	o, a, err := ParseFlags(args)
	if err != nil {
		t.Fatalf("ParseFlags(%q): %v", args, err)
	}
	return o, a
}

func TestFlags(t *testing.T) {
	tests := []struct {
		args  []string
		check func(o *Options) bool
	}{
		{nil, func(o *Options) bool { return o.Port == 4222 && o.Host == "0.0.0.0" && o.Logtime }},
		{[]string{"-p", "4333"}, func(o *Options) bool { return o.Port == 4333 }},
		{[]string{"--port", "4333"}, func(o *Options) bool { return o.Port == 4333 }},
		{[]string{"-p", "-1"}, func(o *Options) bool { return o.Port == 0 }},
		{[]string{"-a", "127.0.0.1"}, func(o *Options) bool { return o.Host == "127.0.0.1" }},
		{[]string{"--addr=127.0.0.1"}, func(o *Options) bool { return o.Host == "127.0.0.1" }},
		{[]string{"--net", "127.0.0.1"}, func(o *Options) bool { return o.Host == "127.0.0.1" }},
		{[]string{"-n", "s1"}, func(o *Options) bool { return o.ServerName == "s1" }},
		{[]string{"--name", "s1"}, func(o *Options) bool { return o.ServerName == "s1" }},
		{[]string{"--server_name", "s1"}, func(o *Options) bool { return o.ServerName == "s1" }},
		{[]string{"-P", "/tmp/x.pid"}, func(o *Options) bool { return o.PidFile == "/tmp/x.pid" }},
		{[]string{"-l", "/tmp/x.log"}, func(o *Options) bool { return o.LogFile == "/tmp/x.log" }},
		{[]string{"-T=false"}, func(o *Options) bool { return !o.Logtime }},
		{[]string{"--logtime=false"}, func(o *Options) bool { return !o.Logtime }},
		{[]string{"-D"}, func(o *Options) bool { return o.Debug && !o.Trace }},
		{[]string{"-V"}, func(o *Options) bool { return o.Trace && !o.Debug }},
		{[]string{"-DV"}, func(o *Options) bool { return o.Debug && o.Trace && !o.TraceVerbose }},
		{[]string{"-VV"}, func(o *Options) bool { return o.Trace && o.TraceVerbose && !o.Debug }},
		{[]string{"-DVV"}, func(o *Options) bool { return o.Debug && o.Trace && o.TraceVerbose }},
		{[]string{"--user", "u", "--pass", "p"}, func(o *Options) bool {
			return o.Authorization.User == "u" && o.Authorization.Password == "p" && o.Authorization.Configured()
		}},
		{[]string{"--auth", "tok"}, func(o *Options) bool { return o.Authorization.Token == "tok" }},
		{[]string{"--ports_file_dir", "/tmp", "--max_traced_msg_len", "10", "--logtime_utc"}, func(o *Options) bool {
			return o.PortsFileDir == "/tmp" && o.MaxTracedMsgLen == 10 && o.LogtimeUTC
		}},
		{[]string{"-m", "0", "--syslog=false", "--cluster", "", "-js=false"}, func(o *Options) bool {
			return o.HTTPPort == 0 && !o.Syslog && !o.JetStream
		}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			o, a := parse(t, tt.args...)
			if a != ActionRun || !tt.check(o) {
				t.Errorf("%q: action %v, options %+v", tt.args, a, *o)
			}
		})
	}
}

// TestFlagsRefused: a flag whose feature natsloop lacks stops it, named
// as the usage names it, unless its value asks for nothing (tested in
// TestFlags).
func TestFlagsRefused(t *testing.T) {
	for _, args := range [][]string{
		{"-m", "8222"}, {"--http_port", "8222"}, {"-ms", "8443"}, {"--log_size_limit", "1MB"},
		{"-s"}, {"--syslog"}, {"-r", "udp://h:514"}, {"--client_advertise", "h:1"}, {"-js"},
		{"--cluster", "nats://127.0.0.1:6222"}, {"--cluster_listen", "nats://127.0.0.1:6222"},
		{"--cluster", "nats://127.0.0.1:6222", "--routes", "nats://127.0.0.1:6223"},
		{"--cluster_name", "c"}, {"--no_advertise"}, {"--connect_retries", "5"}, {"--cluster_advertise", "h:1"},
	} {
		_, _, err := ParseFlags(args)
		want := flagName(strings.TrimLeft(args[0], "-")) + ": not supported by natsloop; remove the flag"
		var e *Error
		if !errors.As(err, &e) || e.String() != want {
			t.Errorf("%q: err = %v, want %q", args, err, want)
		}
	}
}

// TestFlagCluster: --cluster's URL forms, parsed for when clustering
// lands.
func TestFlagCluster(t *testing.T) {
	o := Default()
	if err := flagCluster(o, "nats://ru:rp@0.0.0.0:-1"); err != nil || o.Cluster.Port != -1 ||
		o.Cluster.Authorization.User != "ru" || o.Cluster.Authorization.Password != "rp" {
		t.Fatalf("%v %+v", err, o.Cluster)
	}
	if err := flagRoutes(o, "nats://127.0.0.1:6223,nats://127.0.0.1:6224"); err != nil || len(o.Cluster.Routes) != 2 {
		t.Fatalf("%v %+v", err, o.Cluster.Routes)
	}
	for _, bad := range []string{"foo", "nats://h:x", "nats://u@h:1"} {
		if err := flagCluster(Default(), bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestFlagActions(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want Action
	}{
		{[]string{"-v"}, ActionVersion},
		{[]string{"--version"}, ActionVersion},
		{[]string{"version"}, ActionVersion},
		{[]string{"-h"}, ActionHelp},
		{[]string{"--help"}, ActionHelp},
		{[]string{"--help_tls"}, ActionHelpTLS},
		{[]string{"help"}, ActionHelp},
	} {
		if _, a, err := ParseFlags(tt.args); err != nil || a != tt.want {
			t.Errorf("%q: %v %v, want %v", tt.args, a, err, tt.want)
		}
	}
	if !strings.Contains(Usage, "Usage: natsloop [options]") || !strings.Contains(Usage, "-DVV") {
		t.Error("Usage text")
	}
	if !strings.Contains(Usage, "--logtime_utc") || !strings.Contains(Usage, "<pid> can be") {
		t.Error("Usage lacks --logtime_utc or <pid>")
	}
	// As nats-server: a flag that does not parse asks for the usage after
	// the flag package's message.
	for bad, want := range map[string]string{"--nope": "flag provided but not defined: -nope", "-p x": `invalid value "x" for flag -p: parse error`} {
		_, a, err := ParseFlags(strings.Fields(bad))
		var e *Error
		if a != ActionHelp || !errors.As(err, &e) || e.String() != want {
			t.Errorf("%q: %v %v, want ActionHelp and %q", bad, a, err, want)
		}
	}
	for bad, want := range map[string]string{
		"bogus":               `unrecognized command: "bogus"`,
		"-t":                  "must specify [-c, --config] option to check configuration file syntax",
		"-p 70000":            "-p: port 70000 is out of range [-1, 65535]",
		"--routes nats://h:1": "--routes: not supported by natsloop; remove the flag",
		"--tls --tlskey k":    "TLS Server certificate must be present and valid",
		"--tls --tlscert c":   "TLS Server private key must be present and valid",
		"-sl bogus":           `unknown signal "bogus"`,
		"-sl reload=abc":      "invalid pid: abc",
		"-sl reload=1=2":      "invalid signal parameters: [2]",
	} {
		_, _, err := ParseFlags(strings.Fields(bad))
		var e *Error
		if !errors.As(err, &e) || e.String() != want {
			t.Errorf("%q: err = %v, want %q", bad, err, want)
		}
	}
}

func TestSignalFlag(t *testing.T) {
	o, a := parse(t, "-sl", "reload=1234")
	if a != ActionSignal || o.Signal != (Signal{Command: "reload", PID: "1234"}) {
		t.Fatalf("%v %+v", a, o.Signal)
	}
	o, a = parse(t, "--signal", "ldm")
	if a != ActionSignal || o.Signal != (Signal{Command: "ldm"}) {
		t.Fatalf("%v %+v", a, o.Signal)
	}
	pidFile := filepath.Join(t.TempDir(), "n.pid")
	if err := os.WriteFile(pidFile, []byte("4321\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	o, _ = parse(t, "-sl", "stop="+pidFile)
	if o.Signal != (Signal{Command: "stop", PID: "4321"}) {
		t.Fatalf("%+v", o.Signal)
	}
	if ActionSignal.String() != "Signal" || Action(99).String() != "Action(99)" {
		t.Fatal("Action.String")
	}
}

func TestFlagsOverrideFile(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "s.conf", "port: 4333\ndebug: true\nlogtime: true\nserver_name: file\nmax_payload: 2MB\nping_interval: 60\n")
	o, a, w, err := ParseFlagsWarnings([]string{"-c", p, "-p", "5555", "-D=false", "-T=false"})
	if err != nil || a != ActionRun {
		t.Fatal(a, err)
	}
	// Flags given win; settings only in the file stay.
	if o.Port != 5555 || o.Debug || o.Logtime || o.ServerName != "file" || o.MaxPayload != 2<<20 || o.ConfigFile != p {
		t.Fatalf("%+v", *o)
	}
	if len(w) != 1 || !strings.Contains(w[0].String(), `invalid use of field "ping_interval"`) {
		t.Fatalf("warnings %v", w)
	}
	// A flag not given does not reset the file's value to the flag default.
	o, _ = parse(t, "--config", p)
	if o.Port != 4333 || !o.Debug {
		t.Fatalf("%+v", *o)
	}
	o, a = parse(t, "-t", "-c", p)
	if a != ActionTestConfig || o.Port != 4333 {
		t.Fatal(a)
	}
	bad := write(t, dir, "bad.conf", "max_payload: abc\n")
	if _, _, err := ParseFlags([]string{"-t", "-c", bad}); err == nil || !strings.Contains(err.Error(), "bad.conf:1:0: max_payload") {
		t.Fatalf("err = %v", err)
	}
}

func TestFlagsTLS(t *testing.T) {
	dir := t.TempDir()
	ca := testcert.NewCA(t, dir, "ca")
	cert, key := ca.Issue(t, dir, "server")
	o, _ := parse(t, "--tlscert", cert, "--tlskey", key, "--tlsverify", "--tlscacert", ca.CAFile)
	if o.TLS == nil || !o.TLS.Verify || o.TLS.CAFile != ca.CAFile || o.AuthTimeout != 3*time.Second {
		t.Fatalf("%+v auth %v", o.TLS, o.AuthTimeout)
	}
	p := write(t, dir, "tls.conf", "tls { cert_file: \""+cert+"\", key_file: \""+key+"\" }\n")
	o, _ = parse(t, "-c", p, "--tls=false")
	if o.TLS != nil {
		t.Fatal("--tls=false kept TLS")
	}
	o, _ = parse(t, "-c", p, "-D")
	if o.TLS == nil || !o.Debug {
		t.Fatal("file TLS lost")
	}
	// The files are loaded as nats-server does; a problem names the flag.
	missing := filepath.Join(dir, "nope.pem")
	for args, want := range map[string]string{
		"--tls --tlscert " + missing + " --tlskey " + key:                            "--tlscert: open " + missing + ": no such file or directory",
		"--tls --tlscert " + cert + " --tlskey " + cert:                              "--tls: error parsing X509 certificate/key pair: tls: found a certificate rather than a key in the PEM for the private key",
		"--tlsverify --tlscert " + cert + " --tlskey " + key + " --tlscacert " + key: "--tlscacert: failed to parse root ca certificate",
	} {
		_, _, err := ParseFlags(strings.Fields(args))
		var e *Error
		if !errors.As(err, &e) || e.String() != want {
			t.Errorf("%s: err = %v, want %q", args, err, want)
		}
	}
}
