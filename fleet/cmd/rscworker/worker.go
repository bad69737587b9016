package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/rscgo/rscgo/fleet/internal/fleetgen"
	"github.com/rscgo/rscgo/fleet/internal/fleetrun"
	"github.com/rscgo/rscgo/fleet/lease"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/fleet/riverrun"
	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// run works the fleet's slices until ctx ends (the first signal), then
// stops River (stop).
func run(ctx, hurry context.Context, cfg config, out, errs io.Writer) error {
	open, cancel := context.WithTimeout(ctx, 30*time.Second) // an unroutable host fails in time
	db, err := pgstore.Open(open, cfg.postgres)
	cancel()
	if err != nil {
		return fmt.Errorf("-postgres: %w", err)
	}
	defer db.Close()
	if err := riverrun.Migrate(ctx, db.Pool()); err != nil {
		return err
	}
	custs := cfg.plan.All()
	if cfg.provision {
		if err := fleetrun.Provision(ctx, cfg.rsc, custs); err != nil {
			return fmt.Errorf("-provision: %w", err)
		}
	}
	w := &worker{cfg: cfg, db: db, ev: newEvents(out, cfg.ev, cfg.id), log: logger(cfg.log, errs)}
	client, err := w.riverClient(custs)
	if err != nil {
		return err
	}
	// River cancels the running jobs as soon as the context given to Start
	// ends (river.Client.StopAndCancel): the signal must not reach them.
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("starting River: %w", err)
	}
	if cfg.enqueue {
		if err := riverrun.EnqueueAll(ctx, client, fleetgen.IDs(custs)); err != nil {
			return errors.Join(fmt.Errorf("enqueueing the customers: %w", err), w.stop(hurry, client))
		}
	}
	<-ctx.Done()
	return w.stop(hurry, client)
}

// cancelWait is how long stop waits for the slices it cancelled to return.
const cancelWait = 10 * time.Second

// stop stops River: it fetches no more slices, and waits for those running
// to finish (river.Client.Stop) for -stop-grace at most, or until hurry
// ends (a second signal). Then it cancels those still running
// (river.Client.StopAndCancel), waiting cancelWait more for them: they
// release their leases at once, and River makes their jobs available
// again, the attempt not counted, rather than leave both to expire and to
// River's rescuer (RescueStuckJobsAfter) as a killed process does.
func (w *worker) stop(hurry context.Context, client *river.Client[pgx.Tx]) error {
	w.ev.emit(fleetrun.Event{Event: "stop"})
	grace, cancel := context.WithTimeout(hurry, w.cfg.grace)
	defer cancel()
	if client.Stop(grace) == nil {
		return nil
	}
	wait, cancel := context.WithTimeout(context.Background(), cancelWait)
	defer cancel()
	if err := client.StopAndCancel(wait); err != nil {
		return fmt.Errorf("stopping River: slices still running %v after they were cancelled: %w", cancelWait, err)
	}
	return nil
}

// worker is one process's River worker of the fleet.
type worker struct {
	cfg config
	db  *pgstore.DB
	ev  *events
	log *slog.Logger // River's
}

