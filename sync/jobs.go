package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/rscgo/rscgo/rsc"
)

// maxTaskRounds bounds the submit-wait-resubmit rounds of one job phase.
const maxTaskRounds = 4

// syncJobs streams jobs (one batch in flight: batch_create is not
// idempotent, so job state moves one batch at a time), then waits until
// every task is terminal. Only then is the phase complete.
func (r *run) syncJobs(ctx context.Context) error {
	err := runPhase(ctx, r, PhaseJobs, r.e.src.Jobs(ctx, r.cp.Phases[PhaseJobs].Cursor), jobPos, jobRecord, r.sendJobs, true)
	if err != nil {
		return err
	}
	return r.settleTasks(ctx)
}

// jobOp is one job operation to submit.
type jobOp struct {
	job   Job
	op    rsc.JobOperation
	close bool // close the job once this operation succeeds
}

// decideOp picks the operation for a job given what LinkedIn holds.
// It returns "" when there is nothing to send.
func decideOp(st JobState, known bool, closed bool) rsc.JobOperation {
	if !known || st.State == jobFailed {
		return rsc.JobCreate // closed jobs too: created, then closed (st.Close)
	}
	switch st.State {
	case jobClosed:
		if closed {
			return ""
		}
		return rsc.JobUpdate // reopened in the ATS
	case jobIntent:
		return rsc.JobUpdate // a CREATE may have been applied: never create twice
	}
	if closed {
		return rsc.JobClose
	}
	return rsc.JobUpdate
}

// sendJobs submits one batch of jobs read from the stream.
func (r *run) sendJobs(ctx context.Context, recs []Job, _ []bool) batchOutcome {
	ops := make([]jobOp, 0, len(recs))
	var o batchOutcome
	for i := range recs {
		j := recs[i]
		st, known := r.cp.Jobs[j.Posting.ExternalJobPostingID]
		op := decideOp(st, known, j.Closed)
		if op == "" {
			o.acked++
			continue
		}
		// A closed job LinkedIn may not hold yet is closed after its
		// CREATE (or UPDATE, after an ambiguous CREATE) succeeds.
		cl := j.Closed && (op == rsc.JobCreate || st.State == jobIntent)
		ops = append(ops, jobOp{job: j, op: op, close: cl})
	}
	r.submitJobs(ctx, ops, &o)
	return o
}

// submitJobs sends job operations. CREATEs are recorded as "intent" in the
// checkpoint before the call, so that after a crash or an ambiguous failure
// (the call may have been applied) they are resent as UPDATE: a job is
// never created twice. Accepted operations are recorded as pending tasks.
func (r *run) submitJobs(ctx context.Context, ops []jobOp, o *batchOutcome) {
	if len(ops) == 0 {
		return
	}
	creates := false
	for _, op := range ops {
		id := op.job.Posting.ExternalJobPostingID
		st := r.cp.Jobs[id]
		st.Close = op.close
		if op.op == rsc.JobCreate {
			st.State = jobIntent
			creates = true
		}
		r.cp.Jobs[id] = st
	}
	if creates {
		if o.err = r.save(ctx); o.err != nil {
			return
		}
	}
	postings := make([]rsc.JobPosting, len(ops))
	for i, op := range ops {
		postings[i] = op.job.Posting
		postings[i].OperationType = op.op
	}
	o.sent += int64(len(postings))
	done := make([]bool, len(ops))
	each := func(i int, it rsc.Item[string]) {
		done[i] = true
		op := ops[i]
		id := op.job.Posting.ExternalJobPostingID
		st := r.cp.Jobs[id]
		if it.Err != nil {
			if op.op == rsc.JobCreate {
				st.State = jobFailed // refused before creation
				r.cp.Jobs[id] = st
			}
			o.dead = append(o.dead, r.deadLetter(KindJob, id, "", op.job.ModifiedAt, it.Err))
			return
		}
		prev := st.State
		if op.op == rsc.JobCreate {
			prev = ""
		}
		st.State = jobPending
		r.cp.Jobs[id] = st
		r.cp.Tasks[it.ID] = PendingTask{JobID: id, Op: string(op.op), At: r.e.cfg.clock.Now().UTC(), Prev: prev}
		o.acked++
		if k := dlKey(KindJob, "", id); r.hadDeadLetter(k) {
			o.cleared = append(o.cleared, k)
		}
	}
	err := sendSplit(ctx, r, postings, r.e.client.Jobs.Submit, each)
	if err == nil || !ambiguous(err) {
		o.err = err
		return
	}
	// The call failed without an answer: it may have been applied. Resend
	// the unresolved operations once, CREATE turned into UPDATE (a task
	// that then fails because the job does not exist is resent as CREATE).
	r.e.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "sync: job batch failed ambiguously, resending as UPDATE",
		slog.String("customer", r.cust), slog.String("error", err.Error()))
	var again []jobOp
	var idx []int
	for i, op := range ops {
		if done[i] {
			continue
		}
		if op.op == rsc.JobCreate {
			op.op = rsc.JobUpdate
		}
		again = append(again, op)
		idx = append(idx, i)
	}
	postings = postings[:0]
	for _, op := range again {
		p := op.job.Posting
		p.OperationType = op.op
		postings = append(postings, p)
	}
	ops2 := again
	o.err = sendSplit(ctx, r, postings, r.e.client.Jobs.Submit, func(i int, it rsc.Item[string]) {
		ops[idx[i]] = ops2[i]
		each(idx[i], it)
	})
}

