// Package depcheck holds no code: its test runs `go list -deps` on every
// natsloop package and fails when an import points the wrong way in the
// layering of ../../../shared/DESIGN.md ("Imports point downward only").
package depcheck
