//go:build (invariants || race) && (amd64 || arm64)

package loop

// curg returns the address of the calling goroutine's runtime g: an
// identity that no other live goroutine shares (curg_*.s).
func curg() uintptr
