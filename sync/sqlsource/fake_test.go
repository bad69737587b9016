package sqlsource_test

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
)

// fakeRow is one row of the fake table.
type fakeRow struct {
	at   time.Time
	id   string
	name string
}

// fakeDB is a database/sql driver over one in-memory table that answers
// exactly the queries sqlsource sends, by their arguments: a page after a
// key or from the start, the rows at one position, or a count. It stores times at a resolution
// (unit) either as time.Time or as an integer count of units since the
// epoch, and refuses a time argument it could not hold exactly, as a real
// column would round it. It counts the result sets left open.
type fakeDB struct {
	unit    time.Duration
	integer bool
	dollar  bool
	nWhere  int                   // the leading arguments are Where's
	idCmp   func(a, b string) int // the collation of ids (default byte order)

	mu      sync.Mutex
	rows    []fakeRow
	open    int      // result sets not closed
	queries []string // every query, in order
	args    [][]any
	failAt  int // the failAt-th query (from 1) fails; 0 never
}

func (f *fakeDB) db() *sql.DB { return sql.OpenDB(f) }

func (f *fakeDB) Connect(context.Context) (driver.Conn, error) { return fakeConn{f}, nil }
func (f *fakeDB) Driver() driver.Driver                        { return nil }

func (f *fakeDB) openRows() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.open
}

type fakeConn struct{ f *fakeDB }

func (c fakeConn) Prepare(string) (driver.Stmt, error) { return nil, errors.New("fake: no Prepare") }
func (c fakeConn) Close() error                        { return nil }
func (c fakeConn) Begin() (driver.Tx, error)           { return nil, errors.New("fake: no transactions") }

func (c fakeConn) QueryContext(ctx context.Context, query string, named []driver.NamedValue) (driver.Rows, error) {
	f := c.f
	f.mu.Lock()
	defer f.mu.Unlock()
	args := make([]any, len(named))
	for i, a := range named {
		args[i] = a.Value
	}
	f.queries, f.args = append(f.queries, query), append(f.args, args)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(f.queries) == f.failAt {
		return nil, errors.New("fake: connection reset")
	}
	switch {
	case strings.HasPrefix(query, "SELECT COUNT(*)"):
		return f.count(args)
	case !strings.Contains(query, " LIMIT "):
		return f.position(args)
	}
	return f.page(args)
}

// key is a row's stored time: an int64 or a time.Time.
func (f *fakeDB) key(t time.Time) driver.Value {
	if f.integer {
		return t.UnixNano() / int64(f.unit)
	}
	return t
}

// less orders stored times; it refuses a time argument the column could not
// hold exactly.
func (f *fakeDB) cmpTime(stored, arg driver.Value) (int, error) {
	if f.integer {
		a, ok := arg.(int64)
		if !ok {
			return 0, fmt.Errorf("fake: time argument %T, want int64", arg)
		}
		return cmp.Compare(stored.(int64), a), nil
	}
	a, ok := arg.(time.Time)
	if !ok || !a.Truncate(f.unit).Equal(a) {
		return 0, fmt.Errorf("fake: time argument %v is not a multiple of %v", arg, f.unit)
	}
	return stored.(time.Time).Compare(a), nil
}

func (f *fakeDB) count(args []any) (driver.Rows, error) {
	var n int64
	for _, r := range f.rows {
		if len(args) > 0 {
			c, err := f.cmpTime(f.key(r.at), args[0])
			if err != nil {
				return nil, err
			}
			if c < 0 {
				continue
			}
		}
		n++
	}
	f.open++
	return &fakeRows{f: f, cols: []string{"count"}, vals: [][]driver.Value{{n}}}, nil
}

func (f *fakeDB) page(args []any) (driver.Rows, error) {
	limit := int(args[len(args)-1].(int64))
	keys := args[f.nWhere : len(args)-1]
	if f.dollar && len(keys) == 2 {
		keys = []any{keys[0], keys[0], keys[1]}
	}
	idCmp := f.collate()
	if !slices.IsSortedFunc(f.rows, f.order) {
		slices.SortFunc(f.rows, f.order)
	}
	var out [][]driver.Value
	for _, r := range f.rows {
		if len(out) == limit {
			break
		}
		if len(keys) == 3 {
			c, err := f.cmpTime(f.key(r.at), keys[0])
			if err != nil {
				return nil, err
			}
			if c < 0 || c == 0 && idCmp(r.id, keys[2].(string)) <= 0 {
				continue
			}
		}
		out = append(out, []driver.Value{f.key(r.at), r.id, r.name})
	}
	f.open++
	return &fakeRows{f: f, cols: []string{"modified_at", "id", "name"}, vals: out}, nil
}

// position answers the query of the rows at one position: its time and
// id follow Where's arguments.
func (f *fakeDB) position(args []any) (driver.Rows, error) {
	at, id := args[f.nWhere], args[f.nWhere+1].(string)
	var out [][]driver.Value
	for _, r := range f.rows {
		c, err := f.cmpTime(f.key(r.at), at)
		if err != nil {
			return nil, err
		}
		if c == 0 && f.collate()(r.id, id) == 0 {
			out = append(out, []driver.Value{f.key(r.at), r.id, r.name})
		}
	}
	f.open++
	return &fakeRows{f: f, cols: []string{"modified_at", "id", "name"}, vals: out}, nil
}

// order is the table's (modified_at, id) order.
func (f *fakeDB) order(a, b fakeRow) int {
	return cmp.Or(a.at.Compare(b.at), f.collate()(a.id, b.id))
}

func (f *fakeDB) collate() func(a, b string) int {
	if f.idCmp != nil {
		return f.idCmp
	}
	return strings.Compare
}

type fakeRows struct {
	f      *fakeDB
	cols   []string
	vals   [][]driver.Value
	i      int
	closed bool
}

func (r *fakeRows) Columns() []string { return r.cols }

func (r *fakeRows) Close() error {
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	if !r.closed {
		r.closed = true
		r.f.open--
	}
	return nil
}

func (r *fakeRows) Next(dest []driver.Value) error {
	if r.i == len(r.vals) {
		return io.EOF
	}
	copy(dest, r.vals[r.i])
	r.i++
	return nil
}
