// Command rscctl is the operators' command line for an rscgo integration
// that keeps its state in PostgreSQL (package pgstore): the commands of
// cmd/rscctl (status, checkpoint, dead list/export/retry, resync,
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
// Like cmd/rscctl, this program has no sync engine: dead retry, resync of
// records and reconcile go through the ops console of the service that
// runs the sync (-console URL, the operator's token in RSCCTL_TOKEN).
// Exit codes: 0 success, 1 failure, 2 usage error, 3 not found, 4 not
// exact (records refused again, or differences found).
package main

import (
	"context"
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
	return ctl.Config{StoreFlag: "postgres", StoreArg: "URL", Open: openPostgres, Getenv: os.Getenv,
		Stdout: os.Stdout, Stderr: os.Stderr}
}

// openPostgres opens the stores in the database at url.
func openPostgres(ctx context.Context, url string) (ctl.Stores, func(), error) {
	db, err := pgstore.Open(ctx, url)
	if err != nil {
		return ctl.Stores{}, nil, err
	}
	return stores(db), db.Close, nil
}

// stores are db's stores, its customers and a checkpoint's deletion.
func stores(db *pgstore.DB) ctl.Stores {
	cps := db.Checkpoints()
	return ctl.Stores{
		Checkpoints: cps, DeadLetters: db.DeadLetters(),
		Onboarding: db.OnboardingStates(), Milestones: db.MilestoneEvents(),
		Where:            "in PostgreSQL",
		Customers:        db.Customers,
		DeleteCheckpoint: cps.Delete,
	}
}
