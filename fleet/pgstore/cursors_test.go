package pgstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/fleet/internal/pgtest"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/fleet/storetest"
	"github.com/rscgo/rscgo/inmail"
)

// TestInMailCursorsUpdateAcrossProcesses: writers with pools of their own
// (as processes would have) each add their own pending exports to a
// customer with no cursors yet, through Update: none is lost.
func TestInMailCursorsUpdateAcrossProcesses(t *testing.T) {
	t.Parallel()
	var stores []inmail.CursorUpdater
	for _, db := range processes(t, 4) {
		stores = append(stores, db.InMailCursors())
	}
	storetest.InMailConcurrentUpdates(t, stores...)
}

// processes opens n stores on one new database, each with its own
// connection pool, as n processes would.
func processes(t *testing.T, n int) []*pgstore.DB {
	t.Helper()
	url := pgtest.DB(t)
	dbs := make([]*pgstore.DB, n)
	for i := range dbs {
		db, err := pgstore.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		dbs[i] = db
	}
	return dbs
}

// TestInMailCursorsFirstRowInsertedMeanwhile: another process saves a
// customer's first cursors while Update, which found none, runs f; Update
// starts again on them instead of overwriting them.
func TestInMailCursorsFirstRowInsertedMeanwhile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := open(t).InMailCursors()
	var seen []inmail.Cursors
	got, err := s.Update(ctx, "a", func(c *inmail.Cursors) bool {
		seen = append(seen, c.Clone())
		if len(seen) == 1 {
			if err := s.Save(ctx, "a", inmail.Cursors{Exports: []string{"theirs"}}); err != nil {
				t.Error(err)
			}
		}
		c.Exports = append(c.Exports, "mine")
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	want := inmail.Cursors{Exports: []string{"theirs", "mine"}}
	if diff := cmp.Diff([]inmail.Cursors{{}, {Exports: []string{"theirs"}}}, seen); diff != "" {
		t.Errorf("f's calls got (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Update returned (-want +got):\n%s", diff)
	}
	stored, err := s.Load(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, stored); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
}

// Cursors holding a field this version does not know (written by a newer
// version) are refused by Load and Update, and left as they are, rather
// than read without the field and saved back without it.
func TestInMailCursorsOfANewerVersion(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := open(t)
	s := db.InMailCursors()
	const doc = `{"exports": ["r1"], "pendingExports": {"r2": {"receivedAt": 1, "fromTheFuture": true}}}`
	if _, err := db.Pool().Exec(ctx, "insert into rscgo_inmail_cursors (customer_id, cursors) values ('acme', $1)", doc); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, "acme"); err == nil || !strings.Contains(err.Error(), "fromTheFuture") {
		t.Errorf("Load: %v, want an error naming the unknown field", err)
	}
	_, err := s.Update(ctx, "acme", func(c *inmail.Cursors) bool { c.Exports = append(c.Exports, "r3"); return true })
	if err == nil || !strings.Contains(err.Error(), "fromTheFuture") {
		t.Errorf("Update: %v, want an error naming the unknown field", err)
	}
	var left string
	if err := db.Pool().QueryRow(ctx, "select cursors::text from rscgo_inmail_cursors where customer_id = 'acme'").Scan(&left); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(left, `"fromTheFuture": true`) || strings.Contains(left, "r3") {
		t.Errorf("the document after Load and Update: %s, want it as stored", left)
	}
}
