//go:build rscgo_bugdemo

package sync

import "context"

// saveEarly, in builds with the rscgo_bugdemo tag only, saves the watermark
// when a batch is sent instead of when it is acknowledged: the classic
// checkpointing bug, which loses the records of the batches in flight when
// the process is killed. It exists to prove that the crash-resume suite
// (internal/chaos) catches it:
//
//	go test -tags rscgo_bugdemo -run TestCrashResumeCatchesEarlyCheckpoint ./internal/chaos
//
// Never build a release with this tag.
func saveEarly(ctx context.Context, r *run, cursor *Cursor, last Cursor) error {
	if last == (Cursor{}) {
		return nil
	}
	*cursor = last
	return r.save(ctx)
}
