package sync

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	gosync "sync"
	"time"
	"unicode/utf8"

	"github.com/rscgo/rscgo/rsc"
)

// Engine syncs one customer's ATS records to LinkedIn through that
// customer's client (rsc.Client.ForCustomer). The customer is fixed at
// construction, so one engine's checkpoints, dead letters and reports
// never mix customers. Run it once for the historical sync and then again
// whenever the ATS may have changed: every Run continues from the
// checkpoint. An Engine is safe for concurrent use, but its runs are
// serialised: a Run started while another is running fails at once.
type Engine struct {
	client *rsc.Client
	cust   string
	src    Source
	cfg    config

	running      busy
	progressMu   gosync.Mutex       // one progress event at a time
	lastProgress map[Phase]Progress // each phase's last event with counts, under progressMu
}

// NewEngine returns the engine of the customer customerID (the key of its
// checkpoint and dead letters in the stores; not empty), sending src's
// records with client, the customer's client.
func NewEngine(client *rsc.Client, customerID string, src Source, opts ...Option) (*Engine, error) {
	switch {
	case client == nil:
		return nil, errors.New("sync: NewEngine: nil client")
	case customerID == "":
		return nil, errors.New("sync: NewEngine: empty customer id")
	case src == nil:
		return nil, errors.New("sync: NewEngine: nil source")
	}
	cfg, err := newConfig("NewEngine", opts)
	if err != nil {
		return nil, err
	}
	if cfg.store == nil {
		cfg.store = NewMemoryStore()
	}
	if cfg.dead == nil {
		cfg.dead = NewMemoryDeadLetters()
	}
	return &Engine{client: client, cust: customerID, src: src, cfg: cfg}, nil
}

// CustomerID returns the customer the engine syncs.
func (e *Engine) CustomerID() string { return e.cust }

// Store returns the engine's checkpoint store.
func (e *Engine) Store() Store { return e.cfg.store }

// DeadLetters returns the engine's dead-letter store.
func (e *Engine) DeadLetters() DeadLetterStore { return e.cfg.dead }

// State returns the customer's persisted phase states (see PhaseStatus).
func (e *Engine) State(ctx context.Context) (map[Phase]PhaseState, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	return PhaseStatus(ctx, e.cfg.store, e.cust)
}

// Run syncs the customer until every phase is caught up: each phase reads
// its stream from the watermark to the current end (the historical window
// on the first run), then the deletions are sent. Call it again for the
// incremental sync. A cancelled or failed Run keeps every acknowledged batch:
// the next Run sends again at most the uncommitted batches (WithInFlight).
//
// When LinkedIn's daily quota is spent, Run waits until it resets (UTC
// midnight) and continues by itself, unless WithWaitWhenParked(false) was
// given; then it returns a *ParkedError.
func (e *Engine) Run(ctx context.Context) (*Report, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	var total *Report
	for {
		rep, err := e.RunSlice(ctx, 0)
		if total == nil {
			total = rep
		} else if rep != nil {
			total.merge(rep)
		}
		var pe *ParkedError
		if errors.As(err, &pe) && e.cfg.waitParked && !e.cfg.dryRun {
			e.announceWait(ctx, pe.phase, "the daily quota's reset (UTC midnight)", pe.Until, nil)
			if werr := e.cfg.clock.Sleep(ctx, pe.Until.Sub(e.cfg.clock.Now())); werr != nil {
				return total, werr
			}
			continue
		}
		return total, err
	}
}

// RunSlice is one unit of work of a Run: it sends at most maxBatches
// batches (0 = no limit) and returns ErrYield if work remains, a
// *ParkedError if the daily quota is spent, or nil once caught up. With a
// limit, it never waits for the client's per-minute pacing, job tasks
// LinkedIn has not finished, or LinkedIn's per-minute throttle: when the
// next batch or poll may only go later, it returns a *YieldError saying
// when (it matches ErrYield), so the caller can run another customer
// meanwhile. (The client's own retries, rsc.RetryPolicy, still wait within
// the call.) Every
// acknowledged batch is checkpointed, so RunSlice may run on any machine
// that shares the Store (see the package documentation on job queues).
func (e *Engine) RunSlice(ctx context.Context, maxBatches int) (*Report, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if !e.running.acquire() {
		return nil, e.errAlreadyRunning()
	}
	defer e.running.release()
	r, err := e.newRun(ctx, maxBatches)
	if err != nil {
		return nil, err
	}
	pctx := r.noticePacing(ctx)
	err = r.serveJobResyncs(pctx)
	if err == nil {
		err = r.all(pctx)
	}
	r.finish(ctx, err)
	if !r.parkedUntil.IsZero() && !r.dry {
		if serr := r.save(ctx); serr != nil { // remember to resume narrow
			err = errors.Join(err, serr)
		}
		r.emit(r.phase, ProgressParked)
	}
	return r.rep, err
}

