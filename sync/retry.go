package sync

import (
	"context"
	"maps"
	"slices"

	"github.com/rscgo/rscgo/rsc"
)

// RetryDeadLetters sends the customer's dead letters again, after the ATS
// data was fixed. Each record is read again from the Source (through Lookup
// when the Source implements it, else by re-scanning its stream), so the
// current ATS version is sent, never a stale copy. Records that succeed
// leave the dead-letter store; records that fail again stay with their
// attempt count increased; records the Source no longer has (or that are now
// ineligible) are dropped from it. Watermarks do not move.
func (e *Engine) RetryDeadLetters(ctx context.Context) (*Report, error) {
	if !e.acquire() {
		return nil, e.errAlreadyRunning()
	}
	defer e.release()
	r, err := e.newRun(ctx, 0)
	if err != nil {
		return nil, err
	}
	err = r.retryDead(ctx)
	r.finish(ctx, err)
	return r.rep, err
}

func (r *run) retryDead(ctx context.Context) error {
	jobs := map[string]bool{}
	cands := map[string]bool{}
	apps := map[string]bool{}
	acts := map[string]DeadLetter{}
	var dels []Deletion
	var all []DeadLetter
	r.dlMu.Lock()
	for _, d := range r.dlKeys {
		all = append(all, d)
	}
	r.dlMu.Unlock()
	slices.SortFunc(all, func(a, b DeadLetter) int {
		if a.Key() < b.Key() {
			return -1
		}
		if a.Key() > b.Key() {
			return 1
		}
		return 0
	})
	for _, d := range all {
		switch {
		case d.Delete:
			dels = append(dels, Deletion{Kind: d.Kind, ID: d.ID, Parent: d.Parent, DeletedAt: d.ModifiedAt, Integration: d.Integration})
		case d.Kind == KindJob:
			jobs[d.ID] = true
		case d.Kind == KindCandidate:
			cands[d.ID] = true
		case d.Kind == KindApplication:
			apps[d.ID] = true
		case d.Kind == KindStage:
			apps[d.Parent] = true
		default:
			acts[actKey(d.Kind, d.Parent, d.ID)] = d
		}
	}
	// Jobs.
	if len(jobs) > 0 {
		found, err := r.lookupJobs(ctx, jobs)
		if err != nil {
			return err
		}
		var recs []Job
		for _, id := range slices.Sorted(maps.Keys(jobs)) {
			j, ok := found[id]
			if !r.keep(ctx, ok, jobRecord(&j), PhaseJobs, dlKey(KindJob, "", id)) {
				continue
			}
			recs = append(recs, j)
		}
		if err := retryChunks(ctx, r, PhaseJobs, recs, r.sendJobs); err != nil {
			return err
		}
		if err := r.settleTasks(ctx); err != nil {
			return err
		}
	}
	// Candidates.
	if len(cands) > 0 {
		found, err := r.lookupCandidates(ctx, cands)
		if err != nil {
			return err
		}
		var recs []Candidate
		for _, id := range slices.Sorted(maps.Keys(cands)) {
			c, ok := found[id]
			if r.keep(ctx, ok, candidateRecord(&c), PhaseCandidates, dlKey(KindCandidate, "", id)) {
				recs = append(recs, c)
			}
		}
		if err := retryChunks(ctx, r, PhaseCandidates, recs, r.sendCandidates); err != nil {
			return err
		}
	}
	// Applications (and their stages, resent with them).
	if len(apps) > 0 {
		found, err := r.lookupApplications(ctx, apps)
		if err != nil {
			return err
		}
		var recs []Application
		for _, id := range slices.Sorted(maps.Keys(apps)) {
			p, ok := found[id]
			if !ok {
				// Gone from the ATS: drop its application and stage dead letters.
				for _, d := range all {
					if !d.Delete && (d.Kind == KindApplication && d.ID == id || d.Kind == KindStage && d.Parent == id) {
						r.drop(ctx, d.Key())
					}
				}
				continue
			}
			if r.keep(ctx, true, applicationRecord(&p), PhaseApplications, dlKey(KindApplication, "", id)) {
				recs = append(recs, p)
			}
		}
		if err := retryChunks(ctx, r, PhaseApplications, recs, r.sendApplications); err != nil {
			return err
		}
	}
	// Activities.
	if len(acts) > 0 {
		found, err := r.lookupActivities(ctx, acts)
		if err != nil {
			return err
		}
		var recs []Activity
		for _, k := range slices.Sorted(maps.Keys(acts)) {
			d := acts[k]
			a, ok := found[k]
			if r.keep(ctx, ok, activityRecord(&a), PhaseActivities, d.Key()) {
				recs = append(recs, a)
			}
		}
		if err := retryChunks(ctx, r, PhaseActivities, recs, r.sendActivities); err != nil {
			return err
		}
	}
	// Deletions.
	if err := retryChunks(ctx, r, PhaseDeletions, dels, r.sendDeletions); err != nil {
		return err
	}
	return r.save(ctx)
}

// keep decides whether a dead letter's record is sent again; if not, the
// dead letter is dropped.
func (r *run) keep(ctx context.Context, found bool, rec Record, p Phase, key string) bool {
	if !found {
		r.drop(ctx, key)
		return false
	}
	if f := r.e.cfg.eligible; f != nil {
		if ok, reason := f(ctx, rec); !ok {
			r.rep.skip(p, reason)
			r.drop(ctx, key)
			return false
		}
	}
	return true
}

func (r *run) drop(ctx context.Context, key string) {
	if err := r.e.cfg.dead.Delete(ctx, r.cust, key); err == nil {
		r.dlMu.Lock()
		delete(r.dlKeys, key)
		r.dlMu.Unlock()
	}
}

// retryChunks sends recs in batches and commits each without moving the
// watermark.
func retryChunks[T any](ctx context.Context, r *run, p Phase, recs []T, send func(context.Context, []T, []bool) batchOutcome) error {
	for start := 0; start < len(recs); start += rsc.MaxBatchSize {
		chunk := recs[start:min(start+rsc.MaxBatchSize, len(recs))]
		isNew := make([]bool, len(chunk))
		for i := range isNew {
			isNew[i] = true
		}
		r.rep.phase(p).Read += int64(len(chunk))
		o := send(ctx, chunk, isNew)
		if o.err != nil {
			return r.classify(o.err)
		}
		if err := r.commitRetry(ctx, p, &o); err != nil {
			return err
		}
	}
	return nil
}

func (r *run) commitRetry(ctx context.Context, p Phase, o *batchOutcome) error {
	return r.commit(ctx, p, Cursor{}, 0, 0, o)
}
