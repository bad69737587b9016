package sync

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/rscgo/rscgo/rsc"
)

// The phase kinds: how the pipeline reads, filters, sends and (dry run)
// checks each phase's records.

func (r *run) jobKind() phaseKind[Job] {
	return phaseKind[Job]{phase: PhaseJobs, pos: jobPos, rec: jobRecord,
		send: screened(r, jobIdentity, r.sendJobs), check: screened(r, jobIdentity, r.checkJobs), inline: true}
}

func (r *run) candidateKind() phaseKind[Candidate] {
	return phaseKind[Candidate]{phase: PhaseCandidates, pos: candidatePos, rec: candidateRecord,
		send: screened(r, candidateIdentity, r.sendCandidates), check: screened(r, candidateIdentity, r.checkCandidates)}
}

func (r *run) applicationKind() phaseKind[Application] {
	return phaseKind[Application]{phase: PhaseApplications, pos: applicationPos, rec: applicationRecord,
		send: screened(r, applicationIdentity, r.sendApplications), check: screened(r, applicationIdentity, r.checkApplications)}
}

func (r *run) activityKind() phaseKind[Activity] {
	return phaseKind[Activity]{phase: PhaseActivities, pos: activityPos, ident: activityIdent, rec: activityRecord,
		send: screened(r, activityIdentity, r.sendActivities), check: screened(r, activityIdentity, r.checkActivities),
		repair: r.adoptParents}
}

// activityIdent names an activity within a batch: a note and a feedback,
// or notes of two parents, may share an id (they come from different
// tables of the ATS), and neither may replace the other: its actKey and
// integration context, in one concatenation.
func activityIdent(a *Activity) string {
	return string(a.Kind) + "\x00" + a.parent() + "\x00" + a.ID() + "\x00" + a.integration()
}

func (r *run) deletionKind() phaseKind[Deletion] {
	return phaseKind[Deletion]{phase: PhaseDeletions, pos: deletionPos, ident: deletionIdent,
		send: screened(r, deletionIdentity, r.sendDeletions), check: screened(r, deletionIdentity, r.checkDeletions), inline: true}
}

// unstorableRule is the rule an identifier breaks when screened refuses
// its record. JSON text is UTF-8 (RFC 8259 §8.1), which LinkedIn's request
// bodies are (docs/linkedin-api.md §3.3); PostgreSQL's text holds no NUL
// and its jsonb no \u0000 (https://www.postgresql.org/docs/current/datatype-json.html).
const unstorableRule = "must be valid UTF-8 without NUL (U+0000): LinkedIn's API is JSON"

// screened returns send with the records refused up front (refusal) whose
// identifiers (id, parent, integration context: identity gives them, as
// a dead letter) are not valid UTF-8 or hold NUL, or whose integration
// context is not one of the customer's (WithIntegrationContexts). LinkedIn's
// API (JSON) cannot carry the former, nor can the stores keep them as they
// are; LinkedIn refuses the latter's whole batch. Each becomes a dead letter (escaped, DeadLetter.Escape) saying which
// identifier, counted as sent (as records the client refuses are, in a
// dry run too), and the watermark passes it as it passes any dead letter (a Cursor keeps its id
// exactly, see Cursor.MarshalJSON). Such a job never enters the
// checkpoint's job states.
func screened[T any](r *run, identity func(*T) DeadLetter,
	send func(context.Context, []T, []bool) batchOutcome) func(context.Context, []T, []bool) batchOutcome {
	return func(ctx context.Context, recs []T, isNew []bool) batchOutcome {
		bad := false
		for i := 0; i < len(recs) && !bad; i++ {
			field, _ := r.refusal(identity(&recs[i]))
			bad = field != ""
		}
		if !bad {
			return send(ctx, recs, isNew)
		}
		kept, keptNew := make([]T, 0, len(recs)), make([]bool, 0, len(recs))
		var refused []DeadLetter
		for i := range recs {
			d := identity(&recs[i])
			field, rule := r.refusal(d)
			if field == "" {
				kept, keptNew = append(kept, recs[i]), append(keptNew, isNew[i])
				continue
			}
			dl := r.deadLetter(d.Kind, d.ID, d.Parent, d.ModifiedAt, &rsc.ValidationError{Resource: string(d.Kind), Field: field, Rule: rule})
			if d.Delete {
				dl.Delete, dl.Integration = true, d.Integration
			}
			refused = append(refused, dl)
		}
		var o batchOutcome
		if len(kept) > 0 {
			o = send(ctx, kept, keptNew)
		}
		o.dead = append(o.dead, refused...)
		o.sent += int64(len(refused))
		return o
	}
}

