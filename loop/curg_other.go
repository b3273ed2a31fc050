//go:build (invariants || race) && !amd64 && !arm64

package loop

import "runtime"

// curg returns the calling goroutine's id, parsed from the header of its
// stack trace ("goroutine 18 [running]:"). Slow and allocating; only the
// architectures without curg_*.s use it.
func curg() uintptr {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	var id uintptr
	for _, ch := range buf[len("goroutine "):n] {
		if ch < '0' || ch > '9' {
			break
		}
		id = id*10 + uintptr(ch-'0')
	}
	return id
}
