package riverrun_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/rscgo/rscgo/fleet/internal/pgtest"
	"github.com/rscgo/rscgo/fleet/lease"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/fleet/riverrun"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// fleet is customers on a fake LinkedIn, their candidates in
// SliceSources, and worker processes (each its own pool, Runner and River
// client) sharing one database.
type fleet struct {
	db    *pgstore.DB // the first worker's
	clock *rsctest.FakeClock
	cust  *rsctest.Customer     // the first customer, c1 unless spec.ids
	river *river.Client[pgx.Tx] // the first worker's
	// leases and engines are the first worker's, for a test to hold a
	// customer or run a slice outside River.
	leases  *lease.Leases
	engines riverrun.EngineFunc
	// custs are the customers by id; batches counts the candidate batch
	// requests sent for each.
	custs   map[string]*rsctest.Customer
	batches map[string]*atomic.Int64
	rivers  []*river.Client[pgx.Tx] // every worker's
}

// spec says what newFleet builds; zero counts mean 1.
type spec struct {
	customers, candidates, workers int
	limits                         rsctest.Limits
	pacing                         *rsc.Limits                  // the clients' limits; nil: pacing disabled
	polls                          map[string]riverrun.PollTask // the workers' poll tasks
	// beforeBatch and afterBatch, when not nil, see each candidate batch
	// request before it is sent (an error stops it) and once answered.
	beforeBatch, afterBatch func(*http.Request) error
	// sliceBatches is the runners' batches per slice (0: 1).
	sliceBatches int
	// jobs is the jobs of each customer, whose tasks LinkedIn finishes
	// after taskPolls polls.
	jobs, taskPolls int
	// ids are the customers' ids (nil: c1, c2, ... up to customers).
	ids []string
	// source, when not nil, wraps each customer's source.
	source func(rscsync.Source) rscsync.Source
	// river, when not nil, changes the workers' River configuration.
	river func(*river.Config)
	// riverSchema, when not empty, is a schema of River's own: River's
	// tables are migrated there too, and it is the workers' Config.Schema.
	riverSchema string
}

// start is 23:00 UTC two days ahead: River's real clock never reaches a
// slice scheduled by the fake clock during the test, and the daily quota
// resets an hour after it.
func start() time.Time {
	return time.Now().UTC().Add(48 * time.Hour).Truncate(24 * time.Hour).Add(23 * time.Hour)
}

// counting counts the candidate batch requests it passes on. Around each,
// when not nil, before may stop it and after sees it answered.
type counting struct {
	rt            http.RoundTripper
	n             *atomic.Int64
	before, after func(*http.Request) error
}

func (c counting) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodPost || !strings.Contains(r.URL.Path, "atsCandidates") {
		return c.rt.RoundTrip(r)
	}
	if c.before != nil {
		if err := c.before(r); err != nil {
			return nil, err
		}
	}
	c.n.Add(1)
	resp, err := c.rt.RoundTrip(r)
	if err == nil && c.after != nil {
		err = c.after(r)
	}
	return resp, err
}

func newFleet(t *testing.T, sp spec) *fleet {
	t.Helper()
	f := &fleet{clock: rsctest.NewFakeClock(start()), custs: map[string]*rsctest.Customer{}, batches: map[string]*atomic.Int64{}}
	srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithClock(f.clock), rsctest.WithLimits(sp.limits),
		rsctest.WithJobTaskLatency(sp.taskPolls))
	t.Cleanup(srv.Close)
	clients, srcs := map[string]*rsc.Client{}, map[string]*rscsync.SliceSource{}
	pacing := rsc.Limits{Disabled: true}
	if sp.pacing != nil {
		pacing = *sp.pacing
	}
	ids := sp.ids
	if ids == nil {
		for i := range max(sp.customers, 1) {
			ids = append(ids, fmt.Sprintf("c%d", i+1))
		}
	}
	for _, id := range ids {
		cust := srv.AddCustomer(rsctest.CustomerSpec{})
		f.custs[id], f.batches[id] = cust, new(atomic.Int64)
		client, err := rsc.NewClient(rsc.WithBaseURL(srv.URL()), rsc.WithTokenURL(srv.TokenURL()),
			rsc.WithTransport(counting{srv.Transport(), f.batches[id], sp.beforeBatch, sp.afterBatch}),
			rsc.WithCredentials(cust.ClientID, cust.ClientSecret), rsc.WithClock(f.clock), rsc.WithLimits(pacing),
			rsc.WithRetryPolicy(rsc.RetryPolicy{MaxAttempts: 1}))
		if err != nil {
			t.Fatal(err)
		}
		clients[id], srcs[id] = client, candidates(cust.Organization, f.clock.Now(), sp.candidates)
		for j := range sp.jobs {
			srcs[id].PutJobs(job(cust.Organization, f.clock.Now(), j))
		}
	}
	f.cust = f.custs[ids[0]]
	url := pgtest.DB(t)
	tune := sp.river
	if sp.riverSchema != "" {
		migrateRiverInto(t, url, sp.riverSchema)
		tune = func(c *river.Config) {
			c.Schema = sp.riverSchema
			if sp.river != nil {
				sp.river(c)
			}
		}
	}
	for w := range max(sp.workers, 1) {
		db, err := pgstore.Open(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		leases, err := lease.New(db, lease.WithClock(f.clock), lease.WithTTL(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		engines := func(_ context.Context, id string, store rscsync.Store) (*rscsync.Engine, error) {
			var src rscsync.Source = srcs[id]
			if sp.source != nil {
				src = sp.source(src)
			}
			return rscsync.NewEngine(clients[id], id, src, rscsync.WithStore(store), rscsync.WithDeadLetters(db.DeadLetters()),
				rscsync.WithClock(f.clock), rscsync.WithInFlight(1), rscsync.WithWaitWhenParked(false))
		}
		rc := startWorker(t, fmt.Sprintf("worker-%d", w+1), db, leases, engines, f.clock, sp.polls, slices.Sorted(maps.Keys(f.custs)),
			max(sp.sliceBatches, 1), tune)
		f.rivers = append(f.rivers, rc)
		if w == 0 {
			f.db, f.river, f.leases, f.engines = db, rc, leases, engines
		}
	}
	return f
}

// candidates returns a source of n candidates of org, modified in the n
// minutes before the clock skew allowance before now: all in the historical
// pass's backlog, none in its fresh lane (the sync package's "Fresh
// lanes"), so that the slices' batches are the backlog's.
func candidates(org string, now time.Time, n int) *rscsync.SliceSource {
	src := rscsync.NewSliceSource()
	for i := range n {
		at := now.Add(-rscsync.DefaultClockSkew - time.Duration(n-i)*time.Minute)
		id := fmt.Sprintf("C%04d", i)
		src.PutCandidates(rscsync.Candidate{ModifiedAt: at, Record: rsc.Candidate{
			Key:       rsc.CandidateKey{IntegrationContext: org, CandidateID: id},
			FirstName: "Ann", EmailAddresses: []string{id + "@example.com"}, ExternalProfileURL: "https://ats.example.com/c/" + id,
			CreatedAt: rsc.Millis(at), LastModifiedAt: rsc.Millis(at)}})
	}
	return src
}

// job returns the jth job of org, modified an hour before now.
func job(org string, now time.Time, j int) rscsync.Job {
	id := fmt.Sprintf("J%04d", j)
	return rscsync.Job{ModifiedAt: now.Add(-time.Hour), Posting: rsc.JobPosting{
		ExternalJobPostingID: id, IntegrationContext: org, CompanyApplyURL: "https://ats.example.com/apply/" + id,
		Title: "Backend engineer", Description: strings.Repeat("Build the sync engine. ", 6),
		ListedAt: rsc.Millis(now.Add(-2 * time.Hour)), Location: "Paris, France", PosterEmail: "recruiter@example.com", Availability: rsc.AvailabilityPrivate}}
}

// startWorker migrates River's schema and starts a River client working
// slices of batches batches with a Runner, polls with its Poller, and resumes
// the active customers with its Resumer. tune, when not nil, changes the
// client's configuration.
func startWorker(t *testing.T, id string, db *pgstore.DB, leases *lease.Leases, engines riverrun.EngineFunc, clock rsc.Clock,
	polls map[string]riverrun.PollTask, active []string, batches int, tune func(*river.Config)) *river.Client[pgx.Tx] {
	t.Helper()
	ctx := t.Context()
	if err := riverrun.Migrate(ctx, db.Pool()); err != nil {
		t.Fatal(err)
	}
	runner, err := riverrun.New(db, leases, engines, riverrun.WithClock(clock), riverrun.WithSliceBatches(batches))
	if err != nil {
		t.Fatal(err)
	}
	poller, err := runner.Poller(polls)
	if err != nil {
		t.Fatal(err)
	}
	resumer, err := runner.Resumer(func(context.Context) ([]string, error) { return active, nil }, poller)
	if err != nil {
		t.Fatal(err)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, runner)
	river.AddWorker(workers, poller)
	river.AddWorker(workers, resumer)
	cfg := &river.Config{
		ID: id, Workers: workers, Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		FetchCooldown: 5 * time.Millisecond, FetchPollInterval: 20 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), TestOnly: true,
	}
	if tune != nil {
		tune(cfg)
	}
	rc, err := river.NewClient(riverpgxv5.New(db.Pool()), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := rc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rc.Stop(context.WithoutCancel(ctx)) })
	return rc
}

