package main

import (
	"net"
	"net/http"
	"net/http/pprof"
	"strconv"

	"natsloop/internal/logging"
)

// startProfiler serves net/http/pprof on 127.0.0.1:port (nats-server's
// --profile / prof_port), for `go tool pprof`.
func startProfiler(port int, log logging.Logger) {
	if port == 0 {
		return
	}
	if port < 0 {
		port = 0
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		log.Errorf("Error starting profiler: %v", err)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Noticef("profiling port: %d", ln.Addr().(*net.TCPAddr).Port)
	go func() { _ = http.Serve(ln, mux) }()
}
