package loop

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"natsloop/internal/testcert"
	"natsloop/tlsbridge"
)

// tlsCerts is generated per test: a CA, a server cert for 127.0.0.1 and
// localhost and a client cert signed by it, and a second CA with a client
// cert of its own.
type tlsCerts struct {
	pool, otherPool *x509.CertPool
	server          tls.Certificate
	client          tls.Certificate
	otherClient     tls.Certificate
}

func newTLSCerts(tb testing.TB) *tlsCerts {
	tb.Helper()
	ca := testcert.MustNew(tb, "loop test CA")
	other := testcert.MustNew(tb, "loop other CA")
	return &tlsCerts{
		pool:        ca.Pool(),
		otherPool:   other.Pool(),
		server:      ca.MustLeaf(tb, testcert.Spec{Name: "server", Use: testcert.ServerOnly}).TLS(),
		client:      ca.MustLeaf(tb, testcert.Spec{Name: "client", Use: testcert.ClientOnly}).TLS(),
		otherClient: other.MustLeaf(tb, testcert.Spec{Name: "other-client", Use: testcert.ClientOnly}).TLS(),
	}
}

// serverConfig is like tlsbridge.ServerConfig: 16 KB records from the
// first byte (no dynamic record sizing).
func (f *tlsCerts) serverConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{f.server}, MinVersion: tls.VersionTLS12,
		DynamicRecordSizingDisabled: true}
}

func (f *tlsCerts) clientConfig() *tls.Config {
	return &tls.Config{RootCAs: f.pool, ServerName: "localhost", MinVersion: tls.VersionTLS12}
}

// connLog records, per conn, the OnClose reason and the onReady error.
type connLog struct {
	mu     sync.Mutex
	closed map[uint64]error
	ready  map[uint64]error
	opened []*Conn
	nReady atomic.Int64
}

func newConnLog() *connLog {
	return &connLog{closed: map[uint64]error{}, ready: map[uint64]error{}}
}

func (l *connLog) open(c *Conn) {
	l.mu.Lock()
	l.opened = append(l.opened, c)
	l.mu.Unlock()
}

func (l *connLog) onReady(c *Conn, err error) {
	l.mu.Lock()
	l.ready[c.ID()] = err
	l.mu.Unlock()
	l.nReady.Add(1)
}

func (l *connLog) onClose(c *Conn, err error) {
	l.mu.Lock()
	l.closed[c.ID()] = err
	l.mu.Unlock()
}

func (l *connLog) closeReason(c *Conn) (error, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	err, ok := l.closed[c.ID()]
	return err, ok
}

func (l *connLog) readyErr(c *Conn) (error, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	err, ok := l.ready[c.ID()]
	return err, ok
}

func (l *connLog) conn(i int) *Conn {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i < len(l.opened) {
		return l.opened[i]
	}
	return nil
}

func (l *connLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.opened)
}

// tlsMode is how a test server starts TLS.
type tlsMode int

const (
	tlsFirst   tlsMode = iota // StartTLS in OnOpen (handshake_first)
	tlsUpgrade                // StartTLS on the first OnData that LooksLikeTLS
)

// tlsServerOpts configures tlsHandler.
type tlsServerOpts struct {
	cfg     *tls.Config
	mode    tlsMode
	timeout time.Duration
	open    func(c *Conn) // after StartTLS (tlsFirst) or instead of it
	ready   func(c *Conn) // in onReady on success
	data    func(c *Conn, b []byte) int
	log     *connLog
}

// upgraded marks a conn whose first bytes were seen (tlsUpgrade).
type upgraded struct{}

func tlsHandler(o tlsServerOpts) *funcHandler {
	if o.log == nil {
		o.log = newConnLog()
	}
	if o.timeout == 0 {
		o.timeout = 5 * time.Second
	}
	inner := o.data
	if inner == nil {
		inner = echo
	}
	onReady := func(c *Conn, err error) {
		o.log.onReady(c, err)
		if err == nil && o.ready != nil {
			o.ready(c)
		}
	}
	h := &funcHandler{close: o.log.onClose}
	h.open = func(c *Conn) {
		o.log.open(c)
		if o.mode == tlsFirst {
			c.StartTLS(o.cfg, false, o.timeout, nil, onReady)
		}
		if o.open != nil {
			o.open(c)
		}
	}
	h.data = func(c *Conn, b []byte) int {
		if o.mode == tlsUpgrade && c.Value == nil {
			c.Value = upgraded{}
			if tlsbridge.LooksLikeTLS(b) {
				c.StartTLS(o.cfg, false, o.timeout, b, onReady)
				return len(b)
			}
		}
		return inner(c, b)
	}
	return h
}

// dialTLS dials s and completes a TLS handshake with cfg.
func dialTLS(tb testing.TB, s *Server, cfg *tls.Config) *tls.Conn {
	tb.Helper()
	tc := tls.Client(dial(tb, s), cfg)
	_ = tc.SetDeadline(time.Now().Add(10 * time.Second))
	if err := tc.Handshake(); err != nil {
		tb.Fatalf("handshake: %v", err)
	}
	_ = tc.SetDeadline(time.Time{})
	return tc
}

// recordCounter wraps a net.Conn and counts the TLS records read through
// it (by parsing the 5-byte record headers of the raw stream).
type recordCounter struct {
	net.Conn
	records atomic.Int64
	hdr     [5]byte
	nhdr    int
	body    int // bytes of the current record body still to come
}

func (r *recordCounter) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	b := p[:n]
	for len(b) > 0 {
		if r.body > 0 {
			k := min(r.body, len(b))
			r.body -= k
			b = b[k:]
			continue
		}
		k := copy(r.hdr[r.nhdr:], b)
		r.nhdr += k
		b = b[k:]
		if r.nhdr == 5 {
			r.nhdr = 0
			r.body = int(r.hdr[3])<<8 | int(r.hdr[4])
			r.records.Add(1)
		}
	}
	return n, err
}
