package main

import (
	"context"
	"errors"
	"testing"

	"github.com/rscgo/rscgo/examples/tracker/demo"
)

// The demo fails (exits 1) when its reconciliation marks an entity "✗
// MISMATCH": LinkedIn holds fewer or more records than Tracker, or other
// content.
func TestUnbalancedFailsTheDemo(t *testing.T) {
	equal := demo.Reconciled{Entity: "jobs", Tracker: 5, DeadLetters: 1, LinkedIn: 4, Acknowledged: 4}
	stale := demo.Reconciled{Entity: "candidates", Tracker: 9, LinkedIn: 9, Acknowledged: 9, ContentDiffers: 3}
	short := demo.Reconciled{Entity: "placements", Tracker: 9, LinkedIn: 8, Acknowledged: 9}
	for _, tc := range []struct {
		name string
		rec  []demo.Reconciled
		want string
	}{
		{"all equal", []demo.Reconciled{equal}, ""},
		{"stale and short", []demo.Reconciled{equal, stale, short}, "reconciliation: LinkedIn does not hold what Tracker holds (candidates, placements)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if err := unbalanced(&demo.Result{Reconciliation: tc.rec}); err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("unbalanced = %q, want %q", got, tc.want)
			}
		})
	}
}

// A mismatch fails the demo also when the run returns after an
// interruption (with -http the console stays served until Ctrl-C): only a
// run cut short by it is no error.
func TestMismatchFailsAfterInterruption(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, tc := range []struct {
		name    string
		runErr  error
		wantErr bool
	}{
		{"mismatch", unbalanced(&demo.Result{Reconciliation: []demo.Reconciled{{Entity: "jobs", Tracker: 1}}}), true},
		{"interrupted", context.Canceled, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := monitored(ctx, "", "", func(*demo.Monitor, string, func(context.Context)) error { return tc.runErr })
			if (err != nil) != tc.wantErr || err != nil && !errors.Is(err, errMismatch) {
				t.Errorf("monitored = %v, want an error: %v", err, tc.wantErr)
			}
		})
	}
}
