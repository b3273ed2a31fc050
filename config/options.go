package config

import (
	"net/url"
	"time"
)

// Defaults, as nats-server's.
const (
	DefaultHost                = "0.0.0.0"
	DefaultPort                = 4222
	DefaultMaxConn             = 64 * 1024
	DefaultMaxPayload          = 1024 * 1024
	DefaultMaxControlLine      = 4096
	DefaultMaxPending          = 64 * 1024 * 1024
	DefaultPingInterval        = 2 * time.Minute
	DefaultMaxPingsOut         = 2
	DefaultWriteDeadline       = 10 * time.Second
	DefaultAuthTimeout         = 2 * time.Second
	DefaultTLSTimeout          = 2 * time.Second
	DefaultLameDuckDuration    = 2 * time.Minute
	DefaultLameDuckGracePeriod = 10 * time.Second
	// DefaultHandshakeFirstFallback is the delay of handshake_first: auto.
	DefaultHandshakeFirstFallback = 50 * time.Millisecond
	// DefaultResponseMaxMsgs and DefaultResponseExpires apply to
	// allow_responses: true.
	DefaultResponseMaxMsgs = 1
	DefaultResponseExpires = 2 * time.Minute

	// MaxPayloadLimit is the largest max_payload accepted: nats-server
	// stores it in an int32. It must also not exceed max_pending (64MB by
	// default), which is the bound that matters in practice.
	MaxPayloadLimit = 1<<31 - 1
	// MaxPayloadWarn is the size above which nats-server warns that large
	// payloads are discouraged.
	MaxPayloadWarn = 8 * 1024 * 1024
	// MinLameDuckDuration is nats-server's lower bound for lame_duck_duration.
	MinLameDuckDuration = 30 * time.Second
)

// Options holds every setting as plain data. The zero value is not
// useful: start from Default (Load and ParseFlags do).
//
// Ports: Port 0 means "pick a random port" for the listener (config
// `port: -1` and `-p -1` both become 0; `port: 0` in a file means the
// default 4222, as in nats-server). HTTPPort, HTTPSPort and Cluster.Port
// keep nats-server's meaning: 0 = off, -1 = random.
//
// Some fields hold nats-server settings natsloop does not implement yet
// (ClientAdvertise, LameDuck*, LogSizeLimit, Syslog, RemoteSyslog,
// HTTP*, NoHeaderSupport, Cluster, JetStream, Account.Nkey,
// TLS.VerifyAndMap, TLS.HandshakeFirstFallback,
// TLS.ConnectionRateLimit): Load and ParseFlags refuse any value of them
// that asks for something (refuse.go), so they keep their defaults until
// the feature lands.
type Options struct {
	ConfigFile   string // the file Load read; "" without one
	ConfigDigest string // nats-server's digest of the file's settings: "sha256:..."

	Host            string // listen host, default 0.0.0.0
	Port            int    // client port; 0 = random
	ServerName      string
	ClientAdvertise string

	MaxConn        int   // max client connections (0 in a file = unlimited, stored as -1)
	MaxSubs        int   // max subscriptions per connection, 0 = unlimited
	MaxPayload     int   // bytes
	MaxControlLine int   // bytes
	MaxPending     int64 // outbound bytes per connection before slow consumer

	PingInterval        time.Duration
	MaxPingsOut         int
	WriteDeadline       time.Duration
	AuthTimeout         time.Duration // TLS timeout + 1s when TLS is on and none is set
	LameDuckDuration    time.Duration
	LameDuckGracePeriod time.Duration

	Debug        bool
	Trace        bool
	TraceVerbose bool
	Logtime      bool // default true
	LogtimeUTC   bool
	LogFile      string
	LogSizeLimit int64
	Syslog       bool
	RemoteSyslog string
	// NoSystemAccount turns off the events nats-server publishes through
	// its system account (natsloop publishes only the account-level ones).
	NoSystemAccount bool
	MaxTracedMsgLen int
	PidFile         string
	PortsFileDir    string

	HTTPHost     string
	HTTPPort     int // 0 = off, -1 = random
	HTTPSPort    int // 0 = off, -1 = random; served with the client TLS settings
	HTTPBasePath string

	NoHeaderSupport       bool
	ConnectErrorReports   int
	ReconnectErrorReports int

	// Loops is natsloop's own setting (config key `loops`): the number of
	// event loops; 0 = GOMAXPROCS.
	Loops int

	TLS           *TLS           // client TLS (`tls {}`); nil = plaintext
	Authorization *Authorization // nil when no authorization is configured
	Accounts      []*Account     // in file order
	Cluster       *Cluster       // nil when there is no cluster block or flag

	JetStream bool   // refused when true (natsloop is core NATS only)
	StoreDir  string // without JetStream, nothing uses it (nor in nats-server)
	ProfPort  int    // pprof on 127.0.0.1 (cmd/natsloop)

	// Signal is set when the action is ActionSignal.
	Signal Signal
}

