// Package fsutil holds the crash-safe file write and the one-file-per-key
// JSON store ([Dir]) that every file-backed store of rscgo is built on
// (checkpoints, cursors, milestone events, flow state, consent, secrets).
package fsutil

import (
	"os"
	"path/filepath"
)

// WriteFile atomically replaces path with data: it writes a temporary file
// in the same directory (created with mode 0700 if missing), fsyncs it, sets
// perm, renames it over path and fsyncs the directory. A crash at any point
// leaves either the old content or the new, never a torn file.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return writeFile(path, data, perm, nil)
}

func writeFile(path string, data []byte, perm os.FileMode, beforeRename func(tmp string) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close() // may already be closed
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if beforeRename != nil {
		if err = beforeRename(tmp.Name()); err != nil {
			return err
		}
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync() // make the rename durable; best effort on filesystems that refuse
		d.Close()
	}
	return nil
}
