//go:build !invariants && !race

package flowtest

// serverTags: the natsloop under test is built as released.
const serverTags = ""
