package sync

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/rsc"
)

// equalContent is the report of kinds whose every record is equal:
// checked[k] records compared.
func equalContent(checked map[EntityKind]int64) []KindContent {
	var out []KindContent
	for _, k := range contentKinds {
		out = append(out, KindContent{Kind: k, Checked: checked[k], Equal: checked[k]})
	}
	return out
}

// Against the fake, every kind is compared, and after an incremental sync
// with edits, a closed job and deletions, content is equal record by
// record; a field changed on LinkedIn's side, a job closed in the ATS but
// listed on LinkedIn and a record LinkedIn holds that the ATS never sent
// are then found by key.
func TestReconcileContentEveryKind(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		g, src, eng, _ := e.synced(t, newGen(org, time.Now(), 24*time.Hour, 8, 20, 10, 15), WithHoldings(e.cust.Holdings()))
		got, err := eng.ReconcileContent(t.Context(), 0)
		must(t, err)
		full := map[EntityKind]int64{KindJob: 8, KindCandidate: 20, KindApplication: 10, KindStage: 20,
			KindCandidateNote: 5, KindApplicationNote: 5, KindInterviewFeedback: 5}
		if diff := cmp.Diff(equalContent(full), got.Kinds); diff != "" {
			t.Fatalf("after the historical sync (-want +got):\n%s", diff)
		}

		time.Sleep(time.Hour) // the bubble's clock
		now := time.Now()
		c := g.cand(3)
		c.Record.FirstName, c.ModifiedAt = "Bo", now
		j := g.job(1)
		j.Closed, j.ModifiedAt = true, now
		a := g.place(2)
		a.Record.Source, a.Stages[1].Stage, a.ModifiedAt = "Agency", "Offer", now
		n := g.act(4) // an application note
		n.Note.Note, n.ModifiedAt = "great", now
		src.PutCandidates(c).PutJobs(j).PutApplications(a).PutActivities(n)
		src.Delete(Deletion{Kind: KindCandidate, ID: candID(5), DeletedAt: now, Integration: org})
		src.Delete(Deletion{Kind: KindInterviewFeedback, ID: actID(5), Parent: appID(5 % 10), DeletedAt: now, Integration: org})
		_, err = eng.Run(t.Context())
		must(t, err)
		got, err = eng.ReconcileContent(t.Context(), 0)
		must(t, err)
		if diff := cmp.Diff(equalContent(full), got.Kinds); diff != "" {
			t.Fatalf("after the incremental sync (-want +got):\n%s", diff)
		}

		stale := g.act(7) // an application note
		stale.Note.Note = "changed on LinkedIn"
		_, err = e.client.Applications.UpsertNotes(t.Context(), stale.Application, []rsc.Note{stale.Note})
		must(t, err)
		extra := rsc.Note{ID: "never-sent", Note: "hello", CreatedAt: rsc.Millis(now)}
		_, err = e.client.Candidates.UpsertNotes(t.Context(), g.cand(1).Record.Key, []rsc.Note{extra})
		must(t, err)
		closed := g.job(2) // closed in the ATS without a new ModifiedAt: never sent, still listed on LinkedIn
		closed.Closed = true
		src.PutJobs(closed)
		got, err = eng.ReconcileContent(t.Context(), 0)
		must(t, err)
		want := equalContent(full)
		want[1] = KindContent{Kind: KindJob, Checked: 8, Equal: 7,
			Stale: 1, StaleRecords: []Stale{{Key: dlKey(KindJob, "", jobID(2)), Fields: []string{"jobPostingOperationType"}}}}
		want[4] = KindContent{Kind: KindCandidateNote, Checked: 6, Equal: 5,
			Extra: 1, ExtraKeys: []string{dlKey(KindCandidateNote, candID(1), "never-sent")}}
		want[5] = KindContent{Kind: KindApplicationNote, Checked: 5, Equal: 4,
			Stale: 1, StaleRecords: []Stale{{Key: dlKey(KindApplicationNote, appID(7), actID(7)), Fields: []string{"note"}}}}
		if diff := cmp.Diff(want, got.Kinds); diff != "" {
			t.Errorf("planted differences (-want +got):\n%s", diff)
		}
		var b strings.Builder
		must(t, got.WriteText(&b))
		for _, line := range []string{
			"content applicationNote: checked 5, equal 4, missing 0, stale 1, extra 0\n",
			"  stale on LinkedIn: applicationNote/A00000007/N00000007 (note)\n",
			"  on LinkedIn, deleted in the ATS or never sent: candidateNote/C00000001/never-sent\n",
		} {
			if !strings.Contains(b.String(), line) {
				t.Errorf("text lacks %q:\n%s", line, b.String())
			}
		}

		snap := e.cust.Snapshot().Holdings() // as read from a fake in another process
		for _, k := range contentKinds {
			live, _, err := e.cust.Holdings().Held(t.Context(), string(k), nil)
			must(t, err)
			fromSnap, all, err := snap.Held(t.Context(), string(k), nil)
			must(t, err)
			if diff := cmp.Diff(live, fromSnap); diff != "" || !all || len(live) == 0 {
				t.Errorf("%s: a snapshot holds something else (all %v, -live +snapshot):\n%s", k, all, diff)
			}
		}
		if _, _, err := e.cust.Holdings().Held(t.Context(), "ghost", nil); err == nil {
			t.Error("Held of an unknown kind: no error")
		}
		if _, err := NewEngine(e.client, "c1", src, WithHoldings(nil)); err == nil {
			t.Error("WithHoldings(nil): no error")
		}

		// Without WithHoldings, as against a real account: candidates only.
		got, err = e.engine(t, src).ReconcileContent(t.Context(), 0)
		must(t, err)
		want = []KindContent{{Kind: KindCandidate, Checked: 20, Equal: 20}}
		for _, k := range contentKinds[1:] {
			want = append(want, KindContent{Kind: k, Unchecked: "the client cannot read " + string(k) + " records back from LinkedIn"})
		}
		if diff := cmp.Diff(want, got.Kinds); diff != "" {
			t.Errorf("default holdings (-want +got):\n%s", diff)
		}
	})
}