// migrateRiverInto creates the schema in the database of url and migrates
// River's tables there, as an operator giving River a schema of its own
// (river.Config.Schema) does.
func migrateRiverInto(t *testing.T, url, schema string) {
	t.Helper()
	ctx := t.Context()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, "create schema "+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Schema: schema})
	if err == nil {
		_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// waitFor waits for an event of kind after which until holds, failing on
// a failed job. Events arrive after the fact: until reads the database.
func (f *fleet) waitFor(t *testing.T, events <-chan *river.Event, kind river.EventKind, until func() bool) {
	t.Helper()
	timeout := time.NewTimer(30 * time.Second) // a deadline, not a sleep: the events end the wait
	defer timeout.Stop()
	for {
		select {
		case ev := <-events:
			if ev.Kind == river.EventKindJobFailed {
				t.Fatalf("slice failed: %+v", ev.Job.Errors)
			}
			if ev.Kind == kind && until() {
				return
			}
		case <-timeout.C:
			t.Fatalf("no %s event ending the wait", kind)
		}
	}
}

// pause lets d go by on the fake clock and on the database's, which judges
// the leases' expiry: as its now() cannot be moved, the expiries of the
// leases held move d earlier instead.
func (f *fleet) pause(ctx context.Context, d time.Duration) error {
	f.clock.Advance(d)
	_, err := f.db.Pool().Exec(ctx, `update rscgo_leases set expires_at = expires_at - $1 * interval '1 microsecond'
		where holder <> ''`, d.Microseconds())
	return err
}

// completed returns the number of completed slices.
func (f *fleet) completed(t *testing.T) int {
	t.Helper()
	var n int
	err := f.db.Pool().QueryRow(t.Context(), "select count(*) from river_job where kind = 'rscgo_sync_slice' and state = 'completed'").Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// deadLetterIDs returns the ids of the customer's dead letters in the
// database.
func (f *fleet) deadLetterIDs(t *testing.T, customerID string) []string {
	t.Helper()
	var ids []string
	for l, err := range f.db.DeadLetters().List(t.Context(), customerID) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, l.ID)
	}
	return ids
}

// waiting returns the state and time of the last slice not completed nor
// running.
func (f *fleet) waiting(t *testing.T) (state string, at time.Time) {
	t.Helper()
	return f.waitingKind(t, riverrun.SliceArgs{}.Kind())
}

// waitingKind returns the state and time of the last job of kind not
// completed nor running.
func (f *fleet) waitingKind(t *testing.T, kind string) (state string, at time.Time) {
	t.Helper()
	err := f.db.Pool().QueryRow(t.Context(), `select state, scheduled_at from river_job
		where kind = $1 and state not in ('completed', 'running') order by id desc limit 1`, kind).Scan(&state, &at)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		t.Fatal(err)
	}
	return state, at
}

