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
	str := func(p *string, names ...string) {
		for _, n := range names {
			fs.StringVar(p, n, *p, "")
		}
	}
	integer := func(p *int, names ...string) {
		for _, n := range names {
			fs.IntVar(p, n, *p, "")
		}
	}
	boolean := func(p *bool, names ...string) {
		for _, n := range names {
			fs.BoolVar(p, n, *p, "")
		}
	}
	fv.logtime = true
	boolean(&fv.help, "h", "help")
	integer(&fv.port, "p", "port")
	str(&fv.name, "n", "name", "server_name")
	str(&fv.host, "a", "addr", "net")
	str(&fv.clientAdvertise, "client_advertise")
	boolean(&fv.debug, "D", "debug")
	boolean(&fv.trace, "V", "trace")
	boolean(&fv.traceVV, "VV")
	boolean(&fv.debugTrace, "DV")
	boolean(&fv.debugTraceVV, "DVV")
	boolean(&fv.logtime, "T", "logtime")
	boolean(&fv.logtimeUTC, "logtime_utc")
	str(&fv.user, "user")
	str(&fv.pass, "pass")
	str(&fv.token, "auth")
	integer(&fv.httpPort, "m", "http_port")
	integer(&fv.httpsPort, "ms", "https_port")
	str(&fv.configFile, "c", "config")
	boolean(&fv.testConfig, "t")
	str(&fv.signal, "sl", "signal")
	str(&fv.pidFile, "P", "pid")
	str(&fv.portsFileDir, "ports_file_dir")
	str(&fv.logFile, "l", "log")
	fs.Var(&fv.logSizeLimit, "log_size_limit", "")
	boolean(&fv.syslog, "s", "syslog")
	str(&fv.remoteSyslog, "r", "remote_syslog")
	boolean(&fv.version, "v", "version")
	integer(&fv.profPort, "profile")
	str(&fv.routes, "routes")
	str(&fv.clusterURL, "cluster", "cluster_listen")
	str(&fv.clusterAdvertise, "cluster_advertise")
	boolean(&fv.noAdvertise, "no_advertise")
	integer(&fv.connectRetries, "connect_retries")
	str(&fv.clusterName, "cluster_name")
	boolean(&fv.helpTLS, "help_tls")
	boolean(&fv.tls, "tls")
	boolean(&fv.tlsVerify, "tlsverify")
	str(&fv.tlsCert, "tlscert")
	str(&fv.tlsKey, "tlskey")
	str(&fv.tlsCACert, "tlscacert")
	integer(&fv.maxTracedMsgLen, "max_traced_msg_len")
	boolean(&fv.jetstream, "js", "jetstream")
	str(&fv.storeDir, "sd", "store_dir")
	return fs
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
