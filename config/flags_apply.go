package config

import (
	"errors"
	"flag"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// applyFlags copies the flags that were given (flag.Visit) onto o, group
// by group; the TLS flags are applied together at the end, as
// nats-server does.
func applyFlags(o *Options, fs *flag.FlagSet, fv *flagValues) error {
	var errs []error
	var tf tlsFlags
	fs.Visit(func(f *flag.Flag) {
		for _, group := range []func(string, *Options, *flagValues) (bool, error){serverFlag, logFlag, authFlag, clusterFlag} {
			if ok, err := group(f.Name, o, fv); ok {
				if err != nil {
					errs = append(errs, err)
				}
				return
			}
		}
		tf.note(f.Name, fv)
	})
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := tf.apply(o, fv); err != nil {
		return err
	}
	if fv.routes != "" && fv.clusterURL == "" && (o.Cluster == nil || o.Cluster.Host == "" && o.Cluster.Port == 0) {
		return &Error{Msg: "solicited routes require cluster capabilities, e.g. --cluster"}
	}
	return nil
}

// serverFlag: listen address, name, limits, pid and ports files.
func serverFlag(name string, o *Options, fv *flagValues) (bool, error) {
	switch name {
	case "a", "addr", "net":
		o.Host = fv.host
	case "p", "port":
		if fv.port < -1 || fv.port > 65535 {
			return true, &Error{Key: flagName(name), Msg: "port " + strconv.Itoa(fv.port) + " is out of range [-1, 65535]"}
		}
		o.Port = clientPort(fv.port)
	case "n", "name", "server_name":
		if strings.Contains(fv.name, " ") {
			return true, &Error{Key: flagName(name), Msg: "server name cannot contain spaces"}
		}
		o.ServerName = fv.name
	case "client_advertise":
		o.ClientAdvertise = fv.clientAdvertise
		return true, refuseFlag(name, fv.clientAdvertise != "")
	case "m", "http_port":
		o.HTTPPort = fv.httpPort
		return true, refuseFlag(name, fv.httpPort != 0)
	case "ms", "https_port":
		o.HTTPSPort = fv.httpsPort
		return true, refuseFlag(name, fv.httpsPort != 0)
	case "P", "pid":
		o.PidFile = fv.pidFile
	case "ports_file_dir":
		o.PortsFileDir = fv.portsFileDir
	case "profile":
		o.ProfPort = fv.profPort
	case "js", "jetstream":
		o.JetStream = fv.jetstream
		return true, refuseFlag(name, fv.jetstream)
	case "sd", "store_dir":
		o.StoreDir = fv.storeDir
	default:
		return false, nil
	}
	return true, nil
}

// logFlag: debug, trace and where the log goes.
func logFlag(name string, o *Options, fv *flagValues) (bool, error) {
	switch name {
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
	case "l", "log":
		o.LogFile = fv.logFile
	case "log_size_limit":
		o.LogSizeLimit = fv.logSizeLimit.n
		return true, refuseFlag(name, fv.logSizeLimit.n != 0)
	case "s", "syslog":
		o.Syslog = fv.syslog
		return true, refuseFlag(name, fv.syslog)
	case "r", "remote_syslog":
		o.RemoteSyslog = fv.remoteSyslog
		return true, refuseFlag(name, fv.remoteSyslog != "")
	case "max_traced_msg_len":
		o.MaxTracedMsgLen = fv.maxTracedMsgLen
	default:
		return false, nil
	}
	return true, nil
}

// authFlag: --user, --pass, --auth.
func authFlag(name string, o *Options, fv *flagValues) (bool, error) {
	switch name {
	case "user":
		authOf(o).User = fv.user
	case "pass":
		authOf(o).Password = fv.pass
	case "auth":
		authOf(o).Token = fv.token
	default:
		return false, nil
	}
	return true, nil
}

// clusterFlag: the cluster flags, parsed and refused (natsloop has no
// clustering yet).
func clusterFlag(name string, o *Options, fv *flagValues) (bool, error) {
	var err error
	asks := true
	switch name {
	case "routes":
		err, asks = flagRoutes(o, fv.routes), fv.routes != ""
	case "cluster", "cluster_listen":
		err, asks = flagCluster(o, fv.clusterURL), fv.clusterURL != ""
	case "cluster_advertise":
		clusterOf(o).Advertise = fv.clusterAdvertise
		asks = fv.clusterAdvertise != ""
	case "no_advertise":
		clusterOf(o).NoAdvertise = fv.noAdvertise
		asks = fv.noAdvertise
	case "connect_retries":
		clusterOf(o).ConnectRetries = fv.connectRetries
		asks = fv.connectRetries != 0
	case "cluster_name":
		if strings.Contains(fv.clusterName, " ") {
			return true, &Error{Key: flagName(name), Msg: "cluster name cannot contain spaces"}
		}
		clusterOf(o).Name = fv.clusterName
		asks = fv.clusterName != ""
	default:
		return false, nil
	}
	if err != nil {
		return true, err
	}
	return true, refuseFlag(name, asks)
}

// refuseFlag refuses a flag natsloop does not implement when its value
// asks for something.
func refuseFlag(name string, asks bool) error {
	if !asks {
		return nil
	}
	return flagNotSupported(name)
}

// tlsFlags collects --tls, --tlsverify, --tlscert, --tlskey, --tlscacert.
type tlsFlags struct{ set, off bool }

func (t *tlsFlags) note(name string, fv *flagValues) {
	switch name {
	case "tls":
		if fv.tls {
			t.set = true
		} else {
			t.off = true
		}
	case "tlsverify", "tlscert", "tlskey", "tlscacert":
		t.set = true
	}
}

// apply replaces the file's tls block with the flags' (or removes it
// with --tls=false), loading the files as nats-server does.
func (t *tlsFlags) apply(o *Options, fv *flagValues) error {
	switch {
	case t.off:
		o.TLS = nil
		return nil
	case !t.set:
		return nil
	case fv.tlsCert == "":
		return &Error{Msg: "TLS Server certificate must be present and valid"}
	case fv.tlsKey == "":
		return &Error{Msg: "TLS Server private key must be present and valid"}
	}
	o.TLS = &TLS{CertFile: fv.tlsCert, KeyFile: fv.tlsKey, CAFile: fv.tlsCACert,
		Verify: fv.tlsVerify, Timeout: DefaultTLSTimeout}
	problems := checkTLSFiles(o.TLS)
	if len(problems) == 0 {
		return nil
	}
	flags := map[string]string{"cert_file": "--tlscert", "key_file": "--tlskey", "ca_file": "--tlscacert", "": "--tls"}
	return &Error{Key: flags[problems[0].setting], Msg: problems[0].msg}
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
			return &Error{Key: "--routes", Msg: strings.TrimPrefix(err.Error(), "config: ")}
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
	bad := func(msg string) error { return &Error{Key: "--cluster", Msg: msg} }
	random := strings.HasSuffix(s, ":-1")
	if random {
		s = s[:len(s)-3] + ":0"
	}
	u, err := url.Parse(s)
	if err != nil {
		return bad(err.Error())
	}
	h, p, err := net.SplitHostPort(u.Host)
	if err != nil {
		return bad(err.Error())
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return bad("invalid port " + strconv.Quote(p))
	}
	if random {
		port = -1
	}
	c.Host, c.Port = h, port
	c.Authorization = nil
	if u.User != nil {
		pass, ok := u.User.Password()
		if !ok {
			return bad("expected cluster password to be set")
		}
		c.Authorization = &ClusterAuth{User: u.User.Username(), Password: pass}
	}
	return nil
}

// parseSignal parses cmd[=pid], where pid is a number or a pid file.
func parseSignal(s string) (Signal, error) {
	parts := strings.Split(s, "=")
	if len(parts) > 2 {
		return Signal{}, &Error{Msg: "invalid signal parameters: [" + strings.Join(parts[2:], " ") + "]"}
	}
	sig := Signal{Command: strings.ToLower(parts[0])}
	switch sig.Command {
	case "stop", "quit", "term", "reopen", "reload", "ldm":
	default:
		return Signal{}, &Error{Msg: "unknown signal " + strconv.Quote(parts[0])}
	}
	if len(parts) == 2 {
		pid := parts[1]
		if b, err := os.ReadFile(pid); err == nil {
			pid = strings.TrimSpace(string(b))
		}
		if n, err := strconv.Atoi(pid); err != nil || n <= 0 {
			return Signal{}, &Error{Msg: "invalid pid: " + pid}
		}
		sig.PID = pid
	}
	return sig, nil
}
