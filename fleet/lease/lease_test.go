package lease_test

import (
	"context"
	"errors"
	"fmt"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"

	"github.com/rscgo/rscgo/fleet/internal/pgtest"
	"github.com/rscgo/rscgo/fleet/lease"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var t0 = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

// setup returns a database and Leases with a 30 s TTL on a fake clock.
func setup(t *testing.T) (*pgstore.DB, *lease.Leases, *rsctest.FakeClock) {
	t.Helper()
	db, err := pgstore.Open(context.Background(), pgtest.DB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	clock := rsctest.NewFakeClock(t0)
	ls, err := lease.New(db, lease.WithClock(clock), lease.WithTTL(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return db, ls, clock
}

// acquire gives holder the customer's lease, which must be free.
func acquire(t *testing.T, ls *lease.Leases, customerID, holder string) *lease.Lease {
	t.Helper()
	l, err := ls.Acquire(t.Context(), customerID, holder)
	if err != nil {
		t.Fatalf("%s acquiring customer %s: %v", holder, customerID, err)
	}
	return l
}

// pass lets d go by on the clocks and on the database's: the database's
// clock judges expiry, and its now() cannot be moved, so the expiries of
// the leases held move d earlier instead.
func pass(t *testing.T, db *pgstore.DB, d time.Duration, clocks ...*rsctest.FakeClock) {
	t.Helper()
	for _, c := range clocks {
		c.Advance(d)
	}
	_, err := db.Pool().Exec(context.Background(), `update rscgo_leases set expires_at = expires_at - $1 * interval '1 microsecond'
		where holder <> ''`, d.Microseconds())
	if err != nil {
		t.Fatal(err)
	}
}

// dbClock compares the times the database dates (lease expiries) with
// those of a test: the database's clock moves on by the test's own
// milliseconds.
var dbClock = cmpopts.EquateApproxTime(5 * time.Second)

// TestStolenLeaseCannotCommit: holder A pauses past its lease's expiry, B
// acquires the customer, and A's checkpoint commit is refused and writes
// nothing, while B's goes through.
func TestStolenLeaseCannotCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, ls, clock := setup(t)
	cps := db.Checkpoints()

	a := acquire(t, ls, "cust", "worker-a")
	if err := cps.Fenced(a).Save(ctx, "cust", &rscsync.Checkpoint{CustomerID: "cust", Runs: 1}); err != nil {
		t.Fatalf("A's commit under a live lease: %v", err)
	}
	pass(t, db, 31*time.Second, clock) // A pauses past the expiry
	b, err := ls.Acquire(ctx, "cust", "worker-b")
	if err != nil {
		t.Fatalf("B's acquisition of an expired lease: %v", err)
	}
	if b.Token() <= a.Token() {
		t.Errorf("B's token %d is not above A's %d", b.Token(), a.Token())
	}

	err = cps.Fenced(a).Save(ctx, "cust", &rscsync.Checkpoint{CustomerID: "cust", Runs: 2})
	var lost *lease.LostError
	if !errors.As(err, &lost) {
		t.Fatalf("A's commit after B acquired: %v, want a *lease.LostError", err)
	}
	want := lease.LostError{CustomerID: "cust", Token: a.Token(), Current: b.Token(), Holder: "worker-b"}
	if diff := cmp.Diff(want, *lost); diff != "" {
		t.Errorf("LostError (-want +got):\n%s", diff)
	}
	if cp, err := cps.Load(ctx, "cust"); err != nil || cp.Runs != 1 {
		t.Fatalf("after A's refused commit: Runs %v, %v; want 1 (A's first commit)", cp.Runs, err)
	}
	if err := a.Renew(ctx); !errors.As(err, &lost) {
		t.Errorf("A's renewal: %v, want a *lease.LostError", err)
	}
	if got := a.Expires(); !got.Equal(t0.Add(30 * time.Second)) {
		t.Errorf("A's Expires after its refused renewal = %v, want its acquisition's", got)
	}

	if err := cps.Fenced(b).Save(ctx, "cust", &rscsync.Checkpoint{CustomerID: "cust", Runs: 3}); err != nil {
		t.Fatalf("B's commit: %v", err)
	}
	if cp, err := cps.Load(ctx, "cust"); err != nil || cp.Runs != 3 {
		t.Fatalf("after B's commit: Runs %v, %v; want 3", cp.Runs, err)
	}
}

func TestHeldRenewRelease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, ls, clock := setup(t)
	a := acquire(t, ls, "cust", "worker-a")
	if got := a.Expires(); !got.Equal(t0.Add(30 * time.Second)) {
		t.Errorf("Expires after the acquisition = %v, want the TTL after it", got)
	}
	pass(t, db, 20*time.Second, clock)
	if err := a.Renew(ctx); err != nil {
		t.Fatal(err)
	}
	if got := a.Expires(); !got.Equal(t0.Add(50 * time.Second)) {
		t.Errorf("Expires after the renewal = %v, want the TTL after it", got)
	}
	if got := a.Remaining(); got != 30*time.Second {
		t.Errorf("Remaining right after the renewal = %v, want the TTL", got)
	}
	pass(t, db, 20*time.Second, clock) // 40 s after the acquisition, 20 s after the renewal
	_, err := ls.Acquire(ctx, "cust", "worker-b")
	var held *lease.HeldError
	if !errors.As(err, &held) {
		t.Fatalf("acquiring a renewed lease: %v, want a *lease.HeldError", err)
	}
	want := lease.HeldError{CustomerID: "cust", Holder: "worker-a", Until: t0.Add(50 * time.Second)} // on ls's clock
	if diff := cmp.Diff(want, *held, dbClock); diff != "" {
		t.Errorf("HeldError (-want +got):\n%s", diff)
	}
	if _, err := ls.Acquire(ctx, "other", "worker-b"); err != nil {
		t.Errorf("another customer's lease: %v", err)
	}
	if err := a.Release(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := ls.Acquire(ctx, "cust", "worker-b")
	if err != nil {
		t.Fatalf("acquiring a released lease: %v", err)
	}
	if b.Token() != a.Token()+1 {
		t.Errorf("token after release and acquisition = %d, want %d", b.Token(), a.Token()+1)
	}
	var lost *lease.LostError
	if err := a.Release(ctx); !errors.As(err, &lost) {
		t.Errorf("releasing a lost lease: %v, want a *lease.LostError", err)
	}
}

// TestTake: Take supersedes a live lease, whose holder then can no longer
// commit, and reports it; other holders wait for the taker as for anyone.
// A customer that is free, or whose lease expired, is taken with nothing
// to report.
func TestTake(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, ls, clock := setup(t)
	a := acquire(t, ls, "cust", "worker-a")
	start := time.Now()
	pass(t, db, 10*time.Second, clock)
	op, prev, err := ls.Take(ctx, "cust", "operator")
	if err != nil {
		t.Fatal(err)
	}
	want := &lease.Record{CustomerID: "cust", Holder: "worker-a", Expires: start.Add(20 * time.Second), Token: a.Token()} // the database's clock
	if diff := cmp.Diff(want, prev, dbClock); diff != "" {
		t.Errorf("the lease Take superseded (-want +got):\n%s", diff)
	}
	if op.Token() != a.Token()+1 {
		t.Errorf("Take's token = %d, want %d", op.Token(), a.Token()+1)
	}
	err = db.Checkpoints().Fenced(a).Save(ctx, "cust", &rscsync.Checkpoint{CustomerID: "cust"})
	var lost *lease.LostError
	if !errors.As(err, &lost) || *lost != (lease.LostError{CustomerID: "cust", Token: a.Token(), Current: op.Token(), Holder: "operator"}) {
		t.Errorf("the superseded holder's commit: %v, want a *lease.LostError naming the operator", err)
	}
	var held *lease.HeldError
	if _, err := ls.Acquire(ctx, "cust", "worker-b"); !errors.As(err, &held) || held.Holder != "operator" {
		t.Errorf("acquiring while the operator holds the lease: %v, want a *lease.HeldError", err)
	}
	if err := op.Release(ctx); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		name, cust string
		advance    time.Duration
	}{
		{name: "released", cust: "cust"},
		{name: "expired", cust: "cust", advance: 31 * time.Second}, // the lease taken at the step before
		{name: "never leased", cust: "other"},
	} {
		pass(t, db, step.advance, clock)
		if _, prev, err := ls.Take(ctx, step.cust, "operator"); err != nil || prev != nil {
			t.Errorf("%s: Take = %+v, %v; want nothing superseded", step.name, prev, err)
		}
	}
}

// TestExpiryOnTheDatabaseClock: worker B's clock is set apart from A's (30
// s ahead, a quarter of the TTL; 10 minutes ahead or behind, more than the
// TTL). B cannot take the customer while A's lease has time left by the
// database's clock, 25 s here, which is what A's own clock says too (both
// run at the same rate): A, which goes on sending until a tenth of the TTL
// is left (riverrun), never sends beside B. Once the lease has run out, B
// takes the customer.
func TestExpiryOnTheDatabaseClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ttl := 2 * time.Minute
	for _, skew := range []time.Duration{30 * time.Second, 10 * time.Minute, -10 * time.Minute} {
		t.Run(fmt.Sprintf("B %v ahead", skew), func(t *testing.T) {
			t.Parallel()
			db, _, _ := setup(t)
			clockA, clockB := rsctest.NewFakeClock(t0), rsctest.NewFakeClock(t0.Add(skew))
			lsA, errA := lease.New(db, lease.WithClock(clockA), lease.WithTTL(ttl))
			lsB, errB := lease.New(db, lease.WithClock(clockB), lease.WithTTL(ttl))
			if err := errors.Join(errA, errB); err != nil {
				t.Fatal(err)
			}
			a := acquire(t, lsA, "cust", "worker-a")
			pass(t, db, 95*time.Second, clockA, clockB)
			_, err := lsB.Acquire(ctx, "cust", "worker-b")
			held, ok := errors.AsType[*lease.HeldError](err)
			if !ok {
				t.Fatalf("B's acquisition while A's lease has %v left by A's clock: %v, want a *lease.HeldError", a.Remaining(), err)
			}
			want := lease.HeldError{CustomerID: "cust", Holder: "worker-a", Until: clockB.Now().Add(25 * time.Second)} // on B's clock
			if d := cmp.Diff([]any{want, 25 * time.Second}, []any{*held, a.Remaining()}, dbClock); d != "" {
				t.Errorf("the lease B found held, and A's remaining time (-want +got):\n%s", d)
			}
			pass(t, db, 26*time.Second, clockA, clockB)
			if _, err := lsB.Acquire(ctx, "cust", "worker-b"); err != nil || a.Remaining() > 0 {
				t.Errorf("B's acquisition once A's lease ran out (%v left by A's clock): %v", a.Remaining(), err)
			}
		})
	}
}

// TestOneHolderAtATime races holders for one customer: exactly one wins.
func TestOneHolderAtATime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, ls, _ := setup(t)
	var won atomic.Int32
	var wg gosync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			_, err := ls.Acquire(ctx, "cust", fmt.Sprintf("worker-%d", i))
			var held *lease.HeldError
			switch {
			case err == nil:
				won.Add(1)
			case !errors.As(err, &held):
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Errorf("%d holders acquired the lease, want 1", won.Load())
	}
}

