package fleetproof

import (
	"math/rand/v2"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/rscgo/rscgo/fleet/internal/fleetgen"
	"github.com/rscgo/rscgo/fleet/internal/fleetrun"
	"github.com/rscgo/rscgo/fleet/internal/pgtest"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/fleet/riverrun"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// run is the size of a proof run.
type run struct {
	plan    fleetgen.Plan
	workers int           // worker processes
	kills   int           // SIGKILLs
	within  time.Duration // the deadline for the fleet to catch up
}

// The workers' tuning: slices of 5 batches, 2 batches in flight, a job
// timeout of 5 s, leases of 6 s and River's rescue after 7 s, so that
// faults heal in seconds.
const (
	maxWorkers = 4 // slices a worker runs at once
	inFlight   = 2
	batchSize  = 100 // records per batch (docs/linkedin-api.md §5)
)

func workerFlags(r run, dbURL, rscURL string) []string {
	p := r.plan
	return []string{"-postgres", dbURL, "-rsc", rscURL, "-pacing=false",
		"-customers", strconv.Itoa(p.Customers), "-big", strconv.Itoa(p.Big), "-big-records", strconv.Itoa(p.BigRecords),
		"-small-max", strconv.Itoa(p.SmallMax), "-seed", strconv.FormatInt(p.Seed, 10), "-epoch", p.Epoch.Format(time.RFC3339),
		"-max-workers", strconv.Itoa(maxWorkers), "-slice-batches", "5", "-in-flight", strconv.Itoa(inFlight),
		"-job-timeout", "5s", "-lease-ttl", "6s", "-rescue-after", "7s", "-max-backoff", "2s", "-fetch-poll", "100ms", "-fetch-cooldown", "20ms", "-incremental", "1h"}
}

// sized returns the short run, or the long one under RSCGO_FLEET_LONG=1.
func sized() run {
	epoch := time.Now().UTC().Truncate(time.Hour).Add(-72 * time.Hour)
	if os.Getenv("RSCGO_FLEET_LONG") == "1" {
		return run{plan: fleetgen.Plan{Customers: 1000, Big: 10, BigRecords: 50_000, SmallMax: 2000, Seed: 1, Epoch: epoch},
			workers: 3, kills: 60, within: 45 * time.Minute}
	}
	return run{plan: fleetgen.Plan{Customers: 120, Big: 2, BigRecords: 50_000, SmallMax: 2000, Seed: 1, Epoch: epoch},
		workers: 3, kills: 12, within: 6 * time.Minute}
}

// TestFleetProof runs the fleet proof (see the package documentation).
func TestFleetProof(t *testing.T) {
	if testing.Short() {
		t.Skip("the fleet proof takes minutes; run it without -short")
	}
	r := sized()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("RSCGO_FLEET_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("fault seed %d (RSCGO_FLEET_SEED=%d repeats the schedule); %d customers, %d candidates, %d workers, %d kills",
		seed, seed, r.plan.Customers, r.plan.Total(), r.workers, r.kills)
	ctx := t.Context()
	began := time.Now()
	workerBin, fakeBin := build(t, t.TempDir())
	fake := startFake(t, fakeBin)
	rec := newRecorder(t, fake)
	dbURL := pgtest.DB(t)
	db, err := pgstore.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	custs := r.plan.All()
	if err := fleetrun.Provision(ctx, fake, custs); err != nil {
		t.Fatal(err)
	}
	enqueue(t, db, custs)
	t.Logf("built, started and provisioned in %v", time.Since(began).Round(time.Millisecond))

	// A worker stopped inside a transaction must not keep its rows locked.
	f := &fleet{t: t, bin: workerBin, args: workerFlags(r, withParam(t, dbURL, "idle_in_transaction_session_timeout", "2000"), rec.url),
		slots: make([]*proc, r.workers), starts: make([]int, r.workers), paused: -1}
	rng := rand.New(rand.NewPCG(seed, 0))
	syncing := time.Now()
	for i := range r.workers {
		f.start(i)
	}
	pauseDone := make(chan struct{})
	var pz paused
	var pzErr error
	go func() {
		defer close(pauseDone)
		pz, pzErr = f.pause(ctx, db.Pool(), rng.IntN(r.workers))
	}()
	kills := f.killAtRandom(db.Pool(), rand.New(rand.NewPCG(seed, 1)), r.kills)
	<-pauseDone
	if pzErr != nil {
		t.Fatalf("pausing a worker past its lease: %v", pzErr)
	}
	if err := fleetrun.CaughtUp(ctx, db.Pool(), len(custs), r.within); err != nil {
		t.Fatal(err)
	}
	synced := time.Since(syncing)
	f.stopAll()
	checked := time.Now()
	p := &proof{t: t, r: r, db: db, fake: fake, custs: custs, f: f, rec: rec, kills: kills, pause: pz}
	p.check(ctx)
	t.Logf("times: synced under faults in %v, checked in %v, %v in all", synced.Round(time.Millisecond),
		time.Since(checked).Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}

// enqueue migrates River's schema and starts every customer's chain.
func enqueue(t *testing.T, db *pgstore.DB, custs []fleetgen.Customer) {
	t.Helper()
	if err := riverrun.Migrate(t.Context(), db.Pool()); err != nil {
		t.Fatal(err)
	}
	client, err := river.NewClient(riverpgxv5.New(db.Pool()), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := riverrun.EnqueueAll(t.Context(), client, fleetgen.IDs(custs)); err != nil {
		t.Fatal(err)
	}
}

// withParam returns the database URL u with a query parameter set (pgx
// sends unknown ones to the server as run-time parameters).
func withParam(t *testing.T, u, key, value string) string {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", pgtest.EnvURL, err)
	}
	q := pu.Query()
	q.Set(key, value)
	pu.RawQuery = q.Encode()
	return pu.String()
}
