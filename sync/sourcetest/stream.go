package sourcetest

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"runtime/debug"
	"sync"
	"time"

	rscsync "github.com/rscgo/rscgo/sync"
)

// stream describes one stream of a Source to the generic checks.
type stream[R any] struct {
	name string
	open func(context.Context, rscsync.Cursor) iter.Seq2[R, error]
	// pos returns the record's position: its time and cursor id, and its
	// identity for duplicate detection.
	pos func(R) pos
	// check returns what is wrong with the record, if anything.
	check func(R) []string
	// contexts returns the record's integration context fields, for
	// WithIntegrationContexts.
	contexts func(R) []field
	// summary returns what Lookup must find of the record; nil for the
	// Deletions stream.
	summary func(R) looked
}

// pos is a record's position in its stream.
type pos struct {
	t   time.Time
	id  string // the cursor id
	key recKey // the record's identity, for duplicates, and its Lookup key; for deletions, the deleted record's
}

func (p pos) cursor() rscsync.Cursor { return rscsync.Cursor{ModifiedAt: p.t, ID: p.id} }

func (p pos) String() string { return fmt.Sprintf("%q (%s)", p.id, fmtTime(p.t)) }

func fmtTime(t time.Time) string { return t.Format(time.RFC3339Nano) }

func fmtCursor(c rscsync.Cursor) string {
	if c == (rscsync.Cursor{}) {
		return "the zero cursor"
	}
	return fmt.Sprintf("cursor {%s, %q}", fmtTime(c.ModifiedAt), c.ID)
}

// readResult is what one read of a stream observed.
type readResult struct {
	pos      []pos
	err      error    // the first error the stream yielded
	errAt    int      // records yielded before err
	problems []string // contract violations: yields after stop, error or return; panics
}

// abortRead is panicked from yield to unwind a stream that keeps calling
// yield when it must not, as the runtime does in range-over-func loops.
type abortRead struct{}

// read reads s from since, calling consume for each record (not for errors)
// until it returns false. After an error yield returns true, to see whether
// the stream wrongly goes on.
func (s *stream[R]) read(ctx context.Context, since rscsync.Cursor, consume func(i int, rec R) bool) *readResult {
	res := &readResult{}
	var (
		mu                         sync.Mutex
		stopped, errored, returned bool
	)
	yield := func(rec R, err error) bool {
		mu.Lock()
		defer mu.Unlock()
		what := "error " + fmt.Sprint(err)
		if err == nil {
			what = fmt.Sprintf("record %q", s.pos(rec).id)
		}
		switch {
		case returned:
			res.problems = append(res.problems, fmt.Sprintf("called yield with %s after the iterator function returned", what))
			return false
		case stopped:
			res.problems = append(res.problems, fmt.Sprintf("called yield with %s after yield returned false (the consumer had stopped after %d records)", what, len(res.pos)))
			panic(abortRead{})
		case errored:
			res.problems = append(res.problems, fmt.Sprintf("called yield with %s after yielding the error %q (a stream that fails yields one error and stops)", what, res.err))
			panic(abortRead{})
		}
		if err != nil {
			errored = true
			res.err, res.errAt = err, len(res.pos)
			return true
		}
		i := len(res.pos)
		res.pos = append(res.pos, s.pos(rec))
		if !consume(i, rec) {
			stopped = true
			return false
		}
		return true
	}
	func() {
		defer func() {
			if p := recover(); p != nil {
				if _, ok := p.(abortRead); !ok {
					mu.Lock()
					res.problems = append(res.problems, fmt.Sprintf("panicked: %v\n%s", p, debug.Stack()))
					mu.Unlock()
				}
			}
		}()
		seq := s.open(ctx, since)
		if seq == nil {
			res.problems = append(res.problems, "returned a nil iterator")
			return
		}
		seq(yield)
	}()
	mu.Lock()
	returned = true
	mu.Unlock()
	return res
}

// readN reads up to limit records (all if limit <= 0).
func (s *stream[R]) readN(ctx context.Context, since rscsync.Cursor, limit int, each func(i int, rec R)) *readResult {
	return s.read(ctx, since, func(i int, rec R) bool {
		if each != nil {
			each(i, rec)
		}
		return limit <= 0 || i+1 < limit
	})
}

