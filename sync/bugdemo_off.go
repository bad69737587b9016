//go:build !rscgo_bugdemo

package sync

import "context"

// saveEarly does nothing in every normal build. Building with the tag
// rscgo_bugdemo turns it into a deliberate bug (see bugdemo_on.go) that the
// crash-resume suite in internal/chaos must catch.
func saveEarly(context.Context, *run, *Cursor, Cursor) error { return nil }
