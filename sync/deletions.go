package sync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// deletionOrder sends children before parents: stages, feedback and notes,
// then applications, candidates and jobs (cert RSC-501 deletes a
// candidate's notes before the candidate).
var deletionOrder = map[EntityKind]int{
	KindStage: 0, KindInterviewFeedback: 1, KindApplicationNote: 2, KindCandidateNote: 3,
	KindApplication: 4, KindCandidate: 5, KindJob: 6,
}

// deletionsStart is where a first run starts the deletions stream: an
// hour (deleteSkew) before the run's start (Checkpoint.StartedAt), on the
// earlier of the engine's clock and LinkedIn's as the client knows it
// (rsc.Client.ClockBehind, docs/linkedin-api.md §2.5). The ATS stamps
// deletions with its own clock, and LinkedIn's stands in for the right
// time: an engine clock hours ahead would put the start after the
// deletions the ATS stamps during the first run, never to be sent.
func (r *run) deletionsStart() Cursor {
	return Cursor{ModifiedAt: r.cp.StartedAt.Add(-r.e.client.ClockBehind() - r.e.cfg.deleteSkew).UTC()}
}

// settleDeletionsStart, before the deletions stream is read, moves its
// start back by as much as LinkedIn's clock reads behind (rsc.Client.ClockBehind),
// when the first run began before the client knew LinkedIn's clock (it
// learns it from its first answer) and nothing has been read since: the
// stream is still where the engine's clock alone put it, deleteSkew
// before Checkpoint.StartedAt. It assumes the engine's clock ran as far
// ahead then, and reports whether it moved the stream.
func (r *run) settleDeletionsStart() bool {
	behind := r.e.client.ClockBehind()
	pc := r.cp.Phases[PhaseDeletions]
	first := Cursor{ModifiedAt: r.cp.StartedAt.Add(-r.e.cfg.deleteSkew).UTC()}
	if behind <= 0 || pc.Held != nil || !pc.Cursor.ModifiedAt.Equal(first.ModifiedAt) || pc.Cursor.ID != "" {
		return false
	}
	moved := Cursor{ModifiedAt: first.ModifiedAt.Add(-behind).UTC()}
	if pc.PassFrom.ModifiedAt.Equal(first.ModifiedAt) && pc.PassFrom.ID == "" {
		pc.PassFrom = moved
	}
	pc.Cursor = moved
	return true
}

// sendDeletions sends one batch of deletions, children first, one call per
// kind and parent for sub-resources (the batch is ordered by parent within
// each kind, so that a parent's deletions share one call however the
// Source interleaved them; on the versioned endpoints, one call per kind
// of note, feedback and stage, whose keys name the parent). Deleting an
// absent record succeeds.
func (r *run) sendDeletions(ctx context.Context, recs []Deletion, _ []bool) batchOutcome {
	var o batchOutcome
	jobs := map[string]Job{} // the deleted jobs' rows, read once for both uses
	recs, o.err = r.dropRecreated(ctx, recs, jobs, &o)
	if o.err != nil {
		return o
	}
	order := sendOrder(recs)
	o.sent = int64(len(recs))
	fail := func(d *Deletion, err error) {
		dl := r.deadLetter(d.Kind, d.ID, d.Parent, d.DeletedAt, err)
		dl.Delete, dl.Integration = true, d.Integration
		o.dead = append(o.dead, dl)
	}
	ok := func(d *Deletion) {
		o.acked++
		if k := delKey(d); r.hadDeadLetter(k) {
			o.cleared = append(o.cleared, k)
		}
		// A record deleted in the ATS no longer needs its upsert retried;
		// clearing its dead letter takes it out of DeadLettered.
		k, had, refused, held := r.deadLettered(d.Kind, d.Parent, d.ID)
		if had {
			o.cleared = append(o.cleared, k)
		}
		if r.counted(d, refused, held) {
			if o.gone == nil {
				o.gone = map[Phase]int64{}
			}
			o.gone[kindPhase(d.Kind)]++
		}
	}
	// Group consecutive (in send order) deletions of the same kind and
	// parent; on the versioned endpoints, whose keys of notes, feedback and
	// stages name the parent, children of the same kind whatever their
	// parents (docs/linkedin-api.md §11).
	across := r.e.client.Versioned()
	for start := 0; start < len(order); {
		d0 := &recs[order[start]]
		end := start + 1
		for end < len(order) {
			d := &recs[order[end]]
			sameParent := d.Integration == d0.Integration && (!isChild(d.Kind) || d.Parent == d0.Parent)
			if d.Kind != d0.Kind || !sameParent && !(across && isChild(d.Kind)) {
				break
			}
			end++
		}
		group := make([]*Deletion, 0, end-start)
		for _, i := range order[start:end] {
			group = append(group, &recs[i])
		}
		start = end
		if err := r.deleteGroup(ctx, group, jobs, ok, fail); err != nil {
			o.err = err
			return o
		}
	}
	return o
}

