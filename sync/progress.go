package sync

import (
	"context"
	"log/slog"
	"maps"
	"time"
)

// ProgressKind says what a progress event reports.
type ProgressKind string

// The progress event kinds.
const (
	// ProgressBatch: a batch was committed (acknowledged and checkpointed).
	ProgressBatch ProgressKind = "batch"
	// ProgressCompleted: the phase's historical pass completed. It fires
	// once per phase and customer, in the run that completes it (a dry
	// run, which completes nothing, fires ProgressCaughtUp instead).
	ProgressCompleted ProgressKind = "completed"
	// ProgressCaughtUp: a pass of an already completed phase reached the
	// end of its stream (an incremental sync of the phase is done), or a
	// dry run's pass reached it.
	ProgressCaughtUp ProgressKind = "caughtUp"
	// ProgressParked: the customer's daily quota is spent (ParkedUntil).
	ProgressParked ProgressKind = "parked"
	// ProgressWaiting: the engine waits (Waiting says for what) until
	// WaitUntil: job tasks LinkedIn has not finished, the daily quota's
	// reset, LinkedIn's per-minute throttle. Announced for waits of
	// waitNotice (two seconds) or more, before each one.
	ProgressWaiting ProgressKind = "waiting"
	// ProgressDeadLetter: a record was refused (by LinkedIn or the
	// client's validation) and dead-lettered, or refused again (its
	// Attempts grow). DeadLetter says which record and why; the counts are
	// those of the phase's previous event.
	ProgressDeadLetter ProgressKind = "deadLetter"
	// ProgressResent: a batch of RetryDeadLetters or Resync was sent again
	// and committed; Resent counts its records.
	ProgressResent ProgressKind = "resent"
	// ProgressJobTask: LinkedIn finished a job task (JobTask says which
	// operation, how, and how long after its submission); the counts are
	// those of the phase's previous event.
	ProgressJobTask ProgressKind = "jobTask"
)

// waitNotice is the shortest wait a ProgressWaiting event announces.
const waitNotice = 2 * time.Second

// Progress is one progress event, for a progress bar or an admin page.
// Done of Total is the phase's historical pass as the checkpoint holds it
// (after completion Done stays at Total and Incremental counts later
// records); Run is this run's counts of the phase, with the same names and
// meaning as in the Report. Every event has them: one that reports no
// progress of its own (a refusal, a finished job task, a wait announced
// from a batch's goroutine) carries those of the phase's previous event.
type Progress struct {
	Kind        ProgressKind `json:"kind"`
	CustomerID  string       `json:"customerId"`
	Phase       Phase        `json:"phase"`
	Done        int64        `json:"done"`  // records processed by the historical pass (acknowledged, refused or skipped)
	Total       int64        `json:"total"` // the ATS's total for the phase (Source.Totals)
	Incremental int64        `json:"incremental"`
	// DeadLettered and Ineligible count the phase's records currently
	// refused and skipped, over all runs, as Reconciliation does.
	DeadLettered int64 `json:"deadLettered"`
	Ineligible   int64 `json:"ineligible"`
	// Run counts this run's records of the phase so far, as the run's
	// PhaseReport will.
	Run PhaseReport `json:"run"`
	// RunID identifies the run (Run, RunSlice, a retry) the event is of:
	// every event of one run carries the same, unique among runs, so that
	// a consumer adding up Run's counts over runs (a metrics exporter) can
	// tell where a run's counts start from zero.
	RunID string `json:"runId,omitempty"`
	// RecordsPerMinute is the phase's throughput in this run.
	RecordsPerMinute float64 `json:"recordsPerMinute"`
	// ETA is the estimated time to finish the phase's historical pass; 0
	// when unknown or finished. In JSON, nanoseconds.
	ETA         time.Duration `json:"eta"`
	Completed   bool          `json:"completed"` // the phase's historical pass finished
	CompletedAt time.Time     `json:"completedAt,omitzero"`
	// ParkedUntil is set when the customer's daily quota is spent.
	ParkedUntil time.Time `json:"parkedUntil,omitzero"`
	// Waiting says what the engine waits for (ProgressWaiting events
	// only), for example "3 job tasks LinkedIn has not finished"; WaitUntil
	// is when the wait ends (the next poll, the quota's reset).
	Waiting   string    `json:"waiting,omitempty"`
	WaitUntil time.Time `json:"waitUntil,omitzero"`
	DryRun    bool      `json:"dryRun,omitempty"`
	// DeadLetter is the refused record (ProgressDeadLetter events only):
	// its identity (DeadLetter.Key), reason and attempts, never its
	// contents.
	DeadLetter *DeadLetter `json:"deadLetter,omitempty"`
	// Resent counts the records of a batch sent again (ProgressResent).
	Resent int64 `json:"resent,omitempty"`
	// JobTask is the job task LinkedIn finished (ProgressJobTask).
	JobTask *JobTaskDone `json:"jobTask,omitempty"`
}

