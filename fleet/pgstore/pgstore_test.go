package pgstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/rscgo/rscgo/fleet/internal/pgtest"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/fleet/storetest"
	"github.com/rscgo/rscgo/milestones"
	rscsync "github.com/rscgo/rscgo/sync"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// open opens a DB on a new database.
func open(t *testing.T) *pgstore.DB { return openTB(t) }

func openTB(t testing.TB) *pgstore.DB {
	t.Helper()
	db, err := pgstore.New(context.Background(), newPool(t))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// emptied returns a newStore function for a conformance test: every call
// empties the tables of db, then returns the store get makes.
func emptied[S any](db *pgstore.DB, get func(*pgstore.DB) S) func(t *testing.T) S {
	return func(t *testing.T) S {
		_, err := db.Pool().Exec(context.Background(), `truncate rscgo_checkpoints, rscgo_checkpoint_jobs, rscgo_checkpoint_tasks, rscgo_dead_letters,
			rscgo_onboarding_states, rscgo_inmail_cursors, rscgo_milestone_events, rscgo_leases`)
		if err != nil {
			t.Fatal(err)
		}
		return get(db)
	}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	db := open(t)
	t.Run("checkpoints", func(t *testing.T) { storetest.Checkpoints(t, emptied(db, (*pgstore.DB).Checkpoints)) })
	t.Run("fenced checkpoints", func(t *testing.T) {
		storetest.Checkpoints(t, emptied(db, func(db *pgstore.DB) rscsync.Store { return db.Checkpoints().Fenced(refuse{}) }))
	})
	t.Run("dead letters", func(t *testing.T) { storetest.DeadLetters(t, emptied(db, (*pgstore.DB).DeadLetters)) })
	t.Run("fenced dead letters", func(t *testing.T) {
		storetest.DeadLetters(t, emptied(db, func(db *pgstore.DB) rscsync.DeadLetterStore { return db.DeadLetters().Fenced(refuse{}) }))
	})
	t.Run("onboarding states", func(t *testing.T) { storetest.OnboardingStates(t, emptied(db, (*pgstore.DB).OnboardingStates)) })
	t.Run("inmail cursors", func(t *testing.T) { storetest.InMailCursors(t, emptied(db, (*pgstore.DB).InMailCursors)) })
	t.Run("milestone events", func(t *testing.T) { storetest.MilestoneEvents(t, emptied(db, (*pgstore.DB).MilestoneEvents)) })
}

// TestMilestoneTrackersAcrossProcesses: Trackers with pools of their own
// (as processes would have) observe the same customers reach every
// milestone at once; each event is reported by one of them only.
func TestMilestoneTrackersAcrossProcesses(t *testing.T) {
	t.Parallel()
	var stores []milestones.EventStore
	for _, db := range processes(t, 4) {
		stores = append(stores, db.MilestoneEvents())
	}
	storetest.MilestoneTrackersConcurrent(t, stores...)
}

// TestDeadLetterPages lists more dead letters than one page holds.
func TestDeadLetterPages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t).DeadLetters()
	pgstore.SetPageSize(s, 3)
	var want []string
	for i := range 10 {
		d := rscsync.DeadLetter{Kind: rscsync.KindJob, ID: strings.Repeat("x", i%3) + string(rune('A'+i%4)) + string(rune('a'+i)), Reason: "r"}
		if err := s.Put(ctx, "a", d); err != nil {
			t.Fatal(err)
		}
		want = append(want, d.Key())
	}
	want = sortedUnique(want)
	var got []string
	for d, err := range s.List(ctx, "a") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, d.Key())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}