// TestChainOfSlices syncs 250 candidates, one batch of 100 per slice: each
// slice enqueues the next, and the caught-up customer's next slice waits
// for the incremental interval.
func TestChainOfSlices(t *testing.T) {
	t.Parallel()
	f := newFleet(t, spec{candidates: 250})
	events, cancel := f.river.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobSnoozed)
	defer cancel()
	if err := riverrun.Enqueue(t.Context(), f.river, "c1"); err != nil {
		t.Fatal(err)
	}
	incremental := f.clock.Now().Add(15 * time.Minute)
	f.waitFor(t, events, river.EventKindJobCompleted, func() bool {
		state, at := f.waiting(t)
		return state == "scheduled" && !at.Before(incremental)
	})
	if n := f.completed(t); n != 3 {
		t.Errorf("%d slices ran, want 3 (one per batch of 100)", n)
	}
	if n := len(f.cust.Candidates()); n != 250 {
		t.Errorf("LinkedIn holds %d candidates, want 250", n)
	}
	cp, err := f.db.Checkpoints().Load(t.Context(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	if got := cp.Phases[rscsync.PhaseCandidates].Done; got != 250 {
		t.Errorf("checkpoint: %d candidates done, want 250", got)
	}
}

// snoozedAnHour checks that the customer's slice was snoozed for an hour
// (from River's real clock), between before and after.
func (f *fleet) snoozedAnHour(t *testing.T, before, after time.Time) {
	t.Helper()
	state, at := f.waiting(t)
	if state != "scheduled" || at.Before(before.Add(time.Hour-time.Minute)) || at.After(after.Add(time.Hour)) {
		t.Errorf("snoozed slice: %s at %v, want scheduled an hour after %v", state, at, before)
	}
}

// TestHeldCustomerSnoozes: a slice whose customer is leased by another
// holder sends nothing and snoozes until the lease expires.
func TestHeldCustomerSnoozes(t *testing.T) {
	t.Parallel()
	f := newFleet(t, spec{candidates: 10})
	if _, err := f.leases.Acquire(t.Context(), "c1", "elsewhere"); err != nil {
		t.Fatal(err)
	}
	events, cancel := f.river.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobSnoozed)
	defer cancel()
	before := time.Now()
	if err := riverrun.Enqueue(t.Context(), f.river, "c1"); err != nil {
		t.Fatal(err)
	}
	f.waitFor(t, events, river.EventKindJobSnoozed, func() bool { return true })
	f.snoozedAnHour(t, before, time.Now()) // the lease's TTL
	if n := len(f.cust.Candidates()); n != 0 {
		t.Errorf("LinkedIn holds %d candidates sent while another holder held the customer", n)
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	f := newFleet(t, spec{})
	engines := func(context.Context, string, rscsync.Store) (*rscsync.Engine, error) { return nil, nil }
	for _, opts := range [][]riverrun.Option{
		{riverrun.WithClock(nil)}, {riverrun.WithSliceBatches(0)}, {riverrun.WithIncrementalInterval(-time.Second)},
	} {
		if _, err := riverrun.New(f.db, f.leases, engines, opts...); err == nil {
			t.Errorf("New accepted an invalid option")
		}
	}
	if _, err := riverrun.New(f.db, f.leases, nil); err == nil {
		t.Errorf("New accepted a nil EngineFunc")
	}
}

// A nil clock is refused, and so is a nil *rsctest.FakeClock, which would
// panic at the first slice. New needs no database to check options.
func TestNilClockRefused(t *testing.T) {
	t.Parallel()
	engines := func(context.Context, string, rscsync.Store) (*rscsync.Engine, error) { return nil, nil }
	for _, tc := range []struct {
		name string
		opt  riverrun.Option
	}{
		{"nil", riverrun.WithClock(nil)},
		{"typed nil", riverrun.WithClock((*rsctest.FakeClock)(nil))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := riverrun.New(new(pgstore.DB), new(lease.Leases), engines, tc.opt)
			if want := "riverrun: WithClock: nil clock"; err == nil || err.Error() != want {
				t.Errorf("New = %v, want %s", err, want)
			}
		})
	}
}

// A nil option is skipped, as the root module's options are. New needs no
// database to apply options.
func TestNilOptionSkipped(t *testing.T) {
	t.Parallel()
	engines := func(context.Context, string, rscsync.Store) (*rscsync.Engine, error) { return nil, nil }
	for _, tc := range []struct {
		name string
		opts []riverrun.Option
	}{
		{"nil", []riverrun.Option{nil}},
		{"nil among others", []riverrun.Option{riverrun.WithSliceBatches(3), nil, riverrun.WithClock(rsc.SystemClock())}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := riverrun.New(new(pgstore.DB), new(lease.Leases), engines, tc.opts...); err != nil {
				t.Errorf("New = %v, want no error", err)
			}
		})
	}
}

// TestDailyQuotaSnoozes: a slice that spends the daily quota snoozes until
// LinkedIn's UTC reset, an hour later.
func TestDailyQuotaSnoozes(t *testing.T) {
	t.Parallel()
	f := newFleet(t, spec{candidates: 250, limits: rsctest.Limits{SyncRequestsPerDay: 1}})
	events, cancel := f.river.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobSnoozed)
	defer cancel()
	if err := riverrun.Enqueue(t.Context(), f.river, "c1"); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	f.waitFor(t, events, river.EventKindJobSnoozed, func() bool { return true })
	after := time.Now()
	if n := f.completed(t); n != 1 { // the first slice sent its batch, the second one was refused
		t.Errorf("%d slices completed, want 1 before the snoozed one", n)
	}
	f.snoozedAnHour(t, before, after) // the reset at midnight, by the fake clock
	if n := len(f.cust.Candidates()); n != 100 {
		t.Errorf("LinkedIn holds %d candidates, want the first batch of 100", n)
	}
}

// TestQuotaYieldSchedulesSlice: a slice whose per-minute quota does not
// allow its next batch yet does not wait in the client's pacing (the fake
// clock, which a wait would advance, stays put): its successor is
// scheduled for when the quota allows it.
func TestQuotaYieldSchedulesSlice(t *testing.T) {
	t.Parallel()
	f := newFleet(t, spec{candidates: 250, limits: rsctest.Limits{SyncRecordsPerMinute: 100},
		pacing: &rsc.Limits{SyncRecordsPerMinute: 100}})
	events, cancel := f.river.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobSnoozed)
	defer cancel()
	t0 := f.clock.Now()
	if err := riverrun.Enqueue(t.Context(), f.river, "c1"); err != nil {
		t.Fatal(err)
	}
	// 100 records a minute: the slice after the first batch is scheduled
	// for a minute after it.
	f.waitFor(t, events, river.EventKindJobCompleted, func() bool {
		state, at := f.waiting(t)
		return state == "scheduled" && at.Equal(t0.Add(time.Minute))
	})
	if n := len(f.cust.Candidates()); n != 100 || !f.clock.Now().Equal(t0) {
		t.Errorf("LinkedIn holds %d candidates, want the first batch of 100; the clock moved by %v", n, f.clock.Now().Sub(t0))
	}
}

