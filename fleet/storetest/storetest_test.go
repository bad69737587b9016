package storetest_test

import (
	"testing"

	"github.com/rscgo/rscgo/fleet/storetest"
	"github.com/rscgo/rscgo/inmail"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	rscsync "github.com/rscgo/rscgo/sync"
)

// file adapts a file store's constructor to a conformance test: a new
// store in a new temporary directory.
func file[S any](open func(dir string) (S, error)) func(t *testing.T) S {
	return func(t *testing.T) S {
		s, err := open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

// The root module's memory and file stores pass the conformance tests.

func TestMemoryStores(t *testing.T) {
	t.Run("checkpoints", func(t *testing.T) {
		storetest.Checkpoints(t, func(*testing.T) *rscsync.MemoryStore { return rscsync.NewMemoryStore() })
	})
	t.Run("dead letters", func(t *testing.T) {
		storetest.DeadLetters(t, func(*testing.T) *rscsync.MemoryDeadLetters { return rscsync.NewMemoryDeadLetters() })
	})
	t.Run("onboarding states", func(t *testing.T) {
		storetest.OnboardingStates(t, func(*testing.T) *onboarding.MemoryStore { return onboarding.NewMemoryStore() })
	})
	t.Run("inmail cursors", func(t *testing.T) {
		storetest.InMailCursors(t, func(*testing.T) *inmail.MemoryCursors { return inmail.NewMemoryCursors() })
	})
	t.Run("milestone events", func(t *testing.T) {
		storetest.MilestoneEvents(t, func(*testing.T) *milestones.MemoryStore { return milestones.NewMemoryStore() })
	})
}

func TestFileStores(t *testing.T) {
	t.Run("checkpoints", func(t *testing.T) { storetest.Checkpoints(t, file(rscsync.NewFileStore)) })
	t.Run("dead letters", func(t *testing.T) { storetest.DeadLetters(t, file(rscsync.NewFileDeadLetters)) })
	t.Run("onboarding states", func(t *testing.T) { storetest.OnboardingStates(t, file(onboarding.NewFileStore)) })
	t.Run("inmail cursors", func(t *testing.T) { storetest.InMailCursors(t, file(inmail.NewFileCursors)) })
	t.Run("milestone events", func(t *testing.T) { storetest.MilestoneEvents(t, file(milestones.NewFileStore)) })
}
