package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// maxTaskRounds bounds the submit-wait-resubmit rounds of one job phase.
// The longest chain one job may need in a run is four operations, each
// waiting for its task: a CREATE saved as an intent but never sent is
// tried as an UPDATE (never create twice), checked again once LinkedIn
// answers that the job does not exist, then created, then closed if the
// ATS closed it. Twice that leaves room for a task lost on the way.
const maxTaskRounds = 8

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
		if st.State == jobPending {
			// A task of the job is in flight: a second operation could
			// overtake it (a CLOSE before its CREATE). The change is owed
			// once the task settles (JobState.Changed).
			// The ATS holds it (again): its current row decides, not an
			// earlier deletion's close.
			st.Changed, st.Deleted, st.Close, st.Integration = true, false, false, ""
			r.cp.Jobs[j.Posting.ExternalJobPostingID] = st
			continue
		}
		if st.Deleted { // the ATS has it again
			st.Deleted, st.Integration = false, ""
			r.cp.Jobs[j.Posting.ExternalJobPostingID] = st
		}
		op := decideOp(st, known, j.Closed)
		if op == "" && r.resyncJobs[j.Posting.ExternalJobPostingID] {
			// Asked for again (LinkedIn's RESYNC_JOBS, an operator's
			// resync): LinkedIn's copy may be open although it took the
			// CLOSE (docs/linkedin-api.md §7.9). Closed again; a job it
			// holds closed is answered "already closed", taken as closed.
			op = rsc.JobClose
		}
		if op == "" {
			// LinkedIn holds it as it is (closed on both sides): counted
			// as sent and acknowledged, as a dry run counts it.
			o.sent++
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
	if o.err = r.markIntents(ctx, ops); o.err != nil {
		return
	}
	o.sent += int64(len(ops))
	done := make([]bool, len(ops))
	each := func(i int, it rsc.Item[string]) {
		done[i] = true
		r.jobSubmitted(ops[i], it, o)
	}
	err := sendSplit(ctx, r, postings(ops), r.e.client.Jobs.Submit, each)
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
	for i, op := range ops {
		if done[i] {
			continue
		}
		if op.op == rsc.JobCreate {
			op.op = rsc.JobUpdate
		}
		again = append(again, op)
	}
	o.err = sendSplit(ctx, r, postings(again), r.e.client.Jobs.Submit, func(i int, it rsc.Item[string]) {
		r.jobSubmitted(again[i], it, o)
	})
}

// markIntents records the operations' close flags and the CREATEs' intent,
// saved before a CREATE is sent.
func (r *run) markIntents(ctx context.Context, ops []jobOp) error {
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
	if !creates {
		return nil
	}
	return r.save(ctx)
}

func postings(ops []jobOp) []rsc.JobPosting {
	out := make([]rsc.JobPosting, len(ops))
	for i, op := range ops {
		out[i] = op.job.Posting
		out[i].OperationType = op.op
	}
	return out
}

