// Package sqlsource reads an ATS's SQL tables for a sync.Source: each
// stream of the Source is one Query, read after the engine's cursor in
// (modified-at, id) order, one keyset page at a time.
//
// A keyset page is "the next PageSize rows after the last row read", so a
// stream never holds a table in memory, never uses OFFSET (which skips or
// repeats rows when the table changes between pages) and holds no read
// transaction or connection while the engine sends a page: each page's
// rows are closed before the first of them is yielded.
//
// The cursor is never truncated. Modification times are compared at the
// column's own resolution (Query.Unit); a cursor finer than that (the
// start of the historical window, computed from the clock) starts at the
// next representable instant, so no row before the cursor is read again
// and none after it is skipped, also when many rows share a millisecond.
//
// The table needs, for each row, a modification time updated on every
// change and a non-empty text id, both NOT NULL, ideally with an index on
// (modified_at, id). Ids are unique, except that rows may share a
// position (time and id), as sync.Source allows: an activity's note and
// interview feedback of one id, read from two tables by one query; every
// row of a position is read, a page never ending between two of them.
// A time column without a time zone (PostgreSQL's timestamp, MySQL's
// DATETIME) must hold UTC: cursors are sent to the database in UTC.
// SQLite has no time type: keep its times as integers (UnixInteger), or as
// the text its driver writes for a time.Time, never as CURRENT_TIMESTAMP's
// "YYYY-MM-DD HH:MM:SS", which SQLite compares as text with the cursor the
// driver sends ("... +0000 UTC" with modernc.org/sqlite) and finds before
// it, so that the rows at a cursor's second are passed over. Ids
// are compared in SQL and by the engine in Go; they must sort the same way
// in both (byte order): use text ids in a binary collation (COLLATE "C"
// in PostgreSQL, the default in SQLite), and zero-pad integer ids into
// text (printf('%020d', id) in SQLite, lpad(id::text, 20, '0') in
// PostgreSQL).
//
// A row whose modification time is NULL cannot be placed after a cursor:
// the pages leave it out, wherever the database sorts NULLs, and after the
// last page one more query looks for such a row (one index lookup with the
// index above; each read of a stream costs that query). If there is one,
// the stream ends, after every other row, with an error naming the row's
// id and the column. Row.Scan refuses a row whose id is NULL or empty, and
// Count counts no row whose time is NULL.
//
// A stream must not yield a row that a write yet to commit precedes: two
// writes stamped in one instant and a read between their commits, and the
// engine's cursor passes the second for good (sync.Source). Query.Fence
// bounds each read at an instant before which every write has committed;
// the rows after it wait for the next read.
package sqlsource

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	rscsync "github.com/rscgo/rscgo/sync"
)

// DefaultPageSize is the number of rows a page reads when Query.PageSize
// is zero.
const DefaultPageSize = 500

// MaxPageSize is the largest Query.PageSize: a page is held in memory
// whole, and a larger one would hold much of a table.
const MaxPageSize = 100_000

