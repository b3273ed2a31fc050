package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
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
	ActionHelp                     // -h, --help, --help_tls, or the argument "help"
	ActionSignal                   // -sl cmd[=pid]: signal a running server (Options.Signal)
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
// warnings (unknown keys and the like), for the caller to log.
func ParseFlagsWarnings(args []string) (*Options, Action, []Warning, error) {
	var fv flagValues
	fs := newFlagSet(&fv)
	if err := fs.Parse(args); err != nil {
		return nil, ActionRun, nil, fmt.Errorf("config: %w", err)
	}
	switch {
	case fv.version:
		return nil, ActionVersion, nil, nil
	case fv.help, fv.helpTLS:
		return nil, ActionHelp, nil, nil
	}
	for _, arg := range fs.Args() {
		switch strings.ToLower(arg) {
		case "version":
			return nil, ActionVersion, nil, nil
		case "help":
			return nil, ActionHelp, nil, nil
		default:
			return nil, ActionRun, nil, fmt.Errorf("config: unrecognized command: %q", arg)
		}
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
		return nil, ActionTestConfig, nil, errors.New("config: must specify [-c, --config] option to check configuration file syntax")
	}
	hadTLS := o.TLS != nil
	if err := applyFlags(o, fs, &fv); err != nil {
		return nil, ActionRun, warns, err
	}
	if o.TLS != nil && !hadTLS && o.AuthTimeout == DefaultAuthTimeout {
		o.AuthTimeout = o.TLS.Timeout + time.Second
	}
	if err := o.Validate(); err != nil {
		return nil, ActionRun, warns, err
	}
	if fv.testConfig {
		return o, ActionTestConfig, warns, nil
	}
	return o, ActionRun, warns, nil
}

// applyFlags copies the flags that were given (flag.Visit) onto o.
func applyFlags(o *Options, fs *flag.FlagSet, fv *flagValues) error {
	var err error
	tlsSet, tlsOff := false, false
	fs.Visit(func(f *flag.Flag) {
		if err != nil {
			return
		}
		switch f.Name {
		case "a", "addr", "net":
			o.Host = fv.host
		case "p", "port":
			if fv.port < -1 || fv.port > 65535 {
				err = fmt.Errorf("config: -p: port %d is out of range [-1, 65535]", fv.port)
				return
			}
			o.Port = clientPort(fv.port)
		case "n", "name", "server_name":
			if strings.Contains(fv.name, " ") {
				err = errors.New("config: --name: server name cannot contain spaces")
				return
			}
			o.ServerName = fv.name
		case "client_advertise":
			o.ClientAdvertise = fv.clientAdvertise
		case "D", "debug":
			o.Debug = fv.debug
		case "V", "trace":
			o.Trace = fv.trace
		case "VV":
			o.Trace, o.TraceVerbose = fv.traceVV, fv.traceVV
		case "DV":
			o.Debug, o.Trace = fv.debugTrace, fv.debugTrace
		case "DVV":
			o.Debug, o.Trace, o.TraceVerbose = fv.debugTraceVV, fv.debugTraceVV, fv.debugTraceVV
		case "T", "logtime":
			o.Logtime = fv.logtime
		case "logtime_utc":
			o.LogtimeUTC = fv.logtimeUTC
		case "user":
			authOf(o).User = fv.user
		case "pass":
			authOf(o).Password = fv.pass
		case "auth":
			authOf(o).Token = fv.token
		case "m", "http_port":
			o.HTTPPort = fv.httpPort
		case "ms", "https_port":
			o.HTTPSPort = fv.httpsPort
		case "P", "pid":
			o.PidFile = fv.pidFile
		case "ports_file_dir":
			o.PortsFileDir = fv.portsFileDir
		case "l", "log":
			o.LogFile = fv.logFile
		case "log_size_limit":
			o.LogSizeLimit = fv.logSizeLimit.n
		case "s", "syslog":
			o.Syslog = fv.syslog
		case "r", "remote_syslog":
			o.RemoteSyslog = fv.remoteSyslog
		case "profile":
			o.ProfPort = fv.profPort
		case "routes":
			err = flagRoutes(o, fv.routes)
		case "cluster", "cluster_listen":
			err = flagCluster(o, fv.clusterURL)
		case "cluster_advertise":
			clusterOf(o).Advertise = fv.clusterAdvertise
		case "no_advertise":
			clusterOf(o).NoAdvertise = fv.noAdvertise
		case "connect_retries":
			clusterOf(o).ConnectRetries = fv.connectRetries
		case "cluster_name":
			if strings.Contains(fv.clusterName, " ") {
				err = errors.New("config: --cluster_name: cluster name cannot contain spaces")
				return
			}
			clusterOf(o).Name = fv.clusterName
		case "tls":
			if !fv.tls {
				tlsOff = true
			} else {
				tlsSet = true
			}
		case "tlsverify", "tlscert", "tlskey", "tlscacert":
			tlsSet = true
		case "max_traced_msg_len":
			o.MaxTracedMsgLen = fv.maxTracedMsgLen
		case "js", "jetstream":
			o.JetStream = fv.jetstream
		case "sd", "store_dir":
			o.StoreDir = fv.storeDir
		}
	})
	if err != nil {
		return err
	}
	switch {
	case tlsOff:
		o.TLS = nil
	case tlsSet:
		if fv.tlsCert == "" {
			return errors.New("config: TLS Server certificate must be present and valid")
		}
		if fv.tlsKey == "" {
			return errors.New("config: TLS Server private key must be present and valid")
		}
		o.TLS = &TLS{CertFile: fv.tlsCert, KeyFile: fv.tlsKey, CAFile: fv.tlsCACert,
			Verify: fv.tlsVerify, Timeout: DefaultTLSTimeout}
	}
	if fv.routes != "" && fv.clusterURL == "" && (o.Cluster == nil || o.Cluster.Host == "" && o.Cluster.Port == 0) {
		return errors.New("config: solicited routes require cluster capabilities, e.g. --cluster")
	}
	return nil
}

