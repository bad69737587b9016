package tracker

import (
	"context"
	"path/filepath"
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
	db.Now = func() time.Time { return testNow }
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

// testNow is the fixed "now" of the tests.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

const testOrg = "urn:li:organization:4242"
