package console

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"
)

// FleetSource tells the console how a fleet of worker processes sharing
// one store works the customers: who holds each customer's lease, until
// when, and the customer's queued jobs. The fleet module's PostgreSQL
// stores (package fleet/pgstore, with fleet/lease and fleet/riverrun) hold
// this, and fleet/riverrun's FleetView reads it; the console needs no
// database driver, only this interface.
type FleetSource interface {
	// Fleet returns the fleet's state now: an entry per customer that has
	// a lease or a job; customers without one may be left out.
	Fleet(ctx context.Context) ([]FleetCustomer, error)
}

// FleetCustomer is how the fleet works one customer.
type FleetCustomer struct {
	// CustomerID is the customer's id, as WithCustomers lists it; an
	// entry of a customer not listed there is passed over.
	CustomerID string
	// Holder names the process that last acquired the customer's lease
	// ("" when it was released or never taken); the lease is held until
	// Until unless renewed, and Token is its fencing token.
	Holder string
	Until  time.Time
	Token  int64
	// Waiting counts the customer's jobs waiting to run (available,
	// scheduled for later or waiting for a retry), Running those running.
	Waiting, Running int64
	// Next is when the earliest waiting job may run (zero when none waits).
	Next time.Time
}

// WithFleet sets where the console reads the fleet's state. With it the
// overview shows which process holds each customer's lease and the jobs
// waiting and running, per customer and per process; without it, nothing
// of a fleet. Only the customers WithCustomers lists are shown or counted:
// an entry of another customer is passed over.
func WithFleet(f FleetSource) Option {
	return option("WithFleet", f, "nil FleetSource", func(c *config) { c.fleet = f })
}

// fleetView is what the pages show of a customer's place in the fleet.
type fleetView struct {
	Lease            string // "held by X until T", "expired at T (X)", "released", "never leased"
	Held             bool
	Waiting, Running int64
	Next             string
}

// holderView is one process of the fleet: the customers whose lease it
// holds now.
type holderView struct {
	Holder    string
	Customers []string
}

// fleetSummary is the overview's fleet section.
type fleetSummary struct {
	Holders          []holderView
	Waiting, Running int64
	Error            string
}

// loadFleet reads the fleet's state: a view per customer, and the summary.
// Only the customers listed (ids) are shown or counted: the console shows
// no customer WithCustomers does not list.
func (h *Handler) loadFleet(ctx context.Context, ids []string) (map[string]fleetView, *fleetSummary) {
	if h.cfg.fleet == nil {
		return nil, nil
	}
	sum := &fleetSummary{}
	fcs, err := h.cfg.fleet.Fleet(ctx)
	if err != nil {
		sum.Error = fmt.Sprintf("reading the fleet's state: %v", err)
		return nil, sum
	}
	now := h.cfg.clock.Now()
	listed := make(map[string]bool, len(ids))
	for _, id := range ids {
		listed[id] = true
	}
	views := map[string]fleetView{}
	held := map[string][]string{}
	for _, fc := range fcs {
		if !listed[fc.CustomerID] {
			continue
		}
		v := fleetView{Waiting: fc.Waiting, Running: fc.Running, Next: stamp(fc.Next)}
		switch {
		case fc.Holder == "" && fc.Token == 0:
			v.Lease = "never leased"
		case fc.Holder == "":
			v.Lease = "released"
		case fc.Until.After(now):
			v.Held, v.Lease = true, fmt.Sprintf("held by %s until %s", fc.Holder, stamp(fc.Until))
			held[fc.Holder] = append(held[fc.Holder], fc.CustomerID)
		default:
			v.Lease = fmt.Sprintf("expired at %s (%s)", stamp(fc.Until), fc.Holder)
		}
		views[fc.CustomerID] = v
		sum.Waiting += fc.Waiting
		sum.Running += fc.Running
	}
	for _, holder := range slices.Sorted(maps.Keys(held)) {
		cs := held[holder]
		slices.Sort(cs)
		sum.Holders = append(sum.Holders, holderView{Holder: holder, Customers: cs})
	}
	return views, sum
}

// fleet sets the customer's fleet view from views (configured: the
// console has a FleetSource; views is nil when it failed); a customer the
// fleet does not list has never been leased.
func (v *customerView) fleet(views map[string]fleetView, configured bool) {
	if !configured {
		return
	}
	fv, ok := views[v.ID]
	switch {
	case views == nil:
		fv.Lease = "unknown: the fleet's state could not be read"
	case !ok:
		fv.Lease = "never leased"
	}
	v.Fleet = &fv
}
