package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/rscgo/rscgo/fleet/pgstore"
	rscsync "github.com/rscgo/rscgo/sync"
)

// workerEnv makes the test binary a fleet worker process (see TestMain):
// its value is the worker's name.
const workerEnv = "RSCGO_DEMO_FLEET_WORKER"

// workerMain runs the test binary as a fleet worker until interrupted.
func workerMain(name string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := RunWorker(ctx, name, os.Stdin, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// testDatabase creates an empty PostgreSQL database on the server of
// RSCGO_POSTGRES_URL for the test, dropped when it ends. Without the
// variable the test is skipped, except under CI=true, where it fails.
func testDatabase(t *testing.T) string {
	t.Helper()
	admin := os.Getenv("RSCGO_POSTGRES_URL")
	if admin == "" {
		msg := "RSCGO_POSTGRES_URL is unset: set it to a PostgreSQL server (postgres://USER@HOST:PORT/DB?sslmode=disable) to run the fleet demo test"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	ctx := context.Background()
	exec := func(sql string) {
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Fatalf("RSCGO_POSTGRES_URL: %v", err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "rscgo_demo_test_" + hex.EncodeToString(b)
	exec("create database " + name)
	t.Cleanup(func() { exec("drop database if exists " + name + " with (force)") })
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Fleet mode: five customers across two worker processes (this test
// binary again) sharing one PostgreSQL database. Every customer ends
// synced: the fake LinkedIn holds exactly Tracker's records, field by
// field; the console lists every customer, and the fleet view shows that
// each was leased.
func TestFleet(t *testing.T) {
	pg := testDatabase(t)
	const customers = 5
	cfg := FleetConfig{PostgresURL: pg, Workers: 2, Customers: customers, Candidates: 150, BadRecords: -1,
		GenerateNow: genNow, DataDir: t.TempDir(), Monitor: NewMonitor(),
		Worker: func(ctx context.Context, name string) *exec.Cmd {
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), workerEnv+"="+name)
			return cmd
		}}
	var out strings.Builder
	cfg.Out = &out
	cfg.AfterRun = func(ctx context.Context, res *FleetResult) {
		checkFleetConsole(t, cfg.Monitor, res)
		checkFleetRetry(t, pg, cfg.Monitor, res.Customers[0].ID)
	}
	res, err := RunFleet(t.Context(), cfg)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	type synced struct {
		Candidates, Jobs, Applications, DeadLetters int
		Checked                                     [3]int64 // candidates, jobs, applications equal to Tracker's
		Differs                                     bool
	}
	var got, want []synced
	for _, c := range res.Customers {
		s := synced{Candidates: c.Candidates, Jobs: c.Jobs, Applications: c.Applications, DeadLetters: c.DeadLetters, Differs: c.Content.Differs()}
		for _, k := range c.Content.Kinds {
			if i := slices.Index([]rscsync.EntityKind{rscsync.KindCandidate, rscsync.KindJob, rscsync.KindApplication}, k.Kind); i >= 0 && k.Equal == k.Checked {
				s.Checked[i] = k.Equal
			}
		}
		got = append(got, s)
		want = append(want, synced{Candidates: c.Candidates, Jobs: c.Jobs, Applications: c.Applications,
			Checked: [3]int64{int64(c.Candidates), int64(c.Jobs), int64(c.Applications)}})
	}
	if diff := cmp.Diff(want, got); diff != "" || len(got) != customers {
		t.Errorf("customers at the end (-want +got):\n%s\n%s", diff, out.String())
	}
	for _, w := range res.Workers {
		if w != "worker-1" && w != "worker-2" {
			t.Errorf("slices were run by %q", w)
		}
	}
	if len(res.Workers) == 0 {
		t.Errorf("no worker ran a slice:\n%s", out.String())
	}
}

// cancellerEnv makes the test binary a worker that works no job but
// cancels every River job of the database its value names, as the
// workers of another run on the same database do with customers not
// theirs.
const cancellerEnv = "RSCGO_DEMO_FLEET_CANCELLER"

// cancellerMain cancels the database's River jobs every 50 ms until
// interrupted.
func cancellerMain(pg string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	conn, err := pgx.Connect(ctx, pg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer conn.Close(context.Background())
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, err := conn.Exec(ctx, `update river_job set state = 'cancelled', finalized_at = now()
			where state in ('available', 'scheduled', 'retryable', 'pending')`); err != nil && ctx.Err() == nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		select {
		case <-ctx.Done():
			return 0
		case <-tick.C:
		}
	}
}

// A run whose customers' jobs are all cancelled (here by a worker that
// cancels every job, as another run's workers on the same database
// cancel the customers not theirs) fails once they have had no job for
// GiveUpAfter, naming the likely cause, instead of waiting for ever.
func TestFleetGivesUpWithoutJobs(t *testing.T) {
	pg := testDatabase(t)
	cfg := FleetConfig{PostgresURL: pg, Workers: 1, Customers: 2, Candidates: 20, BadRecords: -1,
		GenerateNow: genNow, DataDir: t.TempDir(), GiveUpAfter: 500 * time.Millisecond,
		Worker: func(ctx context.Context, name string) *exec.Cmd {
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), cancellerEnv+"="+pg)
			cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
			return cmd
		}}
	var out strings.Builder
	cfg.Out = &out
	_, err := RunFleet(t.Context(), cfg)
	want := "demo: 2 customer(s) not synced have had no sync job for 500ms (fleet-"
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "is another run of the demo using this database?") {
		t.Errorf("RunFleet: %v, want an error saying %q\n%s", err, want, out.String())
	}
}

// checkFleetConsole reads the console of a fleet run: every customer is
// listed, and the fleet view shows each customer leased at least once;
// the run page says the run is done.
func checkFleetConsole(t *testing.T, mon *Monitor, res *FleetResult) {
	srv := httptest.NewServer(mon.Handler())
	defer srv.Close()
	if st := mon.Snapshot().Stage; st != "done" {
		t.Errorf("the run page's stage is %q, want done", st)
	}
	page := mustGet(t, srv, mon, "/", true)
	if !strings.Contains(page, `<table id="holders">`) {
		t.Errorf("the console has no fleet view:\n%s", page)
	}
	for _, c := range res.Customers {
		row := regexp.MustCompile(`(?s)<tr class="customer" data-id="` + c.ID + `">.*?</tr>`).FindString(page)
		if !strings.Contains(row, `<td class="lease">`) || strings.Contains(row, "never leased") {
			t.Errorf("customer %s's row shows no lease:\n%s", c.ID, row)
		}
	}
}

// checkFleetRetry retries a customer's dead letters from the fleet's
// console, under the customer's lease while the workers run: a dead letter
// of a candidate Tracker does not hold is dropped, so none is left.
func checkFleetRetry(t *testing.T, pg string, mon *Monitor, id string) {
	ctx := t.Context()
	db, err := pgstore.Open(ctx, pg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.DeadLetters().Put(ctx, id, rscsync.DeadLetter{Kind: rscsync.KindCandidate, ID: "C-gone", Reason: "refused"}); err != nil {
		t.Fatal(err)
	}
	c, srv := signedIn(t, mon)
	page := readAll(t, c, srv.URL+"/customer?id="+url.QueryEscape(id))
	if !strings.Contains(page, `id="retry-all"`) {
		t.Fatalf("the customer's page offers no retry:\n%s", page)
	}
	resp, err := c.PostForm(srv.URL+"/retry?customer="+url.QueryEscape(id), url.Values{"csrf": {csrfOf(t, page)}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var left []string
	for d, err := range db.DeadLetters().List(ctx, id) {
		if err != nil {
			t.Fatal(err)
		}
		left = append(left, d.Key())
	}
	if len(left) != 0 {
		t.Errorf("dead letters after the console's retry: %q\n%s", left, b)
	}
}

// A database that cannot be reached, or a URL that is not one, is an
// error naming the cause, with the password left out.
func TestFleetBadDatabase(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"postgres://ops:s3cret@127.0.0.1:1/rscgo?sslmode=disable&connect_timeout=5",
			`demo: PostgreSQL at postgres://ops:xxxxx@127.0.0.1:1/rscgo?sslmode=disable&connect_timeout=5: pgstore: cannot reach database "rscgo" at 127.0.0.1:1 as "ops": `},
		{"postgres://%zz", "demo: PostgreSQL at (the connection string given): pgstore: the database URL is not valid: "},
	} {
		cfg := FleetConfig{PostgresURL: tc.url, DataDir: t.TempDir(),
			Worker: func(context.Context, string) *exec.Cmd { t.Fatal("a worker was started"); return nil }}
		_, err := RunFleet(t.Context(), cfg)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("RunFleet(%q): %v, want an error starting %q", tc.url, err, tc.want)
		}
	}
}
