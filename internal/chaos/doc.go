// Package chaos holds the SDK's end-to-end robustness suites. It has no
// exported API: everything is in its tests.
//
// TestChaos runs the sync engine (package sync) against the fake LinkedIn
// (rsc/rsctest) under fault profiles: 5xx rates up to 20%, connection
// resets, latency spikes, 429 bursts, a daily quota that runs out mid-run
// (the engine parks until UTC midnight and resumes by itself), tokens
// revoked mid-run, and lost responses (the write is applied, the client sees
// a reset: the case that could create a job twice). Each profile runs the
// historical sync, changes the ATS (updates, new records, deletions), runs
// the incremental sync, and checks after each pass that LinkedIn equals the
// Source record for record, that no job was created twice and that every
// record is either on LinkedIn or in the dead letters. It runs inside
// testing/synctest bubbles, so no test sleeps in real time.
//
// TestCrashResume serves the fake on a loopback listener and runs the sync
// in a child process (the test binary re-executed as TestCrashChild) with
// the file checkpoint and dead-letter stores. It SIGKILLs the child after a
// seeded-random number of committed batches, many times, restarting it on
// the same data directory until a run completes, then checks the same
// equality and that only batches in flight were sent again. It logs one
// summary line:
//
//	crash-resume: kills=%d records=%d sent=%d resent=%d resent_per_kill=%.1f max_inflight_records=%d
//
// Limits the suites work within: a batch is committed whole, so a daily
// quota smaller than one batch's calls on a sub-resource (about 100 stage
// calls for 100 applications, one per application) can never be met; the
// daily-quota profiles allow 120 calls a day. After a park the engine keeps
// one batch in flight for a day (daily-quota-inflight proves it no longer
// livelocks with three). Failures the client gives up on (say four 5xx in a
// row) stop a Run, as documented, and the profiles that inject them call Run
// again until it returns nil.
//
// Run them with
//
//	go test -race -count=1 ./internal/chaos
//	go test -race -count=1 ./internal/chaos -chaos.long     # or RSCGO_CHAOS_LONG=1: more data, seeds and kills
//
// -short skips the crash suite (it starts a dozen processes).
//
// The crash suite is proven to catch the classic early-checkpoint bug:
// building with -tags rscgo_bugdemo compiles a deliberate bug into package
// sync (the watermark is saved when a batch is sent, not when it is
// acknowledged). Then TestCrashResume fails, and
// TestCrashResumeCatchesEarlyCheckpoint (built only with that tag) passes
// because the harness reports the lost records:
//
//	! go test -tags rscgo_bugdemo -run '^TestCrashResume$' ./internal/chaos
//	go test -tags rscgo_bugdemo -run '^TestCrashResumeCatchesEarlyCheckpoint$' ./internal/chaos
package chaos