// A versioned client sends no requisition owner (the versioned API takes
// none), so a job that has one reconciles equal on both families.
func TestReconcileJobRequisitionOwnerPerFamily(t *testing.T) {
	inFamilies(t, func(t *testing.T, e *env, versioned bool) {
		org := e.cust.Organization
		now := time.Now()
		src := NewSliceSource().PutJobs(Job{ModifiedAt: now.Add(-time.Hour), Posting: rsc.JobPosting{
			ExternalJobPostingID: "J1", IntegrationContext: org, CompanyApplyURL: "https://ats.example.com/apply/J1",
			Title: "Backend engineer", Description: strings.Repeat("Build the sync engine. ", 6),
			ListedAt: rsc.Millis(now.Add(-2 * time.Hour)), Location: "Paris, France", PosterEmail: "recruiter@example.com",
			Availability: rsc.AvailabilityPublic, RequisitionOwnerEmail: "owner@example.com", RequisitionOwnerFirstName: "Ann"}})
		eng, _ := e.ran(t, src, WithHoldings(e.cust.Holdings()))
		if n := len(e.cust.Jobs()); n != 1 {
			t.Fatalf("LinkedIn holds %d jobs, want 1", n)
		}
		got, err := eng.ReconcileContent(t.Context(), 0)
		must(t, err)
		for _, k := range got.Kinds {
			if k.Kind == KindJob {
				if d := cmp.Diff(KindContent{Kind: KindJob, Checked: 1, Equal: 1}, k); d != "" {
					t.Errorf("job content (-want +got):\n%s", d)
				}
			}
		}
	})
}