// yieldKey is the context key of WithYieldWhen's function.
type yieldKey struct{}

// WithYieldWhen returns ctx carrying stop, which RunSlice calls before
// each batch it would send: once stop returns true, the slice ends as if
// its batch budget were spent (ErrYield), after the batches already sent
// are answered and committed, so that nothing is sent twice. A runner that
// holds a customer under a lease uses it to hand the customer over before
// the lease ends (fleet/riverrun). Run, which has no budget, ignores it.
// stop must be fast. Given a nil ctx, it returns nil, which every call
// of the package refuses ("sync: nil context").
func WithYieldWhen(ctx context.Context, stop func() bool) context.Context {
	if ctx == nil {
		return nil
	}
	return context.WithValue(ctx, yieldKey{}, stop)
}

func (e *Engine) errAlreadyRunning() error {
	return fmt.Errorf("sync: customer %s is already running", e.cust)
}

// busy lets one run at a time in.
type busy struct {
	mu gosync.Mutex
	on bool
}

// acquire reports whether the caller may run, and marks it running.
func (b *busy) acquire() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.on {
		return false
	}
	b.on = true
	return true
}

func (b *busy) release() {
	b.mu.Lock()
	b.on = false
	b.mu.Unlock()
}

// run is the state of one RunSlice (or dry run, or dead-letter retry).
type run struct {
	e      *Engine
	id     string // Progress.RunID
	cust   string
	cp     *Checkpoint
	rep    *Report
	dry    bool // a dry run: checks records, sends nothing, saves nothing
	budget int  // batches allowed, 0 = unlimited
	used   int
	// yieldWhen, when not nil, ends a slice before its next batch once it
	// returns true (WithYieldWhen).
	yieldWhen func() bool
	meters    map[Phase]*meter

	parkedUntil time.Time
	phase       Phase // the phase running

	dlMu   gosync.Mutex
	dlKeys map[string]DeadLetter // dead letters present when the run started
	// resyncJobs are the jobs a retry sends for a resync request (ids as
	// the Source knows them): one closed on both sides is closed again.
	resyncJobs map[string]bool

	// future holds the records dated in the future the run read, by phase
	// and identity: a sweep and the backlog's end may read one twice, and
	// the report counts it once (PhaseReport.Future).
	future map[phaseIdent]bool

	bufs struct { // what the batches being sent need, reused
		candidates   slicePool[rsc.Candidate]
		applications slicePool[rsc.Application]
		sent         slicePool[wholeRecord] // sendWhole
		accepted     slicePool[bool]        // sendApplications
		positions    slicePool[int]         // sendSplit
	}
}

// phaseIdent names a record of a phase (pipeline.ident).
type phaseIdent struct {
	phase Phase
	ident string
}

// firstFuture reports whether the run reads the record ident of phase p,
// dated in the future, for the first time.
func (r *run) firstFuture(p Phase, ident string) bool {
	k := phaseIdent{p, ident}
	if r.future[k] {
		return false
	}
	if r.future == nil {
		r.future = map[phaseIdent]bool{}
	}
	r.future[k] = true
	return true
}

// load reads the customer's checkpoint; nil when there is none.
func (e *Engine) load(ctx context.Context) (*Checkpoint, error) {
	cp, err := e.cfg.store.Load(ctx, e.cust)
	if err != nil {
		return nil, fmt.Errorf("sync: loading checkpoint: %w", err)
	}
	if cp != nil && cp.CustomerID != e.cust {
		return nil, fmt.Errorf("sync: the store returned the checkpoint of customer %q for customer %q", cp.CustomerID, e.cust)
	}
	return cp, nil
}

