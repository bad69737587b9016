package sync

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/rscgo/rscgo/rsc"
)

// RetryDeadLetters sends the customer's dead letters with the given keys
// (DeadLetter.Key) again now, after the ATS data was fixed; without keys,
// every dead letter of the customer. Each record is read again from the
// Source (through Lookup when the Source implements it, else by re-scanning
// its stream), so the current ATS version is sent, never a stale copy.
// Records LinkedIn accepts leave the dead-letter store; records refused
// again stay with their attempt count increased and the new reason;
// records the Source no longer has (or that are now ineligible) are dropped
// from it and reported as read and skipped (reason SkipGone, or the
// eligibility hook's). An application is sent with its stages, so
// retrying a stage's key sends its application, which then counts as no
// new record on LinkedIn (it held it), and the dead letter of a stage the
// application no longer lists is dropped (SkipGone). Watermarks do not
// move. A key the store does not hold fails the call with a
// *DeadLetterNotFoundError before anything is sent. Resync requests (RequestResync) are dead letters too: this is
// what sends them. An engine built WithDryRun(true) only checks the records
// as a dry Run does and reports what the retry would send, refuse and drop:
// it sends nothing and changes neither store.
func (e *Engine) RetryDeadLetters(ctx context.Context, keys ...string) (*Report, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	return e.retry(ctx, keys, nil)
}

// retry is RetryDeadLetters of keys; when requests is not nil, it is a dry
// Resync's, whose requests (not stored) the run holds as dead letters.
func (e *Engine) retry(ctx context.Context, keys []string, requests []DeadLetter) (*Report, error) {
	if !e.running.acquire() {
		return nil, e.errAlreadyRunning()
	}
	defer e.running.release()
	r, err := e.newRun(ctx, 0)
	if err != nil {
		return nil, err
	}
	if requests != nil {
		keys = r.requestInMemory(requests)
	}
	want, err := r.wanted(keys)
	if err != nil {
		return nil, err
	}
	ctx = r.noticePacing(ctx)
	err = r.retryDead(ctx, want)
	r.finish(ctx, err)
	return r.rep, err
}

// DeadLetterNotFoundError says that the dead letters with Keys, asked for
// by RetryDeadLetters, are not in the customer's dead-letter store (never
// refused, or already resent).
type DeadLetterNotFoundError struct {
	CustomerID string
	Keys       []string
}

// Error implements error.
func (e *DeadLetterNotFoundError) Error() string {
	return fmt.Sprintf("sync: customer %s has no dead letter %s", e.CustomerID, strings.Join(quoteAll(e.Keys), ", "))
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}

// wanted returns the set of keys to retry (nil: every dead letter), or a
// *DeadLetterNotFoundError naming the keys the store does not hold.
func (r *run) wanted(keys []string) (map[string]bool, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	want := make(map[string]bool, len(keys))
	var missing []string
	r.dlMu.Lock()
	defer r.dlMu.Unlock()
	for _, k := range keys {
		if _, ok := r.dlKeys[k]; !ok {
			missing = append(missing, k)
		}
		want[k] = true
	}
	if len(missing) > 0 {
		return nil, &DeadLetterNotFoundError{CustomerID: r.cust, Keys: missing}
	}
	return want, nil
}

// deadGroups are a customer's dead letters grouped by the record whose
// resend resolves them: jobs, candidates and applications by id (an
// application's stages with it), activities by actKey, the ids unescaped
// (DeadLetter.Unescape) as the Source knows them.
type deadGroups struct {
	jobs, cands, apps, acts map[string][]DeadLetter
	dels                    []Deletion
}

