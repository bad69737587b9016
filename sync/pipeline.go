package sync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"slices"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// batchOutcome is what sending one batch produced.
type batchOutcome struct {
	sent     int64           // records sent (dry run: that would be sent)
	acked    int64           // records LinkedIn accepted
	newAcked int64           // records that count as new distinct records on LinkedIn
	dead     []DeadLetter    // records refused
	cleared  []string        // dead-letter keys of records that now succeeded
	gone     map[Phase]int64 // deletions acknowledged, by the phase of the kind deleted
	err      error           // the batch could not be completed
}

// phaseKind describes one phase's records to the pipeline.
type phaseKind[T any] struct {
	phase Phase
	pos   func(*T) (time.Time, string) // the record's stream position
	// ident names a record within a batch, where its position's id does
	// not (nil: that id): a deletion's parent is not part of its CursorID.
	ident func(*T) string
	rec   func(*T) Record // the record for the eligibility hook; nil: no hook (deletions)
	send  func(context.Context, []T, []bool) batchOutcome
	// check is the dry run's sender: it validates the records as the
	// client would before sending them, and sends nothing.
	check func(context.Context, []T, []bool) batchOutcome
	// inline sends one batch at a time on the run's goroutine (jobs,
	// because batch_create is not idempotent; deletions, children first).
	inline bool
	// repair, when set, revises a sent batch's outcome on the run's
	// goroutine before the commit (activities: adoptParents).
	repair func(context.Context, []T, []bool, *batchOutcome)
}

// sender returns the function that sends k's records in run r: k.check
// in a dry run, which sends nothing, else k.send.
func sender[T any](r *run, k phaseKind[T]) func(context.Context, []T, []bool) batchOutcome {
	if r.dry {
		return k.check
	}
	return k.send
}

// pbatch is a batch moving through the pipeline.
type pbatch[T any] struct {
	seq  int
	last Cursor // position of the last record read into the batch
	// lastBefore is the position read before the run of records sharing
	// last's position began (see pipeline.add).
	lastBefore Cursor
	// tail names (pipeline.ident) the records read into the batch at
	// last's position, sent or skipped by the eligibility hook.
	tail []string
	// heldPos and heldDone, when the batch's watermark is held before a
	// run of records sharing its last position, are that position and the
	// digests of tail (PhaseCheckpoint.Held).
	heldPos  Cursor
	heldDone []string
	// future is the position of the last record dated in the future read
	// into the batch (PhaseCheckpoint.FutureSent); zero: none.
	future  Cursor
	read    int64 // records read (sent or skipped)
	skipped int64
	// reread counts the records a fresh lane read that are not new
	// (pipeline.isNew): read again, they count as incremental work, not
	// as the pass's progress; skipAgain, those of them skipped by the
	// eligibility hook, which counted as ineligible when first read.
	reread    int64
	skipAgain int64
	// counted holds the digests of the records a fresh lane counts as new
	// that it must remember (FreshLane.Counted), added when b commits.
	counted []string
	recs    []T
	isNew   []bool
	index   map[string]int // stream id → position in recs
	// idents holds index's keys with their hashes, in the order added,
	// and filter a bit for each hash: pipeline.overlaps looks for them in
	// the batches sent before this one at the cost of a bit test each. A
	// record dropped from index (drop) stays in both: at worst a batch
	// waits for an earlier one it need not wait for.
	idents  []identHash
	filter  [filterWords]uint64
	outcome batchOutcome
}

// identHash is a record's ident (pipeline.ident) and its hash.
type identHash struct {
	ident string
	hash  uint64
}

// filterWords is the size of a batch's filter: 4,096 bits, of which a
// batch of 100 records sets about 2.5%.
const filterWords = 64

// filterBit returns the word and the bit of h in a filter.
func filterBit(h uint64) (int, uint64) { return int(h >> 58), 1 << (h & 63) }

func newBatch[T any]() *pbatch[T] {
	return &pbatch[T]{recs: make([]T, 0, rsc.MaxBatchSize), isNew: make([]bool, 0, rsc.MaxBatchSize),
		index: make(map[string]int, rsc.MaxBatchSize), idents: make([]identHash, 0, rsc.MaxBatchSize)}
}