// report reports res's problems, and its error unless errOK, describing the
// read as what. It reports whether the read was clean.
func (s *stream[R]) report(r reporter, what string, res *readResult, errOK bool) bool {
	r.Helper()
	ok := true
	for _, p := range res.problems {
		r.Errorf("%s: %s: %s", s.name, what, p)
		ok = false
	}
	if res.err != nil && !errOK {
		r.Errorf("%s: %s: stream failed after %d records: %v", s.name, what, res.errAt, res.err)
		ok = false
	}
	return ok
}

// streamData is what the full read of a stream found, for Totals and
// Lookup.
type streamData struct {
	name      string
	ok        bool // the full read succeeded
	truncated bool // WithMaxRecords cut it short
	pos       []pos
	samples   []sample       // records to look up (see checkLookup)
	contexts  map[string]int // records by integration context
}

// runStream runs the checks of stream s in a subtest named after it, and
// then more, if not nil, with what the full read found.
func runStream[R any](r reporter, cfg *config, s stream[R], more func(reporter, streamData)) streamData {
	r.Helper()
	data := streamData{name: s.name, contexts: map[string]int{}}
	r.Run(s.name, func(r reporter) {
		r.Helper()
		ctx := context.Background()
		var bad, foreign []string
		var last sample
		full := s.readN(ctx, rscsync.Cursor{}, cfg.maxRecords, func(i int, rec R) {
			p := s.pos(rec)
			for _, msg := range s.check(rec) {
				bad = append(bad, fmt.Sprintf("%s[%d] %q: %s", s.name, i, p.id, msg))
			}
			if s.contexts != nil {
				for _, f := range s.contexts(rec) {
					if f.value == "" {
						continue // reported by Records where it matters
					}
					data.contexts[f.value]++
					if cfg.contexts != nil && !cfg.contexts[f.value] {
						foreign = append(foreign, fmt.Sprintf("%s[%d] %q: %s %q is not one of the customer's integration contexts (WithIntegrationContexts): a record of another customer",
							s.name, i, p.id, f.name, f.value))
					}
				}
			}
			if s.summary != nil {
				last = sample{i: i, looked: s.summary(rec)}
				if len(data.samples) < lookupSamples-1 && sampled(i) {
					data.samples = append(data.samples, last)
				}
			}
		})
		if n := len(data.samples); n > 0 && data.samples[n-1].i != last.i {
			data.samples = append(data.samples, last)
		}
		if !s.report(r, "reading from the zero cursor", full, false) {
			return
		}
		data.ok = true
		data.pos = full.pos
		data.truncated = cfg.maxRecords > 0 && len(full.pos) >= cfg.maxRecords
		if len(full.pos) == 0 {
			r.Logf("%s: the stream is empty; most checks need records to be meaningful", s.name)
		}
		r.Run("Order", func(r reporter) { checkOrder(r, s.name, full.pos, s.summary == nil) })
		r.Run("Records", func(r reporter) {
			r.Helper()
			for _, msg := range bad {
				r.Errorf("%s", msg)
			}
		})
		r.Run("Since", func(r reporter) { checkSince(r, cfg, s, data) })
		r.Run("Stable", func(r reporter) { checkStable(r, cfg, s, data) })
		r.Run("Break", func(r reporter) { checkBreak(r, s, full.pos) })
		r.Run("Context", func(r reporter) { checkContext(r, cfg, s, len(full.pos)) })
		if cfg.contexts != nil {
			r.Run("IntegrationContext", func(r reporter) {
				r.Helper()
				for _, msg := range foreign {
					r.Errorf("%s", msg)
				}
			})
		}
		if more != nil {
			more(r, data)
		}
	})
	return data
}

