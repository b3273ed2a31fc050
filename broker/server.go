package broker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"natsloop/auth"
	"natsloop/config"
	"natsloop/internal/logging"
	"natsloop/loop"
	"natsloop/proto"
)

// Version is the NATS server version natsloop reports in INFO and /varz.
// Clients gate features on it (headers need 2.2+), so it names the
// nats-server release whose core protocol natsloop speaks.
const Version = "2.10.0"

// Errors returned by New and Start.
var (
	ErrNotSupported = errors.New("broker: setting not supported yet")
	ErrStarted      = errors.New("broker: server already started")
)

// ListenError is Start failing to open the client listener on Addr
// (host:port); cmd/natsloop words it as nats-server does.
type ListenError struct {
	Addr string
	Err  error
}

func (e *ListenError) Error() string { return "broker: listen on " + e.Addr + ": " + e.Err.Error() }
func (e *ListenError) Unwrap() error { return e.Err }

// Server is one natsloop server: listeners, accounts and client sessions.
type Server struct {
	opts *config.Options // immutable after New
	log  logging.Logger  // immutable after New

	id   string // server id (56 chars, starts with N); immutable
	name string // server name (defaults to id); immutable

	lp      *loop.Server // set by Start; immutable after
	handler connHandler  // immutable after New

	gacc      *account            // the global account $G; immutable pointer
	anonymous *grant              // $G with no user or permissions: clients before auth, or without it; immutable
	accounts  map[string]*account // by name, $G included; immutable after New
	auth      *auth.Auth          // compiled authorization; immutable after New
	tls       *serverTLS          // nil without client TLS; immutable after New

	flow flowLimits // flow-control marks (flow.go); immutable after New

	cidSeq     atomic.Uint64
	eventSeq   atomic.Uint64  // sequence of the events the server publishes
	bg         sync.WaitGroup // short-lived goroutines Shutdown waits for (tls.go)
	numClients atomic.Int64
	stats      serverStats

	mu       sync.Mutex         // guards clients, started, shutdown
	clients  map[uint64]*client // every open client session
	started  bool
	shutdown bool
	done     chan struct{} // closed when Shutdown completes
	ready    chan struct{} // closed when Start is listening
}

// serverStats are counters kept off the hot path: message totals live in
// each client (no shared cache line per message) and are folded into
// closed* when a client goes away; Stats sums them on demand.
type serverStats struct {
	slowConsumers atomic.Int64
	totalConns    atomic.Int64

	closedIn, closedInBytes, closedOut, closedOutBytes atomic.Int64
}

// Stats is a snapshot of the server's message totals (/varz).
type Stats struct {
	InMsgs, InBytes, OutMsgs, OutBytes int64
	SlowConsumers                      int64
	TotalConnections                   int64
	Connections                        int
	Subscriptions                      int
}

// Stats sums the counters of open clients and those of closed ones.
func (s *Server) Stats() Stats {
	st := Stats{
		SlowConsumers:    s.stats.slowConsumers.Load(),
		TotalConnections: s.stats.totalConns.Load(),
		Subscriptions:    s.gacc.sl.Count(),
	}
	// Closed clients' totals are folded in under mu together with their
	// removal from clients: read both under it, or a client closing now
	// is counted in neither.
	s.mu.Lock()
	st.InMsgs = s.stats.closedIn.Load()
	st.InBytes = s.stats.closedInBytes.Load()
	st.OutMsgs = s.stats.closedOut.Load()
	st.OutBytes = s.stats.closedOutBytes.Load()
	for _, c := range s.clients {
		st.InMsgs += c.inMsgs.Load()
		st.InBytes += c.inBytes.Load()
		st.OutMsgs += c.outMsgs.Load()
		st.OutBytes += c.outBytes.Load()
	}
	st.Connections = len(s.clients)
	s.mu.Unlock()
	return st
}

// New validates opts and builds a server that is not yet listening.
func New(opts *config.Options, log logging.Logger) (*Server, error) {
	if opts == nil {
		opts = config.Default()
	}
	if log == nil {
		log = logging.Nop()
	}
	if err := checkSupported(opts); err != nil {
		return nil, err
	}
	s := &Server{
		opts:    opts,
		log:     log,
		id:      proto.NewServerID(),
		clients: make(map[uint64]*client),
		done:    make(chan struct{}),
		ready:   make(chan struct{}),
	}
	s.name = opts.ServerName
	if s.name == "" {
		s.name = s.id
	}
	a, err := auth.New(opts)
	if err != nil {
		return nil, err
	}
	s.auth = a // failed logins are logged by the client, with its cid
	if err := s.buildAccounts(a.Accounts()); err != nil {
		a.Close()
		return nil, err
	}
	s.gacc = s.accounts[globalAccount]
	s.anonymous = &grant{acc: s.gacc}
	if err := s.setupTLS(); err != nil {
		a.Close()
		return nil, err
	}
	s.flow = newFlowLimits(opts.MaxPending)
	s.handler = connHandler{s: s}
	return s, nil
}

