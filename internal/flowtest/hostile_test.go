package flowtest

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"natsloop/internal/testcert"
)

// streamer writes block to a raw conn over and over until stopped or a
// write fails; Wait returns the bytes written.
type streamer struct {
	stop  atomic.Bool
	wrote atomic.Int64
	wg    sync.WaitGroup
}

func (s *streamer) run(c *raw, block []byte, limit time.Duration) {
	s.runEach(c, block, limit, 200*time.Millisecond)
}

// runEach is run with a write timeout of each (TLS conns cannot go on
// after a timed-out write: give them a long one).
func (s *streamer) runEach(c *raw, block []byte, limit, each time.Duration) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		end := time.Now().Add(limit)
		for !s.stop.Load() && time.Now().Before(end) {
			_ = c.nc.SetWriteDeadline(time.Now().Add(each))
			n, err := c.nc.Write(block)
			s.wrote.Add(int64(n))
			if err != nil && !strings.Contains(err.Error(), "timeout") {
				return
			}
			if n < len(block) && n > 0 {
				// Finish the partial block so the frames stay whole.
				_ = c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
				m, err := c.nc.Write(block[n:])
				s.wrote.Add(int64(m))
				if err != nil {
					return
				}
			}
		}
	}()
}

func (s *streamer) halt() int64 {
	s.stop.Store(true)
	s.wg.Wait()
	return s.wrote.Load()
}

// sampler measures a client's PING round trip every 20 ms.
type sampler struct {
	worst atomic.Int64
	stop  chan struct{}
	done  chan struct{}
}

func sample(t *testing.T, c *raw) *sampler {
	s := &sampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for {
			select {
			case <-s.stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			start := time.Now()
			if _, err := c.nc.Write([]byte("PING\r\n")); err != nil {
				return
			}
			for {
				l, err := c.line(10 * time.Second)
				if err != nil {
					s.worst.Store(int64(time.Hour))
					return
				}
				if l == "PONG" {
					break
				}
			}
			if d := int64(time.Since(start)); d > s.worst.Load() {
				s.worst.Store(d)
			}
		}
	}()
	return s
}

func (s *sampler) halt() time.Duration {
	close(s.stop)
	<-s.done
	return time.Duration(s.worst.Load())
}

// maxPendingHostile is max_pending in the hostile cases; the RSS bound
// derived from it: the stalled consumer's queue (at most max_pending,
// then it is closed), the same again for gnet's pooled buffers that held
// it, and 32 MiB for the process itself (natsloop idles at ~10 MiB).
const (
	maxPendingHostile = 16 * mib
	hostileRSSCap     = 2*maxPendingHostile + 32*mib
)

// TestNeverReadingSubscriberAndPublisher: a subscriber that never reads
// and a raw publisher streaming 1 KB messages. The stalled subscriber is
// closed at max_pending (the write deadline is far away), the server's
// peak RSS stays below hostileRSSCap, another client's PING round trip
// stays in milliseconds throughout, and the publisher's PING is answered
// within a second once the subscriber was closed.
func TestNeverReadingSubscriberAndPublisher(t *testing.T) {
	dir := t.TempDir()
	ca := testcert.NewCA(t, dir, "flow")
	cert, key := ca.Issue(t, dir, "server")
	tlsConf := fmt.Sprintf("tls {\n  cert_file: %q\n  key_file: %q\n}\n", cert, key)
	for _, sd := range sides(t) {
		for _, useTLS := range []bool{false, true} {
			name := sd.name
			if useTLS {
				name += "/tls"
			}
			t.Run(name, func(t *testing.T) {
				conf := fmt.Sprintf("max_pending: %d\nwrite_deadline: \"60s\"\n", maxPendingHostile)
				if useTLS {
					conf += tlsConf
				}
				p := start(t, sd.bin, conf)
				idle := p.rss(t)
				conn := func(extra string) *raw {
					if useTLS {
						return connectedTLS(t, p.addr, ca.CAFile, extra)
					}
					return connected(t, p.addr, extra)
				}
				neverReading(t, sd, p, idle, conn, useTLS)
			})
		}
	}
}

func neverReading(t *testing.T, sd side, p *proc, idle int64, conn func(extra string) *raw, useTLS bool) {
	stuck := conn("SUB flood 1\r\n")
	observer := conn("")
	pub := conn("")
	obs := sample(t, observer)
	var st streamer
	each := 200 * time.Millisecond
	if useTLS {
		each = 20 * time.Second
	}
	st.runEach(pub, pubBlock("flood", 1024, 64), 20*time.Second, each)
	p.waitLog(t, "Slow Consumer Detected", 15*time.Second)
	closedAt := time.Now()
	wrote := st.halt()
	rtt := pub.pingRTT(t, 10*time.Second)
	sinceClose := time.Since(closedAt)
	worst := obs.halt()
	rss := p.peakRSS(t)
	t.Logf("%s: publisher wrote %.0f MiB; peak RSS %.1f MiB; observer worst PING %v; publisher PING %v (%v after the close)",
		sd.name, float64(wrote)/mib, float64(rss)/mib, worst, rtt, sinceClose)
	if sd.name != "natsloop" {
		return
	}
	if !strings.Contains(p.logText(), "MaxPending of") {
		t.Fatalf("the stalled subscriber was not closed at max_pending:\n%s", tail(p.logText(), 2000))
	}
	if rss > hostileRSSCap {
		t.Errorf("peak RSS %.1f MiB, want below %d MiB", float64(rss)/mib, hostileRSSCap/mib)
	}
	if worst > 250*time.Millisecond {
		t.Errorf("another client's PING round trip reached %v", worst)
	}
	if sinceClose > time.Second {
		t.Errorf("publisher's PING answered %v after the stalled subscriber was closed", sinceClose)
	}
	settles(t, sd, p, idle, stuck, observer, pub)
}