func TestOptionErrors(t *testing.T) {
	t.Parallel()
	db, _, _ := setup(t)
	for _, o := range []lease.Option{lease.WithClock(nil), lease.WithTTL(0)} {
		if _, err := lease.New(db, o); err == nil {
			t.Errorf("New accepted an invalid option")
		}
	}
	if _, err := lease.New(nil); err == nil {
		t.Errorf("New accepted a nil database")
	}
}

// A nil clock is refused, and so is a nil *rsctest.FakeClock, which would
// panic at the first acquisition. New needs no database to check options.
func TestNilClockRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opt  lease.Option
	}{
		{"nil", lease.WithClock(nil)},
		{"typed nil", lease.WithClock((*rsctest.FakeClock)(nil))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := lease.New(new(pgstore.DB), tc.opt)
			if want := "lease: WithClock: nil clock"; err == nil || err.Error() != want {
				t.Errorf("New = %v, want %s", err, want)
			}
		})
	}
}

// A nil option is skipped, as the root module's options are. New needs no
// database to apply options.
func TestNilOptionSkipped(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []lease.Option
	}{
		{"nil", []lease.Option{nil}},
		{"nil among others", []lease.Option{lease.WithTTL(time.Minute), nil, lease.WithClock(rsc.SystemClock())}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := lease.New(new(pgstore.DB), tc.opts...); err != nil {
				t.Errorf("New = %v, want no error", err)
			}
		})
	}
}

