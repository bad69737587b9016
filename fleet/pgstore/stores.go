package pgstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/rscgo/rscgo/inmail"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	rscsync "github.com/rscgo/rscgo/sync"
)

// execer is a pool or a transaction.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// loadDoc decodes the jsonb document row q selects into v, reporting
// whether there is one; what names the document in errors.
func loadDoc(ctx context.Context, q pgx.Row, what, customerID string, v any) (bool, error) {
	var b []byte
	err := q.Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		return false, fmt.Errorf("pgstore: loading the %s of %q: %w", what, customerID, err)
	}
	return true, nil
}

// saveDoc upserts the customer's jsonb document v with the statement
// upsert ($1 the customer, $2 the document).
func saveDoc(ctx context.Context, q execer, upsert, what, customerID string, v any) error {
	_, err := execDoc(ctx, q, upsert, what, customerID, v)
	return err
}

// execDoc runs the statement write ($1 the customer, $2 the customer's
// jsonb document v) and returns its tag.
func execDoc(ctx context.Context, q execer, write, what, customerID string, v any) (pgconn.CommandTag, error) {
	b, err := json.Marshal(v)
	var tag pgconn.CommandTag
	if err == nil {
		tag, err = q.Exec(ctx, write, customerID, b)
	}
	if err != nil {
		return tag, fmt.Errorf("pgstore: saving the %s of %q: %w", what, customerID, err)
	}
	return tag, nil
}

// DeadLetters is a sync.DeadLetterStore: one row per dead letter.
// Every method refuses a customer id CheckCustomerID refuses, before it
// reads or writes anything.
type DeadLetters struct {
	db       *DB
	pageSize int
}

// DeadLetters returns the database's dead-letter store.
func (db *DB) DeadLetters() *DeadLetters { return &DeadLetters{db: db, pageSize: 500} }

// Put implements sync.DeadLetterStore.
func (s *DeadLetters) Put(ctx context.Context, customerID string, d rscsync.DeadLetter) error {
	if err := CheckCustomerID(customerID); err != nil {
		return err
	}
	return putDeadLetter(ctx, s.db.pool, customerID, d)
}

// maxRowKey is the longest dead-letter key stored as it is. The key is in
// the table's primary key, and PostgreSQL refuses an index entry over
// about 2,700 bytes; an ATS id that long (LinkedIn takes 255 characters at
// most, so the record is refused) must still make a dead letter, or the
// customer's sync would stop on it.
const maxRowKey = 1024

// rowKey is the primary-key column of the dead letter whose Key is key:
// key itself, or, over maxRowKey bytes, its first bytes (whole UTF-8
// characters), "…sha256:" and its SHA-256 in hex. That is longer than
// maxRowKey, so it never equals a key stored as it is; the letter column
// keeps the whole key.
func rowKey(key string) string {
	if len(key) <= maxRowKey {
		return key
	}
	return hashedRowKey(key, maxRowKey-60)
}

// hashedRowKey is key's first bytes, up to n and cut at a UTF-8
// character, "…sha256:" and key's SHA-256 in hex.
func hashedRowKey(key string, n int) string {
	for n > 0 && !utf8.RuneStart(key[n]) {
		n--
	}
	sum := sha256.Sum256([]byte(key))
	return key[:n] + "…sha256:" + hex.EncodeToString(sum[:])
}

// legacyRowKey is the row key earlier versions gave a key over maxRowKey
// bytes ("" for a shorter key): 998 bytes at most, so that it could equal
// a key stored as it is, whose letter then overwrote the other. Put and
// Delete remove a row under it only if its letter has the key (letterKey).
func legacyRowKey(key string) string {
	if len(key) <= maxRowKey {
		return ""
	}
	return hashedRowKey(key, maxRowKey-100)
}

// letterKey is, in SQL, the Key (sync.DeadLetter.Key) of a row's letter.
const letterKey = `(case when (letter->>'delete')::boolean then 'delete:' else '' end ||
	case when (letter->>'escaped')::boolean then 'escaped:' else '' end ||
	(letter->>'kind') || '/' || coalesce(letter->>'parent', '') || '/' || (letter->>'id'))`

// putDeadLetter stores d with q, in one statement that also removes its
// row under a legacy key.
func putDeadLetter(ctx context.Context, q execer, customerID string, d rscsync.DeadLetter) error {
	b, err := json.Marshal(d)
	if err == nil {
		key := d.Key()
		_, err = q.Exec(ctx, `with legacy as (delete from rscgo_dead_letters where customer_id = $1 and key = $4 and `+letterKey+` = $5)
			insert into rscgo_dead_letters (customer_id, key, letter) values ($1, $2, $3)
			on conflict (customer_id, key) do update set letter = excluded.letter`, customerID, rowKey(key), b, legacyRowKey(key), key)
	}
	if err != nil {
		return fmt.Errorf("pgstore: storing a dead letter of %q: %w", customerID, err)
	}
	return nil
}

