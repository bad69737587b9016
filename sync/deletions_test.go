package sync

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
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

// Deleting a record modified before the window, which the engine never
// read, leaves Acknowledged alone: LinkedIn answers the deletion of a
// record it lacks as any other, but never held it. The Deletion gives the
// record's ModifiedAt (the SliceSource fills it in from the record it
// removes, or the deletion alone gives it).
func TestDeletingNeverSentRecordKeepsReconciliation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		phase Phase
		// before puts records before the first run; between puts them
		// after it and returns the deletion made later.
		before  func(src *SliceSource, org string)
		between func(src *SliceSource, org string) Deletion
	}{{
		name:  "older than the window",
		phase: PhaseCandidates,
		before: func(src *SliceSource, org string) {
			src.PutCandidates(recreatedCand(org, "OLD", time.Now().AddDate(-3, 0, 0)))
		},
		between: func(*SliceSource, string) Deletion { return Deletion{Kind: KindCandidate, ID: "OLD"} },
	}, {
		name:  "older than the window, known to the deletion only",
		phase: PhaseCandidates,
		between: func(*SliceSource, string) Deletion {
			return Deletion{Kind: KindCandidate, ID: "OLD", ModifiedAt: time.Now().AddDate(-3, 0, 0)}
		},
	}, {
		name:  "a note older than the window",
		phase: PhaseActivities,
		before: func(src *SliceSource, org string) {
			src.PutActivities(candNote(org, "C1", "N0", time.Now().AddDate(-3, 0, 0)))
		},
		between: func(*SliceSource, string) Deletion { return Deletion{Kind: KindCandidateNote, ID: "N0", Parent: "C1"} },
	}} {
		t.Run(tc.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T, e *env) {
				org := e.cust.Organization
				hour := time.Now().Add(-time.Hour)
				src := NewSliceSource().PutCandidates(recreatedCand(org, "C1", hour), recreatedCand(org, "C2", hour)).
					PutActivities(candNote(org, "C1", "N1", hour))
				if tc.before != nil {
					tc.before(src, org)
				}
				eng, _ := e.ran(t, src)
				time.Sleep(time.Minute)
				d := tc.between(src, org)
				time.Sleep(time.Minute)
				d.DeletedAt, d.Integration = time.Now(), org
				src.Delete(d)
				time.Sleep(time.Minute)
				rep, err := eng.Run(t.Context())
				must(t, err)
				if n := rep.Phases[PhaseDeletions].Acknowledged; n != 1 {
					t.Errorf("%d deletions acknowledged, want 1", n)
				}
				want := map[Phase]Reconciliation{
					PhaseCandidates: {Phase: PhaseCandidates, ATSTotal: 2, Acknowledged: 2},
					PhaseActivities: {Phase: PhaseActivities, ATSTotal: 1, Acknowledged: 1},
				}[tc.phase]
				if d := cmp.Diff(want, rep.Reconciliation[tc.phase]); d != "" {
					t.Errorf("reconciliation (-want +got):\n%s", d)
				}
			})
		})
	}
}

func candNote(org, cand, id string, t time.Time) Activity {
	return Activity{Kind: KindCandidateNote, Candidate: rsc.CandidateKey{IntegrationContext: org, CandidateID: cand},
		Note: rsc.Note{ID: id, Note: "called", CreatedAt: rsc.Millis(t)}, ModifiedAt: t}
}

