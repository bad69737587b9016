package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
)

// FileStore is a Store keeping one JSON file per customer in a directory.
// Save writes a temporary file, syncs it, renames it over the old one and
// syncs the directory, so a crash at any point leaves either the previous
// or the new checkpoint. Files are created with mode 0600.
type FileStore struct {
	dir string
	// beforeRename, when set (tests), runs between writing the temporary
	// file and renaming it; an error aborts the save as a crash would.
	beforeRename func(tmp string) error
}

// NewFileStore returns a FileStore in dir, creating it (mode 0700) if needed.
func NewFileStore(dir string) (*FileStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sync: NewFileStore: %w", err)
	}
	return &FileStore{dir: dir}, nil
}

// path returns the customer's file. Customer ids are escaped so that any id
// maps to one plain file name.
func (s *FileStore) path(customerID string) string {
	return filepath.Join(s.dir, fileName(customerID)+".json")
}

func fileName(id string) string {
	n := url.PathEscape(id)
	if n == "" || n == "." || n == ".." {
		n = "%" + n
	}
	return n
}

// Load implements Store.
func (s *FileStore) Load(_ context.Context, customerID string) (*Checkpoint, error) {
	b, err := os.ReadFile(s.path(customerID))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sync: loading checkpoint: %w", err)
	}
	cp, err := decodeCheckpoint(b)
	if err != nil {
		return nil, fmt.Errorf("sync: decoding checkpoint of %q: %w", customerID, err)
	}
	return cp, nil
}

// Save implements Store.
func (s *FileStore) Save(_ context.Context, customerID string, cp *Checkpoint) error {
	b, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	return writeFileAtomic(s.dir, s.path(customerID), b, s.beforeRename)
}

// writeFileAtomic writes data to path through a synced temporary file in
// dir, renamed into place, then syncs dir.
func writeFileAtomic(dir, path string, data []byte, beforeRename func(string) error) (err error) {
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("sync: writing %s: %w", filepath.Base(path), err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o600); err == nil {
		if _, err = f.Write(data); err == nil {
			err = f.Sync()
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync: writing %s: %w", filepath.Base(path), err)
	}
	if beforeRename != nil {
		if err = beforeRename(tmp); err != nil {
			return err
		}
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("sync: writing %s: %w", filepath.Base(path), err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync: syncing %s: %w", dir, err)
	}
	return nil
}
