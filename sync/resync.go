package sync

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ResyncReason is the Reason of a resync request (RequestResync).
const ResyncReason = "resync requested by an operator"

// RequestResync asks for the records that keys name (the form of
// DeadLetter.Key: "candidate//c1", "stage/a1/s1", "candidateNote/c1/n1")
// to be sent again: for each it stores a dead letter marked Requested,
// with ResyncReason, unless the record already has a dead letter (which a
// retry sends anyway). The next RetryDeadLetters of the key (or of every
// dead letter: the ops console's retry, rscctl's dead retry) reads the
// record again from the Source and sends it, then drops the request, or
// turns it into an ordinary dead letter if LinkedIn refuses the record. A
// key naming ids that are not valid UTF-8 or hold NUL is stored escaped
// (DeadLetter.Escape), under the key the engine uses for them. It
// only writes to the store, so it suits a tool that has no Source;
// Engine.Resync also sends the records at once. now is the request's time
// (FirstFailedAt and LastFailedAt). Every key is checked before anything
// is written, and the store is listed once. It returns the dead letters
// the store holds for the keys, in the keys' order.
func RequestResync(ctx context.Context, dead DeadLetterStore, customerID string, now time.Time, keys ...string) ([]DeadLetter, error) {
	return requestResync(ctx, dead, customerID, now, ResyncReason, keys)
}

// requestResync is RequestResync with the requests' reason.
func requestResync(ctx context.Context, dead DeadLetterStore, customerID string, now time.Time, reason string, keys []string) ([]DeadLetter, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	want, err := resyncRequests(keys, now)
	if err != nil {
		return nil, err
	}
	for i := range want {
		want[i].Reason = reason
	}
	held := map[string]DeadLetter{}
	for old, err := range dead.List(ctx, customerID) {
		if err != nil {
			return nil, err
		}
		held[old.Key()] = old
	}
	for i, d := range want {
		if old, ok := held[d.Key()]; ok {
			want[i] = old
			continue
		}
		if err := dead.Put(ctx, customerID, d); err != nil {
			return nil, err
		}
		held[d.Key()], want[i] = d, d
	}
	return want, nil
}

// resyncRequests returns the resync requests of keys (RequestResync) made
// at now, escaped, or the error of the first key that names no record or
// names a deletion.
func resyncRequests(keys []string, now time.Time) ([]DeadLetter, error) {
	now = now.UTC()
	want := make([]DeadLetter, len(keys))
	for i, key := range keys {
		d, err := ParseDeadLetterKey(key)
		if err != nil {
			return nil, err
		}
		if d.Delete {
			return nil, fmt.Errorf("sync: %q is a deletion's key: a deletion is not resynced (retry its dead letter)", key)
		}
		d = d.Escape() // an id typed that no store can keep
		d.Requested, d.Reason, d.FirstFailedAt, d.LastFailedAt = true, ResyncReason, now, now
		want[i] = d
	}
	return want, nil
}

// requestInMemory adds the requests ds (resyncRequests) to the run's dead
// letters, but for records that have one already, without storing them:
// a dry Resync. It returns their keys.
func (r *run) requestInMemory(ds []DeadLetter) []string {
	keys := make([]string, len(ds))
	r.dlMu.Lock()
	defer r.dlMu.Unlock()
	for i, d := range ds {
		keys[i] = d.Key()
		if _, ok := r.dlKeys[keys[i]]; !ok {
			r.dlKeys[keys[i]] = d
		}
	}
	return keys
}

// Resync sends the records with the given keys (as for RequestResync)
// again now, read again from the Source, whether or not LinkedIn refused
// them before: it requests them (RequestResync) and retries them
// (RetryDeadLetters). A record LinkedIn refuses stays as a dead letter. If
// the engine is running, the requests stay queued for the next retry and
// the error says the engine is busy. A key naming ids that are not valid
// UTF-8 or hold NUL is retried under its escaped key, as RequestResync
// stores it. An engine built WithDryRun(true) stores no request: it checks
// the records as a dry Run does and reports what would be sent, sending
// nothing and changing neither store.
func (e *Engine) Resync(ctx context.Context, keys ...string) (*Report, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if len(keys) == 0 {
		return nil, errors.New("sync: Resync: no key")
	}
	if e.cfg.dryRun {
		ds, err := resyncRequests(keys, e.cfg.clock.Now())
		if err != nil {
			return nil, err
		}
		return e.retry(ctx, nil, ds)
	}
	if err := e.finishClearing(ctx); err != nil {
		return nil, err
	}
	dls, err := RequestResync(ctx, e.cfg.dead, e.cust, e.cfg.clock.Now(), keys...)
	if err != nil {
		return nil, err
	}
	// The keys the requests are stored under: a key naming an unstorable
	// id is stored escaped.
	stored := make([]string, len(dls))
	for i, d := range dls {
		stored[i] = d.Key()
	}
	return e.RetryDeadLetters(ctx, stored...)
}