// TestWaitsScheduleSlice: a slice that would wait for LinkedIn's job tasks
// (the next poll, five minutes on) or for a per-minute 429's Retry-After
// (the next minute) ends instead, without an error or a spent attempt,
// and its successor is scheduled for when the wait ends; the fake clock,
// which a wait would advance, stays put.
func TestWaitsScheduleSlice(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		spec  spec
		after time.Duration               // the successor's time
		held  func(*rsctest.Customer) int // the records LinkedIn holds
		want  int
	}{
		{name: "job tasks", spec: spec{jobs: 2, taskPolls: 1, candidates: 1, sliceBatches: 10}, after: 5 * time.Minute,
			held: func(c *rsctest.Customer) int { return len(c.Jobs()) }, want: 2},
		// The clients do not retry (newFleet): the 429 reaches the engine.
		{name: "per-minute 429", spec: spec{candidates: 250, limits: rsctest.Limits{SyncRecordsPerMinute: 100}, sliceBatches: 10},
			after: time.Minute, held: func(c *rsctest.Customer) int { return len(c.Candidates()) }, want: 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFleet(t, tc.spec)
			events, cancel := f.river.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobSnoozed)
			defer cancel()
			t0 := f.clock.Now()
			if err := riverrun.Enqueue(t.Context(), f.river, "c1"); err != nil {
				t.Fatal(err)
			}
			f.waitFor(t, events, river.EventKindJobCompleted, func() bool { return true })
			type slices struct {
				Completed int
				Errors    string
				Next      string
				At        time.Duration
				Held      int
				Clock     time.Duration
			}
			got := slices{Completed: f.completed(t), Held: tc.held(f.cust), Clock: f.clock.Now().Sub(t0)}
			if err := f.db.Pool().QueryRow(t.Context(), `select coalesce(jsonb_agg(e), '[]')::text from river_job, unnest(errors) e
				where kind = 'rscgo_sync_slice'`).Scan(&got.Errors); err != nil {
				t.Fatal(err)
			}
			var at time.Time
			got.Next, at = f.waiting(t)
			got.At = at.Sub(t0)
			want := slices{Completed: 1, Errors: "[]", Next: "scheduled", At: tc.after, Held: tc.want}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("after the first slice (-want +got):\n%s", d)
			}
		})
	}
}

// TestLeaseLostMidSlice: a worker paused past its lease while another took
// the customer finds its commit refused with a *lease.LostError, and
// nothing of it is committed.
func TestLeaseLostMidSlice(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newFleet(t, spec{candidates: 250})
	a, err := f.leases.Acquire(ctx, "c1", "worker-a")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := f.engines(ctx, "c1", f.db.Checkpoints().Fenced(a))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.pause(ctx, 2*time.Hour); err != nil { // worker-a pauses past its lease
		t.Fatal(err)
	}
	if _, err := f.leases.Acquire(ctx, "c1", "worker-b"); err != nil {
		t.Fatal(err)
	}
	_, err = eng.RunSlice(ctx, 1)
	var lost *lease.LostError
	if !errors.As(err, &lost) || lost.Holder != "worker-b" {
		t.Fatalf("RunSlice under a lost lease: %v, want a *lease.LostError naming worker-b", err)
	}
	if cp, err := f.db.Checkpoints().Load(ctx, "c1"); cp != nil || err != nil {
		t.Errorf("checkpoint after the refused commits: %+v, %v; want none", cp, err)
	}
}

// TestSliceWithinItsLease: a slice whose lease nears its end (the fake
// clock jumps while a candidate batch is on its way, as after a pause)
// yields before its next batch once a tenth of the 1 h TTL is left, with
// the batch sent committed; once a twentieth is left it is cancelled,
// its batch unsent. Its successor sends the rest under a new lease. A
// slice cancelled before any commit fails its attempt, and River's retry
// sends the rest.
func TestSliceWithinItsLease(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		batches   int   // per slice
		at        int64 // the candidate batch during which the clock jumps (1-based)
		answered  bool  // the jump comes once the batch is answered (else before it is sent)
		completed int   // slices completed when the customer is caught up
		failed    bool  // an attempt fails, saying the lease ran out
	}{
		{name: "yields", batches: 3, at: 1, answered: true, completed: 2},
		{name: "cut after a commit", batches: 3, at: 2, completed: 2},
		{name: "cut before a commit", batches: 1, at: 1, completed: 3, failed: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var f *fleet
			var seen atomic.Int64
			sp := spec{candidates: 250, sliceBatches: tc.batches}
			if tc.answered {
				sp.afterBatch = func(*http.Request) error {
					if seen.Add(1) == tc.at {
						f.clock.Advance(55 * time.Minute) // 5 min left: less than a tenth, more than a twentieth
					}
					return nil
				}
			} else {
				sp.beforeBatch = func(r *http.Request) error {
					if seen.Add(1) != tc.at {
						return nil
					}
					f.clock.Advance(58 * time.Minute) // 2 min left: less than a twentieth
					select {
					case <-r.Context().Done():
						return context.Cause(r.Context())
					case <-time.After(30 * time.Second): // a deadline, not a sleep
						return errors.New("the slice was not cancelled before its lease ended")
					}
				}
			}
			f = newFleet(t, sp)
			events := f.subscribe(t)
			if err := riverrun.Enqueue(t.Context(), f.river, "c1"); err != nil {
				t.Fatal(err)
			}
			var failures []string
			deadline := time.After(60 * time.Second) // a deadline, not a sleep: the events end the wait
			for len(f.cust.Candidates()) < 250 || f.completed(t) < tc.completed {
				select {
				case ev := <-events:
					if ev.Kind == river.EventKindJobFailed {
						for _, e := range ev.Job.Errors {
							failures = append(failures, e.Error)
						}
					}
				case <-deadline:
					t.Fatalf("not caught up: LinkedIn holds %d candidates, %d slices completed, failures %q",
						len(f.cust.Candidates()), f.completed(t), failures)
				}
			}
			if n := f.batches["c1"].Load(); n != 3 {
				t.Errorf("%d candidate batches sent, want 3: a cancelled one is not sent", n)
			}
			if n := f.completed(t); n != tc.completed {
				t.Errorf("%d slices completed, want %d", n, tc.completed)
			}
			wantFailed := 0
			if tc.failed {
				wantFailed = 1
			}
			if len(failures) != wantFailed || tc.failed && !strings.Contains(failures[0], "ran out before a batch was committed") {
				t.Errorf("failed attempts %q, want %d saying the lease ran out", failures, wantFailed)
			}
		})
	}
}

