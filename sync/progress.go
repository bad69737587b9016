package sync

import (
	"context"
	"time"
)

// Progress is one progress event, for a progress bar or an admin page.
// Counts are the phase's historical pass (Done of Total); after the phase
// completed, Done stays at Total and Incremental counts later records.
type Progress struct {
	CustomerID  string
	Phase       Phase
	Done        int64 // records processed (acknowledged, dead-lettered or skipped)
	Total       int64 // the ATS's total for the phase (Source.Totals)
	Incremental int64
	Failed      int64 // records dead-lettered so far
	Skipped     int64 // ineligible records so far
	// RecordsPerMinute is the phase's throughput in this run.
	RecordsPerMinute float64
	// ETA is the estimated time to finish the phase's historical pass; 0
	// when unknown or finished.
	ETA         time.Duration
	Completed   bool // the phase's historical pass finished
	CompletedAt time.Time
	// ParkedUntil is set when the customer's daily quota is spent.
	ParkedUntil time.Time
	DryRun      bool
}

// PhaseState is the persisted status of a phase, as package milestones
// consumes it. It survives restarts: it is read from the checkpoint.
type PhaseState struct {
	Done, Total      int64
	RecordsPerMinute float64
	Completed        bool
	CompletedAt      time.Time
	Failed, Skipped  int64
	Incremental      int64
	Cursor           Cursor
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
		Completed: pc.Completed, CompletedAt: pc.CompletedAt, Failed: pc.Failed, Skipped: pc.Skipped,
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

func (r *run) emit(p Phase) {
	f := r.e.cfg.progress
	if f == nil {
		return
	}
	pc := r.cp.Phases[p]
	now := r.e.cfg.clock.Now()
	ev := Progress{CustomerID: r.cust, Phase: p, Done: pc.Done, Total: pc.Total, Incremental: pc.Incremental,
		Failed: pc.Failed, Skipped: pc.Skipped, Completed: pc.Completed, CompletedAt: pc.CompletedAt, DryRun: r.dry,
		ParkedUntil: r.parkedUntil}
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
