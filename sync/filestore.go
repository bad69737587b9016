package sync

import (
	"context"
	"fmt"

	"github.com/rscgo/rscgo/internal/fsutil"
)

// FileStore is a Store keeping one JSON file per customer in a directory
// (mode 0700, files 0600). A save is crash-safe: the file is written to a
// temporary file, synced and renamed into place, so a crash at any point
// leaves the previous or the new checkpoint, never a mix. A file holds its
// customer id, so a file copied under another customer's name is refused.
type FileStore struct {
	dir *fsutil.Dir
}

// NewFileStore returns a FileStore in dir, creating it if needed.
func NewFileStore(dir string) (*FileStore, error) {
	d, err := fsutil.OpenDir(dir)
	if err != nil {
		return nil, fmt.Errorf("sync: NewFileStore: %w", err)
	}
	return &FileStore{dir: d}, nil
}

// Load implements Store.
func (s *FileStore) Load(ctx context.Context, customerID string) (*Checkpoint, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	var cp Checkpoint
	ok, err := s.dir.Load(customerID, &cp)
	if err != nil {
		return nil, fmt.Errorf("sync: loading the checkpoint of %q: %w", customerID, err)
	}
	if !ok {
		return nil, nil
	}
	cp.fill()
	return &cp, nil
}

// Save implements Store.
func (s *FileStore) Save(ctx context.Context, customerID string, cp *Checkpoint) error {
	if ctx == nil {
		return errNilContext
	}
	if err := s.dir.Save(customerID, cp); err != nil {
		return fmt.Errorf("sync: saving the checkpoint of %q: %w", customerID, err)
	}
	return nil
}
