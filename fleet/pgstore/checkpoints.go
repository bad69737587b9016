package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	gosync "sync"

	"github.com/jackc/pgx/v5"

	rscsync "github.com/rscgo/rscgo/sync"
)

// Checkpoints is a sync.Store. A checkpoint is a row per customer (its
// phases and counters, as jsonb), a row per job and a row per pending
// task. A Save is one transaction; it rewrites the customer's row and
// writes only the jobs and tasks that changed since this store's last Load
// or Save of the customer, or all of them when another store (another
// process) saved the customer since. It keeps, per customer it saw, the
// jobs and tasks the database holds: use one Checkpoints per process, or
// one per unit of work (riverrun does), rather than one per Save.
// Every method refuses a customer id CheckCustomerID refuses, before it
// reads or writes anything.
type Checkpoints struct {
	db    *DB
	mu    gosync.Mutex
	known map[string]*written // by customer
}

// written is what the database holds of a customer's checkpoint, as of
// its generation.
type written struct {
	gen   int64
	jobs  map[string]rscsync.JobState
	tasks map[string]rscsync.PendingTask
}

// Checkpoints returns a checkpoint store of the database.
func (db *DB) Checkpoints() *Checkpoints {
	return &Checkpoints{db: db, known: map[string]*written{}}
}

// Load implements sync.Store.
func (s *Checkpoints) Load(ctx context.Context, customerID string) (*rscsync.Checkpoint, error) {
	if err := CheckCustomerID(customerID); err != nil {
		return nil, err
	}
	var cp *rscsync.Checkpoint
	var w *written
	err := pgx.BeginTxFunc(ctx, s.db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		cp, w, err = loadCheckpoint(ctx, tx, customerID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pgstore: loading the checkpoint of %q: %w", customerID, err)
	}
	s.remember(customerID, w)
	return cp, nil
}

// loadCheckpoint reads the customer's checkpoint in tx (nil when there is
// none) and what it wrote of it.
func loadCheckpoint(ctx context.Context, tx pgx.Tx, customerID string) (*rscsync.Checkpoint, *written, error) {
	var b []byte
	w := &written{}
	err := tx.QueryRow(ctx, "select checkpoint, generation from rscgo_checkpoints where customer_id = $1", customerID).Scan(&b, &w.gen)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, w, nil
	}
	var cp rscsync.Checkpoint
	if err == nil {
		err = json.Unmarshal(b, &cp)
	}
	if err == nil {
		w.jobs, err = loadRows[rscsync.JobState](ctx, tx, "select job_id, state from rscgo_checkpoint_jobs where customer_id = $1", customerID)
	}
	if err == nil {
		w.tasks, err = loadRows[rscsync.PendingTask](ctx, tx, "select task, pending from rscgo_checkpoint_tasks where customer_id = $1", customerID)
	}
	if err != nil {
		return nil, nil, err
	}
	cp.Jobs, cp.Tasks = w.jobs, w.tasks
	return cp.Clone(), w, nil // a deep copy, with every map and phase filled as the engine expects
}

// loadRows reads (key, jsonb) rows into a map.
func loadRows[V any](ctx context.Context, tx pgx.Tx, query, customerID string) (map[string]V, error) {
	rows, err := tx.Query(ctx, query, customerID)
	if err != nil {
		return nil, err
	}
	m := map[string]V{}
	var k string
	var b []byte
	_, err = pgx.ForEachRow(rows, []any{&k, &b}, func() error {
		var v V
		if err := json.Unmarshal(b, &v); err != nil {
			return fmt.Errorf("row %q: %w", k, err)
		}
		m[k] = v
		return nil
	})
	return m, err
}

// remember records w as what the database holds of the customer (nil:
// unknown).
func (s *Checkpoints) remember(customerID string, w *written) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w == nil {
		delete(s.known, customerID)
	} else {
		s.known[customerID] = w
	}
}

