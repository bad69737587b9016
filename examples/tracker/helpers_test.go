package tracker

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// openTest opens a database in a temporary directory, on a new
// testClock unless opts say otherwise.
func openTest(t testing.TB, opts ...Option) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "tracker.db"), append([]Option{WithClock(newTestClock())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// generateTest generates a Tracker into a database openTest opens with
// dbOpts.
func generateTest(t testing.TB, opts GenerateOptions, dbOpts ...Option) (*DB, GenerateResult) {
	t.Helper()
	db := openTest(t, dbOpts...)
	if opts.Now.IsZero() {
		opts.Now = testNow
	}
	if opts.Org == "" {
		opts.Org = testOrg
	}
	res, err := Generate(context.Background(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	return db, res
}

// newSource is NewSource for a test, which fails on its error.
func newSource(t testing.TB, db *DB, cfg Config) *Source {
	t.Helper()
	src, err := NewSource(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func newSink(t testing.TB, db *DB) *Sink {
	t.Helper()
	sink, err := NewSink(db)
	if err != nil {
		t.Fatal(err)
	}
	return sink
}

// tickClock is the tests' clock: each read returns the time the read
// before it returned plus a millisecond, as a real clock moves on between
// a write and a later read. A clock that stood still would keep the
// Source's fence (see Source) at the millisecond the last writes were
// stamped, and the Source would read none of them.
type tickClock struct {
	mu   sync.Mutex
	next time.Time // what the next read returns
	last time.Time // what the last read returned
}

// newTickClock is a tickClock whose first read returns start.
func newTickClock(start time.Time) *tickClock { return &tickClock{next: start} }

// newTestClock is the clock of the tests' databases: a tickClock whose
// first read returns a millisecond after testNow.
func newTestClock() *tickClock { return newTickClock(testNow.Add(time.Millisecond)) }

// Now reads the clock.
func (c *tickClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last, c.next = c.next, c.next.Add(time.Millisecond)
	return c.last
}

// Sleep moves the clock on by d instead of waiting.
func (c *tickClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next = c.next.Add(max(d, 0))
	return nil
}

// Set makes the next read return t.
func (c *tickClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next = t
}

// Last is the time the last read returned: the stamp of the write that
// read the clock last.
func (c *tickClock) Last() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// hookClock is a clock that calls a test's function to read the time,
// for a test that checks when and how the clock is read.
type hookClock func() time.Time

// Now calls the function.
func (f hookClock) Now() time.Time { return f() }

// Sleep returns at once: no test sleeps on it.
func (hookClock) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// testNow is the end of the generated history of the tests; their clock
// starts a millisecond after it.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

const testOrg = "urn:li:organization:4242"
