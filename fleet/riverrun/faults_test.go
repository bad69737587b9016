package riverrun_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	neturl "net/url"
	"runtime"
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
	"github.com/riverqueue/river/rivertype"

	"github.com/rscgo/rscgo/fleet/internal/pgtest"
	"github.com/rscgo/rscgo/fleet/lease"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/fleet/riverrun"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// faultFleet is a fleet on the real clock (River's), for fault
// injection: customers whose candidates include some LinkedIn refuses
// (dead letters), jobs, and worker processes sharing one database.
type faultFleet struct {
	admin   *pgxpool.Pool // the test's own connections, outside the workers'
	srv     *rsctest.Server
	custs   map[string]*rsctest.Customer
	srcs    map[string]*rscsync.SliceSource
	bad     map[string][]string // the candidates LinkedIn refuses, by customer
	jobs    map[string][]string
	dbs     []*pgstore.DB
	engines []riverrun.EngineFunc
	rivers  []*river.Client[pgx.Tx]
}

// faultSpec says what newFaultFleet builds: customers, each with
// candidates LinkedIn takes, bad ones it refuses and jobs; workers
// processes; the leases' TTL and River's JobTimeout.
type faultSpec struct {
	customers, candidates, bad, jobs, workers int
	ttl, jobTimeout                           time.Duration
	// via, when not nil, gives worker w's database URL.
	via func(w int, url string) string
	// beforeBatch, when not nil, sees each candidate batch request before
	// it is sent.
	beforeBatch func(*http.Request) error
	// worked, when not nil, receives what each slice's Work returned.
	worked chan<- error
}

// deadKey is the context key of the dead-letter store of an engine
// outside a slice.
type deadKey struct{}

// observed passes on what a Runner's Work returns.
type observed struct {
	*riverrun.Runner
	worked chan<- error
}

func (o observed) Work(ctx context.Context, job *river.Job[riverrun.SliceArgs]) error {
	err := o.Runner.Work(ctx, job)
	if o.worked != nil {
		o.worked <- err
	}
	return err
}

// fastRetry retries a failed job after 100 ms, so that faults heal
// fast.
type fastRetry struct{}

func (fastRetry) NextRetry(*rivertype.JobRow) time.Time {
	return time.Now().Add(100 * time.Millisecond)
}

