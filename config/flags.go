package config

import (
	"flag"
	"io"
	"strconv"
	"strings"
	"time"
)

// Action is what the command line asks for.
type Action int

const (
	ActionRun        Action = iota // run the server
	ActionTestConfig               // -t: the config is valid; report and exit 0
	ActionVersion                  // -v, --version, or the argument "version"
	ActionHelp                     // -h, --help, the argument "help", or a flag that does not parse
	ActionSignal                   // -sl cmd[=pid]: signal a running server (Options.Signal)
	ActionHelpTLS                  // --help_tls: print TLSUsage
)

func (a Action) String() string {
	switch a {
	case ActionRun:
		return "Run"
	case ActionTestConfig:
		return "TestConfig"
	case ActionVersion:
		return "Version"
	case ActionHelp:
		return "Help"
	case ActionSignal:
		return "Signal"
	case ActionHelpTLS:
		return "HelpTLS"
	}
	return "Action(" + strconv.Itoa(int(a)) + ")"
}

// flagValues receives the flags; aliases share a variable.
type flagValues struct {
	host, name, clientAdvertise                        string
	port, httpPort, httpsPort, profPort                int
	debug, trace, traceVV, debugTrace, debugTraceVV    bool
	logtime, logtimeUTC, syslog                        bool
	user, pass, token                                  string
	configFile, signal, pidFile, portsFileDir, logFile string
	remoteSyslog, routes, clusterURL, clusterAdvertise string
	clusterName, tlsCert, tlsKey, tlsCACert, storeDir  string
	logSizeLimit                                       sizeFlag
	noAdvertise, tls, tlsVerify, jetstream             bool
	connectRetries, maxTracedMsgLen                    int
	testConfig, version, help, helpTLS                 bool
}

// sizeFlag accepts 1048576 or 1MB.
type sizeFlag struct{ n int64 }

func (s *sizeFlag) String() string { return strconv.FormatInt(s.n, 10) }
func (s *sizeFlag) Set(v string) error {
	n, err := ParseSize(v)
	if err != nil {
		return err
	}
	s.n = n
	return nil
}