// groupDead groups the dead letters in want (all when want is nil). A
// resync request leaves the run's dead letters, so that the record counts
// as never refused: sent, it is not acknowledged a second time, and
// refused, it becomes a dead letter like any first refusal.
func (r *run) groupDead(want map[string]bool) deadGroups {
	g := deadGroups{jobs: map[string][]DeadLetter{}, cands: map[string][]DeadLetter{},
		apps: map[string][]DeadLetter{}, acts: map[string][]DeadLetter{}}
	r.dlMu.Lock()
	var all []DeadLetter
	for k, d := range r.dlKeys {
		if want == nil || want[k] {
			all = append(all, d)
		}
		if d.Requested && (want == nil || want[k]) {
			delete(r.dlKeys, k)
		}
	}
	r.dlMu.Unlock()
	slices.SortFunc(all, func(a, b DeadLetter) int { return strings.Compare(a.Key(), b.Key()) })
	for _, d := range all {
		u := d.Unescape() // the record's ids, as the Source knows them
		switch {
		case d.Delete:
			g.dels = append(g.dels, Deletion{Kind: u.Kind, ID: u.ID, Parent: u.Parent, DeletedAt: u.ModifiedAt, Integration: u.Integration})
		case d.Kind == KindJob:
			g.jobs[u.ID] = append(g.jobs[u.ID], d)
		case d.Kind == KindCandidate:
			g.cands[u.ID] = append(g.cands[u.ID], d)
		case d.Kind == KindApplication:
			g.apps[u.ID] = append(g.apps[u.ID], d)
		case d.Kind == KindStage:
			g.apps[u.Parent] = append(g.apps[u.Parent], d)
		default:
			k := actKey(u.Kind, u.Parent, u.ID)
			g.acts[k] = append(g.acts[k], d)
		}
	}
	return g
}

func (r *run) retryDead(ctx context.Context, want map[string]bool) error {
	g := r.groupDead(want)
	keys := func(m map[string][]DeadLetter) []string { return slices.Sorted(maps.Keys(m)) }
	if len(g.jobs) > 0 {
		r.resyncJobs = map[string]bool{}
		for id, ds := range g.jobs {
			if slices.ContainsFunc(ds, func(d DeadLetter) bool { return d.Requested }) {
				r.resyncJobs[id] = true
			}
		}
		found, err := r.lookupJobs(ctx, keys(g.jobs), Cursor{})
		if err == nil {
			err = retryRecords(ctx, r, r.jobKind(), g.jobs, found)
		}
		if err == nil && !r.dry { // a dry run submitted no task
			err = r.settleTasks(ctx)
		}
		// The requests are served: a later read of these jobs in the same
		// run (the jobs phase, after serveJobResyncs) owes them nothing more.
		r.resyncJobs = nil
		if err != nil {
			return err
		}
	}
	found, err := r.lookupCandidates(ctx, keys(g.cands), Cursor{})
	if err == nil {
		err = retryRecords(ctx, r, r.candidateKind(), g.cands, found)
	}
	if err != nil {
		return err
	}
	apps, err := r.lookupApplications(ctx, keys(g.apps), Cursor{})
	if err == nil {
		err = retryRecords(ctx, r, r.applicationKind(), g.apps, apps)
	}
	if err != nil {
		return err
	}
	firstOf := make(map[string]DeadLetter, len(g.acts))
	for k, ds := range g.acts {
		firstOf[k] = ds[0].Unescape()
	}
	acts, err := r.lookupActivities(ctx, keys(g.acts), firstOf, Cursor{})
	if err == nil {
		err = retryRecords(ctx, r, r.activityKind(), g.acts, acts)
	}
	if err == nil {
		// Through screened, as a run sends them: a deletion refused up
		// front is refused again, never sent.
		err = retryChunks(ctx, r, r.deletionKind(), g.dels, nil, nil)
	}
	if err != nil {
		return err
	}
	return r.save(ctx)
}

// retryRecords sends again the records found for dead letters (by key);
// the dead letters of records not found or now ineligible are dropped, and
// those that sending a record resolves leave the store (resolved).
func retryRecords[T any](ctx context.Context, r *run, k phaseKind[T], dead map[string][]DeadLetter, found map[string]T) error {
	var recs []T
	var isNew []bool
	var groups [][]DeadLetter
	for _, key := range slices.Sorted(maps.Keys(dead)) {
		v, ok := found[key]
		if keep(ctx, r, ok, k, &v, dead[key]) {
			recs = append(recs, v)
			isNew = append(isNew, refusedItself(dead[key]))
			groups = append(groups, dead[key])
		}
	}
	return retryChunks(ctx, r, k, recs, isNew, groups)
}

// refusedItself reports whether dead, the dead letters of one record,
// hold a refusal of the record itself that LinkedIn held no version of
// (DeadLetter.Held): then it never reached LinkedIn. A record only asked
// for again (resync), one of whose stages was refused, or one whose
// refused update left LinkedIn its earlier version, has.
func refusedItself(dead []DeadLetter) bool {
	return slices.ContainsFunc(dead, func(d DeadLetter) bool { return !d.Requested && d.Kind != KindStage && !d.Held })
}