// subscribe returns the events of every worker's River client.
func (f *fleet) subscribe(t *testing.T) <-chan *river.Event {
	out := make(chan *river.Event, 1000)
	for _, rc := range f.rivers {
		events, cancel := rc.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobSnoozed, river.EventKindJobCancelled)
		t.Cleanup(cancel)
		go func() {
			for ev := range events {
				out <- ev
			}
		}()
	}
	return out
}

// receive returns the next value of ch, or fails the test with what when
// none comes within 30 seconds (a deadline, not a sleep).
func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(30 * time.Second):
		t.Fatal(what)
	}
	panic("unreachable")
}

// TestWorkersShareCustomers: three worker processes share six customers
// of 250 candidates. Each customer's three batches are sent once, by three
// slices, and each customer ends caught up with its next slice scheduled.
func TestWorkersShareCustomers(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newFleet(t, spec{customers: 6, candidates: 250, workers: 3})
	events := f.subscribe(t)
	for id := range f.custs {
		if err := riverrun.Enqueue(ctx, f.river, id); err != nil {
			t.Fatal(err)
		}
	}
	incremental := f.clock.Now().Add(15 * time.Minute)
	f.waitFor(t, events, river.EventKindJobCompleted, func() bool {
		var n int
		err := f.db.Pool().QueryRow(ctx, "select count(*) from river_job where state = 'scheduled' and scheduled_at >= $1", incremental).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n == len(f.custs)
	})
	rows, _ := f.db.Pool().Query(ctx, `select args->>'customer_id', count(*) from river_job where state = 'completed' group by 1`)
	slices := map[string]int{}
	var id string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error { slices[id] = n; return nil }); err != nil {
		t.Fatal(err)
	}
	for id, cust := range f.custs {
		if slices[id] != 3 || f.batches[id].Load() != 3 || len(cust.Candidates()) != 250 {
			t.Errorf("customer %s: %d slices, %d batches sent, %d candidates on LinkedIn; want 3, 3, 250",
				id, slices[id], f.batches[id].Load(), len(cust.Candidates()))
		}
	}
	var workers int
	err := f.db.Pool().QueryRow(ctx, "select count(distinct w) from river_job, unnest(attempted_by) w").Scan(&workers)
	if err != nil {
		t.Fatal(err)
	}
	if workers < 2 {
		t.Errorf("%d worker processes ran slices, want the work shared", workers)
	}
}

// TestPollTask runs a periodic task of a customer: once, then again after
// its period; a job of an unknown task is cancelled.
func TestPollTask(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var runs []string
	var mu gosync.Mutex
	f := newFleet(t, spec{polls: map[string]riverrun.PollTask{"inmail": {Every: 10 * time.Minute, Run: func(_ context.Context, cust string) error {
		mu.Lock()
		defer mu.Unlock()
		runs = append(runs, cust)
		return nil
	}}}})
	events := f.subscribe(t)
	next := f.clock.Now().Add(10 * time.Minute)
	if err := riverrun.EnqueuePoll(ctx, f.river, "inmail", "c1"); err != nil {
		t.Fatal(err)
	}
	f.waitFor(t, events, river.EventKindJobCompleted, func() bool {
		state, at := f.waitingKind(t, riverrun.PollArgs{}.Kind())
		return state == "scheduled" && !at.Before(next)
	})
	mu.Lock()
	if diff := cmp.Diff([]string{"c1"}, runs); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
	mu.Unlock()

	if err := riverrun.EnqueuePoll(ctx, f.river, "nope", "c1"); err != nil {
		t.Fatal(err)
	}
	f.waitFor(t, events, river.EventKindJobCancelled, func() bool { return true })
}