// Queryer runs a query: *sql.DB, *sql.Conn and *sql.Tx are Queryers.
type Queryer interface {
	// QueryContext runs query with args bound to its placeholders and
	// returns its rows, as database/sql's methods of that name do.
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Placeholders is the SQL parameter style of the database's driver.
type Placeholders int

const (
	// Question is "?" (SQLite, MySQL).
	Question Placeholders = iota
	// Dollar is "$1", "$2", ... (PostgreSQL).
	Dollar
)

// Query is one table (or join) read as a stream. The zero values of Unit,
// UnixInteger, PageSize and Placeholders are the defaults; From,
// ModifiedAt and ID are required.
type Query struct {
	// Name names the stream in errors (default From).
	Name string
	// Select lists the columns Row.Scan reads, as in a SELECT:
	// "c.id, c.first_name, c.email". Empty: Row.Scan reads nothing.
	Select string
	// From is the FROM clause, joins included: "candidates c".
	From string
	// Where, if set, filters the rows (the keyset condition is added to
	// it): "a.kind IN ('note', 'feedback')".
	Where string
	// Args are the arguments of Where's placeholders, which come first
	// ($1 to $len(Args) with Dollar).
	Args []any
	// ModifiedAt is the column (or expression) of the row's modification
	// time, required and NOT NULL. The pages read only the rows where it
	// is not NULL; when the last page has been read, one more query
	// (Where, and ModifiedAt IS NULL: one index lookup with an index on
	// it) looks for a row where it is, and the stream ends with an error
	// naming that row's id. So each read of a stream costs that query.
	ModifiedAt string
	// ID is the column (or expression) of the row's unique, non-empty text
	// id, required and NOT NULL (Row.Scan refuses a NULL or empty one);
	// see the package documentation for how ids must sort. For deletions
	// it is the Deletion's CursorID: "d.kind || ':' || d.id".
	ID string
	// Unit is the resolution of ModifiedAt: the step between two times it
	// can hold, a divisor of a second (time.Second, time.Millisecond,
	// time.Microsecond, time.Nanosecond, ...). Default time.Microsecond, the
	// resolution of PostgreSQL's timestamp and MySQL's DATETIME(6).
	Unit time.Duration
	// UnixInteger says that ModifiedAt is an integer count of Units since
	// the Unix epoch (an INTEGER column in SQLite, say). Otherwise the
	// driver reads it into a time.Time and is given time.Time arguments.
	UnixInteger bool
	// PageSize is the number of rows per page (default DefaultPageSize),
	// at most MaxPageSize.
	PageSize int
	// Placeholders is the driver's parameter style (default Question).
	Placeholders Placeholders
	// Fence, if set, bounds each read of the stream (each Stream, Pages or
	// Count call) at a time it returns when the read starts: the read
	// takes only the rows whose ModifiedAt lies before it, and leaves the
	// later ones to the next read. sync.Source asks a Source to yield no
	// record that a write yet to commit could precede: two writes stamped
	// in one instant, a read between their commits, and the engine's
	// cursor would pass the second for good. Return the instant before
	// which every write has committed: where writers stamp their rows
	// under one lock (SQLite's BEGIN IMMEDIATE), take that lock, read the
	// stamps' clock and let it go; where transactions commit concurrently
	// (PostgreSQL, MySQL), the stamps' clock less the longest transaction
	// a writer may run. A fence finer than Unit is taken down to it (the
	// rows of that instant wait for the next read). An error, or the zero
	// time, is the read's error. The NULL check (see ModifiedAt) is not
	// bounded by the fence.
	Fence func(ctx context.Context) (time.Time, error)
}

// Row is one row of a page, given to the scan function of Stream and
// Pages.
type Row struct {
	rows    *sql.Rows
	q       *Query
	scanned bool
	key     key
}

// key is a position in a stream: a row's or a cursor's.
type key struct {
	at  time.Time
	raw any // at as the column holds it: int64 or time.Time
	id  string
}

// after reports whether k lies after p.
func (k key) after(p key) bool {
	return k.at.After(p.at) || k.at.Equal(p.at) && k.id > p.id
}

// Scan copies the row's Select columns into dest, as sql.Rows.Scan does.
// It must be called once per row. A NULL or empty id, or a NULL
// modification time, is an error that names the column.
func (r *Row) Scan(dest ...any) error {
	if r.scanned {
		return errors.New("sqlsource: Row.Scan called twice")
	}
	r.scanned = true
	var at sql.Null[time.Time]
	var n sql.Null[int64]
	var id sql.Null[string]
	var mod any = &at
	if r.q.UnixInteger {
		mod = &n
	}
	err := r.rows.Scan(append([]any{mod, &id}, dest...)...)
	r.key.id = id.V // names the row in the error of a column that follows
	if err != nil {
		return err
	}
	k, valid := &r.key, at.Valid
	if r.q.UnixInteger {
		k.raw, k.at, valid = n.V, r.q.fromUnits(n.V), n.Valid
	} else {
		k.raw, k.at = at.V, at.V
	}
	switch {
	case !id.Valid && !valid:
		return fmt.Errorf("%s is NULL, and %s", r.q.ID, r.q.nullTime())
	case !id.Valid:
		return fmt.Errorf("%s is NULL (%s %s): ids must not be", r.q.ID, r.q.ModifiedAt, k.at.Format(time.RFC3339Nano))
	case k.id == "":
		return fmt.Errorf("%s is empty: ids must not be", r.q.ID)
	case !valid:
		return errors.New(r.q.nullTime())
	}
	return nil
}

// ModifiedAt is the row's modification time, known once Scan has read the
// row.
func (r *Row) ModifiedAt() time.Time { return r.key.at }

// ID is the row's id, known once Scan has read the row.
func (r *Row) ID() string { return r.key.id }

// Stream yields the records of q's rows after since, in (ModifiedAt, ID)
// order: scan maps one row (it calls Row.Scan) to a record. The stream
// stops at the first error, which names the stream and the row, when ctx
// is done (yielding ctx's error), and when the consumer stops. A row whose
// ModifiedAt is NULL is the error that ends the stream after every other
// row (see Query.ModifiedAt).
func Stream[T any](ctx context.Context, db Queryer, since rscsync.Cursor, q Query, scan func(*Row) (T, error)) iter.Seq2[T, error] {
	return flatten(ctx, &q, Pages(ctx, db, since, q, scan), func(_ context.Context, page []T) ([]T, error) { return page, nil })
}

// StreamPages is Stream for records that need more than their row:
// complete turns each page of scanned rows into its records, typically
// with one more query for the whole page (the stage histories of a page of
// applications, say), and returns them in the same order.
func StreamPages[R, T any](ctx context.Context, db Queryer, since rscsync.Cursor, q Query, scan func(*Row) (R, error),
	complete func(ctx context.Context, page []R) ([]T, error)) iter.Seq2[T, error] {
	return flatten(ctx, &q, Pages(ctx, db, since, q, scan), complete)
}

// flatten yields the completed records of pages one by one.
func flatten[R, T any](ctx context.Context, q *Query, pages iter.Seq2[[]R, error],
	complete func(context.Context, []R) ([]T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for page, err := range pages {
			var recs []T
			if err == nil && len(page) > 0 {
				recs, err = complete(ctx, page)
			}
			if err != nil {
				yield(zero, err)
				return
			}
			for _, t := range recs {
				if err := ctx.Err(); err != nil {
					yield(zero, q.errorf("%w", err))
					return
				}
				if !yield(t, nil) {
					return
				}
			}
		}
	}
}

// Pages is Stream a page at a time. Each page is a new slice, read in full
// and its rows closed before it is yielded; the last page may be empty.
// After the last page, Pages looks for a row whose ModifiedAt is NULL, and
// yields an error naming it if there is one (see Query.ModifiedAt).
func Pages[T any](ctx context.Context, db Queryer, since rscsync.Cursor, q Query, scan func(*Row) (T, error)) iter.Seq2[[]T, error] {
	return func(yield func([]T, error) bool) {
		if err := q.check(); err != nil {
			yield(nil, err)
			return
		}
		read, err := q.fenced(ctx) // q for the NULL check, which no fence bounds
		if err != nil {
			yield(nil, err)
			return
		}
		from, bounded := q.bound(since)
		for {
			var fromp *key
			if bounded {
				fromp = &from
			}
			page, last, more, err := readPage(ctx, db, &read, fromp, scan)
			if err != nil {
				yield(nil, q.errorf("%w", err))
				return
			}
			if !yield(page, nil) {
				return
			}
			if !more {
				if err := nullRow(ctx, db, &q); err != nil {
					yield(nil, err)
				}
				return
			}
			from, bounded = last, true
		}
	}
}

// readPage reads the page after from (the first page when from is nil)
// and closes its rows; last is the page's last position, and more reports
// that rows may follow it. Each row must lie after the one before it in
// Go's order, or the ids do not sort in byte order in the database and the
// stream would skip or repeat rows; rows may share a position (see
// sync.Source), and a page never ends between two of them: the page reads
// one row more than its size, and when that row shares the last position,
// the page ends before that position and every row at it is read
// (positionSQL) and added.
func readPage[T any](ctx context.Context, db Queryer, q *Query, from *key,
	scan func(*Row) (T, error)) (page []T, last key, more bool, err error) {
	n := q.pageSize()
	page, keys, err := readRows(ctx, db, q, q.pageSQL(from != nil), q.pageArgs(from), from, scan)
	if err != nil || len(page) <= n {
		return page, lastKey(keys, from), false, err
	}
	last = keys[n-1]
	if keys[n] != last {
		return page[:n], last, true, nil
	}
	for n > 0 && keys[n-1] == last {
		n--
	}
	at, _, err := readRows(ctx, db, q, q.positionSQL(), q.positionArgs(last), nil, scan)
	return append(page[:n], at...), last, true, err
}

// lastKey is the last of keys, or from when there is none.
func lastKey(keys []key, from *key) key {
	if len(keys) > 0 {
		return keys[len(keys)-1]
	}
	if from != nil {
		return *from
	}
	return key{}
}

// readRows runs query and scans its rows, in order after from (nil: no
// bound), into records and their positions, and closes the rows.
func readRows[T any](ctx context.Context, db Queryer, q *Query, query string, args []any, from *key,
	scan func(*Row) (T, error)) (recs []T, keys []key, err error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	defer func() { err = errors.Join(err, rows.Close()) }()
	n := min(q.pageSize()+1, 1024) // grown beyond as the rows come
	recs, keys = make([]T, 0, n), make([]key, 0, n)
	prev := from
	for rows.Next() {
		r := Row{rows: rows, q: q}
		t, err := scan(&r)
		if err == nil && !r.scanned {
			err = errors.New("the scan function did not call Row.Scan")
		}
		shared := len(keys) > 0 && r.key == keys[len(keys)-1] // another row at one position
		if err == nil && prev != nil && !r.key.after(*prev) && !shared {
			err = fmt.Errorf("out of order after %s %q: the database sorts %s or %s otherwise than Go (byte order of ids)",
				prev.at.Format(time.RFC3339Nano), prev.id, q.ModifiedAt, q.ID)
		}
		if err != nil {
			if r.key.id != "" {
				return nil, nil, fmt.Errorf("row %s: %w", r.key.id, err)
			}
			return nil, nil, err
		}
		recs, keys = append(recs, t), append(keys, r.key)
		prev = &keys[len(keys)-1]
	}
	return recs, keys, rows.Err()
}

// nullRow looks for a row of q whose ModifiedAt is NULL, which no page
// reads, and returns an error naming it if there is one.
func nullRow(ctx context.Context, db Queryer, q *Query) error {
	rows, err := db.QueryContext(ctx, q.nullSQL(), q.Args...)
	if err != nil {
		return q.errorf("looking for a NULL %s: %w", q.ModifiedAt, err)
	}
	var id sql.Null[string]
	found := rows.Next()
	if found {
		err = rows.Scan(&id)
	}
	if err = errors.Join(err, rows.Err(), rows.Close()); err != nil {
		return q.errorf("looking for a NULL %s: %w", q.ModifiedAt, err)
	}
	switch {
	case !found:
		return nil
	case !id.Valid:
		return q.errorf("a row whose %s is NULL: %s", q.ID, q.nullTime())
	case id.V == "":
		return q.errorf("a row whose %s is empty: %s", q.ID, q.nullTime())
	}
	return q.errorf("row %s: %s", id.V, q.nullTime())
}

// nullTime says that a row's ModifiedAt is NULL, and what to do.
func (q *Query) nullTime() string {
	fix := "NOT NULL DEFAULT now()"
	if q.UnixInteger {
		fix = "NOT NULL, defaulting to the current time"
	}
	return fmt.Sprintf("%s is NULL: the stream cannot place it after its cursor; give the column a value (%s)", q.ModifiedAt, fix)
}

// Count counts q's rows modified at or after since (all of them whose
// ModifiedAt is not NULL for the zero time): the records a sync from since
// would read, as sync.Source.Totals reports them.
func Count(ctx context.Context, db Queryer, since time.Time, q Query) (n int64, err error) {
	if err := q.check(); err != nil {
		return 0, err
	}
	if q, err = q.fenced(ctx); err != nil {
		return 0, err
	}
	from, bounded := q.bound(rscsync.Cursor{ModifiedAt: since})
	args := append([]any(nil), q.Args...)
	cond := q.ModifiedAt + " IS NOT NULL" // the rows a stream reads: see pageSQL
	if bounded {
		cond = q.ModifiedAt + " >= " + q.placeholder(len(args)+1)
		args = append(args, from.raw)
	}
	rows, err := db.QueryContext(ctx, "SELECT COUNT(*) FROM "+q.From+" WHERE "+and(q.Where, cond), args...)
	if err != nil {
		return 0, q.errorf("count: %w", err)
	}
	defer func() { err = errors.Join(err, rows.Close()) }()
	if !rows.Next() {
		return 0, q.errorf("count: no row: %w", errors.Join(rows.Err(), sql.ErrNoRows))
	}
	if err := rows.Scan(&n); err != nil {
		return 0, q.errorf("count: %w", err)
	}
	return n, nil
}

// check reports a Query that cannot run.
func (q *Query) check() error {
	var missing []string
	for _, f := range []struct{ name, v string }{{"From", q.From}, {"ModifiedAt", q.ModifiedAt}, {"ID", q.ID}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("sqlsource: Query.%s is required", strings.Join(missing, ", Query."))
	}
	if u := q.unit(); u <= 0 || time.Second%u != 0 {
		return q.errorf("Query.Unit %v: must divide a second", q.Unit)
	}
	if q.PageSize < 0 || q.PageSize > MaxPageSize {
		return q.errorf("Query.PageSize %d: must be 0 (DefaultPageSize) to %d (MaxPageSize)", q.PageSize, MaxPageSize)
	}
	return nil
}

// fenced is q bounded by its Fence, called now (q itself without one):
// Where also requires ModifiedAt before the fence, taken down to the
// column's resolution: a fence between two of its instants admits neither,
// since a writer that reads the same clock after the fence may still stamp
// the earlier one.
func (q Query) fenced(ctx context.Context) (Query, error) {
	if q.Fence == nil {
		return q, nil
	}
	b, err := q.Fence(ctx)
	switch {
	case err != nil:
		return q, q.errorf("fence: %w", err)
	case b.IsZero():
		return q, q.errorf("fence: Query.Fence returned the zero time")
	}
	k, _ := q.bound(rscsync.Cursor{ModifiedAt: b.UTC().Truncate(q.unit())})
	q.Where = and(q.Where, q.ModifiedAt+" < "+q.placeholder(len(q.Args)+1))
	q.Args = append(slices.Clip(q.Args), k.raw)
	return q, nil
}

// errorf is an error about the stream, named by Name or From.
func (q *Query) errorf(format string, args ...any) error {
	name := q.Name
	if name == "" {
		name = q.From
	}
	return fmt.Errorf("sqlsource: %s: "+format, append([]any{name}, args...)...)
}

func (q *Query) unit() time.Duration {
	if q.Unit == 0 {
		return time.Microsecond
	}
	return q.Unit
}

func (q *Query) pageSize() int {
	if q.PageSize == 0 {
		return DefaultPageSize
	}
	return q.PageSize
}

// bound converts a cursor into the keyset arguments: the ModifiedAt value
// in the column's form and the id. A cursor the column cannot hold exactly
// (finer than Unit) becomes the next instant it can hold, with no id: the
// rows at that instant all lie after the cursor. The zero cursor is no
// bound at all.
func (q *Query) bound(c rscsync.Cursor) (k key, bounded bool) {
	if c.ModifiedAt.IsZero() && c.ID == "" {
		return key{}, false
	}
	// In UTC: a driver gives a column without a time zone (PostgreSQL's
	// timestamp) the wall clock of the time's own location.
	k = key{at: c.ModifiedAt.UTC(), id: c.ID}
	if down := k.at.Truncate(q.unit()); !down.Equal(k.at) {
		k.at, k.id = down.Add(q.unit()), ""
	}
	k.raw = k.at
	if q.UnixInteger {
		k.raw = q.units(k.at)
	}
	return k, true
}

// units is t (a multiple of Unit) as a count of Units since the Unix epoch.
func (q *Query) units(t time.Time) int64 {
	perSec := int64(time.Second / q.unit())
	return t.Unix()*perSec + int64(t.Nanosecond())/int64(q.unit())
}

// fromUnits is the time n Units after the Unix epoch, in UTC.
func (q *Query) fromUnits(n int64) time.Time {
	perSec := int64(time.Second / q.unit())
	return time.Unix(n/perSec, n%perSec*int64(q.unit())).UTC()
}

// pageSQL is the page query: the key columns, then Select's; Where and
// the keyset condition; (ModifiedAt, ID) order; one page. The condition
// "m >= ? AND (m > ? OR id > ?)" is (m, id) > (?, ?) in a form every
// database plans as an index range; it leaves out a NULL time, as "m IS
// NOT NULL" does on the first page, wherever the database sorts NULLs.
func (q *Query) pageSQL(bounded bool) string {
	cols := q.columns()
	n := len(q.Args)
	cond := q.ModifiedAt + " IS NOT NULL"
	if bounded {
		m, m2, id := "?", "?", "?" // "?" takes the time twice
		if q.Placeholders == Dollar {
			m, id = q.placeholder(n+1), q.placeholder(n+2)
			m2 = m
		}
		cond = fmt.Sprintf("%[1]s >= %[2]s AND (%[1]s > %[3]s OR %[4]s > %[5]s)", q.ModifiedAt, m, m2, q.ID, id)
		n += len(q.keyArgs(nil, ""))
	}
	return "SELECT " + cols + " FROM " + q.From + " WHERE " + and(q.Where, cond) +
		" ORDER BY " + q.ModifiedAt + ", " + q.ID + " LIMIT " + q.placeholder(n+1)
}

// pageArgs are pageSQL's arguments.
func (q *Query) pageArgs(from *key) []any {
	args := append([]any(nil), q.Args...)
	if from != nil {
		args = append(args, q.keyArgs(from.raw, from.id)...)
	}
	return append(args, q.pageSize()+1) // one more: see readPage
}

// positionSQL is the query of every row at one position: Where, and
// ModifiedAt and ID equal to the position's.
func (q *Query) positionSQL() string {
	n := len(q.Args)
	where := and(q.Where, q.ModifiedAt+" = "+q.placeholder(n+1)+" AND "+q.ID+" = "+q.placeholder(n+2))
	return "SELECT " + q.columns() + " FROM " + q.From + " WHERE " + where + " ORDER BY " + q.ModifiedAt + ", " + q.ID
}

// positionArgs are positionSQL's arguments for the position k.
func (q *Query) positionArgs(k key) []any {
	return append(append([]any(nil), q.Args...), k.raw, k.id)
}

// nullSQL is the query of a row whose ModifiedAt is NULL: its id; Where's
// arguments only.
func (q *Query) nullSQL() string {
	return "SELECT " + q.ID + " FROM " + q.From + " WHERE " + and(q.Where, q.ModifiedAt+" IS NULL") + " LIMIT 1"
}

// columns are the columns a query reads: the key columns, then Select's.
func (q *Query) columns() string {
	cols := q.ModifiedAt + ", " + q.ID
	if strings.TrimSpace(q.Select) != "" {
		cols += ", " + q.Select
	}
	return cols
}

// keyArgs are the keyset condition's arguments: the time twice for "?",
// once for "$n".
func (q *Query) keyArgs(mod any, id string) []any {
	if q.Placeholders == Dollar {
		return []any{mod, id}
	}
	return []any{mod, mod, id}
}

// placeholder is the i-th parameter (from 1).
func (q *Query) placeholder(i int) string {
	if q.Placeholders == Dollar {
		return "$" + strconv.Itoa(i)
	}
	return "?"
}

func and(where, cond string) string {
	if where == "" {
		return cond
	}
	return "(" + where + ") AND " + cond
}
