// Package testcert makes throwaway certificate authorities and
// certificates: nothing that expires is checked in. Tests use it, and so
// does the perf harness for its TLS scenarios, which is why the package
// depends on the standard library only and takes a small TB interface
// rather than importing testing.
//
// A CA lives in memory (New, MustNew) and may be written to a file
// (NewCA, WriteFile). Leaves are ECDSA P-256 or RSA 2048, for server
// and/or client use; server leaves name localhost and 127.0.0.1. Keys are
// written as PKCS#8. Everything is valid from an hour ago for a day.
//
// Safe for concurrent use (no shared state).
package testcert
