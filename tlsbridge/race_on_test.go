//go:build race

package tlsbridge

// raceEnabled: the race detector allocates inside instrumented code, so
// allocation counts are meaningless under it.
const raceEnabled = true
