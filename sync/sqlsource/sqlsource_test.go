package sqlsource_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	rscsync "github.com/rscgo/rscgo/sync"
	"github.com/rscgo/rscgo/sync/sqlsource"
)

var base = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// record is what the tests' scan function makes of a row.
type record struct {
	At   time.Time
	ID   string
	Name string
}

func scanRecord(r *sqlsource.Row) (record, error) {
	var rec record
	err := r.Scan(&rec.Name)
	rec.At, rec.ID = r.ModifiedAt(), r.ID()
	return rec, err
}

// table fills f with n rows whose times fall on few instants of f's unit,
// so that many rows share an instant (and more share a millisecond), in a
// random insertion order.
func table(f *fakeDB, n int) []record {
	r := rand.New(rand.NewPCG(1, 2))
	var want []record
	for i := range n {
		at := base.Add(time.Duration(r.IntN(n/4+1)) * f.unit)
		want = append(want, record{At: at, ID: fmt.Sprintf("R%04d", i), Name: fmt.Sprint("name ", i)})
	}
	for _, i := range r.Perm(n) {
		f.rows = append(f.rows, fakeRow{at: want[i].At, id: want[i].ID, name: want[i].Name})
	}
	slices.SortFunc(want, func(a, b record) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return want
}

// after is the records a stream after c must yield, by sync.Cursor's own
// definition.
func after(all []record, c rscsync.Cursor) []record {
	var out []record
	for _, r := range all {
		if c == (rscsync.Cursor{}) || c.After(r.At, r.ID) {
			out = append(out, r)
		}
	}
	return out
}

func collect(t *testing.T, f *fakeDB, since rscsync.Cursor, q sqlsource.Query) []record {
	t.Helper()
	var got []record
	for rec, err := range sqlsource.Stream(context.Background(), f.db(), since, q, scanRecord) {
		if err != nil {
			t.Fatalf("stream after %+v: %v", since, err)
		}
		if n := f.openRows(); n != 0 {
			t.Fatalf("a record was yielded with %d result set(s) open", n)
		}
		got = append(got, rec)
	}
	return got
}

var columns = []struct {
	name    string
	unit    time.Duration
	integer bool
}{
	{"timestamp, microseconds", time.Microsecond, false},
	{"timestamp, nanoseconds", time.Nanosecond, false},
	{"integer milliseconds", time.Millisecond, true},
	{"integer microseconds", time.Microsecond, true},
	{"integer nanoseconds", time.Nanosecond, true},
	{"integer seconds", time.Second, true},
}

// Every cursor a stream can stop at, and cursors between the column's
// instants, resume exactly after it: nothing read twice, nothing skipped,
// across page boundaries and rows sharing an instant.
func TestStreamResumesExactlyAfterEveryCursor(t *testing.T) {
	for _, col := range columns {
		t.Run(col.name, func(t *testing.T) {
			f := &fakeDB{unit: col.unit, integer: col.integer}
			all := table(f, 80)
			q := sqlsource.Query{Select: "name", From: "records", ModifiedAt: "modified_at", ID: "id",
				Unit: col.unit, UnixInteger: col.integer, PageSize: 7}
			if diff := cmp.Diff(all, collect(t, f, rscsync.Cursor{}, q)); diff != "" {
				t.Fatalf("from the start (-want +got):\n%s", diff)
			}
			cursors := []rscsync.Cursor{
				{ModifiedAt: base.Add(-time.Hour)},
				{ModifiedAt: all[len(all)-1].At, ID: all[len(all)-1].ID},
			}
			for _, r := range all {
				cursors = append(cursors,
					rscsync.Cursor{ModifiedAt: r.At, ID: r.ID},           // where a stream stopped
					rscsync.Cursor{ModifiedAt: r.At},                     // an instant, no id
					rscsync.Cursor{ModifiedAt: r.At.Add(1), ID: "R9999"}, // between instants (finer than the unit)
					rscsync.Cursor{ModifiedAt: r.At.Add(-1)})
			}
			for _, c := range cursors {
				if diff := cmp.Diff(after(all, c), collect(t, f, c, q)); diff != "" {
					t.Fatalf("after %v %q (-want +got):\n%s", c.ModifiedAt.Format(time.RFC3339Nano), c.ID, diff)
				}
			}
		})
	}
}

// Records may share a position (sync.Source: a note and an interview
// feedback of one id, read from two tables in one query): every one of
// them is read once, whatever the page size, also when a page would end
// between them, and the stream resumes after them.
func TestStreamSharedPositions(t *testing.T) {
	t.Parallel()
	at := func(us int) time.Time { return base.Add(time.Duration(us) * time.Microsecond) }
	rows := []fakeRow{
		{at: at(1), id: "40", name: "note"},
		{at: at(2), id: "42", name: "note"}, {at: at(2), id: "42", name: "feedback"}, {at: at(2), id: "42", name: "stage"},
		{at: at(2), id: "43", name: "note"},
		{at: at(3), id: "44", name: "note"}, {at: at(3), id: "44", name: "feedback"},
	}
	var want []string
	for _, r := range rows {
		want = append(want, r.id+" "+r.name)
	}
	for _, size := range []int{1, 2, 3, 4, 500} {
		t.Run(fmt.Sprint("page size ", size), func(t *testing.T) {
			f := &fakeDB{unit: time.Microsecond, rows: slices.Clone(rows)}
			var got []string
			for _, r := range collect(t, f, rscsync.Cursor{}, sqlsource.Query{From: "activities", ModifiedAt: "m", ID: "id", Select: "name", PageSize: size}) {
				got = append(got, r.ID+" "+r.Name)
			}
			slices.Sort(got) // the order within one position is the database's
			if diff := cmp.Diff(slices.Sorted(slices.Values(want)), got); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
		})
	}
}

// A cursor is one instant, in whatever time zone: its time goes to the
// database in UTC, as a driver gives a column without a time zone
// (PostgreSQL's timestamp) the wall clock of the time's own location.
func TestCursorTimeSentInUTC(t *testing.T) {
	t.Parallel()
	f := &fakeDB{unit: time.Microsecond}
	table(f, 20)
	since := rscsync.Cursor{ModifiedAt: base.Add(3 * time.Microsecond).In(time.FixedZone("+05:30", 5*3600+1800)), ID: "R0005"}
	collect(t, f, since, sqlsource.Query{From: "t", ModifiedAt: "m", ID: "id", Select: "name"})
	if at, ok := f.args[0][0].(time.Time); !ok || at.Location() != time.UTC || !at.Equal(since.ModifiedAt) {
		t.Errorf("the cursor's time was sent as %v, want %v in UTC", f.args[0][0], since.ModifiedAt)
	}
}

// The SQL and arguments of each page, for both placeholder styles: the
// keyset condition after Where, its arguments after Args, one page and
// one row more; the first page from the start leaves out a NULL time; the
// look-up of a NULL time after the last page takes Where's arguments.
func TestPageQueries(t *testing.T) {
	since := rscsync.Cursor{ModifiedAt: base.Add(1500 * time.Nanosecond), ID: "C7"} // 1.5µs: not a whole microsecond
	up := base.Add(2 * time.Microsecond)
	const (
		selectQ = "SELECT a.modified_at, a.id, a.body FROM activities a WHERE (a.kind = ?) AND "
		selectD = "SELECT a.modified_at, a.id, a.body FROM activities a WHERE (a.kind = $1) AND "
		order   = " ORDER BY a.modified_at, a.id LIMIT "
	)
	for _, tc := range []struct {
		name     string
		style    sqlsource.Placeholders
		since    rscsync.Cursor
		wantIDs  []string
		wantSQL  []string
		wantArgs [][]any
	}{
		{"question", sqlsource.Question, since, []string{"A1", "A2", "A3"}, []string{
			selectQ + "a.modified_at >= ? AND (a.modified_at > ? OR a.id > ?)" + order + "?",
			selectQ + "a.modified_at >= ? AND (a.modified_at > ? OR a.id > ?)" + order + "?",
			"SELECT a.id FROM activities a WHERE (a.kind = ?) AND a.modified_at IS NULL LIMIT 1",
		}, [][]any{
			{"note", up, up, "", int64(3)},
			{"note", base.Add(3 * time.Microsecond), base.Add(3 * time.Microsecond), "A2", int64(3)},
			{"note"},
		}},
		{"dollar", sqlsource.Dollar, since, []string{"A1", "A2", "A3"}, []string{
			selectD + "a.modified_at >= $2 AND (a.modified_at > $2 OR a.id > $3)" + order + "$4",
			selectD + "a.modified_at >= $2 AND (a.modified_at > $2 OR a.id > $3)" + order + "$4",
			"SELECT a.id FROM activities a WHERE (a.kind = $1) AND a.modified_at IS NULL LIMIT 1",
		}, [][]any{
			{"note", up, "", int64(3)},
			{"note", base.Add(3 * time.Microsecond), "A2", int64(3)},
			{"note"},
		}},
		{"question from the start", sqlsource.Question, rscsync.Cursor{}, []string{"A0", "A1", "A2", "A3"}, []string{
			selectQ + "a.modified_at IS NOT NULL" + order + "?",
			selectQ + "a.modified_at >= ? AND (a.modified_at > ? OR a.id > ?)" + order + "?",
			"SELECT a.id FROM activities a WHERE (a.kind = ?) AND a.modified_at IS NULL LIMIT 1",
		}, [][]any{
			{"note", int64(3)},
			{"note", base.Add(2 * time.Microsecond), base.Add(2 * time.Microsecond), "A1", int64(3)},
			{"note"},
		}},
		{"dollar from the start", sqlsource.Dollar, rscsync.Cursor{}, []string{"A0", "A1", "A2", "A3"}, []string{
			selectD + "a.modified_at IS NOT NULL" + order + "$2",
			selectD + "a.modified_at >= $2 AND (a.modified_at > $2 OR a.id > $3)" + order + "$4",
			"SELECT a.id FROM activities a WHERE (a.kind = $1) AND a.modified_at IS NULL LIMIT 1",
		}, [][]any{
			{"note", int64(3)},
			{"note", base.Add(2 * time.Microsecond), "A1", int64(3)},
			{"note"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := sqlsource.Query{Select: "a.body", From: "activities a", Where: "a.kind = " + map[bool]string{true: "$1", false: "?"}[tc.style == sqlsource.Dollar],
				Args: []any{"note"}, ModifiedAt: "a.modified_at", ID: "a.id", PageSize: 2, Placeholders: tc.style}
			f := &fakeDB{unit: time.Microsecond, dollar: tc.style == sqlsource.Dollar, where: q.Where}
			for i, us := range []int{1, 2, 3, 4} { // A0 at 1µs lies before the cursor
				f.rows = append(f.rows, fakeRow{at: base.Add(time.Duration(us) * time.Microsecond), id: fmt.Sprint("A", i), name: "x"})
			}
			var ids []string
			for _, r := range collect(t, f, tc.since, q) {
				ids = append(ids, r.ID)
			}
			if diff := cmp.Diff(tc.wantIDs, ids); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantSQL, f.queries); diff != "" {
				t.Errorf("queries (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantArgs, f.args); diff != "" {
				t.Errorf("arguments (-want +got):\n%s", diff)
			}
		})
	}
}

// The first page of a stream from the zero cursor has no keyset condition
// but leaves out a NULL time, a Query without Where and Select reads only
// the key, and the look-up of a NULL time follows the last page.
func TestFirstPageQuery(t *testing.T) {
	f := &fakeDB{unit: time.Millisecond, integer: true}
	q := sqlsource.Query{From: "jobs", ModifiedAt: "modified_ms", ID: "id", Unit: time.Millisecond, UnixInteger: true}
	for _, err := range sqlsource.Pages(context.Background(), f.db(), rscsync.Cursor{}, q, func(*sqlsource.Row) (int, error) { return 0, nil }) {
		if err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"SELECT modified_ms, id FROM jobs WHERE modified_ms IS NOT NULL ORDER BY modified_ms, id LIMIT ?",
		"SELECT id FROM jobs WHERE modified_ms IS NULL LIMIT 1",
	}
	if diff := cmp.Diff(want, f.queries); diff != "" {
		t.Errorf("queries (-want +got):\n%s", diff)
	}
}

// A consumer that stops stops the reading: no further page is queried.
func TestStreamStopsWithTheConsumer(t *testing.T) {
	f := &fakeDB{unit: time.Microsecond}
	table(f, 50)
	q := sqlsource.Query{Select: "name", From: "records", ModifiedAt: "modified_at", ID: "id", PageSize: 10}
	n := 0
	for _, err := range sqlsource.Stream(context.Background(), f.db(), rscsync.Cursor{}, q, scanRecord) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 12 {
			break
		}
	}
	if len(f.queries) != 2 || f.openRows() != 0 {
		t.Errorf("%d queries and %d open result sets after a break in the second page, want 2 and 0", len(f.queries), f.openRows())
	}
}

// A context cancelled mid-page ends the stream at the next record, with
// the context's error.
func TestStreamStopsWhenCancelled(t *testing.T) {
	f := &fakeDB{unit: time.Microsecond}
	table(f, 50)
	q := sqlsource.Query{Name: "records stream", Select: "name", From: "records", ModifiedAt: "modified_at", ID: "id", PageSize: 10}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	var errs []error
	for _, err := range sqlsource.Stream(ctx, f.db(), rscsync.Cursor{}, q, scanRecord) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if n++; n == 3 {
			cancel()
		}
	}
	if n != 3 || len(errs) != 1 || !errors.Is(errs[0], context.Canceled) || errs[0].Error() != "sqlsource: records stream: context canceled" {
		t.Errorf("%d records, errors %v; want 3 and one context.Canceled naming the stream", n, errs)
	}
}

