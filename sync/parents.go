package sync

import (
	"context"
	"iter"
	"net/http"
	"slices"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// Parents from before the window. The historical window starts every
// phase at Checkpoint.WindowFrom, so an application (or candidate) last
// modified before it is never sent, while a note or an interview feedback
// of it modified in the window is. LinkedIn evaluates an interview of an
// application it holds and answers 404 for one it does not
// (docs/linkedin-api.md §7.5). Rather than dead-letter such a child, the
// engine sends its parent record (the record alone: not its stages or
// activities, which lie before the window too) and then the child again.
// A parent in the window is not sent again here: its own refusal is a dead
// letter already, and its child's stays until that one is fixed.

// adoptParents resolves, in o (the outcome of sending recs), the 404
// refusals of notes and feedback whose parent lies before the window: it
// sends those parents, then the children again, whose new outcomes replace
// their dead letters. Whatever fails leaves the dead letters as they are,
// for a dead-letter retry to send again. It runs on the run's goroutine,
// between a batch's sending and its commit, so that the Source is read from
// one goroutine only.
func (r *run) adoptParents(ctx context.Context, recs []Activity, isNew []bool, o *batchOutcome) {
	if r.dry || r.cp.WindowFrom.IsZero() {
		return
	}
	var orphans []int // indices of o.dead
	parents := map[EntityKind][]string{}
	for i, d := range o.dead {
		pk := parentKind(d.Kind)
		if d.Status != http.StatusNotFound || d.Delete || pk == "" {
			continue
		}
		orphans = append(orphans, i)
		parents[pk] = append(parents[pk], d.Unescape().Parent)
	}
	if len(orphans) == 0 {
		return
	}
	sent := r.sendParents(ctx, parents)
	if len(sent) == 0 {
		return
	}
	at := make(map[string][]int, len(recs)) // the batch's records by actKey
	for i := range recs {
		k := actKey(recs[i].Kind, recs[i].parent(), recs[i].ID())
		at[k] = append(at[k], i)
	}
	var again []Activity
	var againNew []bool
	resent := make(map[int]bool, len(orphans))
	for _, di := range orphans {
		d := o.dead[di].Unescape()
		if !sent[string(parentKind(d.Kind))+"\x00"+d.Parent] {
			continue
		}
		for _, i := range at[actKey(d.Kind, d.Parent, d.ID)] {
			again = append(again, recs[i])
			againNew = append(againNew, isNew[i])
		}
		resent[di] = true
	}
	if len(again) == 0 {
		return
	}
	o2 := r.sendActivities(ctx, again, againNew)
	if o2.err != nil {
		r.e.cfg.logger.DebugContext(ctx, "sending children again after their parents failed", "error", o2.err)
		return
	}
	kept := o.dead[:0]
	for i, d := range o.dead {
		if !resent[i] {
			kept = append(kept, d)
		}
	}
	o.dead = append(kept, o2.dead...)
	o.acked += o2.acked
	o.newAcked += o2.newAcked
	o.cleared = append(o.cleared, o2.cleared...)
	r.rep.phase(PhaseActivities).ParentsSent += int64(len(sent))
}

// parentKind is the kind of the parent of a note or feedback, "" for other
// kinds.
func parentKind(k EntityKind) EntityKind {
	switch k {
	case KindApplicationNote, KindInterviewFeedback:
		return KindApplication
	case KindCandidateNote:
		return KindCandidate
	}
	return ""
}

// sendParents looks up the parents (ids by kind) in the Source, sends
// those that lie before the window, and reports which LinkedIn accepted
// (by kind and id, "\x00"-joined).
func (r *run) sendParents(ctx context.Context, parents map[EntityKind][]string) map[string]bool {
	sent := map[string]bool{}
	if ids := parents[KindApplication]; len(ids) > 0 {
		err := sendBefore(ctx, r, KindApplication, ids, func(l Lookup) func(context.Context, string) (Application, bool, error) { return l.LookupApplication },
			r.e.src.Applications, applicationPos, func(a *Application) rsc.Application { return a.Record }, r.e.client.Applications.Upsert, sent)
		if err != nil {
			r.e.cfg.logger.DebugContext(ctx, "sending parent applications from before the window", "error", err)
		}
	}
	if ids := parents[KindCandidate]; len(ids) > 0 {
		err := sendBefore(ctx, r, KindCandidate, ids, func(l Lookup) func(context.Context, string) (Candidate, bool, error) { return l.LookupCandidate },
			r.e.src.Candidates, candidatePos, func(c *Candidate) rsc.Candidate { return c.Record }, r.e.client.Candidates.Upsert, sent)
		if err != nil {
			r.e.cfg.logger.DebugContext(ctx, "sending parent candidates from before the window", "error", err)
		}
	}
	return sent
}

// sendBefore reads the records of one kind with the given ids (through
// the Source's Lookup, else by scanning its stream from the beginning to
// the window's start), sends those that lie before the window with fn, and
// marks in sent those LinkedIn accepted.
func sendBefore[T, R any, K comparable](ctx context.Context, r *run, kind EntityKind, ids []string,
	one func(Lookup) func(context.Context, string) (T, bool, error), stream func(context.Context, Cursor) iter.Seq2[T, error],
	pos func(*T) (time.Time, string), record func(*T) R, fn func(context.Context, []R) (*rsc.BatchResult[K], error), sent map[string]bool) error {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	window := Cursor{ModifiedAt: r.cp.WindowFrom}
	before := func() iter.Seq2[T, error] {
		return func(yield func(T, error) bool) {
			for v, err := range stream(ctx, Cursor{}) {
				if err == nil && window.After(pos(&v)) {
					return
				}
				if !yield(v, err) {
					return
				}
			}
		}
	}
	found, err := lookup(ctx, ids, lookupOne(r.e.src, one), before, func(v *T) string { _, id := pos(v); return id })
	if err != nil {
		return err
	}
	var recs []R
	var sentIDs []string
	for _, id := range ids {
		if v, ok := found[id]; ok && !window.After(pos(&v)) {
			recs = append(recs, record(&v))
			sentIDs = append(sentIDs, id)
		}
	}
	for start := 0; start < len(recs); start += rsc.MaxBatchSize {
		end := min(start+rsc.MaxBatchSize, len(recs))
		err := sendSplit(ctx, r, recs[start:end], fn, func(i int, it rsc.Item[K]) {
			if it.Err == nil {
				sent[string(kind)+"\x00"+sentIDs[start+i]] = true
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}
