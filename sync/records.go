package sync

import (
	"context"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

func jobPos(j *Job) (time.Time, string) { return j.ModifiedAt, j.Posting.ExternalJobPostingID }
func candidatePos(c *Candidate) (time.Time, string) {
	return c.ModifiedAt, c.Record.Key.CandidateID
}
func applicationPos(p *Application) (time.Time, string) {
	return p.ModifiedAt, p.Record.Key.ApplicationID
}

// activityPos orders activities by time, then by their own id
// (Activity.ID). Ids of different kinds or parents may be equal: such
// activities are told apart within a batch (activityIdent), and a run of
// records at one position is never split by the watermark (pipeline.add).
func activityPos(a *Activity) (time.Time, string) { return a.ModifiedAt, a.ID() }
func deletionPos(d *Deletion) (time.Time, string) { return d.DeletedAt, deletionKey(d) }

// deletionKey is a deletion's stream id (see Deletion.CursorID).
func deletionKey(d *Deletion) string { return d.CursorID() }

// dlKey is the key of a record's dead letter, as the engine stores it
// (escaped).
func dlKey(kind EntityKind, parent, id string) string {
	return DeadLetter{Kind: kind, Parent: parent, ID: id}.Escape().Key()
}

// delKey is the key of a deletion's dead letter, as the engine stores it.
func delKey(d *Deletion) string { return deletionIdentity(d).Escape().Key() }

// The identities of records, as their dead letters name them (screened).
func jobIdentity(j *Job) DeadLetter {
	return DeadLetter{Kind: KindJob, ID: j.Posting.ExternalJobPostingID, Integration: j.Posting.IntegrationContext, ModifiedAt: j.ModifiedAt}
}
func candidateIdentity(c *Candidate) DeadLetter {
	return DeadLetter{Kind: KindCandidate, ID: c.Record.Key.CandidateID, Integration: c.Record.Key.IntegrationContext, ModifiedAt: c.ModifiedAt}
}
func applicationIdentity(a *Application) DeadLetter {
	return DeadLetter{Kind: KindApplication, ID: a.Record.Key.ApplicationID, Integration: a.Record.Key.IntegrationContext, ModifiedAt: a.ModifiedAt}
}
func activityIdentity(a *Activity) DeadLetter {
	return DeadLetter{Kind: a.Kind, Parent: a.parent(), ID: a.ID(), Integration: a.integration(), ModifiedAt: a.ModifiedAt}
}
func deletionIdentity(d *Deletion) DeadLetter {
	return DeadLetter{Kind: d.Kind, Parent: d.Parent, ID: d.ID, Delete: true, Integration: d.Integration, ModifiedAt: d.DeletedAt}
}

// sendCandidates upserts one batch of candidates.
func (r *run) sendCandidates(ctx context.Context, recs []Candidate, isNew []bool) batchOutcome {
	var o batchOutcome
	sendWhole(ctx, r, &o, recs, isNew, KindCandidate, &r.bufs.candidates, func(c *Candidate) (rsc.Candidate, string, time.Time) {
		return c.Record, c.Record.Key.CandidateID, c.ModifiedAt
	}, r.e.client.Candidates.Upsert, nil)
	return o
}

// wholeRecord is what settling a record sent whole needs: its id and
// modification time.
type wholeRecord struct {
	id  string
	mod time.Time
}

// sendWhole sends the rsc records of recs (fields gives each one's record,
// id and modification time) in one call of fn and settles each in o. When
// accepted is not nil (as long as recs), it sets which records LinkedIn
// accepted. The rsc records, ids and times are copied into slices from
// the run's pools, reused by the next batch.
func sendWhole[T, R any, K comparable](ctx context.Context, r *run, o *batchOutcome, recs []T, isNew []bool, kind EntityKind,
	bufs *slicePool[R], fields func(*T) (R, string, time.Time), fn func(context.Context, []R) (*rsc.BatchResult[K], error), accepted []bool) {
	buf, sentBuf := bufs.get(len(recs)), r.bufs.sent.get(len(recs))
	defer bufs.put(buf)
	defer r.bufs.sent.put(sentBuf)
	rs, sent := *buf, *sentBuf
	for i := range recs {
		rs[i], sent[i].id, sent[i].mod = fields(&recs[i])
	}
	o.sent += int64(len(rs))
	o.err = sendSplit(ctx, r, rs, fn, func(i int, it rsc.Item[K]) {
		if accepted != nil {
			accepted[i] = it.Err == nil
		}
		r.settle(o, it.Err, isNew[i], kind, "", sent[i].id, sent[i].mod)
	})
}

// settle records one record's outcome in o. isNew says whether the
// record counts as a new distinct record on LinkedIn (pipeline.isNew); a
// refused one that is not was held by LinkedIn, which keeps the version
// it accepted before (DeadLetter.Held).
func (r *run) settle(o *batchOutcome, err error, isNew bool, kind EntityKind, parent, id string, mod time.Time) {
	if err != nil {
		d := r.deadLetter(kind, id, parent, mod, err)
		d.Held = !isNew
		o.dead = append(o.dead, d)
		return
	}
	o.acked++
	k, had, refused, held := r.deadLettered(kind, parent, id)
	// A refused record LinkedIn now holds, read again since fixed, counts
	// unless an earlier version of it counted already.
	if isNew || refused && !held {
		o.newAcked++
	}
	if had {
		o.cleared = append(o.cleared, k)
	}
}

// sendApplications upserts one batch of applications (always whole
// records), then the stage history of the accepted ones. Stages are part
// of their application: they are not counted as records sent, but a
// refused stage is dead-lettered on its own. A batch whose stages could not
// all be sent fails whole, so the watermark does not pass it and the next
// run sends its applications and stages again.
func (r *run) sendApplications(ctx context.Context, recs []Application, isNew []bool) batchOutcome {
	var o batchOutcome
	acceptedBuf := r.bufs.accepted.get(len(recs))
	defer r.bufs.accepted.put(acceptedBuf)
	okApp := *acceptedBuf
	sendWhole(ctx, r, &o, recs, isNew, KindApplication, &r.bufs.applications, func(a *Application) (rsc.Application, string, time.Time) {
		return a.Record, a.Record.Key.ApplicationID, a.ModifiedAt
	}, r.e.client.Applications.Upsert, okApp)
	if o.err == nil {
		o.err = r.sendStages(ctx, recs, okApp, &o)
	}
	return o
}

// stageRepeats returns which of an application's stages repeat an earlier
// stage's id, or nil when none does: a Source must not list one stage id
// twice in an application. The first is sent; the others are refused with
// errRepeatedStage, in a run as in a dry run, whichever calls the client
// would have split them into (it refuses a key repeated within one call).
// A short history is scanned without a map.
func stageRepeats(stages []rsc.Stage) []bool {
	var rep []bool
	mark := func(j int) {
		if rep == nil {
			rep = make([]bool, len(stages))
		}
		rep[j] = true
	}
	if len(stages) <= 16 {
		for j := 1; j < len(stages); j++ {
			for i := range j {
				if stages[i].ID == stages[j].ID {
					mark(j)
					break
				}
			}
		}
		return rep
	}
	seen := make(map[string]bool, len(stages))
	for j := range stages {
		if seen[stages[j].ID] {
			mark(j)
		}
		seen[stages[j].ID] = true
	}
	return rep
}

// errRepeatedStage is the refusal of a stage id repeated in an
// application, as the client words a key repeated in one call.
func errRepeatedStage(id string) error {
	return &rsc.ValidationError{Resource: "stages", Key: id, Field: "id", Rule: rsc.RuleRepeated}
}

// sendStages upserts the stage history of the accepted applications of
// recs in as few calls as the family allows (UpsertManyStages): on the
// versioned endpoints a batch's stages share calls whatever their
// applications; on /v2 each application's go in calls of their own.
func (r *run) sendStages(ctx context.Context, recs []Application, accepted []bool, o *batchOutcome) error {
	var stages []rsc.ApplicationStage
	var modified []time.Time
	for i := range recs {
		if !accepted[i] {
			continue
		}
		a := &recs[i]
		rep := stageRepeats(a.Stages)
		for j, s := range a.Stages {
			if rep != nil && rep[j] { // refused here, whatever call the first went in
				o.dead = append(o.dead, r.deadLetter(KindStage, s.ID, a.Record.Key.ApplicationID, a.ModifiedAt, errRepeatedStage(s.ID)))
				continue
			}
			stages = append(stages, rsc.ApplicationStage{Application: a.Record.Key, Stage: s})
			modified = append(modified, a.ModifiedAt)
		}
	}
	if len(stages) == 0 {
		return nil
	}
	// sendSplit takes one call's records: at most rsc.MaxBatchSize, and on
	// /v2 (one call per application) those of one application.
	across := r.e.client.Versioned()
	for start := 0; start < len(stages); {
		end := start + 1
		for end < len(stages) && end-start < rsc.MaxBatchSize && (across || stages[end].Application == stages[start].Application) {
			end++
		}
		chunk, off := stages[start:end], start
		err := sendSplit(ctx, r, chunk, r.e.client.Applications.UpsertManyStages, func(j int, it rsc.Item[rsc.NoteKey]) {
			j += off
			app, id := stages[j].Application.ApplicationID, stages[j].Stage.ID
			if it.Err != nil {
				o.dead = append(o.dead, r.deadLetter(KindStage, id, app, modified[j], it.Err))
			} else if k, had, _, _ := r.deadLettered(KindStage, app, id); had {
				o.cleared = append(o.cleared, k)
			}
		})
		if err != nil {
			return err
		}
		start = end
	}
	return nil
}

// activityGroup is activities of one kind in a batch, of one parent on
// /v2, whose paths name the parent. On the versioned endpoints a note's or
// a feedback's key names its parent, so the activities of one kind go in
// one call whatever their parents (docs/linkedin-api.md §11).
type activityGroup struct {
	kind EntityKind
	idx  []int
}

// sendActivities sends one batch of activities, one call per group.
func (r *run) sendActivities(ctx context.Context, recs []Activity, isNew []bool) batchOutcome {
	var o batchOutcome
	o.sent = int64(len(recs))
	var groups []*activityGroup
	byKey := map[string]*activityGroup{}
	across := r.e.client.Versioned()
	for i := range recs {
		a := &recs[i]
		k := string(a.Kind)
		if !across {
			k += "\x00" + a.parent()
		}
		g := byKey[k]
		if g == nil {
			g = &activityGroup{kind: a.Kind}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.idx = append(g.idx, i)
	}
	for _, g := range groups {
		each := func(j int, it rsc.Item[rsc.NoteKey]) {
			a := &recs[g.idx[j]]
			r.settle(&o, it.Err, isNew[g.idx[j]], a.Kind, a.parent(), a.ID(), a.ModifiedAt)
		}
		var err error
		switch g.kind {
		case KindCandidateNote:
			notes := make([]rsc.CandidateNote, len(g.idx))
			for j, i := range g.idx {
				notes[j] = rsc.CandidateNote{Candidate: recs[i].Candidate, Note: recs[i].Note}
			}
			err = sendSplit(ctx, r, notes, r.e.client.Candidates.UpsertManyNotes, each)
		case KindApplicationNote:
			notes := make([]rsc.ApplicationNote, len(g.idx))
			for j, i := range g.idx {
				notes[j] = rsc.ApplicationNote{Application: recs[i].Application, Note: recs[i].Note}
			}
			err = sendSplit(ctx, r, notes, r.e.client.Applications.UpsertManyNotes, each)
		case KindInterviewFeedback:
			fbs := make([]rsc.ApplicationFeedback, len(g.idx))
			for j, i := range g.idx {
				fbs[j] = rsc.ApplicationFeedback{Application: recs[i].Application, Feedback: recs[i].Feedback}
			}
			err = sendSplit(ctx, r, fbs, r.e.client.Applications.UpsertManyFeedback, each)
		default:
			for j, i := range g.idx {
				each(j, rsc.Item[rsc.NoteKey]{Err: unknownActivityKind(&recs[i])})
			}
		}
		if err != nil {
			o.err = err
			return o
		}
	}
	return o
}
