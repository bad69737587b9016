package sync

import (
	"context"
	"time"
)

// Record is one ATS record as the eligibility hook sees it: its kind and id,
// and exactly one of the pointers set. Deletions are not passed to the hook.
type Record struct {
	Kind   EntityKind
	ID     string
	Parent string // candidate or application id of notes and feedback

	Job         *Job
	Candidate   *Candidate
	Application *Application
	Activity    *Activity
}

// Eligibility decides whether a record may be sent to LinkedIn, returning a
// short reason when it may not (for example "no consent", "confidential
// job", "private candidate"). Reasons are counted in reports, so keep them
// to a small fixed set and never put record contents in them.
//
// An ineligible record is skipped, not deleted: if it was sent before and
// must now disappear from LinkedIn, yield a Deletion for it.
type Eligibility func(ctx context.Context, r Record) (ok bool, reason string)

func jobRecord(j *Job) Record {
	return Record{Kind: KindJob, ID: j.Posting.ExternalJobPostingID, Job: j}
}

func candidateRecord(c *Candidate) Record {
	return Record{Kind: KindCandidate, ID: c.Record.Key.CandidateID, Candidate: c}
}

func applicationRecord(p *Application) Record {
	return Record{Kind: KindApplication, ID: p.Record.Key.ApplicationID, Parent: p.Record.CandidateID, Application: p}
}

func activityRecord(a *Activity) Record {
	return Record{Kind: a.Kind, ID: a.ID(), Parent: a.parent(), Activity: a}
}

// parent returns the candidate or application id the activity belongs to.
func (a Activity) parent() string {
	if a.Kind == KindCandidateNote {
		return a.Candidate.CandidateID
	}
	return a.Application.ApplicationID
}

// integration returns the integration context of the activity's parent.
func (a Activity) integration() string {
	if a.Kind == KindCandidateNote {
		return a.Candidate.IntegrationContext
	}
	return a.Application.IntegrationContext
}

// created returns the record's creation time, for reconciliation counts.
func (r Record) created() time.Time {
	switch {
	case r.Job != nil:
		return r.Job.Posting.ListedAt.Time()
	case r.Candidate != nil:
		return r.Candidate.Record.CreatedAt.Time()
	case r.Application != nil:
		return r.Application.Record.CreatedAt.Time()
	case r.Activity != nil:
		if r.Activity.Kind == KindInterviewFeedback {
			return r.Activity.Feedback.CreatedAt.Time()
		}
		return r.Activity.Note.CreatedAt.Time()
	}
	return time.Time{}
}

// kindPhase says which phase syncs a kind.
func kindPhase(k EntityKind) Phase {
	switch k {
	case KindJob:
		return PhaseJobs
	case KindCandidate:
		return PhaseCandidates
	case KindApplication, KindStage:
		return PhaseApplications
	default:
		return PhaseActivities
	}
}
