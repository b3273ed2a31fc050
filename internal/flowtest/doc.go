// Package flowtest holds end-to-end tests of flow control and bounded
// memory: they build cmd/natsloop, run it as its own process (so that its
// peak RSS is the server's alone) and drive it with nats.go and raw
// clients through the cases of docs/design/0004: a subscriber that never
// reads next to healthy ones, a fast publisher, unauthenticated floods.
//
// With NATSLOOP_FLOW_COMPARE=1 every case also runs against the reference
// nats-server (NATSLOOP_REFERENCE, else nats-server on PATH) with the same
// script, and both peak RSS figures are logged; the assertions hold for
// natsloop only.
//
// Run with -race or -tags invariants, the server binary is built with the
// invariants tag (package loop's checks of its loop-only calls).
//
// The package has no non-test code.
package flowtest