// TestFastPublisherReadingSubscriber: nobody misbehaves, a raw publisher
// streams 1 KB messages to a raw subscriber that reads as fast as it can:
// memory stays bounded by the flow-control marks, not the traffic.
func TestFastPublisherReadingSubscriber(t *testing.T) {
	for _, sd := range sides(t) {
		t.Run(sd.name, func(t *testing.T) {
			p := start(t, sd.bin, "")
			idle := p.rss(t)
			sub := connected(t, p.addr, "SUB flood 1\r\n")
			var got atomic.Int64
			go func() {
				buf := make([]byte, 256<<10)
				for {
					_ = sub.nc.SetReadDeadline(time.Now().Add(30 * time.Second))
					n, err := sub.r.Read(buf)
					got.Add(int64(n))
					if err != nil {
						return
					}
				}
			}()
			pub := connected(t, p.addr, "")
			var st streamer
			st.run(pub, pubBlock("flood", 1024, 64), 3*time.Second)
			st.wg.Wait() // the full 3 s
			wrote := st.halt()
			rtt := pub.pingRTT(t, 10*time.Second)
			rss := p.peakRSS(t)
			t.Logf("%s: %.0f MiB published, %.0f MiB received; peak RSS %.1f MiB; publisher PING %v",
				sd.name, float64(wrote)/mib, float64(got.Load())/mib, float64(rss)/mib, rtt)
			if sd.name == "natsloop" && rss > 64*mib {
				t.Errorf("peak RSS %.1f MiB, want below 64 MiB", float64(rss)/mib)
			}
			settles(t, sd, p, idle, sub, pub)
		})
	}
}

// TestUnauthenticatedFlood: 20 connections send a CONNECT with a wrong
// password for a bcrypt user and then stream PUBs. Nothing past a
// CONNECT is read while its check runs: every one gets Authorization
// Violation and the server holds no more than a few KB for each.
func TestUnauthenticatedFlood(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("right"), 11)
	if err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf("authorization {\n  users: [{user: alice, password: %q}]\n}\n", hash)
	for _, sd := range sides(t) {
		t.Run(sd.name, func(t *testing.T) {
			p := start(t, sd.bin, conf)
			const n = 20
			block := pubBlock("flood", 1024, 64)
			var wg sync.WaitGroup
			answers := make(chan string, n)
			var streams []*streamer
			for i := 0; i < n; i++ {
				c := dialRaw(t, p.addr)
				c.expect(t, "INFO", 5*time.Second)
				c.send(t, fmt.Sprintf("CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"wrong%d\"}\r\n", i))
				st := &streamer{}
				st.run(c, block, 5*time.Second)
				streams = append(streams, st)
				wg.Add(1)
				go func() {
					defer wg.Done()
					l, err := c.line(10 * time.Second)
					if err != nil {
						l = err.Error()
					}
					answers <- l
				}()
			}
			wg.Wait()
			close(answers)
			var wrote int64
			for _, st := range streams {
				wrote += st.halt()
			}
			rss := p.peakRSS(t)
			t.Logf("%s: clients wrote %.0f MiB; peak RSS %.1f MiB", sd.name, float64(wrote)/mib, float64(rss)/mib)
			for l := range answers {
				if l != "-ERR 'Authorization Violation'" {
					t.Errorf("answer %q, want Authorization Violation", l)
				}
			}
			if sd.name == "natsloop" && rss > 48*mib {
				t.Errorf("peak RSS %.1f MiB, want below 48 MiB", float64(rss)/mib)
			}
		})
	}
}

// settles checks that once a burst is over and its clients left, the
// server's RSS goes back to within 8 MiB of what it was idle, within
// seconds (Go alone takes minutes to return freed memory).
func settles(t *testing.T, sd side, p *proc, idle int64, clients ...*raw) {
	t.Helper()
	for _, c := range clients {
		_ = c.nc.Close()
	}
	start := time.Now()
	for p.rss(t) > idle+8*mib && time.Since(start) < 10*time.Second {
		time.Sleep(100 * time.Millisecond)
	}
	rss := p.rss(t)
	t.Logf("%s: RSS %.1f MiB (idle %.1f MiB) %v after the burst", sd.name, float64(rss)/mib, float64(idle)/mib,
		time.Since(start).Round(100*time.Millisecond))
	if sd.name == "natsloop" && rss > idle+8*mib {
		t.Errorf("RSS still %.1f MiB 10 s after the burst (idle: %.1f MiB)", float64(rss)/mib, float64(idle)/mib)
	}
}
