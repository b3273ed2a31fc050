package config

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
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
		{[]string{"-m", "8222"}, func(o *Options) bool { return o.HTTPPort == 8222 }},
		{[]string{"--http_port", "8222"}, func(o *Options) bool { return o.HTTPPort == 8222 }},
		{[]string{"-P", "/tmp/x.pid"}, func(o *Options) bool { return o.PidFile == "/tmp/x.pid" }},
		{[]string{"-l", "/tmp/x.log"}, func(o *Options) bool { return o.LogFile == "/tmp/x.log" }},
		{[]string{"--log_size_limit", "1MB"}, func(o *Options) bool { return o.LogSizeLimit == 1<<20 }},
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
		{[]string{"--cluster", "nats://127.0.0.1:6222", "--cluster_name", "c", "--routes", "nats://127.0.0.1:6223,nats://127.0.0.1:6224", "--no_advertise", "--connect_retries", "5"},
			func(o *Options) bool {
				c := o.Cluster
				return c.Host == "127.0.0.1" && c.Port == 6222 && c.Name == "c" && len(c.Routes) == 2 && c.NoAdvertise && c.ConnectRetries == 5
			}},
		{[]string{"--cluster", "nats://ru:rp@0.0.0.0:-1"}, func(o *Options) bool {
			return o.Cluster.Port == -1 && o.Cluster.Authorization.User == "ru" && o.Cluster.Authorization.Password == "rp"
		}},
		{[]string{"--client_advertise", "h:1", "--ports_file_dir", "/tmp", "--max_traced_msg_len", "10"}, func(o *Options) bool {
			return o.ClientAdvertise == "h:1" && o.PortsFileDir == "/tmp" && o.MaxTracedMsgLen == 10
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
		{[]string{"--help_tls"}, ActionHelp},
		{[]string{"help"}, ActionHelp},
	} {
		if _, a, err := ParseFlags(tt.args); err != nil || a != tt.want {
			t.Errorf("%q: %v %v, want %v", tt.args, a, err, tt.want)
		}
	}
	if !strings.Contains(Usage, "Usage: natsloop [options]") || !strings.Contains(Usage, "-DVV") {
		t.Error("Usage text")
	}
	for _, bad := range [][]string{{"--nope"}, {"bogus"}, {"-t"}, {"-p", "x"}, {"-p", "70000"}, {"--routes", "nats://h:1"},
		{"--tls", "--tlskey", "k"}, {"-sl", "bogus"}, {"-sl", "reload=abc"}, {"-sl", "reload=1=2"}} {
		if _, _, err := ParseFlags(bad); err == nil || !strings.HasPrefix(err.Error(), "config: ") {
			t.Errorf("%q: err = %v", bad, err)
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
	p := write(t, dir, "s.conf", "port: 4333\ndebug: true\nlogtime: true\nserver_name: file\nmax_payload: 2MB\nfoo: 1\n")
	o, a, w, err := ParseFlagsWarnings([]string{"-c", p, "-p", "5555", "-D=false", "-T=false"})
	if err != nil || a != ActionRun {
		t.Fatal(a, err)
	}
	// Flags given win; settings only in the file stay.
	if o.Port != 5555 || o.Debug || o.Logtime || o.ServerName != "file" || o.MaxPayload != 2<<20 || o.ConfigFile != p {
		t.Fatalf("%+v", *o)
	}
	if len(w) != 1 || !strings.Contains(w[0].String(), "foo") {
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
	if _, _, err := ParseFlags([]string{"-t", "-c", bad}); err == nil || !strings.Contains(err.Error(), "bad.conf:1:1: max_payload") {
		t.Fatalf("err = %v", err)
	}
}

func TestFlagsTLS(t *testing.T) {
	dir := t.TempDir()
	cert := write(t, dir, "c.pem", "x")
	key := write(t, dir, "k.pem", "x")
	o, _ := parse(t, "--tlscert", cert, "--tlskey", key, "--tlsverify", "--tlscacert", cert)
	if o.TLS == nil || !o.TLS.Verify || o.TLS.CAFile != cert || o.AuthTimeout != 3*time.Second {
		t.Fatalf("%+v auth %v", o.TLS, o.AuthTimeout)
	}
	p := write(t, dir, "tls.conf", "tls { cert_file: \""+cert+"\", key_file: \""+key+"\" }\n")
	o, _ = parse(t, "-c", p, "--tls=false")
	if o.TLS != nil {
		t.Fatal("--tls=false kept TLS")
	}
	o, _ = parse(t, "-c", p, "-m", strconv.Itoa(8222))
	if o.TLS == nil || o.HTTPPort != 8222 {
		t.Fatal("file TLS lost")
	}
}
