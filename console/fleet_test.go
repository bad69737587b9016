package console_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rscgo/rscgo/console"
)

// fleetState is a FleetSource returning fixed entries, or an error.
type fleetState struct {
	fcs []console.FleetCustomer
	err error
}

func (f fleetState) Fleet(context.Context) ([]console.FleetCustomer, error) { return f.fcs, f.err }

// The overview shows which process holds each customer's lease and until
// when, the customers' jobs, and the processes with the leases they hold;
// an expired lease is not counted as held.
func TestFleetView(t *testing.T) {
	f := newFixture(t, console.WithFleet(fleetState{fcs: []console.FleetCustomer{
		{CustomerID: "acme", Holder: "host-a:101", Until: t0.Add(90 * time.Second), Token: 7, Running: 1, Waiting: 0},
		{CustomerID: "beta", Holder: "host-b:202", Until: t0.Add(-time.Second), Token: 3, Waiting: 2, Next: t0.Add(time.Minute)},
	}}))
	_, page := f.getOK(t, "/")
	for _, want := range []string{
		`Jobs waiting: <span id="jobs-waiting">2</span> · running: <span id="jobs-running">1</span>`,
		`<tr class="holder" data-holder="host-a:101"><td>host-a:101</td><td class="held">1</td><td>acme</td></tr>`,
		`<th>Lease</th><th>Jobs</th>`,
		`<td class="lease">held by host-a:101 until 2026-11-30 09:01:30 UTC</td><td class="jobs">1 running, 0 waiting</td>`,
		`<td class="lease">expired at 2026-11-30 08:59:59 UTC (host-b:202)</td><td class="jobs">0 running, 2 waiting<br>next 2026-11-30 09:01:00 UTC</td>`,
	} {
		pageHas(t, page, want)
	}
	if strings.Contains(page, `data-holder="host-b:202"`) {
		t.Errorf("the expired lease's process is listed as holding it:\n%s", page)
	}
	_, page = f.getOK(t, "/customer?id=acme")
	pageHas(t, page, `Lease: <span id="lease">held by host-a:101 until 2026-11-30 09:01:30 UTC</span> · jobs: <span id="jobs">1 running, 0 waiting</span>`)
}

// A customer the fleet does not list has never been leased; a fleet that
// cannot be read says so, and the rest of the page is still shown.
func TestFleetViewEdges(t *testing.T) {
	f := newFixture(t, console.WithFleet(fleetState{}))
	_, page := f.getOK(t, "/")
	pageHas(t, page, `<td class="lease">never leased</td>`)
	pageHas(t, page, `<tr><td colspan="3">No process holds a lease now.</td></tr>`)

	f = newFixture(t, console.WithFleet(fleetState{err: errors.New("connection refused")}))
	_, page = f.getOK(t, "/")
	pageHas(t, page, `<p class="err" id="fleet-error">reading the fleet&#39;s state: connection refused</p>`)
	pageHas(t, page, `<td class="lease">unknown: the fleet&#39;s state could not be read</td>`)
	pageHas(t, page, `<td class="dead">1</td>`)
	_, page = f.getOK(t, "/customer?id=acme")
	pageHas(t, page, `<p class="err">reading the fleet&#39;s state: connection refused</p>`)
}

// Without onboarding states and milestones (a fleet's PostgreSQL stores
// need not have them) the overview has no columns for them.
func TestOverviewWithoutOnboarding(t *testing.T) {
	h, err := console.New(
		console.WithCustomers(func(context.Context) ([]string, error) { return []string{"acme"}, nil }),
		console.WithAuthorizer(authorize), console.WithAllowedHosts("ops.example.com"),
		console.WithFleet(fleetState{}))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{h: h}
	_, page := f.getOK(t, "/")
	pageHas(t, page, `<table id="customers"><tr><th>Customer</th><th>Progress</th><th>Dead letters</th><th>Lease</th><th>Jobs</th></tr>`)
	pageHas(t, page, `<td><a href="customer?id=acme">acme</a></td>
<td class="progress"></td>`)
}

// The fleet section shows and counts only the customers WithCustomers
// lists, as every other part of the console: an operator whose list is
// narrowed to some tenants sees neither another tenant's id under its
// lease holder nor its jobs in the totals.
func TestFleetShowsOnlyListedCustomers(t *testing.T) {
	f := newFixture(t, console.WithFleet(fleetState{fcs: []console.FleetCustomer{
		{CustomerID: "acme", Holder: "host-a:101", Until: t0.Add(90 * time.Second), Token: 7, Running: 1},
		{CustomerID: "other-tenant", Holder: "host-a:101", Until: t0.Add(90 * time.Second), Token: 9, Running: 5, Waiting: 7},
	}}))
	if res := f.get(t, "/customer?id=other-tenant"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("unlisted customer's page: %d, want 404", res.StatusCode)
	}
	_, page := f.getOK(t, "/")
	if strings.Contains(page, "other-tenant") {
		t.Errorf("the overview shows a customer WithCustomers does not list:\n%s", page)
	}
	if want := `Jobs waiting: <span id="jobs-waiting">0</span> · running: <span id="jobs-running">1</span>`; !strings.Contains(page, want) {
		t.Errorf("fleet totals: the overview lacks %q:\n%s", want, page)
	}
}
