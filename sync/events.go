package sync

import (
	"context"
	"fmt"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// The engine's events beyond batches and phases: refusals, re-sends, job
// tasks finished by LinkedIn and waits in the client's pacing. They are
// Progress events, so WithProgress (and package rscotel, which turns them
// into metrics) receives them with the others.

// emitDeadLetter announces a refused record (ProgressDeadLetter), with the
// phase's last counts. Its dead letter holds the record's identity and
// reason, never its contents.
func (r *run) emitDeadLetter(d DeadLetter) {
	if r.e.cfg.progress == nil || r.dry {
		return
	}
	d.Requested = false
	r.e.deliver(Progress{Kind: ProgressDeadLetter, CustomerID: r.cust, RunID: r.id, Phase: kindPhaseOf(d), DeadLetter: &d}, true)
}

// kindPhaseOf is the phase whose records d is about.
func kindPhaseOf(d DeadLetter) Phase {
	if d.Delete {
		return PhaseDeletions
	}
	return kindPhase(d.Kind)
}

// emitResent announces n records of phase p sent again by RetryDeadLetters
// or Resync (ProgressResent), with the run's counts.
func (r *run) emitResent(p Phase, n int64) {
	if r.e.cfg.progress == nil || n == 0 {
		return
	}
	ev := Progress{Kind: ProgressResent, Phase: p, Resent: n}
	r.fill(&ev)
	r.e.send(ev)
}

// taskSettled announces a job task LinkedIn finished (ProgressJobTask):
// its operation, final status and the time from its submission to the poll
// that saw it finished (at most one poll interval late).
func (r *run) taskSettled(pt PendingTask, t rsc.JobTask) {
	if r.e.cfg.progress == nil || pt.At.IsZero() {
		return
	}
	r.e.deliver(Progress{Kind: ProgressJobTask, CustomerID: r.cust, RunID: r.id, Phase: PhaseJobs, DryRun: r.dry,
		JobTask: &JobTaskDone{Op: pt.Op, Status: string(t.Status), Failed: t.ErrorMessage != "" || t.Status == rsc.TaskFailed,
			Latency: max(r.e.cfg.clock.Now().Sub(pt.At), 0)}}, true)
}

// JobTaskDone is a job task LinkedIn finished (ProgressJobTask events).
type JobTaskDone struct {
	Op     string `json:"op"`     // CREATE, UPDATE, RENEW or CLOSE
	Status string `json:"status"` // the task's terminal status
	Failed bool   `json:"failed"` // the operation failed (its reason is in a dead letter, if it is final)
	// Latency is the time from the task's submission to the poll that found
	// it finished; polls come every WithTaskPollInterval, so it is at most
	// one interval late. In JSON, nanoseconds.
	Latency time.Duration `json:"latency"`
}

// noticePacing returns ctx with the client's pacing waits announced
// (rsc.WithPacingNotice): a wait of waitNotice or more becomes a
// ProgressWaiting event and an Info log line, from the goroutine of the
// batch that waits.
func (r *run) noticePacing(ctx context.Context) context.Context {
	return rsc.WithPacingNotice(ctx, func(w rsc.PacingWait) {
		if w.Wait < waitNotice {
			return
		}
		what := fmt.Sprintf("LinkedIn's per-minute quota of %s (%d records), paced by the client", w.Counter, w.Records)
		r.e.announceWait(ctx, r.phase, what, w.Until, nil)
	})
}
