package demo

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	rscsync "github.com/rscgo/rscgo/sync"
)

// reconcile says why it has no checkpoint to reconcile against: the
// store's error, or that none is stored, never a "<nil>" error.
func TestReconcileWithoutCheckpoint(t *testing.T) {
	t.Parallel()
	store, err := rscsync.NewFileStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"none stored", context.Background(), "demo: reading the sync checkpoint: none stored for demo-customer"},
		{"load fails", nil, "demo: reading the sync checkpoint: sync: nil context"}, // the store refuses a nil context
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &run{ctx: tc.ctx, cust: "demo-customer", store: store, res: &Result{}}
			err := r.reconcile(&rscsync.Report{})
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("reconcile error (-want +got):\n%s", diff)
			}
		})
	}
}
