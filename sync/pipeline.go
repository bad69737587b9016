package sync

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// batchOutcome is what sending one batch produced.
type batchOutcome struct {
	sent     int64        // records sent
	acked    int64        // records LinkedIn accepted
	newAcked int64        // of which count as new distinct records
	dead     []DeadLetter // records refused
	cleared  []string     // dead-letter keys of records that now succeeded
	err      error        // the batch could not be completed
}

// pbatch is a batch moving through the pipeline.
type pbatch[T any] struct {
	seq     int
	last    Cursor // position of the last record read into the batch
	read    int64  // records read (sent or skipped)
	skipped int64
	recs    []T
	isNew   []bool
	index   map[string]int // stream id → position in recs
	outcome batchOutcome
}

// drop removes the record at i (an earlier copy of a record that is no
// longer eligible).
func (b *pbatch[T]) drop(i int) {
	b.recs = slices.Delete(b.recs, i, i+1)
	b.isNew = slices.Delete(b.isNew, i, i+1)
	for id, j := range b.index {
		switch {
		case j == i:
			delete(b.index, id)
		case j > i:
			b.index[id] = j - 1
		}
	}
}

// Records of a stream are grouped in batches of at most rsc.MaxBatchSize.
// A batch that skipped many ineligible records is flushed early so the
// watermark keeps moving.
const maxReadPerBatch = 10 * rsc.MaxBatchSize

// runPhase streams one phase: it reads records after the phase's watermark,
// filters them through the eligibility hook, groups them in batches and
// sends up to inFlight batches at a time (inline sends one at a time on
// the caller's goroutine). Batches are committed strictly in order: the
// watermark only moves past a batch once it and every batch before it are
// acknowledged, and the checkpoint is saved at every commit.
func runPhase[T any](ctx context.Context, r *run, phase Phase, stream iter.Seq2[T, error],
	pos func(*T) (time.Time, string), rec func(*T) Record,
	send func(context.Context, []T, []bool) batchOutcome, inline bool) error {

	pc := r.cp.Phases[phase]
	from := pc.Cursor
	if !pc.InPass {
		pc.PassFrom, pc.InPass = from, true
	}
	inFlight := r.e.cfg.inFlight
	if inline {
		inFlight = 1
	}
	results := make(chan *pbatch[T], inFlight)
	pending := map[int]*pbatch[T]{}
	nextCommit, nextSeq, running := 0, 0, 0
	var firstErr error
	yielded := false

	commitReady := func() {
		for {
			b, ok := pending[nextCommit]
			if !ok {
				return
			}
			delete(pending, nextCommit)
			nextCommit++
			if firstErr != nil {
				continue // a batch before this one failed: its records will be resent
			}
			if b.outcome.err != nil {
				firstErr = b.outcome.err
				continue
			}
			if err := r.commit(ctx, phase, b.last, b.read, b.skipped, &b.outcome); err != nil {
				firstErr = err
			}
		}
	}
	collect := func() {
		b := <-results
		running--
		pending[b.seq] = b
		commitReady()
	}
	newBatch := func() *pbatch[T] {
		return &pbatch[T]{recs: make([]T, 0, rsc.MaxBatchSize), isNew: make([]bool, 0, rsc.MaxBatchSize),
			index: make(map[string]int, rsc.MaxBatchSize)}
	}
	cur := newBatch()
	dispatch := func() bool {
		if firstErr != nil {
			return false
		}
		if r.budget > 0 && r.used >= r.budget {
			yielded = true
			return false
		}
		if g := r.e.cfg.consent; g != nil {
			if err := g.CheckConsent(ctx, r.cust); err != nil {
				firstErr = &consentError{err}
				return false
			}
		}
		limit := inFlight
		if r.e.cfg.clock.Now().Before(r.cp.NarrowUntil) {
			limit = 1
		}
		for running >= limit {
			collect()
			if firstErr != nil {
				return false
			}
		}
		b := cur
		cur = newBatch()
		if bugEarlyCheckpoint && b.last != (Cursor{}) {
			// DELIBERATE BUG, compiled in only with -tags rscgo_bugdemo
			// (bugdemo_on.go): the watermark is saved before the batch is
			// acknowledged, so a crash now loses its records. The
			// crash-resume suite in internal/chaos must catch it.
			pc.Cursor = b.last
			if err := r.save(ctx); err != nil {
				firstErr = err
				return false
			}
		}
		b.seq = nextSeq
		nextSeq++
		r.used++
		running++
		work := func() {
			if len(b.recs) > 0 {
				b.outcome = send(ctx, b.recs, b.isNew) // left to finish when another fails; only ctx stops it
			}
			results <- b
		}
		if inline {
			work()
			collect()
		} else {
			go work()
		}
		return firstErr == nil
	}

	for v, err := range stream {
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("sync: reading %s from the source: %w", phaseKeys[phase], err)
			}
			break
		}
		t, id := pos(&v)
		if !from.After(t, id) {
			continue // not after the watermark: the Source ignored since
		}
		cur.last = Cursor{ModifiedAt: t, ID: id}
		// A record the Source yields again within one batch (it changed
		// while being read) replaces its earlier copy: LinkedIn refuses a
		// key twice in one call, and the later copy is the newer one.
		dup, again := cur.index[id]
		if !again {
			cur.read++
			r.rep.phase(phase).Read++
		}
		isNew := true
		if rec != nil {
			rc := rec(&v)
			if f := r.e.cfg.eligible; f != nil {
				if ok, reason := f(ctx, rc); !ok {
					if again {
						cur.drop(dup)
					}
					cur.skipped++
					r.rep.skip(phase, reason)
					if cur.read >= maxReadPerBatch && !dispatch() {
						break
					}
					continue
				}
			}
			if pc.Completed {
				isNew = rc.created().After(pc.PassFrom.ModifiedAt)
			}
		}
		if again {
			cur.recs[dup] = v
			cur.isNew[dup] = cur.isNew[dup] || isNew
			continue
		}
		cur.index[id] = len(cur.recs)
		cur.recs = append(cur.recs, v)
		cur.isNew = append(cur.isNew, isNew)
		if len(cur.recs) == rsc.MaxBatchSize || cur.read >= maxReadPerBatch {
			if !dispatch() {
				break
			}
		}
	}
	if firstErr == nil && !yielded && cur.read > 0 {
		dispatch()
	}
	for running > 0 {
		collect()
	}
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		return r.classify(firstErr)
	}
	if yielded {
		return ErrYield
	}
	return nil
}