// foreignRule is the rule a record breaks whose integration context is not
// one WithIntegrationContexts names.
const foreignRule = "is not one of the customer's integration contexts (WithIntegrationContexts)"

// maxJobIDLen and jobIDRule: the longest externalJobPostingId LinkedIn
// takes in either family (docs/linkedin-api.md §7.1).
const (
	maxJobIDLen = 200
	jobIDRule   = "must be at most 200 characters, the most LinkedIn takes (docs/linkedin-api.md §7.1)"
)

// refusal returns the field and rule for which screened refuses the record
// d identifies: an identifier that is not valid UTF-8 or holds NUL, a job
// id longer than LinkedIn takes, or an integration context that is not the
// customer's (WithIntegrationContexts; a job naming its company instead
// has none to check); "" for none.
func (r *run) refusal(d DeadLetter) (field, rule string) {
	if f := unstorable(d); f != "" {
		return f, unstorableRule
	}
	if d.Kind == KindJob && !d.Delete && utf8.RuneCountInString(d.ID) > maxJobIDLen {
		// Refused by the client in every family, and kept out of the
		// checkpoint's job states, where a store may key rows by the id
		// (PostgreSQL refuses an index entry past about 2,700 bytes).
		return "externalJobPostingId", jobIDRule
	}
	if c := r.e.cfg.contexts; c != nil && d.Integration != "" && !c[d.Integration] {
		return "integrationContext", foreignRule
	}
	return "", ""
}

// unstorable names the identifier of d that is not valid UTF-8 or holds
// NUL: "id", "parent" or "integration"; "" when there is none.
func unstorable(d DeadLetter) string {
	switch {
	case !storable(d.ID):
		return "id"
	case !storable(d.Parent):
		return "parent"
	case !storable(d.Integration):
		return "integration"
	}
	return ""
}

// deletionIdent names a deletion within a batch: stages, notes and
// feedback of different parents may share an id.
func deletionIdent(d *Deletion) string {
	return d.CursorID() + "\x00" + d.Parent + "\x00" + d.Integration
}

// checked is a dry run's outcome for n records: ok(i, o) validates record
// i, adding its refusals to o, and reports whether LinkedIn would be asked
// to take it. Every record counts as sent, a refused one too, as a real
// run counts the records the client refuses before sending.
func checked(n int, isNew []bool, ok func(i int, o *batchOutcome) bool) batchOutcome {
	var o batchOutcome
	for i := range n {
		o.sent++
		if ok(i, &o) && isNew[i] {
			o.newAcked++
		}
	}
	return o
}

// refuse adds a dry run's refusal to o when err is not nil, and reports
// whether err is nil.
func (r *run) refuse(o *batchOutcome, kind EntityKind, id, parent string, mod time.Time, err error) bool {
	if err == nil {
		return true
	}
	o.dead = append(o.dead, r.deadLetter(kind, id, parent, mod, err))
	return false
}

// checkJobs validates jobs with the operation a run would send.
func (r *run) checkJobs(_ context.Context, recs []Job, isNew []bool) batchOutcome {
	return checked(len(recs), isNew, func(i int, o *batchOutcome) bool {
		j := &recs[i]
		id := j.Posting.ExternalJobPostingID
		st, known := r.cp.Jobs[id]
		op := decideOp(st, known, j.Closed)
		if op == "" && r.resyncJobs[id] { // closed again, as sendJobs does
			op = rsc.JobClose
		}
		if op == "" {
			return true
		}
		p := j.Posting
		p.OperationType = op
		r.cp.Jobs[id] = JobState{State: jobPosted} // a dry run's checkpoint is never saved
		return r.refuse(o, KindJob, id, "", j.ModifiedAt, r.e.client.Jobs.Validate(&p))
	})
}

