package riverrun_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/rscgo/rscgo/fleet/lease"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/fleet/riverrun"
	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// A worker process of the fleet: River runs each customer's chain of sync
// slices, one process at a time per customer, on as many processes and
// machines as share the database. Start one chain per customer with
// Enqueue (once: a customer that has a slice waiting is skipped); the
// Resumer restarts the chains River gave up on.
func ExampleNew() {
	// This example needs a PostgreSQL database: it is compiled, not run.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, err := pgstore.Open(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := riverrun.Migrate(ctx, db.Pool()); err != nil {
		log.Fatal(err)
	}
	leases, err := lease.New(db, lease.WithTTL(2*time.Minute)) // longer than River's JobTimeout
	if err != nil {
		log.Fatal(err)
	}

	partner, err := rsc.NewClient(rsc.WithCredentials(os.Getenv("RSC_CLIENT_ID"), os.Getenv("RSC_CLIENT_SECRET")))
	if err != nil {
		log.Fatal(err)
	}
	var mu sync.Mutex
	clients := map[string]*rsc.Client{} // one per customer, kept across slices for its token and quota counters
	engines := func(ctx context.Context, customerID string, store rscsync.Store) (*rscsync.Engine, error) {
		mu.Lock()
		defer mu.Unlock()
		client, ok := clients[customerID]
		if !ok {
			c, err := partner.ForCustomer(customerCredentials(customerID))
			if err != nil {
				return nil, err
			}
			client, clients[customerID] = c, c
		}
		return rscsync.NewEngine(client, customerID, atsSource(customerID),
			rscsync.WithStore(store), rscsync.WithDeadLetters(riverrun.DeadLetters(ctx)))
	}
	runner, err := riverrun.New(db, leases, engines)
	if err != nil {
		log.Fatal(err)
	}
	resumer, err := runner.Resumer(activeCustomers)
	if err != nil {
		log.Fatal(err)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, runner)
	river.AddWorker(workers, resumer)
	host, _ := os.Hostname()
	riverClient, err := river.NewClient(riverpgxv5.New(db.Pool()), &river.Config{
		ID:      fmt.Sprintf("%s-%d", host, os.Getpid()),
		Workers: workers,
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 20}},
		// JobTimeout under the leases' TTL, RescueStuckJobsAfter over it.
		JobTimeout: time.Minute, RescueStuckJobsAfter: 3 * time.Minute,
		PeriodicJobs: []*river.PeriodicJob{riverrun.ResumePeriodically(time.Hour)},
	})
	if err != nil {
		log.Fatal(err)
	}
	// River cancels running jobs once the context given to Start ends:
	// the signal must only stop the fetching of new slices.
	if err := riverClient.Start(context.WithoutCancel(ctx)); err != nil {
		log.Fatal(err)
	}
	if err := riverrun.Enqueue(ctx, riverClient, "acme"); err != nil { // a new customer
		log.Fatal(err)
	}
	<-ctx.Done()
	stopping, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := riverClient.Stop(stopping); err != nil { // lets running slices finish, for a minute
		// Cancels the slices still running: they release their leases.
		cancelling, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := riverClient.StopAndCancel(cancelling); err != nil {
			log.Fatal(err)
		}
	}
}

// activeCustomers stands in for the ATS's list of the customers to sync.
func activeCustomers(ctx context.Context) ([]string, error) { return []string{"acme"}, nil }

// customerCredentials stands in for the secret store holding the client id
// and secret of each customer's child application.
func customerCredentials(customerID string) (clientID, secret string) {
	return os.Getenv("RSC_CLIENT_ID_" + customerID), os.Getenv("RSC_CLIENT_SECRET_" + customerID)
}

// atsSource stands in for the ATS's records of a customer (see
// rscsync.Source, and github.com/rscgo/rscgo/sync/sqlsource for SQL databases).
func atsSource(customerID string) rscsync.Source { return rscsync.NewSliceSource() }
