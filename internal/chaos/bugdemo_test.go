//go:build rscgo_bugdemo

package chaos

import "testing"

// TestCrashResumeCatchesEarlyCheckpoint exists only under the rscgo_bugdemo
// build tag, which compiles a deliberate bug into package sync: the
// watermark is saved when a batch is sent instead of when it is
// acknowledged (sync/bugdemo_on.go). The crash harness must then report
// records silently missing from LinkedIn. The child process is the same
// test binary, so it carries the bug too.
//
//	go test -tags rscgo_bugdemo -run '^TestCrashResumeCatchesEarlyCheckpoint$' ./internal/chaos
func TestCrashResumeCatchesEarlyCheckpoint(t *testing.T) {
	skipWithoutSIGKILL(t)
	p := defaultCrashParams()
	p.seed = 7
	res := crashCampaign(t, p)
	t.Log(res.summary())
	if res.childFailed {
		t.Fatalf("the child failed: %v\n%s", res.childErr, res.childOutput)
	}
	if res.kills == 0 {
		t.Fatal("no kill happened: the harness proved nothing")
	}
	if res.verdict.ok() || res.verdict.Missing == 0 {
		t.Fatalf("the crash harness did not catch the early-checkpoint bug after %d kills: %v", res.kills, res.verdict)
	}
	t.Logf("caught: %d records silently missing after %d kills", res.verdict.Missing, res.kills)
}
