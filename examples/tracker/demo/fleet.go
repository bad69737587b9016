package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/fleet/riverrun"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// FleetConfig configures the fleet demo (RunFleet). PostgresURL, DataDir
// and Worker are required.
type FleetConfig struct {
	// PostgresURL is the PostgreSQL database the workers share (a URL or
	// key=value connection string, as pgx takes it).
	PostgresURL string
	// Workers is the number of worker processes (default 2).
	Workers int
	// Customers is the number of generated customers (default 10), each
	// with a Tracker of its own of Candidates candidates (default 300).
	Customers, Candidates int
	// Seed makes the synthetic data reproducible (default 1); customer i
	// gets Seed+i.
	Seed uint64
	// BadRecords is the fraction of deliberately invalid records (default
	// 0.01; negative for none).
	BadRecords float64
	// GenerateNow is the end of the synthetic history (default time.Now()).
	GenerateNow time.Time
	// DataDir holds the customers' Tracker databases, in DataDir/fleet.
	DataDir string
	// Worker returns the command of one worker process, which must run
	// RunWorker with name and its standard input (tracker-demo runs itself
	// with a hidden flag). The parent writes the manifest to its standard
	// input and interrupts it (os.Interrupt) to stop it.
	Worker func(ctx context.Context, name string) *exec.Cmd
	// Out receives the demo's output and the workers' (default io.Discard).
	Out io.Writer
	// Monitor, if set, serves the console over the fleet's database, with
	// the fleet view (console.WithFleet); AdminURL, if set, is printed.
	Monitor  *Monitor
	AdminURL string
	// AfterRun, if set, is called once every customer is synced and
	// checked, while the workers still run.
	AfterRun func(ctx context.Context, res *FleetResult)
	// GiveUpAfter is how long customers not synced yet may have no sync
	// job waiting or running before RunFleet fails (default 30 s): every
	// slice enqueues its successor as it completes, so a chain only ends
	// when its job was cancelled (by the workers of another run on the same
	// database, which cancel jobs of customers not theirs) or discarded.
	GiveUpAfter time.Duration
}

