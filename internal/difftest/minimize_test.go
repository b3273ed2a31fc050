package difftest

import (
	"bytes"
	"time"
)

// minimizer reduces a stream while it keeps a difference of one signature.
type minimizer struct {
	pr     pair
	sig    string
	trials int       // runs left
	until  time.Time // give up after this
}

// differs runs st on both servers and reports whether the first
// difference has the signature being minimized.
func (m *minimizer) differs(st Stream) bool {
	if m.trials <= 0 || time.Now().After(m.until) {
		return false
	}
	m.trials--
	got, ref := runPair(st, m.pr)
	d := firstDiff(got, ref)
	return d != nil && d.Signature() == m.sig
}

// minimize reduces st: whole segments, then lines of each segment, then
// bytes of each segment; then it numbers the clients left from 0.
func (m *minimizer) minimize(st Stream) Stream {
	st = st.clone()
	st.Segments = ddmin(st.Segments, func(segs []Segment) bool {
		return len(segs) > 0 && m.differs(Stream{Config: st.Config, Segments: segs})
	})
	for _, split := range []func([]byte) [][]byte{splitLines, splitBytes} {
		for i := range st.Segments {
			parts := ddmin(split(st.Segments[i].Data), func(parts [][]byte) bool {
				c := st.clone()
				c.Segments[i].Data = bytes.Join(parts, nil)
				return m.differs(c)
			})
			st.Segments[i].Data = bytes.Join(parts, nil)
		}
	}
	if c := renumber(st); !equalStreams(c, st) && m.differs(c) {
		st = c
	}
	return st
}

// ddmin is delta debugging (complements only): it removes chunks of items
// while test still holds.
func ddmin[T any](items []T, test func([]T) bool) []T {
	n := 2
	for len(items) >= 2 {
		chunk := (len(items) + n - 1) / n
		reduced := false
		for start := 0; start < len(items); start += chunk {
			end := min(start+chunk, len(items))
			rest := append(append([]T(nil), items[:start]...), items[end:]...)
			if test(rest) {
				items, n, reduced = rest, max(n-1, 2), true
				break
			}
		}
		if reduced {
			continue
		}
		if n >= len(items) {
			break
		}
		n = min(2*n, len(items))
	}
	if len(items) == 1 && test(nil) {
		return nil
	}
	return items
}

// splitLines cuts after each "\n".
func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			i = len(b) - 1
		}
		out = append(out, b[:i+1])
		b = b[i+1:]
	}
	return out
}

func splitBytes(b []byte) [][]byte {
	out := make([][]byte, len(b))
	for i := range b {
		out[i] = b[i : i+1]
	}
	return out
}

// renumber gives the clients of st numbers from 0 in order of first use.
func renumber(st Stream) Stream {
	c := st.clone()
	ids := map[int]int{}
	for i, sg := range c.Segments {
		id, ok := ids[sg.Client]
		if !ok {
			id = len(ids)
			ids[sg.Client] = id
		}
		c.Segments[i].Client = id
	}
	return c
}

func equalStreams(a, b Stream) bool {
	if a.Config != b.Config || len(a.Segments) != len(b.Segments) {
		return false
	}
	for i := range a.Segments {
		if a.Segments[i].Client != b.Segments[i].Client || !bytes.Equal(a.Segments[i].Data, b.Segments[i].Data) {
			return false
		}
	}
	return true
}