// List implements sync.DeadLetterStore, in Key order (byte order, as Go
// compares strings; a key over 1,024 bytes sorts by its first bytes and a
// digest of it). It reads the dead letters in pages of 500, so a long list
// is never held in memory whole.
func (s *DeadLetters) List(ctx context.Context, customerID string) iter.Seq2[rscsync.DeadLetter, error] {
	return func(yield func(rscsync.DeadLetter, error) bool) {
		if err := CheckCustomerID(customerID); err != nil {
			yield(rscsync.DeadLetter{}, err)
			return
		}
		after := ""
		for {
			page, err := s.page(ctx, customerID, after, s.pageSize)
			if err != nil {
				yield(rscsync.DeadLetter{}, fmt.Errorf("pgstore: listing the dead letters of %q: %w", customerID, err))
				return
			}
			for _, r := range page {
				if !yield(r.letter, nil) {
					return
				}
			}
			if len(page) < s.pageSize {
				return
			}
			after = page[len(page)-1].key
		}
	}
}

// storedLetter is a dead letter and its row's key.
type storedLetter struct {
	key    string
	letter rscsync.DeadLetter
}

// page returns up to n dead letters whose row key is after the given one.
func (s *DeadLetters) page(ctx context.Context, customerID, after string, n int) ([]storedLetter, error) {
	rows, err := s.db.pool.Query(ctx, `select key, letter from rscgo_dead_letters
		where customer_id = $1 and key collate "C" > $2 order by key collate "C" limit $3`, customerID, after, n)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (storedLetter, error) {
		var sl storedLetter
		var b []byte
		if err := r.Scan(&sl.key, &b); err != nil {
			return sl, err
		}
		return sl, json.Unmarshal(b, &sl.letter)
	})
}

// collectJSON decodes the single jsonb column of every row.
func collectJSON[T any](rows pgx.Rows, err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) {
		var b []byte
		var v T
		if err := r.Scan(&b); err != nil {
			return v, err
		}
		return v, json.Unmarshal(b, &v)
	})
}

// Delete implements sync.DeadLetterStore.
func (s *DeadLetters) Delete(ctx context.Context, customerID, key string) error {
	if err := CheckCustomerID(customerID); err != nil {
		return err
	}
	return deleteDeadLetter(ctx, s.db.pool, customerID, key)
}

// deleteDeadLetter deletes a dead letter with q.
func deleteDeadLetter(ctx context.Context, q execer, customerID, key string) error {
	if _, err := q.Exec(ctx, `delete from rscgo_dead_letters where customer_id = $1 and (key = $2 or key = $3 and `+letterKey+` = $4)`,
		customerID, rowKey(key), legacyRowKey(key), key); err != nil {
		return fmt.Errorf("pgstore: deleting a dead letter of %q: %w", customerID, err)
	}
	return nil
}

// DeleteAllTx deletes every dead letter of the customer inside tx, and
// returns how many it deleted. Like Checkpoints.DeleteTx, it is for a
// reset, after a lease's Check in tx.
func (s *DeadLetters) DeleteAllTx(ctx context.Context, tx pgx.Tx, customerID string) (int64, error) {
	if err := CheckCustomerID(customerID); err != nil {
		return 0, err
	}
	tag, err := tx.Exec(ctx, "delete from rscgo_dead_letters where customer_id = $1", customerID)
	if err != nil {
		return 0, fmt.Errorf("pgstore: deleting the dead letters of %q: %w", customerID, err)
	}
	return tag.RowsAffected(), nil
}

// Fenced returns a sync.DeadLetterStore over s whose Put and Delete check
// f in their transaction, as Checkpoints.Fenced does for commits: a
// process that lost the customer's lease can neither add nor remove its
// dead letters.
func (s *DeadLetters) Fenced(f Fence) rscsync.DeadLetterStore { return &fencedDead{s: s, f: f} }

type fencedDead struct {
	s *DeadLetters
	f Fence
}

func (d *fencedDead) Put(ctx context.Context, customerID string, l rscsync.DeadLetter) error {
	return inFence(ctx, d.s.db.pool, d.f, customerID, func(tx pgx.Tx) error { return putDeadLetter(ctx, tx, customerID, l) })
}

func (d *fencedDead) Delete(ctx context.Context, customerID, key string) error {
	return inFence(ctx, d.s.db.pool, d.f, customerID, func(tx pgx.Tx) error { return deleteDeadLetter(ctx, tx, customerID, key) })
}

