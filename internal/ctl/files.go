package ctl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/rscgo/rscgo/internal/fsutil"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	rscsync "github.com/rscgo/rscgo/sync"
)

// The data directory's layout (the Tracker demo's).
const (
	CheckpointsDir = "sync-checkpoints"
	DeadLettersDir = "sync-dead-letters"
	OnboardingDir  = "onboarding"
	MilestonesDir  = "milestones"
)

// OpenFiles opens the file stores in the data directory dir, laid out as
// the Tracker demo lays them out: dir/sync-checkpoints (sync.FileStore),
// dir/sync-dead-letters (sync.FileDeadLetters), dir/onboarding
// (onboarding.FileStore) and dir/milestones (milestones.FileStore). A
// store whose directory is missing is taken as empty, and none is created.
// The customers are those with a checkpoint, an onboarding state or
// milestones. It is Config.Open of cmd/rscctl.
func OpenFiles(_ context.Context, dir string) (Stores, func(), error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return Stores{}, nil, fmt.Errorf("the data directory %s: not a readable directory", dir)
	}
	var errs []error
	s := Stores{Where: "in " + dir}
	if st := openDir(dir, CheckpointsDir, rscsync.NewFileStore, &errs); st != nil {
		s.Checkpoints = st
	}
	if st := openDir(dir, DeadLettersDir, rscsync.NewFileDeadLetters, &errs); st != nil {
		s.DeadLetters = st
	}
	if st := openDir(dir, OnboardingDir, onboarding.NewFileStore, &errs); st != nil {
		s.Onboarding = st
	}
	if st := openDir(dir, MilestonesDir, milestones.NewFileStore, &errs); st != nil {
		s.Milestones = st
	}
	if err := errors.Join(errs...); err != nil {
		return Stores{}, nil, err
	}
	s.Customers = func(context.Context) ([]string, error) { return fileCustomers(dir) }
	s.DeleteCheckpoint = func(_ context.Context, id string) error {
		path := filepath.Join(dir, CheckpointsDir)
		if !isDir(path) {
			return nil
		}
		d, err := fsutil.OpenDir(path)
		if err == nil {
			err = d.Delete(id)
		}
		return err
	}
	return s, func() {}, nil
}

func isDir(path string) bool { st, err := os.Stat(path); return err == nil && st.IsDir() }

// openDir returns the store in dir/name built by newStore, or nil when the
// directory is missing.
func openDir[T any](dir, name string, newStore func(string) (T, error), errs *[]error) T {
	var zero T
	path := filepath.Join(dir, name)
	if !isDir(path) {
		return zero
	}
	v, err := newStore(path)
	if err != nil {
		*errs = append(*errs, err)
		return zero
	}
	return v
}

// fileCustomers lists the customers with a checkpoint, an onboarding state
// or milestones in dir, sorted.
func fileCustomers(dir string) ([]string, error) {
	var ids []string
	for _, d := range []string{CheckpointsDir, filepath.Join(OnboardingDir, "state"), MilestonesDir} {
		path := filepath.Join(dir, d)
		if !isDir(path) {
			continue
		}
		fd, err := fsutil.OpenDir(path)
		if err == nil {
			var keys []string
			keys, err = fd.Keys()
			ids = append(ids, keys...)
		}
		if err != nil {
			return nil, fmt.Errorf("listing customers in %s: %w", path, err)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}
