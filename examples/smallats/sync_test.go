package smallats

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	_ "modernc.org/sqlite"

	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
	"github.com/rscgo/rscgo/sync/sourcetest"
)

// base is a recent time: the engine syncs the last two years.
var base = time.Now().Add(-24 * time.Hour).Truncate(time.Millisecond)

// newATS is the small ATS with 3 jobs and 40 candidates; candidates come
// four to a millisecond, a microsecond apart, so pages end inside a
// millisecond.
func newATS(t *testing.T) *ATS {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+t.TempDir()+"/ats.db?_txlock=immediate&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(schema); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		at := base.Add(time.Duration(i) * time.Microsecond).UnixMicro()
		if _, err := db.Exec(`INSERT INTO jobs VALUES (?, ?, ?, ?, ?, FALSE, ?, ?)`, fmt.Sprintf("J%d", i+1), "Backend engineer",
			strings.Repeat("Build the sync between our ATS and LinkedIn. ", 3), "Leeds, England", "recruiter@ats.example.com", at, at); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 40 {
		at := base.Add(time.Duration(i/4)*time.Millisecond + time.Duration(i%4)*time.Microsecond).UnixMicro()
		if _, err := db.Exec(`INSERT INTO candidates VALUES (?, ?, ?, ?, ?, ?)`, fmt.Sprintf("C%02d", i+1), "Ann", "Lee",
			fmt.Sprintf("ann.lee%d@example.com", i+1), at, at); err != nil {
			t.Fatal(err)
		}
	}
	return &ATS{DB: db, Org: "urn:li:organization:42", Now: time.Now}
}

func TestSource(t *testing.T) { sourcetest.TestSource(t, newATS(t)) }

func TestRefusals(t *testing.T) {
	ctx, ats := context.Background(), newATS(t)
	var out strings.Builder
	if err := refusals(ctx, ats, &out); err != nil || out.Len() > 0 {
		t.Fatalf("refusals of clean records: %v\n%s", err, out.String())
	}
	if _, err := ats.DB.Exec(`UPDATE jobs SET description = 'Too short.' WHERE id = 'J2';
		UPDATE candidates SET email = 'ann.lee' WHERE id = 'C07'`); err != nil {
		t.Fatal(err)
	}
	if err := refusals(ctx, ats, &out); err != nil {
		t.Fatal(err)
	}
	want := "rsc: invalid simpleJobPostings record \"J2\": field description must be at least 100 characters\n" +
		"rsc: invalid atsCandidates record \"C07\": field emailAddresses[0] must match X@X.X\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("refusals (-want +got):\n%s", diff)
	}
}

// The README's first sync: every record arrives, nothing is dead-lettered;
// a second run sends nothing; a candidate changed a microsecond after the
// last one synced, inside the same millisecond, is the only one sent next
// (a cursor truncated to the millisecond would send its four neighbours
// again).
func TestFirstSync(t *testing.T) {
	ctx, ats, dir := context.Background(), newATS(t), t.TempDir()
	show := func(rscsync.Progress) {}

	srv := rsctest.NewServer(rsctest.WithoutListener()) // the fake LinkedIn, in-process
	defer srv.Close()
	cust := srv.AddCustomer(rsctest.CustomerSpec{Organization: ats.Org})
	client, err := srv.CustomerClient(cust) // against LinkedIn: rsc.NewClient(rsc.WithCredentials(id, secret))
	if err != nil {
		t.Fatal(err)
	}
	store, err := rscsync.NewFileStore(dir) // checkpoints: atomic rename + fsync, one file per customer
	if err != nil {
		t.Fatal(err)
	}
	eng, err := rscsync.NewEngine(client, "customer-1", ats, rscsync.WithStore(store), rscsync.WithProgress(show),
		rscsync.WithIntegrationContexts(ats.Org)) // a record of another customer is refused, not sent
	if err != nil {
		t.Fatal(err)
	}
	report, err := eng.Run(ctx) // historical the first time, incremental afterwards
	if err != nil {
		t.Fatal(err)
	}

	sent := func(r *rscsync.Report) [2]int64 {
		return [2]int64{r.Phases[rscsync.PhaseJobs].Acknowledged, r.Phases[rscsync.PhaseCandidates].Acknowledged}
	}
	if got := sent(report); got != [2]int64{3, 40} || len(report.Rejections) > 0 || len(cust.Jobs()) != 3 || len(cust.Candidates()) != 40 {
		t.Fatalf("first sync acknowledged %v jobs and candidates, rejected %v; LinkedIn holds %d and %d; want 3, 40, none",
			got, report.Rejections, len(cust.Jobs()), len(cust.Candidates()))
	}
	if report, err = eng.Run(ctx); err != nil || sent(report) != [2]int64{0, 0} {
		t.Fatalf("second run: %v, acknowledged %v; want nothing sent", err, sent(report))
	}
	if _, err := ats.DB.Exec(`UPDATE candidates SET first_name = 'Anna',
		modified_us = (SELECT modified_us + 1 FROM candidates WHERE id = 'C40') WHERE id = 'C38'`); err != nil {
		t.Fatal(err)
	}
	if report, err = eng.Run(ctx); err != nil || sent(report) != [2]int64{0, 1} {
		t.Fatalf("after one change: %v, acknowledged %v; want 1 candidate", err, sent(report))
	}
}

