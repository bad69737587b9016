package riverrun

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rscgo/rscgo/console"
	"github.com/rscgo/rscgo/fleet/lease"
	"github.com/rscgo/rscgo/fleet/pgstore"
)

// FleetView is the operators' console's view of a fleet
// (console.FleetSource, for console.WithFleet), read from the fleet's
// database with two queries, writing nothing: each customer's lease
// (lease.List, its holder's process named by HolderProcess) and its sync
// slices (SliceArgs) waiting and running, from River's river_job table in
// the schema pgstore's tables are in (see the package documentation).
type FleetView struct {
	db        *pgstore.DB
	customers func(ctx context.Context) ([]string, error)
}

// NewFleetView returns the view of the customers that customers lists
// (the console's WithCustomers func will do) in db; neither may be nil.
func NewFleetView(db *pgstore.DB, customers func(ctx context.Context) ([]string, error)) (*FleetView, error) {
	if db == nil || customers == nil {
		return nil, errors.New("riverrun: NewFleetView needs a database and a customers func")
	}
	return &FleetView{db: db, customers: customers}, nil
}

var _ console.FleetSource = (*FleetView)(nil)

// Fleet implements console.FleetSource: an entry per customer listed, in
// the list's order.
func (v *FleetView) Fleet(ctx context.Context) ([]console.FleetCustomer, error) {
	ids, err := v.customers(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*console.FleetCustomer, len(ids))
	for _, id := range ids {
		byID[id] = &console.FleetCustomer{CustomerID: id}
	}
	leases, err := lease.List(ctx, v.db, ids)
	if err != nil {
		return nil, err
	}
	for _, l := range leases {
		if fc := byID[l.CustomerID]; fc != nil {
			fc.Holder, fc.Until, fc.Token = HolderProcess(l.Holder), l.Expires, l.Token
		}
	}
	if err := v.jobs(ctx, ids, byID); err != nil {
		return nil, err
	}
	out := make([]console.FleetCustomer, 0, len(ids))
	for _, id := range ids {
		out = append(out, *byID[id])
	}
	return out, nil
}

// jobs counts each customer's sync slices waiting (available, scheduled
// for later, waiting for a retry) and running.
func (v *FleetView) jobs(ctx context.Context, ids []string, byID map[string]*console.FleetCustomer) error {
	rows, err := v.db.Pool().Query(ctx, `select args->>'customer_id', state = 'running', count(*),
		coalesce(min(scheduled_at) filter (where state in ('scheduled', 'retryable')), 'epoch')
		from river_job where kind = $1 and args->>'customer_id' = any($2)
		and state in ('available', 'scheduled', 'retryable', 'pending', 'running') group by 1, 2`,
		SliceArgs{}.Kind(), ids)
	if err != nil {
		return fmt.Errorf("riverrun: reading the fleet's jobs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var running bool
		var n int64
		var next time.Time
		if err := rows.Scan(&id, &running, &n, &next); err != nil {
			return err
		}
		fc := byID[id]
		switch {
		case fc == nil:
		case running:
			fc.Running = n
		case next.Unix() > 0: // a job scheduled for later
			fc.Waiting, fc.Next = n, next
		default:
			fc.Waiting = n
		}
	}
	return rows.Err()
}