func (e *Engine) newRun(ctx context.Context, budget int) (*run, error) {
	now := e.cfg.clock.Now()
	cust := e.cust
	cp, err := e.load(ctx)
	if err != nil {
		return nil, err
	}
	fresh := cp == nil
	if fresh {
		cp = newCheckpoint(cust)
	}
	dry := e.cfg.dryRun
	if dry {
		budget = 0
	}
	r := &run{e: e, id: rand.Text(), cust: cust, cp: cp, rep: newReport(cust, dry, now), budget: budget, dry: dry,
		meters: map[Phase]*meter{}, dlKeys: map[string]DeadLetter{}}
	if budget > 0 {
		r.yieldWhen, _ = ctx.Value(yieldKey{}).(func() bool)
	}
	r.rep.Historical = cp.historical()
	if err := r.checkConsent(ctx); err != nil {
		return nil, err
	}
	if fresh {
		cp.StartedAt = now
		if e.cfg.window > 0 {
			cp.WindowFrom = now.Add(-e.cfg.window).UTC()
		}
		for _, p := range Phases() {
			cp.Phases[p].Cursor = Cursor{ModifiedAt: cp.WindowFrom}
		}
		// Records deleted before the first run were never sent.
		cp.Phases[PhaseDeletions].Cursor = r.deletionsStart()
		if err := r.save(ctx); err != nil {
			return nil, err
		}
	}
	r.clampWatermarks(ctx)
	// Dead letters an earlier run cleared, the process stopping before it
	// deleted them all: deleted now (a dry run passes them over).
	cleared := map[string]bool{}
	switch {
	case len(cp.Clearing) == 0:
	case dry:
		for _, k := range cp.Clearing {
			cleared[k] = true
		}
	default:
		if err := r.deleteCleared(ctx); err != nil {
			return nil, err
		}
	}
	dead := map[Phase]int64{}
	for d, err := range e.cfg.dead.List(ctx, cust) {
		if err != nil {
			return nil, fmt.Errorf("sync: listing dead letters: %w", err)
		}
		if cleared[d.Key()] {
			continue
		}
		r.dlKeys[d.Key()] = d
		if !d.Requested { // a resync request is no refusal
			dead[kindPhaseOf(d)]++
		}
	}
	// The store is the truth: a process that stopped between a dead-letter
	// write and the checkpoint's commit left the count behind it.
	for _, p := range allPhases {
		cp.Phases[p].DeadLettered = dead[p]
	}
	r.countTotals(ctx)
	return r, nil
}

// countTotals sets each phase's Total from the Source's count of the
// records in the window; a failure is logged, and the totals stay.
func (r *run) countTotals(ctx context.Context) {
	t, err := r.e.src.Totals(ctx, r.cp.WindowFrom)
	if err != nil {
		r.e.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "sync: counting source totals failed", slog.String("customer", r.cust), slog.String("error", err.Error()))
		return
	}
	r.cp.Phases[PhaseJobs].Total = t.Jobs
	r.cp.Phases[PhaseCandidates].Total = t.Candidates
	r.cp.Phases[PhaseApplications].Total = t.Applications
	r.cp.Phases[PhaseActivities].Total = t.Activities
}

// aheadLimit is the furthest position a watermark may take: now plus the
// clock skew allowance.
func (r *run) aheadLimit() Cursor {
	return Cursor{ModifiedAt: r.e.cfg.clock.Now().Add(r.e.cfg.clockSkew).UTC()}
}

// clampWatermarks brings back watermarks that lie ahead of now plus the
// clock skew allowance (saved by an earlier version from a record dated
// in the future) to now minus the allowance, so the records after them
// are read again: reading some twice is cheap, passing one over is not.
func (r *run) clampWatermarks(ctx context.Context) {
	ahead := r.aheadLimit()
	for _, p := range allPhases {
		pc := r.cp.Phases[p]
		cursors := []*Cursor{&pc.Cursor}
		if f := pc.Fresh; f != nil {
			cursors = append(cursors, &f.Cursor)
		}
		for _, c := range cursors {
			if c.ModifiedAt.After(ahead.ModifiedAt) {
				r.e.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "sync: watermark was in the future, brought back before now",
					slog.String("customer", r.cust), slog.String("phase", p.String()), slog.Time("watermark", c.ModifiedAt))
				*c = Cursor{ModifiedAt: r.e.cfg.clock.Now().Add(-r.e.cfg.clockSkew).UTC()}
			}
		}
		if f := pc.Fresh; f != nil && f.Cursor.After(f.From.ModifiedAt, f.From.ID) {
			f.Cursor = f.From // a lane never reads back into the backlog
		}
	}
}

