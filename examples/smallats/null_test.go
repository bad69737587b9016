package smallats

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	rscsync "github.com/rscgo/rscgo/sync"
	"github.com/rscgo/rscgo/sync/sqlsource"
)

// explainer is a sqlsource.Queryer that runs each query on db after
// recording SQLite's plan of it.
type explainer struct {
	db    *sql.DB
	plans []string // "query: plan"
}

func (e *explainer) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := e.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return nil, err
	}
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			rows.Close()
			return nil, err
		}
		plan = append(plan, detail)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	e.plans = append(e.plans, query+": "+strings.Join(plan, "; "))
	return e.db.QueryContext(ctx, query, args...)
}

// A candidate whose modified_us is NULL, in a table that allows it (unlike
// schema's): SQLite sorts NULLs first, yet a stream, from the start or
// after a cursor, reads every other candidate and then ends with an error
// naming it; Count counts the others. Every query the stream sends,
// the look-up of a NULL time included, searches the (modified_us, id)
// index without a sort.
func TestNullModifiedAt(t *testing.T) {
	db, err := sql.Open("sqlite", "file:"+t.TempDir()+"/ats.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE candidates (id TEXT PRIMARY KEY, first_name TEXT NOT NULL, modified_us INTEGER);
		CREATE INDEX candidates_modified ON candidates (modified_us, id)`); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		if _, err := db.Exec(`INSERT INTO candidates VALUES (?, 'Ann', ?)`, fmt.Sprintf("C%d", i), base.Add(time.Duration(i)*time.Microsecond).UnixMicro()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO candidates VALUES ('C17', 'Bo', NULL)`); err != nil {
		t.Fatal(err)
	}
	q := (&ATS{DB: db, Now: time.Now}).table("candidates", "first_name")
	q.PageSize = 2
	const nullErr = "error: sqlsource: candidates: row C17: modified_us is NULL: the stream cannot place it after its cursor; " +
		"give the column a value (NOT NULL, defaulting to the current time)"
	for _, tc := range []struct {
		name  string
		since rscsync.Cursor
		want  []string
	}{
		{"from the start", rscsync.Cursor{}, []string{"C1", "C2", "C3", "C4", "C5", nullErr}},
		{"after C2", rscsync.Cursor{ModifiedAt: base.Add(2 * time.Microsecond), ID: "C2"}, []string{"C3", "C4", "C5", nullErr}},
	} {
		e := &explainer{db: db}
		var got []string
		for id, err := range sqlsource.Stream(context.Background(), e, tc.since, q, func(r *sqlsource.Row) (string, error) {
			var name string
			err := r.Scan(&name)
			return r.ID(), err
		}) {
			if err != nil {
				got = append(got, "error: "+err.Error())
				continue
			}
			got = append(got, id)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
		for _, p := range e.plans {
			if !strings.Contains(p, "USING COVERING INDEX candidates_modified") && !strings.Contains(p, "USING INDEX candidates_modified") ||
				strings.Contains(p, "TEMP B-TREE") {
				t.Errorf("%s: %s; want a search of index candidates_modified without a sort", tc.name, p)
			}
		}
	}
	if n, err := sqlsource.Count(context.Background(), db, time.Time{}, q); n != 5 || err != nil {
		t.Errorf("Count = %d, %v; want 5", n, err)
	}
}