// finishClearing deletes the dead letters a stopped run cleared but left
// (Checkpoint.Clearing), unless the engine is running (its run does):
// RequestResync must not take such a letter, of a record LinkedIn now
// holds, for a refusal that needs no request, which the retry's own run
// would then delete.
func (e *Engine) finishClearing(ctx context.Context) error {
	if !e.running.acquire() {
		return nil
	}
	defer e.running.release()
	cp, err := e.cfg.store.Load(ctx, e.cust)
	if err != nil || cp == nil || len(cp.Clearing) == 0 {
		return err
	}
	if err := deleteClearing(ctx, e.cfg.dead, e.cust, cp); err != nil {
		return err
	}
	if err := e.cfg.store.Save(ctx, e.cust, cp); err != nil {
		return fmt.Errorf("sync: saving checkpoint: %w", err)
	}
	return nil
}

// RewindPhase makes the customer's next run send phase p again from the
// start of its window (Checkpoint.WindowFrom), keeping every other phase,
// the job states and the dead letters as they are. A completed phase stays
// completed: the records it sends again count as incremental, and only
// those created after the old watermark count as new on LinkedIn. A phase
// still in its historical pass starts that pass again, its counts from
// zero. PhaseDeletions cannot be rewound (records deleted before the first
// sync were never sent). It changes only the Store: stop the customer's
// sync first (a running engine would save its own checkpoint over it), or
// use Engine.RewindPhase. It returns the saved checkpoint, or an error
// wrapping ErrNoCheckpoint for a customer the store does not know.
func RewindPhase(ctx context.Context, store Store, customerID string, p Phase) (*Checkpoint, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if !p.valid() || p == PhaseDeletions {
		return nil, fmt.Errorf("sync: RewindPhase: %s cannot be rewound (only jobs, candidates, applications and activities)", p)
	}
	cp, err := store.Load(ctx, customerID)
	if err != nil {
		return nil, err
	}
	if cp == nil {
		return nil, fmt.Errorf("sync: RewindPhase: customer %s: %w", customerID, ErrNoCheckpoint)
	}
	cp.fill()
	rewind(cp, p)
	if err := store.Save(ctx, customerID, cp); err != nil {
		return nil, err
	}
	return cp, nil
}

// ErrNoCheckpoint says a customer has no checkpoint (it never ran).
var ErrNoCheckpoint = errors.New("no checkpoint")

// rewind moves phase p's watermark back to the window's start.
func rewind(cp *Checkpoint, p Phase) {
	pc := cp.Phases[p]
	start := Cursor{ModifiedAt: cp.WindowFrom}
	pc.Held, pc.FutureSent = nil, FutureMark{} // the pass sends every record again
	if pc.Completed {
		// A pass that began at the old watermark: records created before it
		// are on LinkedIn already.
		if !pc.InPass {
			pc.PassFrom = pc.Cursor
		}
		pc.Cursor, pc.InPass = start, true
		return
	}
	pc.Cursor, pc.PassFrom, pc.InPass = start, start, false
	// The next run's sweep opens the lane again and sends its records
	// again, counted anew.
	pc.Fresh, cp.SweptAt = nil, time.Time{}
	pc.Done, pc.Ineligible = 0, 0
	if p != PhaseJobs { // jobs count as held through their job states
		pc.Acknowledged = 0
	}
}

// RewindPhase is the function RewindPhase on the engine's store, refused
// while the engine runs.
func (e *Engine) RewindPhase(ctx context.Context, p Phase) (*Checkpoint, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if !e.running.acquire() {
		return nil, e.errAlreadyRunning()
	}
	defer e.running.release()
	return RewindPhase(ctx, e.cfg.store, e.cust, p)
}