// reset empties a committed batch for reuse, keeping its storage.
func (b *pbatch[T]) reset() {
	clear(b.recs) // drop the records' references
	clear(b.index)
	clear(b.idents)
	*b = pbatch[T]{recs: b.recs[:0], isNew: b.isNew[:0], index: b.index, tail: b.tail[:0], idents: b.idents[:0]}
}

// unread gives back the slot at n, the last one, of a record read but
// not kept.
func (b *pbatch[T]) unread(n int) {
	var zero T
	b.recs[n] = zero
	b.recs = b.recs[:n]
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

// pipeline streams one phase: it reads records after the phase's
// watermark, filters them through the eligibility hook, groups them in
// batches (add), sends up to limit batches at a time (dispatch), receives
// their outcomes (collect) and commits them strictly in order (commitReady):
// the watermark only moves past a batch once it and every batch before it
// are acknowledged, and the checkpoint is saved at every commit.
//
// Batches sent and batches acknowledged but not yet committed (waiting for
// a slower batch before them) count alike against limit, so at most limit
// batches are ever uncommitted: that is what a crash can make the next run
// send again.
type pipeline[T any] struct {
	r     *run
	k     phaseKind[T]
	send  func(context.Context, []T, []bool) batchOutcome
	pc    *PhaseCheckpoint
	ln    lane   // the part of the stream read, and its watermark
	from  Cursor // the watermark when the phase started
	ahead Cursor // now plus the clock skew allowance: a record dated later is in the future
	prev  Cursor // the position of the record read last, to check the Source's order
	// before is the position read last before prev's: where the run of
	// records sharing prev's position began.
	before Cursor
	// full is set when the current batch is full: it is dispatched when
	// the next record is read (or the stream ends), so that its watermark
	// can be held before a run of records sharing its last position that
	// goes on in the next batch (see add).
	full bool
	// held is the committed part of a run of records at one position,
	// from the checkpoint when the phase started (PhaseCheckpoint.Held):
	// those records are not sent again. nil: none.
	held    map[string]bool
	heldPos Cursor
	limit   int // uncommitted batches at most
	// counted, in a fresh lane, is FreshLane.Counted and the digests the
	// batches read since added to it (pipeline.isNew).
	counted map[string]bool

	next       T                  // the record after a full batch, while dispatchFull reads it (add)
	cur        *pbatch[T]         // the batch being filled
	free       []*pbatch[T]       // committed batches, emptied for reuse
	results    chan *pbatch[T]    // batches whose send finished
	toSend     chan sendJob[T]    // batches for the senders
	workers    int                // senders started
	pending    map[int]*pbatch[T] // finished, waiting for the batches before them
	open       []*pbatch[T]       // dispatched and not committed yet, in send order
	seed       maphash.Seed       // of the batches' ident hashes (pbatch.idents)
	nextSeq    int
	nextCommit int
	running    int       // batches being sent
	sending    int       // records in the batches being sent
	err        error     // the first failure: nothing more is dispatched or committed
	yielded    bool      // the slice ends: its batch budget is spent, or its quota
	yieldUntil time.Time // when the quota lets the next batch go; zero: budget spent
	sweep      bool      // the backlog stops for a sweep of the fresh lanes (errSweep)
}

// lane is the part of a phase's stream a pipeline reads and the
// checkpoint fields it commits to: the phase's own (the whole stream, or
// the backlog up to its fresh lane), or its fresh lane's
// (PhaseCheckpoint.Fresh).
type lane struct {
	cursor *Cursor
	held   **HeldRun
	// until, for the backlog of a phase with a fresh lane, is the lane's
	// From: the backlog ends before the first record after it.
	until *Cursor
	// fresh is the fresh lane read; nil for the phase's own.
	fresh *FreshLane
	// sweep is set when a sweep reads a completed phase: its job tasks
	// are left to the phase's own run.
	sweep bool
}

// phaseLane is the lane of the phase's own watermark.
func phaseLane(pc *PhaseCheckpoint) lane {
	ln := lane{cursor: &pc.Cursor, held: &pc.Held}
	if pc.Fresh != nil {
		ln.until = &pc.Fresh.From
	}
	return ln
}

// freshLane is the lane of the phase's fresh lane, which must be open.
func freshLane(pc *PhaseCheckpoint) lane {
	f := pc.Fresh
	return lane{cursor: &f.Cursor, held: &f.Held, fresh: f}
}

// runPhase streams one lane of a phase through a pipeline.
func runPhase[T any](ctx context.Context, r *run, k phaseKind[T], ln lane, stream iter.Seq2[T, error]) error {
	p := &pipeline[T]{r: r, k: k, send: sender(r, k), pc: r.cp.Phases[k.phase], ln: ln, limit: r.e.cfg.inFlight,
		cur: newBatch[T](), pending: map[int]*pbatch[T]{}, seed: maphash.MakeSeed()}
	if k.inline {
		p.limit = 1
	}
	p.results = make(chan *pbatch[T], p.limit)
	p.toSend = make(chan sendJob[T], p.limit)
	// The senders end when the phase does, finished or not: a panic in the
	// Source, a hook or the Store skips finish, and the Manager recovers it.
	// The phase then still waits for the batches being sent, so that the
	// engine is not released, and run again, while a request of this run
	// may land after the next run's newer version of its records.
	defer func() {
		close(p.toSend)
		if !p.k.inline { // an inline batch is sent on this goroutine
			for ; p.running > 0; p.running-- {
				<-p.results
			}
		}
	}()
	p.from = *ln.cursor
	if h := *ln.held; h != nil {
		p.held, p.heldPos = make(map[string]bool, len(h.Done)), h.Pos
		for _, d := range h.Done {
			p.held[d] = true
		}
	}
	p.ahead = r.aheadLimit()
	// A fresh lane's read counts from where this pipeline starts (p.from):
	// what an interrupted sweep read before is behind its watermark.
	if ln.fresh == nil && !p.pc.InPass {
		p.pc.PassFrom, p.pc.InPass = p.from, true
	}
	if f := ln.fresh; f != nil {
		p.counted = make(map[string]bool, len(f.Counted))
		for _, d := range f.Counted {
			p.counted[d] = true
		}
	}
	for v, err := range stream {
		if err != nil {
			p.fail(&SourceError{Phase: k.phase, Err: err})
			break
		}
		if !p.add(ctx, v) {
			break
		}
	}
	return p.finish(ctx)
}

func (p *pipeline[T]) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

// add puts one record read from the stream into the current batch,
// dispatching the batch when it is full. It reports whether to go on. The
// record is read where it is kept, in the batch's next slot, which is
// given back when it is not sent.
func (p *pipeline[T]) add(ctx context.Context, v T) bool {
	if p.full {
		// dispatchFull reads the record through a function value
		// (phaseKind.pos), to which a pointer to v would move every record
		// read to the heap: it reads a copy, made once a batch.
		p.next = v
		ok := p.dispatchFull(ctx, &p.next)
		var zero T
		p.next = zero
		if !ok {
			return false
		}
	}
	b := p.cur
	n := len(b.recs)
	b.recs = append(b.recs, v)
	t, id := p.k.pos(&b.recs[n])
	if !p.from.After(t, id) {
		b.unread(n)
		return true // not after the watermark: the Source ignored since
	}
	if u := p.ln.until; u != nil && u.After(t, id) {
		b.unread(n)
		return false // the fresh lane's: the backlog is read to its end
	}
	key := p.ident(&b.recs[n], id)
	if p.held != nil && p.heldPos.at(t, id) && p.held[digest(key)] {
		b.unread(n)
		return true // committed by an earlier pass, the watermark held before its run
	}
	if !p.inOrder(t, id) {
		b.unread(n)
		return false
	}
	if p.sentThisCycle(t, id) {
		b.unread(n)
		return true
	}
	// A record the Source yields again within one batch (it changed while
	// being read) replaces its earlier copy: LinkedIn refuses a key twice
	// in one call, and the later copy is the newer one.
	dup, again := b.index[key]
	if !again {
		b.read++
		p.r.rep.phase(p.k.phase).Read++
	}
	future := p.track(b, t, id, key, again)
	isNew := true
	if p.k.rec != nil {
		var eligible bool
		if isNew, eligible = p.eligible(ctx, b, n, id, key, future, again); !eligible {
			if again {
				b.drop(dup)
			}
			return true
		}
	}
	if again {
		b.recs[dup] = b.recs[n]
		b.unread(n)
		b.isNew[dup] = b.isNew[dup] || isNew
		return true
	}
	b.index[key] = n
	h := maphash.String(p.seed, key)
	w, bit := filterBit(h)
	b.filter[w] |= bit
	b.idents = append(b.idents, identHash{key, h})
	b.isNew = append(b.isNew, isNew)
	p.full = len(b.recs) == rsc.MaxBatchSize || b.read >= maxReadPerBatch
	return true
}

// inOrder records that the Source yielded the record at (t, id) and reports
// whether it follows the one before, as the watermark relies on: a record
// yielded before one it follows would be passed over by the next pass, so
// it fails the phase with ErrOutOfOrder.
func (p *pipeline[T]) inOrder(t time.Time, id string) bool {
	if p.prev != (Cursor{}) && !p.prev.After(t, id) && !p.prev.at(t, id) {
		p.fail(&SourceError{Phase: p.k.phase, Err: fmt.Errorf("%w: %q (%s) after %q (%s); a Source yields records by modification time, then id (byte order)",
			ErrOutOfOrder, id, t.Format(time.RFC3339Nano), p.prev.ID, p.prev.ModifiedAt.Format(time.RFC3339Nano))})
		return false
	}
	if p.prev == (Cursor{}) {
		p.before = p.from
	} else if p.prev.After(t, id) {
		p.before = p.prev
	}
	p.prev = Cursor{ModifiedAt: t, ID: id}
	return true
}

// sentThisCycle reports whether the record at (t, id) is dated in the
// future and the current cycle over the phases sent it already
// (PhaseCheckpoint.FutureSent).
func (p *pipeline[T]) sentThisCycle(t time.Time, id string) bool {
	m := &p.pc.FutureSent
	return m.Runs == p.r.cp.Runs && m.Pos != (Cursor{}) && t.After(p.ahead.ModifiedAt) && !m.Pos.After(t, id)
}

// track moves the batch's watermark to the record at (t, id), unless it is
// dated in the future, which it reports: such a record is sent, but the
// watermark stays at the last record that is not, so that it is read again
// next pass and no change made meanwhile is passed over.
func (p *pipeline[T]) track(b *pbatch[T], t time.Time, id, key string, again bool) (future bool) {
	if t.After(p.ahead.ModifiedAt) {
		b.future = Cursor{ModifiedAt: t, ID: id}
		if pr := p.r.rep.phase(p.k.phase); !again && p.r.firstFuture(p.k.phase, key) {
			pr.Future++
			if pr.FutureExample == "" {
				pr.FutureExample = id
			}
		}
		return true
	}
	if !b.last.at(t, id) {
		b.tail = b.tail[:0]
	}
	b.last, b.lastBefore = Cursor{ModifiedAt: t, ID: id}, p.before
	b.tail = append(b.tail, key)
	return false
}

// eligible applies the sync rules to the record b.recs[n] of a phase with
// per-record rules (candidates, applications): it reports whether the
// record counts as new (see isNew) and whether it is sent. A record the
// rules skip is taken out of the batch and counted as skipped.
func (p *pipeline[T]) eligible(ctx context.Context, b *pbatch[T], n int, id, key string, future, again bool) (isNew, ok bool) {
	rc := p.hookRecord(&b.recs[n])
	isNew = p.isNew(b, rc.created(), id, key, future)
	readAgain := p.ln.fresh != nil && !isNew && !again
	if readAgain {
		b.reread++
	}
	ok, reason := p.r.e.eligible(ctx, rc)
	if ok {
		return isNew, true
	}
	b.unread(n)
	b.skipped++
	if readAgain {
		b.skipAgain++
	}
	p.r.rep.skip(p.k.phase, reason)
	p.full = b.read >= maxReadPerBatch
	return isNew, false
}

// isNew reports whether a record counts as a new distinct record on
// LinkedIn (PhaseCheckpoint.Acknowledged) and as the pass's progress
// (Done), as far as the engine can tell. In the backlog of a pass, every
// record is. After the pass, a record created before the current pass
// began was read by an earlier one. In a fresh lane, a record whose
// earliest position (its creation time and id) lies after the lane's
// watermark when the pipeline started was read by no earlier sweep; a
// record created at or before From (which the backlog may have sent, or
// not: it changed after the pass began) or dated in the future (which
// every sweep reads again) counts once, when the lane first reads it, and
// the lane remembers it (FreshLane.Counted). A record the backlog sent and
// that changed after is thus counted twice, as it was before there were
// lanes.
func (p *pipeline[T]) isNew(b *pbatch[T], created time.Time, id, key string, future bool) bool {
	f := p.ln.fresh
	switch {
	case f == nil && p.pc.Completed:
		return created.After(p.pc.PassFrom.ModifiedAt)
	case f == nil:
		return true
	case future || !created.After(f.From.ModifiedAt):
		d := digest(key)
		if p.counted[d] {
			return false
		}
		if len(p.counted) >= maxCounted {
			return true // counted again if read again, as before there were lanes
		}
		p.counted[d] = true
		b.counted = append(b.counted, d)
		return true
	}
	return p.from.After(created, id)
}

// maxCounted bounds FreshLane.Counted (about 350 KB of checkpoint at 10,000
// digests, written at every commit): past it, a lane counts such records
// without remembering them, so a record read again counts again.
const maxCounted = 10_000

// dispatchFull dispatches the full current batch now that next, the
// record after it, is read. Records may share a position (stages of two
// applications with one id, deleted at one instant): a watermark between
// two of them would pass the second over on resume. So a full batch whose
// last position next shares commits the position before that run instead,
// and the part of the run it commits is named in the checkpoint
// (PhaseCheckpoint.Held), so that however long the run, every pass makes
// progress through it. It reports whether to go on.
func (p *pipeline[T]) dispatchFull(ctx context.Context, next *T) bool {
	p.full = false
	b := p.cur
	if t, id := p.k.pos(next); b.last.at(t, id) {
		b.heldPos, b.heldDone = b.last, make([]string, len(b.tail))
		for i, k := range b.tail {
			b.heldDone[i] = digest(k)
		}
		b.last = b.lastBefore
	}
	return p.dispatch(ctx)
}

// uncount takes back from the report's Read the records of b that were
// not committed (skipped ones are, with their reason): the next pass reads
// them again, and counts them then.
func (p *pipeline[T]) uncount(b *pbatch[T]) {
	p.r.rep.phase(p.k.phase).Read -= b.read - b.skipped
}

// ident names v, whose position's id is id, within a batch: the phase's
// ident, else id.
func (p *pipeline[T]) ident(v *T, id string) string {
	if p.k.ident != nil {
		return p.k.ident(v)
	}
	return id
}

// digest is the short, storable name of a record's identity in
// PhaseCheckpoint.Held (identities may hold NUL, which a JSON store such as
// PostgreSQL's jsonb refuses).
func digest(ident string) string {
	sum := sha256.Sum256([]byte(ident))
	return hex.EncodeToString(sum[:16])
}

// holdRun updates the checkpoint's held run (PhaseCheckpoint.Held) for the
// commit of b: the records b commits at the position its watermark is held
// before are added, and a watermark reaching that position clears it.
func (p *pipeline[T]) holdRun(b *pbatch[T]) {
	held := p.ln.held
	switch h := *held; {
	case b.heldPos != (Cursor{}):
		if h == nil || !h.Pos.at(b.heldPos.ModifiedAt, b.heldPos.ID) {
			h = &HeldRun{Pos: b.heldPos}
			*held = h
		}
		h.Done = append(h.Done, b.heldDone...)
	case h != nil && b.last != (Cursor{}) && !b.last.After(h.Pos.ModifiedAt, h.Pos.ID):
		*held = nil
	}
}

// hookRecord returns the Record of v for the eligibility hook. With a hook
// configured it points to a copy of v, which the hook may keep: v's slot in
// the batch is reused.
func (p *pipeline[T]) hookRecord(v *T) Record {
	if p.r.e.cfg.eligible == nil {
		return p.k.rec(v)
	}
	c := *v
	return p.k.rec(&c)
}

// dispatch sends the current batch once there is room for it. It reports
// whether to go on.
func (p *pipeline[T]) dispatch(ctx context.Context) bool {
	if !p.admit(ctx) {
		return false
	}
	b := p.cur
	p.cur = p.emptyBatch()
	if err := saveEarly(ctx, p.r, p.ln.cursor, b.last); err != nil {
		p.fail(err)
		return false
	}
	b.seq = p.nextSeq
	p.nextSeq++
	p.open = append(p.open, b)
	p.r.used++
	p.running++
	p.sending += len(b.recs)
	if p.k.inline {
		p.work(ctx, b)
		p.collect(ctx)
	} else {
		if p.workers < p.running {
			// One sender a batch in flight, kept for the phase: a
			// goroutine started for each batch grows its stack each time.
			p.workers++
			go p.sender()
		}
		p.toSend <- sendJob[T]{ctx, b}
	}
	return p.err == nil
}

// sendJob is a batch for a sender to send.
type sendJob[T any] struct {
	ctx context.Context
	b   *pbatch[T]
}

// sender sends the batches dispatch gives it until finish closes toSend.
func (p *pipeline[T]) sender() {
	for j := range p.toSend {
		p.work(j.ctx, j.b)
	}
}

// admit checks the slice budget and consent, waits until fewer than limit
// batches are uncommitted (one while the customer is narrowed after a
// daily-quota park) and none of them holds a record of the current batch
// (overlaps), then asks WithYieldWhen's function.
func (p *pipeline[T]) admit(ctx context.Context) bool {
	if p.err != nil {
		return false
	}
	r := p.r
	if r.budget > 0 && r.used >= r.budget {
		p.yielded = true
		return false
	}
	if p.ln.until != nil && p.nextSeq > 0 && r.sweepDue() { // a batch at least, however slow the Source
		p.sweep = true
		return false
	}
	if err := r.checkConsent(ctx); err != nil {
		p.fail(err)
		return false
	}
	limit := p.limit
	if r.e.cfg.clock.Now().Before(r.cp.NarrowUntil) {
		limit = 1
	}
	for p.running+len(p.pending) >= limit || p.overlaps(p.cur) {
		p.collect(ctx)
		if p.err != nil {
			return false
		}
	}
	if r.yieldWhen != nil && r.yieldWhen() {
		p.yielded = true
		return false
	}
	return p.quotaReady(ctx)
}

// quotaReady lets a slice (a run with a batch budget) end instead of
// waiting in the client's records-per-minute pacing while it holds a
// worker: when the current batch and the batches being sent could not all
// go now, it waits for the batches being sent (a finished batch is charged,
// so the answer becomes exact), then ends the slice until the quota allows
// the batch. Jobs are paced per day only.
func (p *pipeline[T]) quotaReady(ctx context.Context) bool {
	r := p.r
	n := len(p.cur.recs)
	if r.budget == 0 || r.dry || n == 0 || p.k.phase == PhaseJobs {
		return true
	}
	for {
		at := r.e.client.ReadyAt(rsc.BucketSync, n+p.sending)
		if !at.After(r.e.cfg.clock.Now()) {
			return true
		}
		if p.running == 0 {
			p.yielded, p.yieldUntil = true, at
			return false
		}
		p.collect(ctx)
		if p.err != nil {
			return false
		}
	}
}

// work sends one batch and hands it to collect. A batch left running when
// another fails finishes anyway; only ctx stops it.
func (p *pipeline[T]) work(ctx context.Context, b *pbatch[T]) {
	if len(b.recs) > 0 {
		b.outcome = p.send(ctx, b.recs, b.isNew)
	}
	p.results <- b
}

// collect waits for one sent batch and commits what is ready.
func (p *pipeline[T]) collect(ctx context.Context) {
	b := <-p.results
	p.running--
	p.sending -= len(b.recs)
	p.pending[b.seq] = b
	p.commitReady(ctx)
}

// commitReady commits the finished batches that follow the last commit.
func (p *pipeline[T]) commitReady(ctx context.Context) {
	for {
		b, ok := p.pending[p.nextCommit]
		if !ok {
			return
		}
		delete(p.pending, p.nextCommit)
		p.nextCommit++
		p.open = slices.Delete(p.open, 0, 1) // b: batches commit in send order
		switch {
		case p.err != nil:
			// A batch before this one failed: its records are sent again
			// by the next run, and counted then.
			p.uncount(b)
		case b.outcome.err != nil:
			p.err = b.outcome.err
			p.uncount(b)
		default:
			if p.k.repair != nil {
				p.k.repair(ctx, b.recs, b.isNew, &b.outcome)
			}
			p.holdRun(b)
			if f := p.ln.fresh; f != nil {
				f.Counted = append(f.Counted, b.counted...)
			}
			if b.future != (Cursor{}) {
				p.pc.FutureSent = FutureMark{Runs: p.r.cp.Runs, Pos: b.future}
			}
			p.fail(p.r.commit(ctx, p.k.phase, p.ln.cursor, b.last, tally{b.read, b.reread, b.skipped, b.skipAgain}, &b.outcome))
		}
		b.reset()
		p.free = append(p.free, b)
	}
}

// overlaps reports whether b holds a record that a batch sent and not
// committed yet holds too: an earlier version of it, which the Source
// yielded again because it changed while being read. b then waits for
// that batch's commit, so that the versions reach LinkedIn in stream order
// (the older one landing last would stay there, behind the watermark) and
// the older version's dead letter is stored before the newer one's answer
// clears it. Batches in flight share no record otherwise, so a record
// costs a bit test per batch in flight (pbatch.filter), and a lookup only
// where its bit is set there.
func (p *pipeline[T]) overlaps(b *pbatch[T]) bool {
	for _, u := range p.open {
		for _, x := range b.idents {
			if w, bit := filterBit(x.hash); u.filter[w]&bit != 0 {
				if _, ok := u.index[x.ident]; ok {
					return true
				}
			}
		}
	}
	return false
}

// emptyBatch returns a committed batch to fill again, or a new one.
func (p *pipeline[T]) emptyBatch() *pbatch[T] {
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free = p.free[:n-1]
		return b
	}
	return newBatch[T]()
}