// PhaseState is the persisted status of a phase, as package milestones
// consumes it. It survives restarts: it is read from the checkpoint.
type PhaseState struct {
	Done             int64     `json:"done"`
	Total            int64     `json:"total"`
	RecordsPerMinute float64   `json:"recordsPerMinute"`
	Completed        bool      `json:"completed"`
	CompletedAt      time.Time `json:"completedAt,omitzero"`
	DeadLettered     int64     `json:"deadLettered"` // records currently refused
	Ineligible       int64     `json:"ineligible"`   // records skipped as ineligible
	Incremental      int64     `json:"incremental"`
	Cursor           Cursor    `json:"cursor"`
	// WindowFrom is the start of the customer's historical window
	// (Checkpoint.WindowFrom), the same in every phase: a record last
	// modified before it is not sent until it changes. Zero: all history.
	WindowFrom time.Time `json:"windowFrom,omitzero"`
}

// PhaseStatus reads the customer's phase states from store. A customer the
// store does not know has every phase at zero.
func PhaseStatus(ctx context.Context, store Store, customerID string) (map[Phase]PhaseState, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	cp, err := store.Load(ctx, customerID)
	if err != nil {
		return nil, err
	}
	if cp == nil {
		cp = newCheckpoint(customerID)
	}
	out := make(map[Phase]PhaseState, len(allPhases))
	for _, p := range allPhases {
		out[p] = cp.Phases[p].state()
		st := out[p]
		st.WindowFrom = cp.WindowFrom
		out[p] = st
	}
	return out, nil
}

func (pc *PhaseCheckpoint) state() PhaseState {
	s := PhaseState{Done: pc.Done, Total: pc.Total, RecordsPerMinute: pc.RecordsPerMinute,
		Completed: pc.Completed, CompletedAt: pc.CompletedAt, DeadLettered: pc.DeadLettered, Ineligible: pc.Ineligible,
		Incremental: pc.Incremental, Cursor: pc.Cursor}
	if s.Completed && s.Total < s.Done {
		s.Total = s.Done
	}
	return s
}

// meter measures a phase's throughput within one run.
type meter struct {
	start time.Time
	n     int64
}

func (m *meter) rate(now time.Time) float64 {
	el := now.Sub(m.start)
	if el <= 0 || m.n == 0 {
		return 0
	}
	return float64(m.n) / el.Minutes()
}

// wait sleeps d, announcing it (ProgressWaiting and an Info log line) when
// it lasts waitNotice or more. what says what the engine waits for. It may
// run on a batch's goroutine: the event then carries no counts. A slice (a
// run with a batch budget) holds a worker, which a job queue may take back
// before the wait ends (River's JobTimeout, say): it does not wait, but
// returns a *YieldError saying until when, which ends the slice.
func (r *run) wait(ctx context.Context, what string, d time.Duration, counts bool) error {
	if r.budget > 0 && d > 0 {
		return &YieldError{CustomerID: r.cust, Until: r.e.cfg.clock.Now().Add(d), Waiting: what}
	}
	if d >= waitNotice {
		until := r.e.cfg.clock.Now().Add(d)
		r.e.announceWait(ctx, r.phase, what, until, func(ev *Progress) {
			if counts {
				r.fill(ev)
			}
		})
	}
	return r.e.cfg.clock.Sleep(ctx, d)
}

