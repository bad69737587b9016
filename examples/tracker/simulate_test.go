package tracker

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	rscsync "github.com/rscgo/rscgo/sync"
)

// CloseJob reads the clock under the database's write lock, as every
// helper stamps its rows: a write stamped later can then never commit
// before it, which the Source's order relies on (a close committed with an
// earlier stamp than rows a sync already read would sit behind the
// watermark and never reach LinkedIn). The clock hook tries to take the
// write lock from another connection, without waiting.
func TestCloseJobStampsUnderTheWriteLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tracker.db")
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)&_txlock=immediate") // connects when first used
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	var reads, unlocked int
	db, err := Open(path, WithClock(hookClock(func() time.Time {
		reads++
		if tx, err := other.BeginTx(context.Background(), nil); err == nil { // the write lock is free
			unlocked++
			tx.Rollback()
		}
		return testNow
	})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := Generate(t.Context(), db, GenerateOptions{Candidates: 40, Now: testNow, Org: testOrg}); err != nil {
		t.Fatal(err)
	}
	var job string
	if err := db.SQL().QueryRow(`SELECT id FROM jobs WHERE status = 'open' ORDER BY id LIMIT 1`).Scan(&job); err != nil {
		t.Fatal(err)
	}
	if err := db.CloseJob(t.Context(), job); err != nil {
		t.Fatal(err)
	}
	if reads == 0 || unlocked != 0 {
		t.Errorf("CloseJob read the clock %d times, %d of them without holding the write lock; want every read under it", reads, unlocked)
	}
}

// synced generates a Tracker, reads its applications as a sync would and
// returns its Source, the first application read and the position after
// the last: where the next sync starts.
func synced(t *testing.T) (*DB, *Source, rscsync.Application, rscsync.Cursor) {
	t.Helper()
	db, _ := generateTest(t, GenerateOptions{Candidates: 40, Seed: 5})
	src := newSource(t, db, Config{IntegrationContext: testOrg})
	apps := collect(t, src.Applications(t.Context(), rscsync.Cursor{}))
	last := apps[len(apps)-1]
	return db, src, apps[0], rscsync.Cursor{ModifiedAt: last.ModifiedAt, ID: last.Record.Key.ApplicationID}
}

// An application carries its candidate's name and email and its job's
// title: an edit of one of them (stamped, as every write is) moves the
// application, so that the next sync reads it again with the new values.
func TestJoinedEditsMoveTheApplication(t *testing.T) {
	for _, tc := range []struct {
		name, edit string
		want       string
		arg        func(a rscsync.Application) string
		got        func(a rscsync.Application) string
	}{
		{"candidate's email", `UPDATE candidates SET email = 'corrected@example.com', modified_at = ? WHERE id = ?`, "corrected@example.com",
			func(a rscsync.Application) string { return a.Record.CandidateID },
			func(a rscsync.Application) string { return a.Record.CandidateEmail }},
		{"job's title", `UPDATE jobs SET title = 'Staff Engineer', modified_at = ? WHERE id = ?`, "Staff Engineer",
			func(a rscsync.Application) string { return a.Record.JobPostingID },
			func(a rscsync.Application) string { return a.Record.JobPostingName }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, src, edited, mark := synced(t)
			if _, err := db.SQL().ExecContext(t.Context(), tc.edit, ms(db.now()), tc.arg(edited)); err != nil {
				t.Fatal(err)
			}
			var read []string
			for _, a := range collect(t, src.Applications(t.Context(), mark)) { // the next sync
				if a.Record.Key == edited.Record.Key {
					read = append(read, tc.got(a))
				}
			}
			if d := cmp.Diff([]string{tc.want}, read); d != "" {
				t.Errorf("the next sync's read of application %s (-want +got):\n%s", edited.Record.Key.ApplicationID, d)
			}
		})
	}
}

// A stage row inserted by a writer other than Tracker's own (a direct SQL
// insert, stamped with its creation time) moves its application too, so
// that the next sync sends the application with the new stage.
func TestInsertedStageMovesTheApplication(t *testing.T) {
	db, src, edited, mark := synced(t)
	if _, err := db.SQL().ExecContext(t.Context(), `INSERT INTO placement_stages (id, placement_id, stage, created_at) VALUES ('S99999999', ?, 'Phone Screen', ?)`,
		edited.Record.Key.ApplicationID, ms(db.now())); err != nil {
		t.Fatal(err)
	}
	var stages []int
	for _, a := range collect(t, src.Applications(t.Context(), mark)) { // the next sync
		if a.Record.Key == edited.Record.Key {
			stages = append(stages, len(a.Stages))
		}
	}
	if d := cmp.Diff([]int{len(edited.Stages) + 1}, stages); d != "" {
		t.Errorf("the next sync's read of application %s: stages (-want +got):\n%s", edited.Record.Key.ApplicationID, d)
	}
}