// Two candidates changed in one microsecond, C02 committed first, and a
// sync between the two commits, in that microsecond: a read that took C02
// would leave the engine's cursor at (that microsecond, C02), past C01 for
// good. The fence holds both back until the clock has moved on; the next
// sync sends both.
func TestFenceKeepsTheRowsOfTheCurrentMicrosecond(t *testing.T) {
	ctx, ats, dir := context.Background(), newATS(t), t.TempDir()
	at := base.Add(time.Hour)
	now := at
	ats.Now = func() time.Time { return now } // stands still within the microsecond
	srv := rsctest.NewServer(rsctest.WithoutListener())
	defer srv.Close()
	cust := srv.AddCustomer(rsctest.CustomerSpec{Organization: ats.Org})
	client, err := srv.CustomerClient(cust)
	if err != nil {
		t.Fatal(err)
	}
	store, err := rscsync.NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := rscsync.NewEngine(client, "customer-1", ats, rscsync.WithStore(store))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Run(ctx); err != nil { // the historical sync
		t.Fatal(err)
	}
	rename := func(id, first string) { // as the ATS's writers do: the clock read under the write lock
		tx, err := ats.DB.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.Exec(`UPDATE candidates SET first_name = ?, modified_us = ? WHERE id = ?`, first, ats.Now().UnixMicro(), id); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	rename("C02", "Bea")
	if _, err := eng.Run(ctx); err != nil { // between the two commits
		t.Fatal(err)
	}
	rename("C01", "Cy")
	now = at.Add(time.Microsecond) // the clock leaves the microsecond
	if _, err := eng.Run(ctx); err != nil {
		t.Fatal(err)
	}
	got := map[string]any{}
	for _, c := range cust.Candidates() {
		if c.ID == "C01" || c.ID == "C02" {
			got[c.ID] = c.Fields["firstName"]
		}
	}
	if d := cmp.Diff(map[string]any{"C01": "Cy", "C02": "Bea"}, got); d != "" {
		t.Errorf("first names LinkedIn holds after the syncs (-want +got):\n%s", d)
	}
}

// A read while a writer holds SQLite's write lock waits for its commit at
// the fence, and then reads what it wrote; it does not fail with
// SQLITE_BUSY.
func TestFenceWaitsForTheWriter(t *testing.T) {
	ctx := context.Background()
	ats := newATS(t)
	for i := range 5 {
		tx, err := ats.DB.BeginTx(ctx, nil) // the writer takes the lock
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`UPDATE candidates SET first_name = ?, modified_us = ? WHERE id = 'C01'`,
			fmt.Sprint("Writer", i), ats.Now().Add(-time.Second).UnixMicro()); err != nil {
			t.Fatal(err)
		}
		read := make(chan error, 1)
		go func() {
			var err error
			for c, e := range ats.Candidates(ctx, rscsync.Cursor{}) {
				if err = e; err == nil && c.Record.Key.CandidateID == "C01" && c.Record.FirstName != fmt.Sprint("Writer", i) {
					err = fmt.Errorf("C01 read as %q before the writer's commit", c.Record.FirstName)
				}
				if err != nil {
					break
				}
			}
			read <- err
		}()
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := <-read; err != nil {
			t.Fatalf("round %d: a read while a writer held the lock: %v", i, err)
		}
	}
}
