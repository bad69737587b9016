// Package riverrun runs customers' syncs as River jobs
// (github.com/riverqueue/river) on PostgreSQL, so any number of worker
// processes on any number of machines share the work of a fleet.
//
// Each customer has a chain of slice jobs (SliceArgs), unique per
// customer. A job acquires the customer's lease (package lease), runs one
// sync.Engine.RunSlice of a few batches with its checkpoints committed
// through the lease's fence (pgstore.Checkpoints.Fenced), and then, in one
// transaction that checks the lease again, completes itself and enqueues
// the customer's next slice: at once when work remains, after the
// incremental interval once the customer is caught up. A crash between two
// commits loses nothing: the job is rescued and RunSlice resumes from the
// last checkpoint. When LinkedIn's daily quota is spent the job snoozes
// until the quota resets (UTC midnight), without using an attempt; other
// failures are retried with River's backoff. A slice that would wait (for
// its per-minute quota, for job tasks LinkedIn has not finished, polled
// every sync.WithTaskPollInterval, or for a per-minute 429's Retry-After)
// ends instead (sync.YieldError), and its successor is scheduled for when
// the wait ends: it neither holds a worker nor outlives River's JobTimeout,
// which would fail the attempt. The engines' RSC clients retry failed calls
// within the slice, though (rsc.RetryPolicy, up to two minutes by
// default): give them a MaxElapsed and a MaxWait well under JobTimeout
// (fleet/cmd/rscworker uses a third and a sixth of it), so that a 429 they
// do not outlast reaches the engine in time. A worker that was paused past
// its lease and resumes cannot commit a checkpoint nor enqueue a slice.
//
// Periodic work of a customer (InMail polling, onboarding status checks)
// runs the same way: a Poller (Runner.Poller) runs each PollTask of a
// customer under its own lease and enqueues the next run after the task's
// period, in the transaction that completes the current one (EnqueuePoll
// starts the chain).
//
// A successor due within 10 seconds is enqueued available, with its
// scheduled time ahead, so that a worker fetches it once due rather than
// after River's scheduler (every 5 seconds) made it available: a customer
// paced at LinkedIn's per-minute quota resumes within FetchPollInterval of
// when the quota allows. (This updates River's river_job table itself, in
// the River client's schema: see below.)
//
// A job holds its lease as "<client id> job <job id> attempt <attempt>",
// naming its River client by river.Config.ID; HolderProcess gives the
// client back, to see which process works which customer.
//
// A chain ends when River discards a job whose retries ran out; the
// Resumer, run periodically (ResumePeriodically), starts it again for
// every active customer: its slices, and the runs of the tasks of the
// Pollers it is given.
//
// River's tables are in the schema of pgstore's: the first schema of the
// search path that exists (PostgreSQL's current_schema(), see
// https://www.postgresql.org/docs/current/ddl-schemas.html#DDL-SCHEMAS-PATH),
// where Migrate creates them. A River client whose river.Config.Schema is
// unset finds them there, by the search path (River's Config.Schema,
// https://pkg.go.dev/github.com/riverqueue/river#Config); one whose Schema
// names another schema, where you migrated River's tables, works too:
// riverrun's own statements on River's tables go to the client's schema.
// Two fleets sharing a database each need a schema of their own, first on
// the search path of their connections (PostgreSQL's default "$user",
// public finds the schema named after the role; or the URL's parameter
// search_path=fleet_b,public, once CREATE SCHEMA fleet_b has made it:
// pgstore.Open refuses a path whose first schema does not exist): there
// each keeps its checkpoints, leases
// and River jobs, so that neither works the other's slices, and a customer
// id both fleets have is two customers.
//
// Set up River's schema with Migrate, register the Runner (and the Poller
// and Resumer) with river.AddWorker, and start each customer's chain with
// Enqueue (or every customer's at once with EnqueueAll), which refuses a
// customer id the stores could not keep (pgstore.CheckCustomerID; a job
// inserted with one otherwise is cancelled, as none of its attempts could
// run):
//
//	runner, err := riverrun.New(db, leases, engineOf)
//	workers := river.NewWorkers()
//	river.AddWorker(workers, runner)
//	client, err := river.NewClient(riverpgxv5.New(db.Pool()), &river.Config{
//		ID: hostAndPID, Workers: workers,
//		Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 20}},
//	})
//	err = riverrun.Enqueue(ctx, client, "customer-42")
//
// Give the leases a TTL longer than River's JobTimeout (one minute by
// default), e.g. lease.WithTTL(2*time.Minute), so that a slice never
// outlives its lease unless its process stalls. A slice that nears its
// lease's expiry anyway yields before its next batch once a tenth of the
// TTL is left (by the leases' clock), and is cancelled once a twentieth is
// left; its successor is enqueued at once to run under a new lease, so
// that a process resumed after a pause does not send new batches beside
// the customer's next holder. A slice cancelled before it committed a
// batch fails its attempt instead, so that River's backoff applies, as
// after JobTimeout. River's
// RescueStuckJobsAfter must exceed JobTimeout, and JobTimeout must not be
// -1: River never rescues the job of a killed process whose timeout is
// infinite. A rescued slice whose previous attempt still holds the lease
// snoozes until the lease expires. A slice whose lease was lost (its
// process stalled past it and another took the customer) fails with an
// error wrapping a *lease.LostError, whether its commit or the release of
// its lease was refused.
// Give the engine DeadLetters(ctx) as its dead-letter store: the
// database's, fenced by the slice's lease like its checkpoints, so that a
// process that lost the customer can neither add nor remove dead letters.
package riverrun

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/rscgo/rscgo/fleet/internal/option"
	"github.com/rscgo/rscgo/fleet/internal/pglock"
	"github.com/rscgo/rscgo/fleet/lease"
	"github.com/rscgo/rscgo/fleet/pgstore"
	rootoption "github.com/rscgo/rscgo/internal/option"
	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// SliceArgs is the job of one sync slice of one customer.
