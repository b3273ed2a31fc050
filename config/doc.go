// Package config turns a nats-server config file and nats-server's
// command line into Options, plain data for every setting.
//
// The file format is parsed by nats-server's own conf package (in its
// pedantic mode, which keeps the line and column of every value), so any
// file nats-server reads is read the same way: `a: 1`, `a = 1` and `a 1`,
// include "file" (relative to the including file), $VAR from enclosing
// blocks then the environment, sizes (1MB = 1048576, 1m = 1000000),
// durations ("2s"; a bare number is seconds, with a warning), listen:
// host:port, port: -1 (random), unquoted bcrypt hashes.
//
// Errors name the place: "config: /etc/x.conf:3:2: max_payload: expected
// a size, got \"abc\"". Unknown keys and nats-server features natsloop
// does not implement are Warnings, not errors.
//
// Flags (ParseFlags) load the -c file first and then apply only the flags
// given on the command line, as nats-server does.
//
// Concurrency: Load and ParseFlags share nothing; the package has no
// mutable package-level state. Options are plain values: the caller
// treats them as immutable once the server starts.
package config