// absent reports whether LinkedIn refused a deletion because it does not
// hold the record (a per-entity 404): the deletion's end is reached. A
// record the engine never sent (refused, ineligible), or a child LinkedIn
// deleted with its parent (docs/linkedin-api.md §10), is such a record;
// taking the 404 for a refusal would dead-letter its deletion for good.
func absent(err error) bool {
	var ee *rsc.EntityError
	return errors.As(err, &ee) && ee.Status == http.StatusNotFound
}

// sendOrder returns the positions of recs in the order they are sent:
// children first (deletionOrder), then by integration context and parent,
// so that a parent's deletions are consecutive; stable otherwise.
func sendOrder(recs []Deletion) []int {
	order := make([]int, len(recs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		da, db := &recs[a], &recs[b]
		return cmp.Or(cmp.Compare(deletionOrder[da.Kind], deletionOrder[db.Kind]),
			cmp.Compare(da.Integration, db.Integration), cmp.Compare(da.Parent, db.Parent))
	})
	return order
}

func isChild(k EntityKind) bool {
	switch k {
	case KindStage, KindInterviewFeedback, KindApplicationNote, KindCandidateNote:
		return true
	}
	return false
}

// deleteGroup deletes deletions of one kind and, for stages, notes and
// feedback on /v2, of one parent. jobs holds the rows of deleted jobs
// already read from the Source (see closeDeletedJobs).
func (r *run) deleteGroup(ctx context.Context, group []*Deletion, jobs map[string]Job, ok func(*Deletion), fail func(*Deletion, error)) error {
	d0 := group[0]
	ids := make([]string, len(group))
	for i, d := range group {
		ids[i] = d.ID
	}
	each := func(i int, err error) {
		if err != nil && !absent(err) {
			fail(group[i], err)
		} else {
			ok(group[i])
		}
	}
	eachNote := func(i int, it rsc.Item[rsc.NoteKey]) { each(i, it.Err) }
	switch d0.Kind {
	case KindStage: // of one application, or of several (see sendDeletions)
		stages := make([]rsc.ApplicationStage, len(group))
		for i, d := range group {
			stages[i] = rsc.ApplicationStage{Application: rsc.ApplicationKey{IntegrationContext: d.Integration, ApplicationID: d.Parent}, Stage: rsc.Stage{ID: d.ID}}
		}
		return sendSplit(ctx, r, stages, r.e.client.Applications.DeleteManyStages, eachNote)
	case KindInterviewFeedback: // of one application, or of several (see sendDeletions)
		fbs := make([]rsc.ApplicationFeedback, len(group))
		for i, d := range group {
			fbs[i] = rsc.ApplicationFeedback{Application: rsc.ApplicationKey{IntegrationContext: d.Integration, ApplicationID: d.Parent}, Feedback: rsc.InterviewFeedback{ID: d.ID}}
		}
		return sendSplit(ctx, r, fbs, r.e.client.Applications.DeleteManyFeedback, eachNote)
	case KindCandidateNote: // of one candidate, or of several (see sendDeletions)
		notes := make([]rsc.CandidateNote, len(group))
		for i, d := range group {
			notes[i] = rsc.CandidateNote{Candidate: rsc.CandidateKey{IntegrationContext: d.Integration, CandidateID: d.Parent}, Note: rsc.Note{ID: d.ID}}
		}
		return sendSplit(ctx, r, notes, r.e.client.Candidates.DeleteManyNotes, eachNote)
	case KindApplicationNote:
		notes := make([]rsc.ApplicationNote, len(group))
		for i, d := range group {
			notes[i] = rsc.ApplicationNote{Application: rsc.ApplicationKey{IntegrationContext: d.Integration, ApplicationID: d.Parent}, Note: rsc.Note{ID: d.ID}}
		}
		return sendSplit(ctx, r, notes, r.e.client.Applications.DeleteManyNotes, eachNote)
	case KindApplication:
		keys := make([]rsc.ApplicationKey, len(group))
		for i, d := range group {
			keys[i] = rsc.ApplicationKey{IntegrationContext: d.Integration, ApplicationID: d.ID}
		}
		return sendSplit(ctx, r, keys, r.e.client.Applications.Delete, func(i int, it rsc.Item[rsc.ApplicationKey]) { each(i, it.Err) })
	case KindCandidate:
		keys := make([]rsc.CandidateKey, len(group))
		for i, d := range group {
			keys[i] = rsc.CandidateKey{IntegrationContext: d.Integration, CandidateID: d.ID}
		}
		return sendSplit(ctx, r, keys, r.e.client.Candidates.Delete, func(i int, it rsc.Item[rsc.CandidateKey]) { each(i, it.Err) })
	case KindJob:
		return r.closeDeletedJobs(ctx, group, jobs, ok, fail)
	}
	for _, d := range group {
		fail(d, errUnknownDeletionKind(d.Kind))
	}
	return nil
}