// A dead letter whose key is what earlier versions made the row key of a
// long key (an ATS id crafted as its first bytes and its digest) no
// longer overwrites that letter: each is listed and deleted on its own.
// A long key's row under its legacy row key is replaced by Put and
// removed by Delete, and a letter stored as it is under that row key is
// left alone.
func TestDeadLetterKeysNeverCollide(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := open(t)
	s := db.DeadLetters()
	letter := func(id, reason string) rscsync.DeadLetter {
		return rscsync.DeadLetter{Kind: rscsync.KindCandidate, ID: id, Reason: reason}
	}
	// legacy stores d as earlier versions did: under its first 924 bytes
	// and its digest.
	legacy := func(d rscsync.DeadLetter) string {
		t.Helper()
		sum := sha256.Sum256([]byte(d.Key()))
		key := d.Key()[:924] + "…sha256:" + hex.EncodeToString(sum[:])
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Pool().Exec(ctx, `insert into rscgo_dead_letters (customer_id, key, letter) values ('c1', $1, $2)`, key, b); err != nil {
			t.Fatal(err)
		}
		return key
	}
	list := func() (reasons []string) {
		t.Helper()
		for d, err := range s.List(ctx, "c1") {
			if err != nil {
				t.Fatal(err)
			}
			reasons = append(reasons, d.Reason)
		}
		slices.Sort(reasons)
		return reasons
	}
	step := func(what string, err error, want ...string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, list()); diff != "" {
			t.Errorf("after %s (-want +got):\n%s", what, diff)
		}
	}
	long := letter(strings.Repeat("a", 2000), "long")
	stale := long
	stale.Reason = "stale"
	forged := letter(strings.TrimPrefix(legacy(stale), string(rscsync.KindCandidate)+"//"), "forged")
	step("storing long over its legacy row", s.Put(ctx, "c1", long), "long")
	step("storing a letter keyed as long's legacy row", s.Put(ctx, "c1", forged), "forged", "long")
	step("deleting long", s.Delete(ctx, "c1", long.Key()), "forged")
	long2 := letter(strings.Repeat("b", 2000), "long2")
	legacy(long2)
	step("deleting a long key's legacy row", s.Delete(ctx, "c1", long2.Key()), "forged")
	step("deleting the forged letter", s.Delete(ctx, "c1", forged.Key()))
}

