package pgstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/rscgo/rscgo/fleet/internal/pgtest"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/inmail"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	rscsync "github.com/rscgo/rscgo/sync"
)

func TestCheckCustomerID(t *testing.T) {
	t.Parallel()
	long := pgtest.Incompressible(pgstore.MaxCustomerIDLen + 1)
	for _, tc := range []struct {
		name, id string
		want     string // the error, "" for none
	}{
		{name: "ascii", id: "customer-42"},
		{name: "accents", id: "Société Générale"},
		{name: "control characters", id: "a\tb\x01"},
		{name: "longest", id: long[:pgstore.MaxCustomerIDLen]},
		{name: "empty", id: "", want: "pgstore: invalid customer id: empty"},
		{name: "too long", id: long,
			want: `pgstore: invalid customer id "` + long[:40] + `"…: 1025 bytes, longer than pgstore.MaxCustomerIDLen (1024 bytes)`},
		{name: "Latin-1", id: "C\xe9te-1", want: `pgstore: invalid customer id "C\xe9te-1": not valid UTF-8`},
		{name: "NUL", id: "C\x00-1", want: `pgstore: invalid customer id "C\x00-1": holds NUL`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := pgstore.CheckCustomerID(tc.id)
			got := ""
			if err != nil {
				got = err.Error()
				if !errors.Is(err, pgstore.ErrInvalidCustomerID) {
					t.Errorf("error %v does not wrap ErrInvalidCustomerID", err)
				}
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("CheckCustomerID (-want +got):\n%s", d)
			}
		})
	}
}

// storeCalls calls, with a customer id, every method of the database's
// stores that takes one, each by name.
func storeCalls(db *pgstore.DB) map[string]func(ctx context.Context, id string) error {
	dead := rscsync.DeadLetter{Kind: rscsync.KindCandidate, ID: "C1", Reason: "refused"}
	inTx := func(ctx context.Context, f func(pgx.Tx) error) error { return pgx.BeginFunc(ctx, db.Pool(), f) }
	return map[string]func(ctx context.Context, id string) error{
		"Checkpoints.Load": func(ctx context.Context, id string) error { _, err := db.Checkpoints().Load(ctx, id); return err },
		"Checkpoints.Save": func(ctx context.Context, id string) error {
			return db.Checkpoints().Save(ctx, id, withJobs("j1"))
		},
		"Checkpoints.Fenced.Save": func(ctx context.Context, id string) error {
			return db.Checkpoints().Fenced(refuse{}).Save(ctx, id, withJobs("j1"))
		},
		"Checkpoints.Delete": func(ctx context.Context, id string) error { return db.Checkpoints().Delete(ctx, id) },
		"Checkpoints.DeleteTx": func(ctx context.Context, id string) error {
			return inTx(ctx, func(tx pgx.Tx) error { return db.Checkpoints().DeleteTx(ctx, tx, id) })
		},
		"DeadLetters.Put": func(ctx context.Context, id string) error { return db.DeadLetters().Put(ctx, id, dead) },
		"DeadLetters.Fenced.Put": func(ctx context.Context, id string) error {
			return db.DeadLetters().Fenced(refuse{}).Put(ctx, id, dead)
		},
		"DeadLetters.List": func(ctx context.Context, id string) error {
			for _, err := range db.DeadLetters().List(ctx, id) {
				if err != nil {
					return err
				}
			}
			return nil
		},
		"DeadLetters.Delete": func(ctx context.Context, id string) error { return db.DeadLetters().Delete(ctx, id, dead.Key()) },
		"DeadLetters.Fenced.Delete": func(ctx context.Context, id string) error {
			return db.DeadLetters().Fenced(refuse{}).Delete(ctx, id, dead.Key())
		},
		"DeadLetters.DeleteAllTx": func(ctx context.Context, id string) error {
			return inTx(ctx, func(tx pgx.Tx) error { _, err := db.DeadLetters().DeleteAllTx(ctx, tx, id); return err })
		},
		"OnboardingStates.LoadState": func(ctx context.Context, id string) error {
			_, err := db.OnboardingStates().LoadState(ctx, id)
			return err
		},
		"OnboardingStates.SaveState": func(ctx context.Context, id string) error {
			return db.OnboardingStates().SaveState(ctx, &onboarding.FlowState{CustomerID: id})
		},
		"InMailCursors.Load": func(ctx context.Context, id string) error { _, err := db.InMailCursors().Load(ctx, id); return err },
		"InMailCursors.Save": func(ctx context.Context, id string) error {
			return db.InMailCursors().Save(ctx, id, inmail.Cursors{})
		},
		"InMailCursors.Update": func(ctx context.Context, id string) error {
			_, err := db.InMailCursors().Update(ctx, id, func(*inmail.Cursors) bool { return true })
			return err
		},
		"MilestoneEvents.Load": func(ctx context.Context, id string) error { _, err := db.MilestoneEvents().Load(ctx, id); return err },
		"MilestoneEvents.Append": func(ctx context.Context, id string) error {
			return db.MilestoneEvents().Append(ctx, id, milestones.Event{Milestone: milestones.IntegrationEnabled})
		},
	}
}