type SliceArgs struct {
	// CustomerID is the customer whose slice it is: an id
	// pgstore.CheckCustomerID accepts, as Enqueue requires.
	CustomerID string `json:"customer_id"`
}

// Kind implements river.JobArgs.
func (SliceArgs) Kind() string { return "rscgo_sync_slice" }

// InsertOpts makes a customer's slice unique among its jobs waiting or
// running. Completed jobs are left out of the uniqueness (River's default
// includes them), so that a slice can enqueue the next one right after
// completing itself.
func (SliceArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
}

// EngineFunc returns the sync engine of a customer. It must give the
// engine store as its checkpoint store (rscsync.WithStore(store)): the
// store refuses commits once the job's lease is lost. Give the engine
// DeadLetters(ctx) as its dead-letter store, fenced the same way:
//
//	rscsync.NewEngine(client, id, src, rscsync.WithStore(store), rscsync.WithDeadLetters(riverrun.DeadLetters(ctx)))
//
// It is called for every slice, so build the engine, not the client: keep
// one rsc.Client per customer for the life of the process (a map under a
// mutex, say). The client holds the customer's access token and the pacing
// of LinkedIn's quotas; a new client per slice fetches a token each time
// and starts its quota counters from zero.
type EngineFunc func(ctx context.Context, customerID string, store rscsync.Store) (*rscsync.Engine, error)

// Runner is the River worker of SliceArgs jobs.
type Runner struct {
	river.WorkerDefaults[SliceArgs]

	db       *pgstore.DB
	leases   *lease.Leases
	engines  EngineFunc
	clock    rsc.Clock
	batches  int
	interval time.Duration
}

// Option configures a Runner.
type Option func(*Runner) error

// WithClock sets the clock that dates the next incremental slice and the
// end of a daily-quota snooze. River schedules by real time: give the
// clock the engines use. The default is rsc.SystemClock(); not nil, nor
// holding a nil pointer (a nil *rsctest.FakeClock).
func WithClock(c rsc.Clock) Option {
	return func(r *Runner) error { r.clock = c; return nil }
}

// WithSliceBatches sets how many batches one slice sends at most
// (positive; default 50).
func WithSliceBatches(n int) Option {
	return func(r *Runner) error { r.batches = n; return nil }
}

// WithIncrementalInterval sets how long after catching up a customer's
// next slice runs (positive; default 15 minutes).
func WithIncrementalInterval(d time.Duration) Option {
	return func(r *Runner) error { r.interval = d; return nil }
}