// finish sends the last partial batch, waits for every batch and returns
// the phase's outcome.
func (p *pipeline[T]) finish(ctx context.Context) error {
	if p.err == nil && !p.yielded && !p.sweep && p.cur.read > 0 {
		p.dispatch(ctx)
	}
	for p.running > 0 {
		p.collect(ctx)
	}
	p.uncount(p.cur) // not sent (the slice ended, or the run failed)
	if p.err == nil && ctx.Err() != nil {
		p.err = ctx.Err()
	}
	if p.err != nil {
		return p.r.classify(p.err)
	}
	switch {
	case !p.yieldUntil.IsZero():
		return &YieldError{CustomerID: p.r.cust, Until: p.yieldUntil, Waiting: perMinuteQuota}
	case p.yielded:
		return ErrYield
	case p.sweep:
		return errSweep
	}
	return nil
}

// eligible asks the eligibility hook, if any.
func (e *Engine) eligible(ctx context.Context, rec Record) (bool, string) {
	if f := e.cfg.eligible; f != nil {
		return f(ctx, rec)
	}
	return true, ""
}

// checkConsent asks the consent guard, if any.
func (r *run) checkConsent(ctx context.Context) error {
	if g := r.e.cfg.consent; g != nil {
		if err := g.CheckConsent(ctx, r.cust); err != nil {
			return &consentError{err}
		}
	}
	return nil
}

