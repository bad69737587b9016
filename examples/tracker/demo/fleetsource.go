package demo

import (
	"context"
	"fmt"
	"time"

	rscconsole "github.com/rscgo/rscgo/console"
	"github.com/rscgo/rscgo/fleet/lease"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/fleet/riverrun"
)

// pgFleet is the console's FleetSource over the fleet's PostgreSQL
// database: the customers' leases (lease.List; riverrun.HolderProcess
// names the worker process of each) and their River jobs (river_job,
// whose args hold the customer id), read with two queries and nothing
// written.
type pgFleet struct {
	db        *pgstore.DB
	customers []string // the run's customers; others are left out
}

// Fleet implements console.FleetSource.
func (f pgFleet) Fleet(ctx context.Context) ([]rscconsole.FleetCustomer, error) {
	byID := map[string]*rscconsole.FleetCustomer{}
	for _, id := range f.customers {
		byID[id] = &rscconsole.FleetCustomer{CustomerID: id}
	}
	leases, err := lease.List(ctx, f.db, f.customers)
	if err != nil {
		return nil, err
	}
	for _, l := range leases {
		fc := byID[l.CustomerID]
		fc.Holder, fc.Until, fc.Token = riverrun.HolderProcess(l.Holder), l.Expires, l.Token
	}
	if err := f.jobs(ctx, byID); err != nil {
		return nil, err
	}
	out := make([]rscconsole.FleetCustomer, 0, len(f.customers))
	for _, id := range f.customers {
		out = append(out, *byID[id])
	}
	return out, nil
}

// jobs counts each customer's sync slices waiting and running.
func (f pgFleet) jobs(ctx context.Context, byID map[string]*rscconsole.FleetCustomer) error {
	rows, err := f.db.Pool().Query(ctx, `select args->>'customer_id', state = 'running', count(*),
		coalesce(min(scheduled_at) filter (where state in ('scheduled', 'retryable')), 'epoch')
		from river_job where kind = $1 and args->>'customer_id' = any($2)
		and state in ('available', 'scheduled', 'retryable', 'pending', 'running') group by 1, 2`,
		riverrun.SliceArgs{}.Kind(), f.customers)
	if err != nil {
		return fmt.Errorf("reading the jobs: %w", err)
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