func (c *FleetConfig) defaults() error {
	switch {
	case c.PostgresURL == "":
		return errors.New("demo: FleetConfig.PostgresURL is required")
	case c.DataDir == "":
		return errors.New("demo: FleetConfig.DataDir is required")
	case c.Worker == nil:
		return errors.New("demo: FleetConfig.Worker is required")
	}
	c.Workers = cmpOr(c.Workers, 2)
	c.Customers = cmpOr(c.Customers, 10)
	c.Candidates = cmpOr(c.Candidates, 300)
	c.Seed = max(c.Seed, 1)
	if c.GiveUpAfter <= 0 {
		c.GiveUpAfter = 30 * time.Second
	}
	switch {
	case c.BadRecords == 0:
		c.BadRecords = 0.01
	case c.BadRecords < 0:
		c.BadRecords = 0
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
	return nil
}

// cmpOr returns v, or def when v is not positive.
func cmpOr(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// FleetResult is what a fleet demo run found once every customer was
// synced.
type FleetResult struct {
	// Customers are the run's customers, in order.
	Customers []FleetCustomerResult
	// Workers are the worker processes that ran sync slices.
	Workers []string
}

// FleetCustomerResult is one customer at the end of a fleet run.
type FleetCustomerResult struct {
	ID string
	// Candidates, Jobs and Applications count what the fake LinkedIn holds.
	Candidates, Jobs, Applications int
	// DeadLetters counts the records refused.
	DeadLetters int
	// Content compares the customer's Tracker with the fake LinkedIn,
	// record by record and field by field.
	Content *rscsync.ContentReport
}

// fleetRun is one run of the fleet demo.
type fleetRun struct {
	cfg   FleetConfig
	out   *console
	db    *pgstore.DB
	rc    *river.Client[pgx.Tx] // inserts only
	fleet *riverrun.FleetView   // the customers' leases and jobs, as the console shows them
	fake  *rsctest.Server
	m     manifest
	fakes map[string]*rsctest.Customer // by customer id

	trackers trackers        // the customers' Tracker databases, for checks
	started  int             // worker processes started
	done     map[string]bool // customers seen synced (a completed phase stays completed)
}

// RunFleet runs the Tracker demo for many generated customers across
// cfg.Workers worker processes sharing one PostgreSQL database, with the
// fake LinkedIn served by this process: it generates each customer's
// Tracker, provisions the customers on the fake, enqueues their syncs as
// River jobs (package fleet/riverrun), starts the workers, waits until
// every customer's four phases are complete, and compares each customer's
// Tracker with what the fake holds, field by field.
func RunFleet(ctx context.Context, cfg FleetConfig) (*FleetResult, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	f := &fleetRun{cfg: cfg, out: newConsole(cfg.Out, false, cfg.Monitor.line), fakes: map[string]*rsctest.Customer{}}
	defer f.out.finish()
	if err := f.open(ctx); err != nil {
		return nil, err
	}
	defer f.db.Close()
	f.stage("provisioning the customers")
	if err := f.provision(ctx); err != nil {
		return nil, err
	}
	defer f.fake.Close()
	defer f.trackers.close()
	if err := f.openConsole(); err != nil {
		return nil, err
	}
	if err := riverrun.EnqueueAll(ctx, f.rc, f.ids()); err != nil {
		return nil, err
	}
	wctx, stop := context.WithCancel(ctx)
	exited, err := f.startWorkers(wctx)
	defer func() { stop(); f.waitWorkers(exited) }()
	if err != nil {
		return nil, err
	}
	f.stage("historical sync")
	if err := f.waitSynced(ctx, exited); err != nil {
		return nil, err
	}
	f.stage("checking every customer against LinkedIn")
	res, err := f.check(ctx)
	if err != nil {
		return res, err
	}
	f.stage("done")
	if cfg.AfterRun != nil {
		cfg.AfterRun(ctx, res)
	}
	return res, nil
}

// stage says on the Monitor's run page where the run is.
func (f *fleetRun) stage(s string) {
	f.cfg.Monitor.update(func(snap *Snapshot) { snap.Stage = s })
}

// open connects to PostgreSQL and brings the schemas up to date: rscgo's
// stores and River's queue.
func (f *fleetRun) open(ctx context.Context) error {
	db, err := pgstore.Open(ctx, f.cfg.PostgresURL)
	if err != nil {
		return fmt.Errorf("demo: PostgreSQL at %s: %w", redactURL(f.cfg.PostgresURL), err)
	}
	f.db = db
	if err := riverrun.Migrate(ctx, db.Pool()); err != nil {
		db.Close()
		return err
	}
	if f.rc, err = river.NewClient(riverpgxv5.New(db.Pool()), &river.Config{}); err != nil {
		db.Close()
		return err
	}
	if f.fleet, err = riverrun.NewFleetView(db, func(context.Context) ([]string, error) { return f.ids(), nil }); err != nil {
		db.Close()
		return err
	}
	f.out.printf("PostgreSQL: %s (rscgo's stores at schema version %d, River's queue)", redactURL(f.cfg.PostgresURL), pgstore.Version())
	return nil
}

// redactURL is a PostgreSQL URL without its password; a connection string
// that is not a URL is not shown.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return "(the connection string given)"
	}
	return u.Redacted()
}

// runID names a run's customers, so that a run never picks up the
// checkpoints of an earlier one in the same database.
func runID(now time.Time) string { return strconv.FormatInt(now.Unix(), 36) }

// trackerPath is where a fleet customer's Tracker database lives.
func (f *fleetRun) trackerPath(id string) string {
	return filepath.Join(f.cfg.DataDir, "fleet", id+".db")
}