func (d *fencedDead) List(ctx context.Context, customerID string) iter.Seq2[rscsync.DeadLetter, error] {
	return d.s.List(ctx, customerID)
}

// inFence runs write in one transaction, after f's check of the customer
// when f is not nil: when f refuses, nothing is written. A customer id
// CheckCustomerID refuses is refused before the transaction begins.
func inFence(ctx context.Context, pool *pgxpool.Pool, f Fence, customerID string, write func(pgx.Tx) error) error {
	if err := CheckCustomerID(customerID); err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if f != nil {
			if err := f.Check(ctx, tx, customerID); err != nil {
				return err
			}
		}
		return write(tx)
	})
}

// OnboardingStates is an onboarding.StateStore: one jsonb row per
// customer. A FlowState holds no secret.
// Every method refuses a customer id CheckCustomerID refuses, before it
// reads or writes anything.
type OnboardingStates struct{ db *DB }

// OnboardingStates returns the database's onboarding state store.
func (db *DB) OnboardingStates() *OnboardingStates { return &OnboardingStates{db: db} }

// LoadState implements onboarding.StateStore.
func (s *OnboardingStates) LoadState(ctx context.Context, customerID string) (*onboarding.FlowState, error) {
	if err := CheckCustomerID(customerID); err != nil {
		return nil, err
	}
	var st onboarding.FlowState
	row := s.db.pool.QueryRow(ctx, "select state from rscgo_onboarding_states where customer_id = $1", customerID)
	if ok, err := loadDoc(ctx, row, "onboarding state", customerID, &st); !ok {
		return nil, err
	}
	return &st, nil
}

// SaveState implements onboarding.StateStore.
func (s *OnboardingStates) SaveState(ctx context.Context, st *onboarding.FlowState) error {
	if err := CheckCustomerID(st.CustomerID); err != nil {
		return err
	}
	return saveDoc(ctx, s.db.pool, `insert into rscgo_onboarding_states (customer_id, state) values ($1, $2)
		on conflict (customer_id) do update set state = excluded.state`, "onboarding state", st.CustomerID, st)
}

// InMailCursors is an inmail.CursorUpdater: one jsonb row per customer.
// Its Update locks the customer's row, so any number of inmail.Retrievers
// of one customer, in any number of processes, may share it.
// Every method refuses a customer id CheckCustomerID refuses, before it
// reads or writes anything. As inmail.FileCursors, it refuses a document
// holding a field this version does not know (written by a newer
// version): read without it, the next write would drop it, and what it
// holds (journaled exports, say).
type InMailCursors struct{ db *DB }

// strict decodes a JSON document into v refusing fields v does not have.
type strict struct{ v any }

func (s *strict) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(s.v); err != nil {
		return fmt.Errorf("%w (written by a newer version?)", err)
	}
	return nil
}

// InMailCursors returns the database's InMail cursor store.
func (db *DB) InMailCursors() *InMailCursors { return &InMailCursors{db: db} }

// Load implements inmail.CursorStore.
func (s *InMailCursors) Load(ctx context.Context, customerID string) (inmail.Cursors, error) {
	if err := CheckCustomerID(customerID); err != nil {
		return inmail.Cursors{}, err
	}
	var c inmail.Cursors
	row := s.db.pool.QueryRow(ctx, "select cursors from rscgo_inmail_cursors where customer_id = $1", customerID)
	if ok, err := loadDoc(ctx, row, "InMail cursors", customerID, &strict{&c}); !ok {
		return inmail.Cursors{}, err
	}
	return c, nil
}

// Save implements inmail.CursorStore.
func (s *InMailCursors) Save(ctx context.Context, customerID string, c inmail.Cursors) error {
	if err := CheckCustomerID(customerID); err != nil {
		return err
	}
	return saveDoc(ctx, s.db.pool, upsertInMailCursors, "InMail cursors", customerID, c)
}

// upsertInMailCursors saves a customer's cursors ($1 the customer, $2 the document).
const upsertInMailCursors = `insert into rscgo_inmail_cursors (customer_id, cursors) values ($1, $2)
		on conflict (customer_id) do update set cursors = excluded.cursors`

// errInsertedMeanwhile says that another transaction inserted the row of
// a customer that had none when Update read it.
var errInsertedMeanwhile = errors.New("pgstore: InMail cursors inserted meanwhile")

