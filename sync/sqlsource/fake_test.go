package sqlsource_test

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// fakeRow is one row of the fake table. Its time, or its id, may be NULL.
type fakeRow struct {
	at     time.Time
	id     string
	name   string
	nullAt bool // the time is NULL
	nullID bool // the id is NULL
	// volatileAt: ModifiedAt is a volatile expression that is NULL in the
	// select list although WHERE and ORDER BY saw at (a database evaluates
	// a volatile expression anew where it appears).
	volatileAt bool
}

// fakeDB is a database/sql driver over one in-memory table that answers
// exactly the queries sqlsource sends, and refuses any other: a page
// (from the start, or after a key), the rows at one position, a count, and
// the look-up of a row whose time is NULL. It reads the query's text: its
// placeholders must match the arguments given (in the placeholder style of
// dollar), its WHERE must be Where's text then the condition sqlsource
// adds, which the fake evaluates as SQL does (NULL is neither true nor
// false), and its key columns must agree between SELECT, WHERE and ORDER
// BY. Every row matches Where. It sorts NULLs first or last (nullsFirst),
// as databases differ. It stores times at a resolution (unit) either as
// time.Time or as an integer count of units since the epoch, and refuses a
// time argument it could not hold exactly, as a real column would round
// it. It counts the result sets left open.
type fakeDB struct {
	unit       time.Duration
	integer    bool
	dollar     bool
	where      string                // Query.Where, with its placeholders
	idCmp      func(a, b string) int // the collation of ids (default byte order)
	nullsFirst bool                  // NULL sorts before every value (SQLite, MySQL), not after (PostgreSQL)

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

// The queries the fake answers, their placeholders numbered (:0 is the
// first argument).
var (
	pageRE  = regexp.MustCompile(`^SELECT ([\w.]+), ([\w.]+)(, [\w.]+)? FROM ([\w ]+?)(?: WHERE (.+))? ORDER BY ([\w.]+), ([\w.]+)(?: LIMIT :(\d+))?$`)
	countRE = regexp.MustCompile(`^SELECT COUNT\(\*\) FROM ([\w ]+?)(?: WHERE (.+))?$`)
	nullRE  = regexp.MustCompile(`^SELECT ([\w.]+) FROM ([\w ]+?) WHERE (.+) LIMIT 1$`)
)

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
	q, err := f.bind(query, len(args))
	if err != nil {
		return nil, err
	}
	if !slices.IsSortedFunc(f.rows, f.order) {
		slices.SortFunc(f.rows, f.order)
	}
	if m := pageRE.FindStringSubmatch(q); m != nil {
		return f.page(m, args)
	}
	if m := countRE.FindStringSubmatch(q); m != nil {
		return f.count(m[2], args)
	}
	if m := nullRE.FindStringSubmatch(q); m != nil {
		return f.nullRow(m[3], args)
	}
	return nil, fmt.Errorf("fake: unknown query %q", query)
}

// number rewrites s's placeholders ("?" in order, or "$n") as ":i", i the
// index of their argument, and returns the indices in order.
func (f *fakeDB) number(s string) (string, []int) {
	var idx []int
	if f.dollar {
		s = regexp.MustCompile(`\$\d+`).ReplaceAllStringFunc(s, func(p string) string {
			n, _ := strconv.Atoi(p[1:])
			idx = append(idx, n-1)
			return ":" + strconv.Itoa(n-1)
		})
		return s, idx
	}
	var b strings.Builder
	for _, c := range s {
		if c != '?' {
			b.WriteRune(c)
			continue
		}
		fmt.Fprintf(&b, ":%d", len(idx))
		idx = append(idx, len(idx))
	}
	return b.String(), idx
}

// bind numbers query's placeholders and checks that they are of the
// fake's style and take exactly the n arguments.
func (f *fakeDB) bind(query string, n int) (string, error) {
	if f.dollar && strings.Contains(query, "?") || !f.dollar && strings.Contains(query, "$") {
		return "", fmt.Errorf("fake: placeholders of another style in %q", query)
	}
	q, idx := f.number(query)
	used := make([]bool, n)
	for _, i := range idx {
		if i < 0 || i >= n {
			return "", fmt.Errorf("fake: a placeholder for argument %d of %d in %q", i+1, n, query)
		}
		used[i] = true
	}
	if slices.Contains(used, false) || !f.dollar && len(idx) != n {
		return "", fmt.Errorf("fake: %d placeholders for %d arguments in %q", len(idx), n, query)
	}
	return q, nil
}

