package sqlsource_test

import (
	"context"
	"fmt"
	"time"

	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
	"github.com/rscgo/rscgo/sync/sqlsource"
)

// A Source's Candidates stream over a candidates table whose modified_us
// column counts microseconds since the epoch: the stream resumes after the
// cursor although three candidates share its millisecond.
func ExampleStream() {
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	f := &fakeDB{unit: time.Microsecond, integer: true} // any database/sql database; here an in-memory stand-in
	f.rows = []fakeRow{
		{at: t0.Add(1 * time.Microsecond), id: "C1", name: "Ann"},
		{at: t0.Add(1 * time.Microsecond), id: "C2", name: "Bo"},
		{at: t0.Add(2 * time.Microsecond), id: "C3", name: "Cy"},
	}
	db := f.db()

	candidates := sqlsource.Query{Select: "first_name", From: "candidates", ModifiedAt: "modified_us", ID: "id",
		Unit: time.Microsecond, UnixInteger: true}
	since := rscsync.Cursor{ModifiedAt: t0.Add(time.Microsecond), ID: "C1"} // where the last sync stopped
	scan := func(r *sqlsource.Row) (rscsync.Candidate, error) {
		c := rscsync.Candidate{Record: rsc.Candidate{Key: rsc.CandidateKey{IntegrationContext: "urn:li:organization:42"}}}
		err := r.Scan(&c.Record.FirstName)
		c.Record.Key.CandidateID, c.ModifiedAt = r.ID(), r.ModifiedAt()
		return c, err
	}
	for c, err := range sqlsource.Stream(context.Background(), db, since, candidates, scan) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(c.Record.Key.CandidateID, c.Record.FirstName, c.ModifiedAt.Format(time.StampMicro))
	}
	// Output:
	// C2 Bo Nov 30 09:00:00.000001
	// C3 Cy Nov 30 09:00:00.000002
}

// A Query with a Fence reads only the rows stamped before the instant its
// fence returns when the read starts: here a writer may still commit a
// row stamped at the current microsecond (09:00:00.000002), so C3 waits
// for the next read, and the cursor never passes a row yet to commit.
func ExampleQuery_fence() {
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	f := &fakeDB{unit: time.Microsecond, integer: true}
	f.rows = []fakeRow{
		{at: t0.Add(1 * time.Microsecond), id: "C1", name: "Ann"},
		{at: t0.Add(2 * time.Microsecond), id: "C3", name: "Cy"},
	}
	now := t0.Add(2 * time.Microsecond) // the clock the writers stamp with
	candidates := sqlsource.Query{Select: "first_name", From: "candidates", ModifiedAt: "modified_us", ID: "id",
		Unit: time.Microsecond, UnixInteger: true,
		// Over SQLite, take the write lock (BEGIN IMMEDIATE) before reading
		// the clock, so that every writer that stamped earlier has committed.
		Fence: func(context.Context) (time.Time, error) { return now, nil }}
	read := func() {
		for rec, err := range sqlsource.Stream(context.Background(), f.db(), rscsync.Cursor{}, candidates, scanRecord) {
			if err != nil {
				fmt.Println(err)
				return
			}
			fmt.Println(rec.ID, rec.Name)
		}
	}
	read()
	fmt.Println("-- a microsecond later")
	now = now.Add(time.Microsecond)
	read()
	// Output:
	// C1 Ann
	// -- a microsecond later
	// C1 Ann
	// C3 Cy
}
