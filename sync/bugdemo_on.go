//go:build rscgo_bugdemo

package sync

// bugEarlyCheckpoint, set only under the rscgo_bugdemo build tag, makes
// runPhase save the watermark when a batch is sent instead of when it is
// acknowledged: the classic checkpointing bug, which loses the records of
// the batches in flight when the process is killed. It exists to prove that
// the crash-resume suite (internal/chaos, TestCrashResume) catches it:
//
//	go test -tags rscgo_bugdemo -run TestCrashResume ./internal/chaos   # must FAIL
//
// Never build a release with this tag.
const bugEarlyCheckpoint = true
