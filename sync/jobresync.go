package sync

import (
	"context"
	"errors"
	"slices"
	"time"
)

// JobResyncReason is the Reason of a resync request RequestJobResync
// stores: LinkedIn asked for the job (a RESYNC_JOBS notification).
const JobResyncReason = "resync requested by LinkedIn (RESYNC_JOBS)"

// RequestJobResync stores LinkedIn's request to send a customer's jobs
// again (a RESYNC_JOBS notification, docs/linkedin-api.md §7.9) as resync
// requests in its dead-letter store, with JobResyncReason: one for each of
// ids, or, when allOpen is set, one for every job the customer's
// checkpoint holds open on LinkedIn (posted, or with an operation in
// flight) and not deleted in the ATS. A job that already has a dead letter
// keeps it (its retry sends it anyway). It returns the dead letters held
// for those jobs, in id order for allOpen.
//
// It only writes to the dead-letter store, as RequestResync does, so it
// may run while the customer's engine runs; LinkedIn wants the jobs within
// 30 minutes, so start a retry soon after (Engine.RetryDeadLetters, the ops
// console's retry, riverrun.Runner.Retry in a fleet): it reads each job
// again from the Source and sends it, as an UPDATE when LinkedIn holds it.
// A retry that finds the engine running fails; the customer's next Run or
// RunSlice then sends the jobs before its phases.
func RequestJobResync(ctx context.Context, store Store, dead DeadLetterStore, customerID string, now time.Time, ids []string, allOpen bool) ([]DeadLetter, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if store == nil || dead == nil {
		return nil, errors.New("sync: RequestJobResync needs a checkpoint store and a dead-letter store")
	}
	if allOpen {
		cp, err := store.Load(ctx, customerID)
		if err != nil {
			return nil, err
		}
		ids = openJobs(cp)
		if len(ids) == 0 {
			return nil, nil
		}
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = DeadLetter{Kind: KindJob, ID: id}.Key() // escaped, if need be, as RequestResync does
	}
	return requestResync(ctx, dead, customerID, now, JobResyncReason, keys)
}

// openJobs returns the ids of the jobs cp holds open on LinkedIn, sorted.
func openJobs(cp *Checkpoint) []string {
	if cp == nil {
		return nil
	}
	var ids []string
	for id, st := range cp.Jobs {
		if st.State != jobClosed && st.State != jobFailed && !st.Deleted {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// serveJobResyncs sends, before a run's phases, the jobs LinkedIn asked
// for again whose requests (RequestJobResync) the store held when the run
// began, as RetryDeadLetters of their keys would: LinkedIn wants them
// within 30 minutes, and the retry started for them may have found the
// engine running (or the customer's lease taken). A dry run sends nothing.
func (r *run) serveJobResyncs(ctx context.Context) error {
	if r.dry {
		return nil
	}
	want := map[string]bool{}
	r.dlMu.Lock()
	for k, d := range r.dlKeys {
		if d.Requested && d.Kind == KindJob && d.Reason == JobResyncReason {
			want[k] = true
		}
	}
	r.dlMu.Unlock()
	if len(want) == 0 {
		return nil
	}
	return r.retryDead(ctx, want)
}