// condition is what sqlsource adds to Where: a row filter over the columns
// m and id, with its arguments.
type condition struct {
	kind  string // "" (none), "IS NOT NULL", "IS NULL", ">=", "keyset" or "="
	m, id string
	args  []any
	// before is the fence's argument (Query.Fence): "(m < :n) AND" the
	// condition, nil when there is none.
	before any
}

// fenceRE is a fence (Query.Fence) before the condition, where the Query
// has no Where: "(m < :n) AND ...".
var fenceRE = regexp.MustCompile(`^\(([\w.]+) < :(\d+)\) AND (.+)$`)

var conditions = []struct {
	kind string
	re   *regexp.Regexp
}{
	{"IS NOT NULL", regexp.MustCompile(`^([\w.]+) IS NOT NULL$`)},
	{"IS NULL", regexp.MustCompile(`^([\w.]+) IS NULL$`)},
	{">=", regexp.MustCompile(`^([\w.]+) >= :(\d+)$`)},
	{"keyset", regexp.MustCompile(`^([\w.]+) >= :(\d+) AND \(([\w.]+) > :(\d+) OR ([\w.]+) > :(\d+)\)$`)},
	{"=", regexp.MustCompile(`^([\w.]+) = :(\d+) AND ([\w.]+) = :(\d+)$`)},
}

// condition parses a query's WHERE clause (empty: none): Where's text, then
// one of the conditions sqlsource adds, of a kind in allowed.
func (f *fakeDB) condition(where string, args []any, allowed ...string) (condition, error) {
	if w, _ := f.number(f.where); f.where != "" {
		rest, ok := strings.CutPrefix(where, "("+w+") AND ")
		switch {
		case ok:
			where = rest
		case where == w:
			where = ""
		default:
			return condition{}, fmt.Errorf("fake: WHERE %q is not Where %q, or it and a condition", where, w)
		}
	}
	c := condition{}
	if m := fenceRE.FindStringSubmatch(where); m != nil && f.where == "" {
		n, _ := strconv.Atoi(m[2])
		c.before, where = args[n], m[3]
		if c.m = m[1]; !strings.HasPrefix(where, c.m+" ") {
			return condition{}, fmt.Errorf("fake: a fence on %s and a condition on another column in %q", c.m, where)
		}
	}
	if where != "" {
		c.kind = "unknown"
	}
	for _, k := range conditions {
		m := k.re.FindStringSubmatch(where)
		if m == nil {
			continue
		}
		c.kind, c.m = k.kind, m[1]
		params := []string{}
		switch k.kind {
		case ">=":
			params = m[2:3]
		case "keyset":
			if m[3] != m[1] {
				return condition{}, fmt.Errorf("fake: two time columns in %q", where)
			}
			c.id, params = m[5], []string{m[2], m[4], m[6]}
		case "=":
			c.id, params = m[3], []string{m[2], m[4]}
		}
		for _, p := range params {
			n, _ := strconv.Atoi(p)
			c.args = append(c.args, args[n])
		}
	}
	if !slices.Contains(allowed, c.kind) {
		return condition{}, fmt.Errorf("fake: condition %q (%s) where one of %q is expected", where, c.kind, allowed)
	}
	return c, nil
}

// match reports whether the condition is true of r, as SQL would: a
// comparison with NULL is not.
func (f *fakeDB) match(c condition, r fakeRow) (bool, error) {
	if c.before != nil {
		if r.nullAt {
			return false, nil
		}
		if before, err := f.cmpTime(f.key(r.at), c.before); err != nil || before >= 0 {
			return false, err
		}
	}
	switch c.kind {
	case "":
		return true, nil
	case "IS NOT NULL", "IS NULL":
		return r.nullAt == (c.kind == "IS NULL"), nil
	}
	if r.nullAt {
		return false, nil
	}
	at, err := f.cmpTime(f.key(r.at), c.args[0])
	if err != nil || c.kind == ">=" {
		return at >= 0, err
	}
	if c.kind == "=" {
		return at == 0 && !r.nullID && f.collate()(r.id, c.args[1].(string)) == 0, nil
	}
	later, err := f.cmpTime(f.key(r.at), c.args[1]) // keyset: m >= a AND (m > b OR id > c)
	return at >= 0 && (later > 0 || !r.nullID && f.collate()(r.id, c.args[2].(string)) > 0), err
}