// Signal is the request of -sl/--signal command[=pid].
type Signal struct {
	Command string // stop, quit, term, reopen, reload or ldm
	PID     string // a pid, a pid file path, or "" (find the process)
}

// TLS is a tls {} block (client, cluster or monitoring).
type TLS struct {
	CertFile         string
	KeyFile          string
	CAFile           string
	Verify           bool
	VerifyAndMap     bool
	Insecure         bool          // skip verification (cluster, client side)
	Timeout          time.Duration // handshake timeout, default 2s
	CipherSuites     []string      // crypto/tls names; nil = natsloop's policy
	CurvePreferences []string      // crypto/tls names (CurveP256, X25519, ...)
	MinVersion       string        // "1.2" or "1.3"; "" = 1.2
	PinnedCerts      []string      // sha256 of the peer's SubjectPublicKeyInfo, hex
	// HandshakeFirst: TLS before INFO. With HandshakeFirstFallback > 0
	// (handshake_first: auto or a duration) a client that stays silent that
	// long gets the INFO-first flow instead.
	HandshakeFirst         bool
	HandshakeFirstFallback time.Duration
	ConnectionRateLimit    int64
}

// Authorization is the top-level authorization {} block plus no_auth_user.
type Authorization struct {
	User               string
	Password           string // plain text or a bcrypt hash ($2a$...)
	Token              string // plain text or a bcrypt hash
	Timeout            time.Duration
	Users              []*User // users and nkey users of the authorization block
	DefaultPermissions *Permissions
	NoAuthUser         string
}

// Configured reports whether any credential is required.
func (a *Authorization) Configured() bool {
	return a != nil && (a.User != "" || a.Password != "" || a.Token != "" || len(a.Users) > 0)
}

// User is one entry of a users list. Exactly one of User and Nkey is set.
type User struct {
	User        string
	Password    string
	Nkey        string // public user nkey (U...)
	Permissions *Permissions
	Account     string // account name; "" = the global account $G
}

// Permissions restricts what a user may publish and subscribe to.
type Permissions struct {
	Publish   *SubjectPermission
	Subscribe *SubjectPermission // subjects may carry a queue: "foo.* q"
	// AllowResponses lets the user publish to reply subjects of requests
	// it received. When set and Publish.Allow was not given, Publish.Allow
	// is an empty non-nil list (deny everything else), as in nats-server.
	AllowResponses *ResponsePermission
}

// SubjectPermission lists allowed and denied subjects; deny wins. A nil
// Allow allows everything; an empty non-nil Allow allows nothing.
type SubjectPermission struct {
	Allow []string
	Deny  []string
}

// ResponsePermission bounds the responses allowed per request.
type ResponsePermission struct {
	MaxMsgs int           // default 1; negative = unlimited
	Expires time.Duration // default 2m; negative = never
}

// Account is one entry of the accounts {} block.
type Account struct {
	Name               string
	Nkey               string
	Users              []*User // each with Account set to Name
	DefaultPermissions *Permissions
	Exports            []Export
	Imports            []Import
}

// Export offers a stream or a service to other accounts.
type Export struct {
	Stream       string   // set for a stream export
	Service      string   // set for a service export
	Accounts     []string // nil = public
	ResponseType string   // services: "Singleton" (default), "Stream", "Chunked"
}

// Import brings another account's stream or service in.
type Import struct {
	Stream  *ImportSource
	Service *ImportSource
	Prefix  string // streams
	To      string // local subject (streams and services)
}

// ImportSource names what is imported.
type ImportSource struct {
	Account string
	Subject string
}

// Cluster is the cluster {} block and the cluster flags.
type Cluster struct {
	Name           string
	Host           string
	Port           int // 0 = no listener, -1 = random
	Advertise      string
	NoAdvertise    bool
	ConnectRetries int
	Routes         []*url.URL
	Authorization  *ClusterAuth
	TLS            *TLS
	PingInterval   time.Duration // 0 = the client ping_interval
	MaxPingsOut    int           // 0 = the client ping_max
	WriteDeadline  time.Duration // 0 = the client write_deadline
}

// ClusterAuth is cluster.authorization: one user for route links.
type ClusterAuth struct {
	User     string
	Password string
	Timeout  time.Duration
}

// Default returns nats-server's defaults.
func Default() *Options {
	return &Options{
		Host:                  DefaultHost,
		Port:                  DefaultPort,
		MaxConn:               DefaultMaxConn,
		MaxPayload:            DefaultMaxPayload,
		MaxControlLine:        DefaultMaxControlLine,
		MaxPending:            DefaultMaxPending,
		PingInterval:          DefaultPingInterval,
		MaxPingsOut:           DefaultMaxPingsOut,
		WriteDeadline:         DefaultWriteDeadline,
		AuthTimeout:           DefaultAuthTimeout,
		LameDuckDuration:      DefaultLameDuckDuration,
		LameDuckGracePeriod:   DefaultLameDuckGracePeriod,
		Logtime:               true,
		ConnectErrorReports:   3600,
		ReconnectErrorReports: 1,
	}
}
