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
// Errors name the place as nats-server does, "x.conf:3:2: ..." (columns
// count from 0 on the first line, as nats-server's parser does), and the
// key: `max_payload: expected a size, got "abc"`. As in nats-server, a
// key it does not know stops the server (`unknown field "max_paylod"`).
// A key nats-server knows and natsloop does not implement stops it too
// (`leafnodes: not supported by natsloop; ...`) unless its value asks
// for nothing (false, 0, "", an empty block): every setting natsloop
// accepts works. refuse.go lists them. Warnings are what nats-server
// warns about and starts with (`invalid use of field "ping_interval":
// ...`).
//
// The block loaders share one skeleton (loader.each): a map of fields,
// one function that knows some keys, the rest refused as unknown. TLS
// files are read and parsed while loading, as nats-server does, so that
// -t reports a missing or bad certificate at its setting.
//
// Flags (ParseFlags) load the -c file first and then apply only the flags
// given on the command line, as nats-server does. Usage and TLSUsage are
// the -h and --help_tls texts.
//
// Concurrency: Load and ParseFlags share nothing; the package has no
// mutable package-level state. Options are plain values: the caller
// treats them as immutable once the server starts.
package config