// closeDeletedJobs closes jobs deleted in the ATS. LinkedIn has no job
// delete: the job is closed. A CLOSE only names its job
// (docs/linkedin-api.md §7.1): a soft-deleted row the Source still yields
// (in read, what dropRecreated found) is sent as it is, and a job the
// Source no longer has is named by the deletion's id and integration
// context alone. A deletion without an integration context has its row
// looked up from the beginning of the Source (a soft delete that left the
// row's time alone lies before what dropRecreated read); without one
// either, the client refuses the CLOSE and the deletion is dead-lettered.
func (r *run) closeDeletedJobs(ctx context.Context, group []*Deletion, read map[string]Job, ok func(*Deletion), fail func(*Deletion, error)) error {
	var open []*Deletion
	for _, d := range group {
		st, known := r.cp.Jobs[d.ID]
		if !known || st.State == jobClosed || st.State == jobFailed {
			ok(d)
			continue
		}
		st.Deleted, st.Integration = true, d.Integration
		if st.State == jobPending { // closed once its task settles (JobState.Changed)
			st.Close, st.Changed = true, true
			r.cp.Jobs[d.ID] = st
			ok(d)
			continue
		}
		r.cp.Jobs[d.ID] = st
		open = append(open, d)
	}
	if err := r.readUnnamed(ctx, open, read); err != nil {
		return err
	}
	var ops []jobOp
	var opDel []*Deletion
	for _, d := range open {
		ops = append(ops, jobOp{job: closeRow(d, read), op: rsc.JobClose})
		opDel = append(opDel, d)
	}
	if len(ops) == 0 {
		return nil
	}
	var o batchOutcome
	r.submitJobs(ctx, ops, &o)
	failed := map[string]string{}
	for _, dl := range o.dead {
		failed[dl.ID] = dl.Reason
	}
	for _, d := range opDel {
		if why, refused := failed[d.ID]; refused {
			fail(d, errors.New("closing the job was refused: "+why))
		} else {
			ok(d)
		}
	}
	return o.err
}

