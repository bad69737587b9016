package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// ErrNotFound is returned for a record id that does not exist.
var ErrNotFound = errors.New("tracker: not found")

// The helpers below simulate a recruiter's day in Tracker, so that an
// incremental sync has something to send. Each stamps modified_at with
// the database's clock (WithClock) and returns the ids it changed.

// TouchCandidates edits n random candidates (a new phone number or job
// title), marking them modified now.
func (db *DB) TouchCandidates(ctx context.Context, n int) ([]string, error) {
	r := db.rand()
	return db.touch(ctx, "candidates", "", n, func(tx *sql.Tx, id string, now int64) error {
		var err error
		if r.IntN(2) == 0 {
			_, err = tx.ExecContext(ctx, `UPDATE candidates SET phone = ?, modified_at = ? WHERE id = ?`,
				fmt.Sprintf("+44 7700 900%03d", r.IntN(1000)), now, id)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE candidates SET current_title = ?, current_company = ?, modified_at = ? WHERE id = ?`,
				pick(r, seniorities).prefix+pick(r, jobTemplates).title, pick(r, companies), now, id)
		}
		return err
	})
}

// TouchJobs edits n random open jobs (a reworded description), marking them
// modified now.
func (db *DB) TouchJobs(ctx context.Context, n int) ([]string, error) {
	return db.touch(ctx, "jobs", "status = 'open'", n, func(tx *sql.Tx, id string, now int64) error {
		_, err := tx.ExecContext(ctx, `UPDATE jobs SET description = description || '<p>Updated: interviews are now held online.</p>',
			modified_at = ? WHERE id = ?`, now, id)
		return err
	})
}

// AdvancePlacements moves n random placements that have not ended (not
// "Placed" or "Rejected") to their next stage, adding a stage record.
func (db *DB) AdvancePlacements(ctx context.Context, n int) ([]string, error) {
	r := db.rand()
	return db.touch(ctx, "placements", "current_stage NOT IN ('Placed', 'Rejected')", n, func(tx *sql.Tx, id string, now int64) error {
		var cur string
		if err := tx.QueryRowContext(ctx, `SELECT current_stage FROM placements WHERE id = ?`, id).Scan(&cur); err != nil {
			return err
		}
		next := "Rejected"
		if i := slices.Index(pipeline, cur); i >= 0 && i+1 < len(pipeline) && r.IntN(3) > 0 {
			next = pipeline[i+1]
		}
		disposition := ""
		switch next {
		case "Rejected":
			disposition = pick(r, rejectionReasons)
		case "Placed":
			disposition = "Hired"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE placements SET current_stage = ?, disposition_reason = ?, modified_at = ?
			WHERE id = ?`, next, disposition, now, id); err != nil {
			return err
		}
		return addStage(ctx, tx, id, next, now)
	})
}

// AddCandidateNotes writes n new notes on random candidates.
func (db *DB) AddCandidateNotes(ctx context.Context, n int) ([]string, error) {
	r := db.rand()
	var ids []string
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		cands, err := randomIDs(ctx, tx, "candidates", "", n)
		if err != nil {
			return err
		}
		now := ms(db.now())
		for _, c := range cands {
			id, err := nextID(ctx, tx, "activities", prefixActivity)
			if err != nil {
				return err
			}
			var first string
			if err := tx.QueryRowContext(ctx, `SELECT first_name FROM candidates WHERE id = ?`, c).Scan(&first); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO activities (id, kind, candidate_id, author_id, body, created_at, modified_at)
				VALUES (?, 'candidate_note', ?, (SELECT id FROM users ORDER BY id LIMIT 1), ?, ?, ?)`,
				id, c, fillNote(pick(r, candidateNotes), first, 2+r.IntN(6)), now, now); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tracker: add candidate notes: %w", err)
	}
	return ids, nil
}

// CloseJob closes an open job (LinkedIn receives a CLOSE).
func (db *DB) CloseJob(ctx context.Context, id string) error {
	// The clock is read under the write lock (withTx), as every helper
	// stamps its rows: a write stamped later cannot commit before this one.
	return db.withTx(ctx, func(tx *sql.Tx) error {
		now := ms(db.now())
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET status = 'closed', closed_at = ?, modified_at = ? WHERE id = ?`, now, now, id)
		if err != nil {
			return fmt.Errorf("tracker: close job %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("tracker: close job: %w: %q", ErrNotFound, id)
		}
		return nil
	})
}