// checkOrder checks that ps, the positions of the stream name, are in
// ascending order without a record twice; with again (the Deletions
// stream), a record may be there again at another time: an id used again
// after its deletion, and deleted again.
func checkOrder(r reporter, name string, ps []pos, again bool) {
	r.Helper()
	type seenKey struct {
		recKey
		at int64 // with again, the time; else 0
	}
	seen := make(map[seenKey]int, len(ps))
	for i, p := range ps {
		k := seenKey{recKey: p.key}
		if again {
			k.at = p.t.UnixNano()
		}
		if j, dup := seen[k]; dup {
			r.Errorf("%s[%d] %s: duplicate of %s[%d] %s", name, i, p, name, j, ps[j])
		} else {
			seen[k] = i
		}
		if i == 0 {
			continue
		}
		prev := ps[i-1]
		if !prev.cursor().After(p.t, p.id) {
			if p.t.Equal(prev.t) && p.id == prev.id && p.key != prev.key {
				continue // another record at one position: the engine never splits them
			}
			how := "is before"
			if p.t.Equal(prev.t) && p.id == prev.id {
				how = "has the same position as"
			}
			r.Errorf("%s[%d] %s %s %s[%d] %s: streams must be in strictly ascending (ModifiedAt, ID) order", name, i, p, how, name, i-1, prev)
		}
	}
}

// sinceCase is a cursor to read from.
type sinceCase struct {
	name   string
	cursor rscsync.Cursor
}

// afterID, appended to an id, makes an id just after it that is not in the
// stream: not NUL, which PostgreSQL's text refuses (the engine never sends
// a Source an id it did not yield).
const afterID = "\x01"

func sinceCases(r reporter, name string, ps []pos) []sinceCase {
	r.Helper()
	cases := []sinceCase{{"zero cursor", rscsync.Cursor{}}}
	n := len(ps)
	if n == 0 {
		return cases
	}
	cases = append(cases,
		sinceCase{"first record", ps[0].cursor()},
		sinceCase{"first record's time, empty id", rscsync.Cursor{ModifiedAt: ps[0].t}},
		sinceCase{"middle record", ps[n/2].cursor()},
		sinceCase{"last record", ps[n-1].cursor()},
	)
	// The first record's time with the largest id of the stream: every
	// record modified later has an id at most the cursor's, so a predicate
	// that compares time and id separately (modified_at >= ? AND id > ?)
	// drops them all, even where ids grow with time in the data.
	if ps[n-1].t.After(ps[0].t) {
		largest := ps[0].id
		for _, p := range ps {
			largest = max(largest, p.id)
		}
		cases = append(cases, sinceCase{"first record's time, the largest id of the stream", rscsync.Cursor{ModifiedAt: ps[0].t, ID: largest}})
	} else if n > 1 {
		r.Logf("%s: all records share one modification time, so a keyset predicate that compares time and id separately (modified_at >= ? AND id > ?) is not exercised", name)
	}
	// A time strictly between two records, preferably in the second half.
	between := -1
	for i := 0; i+1 < n; i++ {
		if ps[i+1].t.Sub(ps[i].t) >= 2 {
			between = i
			if i >= n/2 {
				break
			}
		}
	}
	if between >= 0 {
		a, b := ps[between].t, ps[between+1].t
		cases = append(cases, sinceCase{"time between two records", rscsync.Cursor{ModifiedAt: a.Add(b.Sub(a) / 2)}})
	}
	// A time shared by several records, with the tie broken by id.
	tie := -1
	for i := 0; i+1 < n; i++ {
		if ps[i+1].t.Equal(ps[i].t) {
			tie = i
			break
		}
	}
	if tie >= 0 {
		p := ps[tie]
		cases = append(cases,
			sinceCase{"time shared by several records, tie broken by id", p.cursor()},
			sinceCase{"time shared by several records, id not in the stream", rscsync.Cursor{ModifiedAt: p.t, ID: p.id + afterID}},
			sinceCase{"time shared by several records, empty id", rscsync.Cursor{ModifiedAt: p.t}},
		)
	} else if n > 1 {
		r.Logf("%s: no two records share a modification time, so tie-breaking by id is not exercised", name)
	}
	// Cursors with sub-millisecond times: a Source that truncates the
	// cursor (to milliseconds, as UnixMilli does) yields records at or
	// before it again.
	cases = append(cases,
		sinceCase{"middle record's time plus 1µs, empty id", rscsync.Cursor{ModifiedAt: ps[n/2].t.Add(time.Microsecond)}},
		sinceCase{"middle record's time plus 999µs, its id", rscsync.Cursor{ModifiedAt: ps[n/2].t.Add(999 * time.Microsecond), ID: ps[n/2].id}},
		sinceCase{"first record's time plus 1ns, empty id", rscsync.Cursor{ModifiedAt: ps[0].t.Add(time.Nanosecond)}},
	)
	// The middle cursor as a checkpoint stores it: JSON, losing the
	// monotonic clock reading and the time's Location.
	if c, err := jsonRoundTrip(ps[n/2].cursor()); err == nil {
		cases = append(cases, sinceCase{"middle record, JSON round-tripped", c})
	}
	// The middle cursor with the same instant in another time zone: a
	// Source that compares the cursor's wall clock (a zone-less layout, a
	// "timestamp without time zone" column) moves it by the offset.
	zone := foreignZone(ps[n/2].t)
	c := ps[n/2].cursor()
	c.ModifiedAt = c.ModifiedAt.In(zone)
	cases = append(cases, sinceCase{"middle record, its time in zone " + zone.String(), c})
	return cases
}

