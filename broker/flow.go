package broker

import (
	"math"
	"time"

	"natsloop/loop"
)

// Flow control (see docs/design/0004): a publisher whose delivery finds a
// consumer holding more than highWater bytes (loop.Shard.Pending: queued
// on other loops, staged, and not yet taken by its socket) stops reading
// its socket until that consumer is down to lowWater, is closed, or
// stallWait has passed. A wait that times out (the consumer reads too
// slowly or not at all) lets the publisher go on for stallAllowance bytes
// of input without stalling, so a consumer that stops reading still
// reaches max_pending and is closed as a slow consumer, as with
// nats-server, instead of holding its publishers for the write deadline.
const (
	// maxHighWater caps the high-water mark: the kernel's socket buffers
	// already hold a few MB per consumer, so more buys no throughput.
	maxHighWater = 512 << 10
	// stallWait bounds one wait of a publisher (nats-server stalls a
	// producer for 2 to 5 ms at a time, at most 10 ms per read).
	stallWait = 10 * time.Millisecond
	// minStallAllowance is the least input a publisher processes without
	// stalling after a wait timed out.
	minStallAllowance = 64 << 10
)

// flowLimits are the server's flow-control marks; immutable after New.
type flowLimits struct {
	high      int // a consumer above this pauses its publishers
	low       int // they resume once it is at or below this
	allowance int // input processed without stalling after a timed-out wait
}

// newFlowLimits derives the marks from max_pending (<= 0: unlimited, no
// flow control).
func newFlowLimits(maxPending int64) flowLimits {
	if maxPending <= 0 {
		return flowLimits{high: math.MaxInt, low: math.MaxInt, allowance: math.MaxInt}
	}
	high := min(int(maxPending/2), maxHighWater)
	return flowLimits{
		high:      high,
		low:       high / 2,
		allowance: max(minStallAllowance, int(maxPending/64)),
	}
}

// overHigh notes dst as the consumer to wait for when its pending output
// passed the high-water mark (the first such consumer of this op).
func (c *client) overHigh(sh *loop.Shard, dst *client) {
	if c.waitOn == nil && c.stallFree <= 0 && dst != c &&
		sh.Pending(dst.conn) > c.srv.flow.high {
		c.waitOn = dst
	}
}

// waitForConsumer pauses the publisher's reads after the current op until
// the consumer noted by overHigh drains (loop.Shard.WaitDrain). It
// reports whether it paused.
func (c *client) waitForConsumer() bool {
	dst := c.waitOn
	if dst == nil {
		return false
	}
	c.waitOn = nil
	if dst.conn.Closed() {
		return false
	}
	c.conn.Shard().WaitDrain(c.conn, dst.conn, c.srv.flow.low, stallWait)
	return true
}

// afterWait runs when the publisher reads again: a wait that timed out
// grants the allowance.
func (c *client) afterWait() {
	if c.conn.WaitExpired() {
		c.stallFree = c.srv.flow.allowance
	}
}
