package sqlsource_test

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	rscsync "github.com/rscgo/rscgo/sync"
	"github.com/rscgo/rscgo/sync/sqlsource"
)

// events reads a stream into what it yields, in order: a record as id(it),
// an error as "error: " and its text. No result set may be open when the
// stream yields.
func events[T any](t *testing.T, f *fakeDB, seq iter.Seq2[T, error], id func(T) string) []string {
	t.Helper()
	var out []string
	for rec, err := range seq {
		if n := f.openRows(); n != 0 {
			t.Fatalf("the stream yielded with %d result set(s) open", n)
		}
		if err != nil {
			out = append(out, "error: "+err.Error())
			continue
		}
		out = append(out, id(rec))
	}
	return out
}

func recordID(r record) string { return r.ID }

// nullQuery is the Query of the NULL tests: a candidates table with a
// Where of one argument, in the fake's placeholder style.
func nullQuery(f *fakeDB, column string, pageSize int) sqlsource.Query {
	q := sqlsource.Query{Select: "name", From: "candidates", Where: "deleted = ?", Args: []any{false},
		ModifiedAt: column, ID: "id", Unit: f.unit, UnixInteger: f.integer, PageSize: pageSize}
	if f.dollar {
		q.Where, q.Placeholders = "deleted = $1", sqlsource.Dollar
	}
	f.where = q.Where
	return q
}

// goodRows are nine candidates c10 to c90, one unit apart.
func goodRows(unit time.Duration) []fakeRow {
	var rows []fakeRow
	for i := 1; i <= 9; i++ {
		rows = append(rows, fakeRow{at: base.Add(time.Duration(i) * unit), id: fmt.Sprintf("c%d0", i), name: "Ann"})
	}
	return rows
}

var nullColumns = []struct {
	name    string
	unit    time.Duration
	integer bool
	column  string
	fix     string // the error's advice
}{
	{"timestamp", time.Microsecond, false, "modified_at", "NOT NULL DEFAULT now()"},
	{"integer milliseconds", time.Millisecond, true, "modified_ms", "NOT NULL, defaulting to the current time"},
}

var nullOrders = []struct {
	name       string
	nullsFirst bool
}{{"NULLs first", true}, {"NULLs last", false}}

var styles = []struct {
	name  string
	style sqlsource.Placeholders
}{{"question", sqlsource.Question}, {"dollar", sqlsource.Dollar}}

// A row whose time is NULL is neither read nor skipped in silence: the
// stream yields every other row after the cursor, wherever the database
// sorts NULLs, wherever the row's id and place in the table fall, on one
// page or many; then it ends with one error that names the row and the
// column.
func TestStreamNullModifiedAt(t *testing.T) {
	for _, col := range nullColumns {
		for _, order := range nullOrders {
			for _, st := range styles {
				for _, null := range []struct {
					name string
					id   string
					at   int // its place in the table
				}{{"first", "c05", 0}, {"middle", "c45", 4}, {"last", "c95", 9}} {
					for _, since := range []struct {
						name string
						c    rscsync.Cursor
						ids  []string // of the good rows after c
					}{
						{"from the start", rscsync.Cursor{}, []string{"c10", "c20", "c30", "c40", "c50", "c60", "c70", "c80", "c90"}},
						{"after c30", rscsync.Cursor{ModifiedAt: base.Add(3 * col.unit), ID: "c30"}, []string{"c40", "c50", "c60", "c70", "c80", "c90"}},
					} {
						for _, size := range []int{2, 500} {
							name := fmt.Sprintf("%s/%s/%s/NULL %s/%s/page %d", col.name, order.name, st.name, null.name, since.name, size)
							t.Run(name, func(t *testing.T) {
								f := &fakeDB{unit: col.unit, integer: col.integer, dollar: st.style == sqlsource.Dollar, nullsFirst: order.nullsFirst}
								rows := goodRows(col.unit)
								f.rows = append(rows[:null.at:null.at], append([]fakeRow{{id: null.id, name: "Bo", nullAt: true}}, rows[null.at:]...)...)
								q := nullQuery(f, col.column, size)
								want := append(slices.Clone(since.ids), fmt.Sprintf("error: sqlsource: candidates: row %s: %s is NULL: "+
									"the stream cannot place it after its cursor; give the column a value (%s)", null.id, col.column, col.fix))
								got := events(t, f, sqlsource.Stream(context.Background(), f.db(), since.c, q, scanRecord), recordID)
								if diff := cmp.Diff(want, got); diff != "" {
									t.Errorf("stream (-want +got):\n%s", diff)
								}
							})
						}
					}
				}
			}
		}
	}
}