func authOf(o *Options) *Authorization {
	if o.Authorization == nil {
		o.Authorization = &Authorization{Timeout: o.AuthTimeout}
	}
	return o.Authorization
}

func clusterOf(o *Options) *Cluster {
	if o.Cluster == nil {
		o.Cluster = &Cluster{}
	}
	return o.Cluster
}

func flagRoutes(o *Options, s string) error {
	if s == "" {
		clusterOf(o).Routes = nil
		return nil
	}
	var routes []*url.URL
	for _, r := range strings.Split(s, ",") {
		u, err := ParseRouteURL(r)
		if err != nil {
			return fmt.Errorf("config: --routes: %s", strings.TrimPrefix(err.Error(), "config: "))
		}
		routes = append(routes, u)
	}
	clusterOf(o).Routes = routes
	return nil
}

// flagCluster applies --cluster nats://[user:pass@]host:port ("" turns
// the cluster listener off; port -1 is random).
func flagCluster(o *Options, s string) error {
	c := clusterOf(o)
	if s == "" {
		c.Port = 0
		return nil
	}
	random := strings.HasSuffix(s, ":-1")
	if random {
		s = s[:len(s)-3] + ":0"
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("config: --cluster: %v", err)
	}
	h, p, err := net.SplitHostPort(u.Host)
	if err != nil {
		return fmt.Errorf("config: --cluster: %v", err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return fmt.Errorf("config: --cluster: invalid port %q", p)
	}
	if random {
		port = -1
	}
	c.Host, c.Port = h, port
	if u.User != nil {
		pass, ok := u.User.Password()
		if !ok {
			return errors.New("config: --cluster: expected cluster password to be set")
		}
		c.Authorization = &ClusterAuth{User: u.User.Username(), Password: pass}
	} else {
		c.Authorization = nil
	}
	return nil
}

// parseSignal parses cmd[=pid], where pid is a number or a pid file.
func parseSignal(s string) (Signal, error) {
	parts := strings.Split(s, "=")
	if len(parts) > 2 {
		return Signal{}, fmt.Errorf("config: invalid signal parameters: %v", parts[2:])
	}
	sig := Signal{Command: strings.ToLower(parts[0])}
	switch sig.Command {
	case "stop", "quit", "term", "reopen", "reload", "ldm":
	default:
		return Signal{}, fmt.Errorf("config: unknown signal %q", parts[0])
	}
	if len(parts) == 2 {
		pid := parts[1]
		if b, err := os.ReadFile(pid); err == nil {
			pid = strings.TrimSpace(string(b))
		}
		if n, err := strconv.Atoi(pid); err != nil || n <= 0 {
			return Signal{}, fmt.Errorf("config: invalid pid: %s", pid)
		}
		sig.PID = pid
	}
	return sig, nil
}