// filter is the rows c is true of, in the table's order.
func (f *fakeDB) filter(c condition) ([]fakeRow, error) {
	var out []fakeRow
	for _, r := range f.rows {
		ok, err := f.match(c, r)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// page answers a page (LIMIT) or the rows at one position (no LIMIT),
// from pageRE's submatches m.
func (f *fakeDB) page(m []string, args []any) (driver.Rows, error) {
	mod, id, sel, where, limit := m[1], m[2], m[3], m[5], m[8]
	if m[6] != mod || m[7] != id {
		return nil, fmt.Errorf("fake: selects %s, %s but orders by %s, %s", mod, id, m[6], m[7])
	}
	allowed := []string{"="}
	if limit != "" {
		allowed = []string{"", "IS NOT NULL", "keyset"}
	}
	c, err := f.condition(where, args, allowed...)
	if err != nil {
		return nil, err
	}
	if c.kind != "" && (c.m != mod || c.id != "" && c.id != id) {
		return nil, fmt.Errorf("fake: selects %s, %s but filters on %s, %s", mod, id, c.m, c.id)
	}
	rows, err := f.filter(c)
	if err != nil {
		return nil, err
	}
	if limit != "" {
		n, _ := strconv.Atoi(limit)
		rows = rows[:min(len(rows), int(args[n].(int64)))]
	}
	cols := []string{mod, id}
	if sel != "" {
		cols = append(cols, sel[2:])
	}
	var out [][]driver.Value
	for _, r := range rows {
		v := []driver.Value{f.key(r.at), r.id, r.name}
		if r.nullAt || r.volatileAt {
			v[0] = nil
		}
		if r.nullID {
			v[1] = nil
		}
		out = append(out, v[:len(cols)])
	}
	f.open++
	return &fakeRows{f: f, cols: cols, vals: out}, nil
}

func (f *fakeDB) count(where string, args []any) (driver.Rows, error) {
	c, err := f.condition(where, args, "", "IS NOT NULL", ">=")
	if err != nil {
		return nil, err
	}
	rows, err := f.filter(c)
	if err != nil {
		return nil, err
	}
	f.open++
	return &fakeRows{f: f, cols: []string{"count"}, vals: [][]driver.Value{{int64(len(rows))}}}, nil
}

// nullRow answers the look-up of a row whose time is NULL: the id of the
// first in the table's order, if any.
func (f *fakeDB) nullRow(where string, args []any) (driver.Rows, error) {
	c, err := f.condition(where, args, "IS NULL")
	if err != nil {
		return nil, err
	}
	rows, err := f.filter(c)
	if err != nil {
		return nil, err
	}
	var out [][]driver.Value
	if len(rows) > 0 {
		out = [][]driver.Value{{rows[0].id}}
		if rows[0].nullID {
			out[0][0] = nil
		}
	}
	f.open++
	return &fakeRows{f: f, cols: []string{"id"}, vals: out}, nil
}

// key is a row's stored time: an int64 or a time.Time.
func (f *fakeDB) key(t time.Time) driver.Value {
	if f.integer {
		return t.UnixNano() / int64(f.unit)
	}
	return t
}

// cmpTime orders stored times; it refuses a time argument the column could
// not hold exactly.
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

// order is the table's (modified_at, id) order, NULLs first or last.
func (f *fakeDB) order(a, b fakeRow) int {
	null := func(x, y bool) int { // x, y: NULL; 0 when neither is
		if x == y {
			return 0
		}
		if x == f.nullsFirst {
			return -1
		}
		return 1
	}
	c := null(a.nullAt, b.nullAt)
	if c == 0 && !a.nullAt {
		c = a.at.Compare(b.at)
	}
	if c == 0 {
		c = null(a.nullID, b.nullID)
	}
	if c == 0 && !a.nullID {
		c = f.collate()(a.id, b.id)
	}
	return c
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