// TestList: List gives the customers' leases in customer order, a
// released one without holder nor expiry, and none for a customer never
// leased; it changes nothing.
func TestList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, ls, _ := setup(t)
	start := time.Now()
	a := acquire(t, ls, "cust-a", "worker-1 job 7 attempt 1")
	b := acquire(t, ls, "cust-b", "worker-2")
	if err := b.Release(ctx); err != nil {
		t.Fatal(err)
	}
	for range 2 { // a second List sees the same
		got, err := lease.List(ctx, db, []string{"cust-b", "nobody", "cust-a"})
		if err != nil {
			t.Fatal(err)
		}
		want := []lease.Record{
			{CustomerID: "cust-a", Holder: "worker-1 job 7 attempt 1", Expires: start.Add(30 * time.Second), Token: a.Token()}, // the database's clock
			{CustomerID: "cust-b", Token: b.Token()},
		}
		if diff := cmp.Diff(want, got, dbClock); diff != "" {
			t.Errorf("List (-want +got):\n%s", diff)
		}
	}
	if got, err := lease.List(ctx, db, nil); err != nil || len(got) != 0 {
		t.Errorf("List of no customers: %v, %v; want none", got, err)
	}
	if _, err := ls.Acquire(ctx, "cust-a", "worker-3"); err == nil {
		t.Errorf("cust-a acquired again after List: List released its lease")
	}
}