// foreignZone returns a fixed zone other than t's: +05:30, or -03:30 when
// t is at +05:30. A half-hour offset also differs from every whole-hour
// zone a Source might assume for the cursor.
func foreignZone(t time.Time) *time.Location {
	if _, off := t.Zone(); off == 5*3600+1800 {
		return time.FixedZone("-03:30", -(3*3600 + 1800))
	}
	return time.FixedZone("+05:30", 5*3600+1800)
}

func jsonRoundTrip(c rscsync.Cursor) (rscsync.Cursor, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return c, err
	}
	var out rscsync.Cursor
	err = json.Unmarshal(b, &out)
	return out, err
}

// after returns the positions of ps after c, in order.
func after(ps []pos, c rscsync.Cursor) []pos {
	var out []pos
	for _, p := range ps {
		if c.After(p.t, p.id) {
			out = append(out, p)
		}
	}
	return out
}

func checkSince[R any](r reporter, cfg *config, s stream[R], data streamData) {
	r.Helper()
	ctx := context.Background()
	for _, c := range sinceCases(r, s.name, data.pos) {
		what := fmt.Sprintf("reading from the %s (%s)", c.name, fmtCursor(c.cursor))
		want := after(data.pos, c.cursor)
		limit := len(want) + 1 // one more, to see the stream end
		if data.truncated {
			limit = max(len(want), 1) // the stream goes on beyond what is known
		}
		res := s.readN(ctx, c.cursor, limit, nil)
		if !s.report(r, what, res, false) {
			continue
		}
		got := res.pos
		for i, p := range got {
			if !c.cursor.After(p.t, p.id) {
				r.Errorf("%s: %s: record [%d] %s is not after the cursor (Cursor.After)", s.name, what, i, p)
				break
			}
		}
		if data.truncated && len(want) == 0 {
			continue // nothing known to compare with
		}
		if i, ok := diff(got, want); !ok {
			r.Errorf("%s: %s: got %d records, want %d (the records of the full stream after the cursor); first difference at index %d: got %s, want %s",
				s.name, what, len(got), len(want), i, at(got, i), at(want, i))
		}
	}
}

// diff compares two position sequences, returning the index of the first
// difference and whether they are the same.
func diff(got, want []pos) (int, bool) {
	for i := range max(len(got), len(want)) {
		if i >= len(got) || i >= len(want) || got[i].id != want[i].id || !got[i].t.Equal(want[i].t) {
			return i, false
		}
	}
	return 0, true
}

func at(ps []pos, i int) string {
	if i >= len(ps) {
		return "the end of the stream"
	}
	return ps[i].String()
}

