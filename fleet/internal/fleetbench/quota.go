package main

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/rscgo/rscgo/fleet/internal/fleetgen"
	"github.com/rscgo/rscgo/fleet/internal/fleetrun"
	"github.com/rscgo/rscgo/fleet/lease"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/fleet/riverrun"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// quotaShare measures the records a minute River workers move for
// customers paced at LinkedIn's per-minute quota, as a share of their
// combined quota.
func (b *bench) quotaShare(ctx context.Context) error {
	n, records, workers := 20, 3000, 4
	if b.quick {
		n, records = 8, 1000
	}
	b.section("River runner: share of the combined per-minute quota", "%d customers of %d candidates each, paced by their clients and the fake at LinkedIn's %d records a minute "+
		"(one batch of 100 every 0.6 s), worked by one River client of %d workers in this process (riverrun, slices of 50 batches, "+
		"PostgreSQL stores, the fake in process). A customer whose quota says \"wait\" ends its slice and its next slice is scheduled "+
		"for when the quota allows. River schedules by PostgreSQL's real clock, so this runs on the real clock, not a simulated one; "+
		"the share is the records moved per minute over the customers' combined quota, from the first slice until every customer "+
		"caught up.", n, records, rsc.DefaultLimits().SyncRecordsPerMinute, workers)
	if b.pg == "" {
		fmt.Fprintf(b.out, "Skipped: no PostgreSQL (see above).\n\n")
		return nil
	}
	elapsed, err := b.runQuota(ctx, n, records, workers)
	if err != nil {
		return fmt.Errorf("quota share: %w", err)
	}
	perMin := rsc.DefaultLimits().SyncRecordsPerMinute
	ideal := time.Duration(records/rsc.MaxBatchSize-1) * time.Minute * rsc.MaxBatchSize / time.Duration(perMin)
	moved := float64(n*records) / elapsed.Minutes()
	fmt.Fprintf(b.out, "| customers | workers | records | took | one customer alone | records/minute | combined quota/minute | share | pace of one customer alone |\n"+
		"|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n| %d | %d | %d | %v | %v | %.0f | %d | %.1f%% | %.1f%% |\n\n",
		n, workers, n*records, elapsed.Round(10*time.Millisecond), ideal, moved, n*perMin, 100*moved/float64(n*perMin),
		100*ideal.Seconds()/elapsed.Seconds())
	fmt.Fprintf(b.out, "One customer alone sends its first batch at once (the client's bucket holds one batch) and then one every 0.6 s, "+
		"so a short run can exceed 100%% of the quota; the last column compares the fleet with that pace.\n\n")
	return nil
}

// runQuota syncs n customers of records candidates each at LinkedIn's
// quota through riverrun and returns how long it took.
func (b *bench) runQuota(ctx context.Context, n, records, workers int) (time.Duration, error) {
	db, _, done, err := b.riverDB(ctx)
	if err != nil {
		return 0, err
	}
	defer done()
	srv, err := rsctest.New(rsctest.WithoutListener(), rsctest.WithRequestLogLimit(-1))
	if err != nil {
		return 0, err
	}
	defer srv.Close()
	engines := map[string]func(rscsync.Store) (*rscsync.Engine, error){}
	plan := fleetgen.Plan{Customers: n, SmallMax: records, Epoch: time.Now().Add(-72 * time.Hour)}
	for _, c := range plan.All() {
		c.Records = records
		srv.AddCustomer(rsctest.CustomerSpec{ClientID: c.ClientID, ClientSecret: c.ClientSecret, UniqueForeignID: c.ID, Organization: c.Organization})
		client, err := rsc.NewClient(rsc.WithBaseURL(srv.URL()), rsc.WithTokenURL(srv.TokenURL()), rsc.WithTransport(srv.Transport()),
			rsc.WithCredentials(c.ClientID, c.ClientSecret))
		if err != nil {
			return 0, err
		}
		src := c.Source(plan.Epoch)
		engines[c.ID] = func(store rscsync.Store) (*rscsync.Engine, error) {
			return rscsync.NewEngine(client, c.ID, src, rscsync.WithStore(store), rscsync.WithDeadLetters(db.DeadLetters()),
				rscsync.WithWaitWhenParked(false))
		}
	}
	client, err := quotaClient(db, workers, func(_ context.Context, id string, s rscsync.Store) (*rscsync.Engine, error) { return engines[id](s) })
	if err != nil {
		return 0, err
	}
	if err := client.Start(ctx); err != nil {
		return 0, err
	}
	defer client.Stop(context.WithoutCancel(ctx))
	start := time.Now()
	if err := riverrun.EnqueueAll(ctx, client, slices.Collect(maps.Keys(engines))); err != nil {
		return 0, err
	}
	if err := fleetrun.CaughtUp(ctx, db.Pool(), n, 10*time.Minute); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// quotaClient returns a River client working slices of 50 batches.
func quotaClient(db *pgstore.DB, workers int, engines riverrun.EngineFunc) (*river.Client[pgx.Tx], error) {
	leases, err := lease.New(db, lease.WithTTL(2*time.Minute))
	if err != nil {
		return nil, err
	}
	runner, err := riverrun.New(db, leases, engines, riverrun.WithIncrementalInterval(time.Hour))
	if err != nil {
		return nil, err
	}
	ws := river.NewWorkers()
	river.AddWorker(ws, runner)
	return river.NewClient(riverpgxv5.New(db.Pool()), &river.Config{
		Workers: ws, Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: workers}},
		FetchCooldown: 10 * time.Millisecond, FetchPollInterval: 50 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler),
	})
}