// resolved adds to o, the outcome of sending recs (of phase p) again, the
// dead letters among groups (by record) that the sending resolves although
// no answer of LinkedIn clears them: the resync requests of a record,
// unless o refuses it again, and the letters of stages that an
// application no longer lists, which count as read and skipped (SkipGone),
// as any record the Source no longer holds.
func resolved[T any](r *run, p Phase, recs []T, groups [][]DeadLetter, o *batchOutcome) {
	refused := make(map[string]bool, len(o.dead))
	for _, d := range o.dead {
		refused[d.Escape().Key()] = true
	}
	for i := range recs {
		for _, d := range groups[i] {
			switch {
			case d.Kind == KindStage && !listsStage(&recs[i], d.Unescape().ID):
				r.rep.phase(p).Read++
				r.rep.skip(p, SkipGone)
				o.cleared = append(o.cleared, d.Key())
			case d.Requested && !refused[d.Key()]: // the request is served
				o.cleared = append(o.cleared, d.Key())
			}
		}
	}
}

// listsStage reports whether rec, when it is an application, lists the
// stage id.
func listsStage(rec any, id string) bool {
	a, ok := rec.(*Application)
	return !ok || slices.ContainsFunc(a.Stages, func(s rsc.Stage) bool { return s.ID == id })
}

// SkipGone is the skip reason of a dead letter whose record the Source no
// longer holds when it is retried (RetryDeadLetters, Resync): its dead
// letters are dropped, and the record counts as read and skipped. A stage
// is no longer held when its application no longer lists it.
const SkipGone = "no longer in the ATS"

// keep decides whether a dead letter's record is sent again; if not (the
// Source no longer has it, or it is now ineligible), its dead letters are
// dropped and the record counts as read and skipped with the reason, so
// that Read = Sent + Skipped holds for a retry too and nothing leaves the
// store unreported. A now ineligible record that never reached LinkedIn
// (refusedItself) counts as ineligible in the checkpoint, as a run that
// reads it counts it, saved with the drop of its dead letters.
func keep[T any](ctx context.Context, r *run, found bool, k phaseKind[T], v *T, dead []DeadLetter) bool {
	reason := SkipGone
	if found {
		var ok bool
		if ok, reason = r.e.eligible(ctx, k.rec(v)); ok {
			return true
		}
		if refusedItself(dead) {
			r.cp.Phases[k.phase].Ineligible++
		}
	}
	r.rep.phase(k.phase).Read++
	r.rep.skip(k.phase, reason)
	for _, d := range dead {
		r.clearDeadLetter(d.Key())
	}
	return false
}

// retryChunks sends recs (a dry run: checks them, sender) in batches,
// each after the consent guard's check, and commits each without moving
// the watermark, with the dead letters its records resolve (groups, by
// record; nil for none) and announces the batch's re-sends
// (ProgressResent). isNew says which records LinkedIn cannot hold yet
// (nil: all).
func retryChunks[T any](ctx context.Context, r *run, k phaseKind[T], recs []T, isNew []bool, groups [][]DeadLetter) error {
	p, send := k.phase, sender(r, k)
	r.phase = p
	for start := 0; start < len(recs); start += rsc.MaxBatchSize {
		end := min(start+rsc.MaxBatchSize, len(recs))
		chunk := recs[start:end]
		chunkNew := make([]bool, len(chunk))
		for i := range chunkNew {
			chunkNew[i] = isNew == nil || isNew[start+i]
		}
		if err := r.checkConsent(ctx); err != nil { // before every batch, as a run asks
			return err
		}
		r.rep.phase(p).Read += int64(len(chunk))
		o := send(ctx, chunk, chunkNew)
		if o.err != nil {
			return r.classify(o.err)
		}
		if k.repair != nil {
			k.repair(ctx, chunk, chunkNew, &o)
		}
		if groups != nil {
			resolved(r, p, chunk, groups[start:end], &o)
		}
		if err := r.commit(ctx, p, nil, Cursor{}, tally{}, &o); err != nil {
			return err
		}
		r.emitResent(p, int64(len(chunk)))
	}
	return nil
}
