//go:build !rscgo_bugdemo

package sync

// bugEarlyCheckpoint is false in every normal build. Building with the tag
// rscgo_bugdemo turns on a deliberate bug (see bugdemo_on.go) that the
// crash-resume suite in internal/chaos must catch.
const bugEarlyCheckpoint = false