// Delete removes the customer's checkpoint (its row, jobs and tasks) in
// one transaction, as an operator's reset does: the customer's next run
// starts a historical sync. Deleting a checkpoint that does not exist is
// no error. A store in another process that saved the customer before
// notices and rewrites its whole checkpoint on its next Save: while the
// customer's sync may be running, delete under the customer's lease
// (lease.Leases.Take, then DeleteTx after the lease's Check), so that the
// running sync's commits are refused instead.
func (s *Checkpoints) Delete(ctx context.Context, customerID string) error {
	if err := CheckCustomerID(customerID); err != nil {
		return err
	}
	err := pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error { return s.deleteTx(ctx, tx, customerID) })
	if err != nil {
		return fmt.Errorf("pgstore: deleting the checkpoint of %q: %w", customerID, err)
	}
	return nil
}

// DeleteTx is Delete inside tx: the checkpoint is gone once tx commits.
// Check a lease in tx first (lease.Lease.Check, a Fence) so that only the
// customer's holder deletes it, as an operator's tool does to reset a
// customer whose sync may be running (fleet/cmd/rscctl).
func (s *Checkpoints) DeleteTx(ctx context.Context, tx pgx.Tx, customerID string) error {
	if err := CheckCustomerID(customerID); err != nil {
		return err
	}
	if err := s.deleteTx(ctx, tx, customerID); err != nil {
		return fmt.Errorf("pgstore: deleting the checkpoint of %q: %w", customerID, err)
	}
	return nil
}

// deleteTx deletes the customer's checkpoint rows in tx: its row first,
// which a Save locks first too, so that a Delete and a Save of another
// process take their locks in one order (no deadlock) and the Delete,
// waiting for the Save's row, then deletes every job and task row the
// Save committed (none is left behind without its checkpoint). An insert
// of the row comes first: while another process's Save inserts the row
// (the customer's first save, or the first after a Delete), it waits for
// that Save, whose rows it would not see otherwise.
func (s *Checkpoints) deleteTx(ctx context.Context, tx pgx.Tx, customerID string) error {
	s.remember(customerID, nil)
	if _, err := tx.Exec(ctx, `insert into rscgo_checkpoints (customer_id, checkpoint) values ($1, '{}')
		on conflict (customer_id) do nothing`, customerID); err != nil {
		return err
	}
	for _, table := range []string{"rscgo_checkpoints", "rscgo_checkpoint_jobs", "rscgo_checkpoint_tasks"} {
		if _, err := tx.Exec(ctx, "delete from "+table+" where customer_id = $1", customerID); err != nil {
			return err
		}
	}
	return nil
}

// Fence is a guard checked inside the transaction of a fenced Save: a
// non-nil error refuses the commit. *lease.Lease implements it.
type Fence interface {
	// Check runs inside tx before a fenced write of the customer's rows
	// (Checkpoints.Fenced, DeadLetters.Fenced); a non-nil error rolls tx
	// back, and the write returns it.
	Check(ctx context.Context, tx pgx.Tx, customerID string) error
}

// Fenced returns a sync.Store over s whose Save checks f and writes the
// checkpoint in one transaction: when f refuses, nothing is written and
// Save returns f's error.
func (s *Checkpoints) Fenced(f Fence) rscsync.Store { return &fenced{s: s, f: f} }

type fenced struct {
	s *Checkpoints
	f Fence
}

func (f *fenced) Load(ctx context.Context, customerID string) (*rscsync.Checkpoint, error) {
	return f.s.Load(ctx, customerID)
}

func (f *fenced) Save(ctx context.Context, customerID string, cp *rscsync.Checkpoint) error {
	return f.s.saveTx(ctx, customerID, cp, f.f)
}

// Save implements sync.Store.
func (s *Checkpoints) Save(ctx context.Context, customerID string, cp *rscsync.Checkpoint) error {
	return s.saveTx(ctx, customerID, cp, nil)
}

// saveTx saves cp in one transaction, after f's check when f is not nil.
func (s *Checkpoints) saveTx(ctx context.Context, customerID string, cp *rscsync.Checkpoint, f Fence) error {
	s.mu.Lock()
	prev := s.known[customerID]
	delete(s.known, customerID) // unknown until the transaction commits
	s.mu.Unlock()
	var next *written
	err := inFence(ctx, s.db.pool, f, customerID, func(tx pgx.Tx) error {
		var err error
		next, err = saveCheckpoint(ctx, tx, customerID, cp, prev)
		if err != nil {
			return fmt.Errorf("pgstore: saving the checkpoint of %q: %w", customerID, err)
		}
		return nil
	})
	if err == nil {
		s.remember(customerID, next)
	}
	return err
}