// sleeper is a fake clock whose Sleep returns at once, having moved the
// clock on by d; before the n-th sleep (from 1) it calls at(n).
type sleeper struct {
	*rsctest.FakeClock
	slept int
	at    func(n int)
}

func (s *sleeper) Sleep(ctx context.Context, d time.Duration) error {
	s.slept++
	s.at(s.slept)
	return s.FakeClock.Sleep(ctx, d)
}

// TestKeepAlive: KeepAlive renews the lease every third of its TTL on the
// Leases' clock; it goes on after a renewal that failed for want of the
// database, and stops once ctx is done or the lease is lost. Each case
// changes things before the n-th sleep; the fourth sleep ends KeepAlive
// if nothing did before.
func TestKeepAlive(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		at   func(t *testing.T, n int, db *pgstore.DB, ls *lease.Leases)
		// slept is how many times KeepAlive slept; renewed, how many
		// renewals went through (each 10 s after the previous sleep began).
		slept, renewed int
		want           error
		// held: the database still holds the lease for worker-a after
		// KeepAlive returned (another holder's Acquire is refused).
		held bool
	}{
		{name: "renewed until ctx is done", at: func(t *testing.T, _ int, db *pgstore.DB, _ *lease.Leases) {
			// 25 s pass on the database's clock before each renewal: the
			// lease, 30 s long, lives only because each one went through.
			pass(t, db, 25*time.Second)
		}, slept: 4, renewed: 3, want: context.Canceled, held: true},
		{name: "renewals go on after the database was lost", at: func(t *testing.T, n int, db *pgstore.DB, _ *lease.Leases) {
			if n == 2 {
				db.Close() // the renewals after the first fail
			}
		}, slept: 4, renewed: 1, want: context.Canceled},
		{name: "stops once lost", at: func(t *testing.T, n int, _ *pgstore.DB, ls *lease.Leases) {
			if n == 3 {
				if _, _, err := ls.Take(t.Context(), "cust", "operator"); err != nil {
					t.Fatal(err)
				}
			}
		}, slept: 3, renewed: 2, want: &lease.LostError{CustomerID: "cust", Token: 1, Current: 2, Holder: "operator"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := pgtest.DB(t)
			db, errA := pgstore.Open(t.Context(), url) // the connections of the lease kept alive
			other, errB := pgstore.Open(t.Context(), url)
			if err := errors.Join(errA, errB); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(db.Close)
			t.Cleanup(other.Close)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			ops, _ := lease.New(other) // another process's leases
			clock := &sleeper{FakeClock: rsctest.NewFakeClock(t0), at: func(n int) {
				tc.at(t, n, db, ops)
				if n == 4 {
					cancel()
				}
			}}
			ls, err := lease.New(db, lease.WithClock(clock), lease.WithTTL(30*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			l := acquire(t, ls, "cust", "worker-a")
			err = l.KeepAlive(ctx)
			if d := cmp.Diff(fmt.Sprintf("%T %[1]v", tc.want), fmt.Sprintf("%T %[1]v", err)); d != "" {
				t.Errorf("KeepAlive's error (-want +got):\n%s", d)
			}
			got := []any{clock.slept, l.Expires()}
			want := []any{tc.slept, t0.Add(time.Duration(tc.renewed)*10*time.Second + 30*time.Second)}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("sleeps and the lease's expiry (-want +got):\n%s", d)
			}
			if tc.held {
				_, err := ops.Acquire(t.Context(), "cust", "worker-b")
				if _, held := errors.AsType[*lease.HeldError](err); !held {
					t.Errorf("Acquire by another holder after KeepAlive: %v, want a *HeldError (the renewals kept the lease)", err)
				}
			}
		})
	}
}

