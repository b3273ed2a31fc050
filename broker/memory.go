package broker

import (
	"runtime/debug"
	"time"
)

// settleEvery is how often the server looks whether a burst has ended.
const settleEvery = time.Second

// settleMemory hands memory back to the system within seconds of a burst
// ending, instead of the minutes Go's background scavenger takes: once
// the message totals and connection counts have not moved for two checks
// in a row after they moved, the heap is collected and its free pages
// released, once per burst. It runs until the server shuts down.
func (s *Server) settleMemory() {
	tk := time.NewTicker(settleEvery)
	defer tk.Stop()
	var last int64
	quiet, settled := 0, true
	for {
		select {
		case <-s.done:
			return
		case <-tk.C:
		}
		st := s.Stats()
		total := st.InBytes + st.OutBytes + st.TotalConnections + int64(st.Connections)
		if total != last {
			last, quiet, settled = total, 0, false
			continue
		}
		if quiet++; quiet >= 2 && !settled {
			// Twice: buffers in sync.Pools (gnet's) survive one collection.
			debug.FreeOSMemory()
			debug.FreeOSMemory()
			settled = true
		}
	}
}