// Update implements inmail.CursorUpdater. In one transaction it reads the
// customer's row with select ... for update, which waits for any other
// Update of the customer to commit, applies f, and writes the result when
// f reports a change. A customer with no row yet gets one; when another
// transaction inserts it first, Update starts again on that row (f is
// called again).
func (s *InMailCursors) Update(ctx context.Context, customerID string, f func(c *inmail.Cursors) bool) (inmail.Cursors, error) {
	if err := CheckCustomerID(customerID); err != nil {
		return inmail.Cursors{}, err
	}
	for {
		c, err := s.update(ctx, customerID, f)
		if !errors.Is(err, errInsertedMeanwhile) {
			return c, err
		}
	}
}

// update is one attempt of Update.
func (s *InMailCursors) update(ctx context.Context, customerID string, f func(c *inmail.Cursors) bool) (inmail.Cursors, error) {
	var out inmail.Cursors
	err := pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		var c inmail.Cursors
		row := tx.QueryRow(ctx, "select cursors from rscgo_inmail_cursors where customer_id = $1 for update", customerID)
		found, err := loadDoc(ctx, row, "InMail cursors", customerID, &strict{&c})
		if err != nil {
			return err
		}
		out = c.Clone()
		if !f(&c) {
			return nil
		}
		out = c
		if found {
			return saveDoc(ctx, tx, upsertInMailCursors, "InMail cursors", customerID, c)
		}
		tag, err := execDoc(ctx, tx, `insert into rscgo_inmail_cursors (customer_id, cursors) values ($1, $2)
			on conflict (customer_id) do nothing`, "InMail cursors", customerID, c)
		if err == nil && tag.RowsAffected() == 0 {
			err = errInsertedMeanwhile
		}
		return err
	})
	if err != nil {
		return inmail.Cursors{}, err
	}
	return out, nil
}

// MilestoneEvents is a milestones.EventStore and EventAppender: one row per
// event, the customer's first event of each milestone kept. Trackers of any
// number of processes sharing it report each event once, as AppendNew tells
// each the events it inserted.
// Every method refuses a customer id CheckCustomerID refuses, before it
// reads or writes anything.
type MilestoneEvents struct{ db *DB }

// MilestoneEvents returns the database's milestone event store.
func (db *DB) MilestoneEvents() *MilestoneEvents { return &MilestoneEvents{db: db} }

// Load implements milestones.EventStore.
func (s *MilestoneEvents) Load(ctx context.Context, customerID string) ([]milestones.Event, error) {
	if err := CheckCustomerID(customerID); err != nil {
		return nil, err
	}
	rows, err := s.db.pool.Query(ctx, "select event from rscgo_milestone_events where customer_id = $1 order by seq", customerID)
	evs, err := collectJSON[milestones.Event](rows, err)
	if err != nil {
		return nil, fmt.Errorf("pgstore: loading the milestone events of %q: %w", customerID, err)
	}
	if len(evs) == 0 {
		return nil, nil
	}
	return evs, nil
}

// Append implements milestones.EventStore.
func (s *MilestoneEvents) Append(ctx context.Context, customerID string, e milestones.Event) error {
	_, err := s.AppendNew(ctx, customerID, []milestones.Event{e})
	return err
}

// AppendNew implements milestones.EventAppender, in one statement: the
// events are inserted in order, all or none, and of concurrent calls
// inserting the same milestone of the customer, the one whose row is
// committed returns it.
func (s *MilestoneEvents) AppendNew(ctx context.Context, customerID string, evs []milestones.Event) ([]milestones.Event, error) {
	if err := CheckCustomerID(customerID); err != nil {
		return nil, err
	}
	if len(evs) == 0 {
		return nil, nil
	}
	ms := make([]int32, len(evs))
	docs := make([][]byte, len(evs))
	for i, e := range evs {
		b, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("pgstore: appending milestone events of %q: %w", customerID, err)
		}
		ms[i], docs[i] = int32(e.Milestone), b
	}
	// The rows go in the order of evs, so seq (Load's order) follows it.
	rows, err := s.db.pool.Query(ctx, `insert into rscgo_milestone_events (customer_id, milestone, event)
		select $1, m, e from unnest($2::int[], $3::jsonb[]) with ordinality as t(m, e, i) order by i
		on conflict (customer_id, milestone) do nothing
		returning milestone`, customerID, ms, docs)
	var inserted []int32
	if err == nil {
		inserted, err = pgx.CollectRows(rows, pgx.RowTo[int32])
	}
	if err != nil {
		return nil, fmt.Errorf("pgstore: appending milestone events of %q: %w", customerID, err)
	}
	var out []milestones.Event
	for _, e := range evs {
		// A milestone evs holds twice was inserted from its first event.
		if i := slices.Index(inserted, int32(e.Milestone)); i >= 0 {
			out = append(out, e)
			inserted = slices.Delete(inserted, i, i+1)
		}
	}
	return out, nil
}
