package pgstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	gosync "sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/rscgo/rscgo/fleet/internal/pgtest"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/milestones"
	rscsync "github.com/rscgo/rscgo/sync"
)

// withJobs returns a filled checkpoint holding the given jobs, posted, and
// one pending task.
func withJobs(ids ...string) *rscsync.Checkpoint {
	cp := &rscsync.Checkpoint{Version: 1, CustomerID: "a", Jobs: map[string]rscsync.JobState{},
		Tasks: map[string]rscsync.PendingTask{"urn:li:task:1": {JobID: "j0", Op: "CREATE", At: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)}}}
	for _, id := range ids {
		cp.Jobs[id] = rscsync.JobState{State: "posted", Held: true}
	}
	return cp.Clone() // filled
}

// rowVersions returns the transaction id that last wrote each job row.
func rowVersions(t *testing.T, pool *pgxpool.Pool) map[string]string {
	t.Helper()
	rows, _ := pool.Query(context.Background(), "select job_id, xmin::text from rscgo_checkpoint_jobs where customer_id = 'a'")
	m := map[string]string{}
	var k, v string
	if _, err := pgx.ForEachRow(rows, []any{&k, &v}, func() error { m[k] = v; return nil }); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCheckpointWritesWhatChanged: after a Load, a Save of a checkpoint of
// 2,000 jobs where one changed, one was added and one removed writes those
// rows only.
func TestCheckpointWritesWhatChanged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := open(t)
	var ids []string
	for i := range 2000 {
		ids = append(ids, fmt.Sprintf("j%d", i))
	}
	if err := db.Checkpoints().Save(ctx, "a", withJobs(ids...)); err != nil {
		t.Fatal(err)
	}
	before := rowVersions(t, db.Pool())

	s := db.Checkpoints()
	cp, err := s.Load(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	cp.Jobs["j1"] = rscsync.JobState{State: "closed", Held: true}
	cp.Jobs["new"] = rscsync.JobState{State: "intent"}
	delete(cp.Jobs, "j2")
	cp.Runs++
	if err := s.Save(ctx, "a", cp); err != nil {
		t.Fatal(err)
	}
	after := rowVersions(t, db.Pool())
	var written []string
	for k, v := range after {
		if before[k] != v {
			written = append(written, k)
		}
	}
	slices.Sort(written)
	if diff := cmp.Diff([]string{"j1", "new"}, written); diff != "" {
		t.Errorf("job rows written (-want +got):\n%s", diff)
	}
	if _, ok := after["j2"]; ok || len(after) != 2000 {
		t.Errorf("%d job rows, j2 kept: %v; want 2000 rows without j2", len(after), ok)
	}
	checkLoad(t, db, cp)
}

// checkLoad checks that a new store of db loads want as customer a's
// checkpoint.
func checkLoad(t *testing.T, db *pgstore.DB, want *rscsync.Checkpoint) {
	t.Helper()
	got, err := db.Checkpoints().Load(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Load (-saved +loaded):\n%s", diff)
	}
}

// TestCheckpointSavedElsewhere: a store whose customer another store saved
// since its own last save writes its whole checkpoint, not a difference
// against rows that changed under it.
func TestCheckpointSavedElsewhere(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := open(t)
	a, b := db.Checkpoints(), db.Checkpoints()
	save := func(s *pgstore.Checkpoints, cp *rscsync.Checkpoint) {
		t.Helper()
		if err := s.Save(ctx, "a", cp); err != nil {
			t.Fatal(err)
		}
	}
	save(a, withJobs("x", "y"))
	cp, err := b.Load(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	cp.Jobs["y"] = rscsync.JobState{State: "closed"}
	cp.Jobs["z"] = rscsync.JobState{State: "intent"}
	save(b, cp)
	want := withJobs("x", "y", "w") // a's view: y as a saved it, no z
	save(a, want)
	checkLoad(t, db, want)
}

// TestCheckpointFirstSaveAfterEmptyLoad: a store that loaded a customer
// without a checkpoint (as an engine does before its first run) saves
// its first checkpoint with jobs, rather than writing into the empty
// load's nil maps (it panicked).
func TestCheckpointFirstSaveAfterEmptyLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := open(t)
	s := db.Checkpoints()
	if cp, err := s.Load(ctx, "a"); cp != nil || err != nil {
		t.Fatalf("Load of a new customer: %+v, %v", cp, err)
	}
	want := withJobs("x", "y")
	if err := s.Save(ctx, "a", want); err != nil {
		t.Fatal(err)
	}
	checkLoad(t, db, want)
}

// TestCheckpointMigration moves the jobs and tasks of a checkpoint saved
// as one document (schema version 2) into rows.
func TestCheckpointMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := newPool(t)
	if err := pgstore.MigrateTo(ctx, pool, 2); err != nil {
		t.Fatal(err)
	}
	want := withJobs("x", "y")
	b, _ := json.Marshal(want)
	if _, err := pool.Exec(ctx, "insert into rscgo_checkpoints (customer_id, checkpoint) values ('a', $1)", b); err != nil {
		t.Fatal(err)
	}
	db, err := pgstore.New(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	checkLoad(t, db, want)
	var doc string
	if err := pool.QueryRow(ctx, "select checkpoint::text from rscgo_checkpoints").Scan(&doc); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal([]byte(doc), &m)
	if _, ok := m["jobs"]; ok {
		t.Errorf("the migrated document still holds the jobs")
	}
}

// TestCheckpointDeleteAndCustomers: Customers lists the customers with a
// checkpoint or milestone events; Delete removes a checkpoint with its
// jobs and tasks, and the store that deleted it saves it again whole.
func TestCheckpointDeleteAndCustomers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := open(t)
	s := db.Checkpoints()
	for _, id := range []string{"b", "a"} {
		if err := s.Save(ctx, id, withJobs("x", "y")); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.MilestoneEvents().Append(ctx, "c", milestones.Event{Milestone: milestones.IntegrationEnabled, At: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	customers := func(want ...string) {
		t.Helper()
		got, err := db.Customers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("Customers (-want +got):\n%s", d)
		}
	}
	customers("a", "b", "c")
	if err := s.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if cp, err := s.Load(ctx, "a"); cp != nil || err != nil {
		t.Fatalf("Load after Delete: %+v, %v; want none", cp, err)
	}
	var rows int
	if err := db.Pool().QueryRow(ctx, `select (select count(*) from rscgo_checkpoint_jobs where customer_id = 'a')
		+ (select count(*) from rscgo_checkpoint_tasks where customer_id = 'a')`).Scan(&rows); err != nil || rows != 0 {
		t.Errorf("job and task rows of a after Delete: %d, %v; want 0", rows, err)
	}
	customers("b", "c")
	if err := s.Delete(ctx, "nobody"); err != nil {
		t.Errorf("Delete of a customer without a checkpoint: %v", err)
	}
	want := withJobs("x", "z")
	if err := s.Save(ctx, "a", want); err != nil {
		t.Fatal(err)
	}
	checkLoad(t, db, want)
}

// A store that saved a customer's checkpoint before another process
// deleted it (a reset) and a third saved it anew rewrites the whole
// checkpoint on its next Save: the new row's generations are not the old
// row's, so it cannot take them for its own and write only its changes
// over the third store's rows.
func TestSaveAfterDeleteAndResave(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := open(t)
	a, c, b := db.Checkpoints(), db.Checkpoints(), db.Checkpoints()
	withJobs := func(ids ...string) *rscsync.Checkpoint {
		cp := &rscsync.Checkpoint{Jobs: map[string]rscsync.JobState{}}
		for _, id := range ids {
			cp.Jobs[id] = rscsync.JobState{}
		}
		return cp
	}
	steps := []func() error{
		func() error { return a.Save(ctx, "acme", withJobs("X")) },
		func() error { return c.Delete(ctx, "acme") },              // a reset elsewhere
		func() error { return b.Save(ctx, "acme", withJobs("Y")) }, // the customer saved anew
		func() error { return a.Save(ctx, "acme", withJobs("X", "Z")) },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
	}
	got, err := db.Checkpoints().Load(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"X", "Z"}, slices.Sorted(maps.Keys(got.Jobs))); d != "" {
		t.Errorf("jobs after a's last Save (-want +got):\n%s", d)
	}
}

// A Delete racing a Save of another process (an operator's reset beside a
// running sync) ends with one of the two whole: no checkpoint and none of
// its rows, or the checkpoint the Save wrote; neither call fails (both
// lock the checkpoint's row first, so neither deadlocks the other).
func TestCheckpointDeleteRacingSave(t *testing.T) {
	t.Parallel()
	url := pgtest.DB(t)
	ctx := t.Context()
	openAt := func() *pgstore.DB {
		db, err := pgstore.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		return db
	}
	a, b := openAt(), openAt()
	for i := range 40 {
		want := withJobs("j1", "j2", fmt.Sprintf("k%d", i))
		want.Runs = int64(i + 1)
		var wg gosync.WaitGroup
		var serr, derr error
		wg.Go(func() { serr = a.Checkpoints().Save(ctx, "a", want) })
		wg.Go(func() { derr = b.Checkpoints().Delete(ctx, "a") })
		wg.Wait()
		if serr != nil || derr != nil {
			t.Fatalf("round %d: Save: %v; Delete: %v", i, serr, derr)
		}
		got, err := b.Checkpoints().Load(ctx, "a")
		if err != nil {
			t.Fatal(err)
		}
		var jobs, tasks int
		if err := b.Pool().QueryRow(ctx, `select (select count(*) from rscgo_checkpoint_jobs where customer_id = 'a'),
			(select count(*) from rscgo_checkpoint_tasks where customer_id = 'a')`).Scan(&jobs, &tasks); err != nil {
			t.Fatal(err)
		}
		switch {
		case got == nil && (jobs != 0 || tasks != 0):
			t.Errorf("round %d: no checkpoint, yet %d job and %d task rows left", i, jobs, tasks)
		case got != nil:
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("round %d: checkpoint (-want +got):\n%s", i, d)
			}
		}
	}
}