// newFaultFleet builds the fleet of sp on the database of url, its
// workers started (slices of one batch, River retrying a failed one after
// 100 ms).
func newFaultFleet(t *testing.T, url string, sp faultSpec) *faultFleet {
	t.Helper()
	ctx := t.Context()
	f := &faultFleet{custs: map[string]*rsctest.Customer{}, srcs: map[string]*rscsync.SliceSource{},
		bad: map[string][]string{}, jobs: map[string][]string{}}
	admin, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(admin.Close)
	f.admin = admin
	f.srv = rsctest.NewServer(rsctest.WithoutListener())
	t.Cleanup(f.srv.Close)
	clients := map[string]*rsc.Client{}
	now := time.Now()
	for i := range sp.customers {
		id := fmt.Sprintf("c%d", i+1)
		cust := f.srv.AddCustomer(rsctest.CustomerSpec{})
		client, err := rsc.NewClient(rsc.WithBaseURL(f.srv.URL()), rsc.WithTokenURL(f.srv.TokenURL()),
			rsc.WithTransport(counting{f.srv.Transport(), new(atomic.Int64), sp.beforeBatch, nil}), rsc.WithCredentials(cust.ClientID, cust.ClientSecret),
			rsc.WithLimits(rsc.Limits{Disabled: true}), rsc.WithRetryPolicy(rsc.RetryPolicy{MaxAttempts: 1}))
		if err != nil {
			t.Fatal(err)
		}
		src := candidates(cust.Organization, now, sp.candidates)
		for b := range sp.bad {
			cid := fmt.Sprintf("B%04d", b)
			at := now.Add(-rscsync.DefaultClockSkew - time.Duration(b)*time.Second)
			src.PutCandidates(rscsync.Candidate{ModifiedAt: at, Record: rsc.Candidate{
				Key:       rsc.CandidateKey{IntegrationContext: cust.Organization, CandidateID: cid},
				FirstName: "Bad", EmailAddresses: []string{cid + "@example.com"},
				CreatedAt: rsc.Millis(at.Add(time.Hour)), LastModifiedAt: rsc.Millis(at)}}) // modified before created
			f.bad[id] = append(f.bad[id], cid)
		}
		for j := range sp.jobs {
			src.PutJobs(job(cust.Organization, now, j))
			f.jobs[id] = append(f.jobs[id], fmt.Sprintf("J%04d", j))
		}
		f.custs[id], f.srcs[id], clients[id] = cust, src, client
	}
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range f.custs {
			if !yield(id) {
				return
			}
		}
	})
	for w := range max(sp.workers, 1) {
		wurl := url
		if sp.via != nil {
			wurl = sp.via(w, url)
		}
		db, err := pgstore.Open(ctx, wurl)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		f.dbs = append(f.dbs, db)
		leases, err := lease.New(db, lease.WithTTL(sp.ttl))
		if err != nil {
			t.Fatal(err)
		}
		engines := func(ctx context.Context, id string, store rscsync.Store) (*rscsync.Engine, error) {
			dead := riverrun.DeadLetters(ctx)
			if dead == nil { // outside a slice: the test's
				dead, _ = ctx.Value(deadKey{}).(rscsync.DeadLetterStore)
			}
			return rscsync.NewEngine(clients[id], id, f.srcs[id], rscsync.WithStore(store), rscsync.WithDeadLetters(dead),
				rscsync.WithInFlight(1), rscsync.WithWaitWhenParked(false), rscsync.WithTaskPollInterval(50*time.Millisecond))
		}
		if err := riverrun.Migrate(ctx, db.Pool()); err != nil {
			t.Fatal(err)
		}
		runner, err := riverrun.New(db, leases, engines, riverrun.WithSliceBatches(1), riverrun.WithIncrementalInterval(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		resumer, err := runner.Resumer(func(context.Context) ([]string, error) { return ids, nil })
		if err != nil {
			t.Fatal(err)
		}
		workers := river.NewWorkers()
		river.AddWorker(workers, river.Worker[riverrun.SliceArgs](observed{runner, sp.worked}))
		river.AddWorker(workers, resumer)
		f.engines = append(f.engines, engines)
		rc, err := river.NewClient(riverpgxv5.New(db.Pool()), &river.Config{
			ID: fmt.Sprintf("worker-%d", w+1), Workers: workers, Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
			FetchCooldown: 5 * time.Millisecond, FetchPollInterval: 20 * time.Millisecond, RetryPolicy: fastRetry{},
			JobTimeout: sp.jobTimeout, RescueStuckJobsAfter: sp.jobTimeout + time.Second,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := rc.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := rc.Stop(stop); err != nil {
				t.Errorf("stopping worker-%d: %v", w+1, err)
			}
		})
		f.rivers = append(f.rivers, rc)
	}
	return f
}

// enqueueAll starts every customer's chain.
func (f *faultFleet) enqueueAll(t *testing.T) {
	t.Helper()
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range f.custs {
			if !yield(id) {
				return
			}
		}
	})
	if err := riverrun.EnqueueAll(t.Context(), f.rivers[0], ids); err != nil {
		t.Fatal(err)
	}
}

// caughtUp waits until every customer's next slice is its incremental
// one (an hour on) and no slice waits or runs.
func (f *faultFleet) caughtUp(t *testing.T, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	var busy, done int
	var last error
	for time.Now().Before(deadline) {
		last = f.admin.QueryRow(t.Context(), `select
			count(*) filter (where state in ('available', 'running', 'retryable', 'pending')),
			count(distinct args->>'customer_id') filter (where state = 'scheduled' and scheduled_at > now() + interval '30 minutes')
			from river_job where kind = 'rscgo_sync_slice'`).Scan(&busy, &done)
		if last == nil && busy == 0 && done == len(f.custs) {
			return
		}
		time.Sleep(20 * time.Millisecond) // polling the external server for the condition
	}
	t.Fatalf("after %v: %d slices wait or run, %d of %d customers caught up (last error %v)", within, busy, done, len(f.custs), last)
}

