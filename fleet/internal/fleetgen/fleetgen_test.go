package fleetgen_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/fleet/internal/fleetgen"
	"github.com/rscgo/rscgo/sync/sourcetest"
)

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func plan() fleetgen.Plan {
	return fleetgen.Plan{Customers: 50, Big: 3, BigRecords: 5000, SmallMax: 400, Seed: 7, Epoch: epoch}
}

// The same plan gives the same customers; the big ones are big and the
// others within SmallMax.
func TestPlanDeterministic(t *testing.T) {
	p := plan()
	a, b := p.All(), p.All()
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("two generations differ (-first +second):\n%s", diff)
	}
	big, ids := 0, map[string]bool{}
	for _, c := range a {
		ids[c.ID], ids[c.ClientID], ids[c.Organization] = true, true, true
		switch {
		case c.Records >= p.BigRecords:
			big++
		case c.Records < 1 || c.Records > p.SmallMax:
			t.Errorf("customer %s: %d records, want 1..%d", c.ID, c.Records, p.SmallMax)
		}
	}
	if big != p.Big || len(ids) != 3*p.Customers {
		t.Errorf("%d big customers, %d distinct names; want %d and %d", big, len(ids), p.Big, 3*p.Customers)
	}
	var want []string // the ids in order
	for i := range p.Customers {
		want = append(want, fmt.Sprintf("cust-%04d", i+1))
	}
	if diff := cmp.Diff(want, fleetgen.IDs(a)); diff != "" {
		t.Errorf("IDs (-want +got):\n%s", diff)
	}
	p.Seed++
	if cmp.Equal(a, p.All()) {
		t.Errorf("another seed gave the same fleet")
	}
}

// A customer's generated ATS keeps the Source contract.
func TestSourceConforms(t *testing.T) {
	c := plan().All()[0]
	c.Records = 300
	sourcetest.TestSource(t, c.Source(epoch))
}

func TestPlanCheck(t *testing.T) {
	for _, p := range []fleetgen.Plan{
		{}, {Customers: 1, Big: 2, SmallMax: 1, Epoch: epoch}, {Customers: 2, Big: 1, SmallMax: 1, Epoch: epoch},
		{Customers: 1, Epoch: epoch}, {Customers: 1, SmallMax: 1},
	} {
		if p.Check() == nil {
			t.Errorf("Check accepted %+v", p)
		}
	}
	if err := plan().Check(); err != nil {
		t.Error(err)
	}
}