// announceWait logs a wait and sends its progress event; fill, if not
// nil, adds the run's counts, else the event has the phase's last counts.
func (e *Engine) announceWait(ctx context.Context, p Phase, what string, until time.Time, fill func(*Progress)) {
	e.cfg.logger.LogAttrs(ctx, slog.LevelInfo, "sync: waiting", slog.String("customer", e.cust),
		slog.String("phase", p.String()), slog.String("for", what), slog.Time("until", until))
	ev := Progress{Kind: ProgressWaiting, CustomerID: e.cust, Phase: p, Waiting: what, WaitUntil: until, DryRun: e.cfg.dryRun}
	if fill == nil {
		e.deliver(ev, true)
		return
	}
	fill(&ev)
	e.send(ev)
}

// send calls the progress callback with an event that has its counts, one
// event at a time, and remembers them for the events that have none.
func (e *Engine) send(ev Progress) { e.deliver(ev, false) }

// deliver calls the progress callback, one event at a time. An event
// without counts of its own (partial) gets those of the phase's last
// event; the others are remembered.
func (e *Engine) deliver(ev Progress, partial bool) {
	f := e.cfg.progress
	if f == nil {
		return
	}
	e.progressMu.Lock()
	defer e.progressMu.Unlock()
	if e.lastProgress == nil {
		e.lastProgress = map[Phase]Progress{}
	}
	if last, ok := e.lastProgress[ev.Phase]; partial && ok {
		if ev.RunID == "" {
			ev.RunID = last.RunID
		}
		ev.Done, ev.Total, ev.Incremental, ev.DeadLettered, ev.Ineligible = last.Done, last.Total, last.Incremental, last.DeadLettered, last.Ineligible
		ev.Completed, ev.CompletedAt = last.Completed, last.CompletedAt
		if last.RunID == ev.RunID { // the run's own counts so far; another run's are not this one's
			ev.Run, ev.RecordsPerMinute, ev.ETA = last.Run, last.RecordsPerMinute, last.ETA
			ev.Run.SkipReasons = maps.Clone(last.Run.SkipReasons)
		}
	} else if !partial {
		e.lastProgress[ev.Phase] = ev
	}
	f(ev)
}

func (r *run) emit(p Phase, kind ProgressKind) {
	if r.e.cfg.progress == nil {
		return
	}
	ev := Progress{Kind: kind, Phase: p}
	r.fill(&ev)
	r.e.send(ev)
}

// fill sets an event's counts from the checkpoint and the report. Only the
// run's goroutine may call it.
func (r *run) fill(ev *Progress) {
	p := ev.Phase
	pc := r.cp.Phases[p]
	now := r.e.cfg.clock.Now()
	ev.CustomerID, ev.RunID, ev.Done, ev.Total, ev.Incremental = r.cust, r.id, pc.Done, pc.Total, pc.Incremental
	ev.DeadLettered, ev.Ineligible, ev.Completed, ev.CompletedAt = pc.DeadLettered, pc.Ineligible, pc.Completed, pc.CompletedAt
	ev.DryRun, ev.ParkedUntil = r.dry, r.parkedUntil
	if pr := r.rep.Phases[p]; pr != nil {
		ev.Run = *pr
		ev.Run.SkipReasons = maps.Clone(pr.SkipReasons)
	}
	if m := r.meters[p]; m != nil {
		ev.RecordsPerMinute = m.rate(now)
	}
	switch {
	case !pc.Completed && ev.Done > 0 && ev.Total <= ev.Done:
		// Not done until the phase completes: the ATS's count at the run's
		// start (or the last sweep) may lag its new records, which the
		// fresh lanes count as they send them.
		ev.Total = ev.Done + 1
	case ev.Total < ev.Done:
		ev.Total = ev.Done
	}
	if !pc.Completed && ev.RecordsPerMinute > 0 && ev.Total > ev.Done {
		ev.ETA = time.Duration(float64(ev.Total-ev.Done) / ev.RecordsPerMinute * float64(time.Minute))
	}
}