// New returns a Runner whose jobs commit to db under leases from leases,
// running the engines engines returns. Nil options are skipped.
func New(db *pgstore.DB, leases *lease.Leases, engines EngineFunc, opts ...Option) (*Runner, error) {
	if db == nil || leases == nil || engines == nil {
		return nil, errors.New("riverrun: New: nil database, leases or EngineFunc")
	}
	r := &Runner{db: db, leases: leases, engines: engines, clock: rsc.SystemClock(), batches: 50, interval: 15 * time.Minute}
	// The options are checked together, after all of them applied.
	switch err := option.Apply(r, opts); {
	case err != nil:
		return nil, err
	case rootoption.NonNil("riverrun", "WithClock", r.clock) != nil:
		return nil, errors.New("riverrun: WithClock: nil clock")
	case r.batches <= 0:
		return nil, fmt.Errorf("riverrun: WithSliceBatches: %d is not positive", r.batches)
	case r.interval <= 0:
		return nil, fmt.Errorf("riverrun: WithIncrementalInterval: %v is not positive", r.interval)
	}
	return r, nil
}

// Migrate brings River's own tables up to date in the database of pool,
// in the schema where pgstore keeps its own: the first schema of the
// search path of pool's connections that exists (current_schema()). River's
// migrator would otherwise find tables of River's further on the path
// (another fleet's, in public) and take them for the fleet's own. A search
// path naming no schema that exists is an error saying so.
//
// Processes migrating together (workers started at once on a new database,
// or after an upgrade of River) take turns under the advisory lock that
// serialises pgstore.Migrate: the first migrates, the others then find
// the schema up to date. The lock is held by a connection of its own.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	var schema, path string
	var m *rivermigrate.Migrator[pgx.Tx]
	err := pool.QueryRow(ctx, "select coalesce(current_schema(), ''), current_setting('search_path')").Scan(&schema, &path)
	if err == nil && schema == "" {
		err = fmt.Errorf("the search path (%s) names no schema that exists", path)
	}
	if err == nil {
		m, err = rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Schema: schema})
	}
	if err == nil {
		err = pglock.Hold(ctx, pool, func() error {
			_, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
			return err
		})
	}
	if err != nil {
		return fmt.Errorf("riverrun: migrating River's schema: %w", err)
	}
	return nil
}

// Enqueue starts the customer's chain of slices, unless the customer
// already has a slice waiting or running. It refuses, with an error
// wrapping pgstore.ErrInvalidCustomerID and enqueueing nothing, a customer
// id that the stores and leases could not keep (pgstore.CheckCustomerID:
// empty, longer than pgstore.MaxCustomerIDLen bytes, not valid UTF-8, or
// holding NUL): its slices would fail on every attempt.
func Enqueue(ctx context.Context, client *river.Client[pgx.Tx], customerID string) error {
	return insert(ctx, client, SliceArgs{CustomerID: customerID}, customerID)
}