// Errors end the stream with one error that names the table, and the row
// when one row is at fault.
func TestStreamErrors(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name    string
		ctx     context.Context
		q       sqlsource.Query
		failAt  int
		scan    func(*sqlsource.Row) (record, error)
		wantErr string
		wantN   int
	}{
		{"query fails on the second page", context.Background(), sqlsource.Query{Select: "name", PageSize: 4}, 2, scanRecord,
			"sqlsource: records: fake: connection reset", 4},
		{"cancelled", cancelled, sqlsource.Query{Select: "name"}, 0, scanRecord, "sqlsource: records: context canceled", 0},
		{"scan fails on a row", context.Background(), sqlsource.Query{Select: "name"}, 0, func(r *sqlsource.Row) (record, error) {
			rec, err := scanRecord(r)
			if err == nil && rec.ID == "R0002" {
				err = errors.New("name: not a name")
			}
			return rec, err
		}, "sqlsource: records: row R0002: name: not a name", 0},
		{"the look-up of a NULL time fails", context.Background(), sqlsource.Query{Select: "name"}, 2, scanRecord,
			"sqlsource: records: looking for a NULL modified_at: fake: connection reset", 10},
		{"scan function forgets Row.Scan", context.Background(), sqlsource.Query{}, 0, func(*sqlsource.Row) (record, error) { return record{}, nil },
			"sqlsource: records: the scan function did not call Row.Scan", 0},
		{"no From", context.Background(), sqlsource.Query{From: " "}, 0, scanRecord, "sqlsource: Query.From is required", 0},
		{"Unit not a divisor of a second", context.Background(), sqlsource.Query{Unit: 7 * time.Millisecond}, 0, scanRecord,
			"sqlsource: records: Query.Unit 7ms: must divide a second", 0},
		{"negative PageSize", context.Background(), sqlsource.Query{PageSize: -1}, 0, scanRecord,
			"sqlsource: records: Query.PageSize -1: must be 0 (DefaultPageSize) to 100000 (MaxPageSize)", 0},
		{"PageSize over MaxPageSize", context.Background(), sqlsource.Query{PageSize: math.MaxInt}, 0, scanRecord,
			fmt.Sprintf("sqlsource: records: Query.PageSize %d: must be 0 (DefaultPageSize) to 100000 (MaxPageSize)", math.MaxInt), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeDB{unit: time.Microsecond, failAt: tc.failAt}
			table(f, 10)
			q := tc.q
			q.From = cmpOr(q.From, "records")
			q.ModifiedAt, q.ID = "modified_at", "id"
			var errs []string
			n := 0
			for _, err := range sqlsource.Stream(tc.ctx, f.db(), rscsync.Cursor{}, q, tc.scan) {
				if err != nil {
					errs = append(errs, err.Error())
					continue
				}
				n++
			}
			if diff := cmp.Diff([]string{tc.wantErr}, errs); diff != "" || n != tc.wantN {
				t.Errorf("%d records before the errors (-want +got), want %d:\n%s", n, tc.wantN, diff)
			}
		})
	}
}