// Other NULL keys: each ends the stream with an error that names the
// column, and the row when its id is known. A NULL time (no page reads it)
// comes after every other row, StreamPages completing every page before
// it; a NULL in a row a page reads is an error of that page, as any error
// of a row is: the pages before it are yielded (the second page reads the
// row, as the one after its last).
func TestStreamNullKeys(t *testing.T) {
	at := func(i int) time.Time { return base.Add(time.Duration(i) * time.Microsecond) }
	const advice = "the stream cannot place it after its cursor; give the column a value (NOT NULL DEFAULT now())"
	all := []string{"c10", "c20", "c30", "c40", "c50", "c60", "c70", "c80", "c90"}
	for _, tc := range []struct {
		name  string
		row   fakeRow // added to goodRows
		pages bool    // StreamPages, its records the ids with "+"
		want  map[int][]string
	}{
		{"id and time NULL", fakeRow{nullAt: true, nullID: true}, false, map[int][]string{
			2:   append(slices.Clone(all), "error: sqlsource: candidates: a row whose id is NULL: modified_at is NULL: "+advice),
			500: append(slices.Clone(all), "error: sqlsource: candidates: a row whose id is NULL: modified_at is NULL: "+advice),
		}},
		{"id NULL", fakeRow{at: at(4), nullID: true}, false, map[int][]string{
			2:   {"c10", "c20", "error: sqlsource: candidates: id is NULL (modified_at 2026-11-30T09:00:00.000004Z): ids must not be"},
			500: {"error: sqlsource: candidates: id is NULL (modified_at 2026-11-30T09:00:00.000004Z): ids must not be"},
		}},
		{"time NULL in the select list only", fakeRow{at: at(4), id: "c45", volatileAt: true}, false, map[int][]string{
			2:   {"c10", "c20", "error: sqlsource: candidates: row c45: modified_at is NULL: " + advice},
			500: {"error: sqlsource: candidates: row c45: modified_at is NULL: " + advice},
		}},
		{"StreamPages, time NULL", fakeRow{id: "c45", nullAt: true}, true, map[int][]string{
			2:   {"c10+", "c20+", "c30+", "c40+", "c50+", "c60+", "c70+", "c80+", "c90+", "error: sqlsource: candidates: row c45: modified_at is NULL: " + advice},
			500: {"c10+", "c20+", "c30+", "c40+", "c50+", "c60+", "c70+", "c80+", "c90+", "error: sqlsource: candidates: row c45: modified_at is NULL: " + advice},
		}},
	} {
		for _, order := range nullOrders {
			for _, st := range styles {
				for _, size := range []int{2, 500} {
					t.Run(fmt.Sprintf("%s/%s/%s/page %d", tc.name, order.name, st.name, size), func(t *testing.T) {
						f := &fakeDB{unit: time.Microsecond, dollar: st.style == sqlsource.Dollar, nullsFirst: order.nullsFirst}
						f.rows = append(goodRows(time.Microsecond), tc.row)
						q := nullQuery(f, "modified_at", size)
						var got []string
						if tc.pages {
							plus := func(_ context.Context, page []record) ([]string, error) {
								var out []string
								for _, r := range page {
									out = append(out, r.ID+"+")
								}
								return out, nil
							}
							seq := sqlsource.StreamPages(context.Background(), f.db(), rscsync.Cursor{}, q, scanRecord, plus)
							got = events(t, f, seq, func(s string) string { return s })
						} else {
							got = events(t, f, sqlsource.Stream(context.Background(), f.db(), rscsync.Cursor{}, q, scanRecord), recordID)
						}
						if diff := cmp.Diff(tc.want[size], got); diff != "" {
							t.Errorf("stream (-want +got):\n%s", diff)
						}
					})
				}
			}
		}
	}
}

