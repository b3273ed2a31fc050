package broker

// readMirror replays, over a client's input, the reads nats-server would
// make of it when the bytes arrive together: its read buffer starts at
// 512 bytes, doubles after a read that fills it (up to 64 KiB) and halves
// after more than two short reads (down to 64 bytes). One behaviour a
// client can see depends on those boundaries: when a read ends inside
// the payload of a PUB whose control line it read whole, nats-server reads
// the line again, and a pedantic client publishing to an invalid subject
// gets -ERR 'Invalid Publish Subject' twice. Loop-owned, like the client.
type readMirror struct {
	size   int     // the next read's buffer size (0: not started)
	shorts int     // short reads in a row
	seen   int64   // input offset the mirrored reads have covered
	ends   []int64 // ends of mirrored reads since the last arrival's op start
}

// nats-server's read buffer sizes and shrink trigger.
const (
	mirrorStartSize = 512
	mirrorMinSize   = 64
	mirrorMaxSize   = 64 << 10
	mirrorShrink    = 2
)

// arrive accounts the input up to offset end, which arrived together.
// Read ends before keep (the start of the op being parsed, or of an
// earlier one) are dropped: no op that is still to be checked needs them.
func (m *readMirror) arrive(keep, end int64) {
	if m.size == 0 {
		m.size = mirrorStartSize
	}
	m.forget(keep)
	for m.seen < end {
		n := int(min(int64(m.size), end-m.seen))
		m.seen += int64(n)
		m.ends = append(m.ends, m.seen)
		switch {
		case n >= m.size:
			m.shorts = 0
		case n < m.size/2:
			m.shorts++
		}
		switch {
		case n >= m.size && m.size < mirrorMaxSize:
			m.size *= 2
		case n < m.size && m.size > mirrorMinSize && m.shorts > mirrorShrink:
			m.size /= 2
		}
	}
}

// forget drops the read ends before off.
func (m *readMirror) forget(off int64) {
	i := 0
	for i < len(m.ends) && m.ends[i] < off {
		i++
	}
	if i > 0 {
		m.ends = append(m.ends[:0], m.ends[i:]...)
	}
}

// endIn reports whether a mirrored read ends in [from, to).
func (m *readMirror) endIn(from, to int64) bool {
	for _, e := range m.ends {
		if e >= from && e < to {
			return true
		}
	}
	return false
}

// splitsPayload reports whether nats-server would read the control line
// of an op spanning [start, end), whose line ends at line, whole and then
// end a read inside its payload.
func (m *readMirror) splitsPayload(start, line, end int64) bool {
	return !m.endIn(start+1, line) && m.endIn(line, end)
}