// EnqueueAll starts the chain of slices of each of the customers, as
// Enqueue does one by one: a customer that already has a slice waiting or
// running is skipped as a duplicate, and so is an id repeated in
// customerIDs (River's InsertMany would refuse a batch naming a unique job
// twice). It checks first every id as Enqueue does, and refuses them all,
// naming the index of the first invalid one, with an error wrapping
// pgstore.ErrInvalidCustomerID; then it inserts the slices in
// transactions of 1,000 (River's InsertMany); after an error the chunks
// before the one that failed stay enqueued.
func EnqueueAll(ctx context.Context, client *river.Client[pgx.Tx], customerIDs []string) error {
	kind := SliceArgs{}.Kind()
	ids := make([]string, 0, len(customerIDs))
	seen := make(map[string]bool, len(customerIDs))
	for i, id := range customerIDs {
		if err := pgstore.CheckCustomerID(id); err != nil {
			return fmt.Errorf("riverrun: enqueueing %s jobs: the customer id at index %d (of %d): %w", kind, i, len(customerIDs), err)
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	args := make([]river.JobArgs, len(ids))
	for i, id := range ids {
		args[i] = SliceArgs{CustomerID: id}
	}
	return insertMany(ctx, client, args, ids)
}

// insertMany inserts the jobs args, of the customers ids (one each), in
// transactions of enqueueChunk (River's InsertMany); after an error the
// chunks before the one that failed stay enqueued.
func insertMany(ctx context.Context, client *river.Client[pgx.Tx], args []river.JobArgs, ids []string) error {
	for start := 0; start < len(args); start += enqueueChunk {
		end := min(start+enqueueChunk, len(args))
		params := make([]river.InsertManyParams, 0, end-start)
		for _, a := range args[start:end] {
			params = append(params, river.InsertManyParams{Args: a})
		}
		if _, err := client.InsertMany(ctx, params); err != nil {
			return fmt.Errorf("riverrun: enqueueing the %s jobs of customers %s to %s: %w", args[start].Kind(), ids[start], ids[end-1], err)
		}
	}
	return nil
}

// enqueueChunk is how many slices EnqueueAll inserts in one transaction.
const enqueueChunk = 1000

// insert enqueues the first job of a customer's chain, after checking
// the customer id (pgstore.CheckCustomerID).
func insert(ctx context.Context, client *river.Client[pgx.Tx], args river.JobArgs, customerID string) error {
	if err := pgstore.CheckCustomerID(customerID); err != nil {
		return fmt.Errorf("riverrun: enqueueing a %s job: %w", args.Kind(), err)
	}
	if _, err := client.Insert(ctx, args, nil); err != nil {
		return fmt.Errorf("riverrun: enqueueing a %s job of customer %s: %w", args.Kind(), customerID, err)
	}
	return nil
}

// deadKey is the context key of a slice's fenced dead-letter store.
type deadKey struct{}

// DeadLetters returns the dead-letter store of the slice ctx runs (the
// context an EngineFunc gets): the database's, whose writes are refused
// once the slice's lease is lost (pgstore.DeadLetters.Fenced). It returns
// nil outside a slice.
func DeadLetters(ctx context.Context) rscsync.DeadLetterStore {
	d, _ := ctx.Value(deadKey{}).(rscsync.DeadLetterStore)
	return d
}

// Work implements river.Worker: it runs one slice of the customer.
//
// A slice is bounded in time twice: by River's JobTimeout (the River
// client's, one minute by default: the Runner sets no timeout of its
// own) and by its lease, which cuts it once a twentieth of the leases'
// TTL is left (see the package doc). Before either, it yields once a
// quarter of the JobTimeout or a tenth of the TTL is left: the batches it
// sent are committed and its successor runs at once, however slow
// LinkedIn or the ATS. A Source that blocks until its
// context ends, as over an ATS database that stopped answering, fails the
// attempt at the first of the two; the lease is released at once and
// River retries the slice with its backoff. A release the database does
// not answer within 10 seconds (or the leases' TTL, if shorter) is given
// up, as when the database went out of reach: the lease then expires. A Source that ignores its
// context holds the worker whatever the bounds: pass the context to its
// queries (database/sql's QueryContext).
func (r *Runner) Work(ctx context.Context, job *river.Job[SliceArgs]) error {
	cust := job.Args.CustomerID
	return runLeased(ctx, r, job, cust, func(ctx context.Context, l *lease.Lease) (time.Time, error) {
		ctx, eng, err := r.leasedEngine(ctx, cust, l)
		if err != nil {
			return time.Time{}, err
		}
		sliceCtx, stop := r.withinLease(ctx, l)
		defer stop()
		rep, err := eng.RunSlice(sliceCtx, r.batches)
		var parked *rscsync.ParkedError
		var quota *rscsync.YieldError
		switch {
		case errors.As(err, &parked):
			return time.Time{}, river.JobSnooze(max(parked.Until.Sub(r.clock.Now()), 0))
		case errors.As(err, &quota):
			return quota.Until, nil // next slice when what it waits for is due (quota, job tasks' next poll, Retry-After)
		case errors.Is(err, rscsync.ErrYield):
			return time.Time{}, nil // more work (or the lease nears its end): next slice at once
		case err == nil:
			return r.clock.Now().Add(r.interval), nil
		case ctx.Err() == nil && errors.Is(context.Cause(sliceCtx), errLeaseEnding) && errors.Is(err, context.Canceled):
			if committed(rep) > 0 {
				return time.Time{}, nil // cut short after some progress: next slice at once, under a new lease
			}
			// Nothing committed: as with River's JobTimeout, fail the
			// attempt, so that River's backoff applies and the job's
			// errors say why, rather than loop at once.
			return time.Time{}, fmt.Errorf("riverrun: customer %s: the slice's lease (TTL %v) ran out before a batch was committed: %w",
				cust, r.leases.TTL(), err)
		}
		return time.Time{}, err
	})
}

// Retry sends a customer's dead letters again (all of them without keys),
// for the operators' console: console.WithRetry(runner.Retry). It takes
// the customer's lease first (lease.Leases.Take), so that a slice running
// meanwhile in any process cannot commit its checkpoint over the retry's:
// that slice's next commit is refused and River runs it again from its
// last commit. The engine comes from the Runner's EngineFunc, given the
// checkpoint store and DeadLetters(ctx) fenced by that lease, and the lease
// is released when the retry ends. A retry that runs until the lease
// nears its end is cut short with an error: run it again for the rest.
func (r *Runner) Retry(ctx context.Context, customerID string, keys []string) error {
	if err := pgstore.CheckCustomerID(customerID); err != nil {
		return fmt.Errorf("riverrun: Retry: %w", err)
	}
	l, _, err := r.leases.Take(ctx, customerID, "riverrun retry of dead letters")
	if err != nil {
		return err
	}
	ctx, eng, err := r.leasedEngine(ctx, customerID, l)
	if err == nil {
		rctx, stop := r.withinLease(ctx, l)
		_, err = eng.RetryDeadLetters(rctx, keys...)
		stop()
	}
	return r.release(ctx, l, err)
}

// leasedEngine returns the customer's engine (the EngineFunc's) over the
// checkpoint store fenced by l, and ctx carrying the dead-letter store
// fenced by l (DeadLetters), as a slice and a retry run under a lease.
func (r *Runner) leasedEngine(ctx context.Context, cust string, l *lease.Lease) (context.Context, *rscsync.Engine, error) {
	ctx = context.WithValue(ctx, deadKey{}, r.db.DeadLetters().Fenced(l))
	eng, err := r.engines(ctx, cust, r.db.Checkpoints().Fenced(l))
	if err != nil {
		return ctx, nil, fmt.Errorf("riverrun: the engine of customer %s: %w", cust, err)
	}
	return ctx, eng, nil
}

// committed counts the batches a slice committed.
func committed(rep *rscsync.Report) int64 {
	var n int64
	if rep != nil {
		for _, pr := range rep.Phases {
			n += pr.Batches
		}
	}
	return n
}

// errLeaseEnding is the cause with which a slice is cut short before its
// lease expires.
var errLeaseEnding = errors.New("riverrun: the slice's lease is about to expire")

// leaseCheckEvery is how often a slice's watchdog reads its lease's
// remaining time.
const leaseCheckEvery = 250 * time.Millisecond

// withinLease keeps a slice within its lease, so that it stops sending to
// LinkedIn before another process may take its customer: after a pause of
// its process (a stopped VM, a long GC pause) as well as when it simply
// runs long. The fence would refuse its commits anyway, but requests it
// sent meanwhile would reach LinkedIn beside the new holder's.
//
// The context returned makes the slice yield before its next batch once
// a tenth of the leases' TTL, or a quarter of the time River's JobTimeout
// left it, is left (sync.WithYieldWhen: the batches already sent are
// answered and committed first), and is cancelled with
// the cause errLeaseEnding once a twentieth is left, which stops a batch
// still waiting or being sent. The remaining time is read on the lease's
// clock (Lease.Remaining): before each batch, and by a watchdog every
// leaseCheckEvery rather than waited on, so that a clock that jumps (a
// paused process's, or a test's) is seen as well. A request already under
// way when the process paused, or begun in the moment it resumes before
// the check runs, can still arrive.
func (r *Runner) withinLease(ctx context.Context, l *lease.Lease) (context.Context, context.CancelFunc) {
	ttl := r.leases.TTL()
	// River's JobTimeout is a deadline of ctx, in real time (River
	// schedules by the wall clock): the slice yields once a quarter of it
	// is left, so that what it sent is committed and its successor
	// enqueued in time, rather than the attempt failing at the deadline
	// and the customer waiting for River's backoff.
	deadline, timed := ctx.Deadline()
	margin := time.Until(deadline) / 4
	ctx = rscsync.WithYieldWhen(ctx, func() bool {
		return l.Remaining() <= ttl/10 || timed && time.Until(deadline) <= margin
	})
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		tick := time.NewTicker(leaseCheckEvery)
		defer tick.Stop()
		for l.Remaining() > ttl/20 {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
		cancel(errLeaseEnding)
	}()
	return ctx, func() { cancel(context.Canceled) }
}

// runLeased runs work under the lease named key, then completes job,
// releases the lease and enqueues job's successor at the time work
// returns (zero: now), in one transaction refused when the lease was lost.
// When another holder has the lease, job snoozes until it expires; when
// its name is one no lease can have (inserted without Enqueue's check),
// job is cancelled, as no attempt could run. An error of work (a snooze
// included) is returned to River as is; a panic releases the lease and
// goes on to River.
func runLeased[A river.JobArgs](ctx context.Context, r *Runner, job *river.Job[A], key string,
	work func(context.Context, *lease.Lease) (time.Time, error)) error {
	l, err := r.leases.Acquire(ctx, key, holder(river.ClientFromContext[pgx.Tx](ctx).ID(), job.ID, job.Attempt))
	var held *lease.HeldError
	if errors.As(err, &held) { // a stalled attempt, or work outside River
		return river.JobSnooze(max(held.Until.Sub(r.clock.Now()), time.Second))
	}
	if errors.Is(err, pgstore.ErrInvalidCustomerID) {
		return river.JobCancel(fmt.Errorf("riverrun: job %d: %w", job.ID, err))
	}
	if err != nil {
		return err
	}
	defer func() {
		// River turns a panic into a failed attempt; give the customer back
		// at once rather than leave its lease to expire (TTL) first.
		if p := recover(); p != nil {
			rctx, cancel := r.releasing(ctx)
			_ = l.Release(rctx)
			cancel()
			panic(p)
		}
	}()
	at, err := work(ctx, l)
	if err == nil {
		err = pgx.BeginFunc(ctx, r.db.Pool(), func(tx pgx.Tx) error {
			if err := l.ReleaseTx(ctx, tx); err != nil {
				return err
			}
			if _, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job); err != nil {
				return fmt.Errorf("riverrun: completing job %d: %w", job.ID, err)
			}
			return r.enqueueNext(ctx, tx, job.Args, key, at)
		})
	}
	if err != nil {
		err = r.release(ctx, l, err)
	}
	return err
}

// holder names the holder of a job's lease: the River client (the worker
// process), the job and its attempt.
func holder(clientID string, jobID int64, attempt int) string {
	return fmt.Sprintf("%s job %d attempt %d", clientID, jobID, attempt)
}

// HolderProcess returns the worker process of a lease a job holds, as
// named by the ID of its River client (river.Config.ID): riverrun names a
// job's holder "<client id> job <job id> attempt <attempt>" (the holder
// that lease.List, lease.HeldError and lease.LostError report). A holder
// not of that form is returned as it is.
func HolderProcess(holder string) string {
	i := strings.LastIndex(holder, " job ")
	if i < 0 {
		return holder
	}
	job, attempt, ok := strings.Cut(holder[i+len(" job "):], " attempt ")
	if !ok || !isNumber(job) || !isNumber(attempt) {
		return holder
	}
	return holder[:i]
}

// isNumber says whether s is a decimal number, digits only.
func isNumber(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// release releases l after the job failed with err, and returns err. A
// release refused by the fence (another holder took the customer, as
// after a pause past the lease) is added to err, unless err already says
// the lease was lost, so that the job's error tells. The release is
// bounded (releasing), so that an unreachable database does not hold the
// job.
func (r *Runner) release(ctx context.Context, l *lease.Lease, err error) error {
	rctx, cancel := r.releasing(ctx)
	defer cancel()
	rerr := l.Release(rctx)
	_, lost := errors.AsType[*lease.LostError](rerr)
	if _, already := errors.AsType[*lease.LostError](err); lost && !already {
		return errors.Join(err, rerr)
	}
	return err
}

// releaseWithin bounds the release of a lease after a failed slice.
const releaseWithin = 10 * time.Second

// releasing returns the context of the release of a lease after a slice
// failed or panicked: ctx's values without its end (the job's context may
// have ended: River's JobTimeout), and a timeout of releaseWithin or the
// leases' TTL, if shorter. A database that went out of reach (a network
// partition, no connection ending) holds a request sent to it until the
// partition heals or TCP gives up on the connection (minutes later), and
// one waiting for a connection of a pool whose connections all wait so;
// once the lease's TTL went by, releasing it frees nothing: the customer
// is free to take anyway. Without the timeout the job would hold its
// River worker (and River's Stop) for as long as the database stays out
// of reach.
func (r *Runner) releasing(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), min(releaseWithin, r.leases.TTL()))
}