// tally is what a committed batch read: records read (sent or skipped),
// of them read again by a fresh lane (pbatch.reread), skipped, and of
// those read again (pbatch.skipAgain).
type tally struct{ read, reread, skipped, skipAgain int64 }

// commit applies an acknowledged batch: dead letters first, then the
// watermark (cursor, moved to last) and counters in one checkpoint save,
// then a progress event.
func (r *run) commit(ctx context.Context, phase Phase, cursor *Cursor, last Cursor, n tally, o *batchOutcome) error {
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
	// A key both accepted and refused in the batch (a Source that lists
	// one stage id twice in an application: LinkedIn keeps one, the client
	// refuses the other) keeps its dead letter.
	var refusedNow map[string]bool
	if len(o.cleared) > 0 && len(o.dead) > 0 {
		refusedNow = make(map[string]bool, len(o.dead))
		for _, d := range o.dead {
			refusedNow[d.Key()] = true
		}
	}
	for _, k := range o.cleared {
		if !refusedNow[k] {
			r.clearDeadLetter(k) // deleted once the counts are saved
		}
	}
	if last != (Cursor{}) {
		*cursor = last
	}
	if pc.Completed {
		pc.Incremental += n.read
	} else {
		pc.Done += n.read - n.reread
		pc.Incremental += n.reread
	}
	pc.Acknowledged += o.newAcked
	for p, n := range o.gone { // the reconciliation's held records
		r.cp.Phases[p].Acknowledged = max(r.cp.Phases[p].Acknowledged-n, 0)
	}
	pc.DeadLettered += newlyFailed
	pc.Ineligible += n.skipped - n.skipAgain
	if m := r.meters[phase]; m != nil {
		m.n += n.read
		if !pc.Completed {
			pc.RecordsPerMinute = m.rate(r.e.cfg.clock.Now())
		}
	}
	pr := r.rep.phase(phase)
	pr.Sent += o.sent
	pr.Acknowledged += o.acked
	pr.Refused += int64(len(o.dead))
	pr.Batches++
	if err := r.save(ctx); err != nil {
		return err
	}
	r.emit(phase, ProgressBatch)
	return nil
}

