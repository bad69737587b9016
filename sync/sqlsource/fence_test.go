package sqlsource_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	rscsync "github.com/rscgo/rscgo/sync"
	"github.com/rscgo/rscgo/sync/sqlsource"
)

// before is the records stamped before the fence b.
func before(all []record, b time.Time) []record {
	var out []record
	for _, r := range all {
		if r.At.Before(b) {
			out = append(out, r)
		}
	}
	return out
}

// A Query with a Fence reads only the rows stamped before the time the
// fence returns when the read starts, at the column's resolution, from any
// cursor, across pages and in every column form; the next read, whose
// fence lies later, takes the rest from the cursor the first left.
func TestStreamFence(t *testing.T) {
	for _, col := range columns {
		for _, dollar := range []bool{false, true} {
			t.Run(col.name, func(t *testing.T) {
				f := &fakeDB{unit: col.unit, integer: col.integer, dollar: dollar}
				all := table(f, 60)
				mid := all[30].At
				for _, tc := range []struct {
					name  string
					fence time.Time
				}{
					{"at a shared instant", mid},
					{"between two instants", mid.Add(col.unit / 2)}, // taken down to mid: its rows wait
					{"before every row", all[0].At},
					{"after every row", all[59].At.Add(col.unit)},
				} {
					calls := 0
					q := sqlsource.Query{Select: "name", From: "records", ModifiedAt: "modified_at", ID: "id",
						Unit: col.unit, UnixInteger: col.integer, PageSize: 7,
						Fence: func(context.Context) (time.Time, error) { calls++; return tc.fence, nil }}
					if dollar {
						q.Placeholders = sqlsource.Dollar
					}
					want := before(all, tc.fence.Truncate(col.unit))
					got := collect(t, f, rscsync.Cursor{}, q)
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("%s: first read (-want +got):\n%s", tc.name, diff)
					}
					var since rscsync.Cursor
					if len(got) > 0 {
						since = rscsync.Cursor{ModifiedAt: got[len(got)-1].At, ID: got[len(got)-1].ID}
					}
					q.Fence = nil // the next read, with no fence, takes the rest
					if diff := cmp.Diff(after(all, since)[:len(all)-len(want)], collect(t, f, since, q)); diff != "" || len(want)+len(after(all, since)) != len(all) {
						t.Errorf("%s: second read from %+v (-want +got):\n%s", tc.name, since, diff)
					}
					if calls != 1 {
						t.Errorf("%s: the fence was called %d times in a read, want once", tc.name, calls)
					}
				}
			})
		}
	}
}

// The fence is one more condition of Where, before the keyset's, and its
// argument follows Where's; Count is bounded by it too.
func TestFenceQueries(t *testing.T) {
	f := &fakeDB{unit: time.Millisecond, integer: true, dollar: true}
	all := table(f, 20)
	fence := all[10].At
	q := sqlsource.Query{Select: "name", From: "records", ModifiedAt: "modified_ms", ID: "id", Unit: time.Millisecond, UnixInteger: true,
		PageSize: 100, Placeholders: sqlsource.Dollar,
		Fence: func(context.Context) (time.Time, error) { return fence.Add(300 * time.Microsecond), nil }}
	collect(t, f, rscsync.Cursor{ModifiedAt: all[2].At, ID: all[2].ID}, q)
	n, err := sqlsource.Count(context.Background(), f.db(), all[2].At, q)
	want := int64(0)
	for _, r := range before(all, fence) {
		if !r.At.Before(all[2].At) {
			want++
		}
	}
	if err != nil || n != want {
		t.Errorf("Count = %d, %v; want %d", n, err, want)
	}
	queries := []string{
		"SELECT modified_ms, id, name FROM records WHERE (modified_ms < $1) AND modified_ms >= $2 AND (modified_ms > $2 OR id > $3) ORDER BY modified_ms, id LIMIT $4",
		"SELECT id FROM records WHERE modified_ms IS NULL LIMIT 1", // the NULL check: no fence
		"SELECT COUNT(*) FROM records WHERE (modified_ms < $1) AND modified_ms >= $2",
	}
	if diff := cmp.Diff(queries, f.queries); diff != "" {
		t.Errorf("queries (-want +got):\n%s", diff)
	}
	// The fence is taken down to the column's millisecond: rows at fence's
	// millisecond wait, though they lie before fence+300µs.
	if got, want := f.args[0][0], fence.UnixMilli(); got != want {
		t.Errorf("fence argument %v, want %v", got, want)
	}
}

// A fence that fails, or returns the zero time, is the read's one error,
// and nothing is read; a NULL time still ends a fenced stream with its
// error, after the rows before the fence.
func TestFenceErrors(t *testing.T) {
	boom := errors.New("database is locked")
	for _, tc := range []struct {
		name  string
		fence func(context.Context) (time.Time, error)
		want  string
	}{
		{"error", func(context.Context) (time.Time, error) { return time.Time{}, boom }, "sqlsource: records: fence: database is locked"},
		{"zero", func(context.Context) (time.Time, error) { return time.Time{}, nil }, "sqlsource: records: fence: Query.Fence returned the zero time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeDB{unit: time.Microsecond}
			table(f, 5)
			q := sqlsource.Query{From: "records", ModifiedAt: "modified_at", ID: "id", Fence: tc.fence}
			var errs []string
			n := 0
			for _, err := range sqlsource.Stream(context.Background(), f.db(), rscsync.Cursor{}, q, scanRecord) {
				n++
				if err != nil {
					errs = append(errs, err.Error())
				}
			}
			if diff := cmp.Diff([]string{tc.want}, errs); diff != "" || n != 1 || len(f.queries) != 0 {
				t.Errorf("stream: %d yields, %d queries, errors (-want +got):\n%s", n, len(f.queries), diff)
			}
			_, err := sqlsource.Count(context.Background(), f.db(), time.Time{}, q)
			if err == nil || err.Error() != tc.want || len(f.queries) != 0 {
				t.Errorf("Count: %v, %d queries; want %q", err, len(f.queries), tc.want)
			}
			if tc.name == "error" && !errors.Is(err, boom) {
				t.Errorf("Count's error %v does not wrap the fence's", err)
			}
		})
	}

	f := &fakeDB{unit: time.Microsecond}
	all := table(f, 6)
	f.rows = append(f.rows, fakeRow{id: "NULLED", nullAt: true})
	q := sqlsource.Query{Select: "name", From: "records", ModifiedAt: "modified_at", ID: "id",
		Fence: func(context.Context) (time.Time, error) { return all[3].At, nil }}
	var got []record
	var errs []string
	for rec, err := range sqlsource.Stream(context.Background(), f.db(), rscsync.Cursor{}, q, scanRecord) {
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		got = append(got, rec)
	}
	if diff := cmp.Diff(before(all, all[3].At), got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if len(errs) != 1 || !slices.ContainsFunc(errs, func(s string) bool {
		return s == "sqlsource: records: row NULLED: "+
			"modified_at is NULL: the stream cannot place it after its cursor; give the column a value (NOT NULL DEFAULT now())"
	}) {
		t.Errorf("errors %q, want the NULL row's", errs)
	}
}
