// Package testcert makes throwaway certificate authorities and
// certificates for tests: nothing that expires is checked in. It is used
// only from _test.go files. Safe for concurrent use (no shared state).
package testcert