// save saves the checkpoint, then deletes the dead letters it queued
// (deleteCleared). A dry run saves nothing.
func (r *run) save(ctx context.Context) error {
	if r.dry {
		return nil
	}
	if err := r.store(ctx); err != nil {
		return err
	}
	if len(r.cp.Clearing) == 0 {
		return nil
	}
	return r.deleteCleared(ctx)
}

// store writes the checkpoint to the Store.
func (r *run) store(ctx context.Context) error {
	r.cp.UpdatedAt = r.e.cfg.clock.Now()
	if err := r.e.cfg.store.Save(ctx, r.cust, r.cp); err != nil {
		return fmt.Errorf("sync: saving checkpoint: %w", err)
	}
	return nil
}

// all runs every phase in order; while the historical pass runs, the
// fresh lanes go first (sweepFresh).
func (r *run) all(ctx context.Context) error {
	if err := r.sweepFresh(ctx); err != nil {
		return err
	}
	for _, p := range allPhases {
		r.phase = p
		r.meters[p] = &meter{start: r.e.cfg.clock.Now()}
		r.e.cfg.logger.LogAttrs(ctx, slog.LevelDebug, "sync: phase", slog.String("customer", r.cust), slog.String("phase", p.String()))
		if err := r.runBacklog(ctx, p); err != nil {
			return err
		}
		if err := r.completePhase(ctx, p); err != nil {
			return err
		}
	}
	r.cp.Runs++
	r.rep.CaughtUp = true
	return r.save(ctx)
}

// runPhase streams lane ln of phase p from the lane's watermark. Job tasks
// (of the jobs phase, and CLOSEs of deleted jobs) must be terminal before
// the phase completes; a sweep leaves them to the phase's own run.
func (r *run) runPhase(ctx context.Context, p Phase, ln lane) error {
	from := *ln.cursor
	src := r.e.src
	var err error
	switch p {
	case PhaseJobs:
		err = runPhase(ctx, r, r.jobKind(), ln, src.Jobs(ctx, from))
	case PhaseCandidates:
		err = runPhase(ctx, r, r.candidateKind(), ln, src.Candidates(ctx, from))
	case PhaseApplications:
		err = runPhase(ctx, r, r.applicationKind(), ln, src.Applications(ctx, from))
	case PhaseActivities:
		err = runPhase(ctx, r, r.activityKind(), ln, src.Activities(ctx, from))
	case PhaseDeletions:
		if r.settleDeletionsStart() {
			from = *ln.cursor
		}
		err = runPhase(ctx, r, r.deletionKind(), ln, src.Deletions(ctx, from))
	}
	if err != nil || r.dry || (p != PhaseJobs && p != PhaseDeletions) || ln.fresh != nil || ln.sweep {
		return err
	}
	return r.settleTasks(ctx)
}

func (r *run) completePhase(ctx context.Context, p Phase) error {
	pc := r.cp.Phases[p]
	pc.InPass = false // the pass reached the end of the stream
	r.rep.phase(p).Completed = true
	if pc.Completed {
		r.emit(p, ProgressCaughtUp)
		return nil
	}
	pc.Completed = true
	pc.CompletedAt = r.e.cfg.clock.Now().UTC()
	if pc.Total < pc.Done {
		pc.Total = pc.Done
	}
	if m := r.meters[p]; m != nil && m.n > 0 {
		pc.RecordsPerMinute = m.rate(r.e.cfg.clock.Now())
	}
	if err := r.save(ctx); err != nil {
		return err
	}
	if r.dry { // completes nothing (its checkpoint is not saved): the next real run does
		r.emit(p, ProgressCaughtUp)
		return nil
	}
	r.e.cfg.logger.LogAttrs(ctx, slog.LevelInfo, "sync: phase completed", slog.String("customer", r.cust),
		slog.String("phase", p.String()), slog.Int64("records", pc.Done))
	r.emit(p, ProgressCompleted)
	return nil
}

