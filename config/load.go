package config

import (
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/conf"
)

// loader holds the state of one Load. Not shared.
type loader struct {
	file  string
	o     *Options
	errs  []error
	warns []Warning
	// where each top-level setting was, for validation errors
	at             map[string]value
	authTimeoutSet bool
}

// Load reads a nats-server config file on top of Default. Problems with
// values are errors ("config: file:line:col: key: problem", all of them
// joined); unknown keys and nats-server features natsloop does not have
// are warnings and are otherwise ignored.
func Load(path string) (*Options, []Warning, error) {
	o := Default()
	w, err := LoadInto(o, path)
	if err != nil {
		return nil, w, err
	}
	return o, w, nil
}

// LoadInto is Load on top of the given options (flags use it to load the
// file before their own values are applied).
func LoadInto(o *Options, path string) ([]Warning, error) {
	m, err := conf.ParseFileWithChecks(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
			return nil, fmt.Errorf("config: %w", err)
		}
		return nil, fmt.Errorf("config: %s: %v", path, err)
	}
	l := &loader{file: path, o: o, at: make(map[string]value)}
	o.ConfigFile = path
	if len(m) == 0 {
		l.warns = append(l.warns, Warning{File: path, Msg: "config has no values or is empty"})
	}
	for _, v := range l.fields(nil, m) {
		l.top(v)
	}
	l.checkDuplicateUsers()
	l.finish()
	l.errs = append(l.errs, l.validate(o)...)
	return l.warns, errors.Join(l.errs...)
}

// unsupported reports nats-server settings natsloop accepts and ignores
// with a warning.
func unsupported(name string) bool {
	switch name {
	case "gateway", "leaf", "leafnodes", "websocket", "ws", "mqtt", "operator",
		"operators", "roots", "root", "root_operators", "root_operator",
		"resolver", "account_resolver", "accounts_resolver", "resolver_tls",
		"resolver_preload", "resolver_pinned_accounts", "system_account", "system",
		"no_system_account", "no_system", "no_sys_acc", "trusted", "trusted_keys",
		"mappings", "maps", "server_tags", "server_metadata",
		"disable_sublist_cache", "no_sublist_cache", "ocsp", "ocsp_cache",
		"default_js_domain", "max_sub_tokens", "max_subscription_tokens",
		"allow_non_tls", "trace_headers", "logfile_max_num", "log_max_num",
		"prof_block_rate", "proxy_protocol", "proxies", "default_sentinel",
		"write_timeout", "feature_flags", "no_fast_producer_stall",
		"max_closed_clients":
		return true
	}
	return false
}