// checkSupported refuses settings whose feature is not built yet, so a
// config that asks for security never runs without it.
func checkSupported(o *config.Options) error {
	switch {
	case o.Cluster != nil && o.Cluster.Port != 0:
		return fmt.Errorf("%w: cluster", ErrNotSupported)
	case o.JetStream:
		return fmt.Errorf("%w: jetstream (natsloop is core NATS only)", ErrNotSupported)
	}
	return nil
}

// ID returns the server id sent in INFO.
func (s *Server) ID() string { return s.id }

// Name returns the server name.
func (s *Server) Name() string { return s.name }

// Options returns the options the server runs with. Callers must not
// modify them.
func (s *Server) Options() *config.Options { return s.opts }

// Start opens the client listener and logs nats-server's startup lines.
// It returns once the server accepts connections.
func (s *Server) Start() error {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return ErrStarted
	}
	s.started = true
	s.mu.Unlock()

	s.log.Noticef("Starting nats-server")
	s.log.Noticef("  Version:  %s (natsloop)", Version)
	s.log.Noticef("  Git:      [not set]")
	s.log.Noticef("  Name:     %s", s.name)
	s.log.Noticef("  ID:       %s", s.id)
	if s.opts.ConfigFile != "" {
		if d := s.opts.ConfigDigest; d != "" {
			s.log.Noticef("Using configuration file: %s (%s)", s.opts.ConfigFile, d)
		} else {
			s.log.Noticef("Using configuration file: %s", s.opts.ConfigFile)
		}
	}

	loops := s.opts.Loops
	if loops <= 0 {
		loops = runtime.GOMAXPROCS(0)
	}
	port := s.opts.Port
	if port < 0 {
		port = 0
	}
	lcfg := loop.Config{
		Addr:          net.JoinHostPort(s.opts.Host, fmt.Sprint(port)),
		Loops:         loops,
		Tick:          tickInterval(s.opts),
		MaxPending:    int(s.opts.MaxPending),
		WriteDeadline: s.opts.WriteDeadline,
	}
	s.lp = loop.New(lcfg, &s.handler)
	if err := s.lp.Start(); err != nil {
		return &ListenError{Addr: lcfg.Addr, Err: err}
	}
	s.log.Noticef("Listening for client connections on %s", s.Addr())
	s.logTLSStartup()
	s.log.Noticef("Server is ready")
	close(s.ready)
	go s.settleMemory()
	return nil
}

// tickInterval picks how often liveness is checked: often enough for the
// shortest configured timer, never more than once a second.
func tickInterval(o *config.Options) time.Duration {
	t := time.Second
	for _, d := range []time.Duration{o.PingInterval, o.AuthTimeout, o.WriteDeadline} {
		if d > 0 && d/4 < t {
			t = d / 4
		}
	}
	if t < 10*time.Millisecond {
		t = 10 * time.Millisecond
	}
	return t
}

// Addr is the address clients connect to (the real port when 0 was asked).
func (s *Server) Addr() net.Addr {
	if s.lp == nil {
		return nil
	}
	return s.lp.Addr()
}

// ClientURL is nats://host:port for the listener, for tests and tools.
func (s *Server) ClientURL() string {
	addr, ok := s.Addr().(*net.TCPAddr)
	if !ok {
		return ""
	}
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "nats://" + net.JoinHostPort(host, fmt.Sprint(addr.Port))
}

// NumClients is the number of open client connections.
func (s *Server) NumClients() int { return int(s.numClients.Load()) }

// NumSubscriptions is the number of subscriptions in the global account.
func (s *Server) NumSubscriptions() int { return s.gacc.sl.Count() }

// Shutdown closes every client and the listener. It is safe to call more
// than once and from any goroutine.
func (s *Server) Shutdown() {
	s.mu.Lock()
	if s.shutdown {
		s.mu.Unlock()
		<-s.done
		return
	}
	s.shutdown = true
	started := s.lp != nil
	s.mu.Unlock()

	if started {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := s.lp.Stop(ctx); err != nil {
			s.log.Errorf("Error stopping event loops: %v", err)
		}
		cancel()
	}
	s.bg.Wait()
	s.auth.Close()
	s.log.Noticef("Server Exiting..")
	close(s.done)
}

// WaitForShutdown blocks until Shutdown has completed.
func (s *Server) WaitForShutdown() { <-s.done }

// ReadyForConnections waits up to d for Start to be listening.
func (s *Server) ReadyForConnections(d time.Duration) bool {
	select {
	case <-s.ready:
		return true
	case <-time.After(d):
		return false
	}
}

func (s *Server) addClient(c *client) {
	s.mu.Lock()
	s.clients[c.cid] = c
	s.mu.Unlock()
}