// clearDeadLetter takes the dead letter k of a record that now succeeded
// (or was deleted in the ATS, or that a retry drops) off the run's dead
// letters and a refusal off its phase's count, and queues its deletion in
// the checkpoint (Checkpoint.Clearing): the next save keeps it with the
// counts, then deletes it. A dry run only counts it.
func (r *run) clearDeadLetter(k string) {
	r.dlMu.Lock()
	old, had := r.dlKeys[k]
	delete(r.dlKeys, k)
	r.dlMu.Unlock()
	if pc := r.cp.Phases[kindPhaseOf(old)]; had && !old.Requested && pc.DeadLettered > 0 {
		pc.DeadLettered--
	}
	if !r.dry {
		r.cp.Clearing = append(r.cp.Clearing, k)
	}
}

// deleteCleared deletes the dead letters the checkpoint queued
// (Checkpoint.Clearing), after a save kept them, then saves the empty
// queue.
func (r *run) deleteCleared(ctx context.Context) error {
	if err := deleteClearing(ctx, r.e.cfg.dead, r.cust, r.cp); err != nil {
		return err
	}
	return r.store(ctx)
}

// deleteClearing deletes the customer's dead letters cp queued
// (Checkpoint.Clearing) and empties the queue, for the caller to save.
func deleteClearing(ctx context.Context, dead DeadLetterStore, cust string, cp *Checkpoint) error {
	for _, k := range cp.Clearing {
		if err := dead.Delete(ctx, cust, k); err != nil {
			return fmt.Errorf("sync: clearing dead letter: %w", err)
		}
	}
	cp.Clearing = nil
	return nil
}

