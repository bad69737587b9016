package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	rscconsole "github.com/rscgo/rscgo/console"
	"github.com/rscgo/rscgo/examples/tracker"
	"github.com/rscgo/rscgo/fleet/lease"
	"github.com/rscgo/rscgo/fleet/riverrun"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// provision starts the fake LinkedIn on a loopback port (the workers are
// other processes), and generates each customer's Tracker and provisions
// it on the fake, as if its onboarding were done.
func (f *fleetRun) provision(ctx context.Context) error {
	dir := filepath.Join(f.cfg.DataDir, "fleet")
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	fake, err := rsctest.New(rsctest.WithSeed(1), rsctest.WithJobTaskLatency(0),
		rsctest.WithLimits(rsctest.Limits{SyncRecordsPerMinute: fakeRecordsPerMinute}))
	if err != nil {
		return err
	}
	f.fake = fake
	f.m = manifest{PostgresURL: f.cfg.PostgresURL, BaseURL: f.fake.URL(), TokenURL: f.fake.TokenURL()}
	run := runID(time.Now())
	start := time.Now()
	for i := 1; i <= f.cfg.Customers; i++ {
		id := fmt.Sprintf("fleet-%s-%03d", run, i)
		org := fmt.Sprintf("urn:li:organization:%d", 5000+i)
		if err := f.generate(ctx, id, org, f.cfg.Seed+uint64(i)); err != nil {
			f.fake.Close()
			return err
		}
		cu := f.fake.AddCustomer(rsctest.CustomerSpec{UniqueForeignID: id, Organization: org})
		f.fakes[id] = cu
		f.m.Customers = append(f.m.Customers, manifestCustomer{ID: id, Organization: org,
			ClientID: cu.ClientID, ClientSecret: cu.ClientSecret, TrackerDB: f.trackerPath(id)})
	}
	f.out.printf("LinkedIn: the fake LinkedIn of rsc/rsctest at %s, served by this process; throttles relaxed to %s records a minute",
		f.fake.URL(), thousands(fakeRecordsPerMinute))
	f.out.printf("Tracker: %d customers of %s candidates each, generated in %v (fleet-%s-001 to fleet-%[4]s-%03[5]d)",
		f.cfg.Customers, thousands(int64(f.cfg.Candidates)), time.Since(start).Round(time.Millisecond), run, f.cfg.Customers)
	return nil
}

// generate fills a customer's Tracker database with synthetic data.
func (f *fleetRun) generate(ctx context.Context, id, org string, seed uint64) error {
	db, err := tracker.Open(f.trackerPath(id))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = tracker.Generate(ctx, db, tracker.GenerateOptions{Candidates: f.cfg.Candidates, Seed: seed,
		BadRecords: f.cfg.BadRecords, Now: f.cfg.GenerateNow, Org: org})
	return err
}

// ids are the run's customer ids, in order.
func (f *fleetRun) ids() []string {
	ids := make([]string, len(f.m.Customers))
	for i, c := range f.m.Customers {
		ids[i] = c.ID
	}
	return ids
}

// openConsole gives the Monitor the console over the fleet's database:
// every customer's progress and dead letters, with retries under the
// customer's lease (riverrun.Runner.Retry), the fleet view (leases and
// jobs), and content reconciliation against the fake.
func (f *fleetRun) openConsole() error {
	if f.cfg.Monitor == nil {
		return nil
	}
	ids := f.ids()
	leases, err := lease.New(f.db)
	if err != nil {
		return err
	}
	retrier, err := riverrun.New(f.db, leases, f.retryEngine)
	if err != nil {
		return err
	}
	h, err := rscconsole.New(
		rscconsole.WithCustomers(func(context.Context) ([]string, error) { return ids, nil }),
		rscconsole.WithAuthorizer(f.cfg.Monitor.Authorize),
		rscconsole.WithAllowedHosts(loopbackHosts...),
		rscconsole.WithCheckpoints(f.db.Checkpoints()), rscconsole.WithDeadLetters(f.db.DeadLetters()),
		rscconsole.WithFleet(f.fleet),
		rscconsole.WithReconcile(rscconsole.EngineReconcile(f.checkEngine, 0)),
		rscconsole.WithRetry(retrier.Retry),
		rscconsole.WithRefresh(2*time.Second),
	)
	if err != nil {
		return err
	}
	f.cfg.Monitor.serve(served{console: h})
	f.cfg.Monitor.update(func(s *Snapshot) { s.Customer = fmt.Sprintf("%d customers", len(ids)) })
	if u := f.cfg.AdminURL; u != "" {
		f.out.printf("console: %slogin?token=%s", u, f.cfg.Monitor.Token())
	}
	return nil
}

// checkEngine returns an engine of the customer in this process, to read
// its state and compare its content with the fake's; it never syncs (the
// workers do, under their leases).
func (f *fleetRun) checkEngine(_ context.Context, id string) (*rscsync.Engine, error) {
	return f.engine(id, f.db.Checkpoints(), f.db.DeadLetters())
}

// retryEngine is the riverrun.EngineFunc of the console's retries
// (riverrun.Runner.Retry): the customer's engine over the checkpoint
// store and the dead letters fenced by the lease the retry took.
func (f *fleetRun) retryEngine(ctx context.Context, id string, store rscsync.Store) (*rscsync.Engine, error) {
	return f.engine(id, store, riverrun.DeadLetters(ctx))
}

// engine is customer id's engine over its Tracker, the fake LinkedIn and
// the stores given.
func (f *fleetRun) engine(id string, store rscsync.Store, dead rscsync.DeadLetterStore) (*rscsync.Engine, error) {
	c := f.m.customer(id)
	if c == nil {
		return nil, fmt.Errorf("demo: no customer %s in this fleet run", id)
	}
	db, err := f.trackers.open(c)
	if err != nil {
		return nil, err
	}
	client, err := rsc.NewClient(rsc.WithBaseURL(f.m.BaseURL), rsc.WithTokenURL(f.m.TokenURL),
		rsc.WithCredentials(c.ClientID, c.ClientSecret))
	if err != nil {
		return nil, err
	}
	src, err := tracker.NewSource(db, tracker.Config{IntegrationContext: c.Organization})
	if err != nil {
		return nil, err
	}
	return rscsync.NewEngine(client, id, src, rscsync.WithStore(store), rscsync.WithDeadLetters(dead),
		rscsync.WithHoldings(f.fakes[id].Holdings()))
}