// A customer's chain of polls that River discarded once its attempts ran
// out (the ATS was down for longer) is started again by the Resumer, as
// its chain of slices is: its InMail polling does not stop for good.
func TestResumerRestartsPollChain(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var down atomic.Bool
	var runs atomic.Int32
	down.Store(true)
	f := newFleet(t, spec{
		polls: map[string]riverrun.PollTask{"inmail": {Every: 10 * time.Minute, Run: func(context.Context, string) error {
			if down.Load() {
				return errors.New("ATS down")
			}
			runs.Add(1)
			return nil
		}}},
		river: func(c *river.Config) { c.MaxAttempts = 1 }, // the retries run out at once
	})
	events := f.subscribe(t)
	if err := riverrun.EnqueuePoll(ctx, f.river, "inmail", "c1"); err != nil {
		t.Fatal(err)
	}
	poll := riverrun.PollArgs{}.Kind()
	discarded := func() (n int) {
		if err := f.db.Pool().QueryRow(ctx, "select count(*) from river_job where kind = $1 and state = 'discarded'", poll).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	timeout := time.After(30 * time.Second) // a deadline, not a sleep: the events end the waits
	wait := func(what string, until func() bool) {
		t.Helper()
		for !until() {
			select {
			case <-events:
			case <-timeout:
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	wait("the poll chain to be discarded", func() bool { return discarded() == 1 })
	down.Store(false)
	if _, err := f.river.Insert(ctx, riverrun.ResumeArgs{}, nil); err != nil { // the hourly Resumer
		t.Fatal(err)
	}
	wait("a poll after the Resumer ran", func() bool { return runs.Load() == 1 })
	if state, at := f.waitingKind(t, poll); state != "scheduled" || at.Before(f.clock.Now()) {
		t.Errorf("after the resumed poll, its next run is %q at %v, want scheduled ahead", state, at)
	}
}

func TestPollerErrors(t *testing.T) {
	t.Parallel()
	f := newFleet(t, spec{})
	r, err := riverrun.New(f.db, f.leases, f.engines)
	if err != nil {
		t.Fatal(err)
	}
	run := func(context.Context, string) error { return nil }
	for _, tasks := range []map[string]riverrun.PollTask{
		{"": {Run: run, Every: time.Minute}}, {"x": {Every: time.Minute}}, {"x": {Run: run}},
	} {
		if _, err := r.Poller(tasks); err == nil {
			t.Errorf("Poller accepted %v", tasks)
		}
	}
}

// TestResume starts the chain of every active customer once: a second
// resume finds every customer's next slice waiting and adds nothing.
func TestResume(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newFleet(t, spec{customers: 2})
	events := f.subscribe(t)
	count := func(kind, state string) (n int) {
		t.Helper()
		err := f.db.Pool().QueryRow(ctx, "select count(*) from river_job where kind = $1 and state = $2", kind, state).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	slice, resume := riverrun.SliceArgs{}.Kind(), riverrun.ResumeArgs{}.Kind()
	for i := range 2 {
		if _, err := f.river.Insert(ctx, riverrun.ResumeArgs{}, nil); err != nil {
			t.Fatal(err)
		}
		f.waitFor(t, events, river.EventKindJobCompleted, func() bool {
			return count(resume, "completed") == i+1 && count(slice, "scheduled") == 2 && count(slice, "completed") == 2
		})
	}
	if _, err := (&riverrun.Runner{}).Resumer(nil); err == nil {
		t.Errorf("Resumer accepted a nil list")
	}
	if riverrun.ResumePeriodically(time.Hour) == nil {
		t.Errorf("no periodic job")
	}
}

// TestLostLeaseReleaseRefused: a job that fails after another holder took
// its customer (its process paused past the lease) cannot release the
// lease, and its error says that the lease was lost.
func TestLostLeaseReleaseRefused(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var f *fleet
	f = newFleet(t, spec{polls: map[string]riverrun.PollTask{"inmail": {Every: time.Minute, Run: func(ctx context.Context, cust string) error {
		if err := f.pause(ctx, 2*time.Hour); err != nil { // paused past the lease
			return err
		}
		if _, err := f.leases.Acquire(ctx, "inmail/"+cust, "elsewhere"); err != nil {
			return err
		}
		return errors.New("the InMail poll failed")
	}}}})
	events := f.subscribe(t)
	if err := riverrun.EnqueuePoll(ctx, f.river, "inmail", "c1"); err != nil {
		t.Fatal(err)
	}
	ev := receive(t, events, "no event of the poll job")
	if ev.Kind != river.EventKindJobFailed || len(ev.Job.Errors) != 1 {
		t.Fatalf("event %s with errors %+v, want one failure", ev.Kind, ev.Job.Errors)
	}
	got := ev.Job.Errors[0].Error
	for _, want := range []string{"the InMail poll failed", "lost", `"elsewhere"`} {
		if !strings.Contains(got, want) {
			t.Errorf("job error %q lacks %q", got, want)
		}
	}
	var holder string
	if err := f.db.Pool().QueryRow(ctx, "select holder from rscgo_leases where customer_id = 'inmail/c1'").Scan(&holder); err != nil || holder != "elsewhere" {
		t.Errorf("lease holder %q (%v), want elsewhere's lease kept", holder, err)
	}
}

// TestShortYieldEnqueuedAvailable: a slice whose quota allows its next
// batch within seconds enqueues its successor available, due then, so
// that workers fetch it without waiting for River's scheduler; a
// successor due later stays scheduled.
func TestShortYieldEnqueuedAvailable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		perMinute int
		wait      time.Duration
		state     string
	}{{1000, 6 * time.Second, "available"}, {500, 12 * time.Second, "scheduled"}} {
		f := newFleet(t, spec{candidates: 250, limits: rsctest.Limits{SyncRecordsPerMinute: tc.perMinute},
			pacing: &rsc.Limits{SyncRecordsPerMinute: tc.perMinute}})
		events, cancel := f.river.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobSnoozed)
		t0 := f.clock.Now()
		if err := riverrun.Enqueue(t.Context(), f.river, "c1"); err != nil {
			t.Fatal(err)
		}
		// The fake clock is two days ahead of River's: the successor is
		// never due during the test.
		f.waitFor(t, events, river.EventKindJobCompleted, func() bool {
			var state string
			var at time.Time
			err := f.db.Pool().QueryRow(t.Context(), `select state, scheduled_at from river_job
				where kind = 'rscgo_sync_slice' and state in ('available', 'scheduled')`).Scan(&state, &at)
			return err == nil && state == tc.state && at.Equal(t0.Add(tc.wait))
		})
		cancel()
		if n := len(f.cust.Candidates()); n != 100 {
			t.Errorf("%d records a minute: LinkedIn holds %d candidates, want the first batch of 100", tc.perMinute, n)
		}
	}
}

// TestShortYieldInClientSchema: with River's tables in a schema of their
// own (river.Config.Schema), not in the search path's, a successor due
// within seconds is made available in that schema's river_job, where the
// client inserted it; the search path's river_job is left alone.
func TestShortYieldInClientSchema(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newFleet(t, spec{candidates: 250, limits: rsctest.Limits{SyncRecordsPerMinute: 1000},
		pacing: &rsc.Limits{SyncRecordsPerMinute: 1000}, riverSchema: "elsewhere"})
	events, cancel := f.river.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobSnoozed)
	defer cancel()
	due := f.clock.Now().Add(6 * time.Second) // when the quota allows the second batch
	if err := riverrun.Enqueue(ctx, f.river, "c1"); err != nil {
		t.Fatal(err)
	}
	type successor struct {
		State        string
		InSearchPath int // jobs in public.river_job
	}
	var got successor
	// The fake clock is two days ahead of River's: the successor is never
	// due during the test.
	f.waitFor(t, events, river.EventKindJobCompleted, func() bool {
		return f.db.Pool().QueryRow(ctx, `select state, (select count(*) from public.river_job)
			from elsewhere.river_job where kind = 'rscgo_sync_slice' and scheduled_at = $1`, due).Scan(&got.State, &got.InSearchPath) == nil
	})
	if d := cmp.Diff(successor{State: "available"}, got); d != "" {
		t.Errorf("the successor due at %v, in River's schema (-want +got):\n%s", due, d)
	}
}

// TestDeadLettersFenced: the dead-letter store a slice's engine gets
// writes while the slice holds the customer's lease and is refused once
// another holder took the customer; outside a slice there is none.
func TestDeadLettersFenced(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newFleet(t, spec{})
	if d := riverrun.DeadLetters(ctx); d != nil {
		t.Errorf("DeadLetters outside a slice: %v, want nil", d)
	}
	got := make(chan rscsync.DeadLetterStore, 1)
	engines := func(ctx context.Context, id string, store rscsync.Store) (*rscsync.Engine, error) {
		d := riverrun.DeadLetters(ctx)
		if err := d.Put(ctx, id, rscsync.DeadLetter{Kind: rscsync.KindCandidate, ID: "C1", Reason: "under the lease"}); err != nil {
			return nil, err
		}
		got <- d
		return f.engines(ctx, id, store)
	}
	for _, rc := range f.rivers { // this test's worker alone works the slice
		if err := rc.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	leases, err := lease.New(f.db, lease.WithClock(f.clock), lease.WithTTL(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	rc := startWorker(t, "dead-letters", f.db, leases, engines, f.clock, nil, []string{"c1"}, 1, nil)
	if err := riverrun.Enqueue(ctx, rc, "c1"); err != nil {
		t.Fatal(err)
	}
	d := receive(t, got, "no slice ran")
	if err := f.pause(ctx, 2*time.Hour); err != nil { // the slice's lease expired, and elsewhere took c1
		t.Fatal(err)
	}
	if _, err := f.leases.Acquire(ctx, "c1", "elsewhere"); err != nil {
		t.Fatal(err)
	}
	err = d.Put(ctx, "c1", rscsync.DeadLetter{Kind: rscsync.KindCandidate, ID: "C2", Reason: "after the lease"})
	var lost *lease.LostError
	if !errors.As(err, &lost) || lost.Holder != "elsewhere" {
		t.Errorf("Put after the lease was lost: %v, want a *lease.LostError naming elsewhere", err)
	}
	if diff := cmp.Diff([]string{"C1"}, f.deadLetterIDs(t, "c1")); diff != "" {
		t.Errorf("dead letters (-want +got):\n%s", diff)
	}
}

// insertOnly returns a new migrated database and a River client of it that
// only inserts jobs (it works none).
func insertOnly(t *testing.T) (*pgstore.DB, *river.Client[pgx.Tx]) {
	t.Helper()
	db, err := pgstore.Open(t.Context(), pgtest.DB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := riverrun.Migrate(t.Context(), db.Pool()); err != nil {
		t.Fatal(err)
	}
	rc, err := river.NewClient(riverpgxv5.New(db.Pool()), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return db, rc
}

// TestEnqueueAll enqueues 2,100 customers (three chunks), one of them
// named twice, and then all of them again: each customer has exactly one
// slice available. An empty id, even in the last chunk, is refused,
// naming its index, before anything is inserted.
func TestEnqueueAll(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, rc := insertOnly(t)
	available := func() (jobs, custs int) {
		t.Helper()
		err := db.Pool().QueryRow(ctx, `select count(*), count(distinct args->>'customer_id') from river_job
			where kind = $1 and state = 'available'`, riverrun.SliceArgs{}.Kind()).Scan(&jobs, &custs)
		if err != nil {
			t.Fatal(err)
		}
		return jobs, custs
	}
	ids := make([]string, 2100)
	for i := range ids {
		ids[i] = fmt.Sprintf("c%04d", i)
	}

	err := riverrun.EnqueueAll(ctx, rc, append(slices.Clone(ids), ""))
	if err == nil || !strings.Contains(err.Error(), "2100") {
		t.Errorf("EnqueueAll with an empty id at index 2100: %v, want an error naming the index", err)
	}
	if jobs, _ := available(); jobs != 0 {
		t.Errorf("after the refused EnqueueAll: %d slices available, want none", jobs)
	}

	repeated := slices.Insert(slices.Clone(ids), 10, ids[5]) // twice in the first chunk
	for i := range 2 {
		if err := riverrun.EnqueueAll(ctx, rc, repeated); err != nil {
			t.Fatalf("EnqueueAll #%d: %v", i+1, err)
		}
		if jobs, custs := available(); jobs != len(ids) || custs != len(ids) {
			t.Errorf("after EnqueueAll #%d: %d slices of %d customers available, want %d of %d", i+1, jobs, custs, len(ids), len(ids))
		}
	}
	if err := riverrun.Enqueue(ctx, rc, ids[0]); err != nil {
		t.Fatal(err)
	}
	if jobs, _ := available(); jobs != len(ids) {
		t.Errorf("Enqueue after EnqueueAll: %d slices available, want %d", jobs, len(ids))
	}
	if err := riverrun.EnqueueAll(ctx, rc, nil); err != nil {
		t.Errorf("EnqueueAll of no customers: %v", err)
	}
}

// TestHolderProcess: the lease a job holds names the job's River client,
// which HolderProcess gives back; a holder of another form is returned
// as it is.
func TestHolderProcess(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	running, proceed := make(chan struct{}), make(chan struct{})
	f := newFleet(t, spec{polls: map[string]riverrun.PollTask{"inmail": {Every: time.Hour, Run: func(ctx context.Context, _ string) error {
		select { // hold the lease until the test read it
		case running <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case <-proceed:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}}}})
	if err := riverrun.EnqueuePoll(ctx, f.river, "inmail", "c1"); err != nil {
		t.Fatal(err)
	}
	receive(t, running, "the poll task did not run")
	recs, err := lease.List(ctx, f.db, []string{"inmail/c1"})
	close(proceed)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || !strings.HasPrefix(recs[0].Holder, "worker-1 job ") || riverrun.HolderProcess(recs[0].Holder) != "worker-1" {
		t.Errorf("the running job's lease: %+v, want one held by worker-1 (HolderProcess)", recs)
	}
	for holder, want := range map[string]string{
		"worker-1 job 12 attempt 3":   "worker-1",
		"host job 7 job 12 attempt 1": "host job 7",
		"worker-1":                    "worker-1",
		"worker-1 job x attempt 1":    "worker-1 job x attempt 1",
		"worker-1 job 12":             "worker-1 job 12",
		"worker-1 job 12 attempt ":    "worker-1 job 12 attempt ",
		"worker-1 job 12 attempt 3 x": "worker-1 job 12 attempt 3 x",
		"":                            "",
	} {
		if got := riverrun.HolderProcess(holder); got != want {
			t.Errorf("HolderProcess(%q) = %q, want %q", holder, got, want)
		}
	}
}

// TestConcurrentMigrations: worker processes starting together on a new
// database migrate pgstore's schema and River's at once, as rscworker
// does: they take turns, and every one of them finds both schemas up to
// date (River's migration versions each applied once).
func TestConcurrentMigrations(t *testing.T) {
	t.Parallel()
	for range 3 {
		ctx := t.Context()
		url := pgtest.DB(t)
		var wg gosync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				db, err := pgstore.Open(ctx, url)
				if err == nil {
					err = riverrun.Migrate(ctx, db.Pool())
					db.Close()
				}
				errs[i] = err
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		var versions, distinct int
		err = conn.QueryRow(ctx, "select count(*), count(distinct version) from river_migration").Scan(&versions, &distinct)
		conn.Close(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if versions == 0 || versions != distinct {
			t.Errorf("River's migrations: %d rows of %d versions, want each version once", versions, distinct)
		}
	}
}

// TestTwoFleetsInOneDatabase: two fleets share a database, A in public and
// B in a schema of its own, first on B's search path ("fleet_b,public",
// as PostgreSQL's default "$user", public is for a role fleet_b). Migrate
// puts B's River tables beside B's pgstore tables, in fleet_b, rather than
// take A's, in public, for B's: B's slices go to B's queue, and its slice
// of a customer both fleets have is not A's. A search path naming no
// schema that exists is an error saying so.
func TestTwoFleetsInOneDatabase(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	urlA := pgtest.DB(t)
	withPath := func(path string) string { return pgtest.WithSearchPath(t, urlA, path) }
	openFleet := func(dbURL string, customers ...string) *pgstore.DB {
		db, err := pgstore.Open(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		if err := riverrun.Migrate(ctx, db.Pool()); err != nil {
			t.Fatal(err)
		}
		rc, err := river.NewClient(riverpgxv5.New(db.Pool()), &river.Config{})
		if err != nil {
			t.Fatal(err)
		}
		if err := riverrun.EnqueueAll(ctx, rc, customers); err != nil {
			t.Fatal(err)
		}
		return db
	}
	dbA := openFleet(urlA, "customer-1")
	if _, err := dbA.Pool().Exec(ctx, "create schema fleet_b"); err != nil {
		t.Fatal(err)
	}
	dbB := openFleet(withPath("fleet_b,public"), "customer-1", "customer-2")

	type layout struct {
		Checkpoints, RiverJobs string         // the schemas of B's tables
		Jobs                   map[string]int // the jobs in each schema's river_job
	}
	got := layout{Jobs: map[string]int{}}
	err := dbB.Pool().QueryRow(ctx, `select
		(select relnamespace::regnamespace::text from pg_class where oid = to_regclass('rscgo_checkpoints')),
		(select relnamespace::regnamespace::text from pg_class where oid = to_regclass('river_job'))`).Scan(&got.Checkpoints, &got.RiverJobs)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := dbA.Pool().Query(ctx, "select relnamespace::regnamespace::text from pg_class where relname = 'river_job' and relkind = 'r'")
	schemas, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, schema := range schemas {
		var n int
		if err := dbA.Pool().QueryRow(ctx, "select count(*) from "+pgx.Identifier{schema, "river_job"}.Sanitize()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		got.Jobs[schema] = n
	}
	want := layout{Checkpoints: "fleet_b", RiverJobs: "fleet_b", Jobs: map[string]int{"public": 1, "fleet_b": 2}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("fleet B's tables and the fleets' jobs (-want +got):\n%s", d)
	}

	pool, err := pgxpool.New(ctx, withPath("nowhere"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	err = riverrun.Migrate(ctx, pool)
	const wantErr = "riverrun: migrating River's schema: the search path (nowhere) names no schema that exists"
	if err == nil || err.Error() != wantErr {
		t.Errorf("Migrate with the search path nowhere: %v, want %s", err, wantErr)
	}
}

// TestRetryFencesARunningSlice: the console's retry of dead letters takes
// the customer's lease, so a slice holding it (in another process) can no
// longer commit over the retry's checkpoint; the dead letter is sent and
// cleared, and the lease is free again afterwards.
func TestRetryFencesARunningSlice(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newFleet(t, spec{candidates: 3})
	for _, rc := range f.rivers { // no slice runs in this test but the one simulated
		if err := rc.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	runner, err := riverrun.New(f.db, f.leases, f.engines, riverrun.WithClock(f.clock))
	if err != nil {
		t.Fatal(err)
	}
	slice, err := f.leases.Acquire(ctx, "c1", "worker-a job 1 attempt 1")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.DeadLetters().Put(ctx, "c1", rscsync.DeadLetter{Kind: rscsync.KindCandidate, ID: "C0001", Reason: "refused"}); err != nil {
		t.Fatal(err)
	}
	if err := runner.Retry(ctx, "c1", nil); err != nil {
		t.Fatalf("Retry: %v", err)
	}
	left := f.deadLetterIDs(t, "c1")
	var held []string
	for _, c := range f.cust.Candidates() {
		held = append(held, c.ID)
	}
	if diff := cmp.Diff(struct{ Left, Held []string }{nil, []string{"C0001"}}, struct{ Left, Held []string }{left, held}); diff != "" {
		t.Errorf("after the retry (-want +got):\n%s", diff)
	}
	err = f.db.Checkpoints().Fenced(slice).Save(ctx, "c1", &rscsync.Checkpoint{CustomerID: "c1"})
	if _, lost := errors.AsType[*lease.LostError](err); !lost {
		t.Errorf("the running slice's commit after the retry: %v, want a *lease.LostError", err)
	}
	if _, err := f.leases.Acquire(ctx, "c1", "worker-b job 2 attempt 1"); err != nil {
		t.Errorf("the customer after the retry: %v, want its lease free", err)
	}
	if err := runner.Retry(ctx, "", nil); err == nil {
		t.Error("Retry of an empty customer id: no error")
	}
}

// TestPanicReleasesTheLease: a slice whose engine panics fails its attempt
// (River recovers the panic) and gives the customer's lease back at once,
// rather than keep the customer from every worker until the lease's TTL.
func TestPanicReleasesTheLease(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newFleet(t, spec{})
	for _, rc := range f.rivers {
		if err := rc.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	engines := func(context.Context, string, rscsync.Store) (*rscsync.Engine, error) { panic("the ATS adapter broke") }
	rc := startWorker(t, "panics", f.db, f.leases, engines, f.clock, nil, []string{"c1"}, 1, nil)
	events, cancel := rc.Subscribe(river.EventKindJobFailed)
	defer cancel()
	if err := riverrun.Enqueue(ctx, rc, "c1"); err != nil {
		t.Fatal(err)
	}
	if ev := receive(t, events, "the slice did not fail"); len(ev.Job.Errors) == 0 || !strings.Contains(ev.Job.Errors[0].Error, "the ATS adapter broke") {
		t.Errorf("failed attempt's errors %+v, want the panic", ev.Job.Errors)
	}
	if _, err := f.leases.Acquire(ctx, "c1", "next"); err != nil {
		t.Errorf("the customer after the panic: %v, want its lease free", err)
	}
}