// refused records a refusal outside a batch commit (job tasks): the dead
// letter, and the checkpoint's and the report's counts.
func (r *run) refused(ctx context.Context, phase Phase, d DeadLetter) error {
	fresh, err := r.putDeadLetter(ctx, d)
	if err != nil {
		return err
	}
	if fresh {
		r.cp.Phases[phase].DeadLettered++
	}
	r.rep.phase(phase).Refused++
	return nil
}

// putDeadLetter stores d, escaped (DeadLetter.Escape), keeping the first
// failure time and counting attempts of a record that failed before. It
// is Held only if the refusal before was too (no acceptance came between,
// which would have cleared the letter) and this one still is: a record
// sent as new (a pass begun again after Resync, whose count restarts)
// counts when LinkedIn accepts it. fresh
// reports whether the record had no dead letter yet. A dry run only
// reports it.
func (r *run) putDeadLetter(ctx context.Context, d DeadLetter) (fresh bool, err error) {
	d = d.Escape()
	k := d.Key()
	// Refused again after a clear not yet deleted: the refusal stays.
	r.cp.Clearing = slices.DeleteFunc(r.cp.Clearing, func(c string) bool { return c == k })
	r.dlMu.Lock()
	old, had := r.dlKeys[k]
	r.dlMu.Unlock()
	r.rep.reject(d)
	if r.dry { // kept in the run's own list only, as a real run's count goes
		r.dlMu.Lock()
		r.dlKeys[k] = d
		r.dlMu.Unlock()
		return !had, nil
	}
	if had {
		d.Attempts = old.Attempts + 1
		d.FirstFailedAt = old.FirstFailedAt
		if !old.Requested {
			d.Held = d.Held && old.Held
		}
	}
	if err := r.e.cfg.dead.Put(ctx, r.cust, d); err != nil {
		return false, fmt.Errorf("sync: storing dead letter: %w", err)
	}
	r.dlMu.Lock()
	r.dlKeys[k] = d
	r.dlMu.Unlock()
	r.emitDeadLetter(d)
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
		return &ParkedError{CustomerID: r.cust, Until: until, Err: err, phase: r.phase}
	}
	return err
}

func nextUTCMidnight(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
}
