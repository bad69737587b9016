package tracker

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	rscsync "github.com/rscgo/rscgo/sync"
	"github.com/rscgo/rscgo/sync/sqlsource"
)

// recorder is a sqlsource.Queryer that keeps the query it is given and
// runs nothing.
type recorder struct {
	query string
	args  []any
}

func (r *recorder) QueryContext(_ context.Context, q string, args ...any) (*sql.Rows, error) {
	r.query, r.args = q, args
	return nil, errors.New("recorded")
}

// pageQuery is the query of a stream's page after a cursor, and its
// arguments.
func pageQuery(q sqlsource.Query) (string, []any) {
	var rec recorder
	since := rscsync.Cursor{ModifiedAt: time.UnixMilli(1), ID: "x"}
	for range sqlsource.Pages(context.Background(), &rec, since, q, func(*sqlsource.Row) (int, error) { return 0, nil }) {
		break
	}
	return rec.query, rec.args
}

// Every stream's page query, bounded by its fence as the Source runs it,
// must seek the (modified_at, id) index and never sort: a page deep into a
// large table then costs the same as the first.
func TestStreamQueriesUseIndex(t *testing.T) {
	db := openTest(t)
	src := newSource(t, db, Config{IntegrationContext: testOrg})
	for name, q := range map[string]sqlsource.Query{
		"jobs_modified":              src.jobs(),
		"candidates_modified":        src.candidates(),
		"placements_modified":        src.placements(),
		"activities_modified":        src.activities(),
		"deletions_modified":         src.deletions(),
		"placement_stages_placement": {}, // stagesQuery
	} {
		query, args := pageQuery(q)
		if q.From == "" {
			query, args = strings.Replace(stagesQuery, "%s", "?", 1), []any{"P1"}
		}
		rows, err := db.SQL().Query("EXPLAIN QUERY PLAN "+query, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		all := strings.Join(plan, "; ")
		if !strings.Contains(plan[0], "USING INDEX "+name) || strings.Contains(all, "TEMP B-TREE") {
			t.Errorf("%s: plan %q, want a search of index %s without a sort", name, all, name)
		}
	}
}