// A released lease holds nothing: Renew, a fenced checkpoint Save and a
// fenced dead-letter Put under it return a *LostError saying it was
// released, instead of taking the customer back or committing, and
// another holder acquires it. KeepAlive stops on that error, and sleeps at
// least a millisecond between renewals however short the TTL.
func TestReleasedLease(t *testing.T) {
	t.Parallel()
	db, ls, _ := setup(t)
	l := acquire(t, ls, "cust", "worker-a")
	if err := l.Release(t.Context()); err != nil {
		t.Fatal(err)
	}
	released := &lease.LostError{CustomerID: "cust", Token: 1, Current: 1}
	for name, err := range map[string]error{
		"Renew":                  l.Renew(t.Context()),
		"fenced checkpoint Save": db.Checkpoints().Fenced(l).Save(t.Context(), "cust", &rscsync.Checkpoint{}),
		"fenced dead-letter Put": db.DeadLetters().Fenced(l).Put(t.Context(), "cust", rscsync.DeadLetter{Kind: rscsync.KindCandidate, ID: "c1"}),
	} {
		if d := cmp.Diff(fmt.Sprintf("%T %[1]v", released), fmt.Sprintf("%T %[1]v", err)); d != "" {
			t.Errorf("%s after Release (-want +got):\n%s", name, d)
		}
	}

	var sleeps []time.Duration // the time slept when each sleep began
	clock := &sleeper{FakeClock: rsctest.NewFakeClock(t0), at: func(int) {}}
	short, err := lease.New(db, lease.WithClock(clock), lease.WithTTL(time.Microsecond))
	if err != nil {
		t.Fatal(err)
	}
	l = acquire(t, short, "cust", "worker-a")
	clock.at = func(n int) {
		sleeps = append(sleeps, clock.Now().Sub(t0))
		if n == 2 {
			if err := l.Release(t.Context()); err != nil {
				t.Error(err)
			}
		}
	}
	err = l.KeepAlive(t.Context())
	released.Token, released.Current = 2, 2
	if d := cmp.Diff(fmt.Sprintf("%T %[1]v", released), fmt.Sprintf("%T %[1]v", err)); d != "" {
		t.Errorf("KeepAlive of a lease released meanwhile (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]time.Duration{0, time.Millisecond}, sleeps); d != "" {
		t.Errorf("time slept before each sleep began (-want +got):\n%s", d)
	}
	if _, err := ls.Acquire(t.Context(), "cust", "worker-b"); err != nil {
		t.Errorf("Acquire after Release and a refused renewal: %v", err)
	}
}

// TestInvalidCustomerIDs: Acquire and Take refuse a customer id the
// database cannot keep (pgstore.CheckCustomerID) with an error wrapping
// pgstore.ErrInvalidCustomerID, writing nothing, and take the longest
// one the stores accept.
func TestInvalidCustomerIDs(t *testing.T) {
	t.Parallel()
	db, ls, _ := setup(t)
	for _, tc := range []struct {
		name, id string
		refused  bool
	}{
		{name: "longest", id: pgtest.Incompressible(pgstore.MaxCustomerIDLen)},
		{name: "empty", id: "", refused: true},
		{name: "over the limit", id: pgtest.Incompressible(pgstore.MaxCustomerIDLen + 1), refused: true},
		{name: "past the index", id: pgtest.Incompressible(3000), refused: true},
		{name: "Latin-1", id: "C\xe9te-1", refused: true},
		{name: "NUL", id: "C\x00-1", refused: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			if _, err := db.Pool().Exec(ctx, "truncate rscgo_leases"); err != nil {
				t.Fatal(err)
			}
			_, errA := ls.Acquire(ctx, tc.id, "worker-a")
			_, _, errT := ls.Take(ctx, tc.id, "worker-b")
			want := []string{"ok", "ok"}
			if tc.refused {
				want = []string{"refused", "refused"}
			}
			if d := cmp.Diff(want, []string{pgtest.Refusal(errA), pgtest.Refusal(errT)}); d != "" {
				t.Errorf("Acquire, Take (-want +got):\n%s", d)
			}
			var n int
			if err := db.Pool().QueryRow(ctx, "select count(*) from rscgo_leases").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if wantRows := map[bool]int{false: 1, true: 0}[tc.refused]; n != wantRows {
				t.Errorf("%d lease rows, want %d", n, wantRows)
			}
		})
	}
}

