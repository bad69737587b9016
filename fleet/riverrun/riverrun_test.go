package riverrun_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/rscgo/rscgo/fleet/internal/pgtest"
	"github.com/rscgo/rscgo/fleet/lease"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/fleet/riverrun"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// fleet is one customer on a fake LinkedIn, its candidates in a
// SliceSource, and a River client working its slices.
type fleet struct {
	db    *pgstore.DB
	clock *rsctest.FakeClock
	cust  *rsctest.Customer
	river *river.Client[pgx.Tx]
	// leases and engines are the runner's, for a test to hold a
	// customer or run a slice outside River.
	leases  *lease.Leases
	engines riverrun.EngineFunc
}

// start is 23:00 UTC two days ahead: River's real clock never reaches a
// slice scheduled by the fake clock during the test, and the daily quota
// resets an hour after it.
func start() time.Time {
	return time.Now().UTC().Add(48 * time.Hour).Truncate(24 * time.Hour).Add(23 * time.Hour)
}

func newFleet(t *testing.T, candidates int, limits rsctest.Limits) *fleet {
	t.Helper()
	ctx := t.Context()
	db, err := pgstore.Open(ctx, pgtest.DB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := riverrun.Migrate(ctx, db.Pool()); err != nil {
		t.Fatal(err)
	}
	clock := rsctest.NewFakeClock(start())
	srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithClock(clock), rsctest.WithLimits(limits))
	t.Cleanup(srv.Close)
	cust := srv.AddCustomer(rsctest.CustomerSpec{})
	client, err := rsc.NewClient(rsc.WithBaseURL(srv.URL()), rsc.WithTokenURL(srv.TokenURL()), rsc.WithTransport(srv.Transport()),
		rsc.WithCredentials(cust.ClientID, cust.ClientSecret), rsc.WithClock(clock), rsc.WithLimits(rsc.Limits{Disabled: true}),
		rsc.WithRetryPolicy(rsc.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	src := rscsync.NewSliceSource()
	for i := range candidates {
		at := clock.Now().Add(-time.Duration(candidates-i) * time.Minute)
		id := fmt.Sprintf("C%04d", i)
		src.PutCandidates(rscsync.Candidate{ModifiedAt: at, Record: rsc.Candidate{
			Key:       rsc.CandidateKey{IntegrationContext: cust.Organization, CandidateID: id},
			FirstName: "Ann", EmailAddresses: []string{id + "@example.com"}, ExternalProfileURL: "https://ats.example.com/c/" + id,
			CreatedAt: rsc.Millis(at), LastModifiedAt: rsc.Millis(at)}})
	}
	leases, err := lease.New(db, lease.WithClock(clock), lease.WithTTL(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	engines := func(_ context.Context, id string, store rscsync.Store) (*rscsync.Engine, error) {
		return rscsync.NewEngine(client, id, src, rscsync.WithStore(store), rscsync.WithDeadLetters(db.DeadLetters()),
			rscsync.WithClock(clock), rscsync.WithInFlight(1), rscsync.WithWaitWhenParked(false))
	}
	runner, err := riverrun.New(db, leases, engines, riverrun.WithClock(clock), riverrun.WithSliceBatches(1))
	if err != nil {
		t.Fatal(err)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, runner)
	rc, err := river.NewClient(riverpgxv5.New(db.Pool()), &river.Config{
		ID: "worker-1", Workers: workers, Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		FetchCooldown: 5 * time.Millisecond, FetchPollInterval: 20 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), TestOnly: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := rc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rc.Stop(context.WithoutCancel(ctx)) })
	return &fleet{db: db, clock: clock, cust: cust, river: rc, leases: leases, engines: engines}
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

// waiting returns the state and time of the customer's waiting slice.
func (f *fleet) waiting(t *testing.T) (state string, at time.Time) {
	t.Helper()
	err := f.db.Pool().QueryRow(t.Context(), `select state, scheduled_at from river_job
		where kind = 'rscgo_sync_slice' and state not in ('completed', 'running') order by id desc limit 1`).Scan(&state, &at)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		t.Fatal(err)
	}
	return state, at
}

// TestChainOfSlices syncs 250 candidates, one batch of 100 per slice: each
// slice enqueues the next, and the caught-up customer's next slice waits
// for the incremental interval.
func TestChainOfSlices(t *testing.T) {
	f := newFleet(t, 250, rsctest.Limits{})
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
	f := newFleet(t, 10, rsctest.Limits{})
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
	f := newFleet(t, 0, rsctest.Limits{})
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

// TestDailyQuotaSnoozes: a slice that spends the daily quota snoozes until
// LinkedIn's UTC reset, an hour later.
func TestDailyQuotaSnoozes(t *testing.T) {
	f := newFleet(t, 250, rsctest.Limits{SyncRequestsPerDay: 1})
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

// TestLeaseLostMidSlice: a worker paused past its lease while another took
// the customer finds its commit refused with a *lease.LostError, and
// nothing of it is committed.
func TestLeaseLostMidSlice(t *testing.T) {
	ctx := t.Context()
	f := newFleet(t, 250, rsctest.Limits{})
	a, err := f.leases.Acquire(ctx, "c1", "worker-a")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := f.engines(ctx, "c1", f.db.Checkpoints().Fenced(a))
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(2 * time.Hour) // worker-a pauses past its lease
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
