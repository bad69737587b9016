package sync

import (
	"context"
	"errors"
	"time"
)

// The fresh lanes (the package documentation's "Fresh lanes"): while a
// phase's historical pass runs, its stream is split at FreshLane.From; the
// backlog (the phase's watermark) reads up to it, the lane after it, and
// sweeps of the lanes go ahead of the backlog.

// DefaultFreshLaneInterval is the default of WithFreshLane.
const DefaultFreshLaneInterval = 5 * time.Minute

// errSweep stops a backlog for a sweep of the fresh lanes; it never leaves
// the run.
var errSweep = errors.New("sync: a sweep of the fresh lanes is due")

// sweepDue reports whether the fresh lanes are to be swept: the engine has
// lanes (WithFreshLane), the historical pass runs, and the last complete
// sweep ended at least the lanes' interval ago (so a backlog goes on for
// that long between two sweeps however long they take).
func (r *run) sweepDue() bool {
	every := r.e.cfg.freshEvery
	return every > 0 && r.cp.historical() && !r.e.cfg.clock.Now().Before(r.cp.SweptAt.Add(every))
}

// sweepFresh, when a sweep is due, reads every fresh lane of the phases
// whose pass runs to the end of its stream, opening the lanes not open
// yet, and the phases the pass completed to the end of theirs. A sweep
// that ends early (a slice's budget, a failure) is not complete: the next
// run goes on with it.
func (r *run) sweepFresh(ctx context.Context) error {
	if !r.sweepDue() {
		return nil
	}
	for _, p := range Phases() {
		pc := r.cp.Phases[p]
		r.phase = p
		if pc.Completed {
			// Read on as the incremental sync does, so that its new records
			// do not wait for a later phase's backlog either; its job tasks
			// are settled when the phase itself runs.
			if err := r.sweepPhase(ctx, p); err != nil {
				return err
			}
			continue
		}
		if pc.Fresh == nil && !r.laneOpens(p) {
			continue
		}
		if pc.Fresh == nil {
			from := Cursor{ModifiedAt: r.cp.StartedAt.Add(-r.e.cfg.clockSkew).UTC()}
			if from.After(pc.Cursor.ModifiedAt, pc.Cursor.ID) {
				from = pc.Cursor // the backlog went further already
			}
			pc.Fresh = &FreshLane{From: from, Cursor: from}
		}
		if err := r.runPhase(ctx, p, freshLane(pc)); err != nil {
			return err
		}
	}
	// Deletions too: a record a lane sent that the ATS then deleted (an
	// erasure, say) must not stay on LinkedIn until the pass ends.
	if err := r.sweepPhase(ctx, PhaseDeletions); err != nil {
		return err
	}
	r.cp.SweptAt = r.e.cfg.clock.Now()
	r.countTotals(ctx) // the records created since count, so progress stays short of done
	return r.save(ctx)
}

// sweepPhase reads phase p from its own watermark to the end of its stream,
// as its incremental sync does, leaving its job tasks to its own run; the
// read is a pass of its own.
func (r *run) sweepPhase(ctx context.Context, p Phase) error {
	r.phase = p
	pc := r.cp.Phases[p]
	ln := phaseLane(pc)
	ln.sweep = true
	if err := r.runPhase(ctx, p, ln); err != nil {
		return err
	}
	pc.InPass = false
	return nil
}

// laneOpens reports whether phase p's fresh lane may open: once the phases
// its records need on LinkedIn completed. Jobs and candidates need none.
// LinkedIn's milestones make new applications (shortlist data) work from
// Job Sync on, and interview feedback evaluates an application LinkedIn
// holds (LinkedIn does not publish its answer to feedback of one it does
// not; the fake refuses it, docs/linkedin-api.md §15). So an application's
// lane opens once the jobs completed, and an activity's once the
// applications did: a new activity of an application still in the backlog
// would be refused.
func (r *run) laneOpens(p Phase) bool {
	switch p {
	case PhaseApplications:
		return r.cp.Phases[PhaseJobs].Completed
	case PhaseActivities:
		return r.cp.Phases[PhaseApplications].Completed
	}
	return true
}

// runBacklog runs phase p from its watermark. When the phase has a fresh
// lane, it stops for a sweep whenever one is due, and once the backlog is
// read to From, the lane's watermark and held run become the phase's
// (unless the lane read nothing, when the backlog's stay): the
// phase is read to the end of its stream as of the run's last sweep, and
// the next run reads on from there.
func (r *run) runBacklog(ctx context.Context, p Phase) error {
	pc := r.cp.Phases[p]
	for {
		err := r.runPhase(ctx, p, phaseLane(pc))
		if errors.Is(err, errSweep) {
			if err := r.sweepFresh(ctx); err != nil {
				return err
			}
			r.phase = p
			continue
		}
		if err != nil || pc.Fresh == nil {
			return err
		}
		// The lane once more, so that a record that left the backlog after
		// the last sweep is read (and counted) before the phase completes.
		if err := r.runPhase(ctx, p, freshLane(pc)); err != nil {
			return err
		}
		if p == PhaseJobs && !r.dry {
			if err := r.settleTasks(ctx); err != nil {
				return err
			}
		}
		if f := pc.Fresh; f.Cursor != f.From || f.Held != nil {
			pc.Cursor, pc.Held = f.Cursor, f.Held
		} // else the lane read nothing: the backlog's watermark is the phase's
		pc.Fresh = nil
		return nil // saved as the phase completes
	}
}