// promptWithin is how soon a successor must be due to be enqueued as
// available rather than scheduled: River's leader moves scheduled jobs to
// available every 5 seconds only, while workers fetch an available job as
// soon as it is due (each FetchPollInterval). A customer paced at
// LinkedIn's 10,000 records a minute may send a batch every 0.6 seconds
// (docs/linkedin-api.md §5): its next slice must not wait for the
// scheduler. Later successors stay scheduled, out of the workers' fetches.
const promptWithin = 10 * time.Second

// enqueueNext enqueues the successor of a job in tx, due at at (zero:
// now); a job already waiting (enqueued meanwhile) carries the chain on
// instead.
func (r *Runner) enqueueNext(ctx context.Context, tx pgx.Tx, args river.JobArgs, key string, at time.Time) error {
	client := river.ClientFromContext[pgx.Tx](ctx)
	res, err := client.InsertTx(ctx, tx, args, &river.InsertOpts{ScheduledAt: at})
	if err != nil {
		return fmt.Errorf("riverrun: enqueueing the next %s job of %s: %w", args.Kind(), key, err)
	}
	if res.UniqueSkippedAsDuplicate || res.Job.State != rivertype.JobStateScheduled || at.Sub(r.clock.Now()) > promptWithin {
		return nil
	}
	// Available with its scheduled_at ahead: River's fetch takes it once due.
	// The job is in the table the client inserted it in: its Schema's, or
	// the search path's when unset.
	table := "river_job"
	if schema := client.Schema(); schema != "" {
		table = pgx.Identifier{schema, table}.Sanitize()
	}
	if _, err := tx.Exec(ctx, "update "+table+" set state = 'available' where id = $1 and state = 'scheduled'", res.Job.ID); err != nil {
		return fmt.Errorf("riverrun: making the next %s job of %s available: %w", args.Kind(), key, err)
	}
	return nil
}