// custState is what a customer ended with, to compare with what its source
// holds.
type custState struct {
	Candidates  []string // on LinkedIn
	Jobs        []string // on LinkedIn
	Creates     int      // CREATE tasks on LinkedIn
	DeadLetters []string // in the database
	Done        int64    // candidates the checkpoint counts as done
}

// check compares every customer's end state with its source's.
func (f *faultFleet) check(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	db := f.dbs[0]
	for id, cust := range f.custs {
		var got custState
		for _, c := range cust.Candidates() {
			got.Candidates = append(got.Candidates, c.ID)
		}
		for _, j := range cust.Jobs() {
			got.Jobs = append(got.Jobs, j.ExternalJobPostingID)
		}
		for _, tk := range cust.Tasks() {
			if tk.Operation == "CREATE" {
				got.Creates++
			}
		}
		for d, err := range db.DeadLetters().List(ctx, id) {
			if err != nil {
				t.Fatal(err)
			}
			got.DeadLetters = append(got.DeadLetters, d.ID)
		}
		cp, err := db.Checkpoints().Load(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if cp != nil {
			got.Done = cp.Phases[rscsync.PhaseCandidates].Done
		}
		slices.Sort(got.Candidates)
		slices.Sort(got.Jobs)
		slices.Sort(got.DeadLetters)
		var want custState
		n := 0
		for c, err := range f.srcs[id].Candidates(ctx, rscsync.Cursor{}) {
			if err != nil {
				t.Fatal(err)
			}
			n++
			if !slices.Contains(f.bad[id], c.Record.Key.CandidateID) {
				want.Candidates = append(want.Candidates, c.Record.Key.CandidateID)
			}
		}
		slices.Sort(want.Candidates)
		want.Jobs, want.Creates, want.DeadLetters = f.jobs[id], len(f.jobs[id]), f.bad[id]
		want.Done = int64(n)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("customer %s (-want +got):\n%s", id, d)
		}
	}
	var discarded int
	var errs []string
	rows, _ := f.admin.Query(ctx, `select state, coalesce(errors, '{}')::text[] from river_job`)
	var state string
	var jerrs []string
	if _, err := pgx.ForEachRow(rows, []any{&state, &jerrs}, func() error {
		if state == "discarded" || state == "cancelled" {
			discarded++
		}
		errs = append(errs, jerrs...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if discarded > 0 {
		t.Errorf("%d jobs discarded or cancelled", discarded)
	}
	t.Logf("%d job errors recorded:\n%s", len(errs), strings.Join(errs, "\n"))
}

// killOn installs, on table, a trigger that terminates the session
// writing its n-th row (counting every row the table's writes touch, for
// rows matching when, a condition on NEW), for each n of nth: the
// session dies in the middle of its transaction. fired returns how many
// of the kills were sent.
func (f *faultFleet) killOn(t *testing.T, table, when string, nth ...int) (fired func() int) {
	t.Helper()
	ctx := t.Context()
	ns := make([]string, len(nth))
	for i, n := range nth {
		ns[i] = fmt.Sprint(n)
	}
	seq, done, fn := "pgfault_seen_"+table, "pgfault_fired_"+table, "pgfault_kill_"+table
	_, err := f.admin.Exec(ctx, fmt.Sprintf(`
		create sequence %[1]s;
		create sequence %[2]s;
		create function %[3]s() returns trigger language plpgsql as $$
		begin
			if nextval('%[1]s') = any(array[%[4]s]::bigint[]) then
				perform nextval('%[2]s'); -- first: the session ends at its next statement
				perform pg_terminate_backend(pg_backend_pid());
			end if;
			return null;
		end $$;
		create trigger %[3]s after insert or update on %[5]s for each row when (%[6]s) execute function %[3]s();`,
		seq, done, fn, strings.Join(ns, ","), table, when))
	if err != nil {
		t.Fatal(err)
	}
	return func() int {
		var n int64
		var called bool
		if err := f.admin.QueryRow(context.WithoutCancel(ctx), "select last_value, is_called from "+done).Scan(&n, &called); err != nil {
			t.Fatal(err)
		}
		if !called {
			return 0
		}
		return int(n)
	}
}

// TestTerminatedSessions terminates the workers' database sessions in the
// middle of their transactions (PostgreSQL's pg_terminate_backend, by a
// trigger, so that each fault strikes the write it names): checkpoint
// saves, dead-letter writes, lease acquisitions and releases, and the
// transactions completing slices. Each failed slice is retried, and every
// customer ends with exactly its source's records on LinkedIn, each job
// created once, its refused candidates dead-lettered and its checkpoint
// complete.
func TestTerminatedSessions(t *testing.T) {
	t.Parallel()
	f := newFaultFleet(t, pgtest.DB(t), faultSpec{customers: 4, candidates: 350, bad: 3, jobs: 3, workers: 2,
		ttl: 4 * time.Second, jobTimeout: 3 * time.Second})
	kills := map[string]func() int{
		"checkpoint saves":   f.killOn(t, "rscgo_checkpoints", "true", 2, 5, 9, 14),
		"dead-letter writes": f.killOn(t, "rscgo_dead_letters", "true", 1, 4),
		"lease writes":       f.killOn(t, "rscgo_leases", "true", 3, 8, 13),
		"slice completions":  f.killOn(t, "river_job", "NEW.state = 'completed' and NEW.kind = 'rscgo_sync_slice'", 2, 6),
	}
	f.enqueueAll(t)
	f.caughtUp(t, time.Minute)
	got := map[string]int{}
	for what, fired := range kills {
		got[what] = fired()
	}
	want := map[string]int{"checkpoint saves": 4, "dead-letter writes": 2, "lease writes": 3, "slice completions": 2}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("sessions terminated (-want +got):\n%s", d)
	}
	f.check(t)
}

// TestServerCrash crashes the server (an immediate stop: every session
// ends at once) while workers run slices, and starts it again: the
// workers go on by themselves, and every customer ends exactly synced.
func TestServerCrash(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cl := pgtest.NewCluster(t)
	url, drop, err := pgtest.Create(ctx, cl.URL, "rscgo_test_")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := drop(context.WithoutCancel(ctx)); err != nil {
			t.Error(err)
		}
	}()
	f := newFaultFleet(t, url, faultSpec{customers: 4, candidates: 1200, bad: 3, jobs: 3, workers: 2,
		ttl: 4 * time.Second, jobTimeout: 3 * time.Second})
	f.enqueueAll(t)
	var done int
	for deadline := time.Now().Add(20 * time.Second); done < 8; time.Sleep(10 * time.Millisecond) { // polling the server
		if err := f.admin.QueryRow(ctx, "select count(*) from river_job where state = 'completed'").Scan(&done); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d slices completed in 20 s", done)
		}
	}
	cl.Crash(t)
	if c, err := pgx.Connect(ctx, url); err == nil {
		c.Close(ctx)
		t.Fatal("the server answers after the crash")
	}
	cl.Start(t)
	f.caughtUp(t, time.Minute)
	f.check(t)
}