// A renewal the database does not answer (here its row locked by another
// session) is given up after a third of the TTL, or a second, and
// KeepAlive renews again at its next turn, instead of waiting on the
// database for as long as it keeps the renewal: the fourth sleep comes
// while the row is still locked.
func TestKeepAliveGivesUpAHungRenewal(t *testing.T) {
	t.Parallel()
	db, err := pgstore.Open(t.Context(), pgtest.DB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var tx pgx.Tx
	unlock := make(chan struct{})
	var released atomic.Bool // the row's lock
	var lockedAtFourth bool
	clock := &sleeper{FakeClock: rsctest.NewFakeClock(t0), at: func(n int) {
		switch n {
		case 2: // the second renewal finds the row locked
			var err error
			if tx, err = db.Pool().Begin(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ctx, "select 1 from rscgo_leases where customer_id = 'cust' for update"); err != nil {
				t.Fatal(err)
			}
			go func() { // without a deadline, KeepAlive waits for this
				select {
				case <-unlock:
				case <-time.After(20 * time.Second):
				}
				tx.Rollback(context.WithoutCancel(ctx))
				released.Store(true)
			}()
		case 4:
			lockedAtFourth = !released.Load()
			close(unlock)
			cancel()
		}
	}}
	ls, err := lease.New(db, lease.WithClock(clock), lease.WithTTL(3*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	l := acquire(t, ls, "cust", "worker-a")
	err = l.KeepAlive(ctx)
	if !errors.Is(err, context.Canceled) || clock.slept != 4 || !lockedAtFourth {
		t.Errorf("KeepAlive: %v after %d sleeps, the row still locked at the fourth: %v; want context.Canceled, 4, true",
			err, clock.slept, lockedAtFourth)
	}
}