func (r *run) checkCandidates(_ context.Context, recs []Candidate, isNew []bool) batchOutcome {
	return checked(len(recs), isNew, func(i int, o *batchOutcome) bool {
		c := &recs[i]
		return r.refuse(o, KindCandidate, c.Record.Key.CandidateID, "", c.ModifiedAt, r.e.client.Candidates.Validate(&c.Record))
	})
}

// checkApplications validates applications and, for valid ones, their
// stages. A valid application would be sent whatever its stages, as
// sendApplications sends it: only a stage that breaks a rule is refused.
func (r *run) checkApplications(_ context.Context, recs []Application, isNew []bool) batchOutcome {
	apps := r.e.client.Applications
	return checked(len(recs), isNew, func(i int, o *batchOutcome) bool {
		x := &recs[i]
		id := x.Record.Key.ApplicationID
		if !r.refuse(o, KindApplication, id, "", x.ModifiedAt, apps.Validate(&x.Record)) {
			return false
		}
		rep := stageRepeats(x.Stages)
		var parentErr error // the stages' call names the application in its path
		if len(x.Stages) > 0 {
			parentErr = apps.ValidateParent(x.Record.Key)
		}
		for j := range x.Stages {
			s := &x.Stages[j]
			var err error
			switch {
			case rep != nil && rep[j]: // as sendStages refuses it, before the client
				err = errRepeatedStage(s.ID)
			case parentErr != nil:
				err = parentErr
			default:
				err = apps.ValidateStage(s)
			}
			r.refuse(o, KindStage, s.ID, id, x.ModifiedAt, err)
		}
		return true
	})
}

func (r *run) checkActivities(_ context.Context, recs []Activity, isNew []bool) batchOutcome {
	return checked(len(recs), isNew, func(i int, o *batchOutcome) bool {
		a := &recs[i]
		return r.refuse(o, a.Kind, a.ID(), a.parent(), a.ModifiedAt, validateActivity(r.e.client, a))
	})
}

// checkDeletions validates deletions, but first skips those whose record
// the ATS holds again, as sendDeletions does (dropRecreated). A deletion
// counts as no new record on LinkedIn.
func (r *run) checkDeletions(ctx context.Context, recs []Deletion, _ []bool) batchOutcome {
	var skipped batchOutcome
	jobs := map[string]Job{} // the deleted jobs' rows, as sendDeletions reads them
	recs, err := r.dropRecreated(ctx, recs, jobs, &skipped)
	if err != nil {
		return batchOutcome{err: err}
	}
	var closing []*Deletion // the job deletions a real run sends a CLOSE for
	for i := range recs {
		if d := &recs[i]; d.Kind == KindJob && r.closesDeleted(d.ID) {
			closing = append(closing, d)
		}
	}
	if err := r.readUnnamed(ctx, closing, jobs); err != nil {
		return batchOutcome{err: err}
	}
	order := sendOrder(recs) // refusals in the order a real run meets them
	o := checked(len(recs), make([]bool, len(recs)), func(i int, o *batchOutcome) bool {
		d := &recs[order[i]]
		err := deletionKeyError(r.e.client, d)
		if err == nil && d.Kind == KindJob {
			err = r.closeError(d, jobs)
		}
		if err == nil {
			return true
		}
		dl := r.deadLetter(d.Kind, d.ID, d.Parent, d.DeletedAt, err)
		dl.Delete, dl.Integration = true, d.Integration
		o.dead = append(o.dead, dl)
		return false
	})
	o.cleared = skipped.cleared
	return o
}

