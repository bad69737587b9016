// Package fsutil holds the crash-safe file write every file-backed store of
// rscgo uses (checkpoints, cursors, milestone events, flow state, secrets).
package fsutil

import (
	"os"
	"path/filepath"
)

// WriteFile atomically replaces path with data: it writes a temporary file
// in the same directory (created with mode 0700 if missing), fsyncs it, sets
// perm, renames it over path and fsyncs the directory. A crash at any point
// leaves either the old content or the new, never a torn file.
func WriteFile(path string, data []byte, perm os.FileMode) (err error) {
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
			tmp.Close()
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
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync() // make the rename durable; best effort on filesystems that refuse
		d.Close()
	}
	return nil
}