// blackhole is a TCP proxy to a PostgreSQL server that can stop
// forwarding, as a network partition does: the connections stay open and
// nothing they send arrives, nor any answer, until it forwards again.
type blackhole struct {
	addr   string
	mu     gosync.Mutex
	frozen chan struct{} // closed while forwarding
}

func newBlackhole(t *testing.T, target string) *blackhole {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &blackhole{addr: l.Addr().String(), frozen: make(chan struct{})}
	close(b.frozen)
	var conns []net.Conn
	var mu gosync.Mutex
	t.Cleanup(func() {
		l.Close()
		b.thaw()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				b.wait()
				s, err := net.Dial("tcp", target)
				if err != nil {
					c.Close()
					return
				}
				mu.Lock()
				conns = append(conns, c, s)
				mu.Unlock()
				go b.pipe(s, c)
				b.pipe(c, s)
			}()
		}
	}()
	return b
}

// pipe copies from src to dst, holding what it read while frozen.
func (b *blackhole) pipe(dst, src net.Conn) {
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			b.wait()
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (b *blackhole) wait() {
	b.mu.Lock()
	ch := b.frozen
	b.mu.Unlock()
	<-ch
}

func (b *blackhole) freeze() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.frozen = make(chan struct{})
}

func (b *blackhole) thaw() {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-b.frozen:
	default:
		close(b.frozen)
	}
}

