package main

import (
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
