package sync

import (
	"context"
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
	// once per phase and customer, in the run that completes it.
	ProgressCompleted ProgressKind = "completed"
	// ProgressCaughtUp: a pass of an already completed phase reached the
	// end of its stream (an incremental sync of the phase is done).
	ProgressCaughtUp ProgressKind = "caughtUp"
	// ProgressParked: the customer's daily quota is spent (ParkedUntil).
	ProgressParked ProgressKind = "parked"
)

// Progress is one progress event, for a progress bar or an admin page.
// Done of Total is the phase's historical pass as the checkpoint holds it
// (after completion Done stays at Total and Incremental counts later
// records); Run is this run's counts of the phase, with the same names and
// meaning as in the Report.
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
	// RecordsPerMinute is the phase's throughput in this run.
	RecordsPerMinute float64 `json:"recordsPerMinute"`
	// ETA is the estimated time to finish the phase's historical pass; 0
	// when unknown or finished. In JSON, nanoseconds.
	ETA         time.Duration `json:"eta"`
	Completed   bool          `json:"completed"` // the phase's historical pass finished
	CompletedAt time.Time     `json:"completedAt,omitzero"`
	// ParkedUntil is set when the customer's daily quota is spent.
	ParkedUntil time.Time `json:"parkedUntil,omitzero"`
	DryRun      bool      `json:"dryRun,omitempty"`
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
}

// PhaseStatus reads the customer's phase states from store. A customer the
// store does not know has every phase at zero.
func PhaseStatus(ctx context.Context, store Store, customerID string) (map[Phase]PhaseState, error) {
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

func (r *run) emit(p Phase, kind ProgressKind) {
	f := r.e.cfg.progress
	if f == nil {
		return
	}
	pc := r.cp.Phases[p]
	now := r.e.cfg.clock.Now()
	ev := Progress{Kind: kind, CustomerID: r.cust, Phase: p, Done: pc.Done, Total: pc.Total, Incremental: pc.Incremental,
		DeadLettered: pc.DeadLettered, Ineligible: pc.Ineligible, Completed: pc.Completed, CompletedAt: pc.CompletedAt,
		DryRun: r.dry, ParkedUntil: r.parkedUntil}
	if pr := r.rep.Phases[p]; pr != nil {
		ev.Run = *pr
		ev.Run.SkipReasons = maps.Clone(pr.SkipReasons)
	}
	if m := r.meters[p]; m != nil {
		ev.RecordsPerMinute = m.rate(now)
	}
	if ev.Total < ev.Done {
		ev.Total = ev.Done
	}
	if !pc.Completed && ev.RecordsPerMinute > 0 && ev.Total > ev.Done {
		ev.ETA = time.Duration(float64(ev.Total-ev.Done) / ev.RecordsPerMinute * float64(time.Minute))
	}
	f(ev)
}
