package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/rscgo/rscgo/examples/tracker"
	"github.com/rscgo/rscgo/fleet/lease"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/fleet/riverrun"
	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// manifest is what the fleet demo's parent process hands each worker
// process on its standard input: where PostgreSQL and the fake LinkedIn
// are, and the run's customers. It travels through a pipe, never a file or
// the command line, because it holds the database URL and the customers'
// client secrets.
type manifest struct {
	PostgresURL string             `json:"postgresURL"`
	BaseURL     string             `json:"baseURL"`
	TokenURL    string             `json:"tokenURL"`
	Customers   []manifestCustomer `json:"customers"`
}

// manifestCustomer is one customer of a fleet run.
type manifestCustomer struct {
	ID           string `json:"id"`
	Organization string `json:"organization"`
	ClientID     string `json:"clientID"`
	ClientSecret string `json:"clientSecret"`
	TrackerDB    string `json:"trackerDB"` // the customer's Tracker database
}

// Worker settings: leases outlive River's job timeout (a minute by
// default), as package riverrun asks; a slice is ten batches (of at most
// 100 records), so that the customers' work moves between the processes.
const (
	leaseTTL       = 2 * time.Minute
	workerSlots    = 2 // River jobs a worker runs at once
	sliceBatches   = 10
	incrementalGap = time.Minute // a caught-up customer's next slice
)

// RunWorker runs one worker process of the fleet demo (tracker-demo
// -postgres URL -workers N starts them): it reads its manifest from in,
// then works the run's customers' River jobs (package fleet/riverrun)
// until ctx is cancelled. name names the process in leases and in River.
// River's warnings and errors go to log.
func RunWorker(ctx context.Context, name string, in io.Reader, log io.Writer) error {
	var m manifest
	if err := json.NewDecoder(in).Decode(&m); err != nil {
		return fmt.Errorf("demo: worker %s: reading the manifest: %w", name, err)
	}
	db, err := pgstore.Open(ctx, m.PostgresURL)
	if err != nil {
		return fmt.Errorf("demo: worker %s: %w", name, err)
	}
	defer db.Close()
	leases, err := lease.New(db, lease.WithTTL(leaseTTL))
	if err != nil {
		return err
	}
	w := &worker{m: m, db: db}
	defer w.trackers.close()
	runner, err := riverrun.New(db, leases, w.engine, riverrun.WithSliceBatches(sliceBatches),
		riverrun.WithIncrementalInterval(incrementalGap))
	if err != nil {
		return err
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, runner)
	rc, err := river.NewClient(riverpgxv5.New(db.Pool()), &river.Config{
		ID: name, Workers: workers, Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: workerSlots}},
		FetchCooldown: 20 * time.Millisecond, FetchPollInterval: 100 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		return err
	}
	if err := rc.Start(ctx); err != nil {
		return fmt.Errorf("demo: worker %s: starting River: %w", name, err)
	}
	<-ctx.Done()
	return rc.Stop(context.WithoutCancel(ctx)) // lets running slices finish their batch
}

// worker builds the engines of a worker process's slices.
type worker struct {
	m        manifest
	db       *pgstore.DB
	trackers trackers
	clients  perCustomer[*rsc.Client]
}

// client returns the customer's client, made once so that its token and
// its pacing carry over from slice to slice.
func (w *worker) client(c *manifestCustomer) (*rsc.Client, error) {
	return w.clients.get(c.ID, func() (*rsc.Client, error) {
		return rsc.NewClient(rsc.WithBaseURL(w.m.BaseURL), rsc.WithTokenURL(w.m.TokenURL),
			rsc.WithCredentials(c.ClientID, c.ClientSecret), rsc.WithLimits(relaxedLimits()))
	})
}

// perCustomer keeps one value per customer, made on first use.
type perCustomer[T any] struct {
	mu sync.Mutex
	m  map[string]T
}

// get returns the customer's value, made by mk the first time.
func (p *perCustomer[T]) get(id string, mk func() (T, error)) (T, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if v, ok := p.m[id]; ok {
		return v, nil
	}
	v, err := mk()
	if err != nil {
		return v, err
	}
	if p.m == nil {
		p.m = map[string]T{}
	}
	p.m[id] = v
	return v, nil
}

// trackers are the customers' Tracker databases, each opened once.
type trackers struct{ perCustomer[*tracker.DB] }

// engine is the riverrun.EngineFunc: the customer's engine over store,
// the checkpoint store fenced by the slice's lease, and the dead letters
// fenced by it too (riverrun.DeadLetters). A customer the
// manifest does not list (a job left by an earlier run) is cancelled.
func (w *worker) engine(ctx context.Context, customerID string, store rscsync.Store) (*rscsync.Engine, error) {
	c := w.m.customer(customerID)
	if c == nil {
		return nil, river.JobCancel(fmt.Errorf("customer %s is not one of this fleet run", customerID))
	}
	db, err := w.trackers.open(c)
	if err != nil {
		return nil, err
	}
	client, err := w.client(c)
	if err != nil {
		return nil, err
	}
	src, err := tracker.NewSource(db, tracker.Config{IntegrationContext: c.Organization})
	if err != nil {
		return nil, err
	}
	return rscsync.NewEngine(client, customerID, src,
		rscsync.WithStore(store), rscsync.WithDeadLetters(riverrun.DeadLetters(ctx)),
		rscsync.WithTaskPollInterval(100*time.Millisecond)) // LinkedIn advises 5 minutes; the fake is instant
}

// open returns the customer's Tracker database, opening it once.
func (t *trackers) open(c *manifestCustomer) (*tracker.DB, error) {
	return t.get(c.ID, func() (*tracker.DB, error) { return tracker.Open(c.TrackerDB) })
}

// close closes the databases opened.
func (t *trackers) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, db := range t.m {
		db.Close()
	}
	t.m = nil
}

// customer returns the manifest's customer id, or nil.
func (m *manifest) customer(id string) *manifestCustomer {
	for i := range m.Customers {
		if m.Customers[i].ID == id {
			return &m.Customers[i]
		}
	}
	return nil
}
