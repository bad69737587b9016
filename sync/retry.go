package sync

import (
	"context"
	"maps"
	"slices"
	"strings"

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
	if !e.running.acquire() {
		return nil, e.errAlreadyRunning()
	}
	defer e.running.release()
	r, err := e.newRun(ctx, 0)
	if err != nil {
		return nil, err
	}
	err = r.retryDead(ctx)
	r.finish(ctx, err)
	return r.rep, err
}

// deadGroups are a customer's dead letters grouped by the record whose
// resend resolves them: jobs, candidates and applications by id (an
// application's stages with it), activities by actKey.
type deadGroups struct {
	jobs, cands, apps, acts map[string][]DeadLetter
	dels                    []Deletion
}

func (r *run) groupDead() deadGroups {
	g := deadGroups{jobs: map[string][]DeadLetter{}, cands: map[string][]DeadLetter{},
		apps: map[string][]DeadLetter{}, acts: map[string][]DeadLetter{}}
	r.dlMu.Lock()
	all := slices.Collect(maps.Values(r.dlKeys))
	r.dlMu.Unlock()
	slices.SortFunc(all, func(a, b DeadLetter) int { return strings.Compare(a.Key(), b.Key()) })
	for _, d := range all {
		switch {
		case d.Delete:
			g.dels = append(g.dels, Deletion{Kind: d.Kind, ID: d.ID, Parent: d.Parent, DeletedAt: d.ModifiedAt, Integration: d.Integration})
		case d.Kind == KindJob:
			g.jobs[d.ID] = append(g.jobs[d.ID], d)
		case d.Kind == KindCandidate:
			g.cands[d.ID] = append(g.cands[d.ID], d)
		case d.Kind == KindApplication:
			g.apps[d.ID] = append(g.apps[d.ID], d)
		case d.Kind == KindStage:
			g.apps[d.Parent] = append(g.apps[d.Parent], d)
		default:
			k := actKey(d.Kind, d.Parent, d.ID)
			g.acts[k] = append(g.acts[k], d)
		}
	}
	return g
}

func (r *run) retryDead(ctx context.Context) error {
	g := r.groupDead()
	keys := func(m map[string][]DeadLetter) []string { return slices.Sorted(maps.Keys(m)) }
	if len(g.jobs) > 0 {
		found, err := r.lookupJobs(ctx, keys(g.jobs))
		if err == nil {
			err = retryRecords(ctx, r, r.jobKind(), g.jobs, found)
		}
		if err == nil {
			err = r.settleTasks(ctx)
		}
		if err != nil {
			return err
		}
	}
	found, err := r.lookupCandidates(ctx, keys(g.cands))
	if err == nil {
		err = retryRecords(ctx, r, r.candidateKind(), g.cands, found)
	}
	if err != nil {
		return err
	}
	apps, err := r.lookupApplications(ctx, keys(g.apps))
	if err == nil {
		err = retryRecords(ctx, r, r.applicationKind(), g.apps, apps)
	}
	if err != nil {
		return err
	}
	firstOf := make(map[string]DeadLetter, len(g.acts))
	for k, ds := range g.acts {
		firstOf[k] = ds[0]
	}
	acts, err := r.lookupActivities(ctx, keys(g.acts), firstOf)
	if err == nil {
		err = retryRecords(ctx, r, r.activityKind(), g.acts, acts)
	}
	if err == nil {
		err = retryChunks(ctx, r, PhaseDeletions, g.dels, r.sendDeletions)
	}
	if err != nil {
		return err
	}
	return r.save(ctx)
}

// retryRecords sends again the records found for dead letters (by key);
// the dead letters of records not found or now ineligible are dropped.
func retryRecords[T any](ctx context.Context, r *run, k phaseKind[T], dead map[string][]DeadLetter, found map[string]T) error {
	var recs []T
	for _, key := range slices.Sorted(maps.Keys(dead)) {
		v, ok := found[key]
		if keep(ctx, r, ok, k, &v, dead[key]) {
			recs = append(recs, v)
		}
	}
	return retryChunks(ctx, r, k.phase, recs, k.send)
}

// keep decides whether a dead letter's record is sent again; if not (the
// Source no longer has it, or it is now ineligible), its dead letters are
// dropped.
func keep[T any](ctx context.Context, r *run, found bool, k phaseKind[T], v *T, dead []DeadLetter) bool {
	if found {
		ok, reason := r.eligible(ctx, k.rec(v))
		if ok {
			return true
		}
		r.rep.skip(k.phase, reason)
	}
	for _, d := range dead {
		r.drop(ctx, d.Key())
	}
	return false
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
		if err := r.commit(ctx, p, Cursor{}, 0, 0, &o); err != nil {
			return err
		}
	}
	return nil
}