// jobSubmitted applies LinkedIn's answer to one submitted operation: a
// pending task, or a refusal. Either way the operation is no longer owed.
func (r *run) jobSubmitted(op jobOp, it rsc.Item[string], o *batchOutcome) {
	id := op.job.Posting.ExternalJobPostingID
	st := r.cp.Jobs[id]
	st.Next, st.NotBefore = "", time.Time{}
	var ee *rsc.EntityError
	if errors.As(it.Err, &ee) && ee.Status < 300 {
		// Accepted with no task to follow, or no status or element at all:
		// whether LinkedIn applied it is unknown, as for a lost task.
		pt := PendingTask{JobID: id, Op: string(op.op), At: r.e.cfg.clock.Now().UTC(), Prev: st.State}
		if d := r.taskLost(pt, rsc.JobTask{HTTPStatus: ee.Status, ErrorMessage: ee.Message}, &st); d != nil {
			o.dead = append(o.dead, *d)
		}
		r.cp.Jobs[id] = st
		return
	}
	if errors.As(it.Err, &ee) && ee.Status == http.StatusConflict && op.op == rsc.JobClose {
		// LinkedIn may refuse at once the CLOSE of a job it holds closed
		// or does not hold ("Cannot close job which is already closed or
		// does not exist", docs/linkedin-api.md §7.1): the outcome of such
		// a task, applied as taskDone applies it.
		r.cp.Jobs[id] = st
		pt := PendingTask{JobID: id, Op: string(op.op), At: r.e.cfg.clock.Now().UTC(), Prev: st.State}
		if d := r.taskDone(pt, rsc.JobTask{Status: rsc.TaskFailed, ErrorMessage: ee.Message}); d != nil {
			o.dead = append(o.dead, *d)
			return
		}
		r.owedChange(id)
		o.acked++
		if k := dlKey(KindJob, "", id); r.hadDeadLetter(k) {
			o.cleared = append(o.cleared, k)
		}
		return
	}
	if it.Err != nil {
		if op.op == rsc.JobCreate {
			st.State = jobFailed // refused before creation
		}
		r.cp.Jobs[id] = st
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

// ambiguous reports whether a failed batch_create may have been applied:
// anything but a refusal before sending or a definite answer from LinkedIn.
func ambiguous(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false // the run stops; intent states make the restart safe
	}
	var rl *rsc.RateLimitError
	if errors.As(err, &rl) || errors.Is(err, ErrYield) { // a slice yields to a per-minute 429: refused, not applied
		return false
	}
	var ae *rsc.APIError
	if errors.As(err, &ae) {
		return ae.StatusCode >= 500
	}
	var au *rsc.AuthError
	return !errors.As(err, &au)
}

// settleTasks sends the operations jobs are owed and waits until every
// job task is terminal, applying the outcomes, which may owe another
// operation (CREATE for an UPDATE of a job LinkedIn does not have, UPDATE
// for a CREATE of a job it already has, CLOSE after the CREATE of a closed
// job). Owed operations live in the checkpoint (JobState.Next), saved with
// the task outcome that implies them, so a run stopped before sending them
// (a kill, a cancellation, an auth failure, the daily quota) sends them
// next time.
func (r *run) settleTasks(ctx context.Context) error {
	for round := 0; ; round++ {
		owed, later := r.owedJobs()
		if len(owed) > 0 {
			if err := r.resendJobs(ctx, owed); err != nil {
				return err
			}
		}
		if len(r.cp.Tasks) == 0 && later.IsZero() {
			return nil
		}
		if len(r.cp.Tasks) == 0 {
			if err := r.wait(ctx, "jobs LinkedIn may still be creating", later.Sub(r.e.cfg.clock.Now()), true); err != nil {
				return err
			}
			continue
		}
		if round >= maxTaskRounds {
			return fmt.Errorf("sync: %d job tasks still unsettled after %d rounds", len(r.cp.Tasks), round)
		}
		if err := r.waitTasks(ctx); err != nil {
			return err
		}
	}
}

// owedJobs lists the jobs owed an operation now, by id, and the earliest
// time one owed later is due (zero when none is).
func (r *run) owedJobs() (owed map[string]rsc.JobOperation, later time.Time) {
	owed = map[string]rsc.JobOperation{}
	now := r.e.cfg.clock.Now()
	for id, st := range r.cp.Jobs {
		switch {
		case st.Next == "":
		case st.NotBefore.After(now):
			if later.IsZero() || st.NotBefore.Before(later) {
				later = st.NotBefore
			}
		default:
			owed[id] = rsc.JobOperation(st.Next)
		}
	}
	return owed, later
}

// waitTasks polls the pending tasks until they are terminal (or the wait
// fails), applies the outcomes and saves them.
func (r *run) waitTasks(ctx context.Context) error {
	urns := slices.Sorted(maps.Keys(r.cp.Tasks))
	got, err := r.pollTasks(ctx, urns)
	for _, urn := range urns {
		t, ok := got[urn]
		if !ok || !t.Status.Terminal() {
			continue
		}
		pt := r.cp.Tasks[urn]
		delete(r.cp.Tasks, urn)
		r.taskSettled(pt, t)
		d := r.taskDone(pt, t)
		r.owedChange(pt.JobID)
		if d != nil {
			if err := r.refused(ctx, PhaseJobs, *d); err != nil {
				return err
			}
		}
	}
	if serr := r.save(ctx); serr != nil {
		return serr
	}
	switch {
	case errors.Is(err, ErrYield): // a slice: polled again by the next one
		return err
	case err != nil:
		return r.classify(fmt.Errorf("sync: waiting for job tasks: %w", err))
	}
	return nil
}

// pollTasks polls the tasks every poll interval until all are terminal or
// the polling fails, announcing each wait, and returns the terminal ones.
func (r *run) pollTasks(ctx context.Context, urns []string) (map[string]rsc.JobTask, error) {
	done := make(map[string]rsc.JobTask, len(urns))
	pending := slices.Clone(urns)
	for {
		var got map[string]rsc.JobTask
		err := r.throttled(ctx, func() (err error) {
			got, err = r.e.client.Jobs.Tasks(ctx, pending)
			return err
		})
		if err != nil {
			return done, err
		}
		pending = slices.DeleteFunc(pending, func(u string) bool {
			t, ok := got[u]
			// LinkedIn failed to read it (5xx), or did not mention it.
			unread := !ok || t.Status.Terminal() && t.HTTPStatus >= 500
			pt := r.cp.Tasks[u]
			if unread {
				pt.Unread++
			} else {
				pt.Unread = 0
			}
			r.cp.Tasks[u] = pt // saved by waitTasks
			switch {
			case unread && pt.Unread < maxTaskReadFailures:
				return false // another poll before taking it as lost
			case !ok: // taken as unknown, as LinkedIn answers for an expired task
				t = rsc.JobTask{ID: u, Status: rsc.TaskFailed, HTTPStatus: http.StatusNotFound, ErrorMessage: taskNotMentioned}
			case !t.Status.Terminal():
				return false
			}
			done[u] = t
			return true
		})
		if len(pending) == 0 {
			return done, nil
		}
		what := fmt.Sprintf("%d job task(s) LinkedIn has not finished", len(pending))
		if err := r.wait(ctx, what, r.e.cfg.pollInterval, true); err != nil {
			return done, err
		}
	}
}

// owedChange owes a job whose task settled the operation that carries the
// changes the ATS made while the task was in flight (JobState.Changed),
// unless the task's outcome already owes it one: CREATE for a job
// LinkedIn does not hold, UPDATE otherwise (resendJobs reads the job's
// current fields, and closes it after when it is closed).
func (r *run) owedChange(id string) {
	st := r.cp.Jobs[id]
	if !st.Changed || st.State == jobPending {
		return
	}
	st.Changed = false
	switch {
	case st.Next == string(rsc.JobClose):
		st.Next = string(rsc.JobUpdate)
	case st.Next != "":
	case st.State == jobFailed:
		st.Next = string(rsc.JobCreate)
	default:
		st.Next = string(rsc.JobUpdate)
	}
	r.cp.Jobs[id] = st
}

// maxTaskReadFailures is how many polls in a row (PendingTask.Unread, over
// slices too) may find LinkedIn failing to read a task (5xx), or not
// mentioning it at all, before the task counts as lost.
const maxTaskReadFailures = 3

// taskNotMentioned is the message of a task LinkedIn's answers did not
// mention maxTaskReadFailures polls in a row: it is taken as unknown.
const taskNotMentioned = "LinkedIn's answers did not mention the task"

// maxLostTasks is how many tasks of one job in a row LinkedIn may lose
// before the job is dead-lettered instead of sent again.
const maxLostTasks = 3

// lostTask reports whether LinkedIn could not tell a task's outcome: the
// task is unknown or expired (404, 410) or its read failed (5xx).
func lostTask(t rsc.JobTask) bool {
	return t.HTTPStatus == http.StatusNotFound || t.HTTPStatus == http.StatusGone || t.HTTPStatus >= 500
}

// taskLost applies a lost task (task ids expire, docs/linkedin-api.md
// §7.1): whether its operation took effect is unknown, so the operation is
// owed again, a CREATE as UPDATE (a job is never created twice; an UPDATE
// of a job LinkedIn lacks is then resent as CREATE). After maxLostTasks in
// a row the job is dead-lettered.
func (r *run) taskLost(pt PendingTask, t rsc.JobTask, st *JobState) *DeadLetter {
	op := rsc.JobOperation(pt.Op)
	unsettled(pt, st)
	st.Lost++
	if st.Lost > maxLostTasks {
		st.Lost = 0
		return r.unreadTask(pt, t, fmt.Sprintf("LinkedIn lost %d job tasks in a row", maxLostTasks+1))
	}
	next := op
	if op == rsc.JobCreate {
		next = rsc.JobUpdate
	}
	st.Next, st.Recheck = string(next), false
	return nil
}

// unsettled puts a job whose task's outcome is unknown back in the state
// it had before the task's operation; after a CREATE, "intent": it may
// have been created, and is never created twice.
func unsettled(pt PendingTask, st *JobState) {
	switch {
	case rsc.JobOperation(pt.Op) == rsc.JobCreate:
		st.State = jobIntent
	case pt.Prev != "":
		st.State = pt.Prev
	default:
		st.State = jobPosted
	}
}

// unreadTask is the dead letter of a job whose task LinkedIn could not
// show: what happened, with the task's HTTP status and message.
func (r *run) unreadTask(pt PendingTask, t rsc.JobTask, what string) *DeadLetter {
	d := r.deadLetter(KindJob, pt.JobID, "", pt.At, errors.New(t.ErrorMessage))
	d.Reason = trimReason(fmt.Sprintf("%s (HTTP %d): %s", what, t.HTTPStatus, t.ErrorMessage))
	d.Status = t.HTTPStatus
	return &d
}

// taskDone applies a terminal task to its job's state, recording the
// operation it owes next, if any. It returns a dead letter when the task
// failed for good.
func (r *run) taskDone(pt PendingTask, t rsc.JobTask) *DeadLetter {
	st := r.cp.Jobs[pt.JobID]
	defer func() { r.cp.Jobs[pt.JobID] = st }()
	msg := strings.ToLower(t.ErrorMessage)
	failed := t.Status == rsc.TaskFailed || t.ErrorMessage != ""
	op := rsc.JobOperation(pt.Op)
	held := func() {
		if !st.Held {
			r.cp.Phases[PhaseJobs].Acknowledged++ // a distinct job now on LinkedIn
			st.Held = true
		}
	}
	if lostTask(t) {
		return r.taskLost(pt, t, &st)
	}
	if t.HTTPStatus == 0 {
		st.Lost = 0
	}
	switch {
	case t.HTTPStatus != 0: // LinkedIn refused to show the task (403, ...)
		unsettled(pt, &st)
		return r.unreadTask(pt, t, "job task unreadable")
	case op != rsc.JobCreate && strings.Contains(msg, "does not exist") && pt.Prev == jobIntent && !st.Recheck:
		// A CREATE whose answer was lost may still be on its way: look
		// again a poll interval later (the same operation: a CLOSE stays a
		// CLOSE) before creating the job. Before the CLOSE cases: LinkedIn
		// answers a CLOSE of a job it lacks "already closed or does not
		// exist".
		st.State, st.Next, st.Recheck = jobIntent, pt.Op, true
		st.NotBefore = r.e.cfg.clock.Now().Add(r.e.cfg.pollInterval).UTC()
	case !failed && op == rsc.JobClose, op == rsc.JobClose && strings.Contains(msg, "already closed"):
		held()
		st = JobState{State: jobClosed, Held: true, Changed: st.Changed}
	case !failed:
		held()
		st.State, st.Recheck = jobPosted, false
		if st.Close {
			st.Next = string(rsc.JobClose)
		}
	case op != rsc.JobCreate && strings.Contains(msg, "does not exist"):
		st.State, st.Next, st.Recheck = jobFailed, string(rsc.JobCreate), false
	case op == rsc.JobCreate && strings.Contains(msg, "already exists"):
		held()
		st.State, st.Next, st.Recheck = jobPosted, string(rsc.JobUpdate), false
	default:
		switch {
		case op == rsc.JobCreate:
			st.State = jobFailed
		case pt.Prev != "":
			st.State = pt.Prev
		default:
			st.State = jobPosted
		}
		d := r.deadLetter(KindJob, pt.JobID, "", pt.At, errors.New(t.ErrorMessage))
		d.Reason = trimReason("job task " + string(t.Status) + ": " + t.ErrorMessage)
		return &d
	}
	return nil
}

// owedOp returns the operation to send for job id in state st owed op, j
// being its row in the Source (ok: the Source has it): "" when none is
// left to send, with why when the job is to be dead-lettered. A job the
// ATS deleted is closed (j is marked closed), by a CLOSE that names it by
// its id and integration context alone when the Source no longer has its
// row; an owed CREATE of a job that LinkedIn may hold already (intent)
// goes as UPDATE, so it is never created twice.
func owedOp(id string, st JobState, j *Job, ok bool, op rsc.JobOperation) (rsc.JobOperation, string) {
	if st.Deleted {
		switch {
		case st.State == jobFailed: // never on LinkedIn: nothing to close
			return "", ""
		case !ok && st.Integration == "": // a checkpoint saved before Integration was kept
			return "", "job deleted in the ATS cannot be closed: the Source no longer has its fields"
		case !ok && st.State == jobClosed:
			return "", ""
		case !ok: // a CLOSE alone: the other operations need the row
			*j = deletedJob(id, st.Integration)
			return rsc.JobClose, ""
		}
		j.Closed = true
	}
	switch {
	case !ok, op == rsc.JobClose && !j.Closed, op == rsc.JobUpdate && j.Closed && st.State == jobClosed:
		return "", ""
	case op == rsc.JobCreate && st.State == jobIntent:
		return rsc.JobUpdate, ""
	}
	return op, ""
}

// resendJobs re-reads the jobs owed an operation from the Source and
// submits it, in batches, each after the consent guard's check (a refusal
// stops it, the operations still owed in the checkpoint). A job the
// Source no longer has (its deletion follows), or that was reopened since
// a CLOSE was owed (its change follows), owes nothing any more.
func (r *run) resendJobs(ctx context.Context, owed map[string]rsc.JobOperation) error {
	ids := slices.Sorted(maps.Keys(owed))
	jobs, err := r.lookupJobs(ctx, ids, Cursor{})
	if err != nil {
		return err
	}
	var ops []jobOp
	for _, id := range ids {
		st := r.cp.Jobs[id]
		j, ok := jobs[id]
		op, why := owedOp(id, st, &j, ok, owed[id])
		if op == "" {
			st.Next, st.NotBefore = "", time.Time{}
			r.cp.Jobs[id] = st
			if why != "" {
				if err := r.refused(ctx, PhaseJobs, r.deadLetter(KindJob, id, "", time.Time{}, errors.New(why))); err != nil {
					return err
				}
			}
			continue
		}
		ops = append(ops, jobOp{job: j, op: op, close: op != rsc.JobClose && (st.Close || j.Closed)})
	}
	for chunk := range slices.Chunk(ops, rsc.MaxBatchSize) {
		if err := r.checkConsent(ctx); err != nil { // a batch like any other
			return err
		}
		var o batchOutcome
		r.submitJobs(ctx, chunk, &o)
		for _, d := range o.dead {
			if err := r.refused(ctx, PhaseJobs, d); err != nil {
				return err
			}
		}
		if err := r.save(ctx); err != nil {
			return err
		}
		if o.err != nil {
			return r.classify(o.err)
		}
	}
	return r.save(ctx)
}
