// Package logging writes nats-server's log line format.
//
// A line is
//
//	[pid] YYYY/MM/DD HH:MM:SS.uuuuuu [LVL] text
//
// or, with timestamps off (-T=false, logtime: false),
//
//	[pid] [LVL] text
//
// where LVL is INF (Noticef), WRN (Warnf), ERR (Errorf), FTL (Fatalf),
// DBG (Debugf, only when debug is on) and TRC (Tracef, only when trace is
// on). Fatalf logs and returns: exiting is the caller's decision.
//
// Concurrency: a *Log is safe for concurrent use. Each line is formatted
// into a pooled buffer outside the lock and written with one Write call
// under a mutex, so lines never interleave. Debug and trace flags are
// atomics: hot paths call Debug()/Trace() before formatting anything.
//
// Reopen (SIGUSR1) closes and reopens the log file so that external
// rotation (logrotate) works.
package logging