// PollArgs is the job of one run of a periodic task of one customer.
type PollArgs struct {
	// Task names the PollTask to run, a key of the Poller's tasks; a job
	// naming none of them is cancelled.
	Task string `json:"task"`
	// CustomerID is the customer the task runs for: an id
	// pgstore.CheckCustomerID accepts, as EnqueuePoll requires.
	CustomerID string `json:"customer_id"`
}

// Kind implements river.JobArgs.
func (PollArgs) Kind() string { return "rscgo_poll" }

// InsertOpts makes a customer's task unique among its jobs waiting or
// running, as SliceArgs.InsertOpts does.
func (PollArgs) InsertOpts() river.InsertOpts { return SliceArgs{}.InsertOpts() }

// PollTask is periodic work of a customer, such as InMail polling (an
// inmail.Retriever's RunOnce) or onboarding status checks.
type PollTask struct {
	// Run does the work once. It must not be nil. An error is retried with
	// River's backoff. Its context ends at River's JobTimeout, which bounds
	// a run: unlike a slice, a run is not cut short as its lease nears
	// its end.
	Run func(ctx context.Context, customerID string) error
	// Every is the time from the end of one run to the start of the next;
	// it must be positive.
	Every time.Duration
}

// Poller is the River worker of PollArgs jobs: each customer's task runs
// under its own lease (named task/customer), and each run enqueues the
// next one, as slices do. A slice's lease is named by the customer id
// alone, so no customer id may read "task/other-customer" for a task name
// in use: the two would share one lease. Its writes are not fenced: a task must be safe
// to run again from its own cursors.
type Poller struct {
	river.WorkerDefaults[PollArgs]

	r     *Runner
	tasks map[string]PollTask
}