// A record deleted between two runs whose deletion LinkedIn never
// acknowledged, or one it acknowledged under another ModifiedAt, keeps the
// reconciliation right:
//   - deleting a record LinkedIn refused (a dead letter) leaves
//     Acknowledged alone: it was never acknowledged, so the reconciliation
//     still finds every candidate the ATS holds;
//   - a job the engine never submitted (created and deleted between two
//     runs) has nothing to close on LinkedIn, and its deletion leaves the
//     jobs' Acknowledged alone: it counts the jobs LinkedIn holds
//     (JobState.Held);
//   - a record the engine sent, then edited and deleted in the ATS between
//     two runs, leaves Acknowledged: its Deletion's ModifiedAt is the
//     edit's, which the engine never read, and yet LinkedIn held the
//     record.
func TestDeletionBetweenRunsKeepsReconciliation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// src is the ATS at the first run; edit, when set, changes it a
		// minute later, a minute before del is deleted.
		src  func(org string) (src *SliceSource, edit func())
		del  Deletion
		want Reconciliation
	}{{
		name: "a refused record",
		src: func(org string) (*SliceSource, func()) {
			bad := recreatedCand(org, "bad", time.Now().Add(-time.Hour))
			bad.Record.FirstName = "" // refused
			return NewSliceSource().PutCandidates(bad, recreatedCand(org, "C1", time.Now().Add(-time.Hour)), recreatedCand(org, "C2", time.Now().Add(-time.Hour))), nil
		},
		del:  Deletion{Kind: KindCandidate, ID: "bad"},
		want: Reconciliation{Phase: PhaseCandidates, ATSTotal: 2, Acknowledged: 2},
	}, {
		name: "a job never sent",
		src: func(org string) (*SliceSource, func()) {
			g := newGen(org, time.Now().Add(-time.Hour), time.Hour, 3, 0, 0, 0)
			src := g.materialize()
			return src, func() {
				j := g.job(0)
				j.Posting.ExternalJobPostingID, j.ModifiedAt = "JNEVER", time.Now()
				src.PutJobs(j)
			}
		},
		del:  Deletion{Kind: KindJob, ID: "JNEVER"},
		want: Reconciliation{Phase: PhaseJobs, ATSTotal: 3, Acknowledged: 3},
	}, {
		name: "a record edited then deleted",
		src: func(org string) (*SliceSource, func()) {
			hour := time.Now().Add(-time.Hour)
			src := NewSliceSource().PutCandidates(recreatedCand(org, "C1", hour), recreatedCand(org, "C2", hour))
			return src, func() {
				c := recreatedCand(org, "C1", hour)
				c.ModifiedAt = time.Now()
				src.PutCandidates(c) // an edit the engine has not read
			}
		},
		del:  Deletion{Kind: KindCandidate, ID: "C1"},
		want: Reconciliation{Phase: PhaseCandidates, ATSTotal: 1, Acknowledged: 1},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T, e *env) {
				org := e.cust.Organization
				src, edit := tc.src(org)
				eng, _ := e.ran(t, src)
				time.Sleep(time.Minute)
				if edit != nil {
					edit()
					time.Sleep(time.Minute)
				}
				d := tc.del
				d.DeletedAt, d.Integration = time.Now(), org
				src.Delete(d)
				time.Sleep(time.Minute)
				rep, err := eng.Run(t.Context())
				must(t, err)
				if d := cmp.Diff(tc.want, rep.Reconciliation[tc.want.Phase]); d != "" {
					t.Errorf("%s reconciliation (-want +got):\n%s", tc.want.Phase, d)
				}
			})
		})
	}
}

// notFoundOnDelete answers every key of a batch_delete that LinkedIn (the
// fake) reports deleted, but did not hold, with a per-entity 404, as a
// LinkedIn resource may: holds says whether the fake held a key's record
// before the call.
func notFoundOnDelete(holds func(r *http.Request) bool) func(http.RoundTripper) http.RoundTripper {
	return func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(r *http.Request) (*http.Response, error) {
			if r.Method != http.MethodDelete || holds(r) {
				return next.RoundTrip(r)
			}
			resp, err := next.RoundTrip(r)
			if err != nil {
				return resp, err
			}
			var ans struct{ Results map[string]json.RawMessage }
			b, _ := io.ReadAll(resp.Body)
			if json.Unmarshal(b, &ans) != nil {
				return nil, fmt.Errorf("batch_delete answer %s", b)
			}
			errs := map[string]any{}
			for k := range ans.Results {
				errs[k] = map[string]any{"status": 404, "message": "Entity not found"}
			}
			out, _ := json.Marshal(map[string]any{"results": map[string]any{}, "errors": errs})
			resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(out)), int64(len(out))
			resp.Header.Del("Content-Length")
			return resp, nil
		})
	}
}

// LinkedIn may answer the deletion of a record it does not hold with a
// per-entity 404: the deletion's end is reached, it is acknowledged and
// leaves no dead letter. Here the record was refused, so never held.
func TestDeletionOfAbsentRecordAnswered404(t *testing.T) {
	var held func(id string) bool
	inBubbleWith(t, envOpt{wrap: notFoundOnDelete(func(r *http.Request) bool { return held(r.URL.RawQuery) })}, func(t *testing.T, e *env) {
		held = func(q string) bool { return !strings.Contains(q, "BAD") }
		org := e.cust.Organization
		hour := time.Now().Add(-time.Hour)
		bad := recreatedCand(org, "BAD", hour)
		bad.Record.EmailAddresses = []string{"not-an-email"} // refused: never on LinkedIn
		src := NewSliceSource().PutCandidates(recreatedCand(org, "C1", hour), bad)
		eng, _ := e.ran(t, src)
		time.Sleep(time.Minute)
		src.Delete(Deletion{Kind: KindCandidate, ID: "BAD", DeletedAt: time.Now(), Integration: org})
		time.Sleep(time.Minute)
		rep, err := eng.Run(t.Context())
		must(t, err)
		if got := *rep.Phases[PhaseDeletions]; got.Acknowledged != 1 || got.Refused != 0 {
			t.Errorf("deletions %+v, want one acknowledged", got)
		}
		if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) != 0 {
			t.Errorf("dead letters %+v, want none", dl)
		}
	})
}

