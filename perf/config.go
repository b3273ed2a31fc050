package perf

import (
	"fmt"
	"time"
)

// Config selects the servers, the scenarios and how long and how often
// each runs. The zero value (after withDefaults) is the default run: build
// natsloop, find the reference, every default scenario, 3 rounds of 2 s.
type Config struct {
	// Natsloop is the binary in the first column ("A"); empty means build
	// ./cmd/natsloop from the module root found from ModuleDir.
	Natsloop string
	// Reference is the binary in the second column ("B"); empty means
	// FindReference("").
	Reference string
	// LabelA and LabelB name the columns; empty means derived from the
	// binaries' -v output ("natsloop", "nats-server 2.9.10").
	LabelA, LabelB string
	// ModuleDir is where the natsloop module is looked for when Natsloop
	// is empty; empty means the working directory.
	ModuleDir string
	// TempDir holds the built binary and the TLS files; empty means
	// os.TempDir(). A fresh subdirectory is made and removed.
	TempDir string

	// Scenarios are scenario names (see Scenarios); empty means the
	// default set. "all" and "default" are accepted.
	Scenarios []string
	// Sizes are message sizes in bytes for the scenarios that take one;
	// empty means each scenario's own default sizes.
	Sizes []int

	// Rounds is how many times each server runs each case (alternating
	// A B A B ...).
	Rounds int
	// Warmup runs before the measured window of every run.
	Warmup time.Duration
	// Duration is the measured window of every run.
	Duration time.Duration
	// Msgs, when positive, makes the measured window publish exactly Msgs
	// messages instead of running for Duration.
	Msgs int64
	// Quick makes a ~30 s smoke run: short windows, one size per
	// scenario, fewer idle connections. Explicit settings still win.
	Quick bool

	Fanout       int // subscribers in fan-out 1:N
	Pubs, Subs   int // publishers and subscribers in N:M
	QueueMembers int // members of the queue group
	Requesters   int // concurrent requesters in request/reply
	Rate         int // messages per second in the open-loop latency scenario
	Conns        int // connections in the idle-connections scenario
	Subjects     int // distinct subjects in the multi-subject scenario

	ChurnSubjects int // distinct subjects the churn scenarios publish to
	// Loops, when positive, starts natsloop (A only) with that many event
	// loops (its config key `loops`); 0 leaves its default (GOMAXPROCS).
	Loops int
}

// withDefaults returns c with every unset field at its default.
func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if c.Rounds <= 0 {
		c.Rounds = 3
	}
	if c.Quick {
		if c.Duration <= 0 {
			c.Duration = 250 * time.Millisecond
		}
		if c.Warmup <= 0 {
			c.Warmup = 100 * time.Millisecond
		}
		def(&c.Conns, 2000)
	}
	if c.Duration <= 0 {
		c.Duration = 2 * time.Second
	}
	if c.Warmup <= 0 {
		c.Warmup = 300 * time.Millisecond
	}
	def(&c.Fanout, 4)
	def(&c.Pubs, 2)
	def(&c.Subs, 2)
	def(&c.QueueMembers, 4)
	def(&c.Requesters, 8)
	def(&c.Rate, 20000)
	def(&c.Conns, 10000)
	def(&c.Subjects, 100000)
	def(&c.ChurnSubjects, 1_000_000)
	return c
}

// validate checks the ranges of a defaulted Config.
func (c Config) validate() error {
	if c.Rounds > 100 {
		return fmt.Errorf("perf: rounds %d: at most 100", c.Rounds)
	}
	if c.Duration > 10*time.Minute || c.Warmup > 10*time.Minute {
		return fmt.Errorf("perf: duration/warmup over 10m")
	}
	for _, s := range c.Sizes {
		if s < 0 || s > 1<<20 {
			return fmt.Errorf("perf: size %d: must be 0..1MB", s)
		}
	}
	if c.Fanout > 1000 || c.Pubs > 1000 || c.Subs > 1000 || c.QueueMembers > 1000 || c.Requesters > 10000 {
		return fmt.Errorf("perf: at most 1000 clients per role")
	}
	if c.Rate > 10_000_000 {
		return fmt.Errorf("perf: rate %d: at most 10M/s", c.Rate)
	}
	if c.Loops < 0 || c.Loops > 1024 {
		return fmt.Errorf("perf: loops %d: 0..1024", c.Loops)
	}
	if c.Conns > 1_000_000 || c.Subjects > 10_000_000 || c.ChurnSubjects > 100_000_000 {
		return fmt.Errorf("perf: conns/subjects too large")
	}
	return nil
}