func sortedUnique(s []string) []string {
	m := map[string]bool{}
	var out []string
	for _, k := range s {
		if !m[k] {
			m[k] = true
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name, url, want string
	}{
		{"not a URL", "postgres://a b:s3cret@:x", "pgstore: the database URL is not valid"},
		{"space in the password", "postgres://u:s3cret x@host/x", "pgstore: the database URL is not valid"},
		{"bad port", "postgres://u:s3cret@host:99999999/x", "pgstore: the database URL is not valid"},
		{"nothing listens", "postgres://postgres:s3cret@127.0.0.1:1/x?sslmode=disable&connect_timeout=5", `pgstore: cannot reach database "x" at 127.0.0.1:1 as "postgres"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := pgstore.Open(ctx, tc.url)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("Open error = %q, want it to start with %q and hold no password", err, tc.want)
			}
		})
	}
}

// newPool returns a pool on a new database.
func newPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), pgtest.DB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// TestNewerSchemaRefused opens a database a newer rscgo migrated.
func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := newPool(t)
	if err := pgstore.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "update rscgo_schema_version set version = version + 5"); err != nil {
		t.Fatal(err)
	}
	_, err := pgstore.New(ctx, pool)
	var sv *pgstore.SchemaVersionError
	if !errors.As(err, &sv) {
		t.Fatalf("Open of a newer schema: %v, want a *SchemaVersionError", err)
	}
	want := pgstore.SchemaVersionError{Database: pgstore.Version() + 5, Code: pgstore.Version()}
	if *sv != want {
		t.Errorf("error = %+v, want %+v", *sv, want)
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("version %d, newer than this program's %d", want.Database, want.Code)) {
		t.Errorf("error %q does not name both versions", err)
	}
}

// TestConcurrentMigrations opens one new database from several processes
// at once: each migration runs once.
func TestConcurrentMigrations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.DB(t)
	var wg gosync.WaitGroup
	for range 4 {
		wg.Go(func() {
			db, err := pgstore.Open(ctx, url)
			if err != nil {
				t.Error(err)
				return
			}
			db.Close()
		})
	}
	wg.Wait()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var versions []int
	rows, _ := conn.Query(ctx, "select version from rscgo_schema_version")
	versions, err = pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{pgstore.Version()}, versions); diff != "" {
		t.Errorf("schema versions (-want +got):\n%s", diff)
	}
}

// refuse is a Fence that refuses every commit.
type refuse struct{ err error }

func (r refuse) Check(context.Context, pgx.Tx, string) error { return r.err }

// TestFencedSave checks that a refused fence writes nothing.
func TestFencedSave(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cps := open(t).Checkpoints()
	first := &rscsync.Checkpoint{CustomerID: "a", Runs: 1}
	if err := cps.Fenced(refuse{}).Save(ctx, "a", first); err != nil {
		t.Fatal(err)
	}
	lost := errors.New("lease lost")
	err := cps.Fenced(refuse{lost}).Save(ctx, "a", &rscsync.Checkpoint{CustomerID: "a", Runs: 2})
	if !errors.Is(err, lost) {
		t.Fatalf("Save through a refusing fence: %v, want %v", err, lost)
	}
	got, err := cps.Load(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if got.Runs != 1 {
		t.Errorf("Runs = %d after a refused save, want 1", got.Runs)
	}
}

// TestFencedDeadLetters: a dead letter is put or deleted only through a
// fence that allows it.
func TestFencedDeadLetters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dead := open(t).DeadLetters()
	d := rscsync.DeadLetter{Kind: rscsync.KindCandidate, ID: "C1", Reason: "invalid email"}
	if err := dead.Fenced(refuse{}).Put(ctx, "a", d); err != nil {
		t.Fatal(err)
	}
	lost := errors.New("lease lost")
	e := rscsync.DeadLetter{Kind: rscsync.KindCandidate, ID: "C2", Reason: "invalid email"}
	if err := dead.Fenced(refuse{lost}).Put(ctx, "a", e); !errors.Is(err, lost) {
		t.Errorf("Put through a refusing fence: %v, want %v", err, lost)
	}
	if err := dead.Fenced(refuse{lost}).Delete(ctx, "a", d.Key()); !errors.Is(err, lost) {
		t.Errorf("Delete through a refusing fence: %v, want %v", err, lost)
	}
	var keys []string
	for l, err := range dead.Fenced(refuse{lost}).List(ctx, "a") {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, l.Key())
	}
	if diff := cmp.Diff([]string{d.Key()}, keys); diff != "" {
		t.Errorf("dead letters after refused writes (-want +got):\n%s", diff)
	}
	if err := dead.Fenced(refuse{}).Delete(ctx, "a", d.Key()); err != nil {
		t.Fatal(err)
	}
	for l := range dead.List(ctx, "a") {
		t.Errorf("dead letter %s left after an allowed Delete", l.Key())
	}
}

// TestResetInATransaction: Checkpoints.DeleteTx and DeadLetters.DeleteAllTx
// delete a customer's checkpoint and dead letters in one transaction, the
// other customers' left, and only once it commits.
func TestResetInATransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := open(t)
	cps, dead := db.Checkpoints(), db.DeadLetters()
	for _, id := range []string{"a", "b"} {
		if err := cps.Save(ctx, id, withJobs("x")); err != nil {
			t.Fatal(err)
		}
		for _, c := range []string{"C1", "C2"} {
			if err := dead.Put(ctx, id, rscsync.DeadLetter{Kind: rscsync.KindCandidate, ID: c, Reason: "refused"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	reset := func(tx pgx.Tx) (int64, error) {
		n, err := dead.DeleteAllTx(ctx, tx, "a")
		if err == nil {
			err = cps.DeleteTx(ctx, tx, "a")
		}
		return n, err
	}
	rolledBack := errors.New("rolled back")
	if err := pgx.BeginFunc(ctx, db.Pool(), func(tx pgx.Tx) error {
		if _, err := reset(tx); err != nil {
			return err
		}
		return rolledBack
	}); !errors.Is(err, rolledBack) {
		t.Fatal(err)
	}
	var n int64
	if err := pgx.BeginFunc(ctx, db.Pool(), func(tx pgx.Tx) (err error) { n, err = reset(tx); return err }); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("DeleteAllTx deleted %d dead letters, want 2", n)
	}
	left := map[string][]string{}
	for _, id := range []string{"a", "b"} {
		cp, err := cps.Load(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if cp != nil {
			left[id] = append(left[id], "checkpoint")
		}
		for d, err := range dead.List(ctx, id) {
			if err != nil {
				t.Fatal(err)
			}
			left[id] = append(left[id], d.Key())
		}
	}
	if d := cmp.Diff(map[string][]string{"b": {"checkpoint", "candidate//C1", "candidate//C2"}}, left); d != "" {
		t.Errorf("after the reset of a (-want +got):\n%s", d)
	}
}

// Open bounds each connection attempt: DefaultConnectTimeout unless the
// URL sets connect_timeout, so a server that accepts the connection and
// never answers makes Open fail instead of hang.
func TestOpenConnectTimeout(t *testing.T) {
	t.Parallel()
	for url, want := range map[string]time.Duration{
		"postgres://u@127.0.0.1:5432/db":                   pgstore.DefaultConnectTimeout,
		"postgres://u@127.0.0.1:5432/db?connect_timeout=3": 3 * time.Second,
		"host=127.0.0.1 user=u dbname=db":                  pgstore.DefaultConnectTimeout,
	} {
		if got, err := pgstore.ConnectTimeout(url); err != nil || got != want {
			t.Errorf("ConnectTimeout(%q) = %v, %v; want %v", url, got, err, want)
		}
	}
	// A server that accepts and never answers: Open gives up (here after
	// the URL's one second) with an error naming the database.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	_, err = pgstore.Open(context.Background(), "postgres://u@"+ln.Addr().String()+"/silent?connect_timeout=1")
	if err == nil || !strings.Contains(err.Error(), "cannot reach database") {
		t.Errorf("Open of a silent server: %v, want the database named unreachable", err)
	}
}

// A search path that starts with a schema that does not exist is refused
// (PostgreSQL would pass over it and use public, another fleet's tables
// maybe); once the schema exists, the store's tables go there.
func TestSearchPathSchemaMustExist(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	base := pgtest.DB(t)
	withPath := func(path string) string { return pgtest.WithSearchPath(t, base, path) }
	for _, tc := range []struct {
		name, path, create string
	}{
		{"unquoted", "fleet_b,public", "create schema fleet_b"},
		{"quoted, mixed case", `"Fleet_C",public`, `create schema "Fleet_C"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pgstore.Open(ctx, withPath(tc.path))
			if err == nil || !strings.Contains(err.Error(), "which does not exist: create it first") {
				t.Fatalf("Open with %s before the schema exists: %v, want the missing schema named", tc.path, err)
			}
			admin, err := pgstore.Open(ctx, base)
			if err != nil {
				t.Fatal(err)
			}
			defer admin.Close()
			if _, err := admin.Pool().Exec(ctx, tc.create); err != nil {
				t.Fatal(err)
			}
			db, err := pgstore.Open(ctx, withPath(tc.path))
			if err != nil {
				t.Fatalf("Open once the schema exists: %v", err)
			}
			defer db.Close()
			var schema string
			if err := db.Pool().QueryRow(ctx, "select relnamespace::regnamespace::text from pg_class where oid = to_regclass('rscgo_checkpoints')").Scan(&schema); err != nil {
				t.Fatal(err)
			}
			if want := strings.Split(tc.path, ",")[0]; schema != want {
				t.Errorf("the tables are in %s, want %s", schema, want)
			}
		})
	}
}