// foldingLookup is a Source whose LookupCandidate folds case, as a
// case-insensitive database collation does.
type foldingLookup struct{ *SliceSource }

func (s foldingLookup) LookupCandidate(ctx context.Context, id string) (Candidate, bool, error) {
	for c, err := range s.Candidates(ctx, Cursor{}) {
		if err != nil || strings.EqualFold(c.Record.Key.CandidateID, id) {
			return c, err == nil, err
		}
	}
	return Candidate{}, false, nil
}

// A Lookup that returns another id's record (AX9 for aX9) would have the
// engine skip aX9's deletion as recreated and keep it on LinkedIn: the
// run fails instead, naming both ids.
func TestLookupOfAnotherIDFails(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		src := foldingLookup{NewSliceSource().PutCandidates(recreatedCand(org, "aX9", time.Now().Add(-time.Hour)))}
		eng, _ := e.ran(t, src)
		time.Sleep(time.Minute)
		src.Delete(Deletion{Kind: KindCandidate, ID: "aX9", DeletedAt: time.Now(), Integration: org})
		time.Sleep(time.Minute)
		src.PutCandidates(recreatedCand(org, "AX9", time.Now()))
		time.Sleep(time.Minute)
		_, err := eng.Run(t.Context())
		if want := `sync: the Source's Lookup of "aX9" returned the record "AX9"`; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Run: %v, want an error saying %q", err, want)
		}
	})
}

// A listed job deleted in the ATS whose row the Source no longer has (a
// hard delete) is closed on LinkedIn by its id and integration context
// alone, since a CLOSE only names its job (docs/linkedin-api.md §7.1);
// nothing is dead-lettered. TestJobDeletedWhileCreatePending does the
// same while the job's CREATE is pending.
func TestHardDeletedJobIsClosed(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now().Add(-time.Hour), time.Hour, 2, 0, 0, 0)
		src := g.materialize()
		eng, _ := e.ran(t, src)
		time.Sleep(time.Minute)
		gone := g.job(0).Posting.ExternalJobPostingID
		src.Delete(Deletion{Kind: KindJob, ID: gone, Integration: e.cust.Organization, DeletedAt: time.Now()})
		time.Sleep(time.Minute)
		rep, err := eng.Run(t.Context())
		must(t, err)
		want := map[string]string{gone: "CLOSED", g.job(1).Posting.ExternalJobPostingID: "LISTED"}
		if d := cmp.Diff(want, heldJobStates(e)); d != "" {
			t.Errorf("jobs on LinkedIn (-want +got):\n%s", d)
		}
		type counts struct{ Read, Sent, Acknowledged, Refused int64 }
		pr := rep.Phases[PhaseDeletions]
		if d := cmp.Diff(counts{Read: 1, Sent: 1, Acknowledged: 1}, counts{pr.Read, pr.Sent, pr.Acknowledged, pr.Refused}); d != "" {
			t.Errorf("deletions phase (-want +got):\n%s", d)
		}
		if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) != 0 {
			t.Errorf("dead letters %+v, want none", dl)
		}
	})
}

// A deletion without an integration context cannot name its job in a bare
// CLOSE: the job's row is looked up from the beginning of the Source, where
// a soft delete that left the row's time alone keeps it, and closed with it
// (a Source without Lookup, whose read from the deletion's time misses it).
func TestSoftDeletedJobWithoutIntegrationIsClosed(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now().Add(-time.Hour), time.Hour, 1, 0, 0, 0)
		ss := g.materialize()
		eng, _ := e.ran(t, sourceOnly{ss})
		time.Sleep(time.Minute)
		j := g.job(0)
		ss.Delete(Deletion{Kind: KindJob, ID: j.Posting.ExternalJobPostingID, DeletedAt: time.Now()})
		j.Closed = true
		ss.PutJobs(j) // the row stays, closed, its ModifiedAt before the deletion
		time.Sleep(time.Minute)
		_, err := eng.Run(t.Context())
		must(t, err)
		if got := heldJobStates(e)[j.Posting.ExternalJobPostingID]; got != "CLOSED" {
			t.Errorf("job %s is %s on LinkedIn, want CLOSED", j.Posting.ExternalJobPostingID, got)
		}
		if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) != 0 {
			t.Errorf("dead letters %+v, want none", dl)
		}
	})
}
