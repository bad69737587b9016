// Command rscctl is the operators' command line for an rscgo integration
// that keeps its state in PostgreSQL (package pgstore): the commands of
// cmd/rscctl (status, checkpoint, dead list/export/retry/dismiss, resync,
// reconcile, reset), the same output and exit codes, over the database at
// -postgres URL instead of a data directory.
//
// Usage:
//
//	rscctl -postgres URL [-json] COMMAND [ARGS]
//
// URL is a PostgreSQL URL or key=value connection string, as pgx accepts
// it (postgres://user@host:5432/db?sslmode=verify-full); it may also come
// from the environment variable RSCCTL_POSTGRES, which keeps a password
// out of the process list. Opening the database migrates its schema
// (pgstore.Open), as the services that share it do. The customers are
// those with a checkpoint, an onboarding state or milestones.
//
// reset and resync CUSTOMER PHASE change a customer's checkpoint, which
// the customer's sync, running in the fleet (package riverrun), writes
// after every batch. So that a slice running meanwhile does not write its
// checkpoint back over the change, rscctl takes the customer's lease
// (lease.Leases.Take) before its first write and holds it until the
// command ends: the slice that held it can commit nothing more (its
// attempt fails with a *lease.LostError, and River runs it again from the
// changed checkpoint once rscctl has released the lease), and rscctl says
// on standard error whose lease it took. Requests the slice had in flight
// still reach LinkedIn; a reset or a rewound phase sends those records
// again anyway. A resync of a phase whose checkpoint the sync committed
// between rscctl's read and the takeover changes nothing and fails
// (exit 1): run it again. A killed rscctl holds the customer back for 30
// seconds at most. The other commands read, or queue resync requests, and
// take no lease.
//
// Like cmd/rscctl, this program has no sync engine: dead retry, resync of
// records and reconcile go through the ops console of the service that
// runs the sync (-console URL, the operator's token in RSCCTL_TOKEN).
// Exit codes: 0 success, 1 failure, 2 usage error, 3 not found, 4 not
// exact (records refused again, or differences found).
package main

import (
	"context"
	"io"
	"os"
	"os/signal"

	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/internal/ctl"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	args := os.Args[1:]
	if u := os.Getenv("RSCCTL_POSTGRES"); u != "" {
		args = append([]string{"-postgres", u}, args...)
	}
	code := ctl.Run(ctx, config(), args)
	stop()
	os.Exit(code)
}

// config is rscctl over the PostgreSQL stores.
func config() ctl.Config {
	c := ctl.Config{StoreFlag: "postgres", StoreArg: "URL", Getenv: os.Getenv, Stdout: os.Stdout, Stderr: os.Stderr}
	c.Open = opener(holderName(), c.Stderr)
	return c
}

// opener opens the stores in the database at a URL, taking customers'
// leases as holder and saying whose lease it took on notes.
func opener(holder string, notes io.Writer) func(ctx context.Context, url string) (ctl.Stores, func(), error) {
	return func(ctx context.Context, url string) (ctl.Stores, func(), error) {
		db, err := pgstore.Open(ctx, url)
		if err != nil {
			return ctl.Stores{}, nil, err
		}
		g, err := newGuard(db, holder, notes)
		if err != nil {
			db.Close()
			return ctl.Stores{}, nil, err
		}
		return g.stores(), g.close, nil
	}
}