// saveCheckpoint writes cp in tx: the customer's row, then the jobs and
// tasks that differ from prev when prev is the generation the database
// held, else all of them. It returns what the database then holds, in
// prev's maps (changed: the caller forgot prev).
func saveCheckpoint(ctx context.Context, tx pgx.Tx, customerID string, cp *rscsync.Checkpoint, prev *written) (*written, error) {
	doc := *cp
	doc.Jobs, doc.Tasks = nil, nil
	b, err := json.Marshal(&doc)
	if err != nil {
		return nil, err
	}
	next := &written{}
	// A new row's generation is the database's clock in microseconds, not
	// 1: after a Delete (a reset by another process) the row starts again,
	// and a store that saved the old row must not take the new row's
	// generations for its own (prev.gen below), which counting from 1
	// again would give it.
	err = tx.QueryRow(ctx, `insert into rscgo_checkpoints (customer_id, checkpoint, generation, saved_at)
		values ($1, $2, (extract(epoch from clock_timestamp()) * 1000000)::bigint, now())
		on conflict (customer_id) do update set checkpoint = excluded.checkpoint,
			generation = rscgo_checkpoints.generation + 1, saved_at = excluded.saved_at
		returning generation`, customerID, b).Scan(&next.gen)
	if err != nil {
		return nil, err
	}
	if prev == nil || prev.gen != next.gen-1 {
		// Another store saved the customer since (or this one never read
		// it): start from nothing.
		for _, table := range []string{"rscgo_checkpoint_jobs", "rscgo_checkpoint_tasks"} {
			if _, err := tx.Exec(ctx, "delete from "+table+" where customer_id = $1", customerID); err != nil {
				return nil, err
			}
		}
		prev = &written{}
	}
	var batch pgx.Batch
	next.jobs, err = queueChanges(&batch, "rscgo_checkpoint_jobs", "job_id", "state", customerID, prev.jobs, cp.Jobs)
	if err == nil {
		next.tasks, err = queueChanges(&batch, "rscgo_checkpoint_tasks", "task", "pending", customerID, prev.tasks, cp.Tasks)
	}
	if err == nil && batch.Len() > 0 {
		err = tx.SendBatch(ctx, &batch).Close()
	}
	if err != nil {
		return nil, err
	}
	return next, nil
}

// queueChanges queues in batch the statements that turn the customer's
// rows of table (key column keyCol, jsonb column valCol) from old into
// cur: one upsert of every changed row and one delete of every removed
// one, at most. It returns old (a new map when old is nil), changed into
// a copy of cur.
func queueChanges[V comparable](batch *pgx.Batch, table, keyCol, valCol, customerID string, old, cur map[string]V) (map[string]V, error) {
	if old == nil {
		old = make(map[string]V, len(cur))
	}
	var keys, vals, gone []string
	for k, v := range cur {
		if o, ok := old[k]; ok && o == v {
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		keys, vals = append(keys, k), append(vals, string(b))
		old[k] = v
	}
	for k := range old {
		if _, ok := cur[k]; !ok {
			gone = append(gone, k)
			delete(old, k)
		}
	}
	if len(keys) > 0 {
		batch.Queue(fmt.Sprintf(`insert into %[1]s (customer_id, %[2]s, %[3]s)
			select $1, k, v::jsonb from unnest($2::text[], $3::text[]) as u(k, v)
			on conflict (customer_id, %[2]s) do update set %[3]s = excluded.%[3]s`, table, keyCol, valCol), customerID, keys, vals)
	}
	if len(gone) > 0 {
		batch.Queue(fmt.Sprintf("delete from %s where customer_id = $1 and %s = any($2::text[])", table, keyCol), customerID, gone)
	}
	return old, nil
}
