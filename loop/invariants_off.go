//go:build !invariants && !race

package loop

// invariants is false: the checks below compile to nothing (see
// invariants.go for the builds that have them).
const invariants = false

type loopOwner struct{}

func (loopOwner) claim()             {}
func (*Shard) onLoop()               {}
func (*Shard) mustRun(string, *Conn) {}