// finish fills the report's end fields and reconciliation.
func (r *run) finish(ctx context.Context, err error) {
	r.rep.FinishedAt = r.e.cfg.clock.Now()
	var pe *ParkedError
	if errors.As(err, &pe) {
		r.rep.ParkedUntil = pe.Until
	}
	r.rep.Reconciliation = r.reconcile()
}

// reconcile compares each phase's counts. Its dead letters are the
// checkpoint's count, which the run keeps in step with the store it listed
// when it started (a dry run: as a real run would, without writing).
func (r *run) reconcile() []Reconciliation {
	out := make([]Reconciliation, 0, 4)
	for _, p := range Phases() {
		pc := r.cp.Phases[p]
		x := Reconciliation{Phase: p, ATSTotal: pc.Total, Acknowledged: pc.Acknowledged, DeadLettered: pc.DeadLettered, Ineligible: pc.Ineligible}
		x.Missing = max(x.ATSTotal-x.Acknowledged-x.DeadLettered-x.Ineligible, 0)
		out = append(out, x)
	}
	return out
}

// deadLetter builds a dead letter for a refused record.
func (r *run) deadLetter(kind EntityKind, id, parent string, mod time.Time, err error) DeadLetter {
	now := r.e.cfg.clock.Now().UTC()
	d := DeadLetter{Kind: kind, ID: id, Parent: parent, Attempts: 1, FirstFailedAt: now, LastFailedAt: now, ModifiedAt: mod}
	d.Reason, d.Field, d.Status = describe(err)
	return d
}

// describe turns a per-record error into a reason without record contents.
func describe(err error) (reason, field string, status int) {
	var ve *rsc.ValidationError
	var ee *rsc.EntityError
	var ae *rsc.APIError
	switch {
	case errors.As(err, &ve):
		return "invalid " + ve.Field + ": " + ve.Rule, ve.Field, 0
	case errors.As(err, &ee):
		msg := ee.Message
		if msg == "" {
			msg = fmt.Sprintf("rejected with status %d", ee.Status)
		}
		msg = trimReason(msg)
		return msg, entityField(msg), ee.Status
	case errors.As(err, &ae):
		return trimReason(fmt.Sprintf("batch rejected (%d): %s", ae.StatusCode, ae.Message)), "", ae.StatusCode
	}
	return trimReason(err.Error()), "", 0
}

// entityField finds the field in LinkedIn's per-entity validation message
// ("ERROR :: /title :: field is required ..."), "" when there is none.
func entityField(msg string) string {
	_, rest, ok := strings.Cut(msg, "ERROR :: /")
	if !ok {
		return ""
	}
	field, _, ok := strings.Cut(rest, " :: ")
	if !ok {
		return ""
	}
	return strings.ReplaceAll(field, "/", ".")
}

// trimReason makes a dead letter's reason of an error's text: trailing
// newlines and spaces dropped, at most 500 bytes (and "..."), valid UTF-8
// without NUL.
func trimReason(s string) string {
	const max = 500
	// NUL cannot be stored in PostgreSQL's text and jsonb (pgstore), and
	// LinkedIn's messages may echo a record's value that holds one.
	s = strings.ToValidUTF8(strings.ReplaceAll(strings.TrimRight(s, "\n "), "\x00", "\uFFFD"), "\uFFFD")
	if len(s) > max {
		n := max
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "..."
	}
	return s
}

// hadDeadLetter reports whether a dead letter existed for key when the run
// started (a record that now succeeds clears it).
func (r *run) hadDeadLetter(key string) bool {
	r.dlMu.Lock()
	defer r.dlMu.Unlock()
	_, ok := r.dlKeys[key]
	return ok
}

// deadLettered returns the dead-letter key of a record and whether a dead
// letter existed for it when the run started, as hadDeadLetter, whether
// that letter is a refusal (not a resync request), and whether it is the
// refusal of a record LinkedIn held (DeadLetter.Held); while the run
// knows of no dead letter at all (the common case) it builds no key.
func (r *run) deadLettered(kind EntityKind, parent, id string) (key string, had, refused, held bool) {
	r.dlMu.Lock()
	defer r.dlMu.Unlock()
	if len(r.dlKeys) == 0 {
		return "", false, false, false
	}
	k := dlKey(kind, parent, id)
	d, ok := r.dlKeys[k]
	refused = ok && !d.Requested
	return k, ok, refused, refused && d.Held
}