// through returns the database URL u with its host and port the proxy's.
func (b *blackhole) through(t *testing.T, u string) string {
	t.Helper()
	pu, err := neturl.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	pu.Host = b.addr
	return pu.String()
}

// TestSliceEndsWhileDatabaseUnreachable: the worker's database goes out
// of reach (a network partition: nothing sent arrives, nothing comes
// back, no connection ends) in the middle of a slice, for longer than the
// slice's lease. The slice's attempt ends within its JobTimeout and the
// bounded release of its lease, rather than hold its River worker until
// the partition heals. Another process takes the customer and commits;
// once the partition heals, the first process changes nothing of it.
func TestSliceEndsWhileDatabaseUnreachable(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	url := pgtest.DB(t)
	pu, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	bh := newBlackhole(t, pu.Host)
	var batches atomic.Int64
	worked := make(chan error, 100)
	const ttl, jobTimeout = 3 * time.Second, 2 * time.Second
	f := newFaultFleet(t, url, faultSpec{customers: 1, candidates: 1000, workers: 1, ttl: ttl, jobTimeout: jobTimeout,
		via:    func(int, string) string { return bh.through(t, url) },
		worked: worked,
		beforeBatch: func(*http.Request) error {
			if batches.Add(1) == 3 {
				bh.freeze()
			}
			return nil
		}})
	f.enqueueAll(t)
	for range 2 {
		if err := receive(t, worked, "no slice ended"); err != nil {
			t.Fatalf("slice before the partition: %v", err)
		}
	}
	frozeAt := time.Now()
	var loser error
	select {
	case loser = <-worked:
		t.Logf("the partitioned slice returned after %v: %v", time.Since(frozeAt), loser)
	case <-time.After(jobTimeout + ttl + 2*time.Second): // a deadline, not a sleep
		t.Errorf("the partitioned slice has not returned %v after the partition began", time.Since(frozeAt))
		buf := make([]byte, 1<<20)
		for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
			if strings.Contains(g, "riverrun.runLeased") {
				t.Log(g)
			}
		}
	}
	// The winner: another process, once the lease expired by the database's clock.
	admin, err := pgstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	leases, err := lease.New(admin, lease.WithTTL(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var won *lease.Lease
	for deadline := time.Now().Add(10 * time.Second); won == nil; time.Sleep(50 * time.Millisecond) {
		won, err = leases.Acquire(ctx, "c1", "winner")
		if _, held := errors.AsType[*lease.HeldError](err); err != nil && !held || time.Now().After(deadline) {
			t.Fatalf("the winner's acquisition: %v", err)
		}
	}
	eng, err := f.engines[0](context.WithValue(ctx, deadKey{}, admin.DeadLetters().Fenced(won)), "c1", admin.Checkpoints().Fenced(won))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.RunSlice(ctx, 3); err != nil && !errors.Is(err, rscsync.ErrYield) {
		t.Fatalf("the winner's slice: %v", err)
	}
	before, err := admin.Checkpoints().Load(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	bh.thaw()
	if loser == nil {
		loser = receive(t, worked, "the partitioned slice did not return after the partition healed")
		t.Logf("the partitioned slice returned after the partition healed, %v after it began: %v", time.Since(frozeAt), loser)
	}
	if loser == nil {
		t.Error("the partitioned slice's attempt succeeded")
	}
	// The loser's process records the attempt's failure once the partition
	// healed; its next attempt finds the winner holding the customer.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) { // polling the server
		var running bool
		if err := f.admin.QueryRow(ctx, `select bool_or(state = 'running') from river_job where kind = 'rscgo_sync_slice'`).Scan(&running); err != nil {
			t.Fatal(err)
		}
		if !running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the partitioned slice's job still runs 10 s after the partition healed")
		}
	}
	after, err := admin.Checkpoints().Load(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(before.Phases, after.Phases); d != "" {
		t.Errorf("checkpoint changed after the winner's commit (-winner +now):\n%s", d)
	}
	recs, err := lease.List(ctx, admin, []string{"c1"})
	if err != nil || len(recs) != 1 || recs[0].Holder != "winner" {
		t.Errorf("lease after the partition: %+v, %v; want the winner's", recs, err)
	}
}
