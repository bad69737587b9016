package tracker

import (
	"context"
	"database/sql"
	"iter"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/inmail"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// positions reads seq whole and returns the position of each record (pos),
// as the engine's watermark moves over them.
func positions[T any](t *testing.T, seq iter.Seq2[T, error], pos func(T) rscsync.Cursor) []rscsync.Cursor {
	t.Helper()
	var out []rscsync.Cursor
	for r, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pos(r))
	}
	return out
}

// fenceCase is one stream in the fence tests: pick names two of its rows,
// the smaller id first; write changes one of them as a Tracker writer does
// (the clock read under the write lock); read reads the stream after
// since; total is the stream's count in Totals (nil: Totals has none).
type fenceCase struct {
	name  string
	pick  string
	write func(ctx context.Context, db *DB, id string) error
	read  func(ctx context.Context, src *Source, since rscsync.Cursor) []rscsync.Cursor
	total func(rscsync.Totals) int64
	cpos  func(id string) string // the id's position in the stream (nil: the id)
}

// fenceCases are the five streams, each changed by a writer of its own
// table that stamps under the write lock: a job's and an activity's edits,
// a candidate's LinkedIn profile (Sink), a stage inserted (which moves its
// placement through the trigger), a note deleted (its tombstone).
func fenceCases(t *testing.T) []fenceCase {
	return []fenceCase{
		{name: "jobs", pick: `SELECT id FROM jobs ORDER BY id LIMIT 2`,
			write: func(ctx context.Context, db *DB, id string) error {
				return db.withTx(ctx, func(tx *sql.Tx) error { // as TouchJobs edits a job
					_, err := tx.ExecContext(ctx, `UPDATE jobs SET description = description || '<p>Edited.</p>', modified_at = ? WHERE id = ?`,
						ms(db.now()), id)
					return err
				})
			},
			read: func(ctx context.Context, src *Source, since rscsync.Cursor) []rscsync.Cursor {
				return positions(t, src.Jobs(ctx, since), func(j jobT) rscsync.Cursor {
					return rscsync.Cursor{ModifiedAt: j.ModifiedAt, ID: j.Posting.ExternalJobPostingID}
				})
			},
			total: func(tot rscsync.Totals) int64 { return tot.Jobs }},
		{name: "candidates", pick: `SELECT id FROM candidates ORDER BY id LIMIT 2`,
			write: func(ctx context.Context, db *DB, id string) error {
				sink, err := NewSink(db)
				if err != nil {
					return err
				}
				return sink.SetLinkedInProfile(ctx, id, inmail.Profile{Person: "urn:li:person:fence" + id})
			},
			read: func(ctx context.Context, src *Source, since rscsync.Cursor) []rscsync.Cursor {
				return positions(t, src.Candidates(ctx, since), candPos)
			},
			total: func(tot rscsync.Totals) int64 { return tot.Candidates }},
		{name: "applications", pick: `SELECT id FROM placements ORDER BY id LIMIT 2`,
			write: func(ctx context.Context, db *DB, id string) error {
				return db.withTx(ctx, func(tx *sql.Tx) error { return addStage(ctx, tx, id, "Phone Screen", ms(db.now())) })
			},
			read: func(ctx context.Context, src *Source, since rscsync.Cursor) []rscsync.Cursor {
				return positions(t, src.Applications(ctx, since), func(a placementT) rscsync.Cursor {
					return rscsync.Cursor{ModifiedAt: a.ModifiedAt, ID: a.Record.Key.ApplicationID}
				})
			},
			total: func(tot rscsync.Totals) int64 { return tot.Applications }},
		{name: "activities", pick: `SELECT id FROM activities a WHERE ` + syncedActivityKinds + ` ORDER BY id LIMIT 2`,
			write: func(ctx context.Context, db *DB, id string) error {
				return db.withTx(ctx, func(tx *sql.Tx) error {
					_, err := tx.ExecContext(ctx, `UPDATE activities SET body = body || ' (edited)', modified_at = ? WHERE id = ?`, ms(db.now()), id)
					return err
				})
			},
			read: func(ctx context.Context, src *Source, since rscsync.Cursor) []rscsync.Cursor {
				return positions(t, src.Activities(ctx, since), func(a activityT) rscsync.Cursor {
					return rscsync.Cursor{ModifiedAt: a.ModifiedAt, ID: a.ID()}
				})
			},
			total: func(tot rscsync.Totals) int64 { return tot.Activities }},
		{name: "deletions", pick: `SELECT id FROM activities WHERE kind = 'candidate_note' ORDER BY id LIMIT 2`,
			write: func(ctx context.Context, db *DB, id string) error { return db.DeleteActivity(ctx, id) },
			read: func(ctx context.Context, src *Source, since rscsync.Cursor) []rscsync.Cursor {
				return positions(t, src.Deletions(ctx, since), func(d rscsync.Deletion) rscsync.Cursor {
					return rscsync.Cursor{ModifiedAt: d.DeletedAt, ID: d.CursorID()}
				})
			},
			cpos: func(id string) string { return string(rscsync.KindCandidateNote) + ":" + id }},
	}
}

