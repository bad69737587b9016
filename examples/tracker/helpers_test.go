package tracker

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "tracker.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = newTickClock(testNow.Add(time.Millisecond)).Now
	return db
}

func generateTest(t testing.TB, opts GenerateOptions) (*DB, GenerateResult) {
	t.Helper()
	db := openTest(t)
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

// Now reads the clock.
func (c *tickClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last, c.next = c.next, c.next.Add(time.Millisecond)
	return c.last
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

// testNow is the end of the generated history of the tests; their clock
// starts a millisecond after it.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

const testOrg = "urn:li:organization:4242"
