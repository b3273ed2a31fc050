package loop

import (
	"errors"
	"runtime"
	"strings"
	"time"
)

// Errors reported by the package. The slow-consumer errors are passed to
// Handler.OnClose as the reason a connection was closed.
var (
	// ErrSlowConsumerPending: after a flush, the bytes still waiting to be
	// written to the socket exceeded Config.MaxPending.
	ErrSlowConsumerPending = errors.New("loop: slow consumer: max pending exceeded")
	// ErrSlowConsumerDeadline: the socket did not accept queued bytes for
	// longer than Config.WriteDeadline.
	ErrSlowConsumerDeadline = errors.New("loop: slow consumer: write deadline exceeded")
	// ErrServerStopped is the close reason of connections closed by Stop.
	ErrServerStopped = errors.New("loop: server stopped")
	// ErrNotStarted is returned by methods that need a running server.
	ErrNotStarted = errors.New("loop: server not started")
	// ErrAlreadyStarted is returned by a second call to Start.
	ErrAlreadyStarted = errors.New("loop: server already started")
)

// Balance selects how accepted connections are spread over the loops.
type Balance int

const (
	// LeastConnections puts a new connection on the loop with the fewest
	// connections (the default).
	LeastConnections Balance = iota
	// RoundRobin cycles over the loops.
	RoundRobin
)

// Logger receives gnet's own log lines. Its method set is gnet's
// logging.Logger, so any such logger fits.
type Logger interface {
	Debugf(format string, args ...any)
	Infof(format string, args ...any)
	Warnf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Defaults applied by New for zero Config fields.
const (
	DefaultTick          = time.Second
	DefaultMaxPending    = 64 << 20
	DefaultWriteDeadline = 10 * time.Second
	DefaultReadBufferCap = 128 << 10
)

// Config is plain data; New copies it and fills the defaults.
type Config struct {
	// Addr to listen on: "host:port" or "tcp://host:port". Port 0 picks a
	// free port (see Server.Addr). Empty means "127.0.0.1:0".
	Addr string
	// Loops is the number of event loops (shards); 0 means GOMAXPROCS.
	Loops int
	// Tick is the period of Handler.OnTick and of the write-deadline check;
	// 0 means DefaultTick.
	Tick time.Duration
	// MaxPending bounds the bytes queued for one connection after a flush
	// (staged + not yet accepted by the socket); beyond it the connection
	// is closed with ErrSlowConsumerPending. 0 means DefaultMaxPending,
	// negative disables the check.
	MaxPending int
	// WriteDeadline: a connection whose outbound bytes have not been fully
	// written for this long (checked at ticks) is closed with
	// ErrSlowConsumerDeadline. 0 means DefaultWriteDeadline, negative
	// disables the check.
	WriteDeadline time.Duration
	// ReadBufferCap is the size of each loop's read buffer (one read(2) per
	// readable event); 0 means DefaultReadBufferCap.
	ReadBufferCap int
	// Balance picks the load balancing of accepted connections.
	Balance Balance
	// SocketRecvBuffer / SocketSendBuffer set SO_RCVBUF / SO_SNDBUF when > 0.
	SocketRecvBuffer int
	SocketSendBuffer int
	// TCPKeepAlive enables TCP keep-alive with this period when > 0.
	TCPKeepAlive time.Duration
	// Logger receives gnet's log lines; nil discards them.
	Logger Logger
}

func (cfg Config) withDefaults() Config {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if !strings.Contains(cfg.Addr, "://") {
		cfg.Addr = "tcp://" + cfg.Addr
	}
	if cfg.Loops <= 0 {
		cfg.Loops = runtime.GOMAXPROCS(0)
	}
	if cfg.Tick <= 0 {
		cfg.Tick = DefaultTick
	}
	if cfg.MaxPending == 0 {
		cfg.MaxPending = DefaultMaxPending
	}
	if cfg.WriteDeadline == 0 {
		cfg.WriteDeadline = DefaultWriteDeadline
	}
	if cfg.ReadBufferCap <= 0 {
		cfg.ReadBufferCap = DefaultReadBufferCap
	}
	if cfg.Logger == nil {
		cfg.Logger = discardLogger{}
	}
	return cfg
}

type discardLogger struct{}

func (discardLogger) Debugf(string, ...any) {}
func (discardLogger) Infof(string, ...any)  {}
func (discardLogger) Warnf(string, ...any)  {}
func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Fatalf(string, ...any) {}
