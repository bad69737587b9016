package sync

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
)

func recreatedApp(org, id string, t time.Time, stages ...string) Application {
	a := Application{ModifiedAt: t, Record: rsc.Application{
		Key: rsc.ApplicationKey{IntegrationContext: org, ApplicationID: id}, CreatedAt: rsc.Millis(t.Add(-time.Hour)),
		LastModifiedAt: rsc.Millis(t), JobPostingID: "J1", JobPostingName: "Engineer",
		FirstName: "Ann", LastName: "Lee", CandidateEmail: "ann@example.com"}}
	for _, s := range stages {
		a.Stages = append(a.Stages, rsc.Stage{ID: s, Stage: "Phone Screen", CreatedAt: rsc.Millis(t.Add(-time.Hour))})
	}
	return a
}

// A stage deleted in the ATS and then added again under the same id (the
// application modified after the deletion) must stay on LinkedIn, as a
// recreated candidate does (SkipRecreated).
func TestStageRecreatedAfterDeletion(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		src := NewSliceSource().PutApplications(recreatedApp(org, "A1", time.Now().Add(-time.Hour), "s1", "s2"))
		eng, _ := e.ran(t, src)
		time.Sleep(time.Minute)
		src.Delete(Deletion{Kind: KindStage, ID: "s2", Parent: "A1", DeletedAt: time.Now(), Integration: org})
		time.Sleep(time.Minute)
		src.PutApplications(recreatedApp(org, "A1", time.Now(), "s1", "s2")) // s2 back, later
		time.Sleep(time.Minute)
		_, err := eng.Run(t.Context())
		must(t, err)
		assertSame(t, src, time.Time{}, e.cust)
	})
}

func recreatedCand(org, id string, t time.Time) Candidate {
	return Candidate{ModifiedAt: t, Record: rsc.Candidate{Key: rsc.CandidateKey{IntegrationContext: org, CandidateID: id},
		FirstName: "Ann", LastName: "Lee", EmailAddresses: []string{"ann@example.com"}, ExternalProfileURL: "https://ats.example.com/c/" + id,
		CreatedAt: rsc.Millis(t), LastModifiedAt: rsc.Millis(t)}}
}

// Delete and re-insert of one id in one transaction stamps both with the
// commit time: the ATS holds the record, so LinkedIn must keep it.
func TestRecreatedAtDeletionInstant(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		src := NewSliceSource().PutCandidates(recreatedCand(org, "C1", time.Now().Add(-time.Hour)))
		eng, _ := e.ran(t, src)
		time.Sleep(time.Minute)
		at := time.Now()
		src.Delete(Deletion{Kind: KindCandidate, ID: "C1", DeletedAt: at, Integration: org})
		src.PutCandidates(recreatedCand(org, "C1", at)) // same transaction, same stamp
		time.Sleep(time.Minute)
		rep, err := eng.Run(t.Context())
		must(t, err)
		if _, ok := e.cust.Candidate("C1"); !ok {
			t.Errorf("LinkedIn lost C1, which the ATS holds; deletions: %+v", *rep.Phases[PhaseDeletions])
		}
	})
}

// Deleting a record LinkedIn refused (a dead letter) clears its dead
// letter and leaves Acknowledged alone: it was never acknowledged, so the
// reconciliation still finds every candidate the ATS holds.
func TestDeletingRefusedRecordKeepsReconciliation(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		src := NewSliceSource()
		bad := recreatedCand(org, "bad", time.Now().Add(-time.Hour))
		bad.Record.FirstName = "" // refused
		src.PutCandidates(bad, recreatedCand(org, "C1", time.Now().Add(-time.Hour)), recreatedCand(org, "C2", time.Now().Add(-time.Hour)))
		eng, _ := e.ran(t, src)
		time.Sleep(time.Minute)
		src.Delete(Deletion{Kind: KindCandidate, ID: "bad", DeletedAt: time.Now(), Integration: org})
		time.Sleep(time.Minute)
		rep, err := eng.Run(t.Context())
		must(t, err)
		want := Reconciliation{Phase: PhaseCandidates, ATSTotal: 2, Acknowledged: 2}
		for _, x := range rep.Reconciliation {
			if x.Phase == PhaseCandidates {
				if d := cmp.Diff(want, x); d != "" {
					t.Errorf("candidates' reconciliation (-want +got):\n%s", d)
				}
			}
		}
	})
}
