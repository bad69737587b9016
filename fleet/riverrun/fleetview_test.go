package riverrun_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rscgo/rscgo/console"
	"github.com/rscgo/rscgo/fleet/lease"
	"github.com/rscgo/rscgo/fleet/riverrun"
)

// The fleet view lists every customer asked for, in order: the process
// holding its lease and its slices waiting, nothing for a customer with
// neither.
func TestFleetView(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, rc := insertOnly(t)
	if err := riverrun.EnqueueAll(ctx, rc, []string{"c1", "c2"}); err != nil {
		t.Fatal(err)
	}
	ls, err := lease.New(db)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ls.Acquire(ctx, "c1", "worker-1 job 7 attempt 1")
	if err != nil {
		t.Fatal(err)
	}
	v, err := riverrun.NewFleetView(db, func(context.Context) ([]string, error) { return []string{"c3", "c1", "c2"}, nil })
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.Fleet(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []console.FleetCustomer{{CustomerID: "c3"}, {CustomerID: "c1", Holder: "worker-1", Token: l.Token(), Waiting: 1}, {CustomerID: "c2", Waiting: 1}}
	if d := cmp.Diff(want, got, cmpopts.IgnoreFields(console.FleetCustomer{}, "Until")); d != "" {
		t.Errorf("Fleet (-want +got):\n%s", d)
	}
	if got[1].Until.IsZero() {
		t.Errorf("c1's lease has no expiry")
	}
	if _, err := riverrun.NewFleetView(nil, nil); err == nil {
		t.Errorf("NewFleetView(nil, nil): no error")
	}
}
