package config

import (
	"fmt"
	"math"
	"net/url"
	"strings"
)

func (l *loader) cluster(v value) {
	if l.o.Cluster == nil {
		l.o.Cluster = &Cluster{}
	}
	c := l.o.Cluster
	l.each(v, func(f value) bool { return l.clusterField(f, c) })
}

func (l *loader) clusterField(f value, c *Cluster) bool {
	switch f.name {
	case "name":
		l.setName(f, "cluster", &c.Name)
	case "listen":
		if h, p, ok := l.listen(f); ok {
			c.Host, c.Port = h, p
		}
	case "port":
		l.setInt(f, &c.Port, -1, 65535)
	case "host", "net":
		l.setStr(f, &c.Host)
	case "cluster_advertise", "advertise":
		l.setStr(f, &c.Advertise)
	case "no_advertise":
		l.setBool(f, &c.NoAdvertise)
	case "connect_retries":
		l.setInt(f, &c.ConnectRetries, 0, math.MaxInt32)
	case "routes":
		c.Routes = l.routes(f)
	case "authorization":
		c.Authorization = l.clusterAuth(f)
	case "tls":
		c.TLS = l.tls(f, false)
	case "ping_interval":
		l.setDuration(f, &c.PingInterval)
	case "ping_max":
		l.setInt(f, &c.MaxPingsOut, 0, math.MaxInt32)
	case "write_deadline":
		l.setDuration(f, &c.WriteDeadline)
	case "permissions", "pool_size", "accounts", "compression", "connect_backoff", "write_timeout":
		l.refused(f)
	default:
		return false
	}
	return true
}

func (l *loader) routes(v value) []*url.URL {
	items, ok := l.list(v)
	if !ok {
		return nil
	}
	seen := map[string]bool{}
	var out []*url.URL
	for _, it := range items {
		s, ok := l.str(it)
		if !ok {
			continue
		}
		if seen[s] {
			l.warns = append(l.warns, Warning{File: it.file, Line: it.line, Col: it.col, Field: s, Msg: "Duplicate route entry detected"})
			continue
		}
		seen[s] = true
		u, err := ParseRouteURL(s)
		if err != nil {
			l.errorf(it, "%v", strings.TrimPrefix(err.Error(), "config: "))
			continue
		}
		out = append(out, u)
	}
	return out
}

// ParseRouteURL parses one route URL (nats-route://user:pass@host:port,
// nats://host:port).
func ParseRouteURL(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("config: error parsing route url [%q]", s)
	}
	if u.Port() == "" {
		return nil, fmt.Errorf("config: route url [%q] has no port", s)
	}
	return u, nil
}

func (l *loader) clusterAuth(v value) *ClusterAuth {
	a := &ClusterAuth{}
	ok := l.each(v, func(f value) bool {
		switch f.name {
		case "user", "username":
			l.setStr(f, &a.User)
		case "pass", "password":
			l.setStr(f, &a.Password)
		case "timeout":
			if d, ok := l.seconds(f); ok {
				a.Timeout = d
			}
		case "users":
			l.errorf(f, "Cluster authorization does not allow multiple users")
		case "token":
			l.errorf(f, "Cluster authorization does not support tokens")
		case "permissions", "default_permissions":
			l.refused(f)
		default:
			return false
		}
		return true
	})
	if !ok {
		return nil
	}
	return a
}
