// Package nilctx holds the check the packages' tests share that a call
// given a nil context refuses it and does nothing.
package nilctx

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Check calls call with a nil context, reading a panic as an error, and
// fails t unless the error's text is want and snapshot, taken before and
// after the call, reads the same: nothing was read or written that the
// snapshot sees (store calls, requests, files).
func Check[S any](t testing.TB, want string, snapshot func() S, call func(context.Context) error) {
	t.Helper()
	before := snapshot()
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		var nilCtx context.Context
		err = call(nilCtx)
	}()
	if diff := cmp.Diff(want, fmt.Sprint(err)); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, snapshot()); diff != "" {
		t.Errorf("a nil context touched something (-before +after):\n%s", diff)
	}
}

// Files lists the files below dir, each with its size and modification
// time, for a snapshot to compare.
func Files(t testing.TB, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files = append(files, fmt.Sprintf("%s %d %s", rel, info.Size(), info.ModTime()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// JSON returns v as JSON text, for a snapshot to compare.
func JSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