// rowCount counts the rows of every store's table.
func rowCount(t *testing.T, db *pgstore.DB) int {
	t.Helper()
	var n int
	err := db.Pool().QueryRow(t.Context(), `select (select count(*) from rscgo_checkpoints) + (select count(*) from rscgo_checkpoint_jobs)
		+ (select count(*) from rscgo_checkpoint_tasks) + (select count(*) from rscgo_dead_letters)
		+ (select count(*) from rscgo_onboarding_states) + (select count(*) from rscgo_inmail_cursors)
		+ (select count(*) from rscgo_milestone_events)`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestInvalidCustomerIDs: every store refuses, before it reads or writes
// anything, a customer id it could not keep: empty (which PostgreSQL
// would keep, a customer nobody can name), longer than MaxCustomerIDLen
// bytes (a Load would find nothing, a Save would fail on PostgreSQL's
// index entry limit of 2,704 bytes, past the batches a slice sent; a
// dead letter's key beside it would fail from 1,665 bytes on), not valid
// UTF-8 or holding NUL (PostgreSQL's text refuses both).
func TestInvalidCustomerIDs(t *testing.T) {
	t.Parallel()
	db := open(t)
	calls := storeCalls(db)
	for _, tc := range []struct{ name, id string }{
		{"empty", ""},
		{"over the limit", pgtest.Incompressible(pgstore.MaxCustomerIDLen + 1)},
		{"past the dead letters' index", pgtest.Incompressible(2000)},
		{"past every index", pgtest.Incompressible(3000)},
		{"Latin-1", "C\xe9te-1"},
		{"NUL", "C\x00-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var notRefused []string
			for name, call := range calls {
				if err := call(t.Context(), tc.id); !errors.Is(err, pgstore.ErrInvalidCustomerID) {
					notRefused = append(notRefused, name+": "+shorten(err))
				}
			}
			if d := cmp.Diff([]string(nil), sortedUnique(notRefused)); d != "" {
				t.Errorf("calls not refused with ErrInvalidCustomerID (-want +got):\n%s", d)
			}
			if n := rowCount(t, db); n != 0 {
				t.Errorf("the stores hold %d rows after the refusals, want none", n)
			}
		})
	}
}

// shorten returns the start of err's message.
func shorten(err error) string {
	if err == nil {
		return "<nil>"
	}
	s := err.Error()
	if len(s) > 150 {
		s = s[:150] + "…"
	}
	return s
}

// TestLongestCustomerID: a customer id of MaxCustomerIDLen bytes that
// PostgreSQL cannot compress is kept by every store, beside the longest
// keys the other columns of their indexes hold: a job id of 255
// characters (LinkedIn's limit on ids) in a checkpoint and a dead
// letter's key of 1,024 bytes, stored as it is.
func TestLongestCustomerID(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := open(t)
	id := pgtest.Incompressible(pgstore.MaxCustomerIDLen)
	for name, call := range storeCalls(db) {
		if err := call(ctx, id); err != nil {
			t.Errorf("%s: %v", name, shorten(err))
		}
	}
	if _, err := db.Pool().Exec(ctx, `truncate rscgo_checkpoints, rscgo_checkpoint_jobs, rscgo_checkpoint_tasks, rscgo_dead_letters,
		rscgo_onboarding_states, rscgo_inmail_cursors, rscgo_milestone_events`); err != nil {
		t.Fatal(err)
	}
	cp := withJobs(pgtest.Incompressible(255))
	cp.CustomerID = id
	if err := db.Checkpoints().Save(ctx, id, cp); err != nil {
		t.Fatalf("saving a checkpoint with a job id of 255 bytes: %v", shorten(err))
	}
	got, err := db.Checkpoints().Load(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(cp, got); d != "" {
		t.Errorf("checkpoint (-saved +loaded):\n%s", d)
	}
	d := rscsync.DeadLetter{Kind: rscsync.KindCandidate, Reason: "refused"}
	d.ID = pgtest.Incompressible(1024 - len(d.Key())) // the longest key stored as it is
	if n := len(d.Key()); n != 1024 {
		t.Fatalf("dead letter key of %d bytes, want 1024", n)
	}
	if err := db.DeadLetters().Put(ctx, id, d); err != nil {
		t.Fatalf("a dead letter with a key of 1,024 bytes: %v", shorten(err))
	}
	var keys []string
	for l, err := range db.DeadLetters().List(ctx, id) {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, l.Key())
	}
	if d := cmp.Diff([]string{d.Key()}, keys); d != "" {
		t.Errorf("dead letters (-want +got):\n%s", d)
	}
	ids, err := db.Customers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{id}, ids); d != "" {
		t.Errorf("customers (-want +got):\n%s", d)
	}
}