// closesDeleted reports whether a real run sends a CLOSE for the deletion
// of job id (closeDeletedJobs): LinkedIn holds it open, and no task of it
// is in flight (that job is closed once the task settles).
func (r *run) closesDeleted(id string) bool {
	st, known := r.cp.Jobs[id]
	return known && st.State != jobClosed && st.State != jobFailed && st.State != jobPending
}

// closeError is why a real run's CLOSE of deleted job d would be refused
// before it is sent, with the real run's reason, or nil: the job's row
// (jobs) or, without one, its id and the deletion's integration context
// (closeDeletedJobs), checked as the client checks a CLOSE.
func (r *run) closeError(d *Deletion, jobs map[string]Job) error {
	if !r.closesDeleted(d.ID) {
		return nil
	}
	p := closeRow(d, jobs).Posting
	p.OperationType = rsc.JobClose
	if err := r.e.client.Jobs.Validate(&p); err != nil {
		why, _, _ := describe(err)
		return errors.New("closing the job was refused: " + why)
	}
	return nil
}

// deletionKeyError is why a real run would refuse deletion d before
// sending it, or nil, with the reason the real run gives: the key the
// client checks, the record's own (rsc.CandidateKey.Validate,
// rsc.ApplicationKey.Validate), or for a child its parent's, which names
// the parent as its calls do (ValidateParent), then the child's id; a kind
// the engine does not know (deleteGroup). A job's deletion is not checked
// here: the real run takes the deletion of a job LinkedIn never had as
// done, and closes another (closeError).
func deletionKeyError(c *rsc.Client, d *Deletion) error {
	switch d.Kind {
	case KindJob:
		return nil
	case KindCandidate:
		return rsc.CandidateKey{IntegrationContext: d.Integration, CandidateID: d.ID}.Validate()
	case KindApplication:
		return rsc.ApplicationKey{IntegrationContext: d.Integration, ApplicationID: d.ID}.Validate()
	case KindCandidateNote:
		if err := c.Candidates.ValidateParent(rsc.CandidateKey{IntegrationContext: d.Integration, CandidateID: d.Parent}); err != nil {
			return err
		}
		return childIDError(c, d.ID)
	case KindApplicationNote, KindInterviewFeedback, KindStage:
		if err := c.Applications.ValidateParent(rsc.ApplicationKey{IntegrationContext: d.Integration, ApplicationID: d.Parent}); err != nil {
			return err
		}
		return childIDError(c, d.ID)
	}
	return errUnknownDeletionKind(d.Kind)
}

// childIDError is why the client refuses id as the id of a note, interview
// feedback or stage it is asked to delete, or nil. The client checks the
// id of all four alike (required text of at most 512 characters, the
// rule of a note's id), and reads nothing else of a deletion: a note
// holding the id alone breaks no other rule.
func childIDError(c *rsc.Client, id string) error {
	return c.Candidates.ValidateNote(&rsc.Note{ID: id})
}

func errUnknownDeletionKind(k EntityKind) error {
	return errors.New("unknown deletion kind " + string(k))
}

// validateActivity checks a note or feedback as the client does before
// sending it: its parent's key first, then the record.
func validateActivity(c *rsc.Client, a *Activity) error {
	switch a.Kind {
	case KindCandidateNote:
		if err := c.Candidates.ValidateParent(a.Candidate); err != nil {
			return err
		}
		return c.Candidates.ValidateNote(&a.Note)
	case KindApplicationNote:
		if err := c.Applications.ValidateParent(a.Application); err != nil {
			return err
		}
		return c.Applications.ValidateNote(&a.Note)
	case KindInterviewFeedback:
		if err := c.Applications.ValidateParent(a.Application); err != nil {
			return err
		}
		return c.Applications.ValidateFeedback(&a.Feedback)
	}
	return unknownActivityKind(a)
}

func unknownActivityKind(a *Activity) error {
	return &rsc.ValidationError{Resource: "activity", Key: a.ID(), Field: "kind", Rule: "must be candidateNote, applicationNote or interviewFeedback"}
}