func newFlagSet(fv *flagValues) *flag.FlagSet {
	fs := flag.NewFlagSet("natsloop", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fv.logtime = true
	b := binder{fs}
	b.serverFlags(fv)
	b.logFlags(fv)
	b.authClusterTLSFlags(fv)
	return fs
}

// binder binds flag names (aliases share a variable) to flagValues.
type binder struct{ fs *flag.FlagSet }

func (b binder) str(p *string, names ...string) {
	for _, n := range names {
		b.fs.StringVar(p, n, *p, "")
	}
}

func (b binder) integer(p *int, names ...string) {
	for _, n := range names {
		b.fs.IntVar(p, n, *p, "")
	}
}

func (b binder) boolean(p *bool, names ...string) {
	for _, n := range names {
		b.fs.BoolVar(p, n, *p, "")
	}
}

func (b binder) serverFlags(fv *flagValues) {
	b.boolean(&fv.help, "h", "help")
	b.integer(&fv.port, "p", "port")
	b.str(&fv.name, "n", "name", "server_name")
	b.str(&fv.host, "a", "addr", "net")
	b.str(&fv.clientAdvertise, "client_advertise")
	b.integer(&fv.httpPort, "m", "http_port")
	b.integer(&fv.httpsPort, "ms", "https_port")
	b.str(&fv.configFile, "c", "config")
	b.boolean(&fv.testConfig, "t")
	b.str(&fv.signal, "sl", "signal")
	b.str(&fv.pidFile, "P", "pid")
	b.str(&fv.portsFileDir, "ports_file_dir")
	b.boolean(&fv.version, "v", "version")
	b.integer(&fv.profPort, "profile")
	b.boolean(&fv.helpTLS, "help_tls")
	b.boolean(&fv.jetstream, "js", "jetstream")
	b.str(&fv.storeDir, "sd", "store_dir")
}

func (b binder) logFlags(fv *flagValues) {
	b.boolean(&fv.debug, "D", "debug")
	b.boolean(&fv.trace, "V", "trace")
	b.boolean(&fv.traceVV, "VV")
	b.boolean(&fv.debugTrace, "DV")
	b.boolean(&fv.debugTraceVV, "DVV")
	b.boolean(&fv.logtime, "T", "logtime")
	b.boolean(&fv.logtimeUTC, "logtime_utc")
	b.str(&fv.logFile, "l", "log")
	b.fs.Var(&fv.logSizeLimit, "log_size_limit", "")
	b.boolean(&fv.syslog, "s", "syslog")
	b.str(&fv.remoteSyslog, "r", "remote_syslog")
	b.integer(&fv.maxTracedMsgLen, "max_traced_msg_len")
}

func (b binder) authClusterTLSFlags(fv *flagValues) {
	b.str(&fv.user, "user")
	b.str(&fv.pass, "pass")
	b.str(&fv.token, "auth")
	b.str(&fv.routes, "routes")
	b.str(&fv.clusterURL, "cluster", "cluster_listen")
	b.str(&fv.clusterAdvertise, "cluster_advertise")
	b.boolean(&fv.noAdvertise, "no_advertise")
	b.integer(&fv.connectRetries, "connect_retries")
	b.str(&fv.clusterName, "cluster_name")
	b.boolean(&fv.tls, "tls")
	b.boolean(&fv.tlsVerify, "tlsverify")
	b.str(&fv.tlsCert, "tlscert")
	b.str(&fv.tlsKey, "tlskey")
	b.str(&fv.tlsCACert, "tlscacert")
}

// ParseFlags parses nats-server's command line (args without the program
// name). With -c the file is loaded first and only the flags given on the
// command line override it. See ParseFlagsWarnings for the file's warnings.
func ParseFlags(args []string) (*Options, Action, error) {
	o, a, _, err := ParseFlagsWarnings(args)
	return o, a, err
}

// ParseFlagsWarnings is ParseFlags that also returns the config file's
// warnings, for the caller to print (nats-server prints them and starts,
// but fails -t on them).
//
// Errors are *Error values (several joined for a config file), whose
// String() is what nats-server prints after "nats-server: ". A flag that
// does not parse gives ActionHelp with the flag package's error
// ("flag provided but not defined: -x"): nats-server prints that line,
// then its usage, and exits 0.
func ParseFlagsWarnings(args []string) (*Options, Action, []Warning, error) {
	var fv flagValues
	fs := newFlagSet(&fv)
	if err := fs.Parse(args); err != nil {
		return nil, ActionHelp, nil, &Error{Msg: err.Error()}
	}
	if a, err := commandAction(&fv, fs.Args()); a != ActionRun || err != nil {
		return nil, a, nil, err
	}
	o := Default()
	if fv.signal != "" {
		sig, err := parseSignal(fv.signal)
		if err != nil {
			return nil, ActionSignal, nil, err
		}
		o.Signal = sig
		return o, ActionSignal, nil, nil
	}
	var warns []Warning
	if fv.configFile != "" {
		w, err := LoadInto(o, fv.configFile)
		if err != nil {
			return nil, ActionRun, w, err
		}
		warns = w
	} else if fv.testConfig {
		return nil, ActionTestConfig, nil, &Error{Msg: "must specify [-c, --config] option to check configuration file syntax"}
	}
	if err := flagsOver(o, fs, &fv); err != nil {
		return nil, ActionRun, warns, err
	}
	if fv.testConfig {
		return o, ActionTestConfig, warns, nil
	}
	return o, ActionRun, warns, nil
}

// commandAction finds -v, -h, --help_tls and the commands "version" and
// "help"; any other argument is an error.
func commandAction(fv *flagValues, args []string) (Action, error) {
	switch {
	case fv.version:
		return ActionVersion, nil
	case fv.help:
		return ActionHelp, nil
	case fv.helpTLS:
		return ActionHelpTLS, nil
	}
	for _, arg := range args {
		switch strings.ToLower(arg) {
		case "version":
			return ActionVersion, nil
		case "help":
			return ActionHelp, nil
		default:
			return ActionRun, &Error{Msg: "unrecognized command: " + strconv.Quote(arg)}
		}
	}
	return ActionRun, nil
}

// flagsOver applies the flags given on top of o (defaults or the file)
// and validates the result.
func flagsOver(o *Options, fs *flag.FlagSet, fv *flagValues) error {
	hadTLS := o.TLS != nil
	if err := applyFlags(o, fs, fv); err != nil {
		return err
	}
	if o.TLS != nil && !hadTLS && o.AuthTimeout == DefaultAuthTimeout {
		o.AuthTimeout = o.TLS.Timeout + time.Second
	}
	return o.Validate()
}