// ambiguous reports whether a failed batch_create may have been applied:
// anything but a refusal before sending or a definite answer from LinkedIn.
func ambiguous(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false // the run stops; intent states make the restart safe
	}
	var rl *rsc.RateLimitError
	if errors.As(err, &rl) {
		return false
	}
	var ae *rsc.APIError
	if errors.As(err, &ae) {
		return ae.StatusCode >= 500
	}
	var au *rsc.AuthError
	return !errors.As(err, &au)
}

// settleTasks waits until every pending job task is terminal, applies the
// outcomes and resubmits what needs another operation (CREATE for an
// UPDATE of a job LinkedIn does not have, UPDATE for a CREATE of a job it
// already has, CLOSE after the CREATE of a closed job).
func (r *run) settleTasks(ctx context.Context) error {
	for round := 0; len(r.cp.Tasks) > 0; round++ {
		if round >= maxTaskRounds {
			return fmt.Errorf("sync: %d job tasks still unsettled after %d rounds", len(r.cp.Tasks), round)
		}
		urns := slices.Sorted(maps.Keys(r.cp.Tasks))
		got, err := r.e.client.Jobs.WaitTasks(ctx, urns, r.e.cfg.pollInterval)
		resend := map[string]rsc.JobOperation{}
		var dead []DeadLetter
		for _, urn := range urns {
			t, ok := got[urn]
			if !ok || !t.Status.Terminal() {
				continue
			}
			pt := r.cp.Tasks[urn]
			delete(r.cp.Tasks, urn)
			st := r.cp.Jobs[pt.JobID]
			msg := strings.ToLower(t.ErrorMessage)
			failed := t.Status == rsc.TaskFailed || t.ErrorMessage != ""
			held := func() {
				if !st.Held {
					r.cp.Phases[PhaseJobs].Acknowledged++ // a distinct job now on LinkedIn
					st.Held = true
				}
			}
			switch {
			case !failed && pt.Op == string(rsc.JobClose):
				held()
				st = JobState{State: jobClosed, Held: true}
			case !failed:
				held()
				st.State = jobPosted
				if st.Close {
					resend[pt.JobID] = rsc.JobClose
				}
			case pt.Op == string(rsc.JobClose) && strings.Contains(msg, "already closed"):
				held()
				st = JobState{State: jobClosed, Held: true}
			case pt.Op != string(rsc.JobCreate) && pt.Op != string(rsc.JobClose) && strings.Contains(msg, "does not exist"):
				st.State = jobFailed
				resend[pt.JobID] = rsc.JobCreate
			case pt.Op == string(rsc.JobCreate) && strings.Contains(msg, "already exists"):
				held()
				st.State = jobPosted
				resend[pt.JobID] = rsc.JobUpdate
			default:
				if pt.Op == string(rsc.JobCreate) {
					st.State = jobFailed
				} else if pt.Prev != "" {
					st.State = pt.Prev
				} else {
					st.State = jobPosted
				}
				d := r.deadLetter(KindJob, pt.JobID, "", pt.At, errors.New(t.ErrorMessage))
				d.Reason = trimReason("job task " + string(t.Status) + ": " + t.ErrorMessage)
				dead = append(dead, d)
			}
			r.cp.Jobs[pt.JobID] = st
		}
		for _, d := range dead {
			fresh, perr := r.putDeadLetter(ctx, d)
			if perr != nil {
				return perr
			}
			if fresh {
				r.cp.Phases[PhaseJobs].Failed++
			}
			r.rep.phase(PhaseJobs).Failed++
		}
		if serr := r.save(ctx); serr != nil {
			return serr
		}
		if err != nil {
			return r.classify(fmt.Errorf("sync: waiting for job tasks: %w", err))
		}
		if len(resend) > 0 {
			if err := r.resendJobs(ctx, resend); err != nil {
				return err
			}
		}
	}
	return nil
}

// resendJobs re-reads jobs from the Source and submits them with the given
// operations.
func (r *run) resendJobs(ctx context.Context, want map[string]rsc.JobOperation) error {
	ids := make(map[string]bool, len(want))
	for id := range want {
		ids[id] = true
	}
	jobs, err := r.lookupJobs(ctx, ids)
	if err != nil {
		return err
	}
	var ops []jobOp
	for _, id := range slices.Sorted(maps.Keys(want)) {
		j, ok := jobs[id]
		if !ok {
			continue // gone from the ATS: its deletion will follow
		}
		op := want[id]
		ops = append(ops, jobOp{job: j, op: op, close: op != rsc.JobClose && r.cp.Jobs[id].Close})
	}
	for start := 0; start < len(ops); start += rsc.MaxBatchSize {
		var o batchOutcome
		r.submitJobs(ctx, ops[start:min(start+rsc.MaxBatchSize, len(ops))], &o)
		for _, d := range o.dead {
			fresh, err := r.putDeadLetter(ctx, d)
			if err != nil {
				return err
			}
			if fresh {
				r.cp.Phases[PhaseJobs].Failed++
			}
		}
		if err := r.save(ctx); err != nil {
			return err
		}
		if o.err != nil {
			return r.classify(o.err)
		}
	}
	return nil
}