// logger returns the logger of -log level (checked already), writing text
// lines to w, or one that discards everything for "off".
func logger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	if level == "off" || l.UnmarshalText([]byte(level)) != nil {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// riverClient returns the River client working the slices of custs (and
// resuming them hourly), with the process's clients of RSC.
func (w *worker) riverClient(custs []fleetgen.Customer) (*river.Client[pgx.Tx], error) {
	leases, err := lease.New(w.db, lease.WithTTL(w.cfg.leaseTTL))
	if err != nil {
		return nil, err
	}
	engines, err := w.engines(custs)
	if err != nil {
		return nil, err
	}
	runner, err := riverrun.New(w.db, leases, engines, riverrun.WithSliceBatches(w.cfg.sliceBatches),
		riverrun.WithIncrementalInterval(w.cfg.every))
	if err != nil {
		return nil, err
	}
	ids := fleetgen.IDs(custs)
	resumer, err := runner.Resumer(func(context.Context) ([]string, error) { return ids, nil })
	if err != nil {
		return nil, err
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, runner)
	river.AddWorker(workers, resumer)
	var retry river.ClientRetryPolicy = &river.DefaultClientRetryPolicy{}
	if w.cfg.maxBackoff > 0 {
		retry = cappedRetry{max: w.cfg.maxBackoff}
	}
	return river.NewClient(riverpgxv5.New(w.db.Pool()), &river.Config{
		RetryPolicy: retry,
		ID:          w.cfg.id, Workers: workers,
		Queues:        map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: w.cfg.maxWorkers}},
		FetchCooldown: w.cfg.fetchCooldown, FetchPollInterval: w.cfg.fetchPoll,
		JobTimeout: w.cfg.jobTimeout, RescueStuckJobsAfter: w.cfg.rescueAfter,
		Middleware:   []rivertype.Middleware{river.WorkerMiddlewareFunc(w.observe)},
		PeriodicJobs: []*river.PeriodicJob{riverrun.ResumePeriodically(time.Hour)},
		Logger:       w.log,
	})
}

// engines returns the EngineFunc of the customers: one RSC client each,
// whose requests name this worker and the slice (see tagging).
func (w *worker) engines(custs []fleetgen.Customer) (riverrun.EngineFunc, error) {
	type cust struct {
		client *rsc.Client
		src    rscsync.Source
	}
	byID := map[string]cust{}
	base := strings.TrimSuffix(w.cfg.rsc, "/")
	for _, c := range custs {
		opts := []rsc.Option{rsc.WithBaseURL(base), rsc.WithTokenURL(base + "/oauth/v2/accessToken"),
			rsc.WithCredentials(c.ClientID, c.ClientSecret), rsc.WithTransport(tagging(w.cfg.id)),
			rsc.WithRetryPolicy(retryWithin(w.cfg.jobTimeout))}
		if !w.cfg.pacing {
			opts = append(opts, rsc.WithLimits(rsc.Limits{Disabled: true}))
		}
		client, err := rsc.NewClient(opts...)
		if err != nil {
			return nil, fmt.Errorf("-rsc: %w", err)
		}
		byID[c.ID] = cust{client: client, src: c.Source(w.cfg.plan.Epoch)}
	}
	return func(ctx context.Context, id string, store rscsync.Store) (*rscsync.Engine, error) {
		c, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("no customer %s in the generated fleet (do the workers share -customers and -seed?)", id)
		}
		return rscsync.NewEngine(c.client, id, c.src, rscsync.WithStore(observedStore{Store: store, ev: w.ev, slice: sliceOf(ctx)}),
			rscsync.WithDeadLetters(riverrun.DeadLetters(ctx)), rscsync.WithInFlight(w.cfg.inFlight), rscsync.WithWaitWhenParked(false))
	}, nil
}

// retryWithin is the RSC clients' retry policy: the default's, its waits
// capped at a sixth of River's JobTimeout and its retries at a third, so
// that a per-minute 429 the retries do not outlast reaches the engine,
// which ends the slice until the 429's Retry-After (riverrun), before
// JobTimeout fails the attempt.
func retryWithin(jobTimeout time.Duration) rsc.RetryPolicy {
	p := rsc.DefaultRetryPolicy()
	p.MaxElapsed = min(p.MaxElapsed, jobTimeout/3)
	p.MaxWait = min(p.MaxWait, jobTimeout/6)
	p.MinWait = min(p.MinWait, p.MaxWait)
	return p
}

// cappedRetry retries a job after 2^attempt seconds, at most max.
type cappedRetry struct{ max time.Duration }

func (c cappedRetry) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(min(time.Duration(1)<<min(job.Attempt, 30)*time.Second, c.max))
}