// readUnnamed adds to read the rows of the deleted jobs of dels whose
// deletion names no integration context and that read lacks, looked up
// from the beginning of the Source: their CLOSE needs the context.
func (r *run) readUnnamed(ctx context.Context, dels []*Deletion, read map[string]Job) error {
	var unnamed []string
	for _, d := range dels {
		if _, found := read[d.ID]; !found && d.Integration == "" {
			unnamed = append(unnamed, d.ID)
		}
	}
	if len(unnamed) == 0 {
		return nil
	}
	more, err := r.lookupJobs(ctx, unnamed, Cursor{})
	if err != nil {
		return err
	}
	maps.Copy(read, more)
	return nil
}

// closeRow is the row the CLOSE of deleted job d sends: the Source's, when
// read has it, else its id and the deletion's integration context.
func closeRow(d *Deletion, read map[string]Job) Job {
	if j, found := read[d.ID]; found {
		return j
	}
	return deletedJob(d.ID, d.Integration)
}

// deletedJob is the row a CLOSE of job id sends when the Source no longer
// has the job: its id and integration context, all a CLOSE needs.
func deletedJob(id, integration string) Job {
	return Job{Posting: rsc.JobPosting{ExternalJobPostingID: id, IntegrationContext: integration}, Closed: true}
}

// SkipRecreated is the skip reason of a deletion whose record the ATS holds
// again, modified at or after the deletion (an id used again, a job
// reopened, a stage its application lists again; a delete and re-insert in
// one transaction share its commit time): sending it would delete from
// LinkedIn a record the ATS has.
const SkipRecreated = "recreated in the ATS after its deletion"

// dropRecreated returns recs without the deletions whose record the Source
// holds again, modified at or after it was deleted, and reports those as
// skipped, clearing their dead letters. A Source without Lookup is scanned
// only from the earliest deletion time of each kind, as only a record
// modified since can count (the recent tail, on an incremental run). A
// stage is held again when its application, so modified, lists it. The
// rows of deleted jobs found are put in jobs, for closing them.
func (r *run) dropRecreated(ctx context.Context, recs []Deletion, jobs map[string]Job, o *batchOutcome) ([]Deletion, error) {
	byKind := map[EntityKind][]*Deletion{}
	for i := range recs {
		byKind[recs[i].Kind] = append(byKind[recs[i].Kind], &recs[i])
	}
	drop := map[*Deletion]bool{}
	for kind, group := range byKind {
		modified, err := r.modifiedAt(ctx, kind, group, jobs)
		if err != nil {
			return recs, fmt.Errorf("sync: looking up deleted %s records: %w", kind, err)
		}
		for j, d := range group {
			if t, ok := modified[j]; ok && !t.Before(d.DeletedAt) {
				drop[d] = true
			}
		}
	}
	if len(drop) == 0 {
		return recs, nil
	}
	kept := make([]Deletion, 0, len(recs)-len(drop))
	for i := range recs {
		d := &recs[i]
		if !drop[d] {
			kept = append(kept, *d)
			continue
		}
		r.rep.skip(PhaseDeletions, SkipRecreated)
		if k := delKey(d); r.hadDeadLetter(k) {
			o.cleared = append(o.cleared, k)
		}
	}
	return kept, nil
}