func (l *loader) top(v value) {
	o := l.o
	l.at[v.name] = v
	switch v.name {
	case "listen":
		if h, p, ok := l.listen(v); ok {
			if h != "" {
				o.Host = h
			}
			o.Port = clientPort(p)
			l.at["port"] = v
		}
	case "port":
		if p, ok := l.intIn(v, -1, 65535); ok {
			o.Port = clientPort(p)
		}
	case "host", "net":
		if s, ok := l.str(v); ok {
			o.Host = s
			l.at["host"] = v
		}
	case "server_name":
		if s, ok := l.str(v); ok {
			if strings.Contains(s, " ") {
				l.errorf(v, "server name cannot contain spaces")
				return
			}
			o.ServerName = s
		}
	case "client_advertise":
		l.setStr(v, &o.ClientAdvertise)
	case "debug":
		l.setBool(v, &o.Debug)
	case "trace":
		l.setBool(v, &o.Trace)
	case "trace_verbose":
		if b, ok := l.boolean(v); ok {
			o.TraceVerbose, o.Trace = b, b
		}
	case "logtime":
		l.setBool(v, &o.Logtime)
	case "logtime_utc":
		l.setBool(v, &o.LogtimeUTC)
	case "logfile", "log_file":
		l.setStr(v, &o.LogFile)
	case "logfile_size_limit", "log_size_limit":
		if n, ok := l.size(v); ok {
			o.LogSizeLimit = n
		}
	case "syslog":
		l.setBool(v, &o.Syslog)
	case "remote_syslog":
		l.setStr(v, &o.RemoteSyslog)
	case "pidfile", "pid_file":
		l.setStr(v, &o.PidFile)
	case "ports_file_dir":
		l.setStr(v, &o.PortsFileDir)
	case "prof_port":
		l.setInt(v, &o.ProfPort, -1, 65535)
	case "max_control_line":
		if n, ok := l.size(v); ok {
			if n > math.MaxInt32 {
				l.errorf(v, "value is too big")
				return
			}
			o.MaxControlLine = int(n)
		}
	case "max_payload":
		if n, ok := l.size(v); ok {
			if n > math.MaxInt32 {
				l.errorf(v, "value is too big")
				return
			}
			o.MaxPayload = int(n)
			l.at["max_payload"] = v
		}
	case "max_pending":
		if n, ok := l.size(v); ok {
			o.MaxPending = n
		}
	case "max_connections", "max_conn":
		if n, ok := l.intIn(v, -1, math.MaxInt32); ok {
			if n == 0 {
				n = -1 // nats-server: 0 in a file means unlimited
			}
			o.MaxConn = n
		}
	case "max_subscriptions", "max_subs":
		l.setInt(v, &o.MaxSubs, 0, math.MaxInt32)
	case "max_traced_msg_len":
		l.setInt(v, &o.MaxTracedMsgLen, 0, math.MaxInt32)
	case "ping_interval":
		l.setDuration(v, &o.PingInterval)
	case "ping_max":
		l.setInt(v, &o.MaxPingsOut, 0, math.MaxInt32)
	case "write_deadline":
		l.setDuration(v, &o.WriteDeadline)
	case "lame_duck_duration":
		if d, ok := l.duration(v); ok {
			if d < MinLameDuckDuration {
				l.errorf(v, "invalid lame_duck_duration of %v, minimum is 30 seconds", d)
				return
			}
			o.LameDuckDuration = d
		}
	case "lame_duck_grace_period":
		if d, ok := l.duration(v); ok {
			if d < 0 {
				l.errorf(v, "invalid lame_duck_grace_period, needs to be positive")
				return
			}
			o.LameDuckGracePeriod = d
		}
	case "tls":
		if t := l.tls(v, true); t != nil {
			o.TLS = t
		}
	case "authorization":
		l.authorization(v)
	case "no_auth_user":
		if s, ok := l.str(v); ok {
			l.auth().NoAuthUser = s
		}
	case "accounts":
		l.accounts(v)
	case "cluster":
		l.cluster(v)
	case "http":
		if h, p, ok := l.listen(v); ok {
			o.HTTPPort = p
			if h != "" {
				o.HTTPHost = h
			}
		}
	case "https":
		if h, p, ok := l.listen(v); ok {
			o.HTTPSPort = p
			if h != "" {
				o.HTTPHost = h
			}
		}
	case "http_port", "monitor_port":
		l.setInt(v, &o.HTTPPort, -1, 65535)
	case "https_port":
		l.setInt(v, &o.HTTPSPort, -1, 65535)
	case "http_base_path":
		l.setStr(v, &o.HTTPBasePath)
	case "no_header_support":
		l.setBool(v, &o.NoHeaderSupport)
	case "connect_error_reports":
		l.setInt(v, &o.ConnectErrorReports, 0, math.MaxInt32)
	case "reconnect_error_reports":
		l.setInt(v, &o.ReconnectErrorReports, 0, math.MaxInt32)
	case "loops":
		l.setInt(v, &o.Loops, 0, 1024)
	case "jetstream":
		switch x := v.raw.(type) {
		case bool:
			o.JetStream = x
		case string:
			o.JetStream = strings.EqualFold(x, "enabled") || strings.EqualFold(x, "enable")
		default:
			o.JetStream = true // a jetstream {} block enables it
		}
		if o.JetStream {
			l.warnf(v, "JetStream is not supported by natsloop")
		}
	case "store_dir", "storedir":
		l.setStr(v, &o.StoreDir)
	default:
		if unsupported(v.name) {
			l.warnf(v, "not supported by natsloop, ignored")
			return
		}
		l.unknown(v)
	}
}

// clientPort maps the file's port to the listener's: -1 (random) is 0,
// 0 is the default port.
func clientPort(p int) int {
	switch p {
	case -1:
		return 0
	case 0:
		return DefaultPort
	}
	return p
}

func (l *loader) setStr(v value, dst *string) {
	if s, ok := l.str(v); ok {
		*dst = s
	}
}

func (l *loader) setBool(v value, dst *bool) {
	if b, ok := l.boolean(v); ok {
		*dst = b
	}
}

func (l *loader) setInt(v value, dst *int, lo, hi int64) {
	if n, ok := l.intIn(v, lo, hi); ok {
		*dst = n
	}
}

func (l *loader) setDuration(v value, dst *time.Duration) {
	if d, ok := l.duration(v); ok {
		*dst = d
	}
}

// listen reads `port` or `host:port` (port may be -1).
func (l *loader) listen(v value) (string, int, bool) {
	switch x := v.raw.(type) {
	case int64:
		if x < -1 || x > 65535 {
			l.errorf(v, "port %d is out of range [-1, 65535]", x)
			return "", 0, false
		}
		return "", int(x), true
	case string:
		host, port, err := net.SplitHostPort(x)
		if err != nil {
			l.errorf(v, "could not parse address string %q", x)
			return "", 0, false
		}
		p, err := strconv.Atoi(port)
		if err != nil || p < -1 || p > 65535 {
			l.errorf(v, "could not parse port %q", port)
			return "", 0, false
		}
		return host, p, true
	}
	l.errorf(v, "expected port or host:port, got %s", describe(v.raw))
	return "", 0, false
}

// finish applies defaults that depend on several settings.
func (l *loader) finish() {
	finish(l.o, l.authTimeoutSet)
}

func finish(o *Options, authTimeoutSet bool) {
	if o.TLS != nil && !authTimeoutSet {
		o.AuthTimeout = o.TLS.Timeout + time.Second
	}
	if o.Authorization != nil && o.Authorization.Timeout == 0 {
		o.Authorization.Timeout = o.AuthTimeout
	}
}