// pickTwo returns the two ids query selects, in order.
func pickTwo(t *testing.T, db *DB, query string) (small, big string) {
	t.Helper()
	rows, err := db.SQL().Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil || len(ids) != 2 || ids[0] >= ids[1] {
		t.Fatalf("%s: ids %v, %v; want two in order", query, ids, err)
	}
	return ids[0], ids[1]
}

// Two writes stamped in one millisecond, the row with the larger id
// committed first, and a sync's read of the stream between the two
// commits, all in that millisecond (sync.Source: "two writes may share
// its current millisecond, the second committing after a read"). Had the
// read taken the first row, the engine's cursor would sit at (T, larger
// id), after the second row, which no later read would reach. The fence
// holds both back until the clock has left T, and the next read, a
// millisecond later, yields both; Totals counts what a read at its
// instant yields.
func TestSourceFenceKeepsTheRowsOfTheCurrentMillisecond(t *testing.T) {
	for _, tc := range fenceCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			at := testNow.Add(time.Hour)    // the millisecond of both writes and of the first read
			clk := rsctest.NewFakeClock(at) // stands still within the millisecond
			db, _ := generateTest(t, GenerateOptions{Candidates: 200, Seed: 6}, WithClock(clk))
			ctx := t.Context()
			src := newSource(t, db, Config{IntegrationContext: testOrg, PageSize: 4})
			small, big := pickTwo(t, db, tc.pick)

			var mark rscsync.Cursor // the engine's watermark: the last position read
			read := func() []rscsync.Cursor {
				got := tc.read(ctx, src, mark)
				if len(got) > 0 {
					mark = got[len(got)-1]
				}
				return got
			}
			read() // the sync before the writes
			if err := tc.write(ctx, db, big); err != nil {
				t.Fatal(err)
			}
			got := read() // between the two commits
			if tc.total != nil {
				tot, err := src.Totals(ctx, at)
				if err != nil {
					t.Fatal(err)
				}
				if n := tc.total(tot); n != int64(len(got)) {
					t.Errorf("Totals(since %v) counts %d, a read at the same instant yields %d", at, n, len(got))
				}
			}
			if err := tc.write(ctx, db, small); err != nil {
				t.Fatal(err)
			}
			clk.Set(at.Add(time.Millisecond)) // the clock leaves the millisecond
			got = append(got, read()...)      // the next sync

			pos := func(id string) string { return id }
			if tc.cpos != nil {
				pos = tc.cpos
			}
			want := []rscsync.Cursor{{ModifiedAt: at, ID: pos(small)}, {ModifiedAt: at, ID: pos(big)}}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("positions read after the two writes (-want +got):\n%s", d)
			}
		})
	}
}

// Every stream read, and Totals, reads its fence from the clock once,
// holding the write lock: a writer that stamped its rows under that lock
// (TestCloseJobStampsUnderTheWriteLock) has then committed them, whenever
// the read started. The clock hook tries to take the write lock from
// another connection, without waiting.
func TestSourceFenceReadsTheClockUnderTheWriteLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tracker.db")
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)&_txlock=immediate") // connects when first used
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	type reads struct{ Reads, Unlocked int }
	var got reads
	db, err := Open(path, WithClock(hookClock(func() time.Time {
		got.Reads++
		if tx, err := other.BeginTx(context.Background(), nil); err == nil { // the write lock is free
			got.Unlocked++
			tx.Rollback()
		}
		return testNow.Add(time.Hour)
	})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := Generate(t.Context(), db, GenerateOptions{Candidates: 40, Now: testNow, Org: testOrg}); err != nil {
		t.Fatal(err)
	}
	src := newSource(t, db, Config{IntegrationContext: testOrg})
	for _, tc := range fenceCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			got = reads{}
			tc.read(t.Context(), src, rscsync.Cursor{})
			if d := cmp.Diff(reads{Reads: 1}, got); d != "" {
				t.Errorf("clock reads of one %s read (-want +got):\n%s", tc.name, d)
			}
		})
	}
	t.Run("Totals", func(t *testing.T) {
		got = reads{}
		if _, err := src.Totals(t.Context(), time.Time{}); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(reads{Reads: 1}, got); d != "" {
			t.Errorf("clock reads of Totals (-want +got):\n%s", d)
		}
	})
}