// Poller returns the worker of the tasks, by name, sharing r's database,
// leases and clock.
func (r *Runner) Poller(tasks map[string]PollTask) (*Poller, error) {
	for name, t := range tasks {
		if name == "" || t.Run == nil || t.Every <= 0 {
			return nil, fmt.Errorf("riverrun: poll task %q: the name must not be empty, Run not nil and Every (%v) positive", name, t.Every)
		}
	}
	return &Poller{r: r, tasks: maps.Clone(tasks)}, nil
}

// Work implements river.Worker: it runs the task once.
func (p *Poller) Work(ctx context.Context, job *river.Job[PollArgs]) error {
	t, ok := p.tasks[job.Args.Task]
	if !ok {
		return river.JobCancel(fmt.Errorf("riverrun: no poll task %q", job.Args.Task))
	}
	return runLeased(ctx, p.r, job, pollLease(job.Args.Task, job.Args.CustomerID), func(ctx context.Context, _ *lease.Lease) (time.Time, error) {
		if err := t.Run(ctx, job.Args.CustomerID); err != nil {
			return time.Time{}, err
		}
		return p.r.clock.Now().Add(t.Every), nil
	})
}

// EnqueuePoll starts the customer's chain of runs of the task, unless one
// is already waiting or running. It refuses a customer id as Enqueue does,
// and so the name of the runs' lease, the task's name, "/" and the
// customer id, which must not be longer than pgstore.MaxCustomerIDLen
// bytes together either.
func EnqueuePoll(ctx context.Context, client *river.Client[pgx.Tx], task, customerID string) error {
	args := PollArgs{Task: task, CustomerID: customerID}
	if pgstore.CheckCustomerID(customerID) == nil { // else insert says why
		if err := pgstore.CheckCustomerID(pollLease(task, customerID)); err != nil {
			return fmt.Errorf("riverrun: enqueueing a %s job: the name of its lease (the task's, \"/\", the customer id): %w", args.Kind(), err)
		}
	}
	return insert(ctx, client, args, customerID)
}

