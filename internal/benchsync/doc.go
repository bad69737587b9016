// Package benchsync holds the benchmarks that compare the sync engine with a
// hand-written loop: client CPU per record against canned responses, peak
// memory of a separate process at 100,000 and 1,000,000 records, quota use
// under LinkedIn's limits over every phase, and the in-process fake's own
// ingest rate. internal/benchreport runs them and writes docs/benchmarks.md.
//
//	go test -run '^$' -bench . ./internal/benchsync
package benchsync
