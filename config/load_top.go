package config

import (
	"math"
	"strings"
)

// The top-level settings, one group per concern. Each group reports
// whether it knows the key. A setting natsloop does not implement is
// refused (refuse.go) unless its value asks for nothing.

// topNet: where clients connect and what the server calls itself.
func (l *loader) topNet(v value) bool {
	o := l.o
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
		l.setName(v, "server", &o.ServerName)
	case "client_advertise":
		if !l.refused(v) {
			l.setStr(v, &o.ClientAdvertise)
		}
	default:
		return false
	}
	return true
}

// setName reads a server or cluster name, which cannot contain spaces.
func (l *loader) setName(v value, what string, dst *string) {
	s, ok := l.str(v)
	switch {
	case !ok:
	case strings.Contains(s, " "):
		l.errorf(v, "%s name cannot contain spaces", what)
	default:
		*dst = s
	}
}

// topLog: logging, pid and ports files.
func (l *loader) topLog(v value) bool {
	o := l.o
	switch v.name {
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
		if !l.refused(v) {
			if n, ok := l.size(v); ok {
				o.LogSizeLimit = n
			}
		}
	case "syslog":
		if !l.refused(v) {
			l.setBool(v, &o.Syslog)
		}
	case "remote_syslog":
		if !l.refused(v) {
			l.setStr(v, &o.RemoteSyslog)
		}
	case "pidfile", "pid_file":
		l.setStr(v, &o.PidFile)
	case "ports_file_dir":
		l.setStr(v, &o.PortsFileDir)
	case "max_traced_msg_len":
		l.setInt(v, &o.MaxTracedMsgLen, 0, math.MaxInt32)
	default:
		return false
	}
	return true
}

// topLimits: sizes and counts.
func (l *loader) topLimits(v value) bool {
	o := l.o
	switch v.name {
	case "max_control_line":
		if n, ok := l.int32Size(v); ok {
			o.MaxControlLine = n
		}
	case "max_payload":
		if n, ok := l.int32Size(v); ok {
			o.MaxPayload = n
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
		l.at["max_connections"] = v
	case "max_subscriptions", "max_subs":
		l.setInt(v, &o.MaxSubs, 0, math.MaxInt32)
		l.at["max_subscriptions"] = v
	case "no_header_support":
		if !l.refused(v) {
			l.setBool(v, &o.NoHeaderSupport)
		}
	case "loops":
		l.setInt(v, &o.Loops, 0, 1024)
	default:
		return false
	}
	return true
}

// int32Size reads a size nats-server keeps in an int32.
func (l *loader) int32Size(v value) (int, bool) {
	n, ok := l.size(v)
	if ok && n > math.MaxInt32 {
		l.errorf(v, "value is too big")
		return 0, false
	}
	return int(n), ok
}

// topTimers: pings, write deadline, lame duck mode.
func (l *loader) topTimers(v value) bool {
	o := l.o
	switch v.name {
	case "ping_interval":
		l.setDuration(v, &o.PingInterval)
	case "ping_max":
		l.setInt(v, &o.MaxPingsOut, 0, math.MaxInt32)
	case "write_deadline":
		l.setDuration(v, &o.WriteDeadline)
	case "lame_duck_duration", "lame_duck_grace_period":
		if !l.refused(v) {
			l.lameDuck(v)
		}
	default:
		return false
	}
	return true
}

func (l *loader) lameDuck(v value) {
	d, ok := l.duration(v)
	switch {
	case !ok:
	case v.name == "lame_duck_duration" && d < MinLameDuckDuration:
		l.errorf(v, "invalid lame_duck_duration of %v, minimum is 30 seconds", d)
	case v.name == "lame_duck_duration":
		l.o.LameDuckDuration = d
	case d < 0:
		l.errorf(v, "invalid lame_duck_grace_period, needs to be positive")
	default:
		l.o.LameDuckGracePeriod = d
	}
}

// topBlocks: tls, authorization, accounts, cluster, jetstream.
func (l *loader) topBlocks(v value) bool {
	o := l.o
	switch v.name {
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
	case "no_system_account", "no_system", "no_sys_acc":
		l.setBool(v, &l.o.NoSystemAccount)
	case "cluster":
		if !l.refused(v) {
			l.cluster(v)
		}
	case "jetstream":
		l.jetstream(v)
	case "store_dir", "storedir":
		// Without JetStream nats-server does nothing with it either.
		l.setStr(v, &o.StoreDir)
	default:
		return false
	}
	return true
}

// jetstream reads `jetstream: enabled|disabled|true|false` or a block
// (which enables it, as in nats-server), and refuses it enabled.
func (l *loader) jetstream(v value) {
	switch x := v.raw.(type) {
	case bool:
		l.o.JetStream = x
	case string:
		switch strings.ToLower(x) {
		case "enabled", "enable":
			l.o.JetStream = true
		case "disabled", "disable":
			l.o.JetStream = false
		default:
			l.errorf(v, "expected 'enabled' or 'disabled' for string value, got %q", x)
			return
		}
	default:
		l.o.JetStream = true
	}
	if l.o.JetStream && !l.permissive {
		l.errorf(v, notSupported)
	}
}

// topMonitor: monitoring, profiling, error report rates.
func (l *loader) topMonitor(v value) bool {
	o := l.o
	switch v.name {
	case "http", "https":
		if !l.refused(v) {
			if h, p, ok := l.listen(v); ok {
				if v.name == "http" {
					o.HTTPPort = p
				} else {
					o.HTTPSPort = p
				}
				if h != "" {
					o.HTTPHost = h
				}
			}
		}
	case "http_port", "monitor_port":
		if !l.refused(v) {
			l.setInt(v, &o.HTTPPort, -1, 65535)
			l.at["http_port"] = v
		}
	case "https_port":
		if !l.refused(v) {
			l.setInt(v, &o.HTTPSPort, -1, 65535)
		}
	case "http_base_path":
		if !l.refused(v) {
			l.setStr(v, &o.HTTPBasePath)
		}
	case "prof_port":
		l.setInt(v, &o.ProfPort, -1, 65535)
	case "connect_error_reports":
		// Both are about outbound connections (routes, gateways, leaf
		// nodes), which a natsloop without them never makes.
		l.setInt(v, &o.ConnectErrorReports, 0, math.MaxInt32)
	case "reconnect_error_reports":
		l.setInt(v, &o.ReconnectErrorReports, 0, math.MaxInt32)
	default:
		return false
	}
	return true
}