// pollLease names the lease of a customer's poll task.
func pollLease(task, customerID string) string { return task + "/" + customerID }

// ResumeArgs is the job that starts the chain of every active customer
// that has no slice waiting or running: after River discarded a slice
// whose retries ran out, say. The Resumer works it; ResumePeriodically
// schedules it.
type ResumeArgs struct{}

// Kind implements river.JobArgs.
func (ResumeArgs) Kind() string { return "rscgo_resume" }

// Resumer is the River worker of ResumeArgs jobs.
type Resumer struct {
	river.WorkerDefaults[ResumeArgs]

	active func(ctx context.Context) ([]string, error)
	tasks  []string // the poll tasks to resume, by name, sorted
}

// Resumer returns the worker of ResumeArgs jobs, which enqueues a slice for
// each customer active returns (the customers to sync, as the ATS knows
// them: the store's checkpoints include customers that left) and, for each
// of them, a run of every task of the pollers (EnqueuePoll), so that a
// chain of polls River discarded (an ATS down for longer than the job's
// attempts last) starts again too.
func (r *Runner) Resumer(active func(ctx context.Context) ([]string, error), pollers ...*Poller) (*Resumer, error) {
	if active == nil {
		return nil, errors.New("riverrun: Resumer: nil list of active customers")
	}
	w := &Resumer{active: active}
	for _, p := range pollers {
		if p == nil {
			return nil, errors.New("riverrun: Resumer: nil Poller")
		}
		w.tasks = append(w.tasks, slices.Collect(maps.Keys(p.tasks))...)
	}
	slices.Sort(w.tasks)
	w.tasks = slices.Compact(w.tasks)
	return w, nil
}

// Work implements river.Worker: it enqueues a slice of every active
// customer (EnqueueAll), then a run of every poll task of each (as
// EnqueuePoll does); those with one waiting or running are skipped as
// duplicates. An id Enqueue would refuse (pgstore.CheckCustomerID), or
// whose poll lease name would be too long, is left out, and the job then
// fails naming it, once the others are enqueued.
func (w *Resumer) Work(ctx context.Context, _ *river.Job[ResumeArgs]) error {
	custs, err := w.active(ctx)
	if err != nil {
		return fmt.Errorf("riverrun: listing the active customers: %w", err)
	}
	// An invalid id (a bug in the list) must not hold back the others:
	// they are resumed, and the job then fails naming the first.
	var badIDs, badPolls refused
	ids := slices.DeleteFunc(slices.Clone(custs), badIDs.check)
	client := river.ClientFromContext[pgx.Tx](ctx)
	if err := EnqueueAll(ctx, client, ids); err != nil {
		return err
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	var polls []river.JobArgs
	var owners []string
	for _, task := range w.tasks {
		for _, id := range ids {
			if !badPolls.check(pollLease(task, id)) {
				polls, owners = append(polls, PollArgs{Task: task, CustomerID: id}), append(owners, id)
			}
		}
	}
	if err := insertMany(ctx, client, polls, owners); err != nil {
		return err
	}
	var errs []error
	if badIDs.n > 0 {
		errs = append(errs, fmt.Errorf("riverrun: the list of active customers holds %d invalid id(s), the %d others are resumed; the first: %w", badIDs.n, len(ids), badIDs.first))
	}
	if badPolls.n > 0 {
		errs = append(errs, fmt.Errorf("riverrun: %d poll lease name(s) (the task's, \"/\", the customer id) too long, the %d other polls are resumed; the first: %w", badPolls.n, len(polls), badPolls.first))
	}
	return errors.Join(errs...)
}

// refused counts the names pgstore.CheckCustomerID refuses, keeping the
// first refusal.
type refused struct {
	n     int
	first error
}

// check reports whether name is refused, counting it.
func (r *refused) check(name string) bool {
	err := pgstore.CheckCustomerID(name)
	if err != nil {
		r.n++
		r.first = cmp.Or(r.first, err)
	}
	return err != nil
}

// ResumePeriodically returns the periodic job that runs a ResumeArgs job
// every interval (an hour, say), for river.Config.PeriodicJobs.
func ResumePeriodically(interval time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return ResumeArgs{}, nil },
		&river.PeriodicJobOpts{ID: "rscgo_resume"})
}
