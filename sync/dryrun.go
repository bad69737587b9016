package sync

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// dryRun reads every phase from its watermark (the window on a first run),
// applies eligibility and LinkedIn's documented validation rules, and
// reports what would be sent and refused. It sends nothing and writes
// neither checkpoints nor dead letters.
func (e *Engine) dryRun(ctx context.Context) (*Report, error) {
	now := e.cfg.clock.Now()
	cust := e.cust
	cp, err := e.load(ctx)
	if err != nil {
		return nil, err
	}
	if cp == nil {
		cp = newCheckpoint(cust)
		if e.cfg.window > 0 {
			cp.WindowFrom = now.Add(-e.cfg.window).UTC()
		}
		for _, p := range Phases() {
			cp.Phases[p].Cursor = Cursor{ModifiedAt: cp.WindowFrom}
		}
		cp.Phases[PhaseDeletions].Cursor = Cursor{ModifiedAt: now.Add(-e.cfg.deleteSkew).UTC()}
	}
	r := &run{e: e, cust: cust, cp: cp, rep: newReport(cust, true, now), dry: true, meters: map[Phase]*meter{}}
	r.rep.Historical = cp.historical()
	if g := e.cfg.consent; g != nil {
		if err := g.CheckConsent(ctx, cust); err != nil {
			return nil, &consentError{err}
		}
	}
	totals, terr := e.src.Totals(ctx, cp.WindowFrom)
	c := e.client
	jobs := map[string]JobState{}
	check := func(kind EntityKind, id, parent string, err error) bool {
		if err == nil {
			return true
		}
		reason, _, _ := describe(err)
		r.rep.reject(DeadLetter{Kind: kind, ID: id, Parent: parent, Reason: reason})
		return false
	}
	if err := dryPhase(ctx, r, PhaseJobs, e.src.Jobs(ctx, cp.Phases[PhaseJobs].Cursor), jobPos, jobRecord, func(j *Job) bool {
		id := j.Posting.ExternalJobPostingID
		st, known := cp.Jobs[id]
		if s, ok := jobs[id]; ok {
			st, known = s, true
		}
		op := decideOp(st, known, j.Closed)
		if op == "" {
			return true
		}
		p := j.Posting
		p.OperationType = op
		jobs[id] = JobState{State: jobPosted}
		return check(KindJob, id, "", c.Jobs.Validate(&p))
	}); err != nil {
		return r.rep, err
	}
	if err := dryPhase(ctx, r, PhaseCandidates, e.src.Candidates(ctx, cp.Phases[PhaseCandidates].Cursor), candidatePos, candidateRecord, func(x *Candidate) bool {
		return check(KindCandidate, x.Record.Key.CandidateID, "", c.Candidates.Validate(&x.Record))
	}); err != nil {
		return r.rep, err
	}
	if err := dryPhase(ctx, r, PhaseApplications, e.src.Applications(ctx, cp.Phases[PhaseApplications].Cursor), applicationPos, applicationRecord, func(x *Application) bool {
		id := x.Record.Key.ApplicationID
		if !check(KindApplication, id, "", c.Applications.Validate(&x.Record)) {
			return false
		}
		ok := true
		for i := range x.Stages {
			ok = check(KindStage, x.Stages[i].ID, id, c.Applications.ValidateStage(&x.Stages[i])) && ok
		}
		return ok
	}); err != nil {
		return r.rep, err
	}
	if err := dryPhase(ctx, r, PhaseActivities, e.src.Activities(ctx, cp.Phases[PhaseActivities].Cursor), activityPos, activityRecord, func(a *Activity) bool {
		return check(a.Kind, a.ID(), a.parent(), validateActivity(c, a))
	}); err != nil {
		return r.rep, err
	}
	if err := dryPhase(ctx, r, PhaseDeletions, e.src.Deletions(ctx, cp.Phases[PhaseDeletions].Cursor), deletionPos, nil, func(d *Deletion) bool {
		if d.ID == "" || !strings.HasPrefix(d.Integration, "urn:li:") {
			return check(d.Kind, d.ID, d.Parent, errors.New("deletion needs an id and an integration context URN"))
		}
		return true
	}); err != nil {
		return r.rep, err
	}
	r.rep.CaughtUp = true
	r.rep.FinishedAt = e.cfg.clock.Now()
	if terr == nil {
		tot := map[Phase]int64{PhaseJobs: totals.Jobs, PhaseCandidates: totals.Candidates, PhaseApplications: totals.Applications, PhaseActivities: totals.Activities}
		for _, p := range Phases() {
			pr := r.rep.Phases[p]
			x := Reconciliation{Phase: p, ATSTotal: tot[p], Acknowledged: cp.Phases[p].Acknowledged + pr.Sent,
				DeadLettered: pr.Failed, Ineligible: cp.Phases[p].Skipped + pr.Skipped}
			x.Missing = max(x.ATSTotal-x.Acknowledged-x.DeadLettered-x.Ineligible, 0)
			r.rep.Reconciliation = append(r.rep.Reconciliation, x)
		}
	}
	return r.rep, nil
}

// dryPhase reads one phase for a dry run.
func dryPhase[T any](ctx context.Context, r *run, p Phase, stream iter.Seq2[T, error], pos func(*T) (time.Time, string), rec func(*T) Record, valid func(*T) bool) error {
	from := r.cp.Phases[p].Cursor
	pr := r.rep.phase(p)
	n := 0
	for v, err := range stream {
		if err != nil {
			return fmt.Errorf("sync: reading %s from the source: %w", phaseKeys[p], err)
		}
		if t, id := pos(&v); !from.After(t, id) {
			continue
		}
		pr.Read++
		if rec != nil && r.e.cfg.eligible != nil {
			if ok, reason := r.e.cfg.eligible(ctx, rec(&v)); !ok {
				r.rep.skip(p, reason)
				continue
			}
		}
		if valid(&v) {
			pr.Sent++
		} else {
			pr.Failed++
		}
		if n++; n%rsc.MaxBatchSize == 0 {
			pr.Batches++
			if g := r.e.cfg.consent; g != nil {
				if err := g.CheckConsent(ctx, r.cust); err != nil {
					return &consentError{err}
				}
			}
		}
	}
	if n%rsc.MaxBatchSize != 0 {
		pr.Batches++
	}
	pr.Completed = true
	return ctx.Err()
}

// validateActivity checks a note or feedback as the client does before
// sending it, plus its parent id.
func validateActivity(c *rsc.Client, a *Activity) error {
	if strings.TrimSpace(a.parent()) == "" {
		return &rsc.ValidationError{Resource: string(a.Kind), Key: a.ID(), Field: "parent", Rule: "is required"}
	}
	switch a.Kind {
	case KindCandidateNote:
		return c.Candidates.ValidateNote(&a.Note)
	case KindApplicationNote:
		return c.Applications.ValidateNote(&a.Note)
	case KindInterviewFeedback:
		return c.Applications.ValidateFeedback(&a.Feedback)
	}
	return unknownActivityKind(a)
}

func unknownActivityKind(a *Activity) error {
	return &rsc.ValidationError{Resource: "activity", Key: a.ID(), Field: "kind", Rule: "must be candidateNote, applicationNote or interviewFeedback"}
}