// DeleteCandidate deletes a candidate with its placements (and their stages
// and activities) and its activities, writing tombstones for what LinkedIn
// holds: the candidate's notes, its placements (LinkedIn deletes their
// notes, feedback and stages with them) and the candidate.
func (db *DB) DeleteCandidate(ctx context.Context, id string) error {
	return db.deleteRow(ctx, "candidates", id,
		`INSERT OR REPLACE INTO deletions (kind, id, parent_id, deleted_at)
			SELECT 'candidateNote', id, candidate_id, ?1 FROM activities WHERE candidate_id = ?2 AND kind = 'candidate_note'`,
		`INSERT OR REPLACE INTO deletions (kind, id, parent_id, deleted_at)
			SELECT 'application', id, '', ?1 FROM placements WHERE candidate_id = ?2`,
		`INSERT OR REPLACE INTO deletions (kind, id, parent_id, deleted_at) VALUES ('candidate', ?2, '', ?1)`,
		`DELETE FROM placement_stages WHERE placement_id IN (SELECT id FROM placements WHERE candidate_id = ?2)`,
		`DELETE FROM activities WHERE placement_id IN (SELECT id FROM placements WHERE candidate_id = ?2)`,
		`DELETE FROM activities WHERE candidate_id = ?2`,
		`DELETE FROM placements WHERE candidate_id = ?2`,
		`DELETE FROM candidates WHERE id = ?2`)
}

// DeletePlacement deletes a placement with its stages and activities and
// writes its tombstone.
func (db *DB) DeletePlacement(ctx context.Context, id string) error {
	return db.deleteRow(ctx, "placements", id,
		`INSERT OR REPLACE INTO deletions (kind, id, parent_id, deleted_at) VALUES ('application', ?2, '', ?1)`,
		`DELETE FROM placement_stages WHERE placement_id = ?2`,
		`DELETE FROM activities WHERE placement_id = ?2`,
		`DELETE FROM placements WHERE id = ?2`)
}

// deleteRow deletes row id of table in one transaction, running stmts in
// order with ?1 the time of deletion (ms) and ?2 the id: the tombstones
// first, then the rows. A missing row is an error wrapping ErrNotFound.
func (db *DB) deleteRow(ctx context.Context, table, id string, stmts ...string) error {
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		if err := exists(ctx, tx, table, id); err != nil {
			return err
		}
		return execAll(ctx, tx, stmts, ms(db.now()), id)
	})
	if err != nil {
		return fmt.Errorf("tracker: delete %s %s: %w", strings.TrimSuffix(table, "s"), id, err)
	}
	return nil
}

// DeleteActivity deletes a note or interview feedback, writing a tombstone
// (candidateNote, applicationNote or interviewFeedback) when it is one that
// was synced to LinkedIn.
func (db *DB) DeleteActivity(ctx context.Context, id string) error {
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		var kind string
		var cand, place sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT kind, candidate_id, placement_id FROM activities WHERE id = ?`, id).Scan(&kind, &cand, &place)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: activity %q", ErrNotFound, id)
		}
		if err != nil {
			return err
		}
		tomb, parent := "", ""
		switch kind {
		case "candidate_note":
			tomb, parent = "candidateNote", cand.String
		case "placement_note":
			tomb, parent = "applicationNote", place.String
		case "interview_feedback":
			tomb, parent = "interviewFeedback", place.String
		}
		if tomb != "" {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO deletions (kind, id, parent_id, deleted_at)
				VALUES (?, ?, ?, ?)`, tomb, id, parent, ms(db.now())); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM activities WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("tracker: delete activity %s: %w", id, err)
	}
	return nil
}

// touch applies edit to n random rows of table matching where, in one
// transaction.
func (db *DB) touch(ctx context.Context, table, where string, n int, edit func(tx *sql.Tx, id string, now int64) error) ([]string, error) {
	var ids []string
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		if ids, err = randomIDs(ctx, tx, table, where, n); err != nil {
			return err
		}
		now := ms(db.now())
		for _, id := range ids {
			if err := edit(tx, id, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tracker: touch %s: %w", table, err)
	}
	return ids, nil
}

func randomIDs(ctx context.Context, q querier, table, where string, n int) ([]string, error) {
	if where == "" {
		where = "1"
	}
	rows, err := q.QueryContext(ctx, `SELECT id FROM `+table+` WHERE `+where+` ORDER BY random() LIMIT ?`, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, rows.Err()
}

// addStage appends a stage record to a placement's history.
func addStage(ctx context.Context, tx *sql.Tx, placementID, stage string, at int64) error {
	id, err := nextID(ctx, tx, "placement_stages", prefixStage)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO placement_stages (id, placement_id, stage, created_at) VALUES (?, ?, ?, ?)`,
		id, placementID, stage, at)
	return err
}

func (db *DB) rand() *rand.Rand {
	t := uint64(db.now().UnixNano())
	return rand.New(rand.NewPCG(t, t>>7|1))
}