func cmpOr(a, b string) string {
	if strings.TrimSpace(a) == "" && a != "" {
		return a
	}
	if a == "" {
		return b
	}
	return a
}

// A database that sorts ids otherwise than Go (a locale collation) would
// make the stream skip or repeat rows: the stream stops with an error.
func TestStreamRefusesRowsOutOfOrder(t *testing.T) {
	f := &fakeDB{unit: time.Microsecond, idCmp: func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }}
	f.rows = []fakeRow{{at: base, id: "a1"}, {at: base, id: "B1"}}
	q := sqlsource.Query{Select: "name", From: "records", ModifiedAt: "modified_at", ID: "id"}
	var errs []string
	for _, err := range sqlsource.Stream(context.Background(), f.db(), rscsync.Cursor{}, q, scanRecord) {
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	want := []string{`sqlsource: records: row B1: out of order after 2026-11-30T09:00:00Z "a1": the database sorts modified_at or id otherwise than Go (byte order of ids)`}
	if diff := cmp.Diff(want, errs); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// Count counts the rows at or after since, at the column's resolution.
func TestCount(t *testing.T) {
	f := &fakeDB{unit: time.Millisecond, integer: true}
	all := table(f, 40)
	q := sqlsource.Query{From: "records", ModifiedAt: "modified_ms", ID: "id", Unit: time.Millisecond, UnixInteger: true}
	for _, since := range []time.Time{{}, all[5].At, all[5].At.Add(time.Microsecond), all[39].At.Add(time.Millisecond)} {
		want := int64(0)
		for _, r := range all {
			if !r.At.Before(since) {
				want++
			}
		}
		got, err := sqlsource.Count(context.Background(), f.db(), since, q)
		if err != nil || got != want {
			t.Errorf("Count(%v) = %d, %v; want %d", since, got, err, want)
		}
	}
	if got, want := f.queries[:2], []string{"SELECT COUNT(*) FROM records WHERE modified_ms IS NOT NULL", "SELECT COUNT(*) FROM records WHERE modified_ms >= ?"}; !slices.Equal(got, want) {
		t.Errorf("queries %q, want %q", got, want)
	}
}

// StreamPages completes each page with one call, in order, and stops at
// its error.
func TestStreamPages(t *testing.T) {
	f := &fakeDB{unit: time.Microsecond}
	all := table(f, 25)
	q := sqlsource.Query{Select: "name", From: "records", ModifiedAt: "modified_at", ID: "id", PageSize: 10}
	var sizes []int
	complete := func(_ context.Context, page []record) ([]string, error) {
		sizes = append(sizes, len(page))
		if len(sizes) == 3 {
			return nil, errors.New("stages: connection reset")
		}
		out := make([]string, len(page))
		for i, r := range page {
			out[i] = r.ID + "+"
		}
		return out, nil
	}
	var got, errs []string
	for s, err := range sqlsource.StreamPages(context.Background(), f.db(), rscsync.Cursor{}, q, scanRecord, complete) {
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		got = append(got, s)
	}
	var want []string
	for _, r := range all[:20] {
		want = append(want, r.ID+"+")
	}
	if diff := cmp.Diff(want, got); diff != "" || !slices.Equal(sizes, []int{10, 10, 5}) || !slices.Equal(errs, []string{"stages: connection reset"}) {
		t.Errorf("pages of %v, errors %q, records (-want +got):\n%s", sizes, errs, diff)
	}
}
