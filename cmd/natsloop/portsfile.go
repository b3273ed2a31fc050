package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"natsloop/broker"
	"natsloop/config"
	"natsloop/internal/logging"
)

// writePortsFile writes nats-server's ports file,
// <ports_file_dir>/<executable>_<pid>.ports, once the server listens:
// {"nats":["nats://127.0.0.1:4222"]}. It returns the path to remove at
// shutdown, "" when there is none.
func writePortsFile(opts *config.Options, s *broker.Server, log logging.Logger) string {
	if opts.PortsFileDir == "" {
		return ""
	}
	path := filepath.Join(opts.PortsFileDir, fmt.Sprintf("%s_%d.ports", filepath.Base(os.Args[0]), os.Getpid()))
	addr, ok := s.Addr().(*net.TCPAddr)
	if !ok {
		log.Errorf("Unable to resolve the ports in the specified time")
		return ""
	}
	data, err := json.Marshal(struct {
		Nats []string `json:"nats"`
	}{clientURLs(addr)})
	if err == nil {
		err = os.WriteFile(path, data, 0o666)
	}
	if err != nil {
		log.Errorf("Error writing ports file (%s): %v", path, err)
		return ""
	}
	return path
}

// clientURLs lists nats://ip:port for the listener: its address, or, for
// an unspecified one (0.0.0.0), every interface address of that family,
// as nats-server does for its own listener.
func clientURLs(addr *net.TCPAddr) []string {
	url := func(ip net.IP) string { return "nats://" + net.JoinHostPort(ip.String(), fmt.Sprint(addr.Port)) }
	if !addr.IP.IsUnspecified() {
		return []string{url(addr.IP)}
	}
	v4 := addr.IP.To4() != nil
	var out []string
	ifAddrs, _ := net.InterfaceAddrs()
	for _, a := range ifAddrs {
		if n, ok := a.(*net.IPNet); ok && (n.IP.To4() != nil) == v4 {
			out = append(out, url(n.IP))
		}
	}
	if len(out) == 0 {
		out = append(out, url(addr.IP))
	}
	return out
}