// commit applies an acknowledged batch: dead letters first, then the
// watermark and counters in one checkpoint save, then a progress event.
func (r *run) commit(ctx context.Context, phase Phase, last Cursor, read, skipped int64, o *batchOutcome) error {
	var newlyFailed int64
	for _, d := range o.dead {
		fresh, err := r.putDeadLetter(ctx, d)
		if err != nil {
			return err
		}
		if fresh {
			newlyFailed++
		}
	}
	pc := r.cp.Phases[phase]
	for _, k := range o.cleared {
		r.dlMu.Lock()
		old, had := r.dlKeys[k]
		r.dlMu.Unlock()
		if had && !old.Delete && kindPhase(old.Kind) == phase && pc.Failed > 0 {
			pc.Failed--
		}
		if err := r.e.cfg.dead.Delete(ctx, r.cust, k); err != nil {
			return fmt.Errorf("sync: clearing dead letter: %w", err)
		}
		r.dlMu.Lock()
		delete(r.dlKeys, k)
		r.dlMu.Unlock()
	}
	if last != (Cursor{}) {
		pc.Cursor = last
	}
	if pc.Completed {
		pc.Incremental += read
	} else {
		pc.Done += read
	}
	pc.Acknowledged += o.newAcked
	pc.Failed += newlyFailed
	pc.Skipped += skipped
	if m := r.meters[phase]; m != nil {
		m.n += read
		if !pc.Completed {
			pc.RecordsPerMinute = m.rate(r.e.cfg.clock.Now())
		}
	}
	pr := r.rep.phase(phase)
	pr.Sent += o.sent
	pr.Acknowledged += o.acked
	pr.Failed += int64(len(o.dead))
	pr.Batches++
	if err := r.save(ctx); err != nil {
		return err
	}
	r.emit(phase)
	return nil
}

// putDeadLetter stores d, keeping the first failure time and counting
// attempts of a record that failed before. fresh reports whether the record
// had no dead letter yet.
func (r *run) putDeadLetter(ctx context.Context, d DeadLetter) (fresh bool, err error) {
	k := d.Key()
	r.dlMu.Lock()
	old, had := r.dlKeys[k]
	r.dlMu.Unlock()
	if had {
		d.Attempts = old.Attempts + 1
		d.FirstFailedAt = old.FirstFailedAt
	}
	if err := r.e.cfg.dead.Put(ctx, r.cust, d); err != nil {
		return false, fmt.Errorf("sync: storing dead letter: %w", err)
	}
	r.dlMu.Lock()
	r.dlKeys[k] = d
	r.dlMu.Unlock()
	r.rep.reject(d)
	return !had, nil
}

// classify turns a daily-quota error into a *ParkedError.
func (r *run) classify(err error) error {
	var rl *rsc.RateLimitError
	if errors.As(err, &rl) && rl.Daily {
		until := rl.ResetAt
		if until.IsZero() {
			until = nextUTCMidnight(r.e.cfg.clock.Now())
		}
		r.parkedUntil = until
		r.cp.NarrowUntil = until.Add(24 * time.Hour) // saved by RunSlice
		return &ParkedError{CustomerID: r.cust, Until: until, Err: err}
	}
	return err
}

func nextUTCMidnight(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
}