// modifiedAt returns, by position in group (deletions of kind), the
// ModifiedAt of the records the Source holds under their ids; a closed job
// counts as not held, a stage counts by its application's ModifiedAt when
// the application lists it. A Source without Lookup is scanned from the group's
// earliest deletion time. Jobs found are copied into jobs.
func (r *run) modifiedAt(ctx context.Context, kind EntityKind, group []*Deletion, jobs map[string]Job) (map[int]time.Time, error) {
	since := Cursor{ModifiedAt: group[0].DeletedAt}
	ids := make([]string, len(group))
	for j, d := range group {
		ids[j] = d.ID
		if d.DeletedAt.Before(since.ModifiedAt) {
			since.ModifiedAt = d.DeletedAt
		}
	}
	switch kind {
	case KindStage: // held when its application lists it
		parents := make([]string, len(group))
		for j, d := range group {
			parents[j] = d.Parent
		}
		slices.Sort(parents)
		found, err := r.lookupApplications(ctx, slices.Compact(parents), since)
		out := map[int]time.Time{}
		for j, d := range group {
			if a, ok := found[d.Parent]; ok && slices.ContainsFunc(a.Stages, func(s rsc.Stage) bool { return s.ID == d.ID }) {
				out[j] = a.ModifiedAt
			}
		}
		return out, err
	case KindJob:
		found, err := r.lookupJobs(ctx, ids, since)
		maps.Copy(jobs, found)
		return modifiedOf(found, ids, func(j *Job) (time.Time, bool) { return j.ModifiedAt, !j.Closed }), err
	case KindCandidate:
		found, err := r.lookupCandidates(ctx, ids, since)
		return modifiedOf(found, ids, func(c *Candidate) (time.Time, bool) { return c.ModifiedAt, true }), err
	case KindApplication:
		found, err := r.lookupApplications(ctx, ids, since)
		return modifiedOf(found, ids, func(a *Application) (time.Time, bool) { return a.ModifiedAt, true }), err
	}
	keys := make([]string, len(group))
	names := make(map[string]DeadLetter, len(group))
	for j, d := range group {
		keys[j] = actKey(d.Kind, d.Parent, d.ID)
		names[keys[j]] = DeadLetter{Kind: d.Kind, Parent: d.Parent, ID: d.ID}
	}
	found, err := r.lookupActivities(ctx, keys, names, since)
	return modifiedOf(found, keys, func(a *Activity) (time.Time, bool) { return a.ModifiedAt, true }), err
}

// modifiedOf returns, by position in keys, the ModifiedAt of the records
// found under them that count as held (mod's second result).
func modifiedOf[T any](found map[string]T, keys []string, mod func(*T) (time.Time, bool)) map[int]time.Time {
	out := map[int]time.Time{}
	for j, k := range keys {
		if v, ok := found[k]; ok {
			if t, held := mod(&v); held {
				out[j] = t
			}
		}
	}
	return out
}

// counted reports whether the record d deletes counts in its phase's
// Acknowledged (Reconciliation.Acknowledged), so that its deletion is
// subtracted, as far as the engine knows: a job by its state; a record
// with a dead letter of a refusal if LinkedIn held an earlier version of
// it (held, DeadLetter.Held); a record whose last position
// (Deletion.ModifiedAt and ID) lies before the window not at all, as the
// engine never read it (deleting a record LinkedIn lacks succeeds all the
// same); any other, whether or not the engine read it, as the deletion
// cannot tell a record edited since it was sent from one created since.
// A stage is part of its application.
func (r *run) counted(d *Deletion, refused, held bool) bool {
	switch {
	case d.Kind == KindStage:
		return false
	case d.Kind == KindJob:
		return jobCounted(r.cp.Jobs[d.ID])
	case refused:
		return held
	case d.ModifiedAt.IsZero() || r.cp.WindowFrom.IsZero():
		return true
	}
	return Cursor{ModifiedAt: r.cp.WindowFrom}.After(d.ModifiedAt, d.ID)
}

// jobCounted reports whether a job in state st counts in the jobs'
// Acknowledged (JobState.Held), or will once its task settles (a CREATE
// in flight): a job the engine never submitted, or that LinkedIn never
// created, does not.
func jobCounted(st JobState) bool { return st.Held || st.State == jobPending }