// Count counts the records a stream from since reads: not a row whose
// time is NULL, wherever the database sorts NULLs.
func TestCountLeavesOutNullTimes(t *testing.T) {
	for _, order := range nullOrders {
		for _, st := range styles {
			t.Run(order.name+"/"+st.name, func(t *testing.T) {
				f := &fakeDB{unit: time.Microsecond, dollar: st.style == sqlsource.Dollar, nullsFirst: order.nullsFirst}
				f.rows = append(goodRows(time.Microsecond), fakeRow{id: "c05", nullAt: true}, fakeRow{id: "c95", nullAt: true})
				q := nullQuery(f, "modified_at", 2)
				var got, want []int64
				var counts []string // the count queries
				for _, since := range []time.Time{{}, base.Add(3 * time.Microsecond), base.Add(3*time.Microsecond + 1), base.Add(time.Hour)} {
					n, err := sqlsource.Count(context.Background(), f.db(), since, q)
					counts = append(counts, f.queries[len(f.queries)-1])
					if err != nil {
						t.Fatal(err)
					}
					read := events(t, f, sqlsource.Stream(context.Background(), f.db(), rscsync.Cursor{ModifiedAt: since}, q, scanRecord), recordID)
					got, want = append(got, n), append(want, int64(len(read)-1)) // the last is the NULL row's error
				}
				if diff := cmp.Diff([]int64{9, 7, 6, 0}, want); diff != "" {
					t.Fatalf("records read (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("Count (-records read +counted):\n%s", diff)
				}
				p := map[bool][2]string{false: {"?", "?"}, true: {"$1", "$2"}}[f.dollar]
				bounded := "SELECT COUNT(*) FROM candidates WHERE (deleted = " + p[0] + ") AND modified_at >= " + p[1]
				wantSQL := []string{"SELECT COUNT(*) FROM candidates WHERE (deleted = " + p[0] + ") AND modified_at IS NOT NULL", bounded, bounded, bounded}
				if diff := cmp.Diff(wantSQL, counts); diff != "" {
					t.Errorf("count queries (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// The fake answers only the queries sqlsource sends: a query it does not
// know, or whose placeholders do not match its arguments, is an error.
func TestFakeRefusesOtherQueries(t *testing.T) {
	for _, tc := range []struct {
		name   string
		dollar bool
		query  string
		args   []any
	}{
		{"OR IS NULL", false, "SELECT m, id FROM t WHERE m IS NULL OR m >= ? ORDER BY m, id LIMIT ?", []any{base, int64(2)}},
		{"another condition", false, "SELECT m, id FROM t WHERE m > ? ORDER BY m, id LIMIT ?", []any{base, int64(2)}},
		{"order by other columns", false, "SELECT m, id FROM t ORDER BY id, m LIMIT ?", []any{int64(2)}},
		{"condition on other columns", false, "SELECT m, id FROM t WHERE n IS NOT NULL ORDER BY m, id LIMIT ?", []any{int64(2)}},
		{"one argument too many", false, "SELECT m, id FROM t ORDER BY m, id LIMIT ?", []any{int64(2), int64(3)}},
		{"an argument missing", true, "SELECT m, id FROM t WHERE m >= $1 AND (m > $1 OR id > $2) ORDER BY m, id LIMIT $3", []any{base, "x"}},
		{"question in dollar style", true, "SELECT m, id FROM t ORDER BY m, id LIMIT ?", []any{int64(2)}},
		{"NULL look-up without IS NULL", false, "SELECT id FROM t WHERE m IS NOT NULL LIMIT 1", nil},
		{"count of an unknown condition", false, "SELECT COUNT(*) FROM t WHERE m < ?", []any{base}},
		{"something else", false, "SELECT name FROM t", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeDB{unit: time.Microsecond, dollar: tc.dollar}
			rows, err := f.db().QueryContext(context.Background(), tc.query, tc.args...)
			if err == nil {
				rows.Close()
				t.Errorf("the fake answered %q", tc.query)
			} else if !strings.HasPrefix(err.Error(), "fake: ") {
				t.Errorf("error %v, want the fake's", err)
			}
		})
	}
}