func checkStable[R any](r reporter, cfg *config, s stream[R], data streamData) {
	r.Helper()
	ctx := context.Background()
	again := s.readN(ctx, rscsync.Cursor{}, cfg.maxRecords, nil)
	if s.report(r, "reading from the zero cursor again", again, false) {
		if i, ok := diff(again.pos, data.pos); !ok {
			r.Errorf("%s: reading from the zero cursor twice gave different sequences: %d records then %d; first difference at index %d: %s then %s",
				s.name, len(data.pos), len(again.pos), i, at(data.pos, i), at(again.pos, i))
		}
	}
	if len(data.pos) == 0 {
		return
	}
	c := data.pos[len(data.pos)/2].cursor()
	what := fmt.Sprintf("reading from the middle record (%s)", fmtCursor(c))
	first := s.readN(ctx, c, cfg.maxRecords, nil)
	second := s.readN(ctx, c, cfg.maxRecords, nil)
	if s.report(r, what, first, false) && s.report(r, what+" again", second, false) {
		if i, ok := diff(second.pos, first.pos); !ok {
			r.Errorf("%s: %s twice gave different sequences: %d records then %d; first difference at index %d: %s then %s",
				s.name, what, len(first.pos), len(second.pos), i, at(first.pos, i), at(second.pos, i))
		}
	}
}

func checkBreak[R any](r reporter, s stream[R], ps []pos) {
	r.Helper()
	n := len(ps)
	if n == 0 {
		r.Logf("%s: the stream is empty, so breaking out of it is not exercised", s.name)
		return
	}
	ctx := context.Background()
	var points []int
	for _, b := range []int{0, 1, max(2, n/2)} {
		if b < n && (len(points) == 0 || points[len(points)-1] != b) {
			points = append(points, b)
		}
	}
	for _, b := range points {
		res := s.read(ctx, rscsync.Cursor{}, func(i int, rec R) bool { return i < b })
		s.report(r, fmt.Sprintf("breaking at record [%d] %s", b, ps[b]), res, false)
		if p := rangeBreak(s.open(ctx, rscsync.Cursor{}), b); p != nil {
			r.Errorf("%s: breaking out of a range loop at record [%d] %s: panic: %v", s.name, b, ps[b], p)
		}
	}
}

// rangeBreak ranges over seq and breaks at record b, returning any panic,
// such as the runtime's when seq calls yield after the loop broke out.
func rangeBreak[R any](seq iter.Seq2[R, error], b int) (panicked any) {
	if seq == nil {
		return nil // reported by read
	}
	defer func() {
		if p := recover(); p != nil {
			panicked = p
		}
	}()
	i := 0
	for _, err := range seq {
		if err != nil || i == b {
			break
		}
		i++
	}
	return nil
}

func checkContext[R any](r reporter, cfg *config, s stream[R], n int) {
	r.Helper()
	// Each read gets its own variables: a read that times out goes on
	// running in its goroutine.
	{
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		res, ok := within(cfg.cancelTimeout, func() *readResult {
			return s.read(ctx, rscsync.Cursor{}, func(int, R) bool { return false })
		})
		what := "reading with an already cancelled context"
		if !ok {
			r.Errorf("%s: %s: the iterator did not return within %v", s.name, what, cfg.cancelTimeout)
		} else {
			s.report(r, what, res, true)
			if len(res.pos) > 0 {
				r.Errorf("%s: %s: yielded record [0] %s; it must yield an error or nothing", s.name, what, res.pos[0])
			}
		}
	}

	if n < 2 {
		r.Logf("%s: fewer than two records, so cancelling mid-stream is not exercised", s.name)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bound := cfg.cancelBound
	res, ok := within(cfg.cancelTimeout, func() *readResult {
		return s.read(ctx, rscsync.Cursor{}, func(i int, _ R) bool {
			if i == 0 {
				cancel()
			}
			return i <= bound // stop once more than bound records followed
		})
	})
	what := "cancelling the context after record [0]"
	if !ok {
		r.Errorf("%s: %s: the iterator did not return within %v", s.name, what, cfg.cancelTimeout)
		return
	}
	s.report(r, what, res, true)
	if extra := len(res.pos) - 1; extra > bound {
		r.Errorf("%s: %s %s: the stream went on to yield record [%d] %s; at most %d record(s) may follow a cancellation (WithCancelBound)",
			s.name, what, res.pos[0], extra, res.pos[extra], bound)
	}
}

// within runs f, giving up on it after d.
func within(d time.Duration, f func() *readResult) (*readResult, bool) {
	ch := make(chan *readResult, 1)
	go func() { ch <- f() }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case res := <-ch:
		return res, true
	case <-t.C:
		return nil, false
	}
}
