package sync

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// sourceOnly hides the Lookup methods of a Source: the engine scans the
// streams instead.
type sourceOnly struct{ Source }

// An application last modified before the window (three years ago), whose
// note and interview feedback were modified in it: LinkedIn refuses the
// feedback of an application it does not hold, so the engine sends the
// application (not its stages) and the feedback again. Nothing is
// dead-lettered, the application is not counted as a record sent, and an
// application in the window is sent once. With and without the Source's
// Lookup; with an application that LinkedIn refuses too, the feedback stays
// dead-lettered for its parent until the ATS fixes the application and
// the dead letter is retried.
func TestParentBeforeTheWindow(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lookup   bool
		badOld   bool // the old application breaks LinkedIn's rules
		wantApps []string
		wantFb   []string
		wantDead []string
		parents  int64
	}{
		{name: "lookup", lookup: true, wantApps: []string{"A-new", "A-old"}, wantFb: []string{"A-new/F1", "A-old/F0"}, parents: 1},
		{name: "scan", wantApps: []string{"A-new", "A-old"}, wantFb: []string{"A-new/F1", "A-old/F0"}, parents: 1},
		{name: "parent refused", lookup: true, badOld: true, wantApps: []string{"A-new"}, wantFb: []string{"A-new/F1"},
			wantDead: []string{"interviewFeedback/A-old/F0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T, e *env) {
				org := e.cust.Organization
				now := time.Now()
				g := newGen(org, now.Add(-time.Hour), time.Hour, 1, 1, 1, 0)
				app := func(id string, at time.Time) Application {
					a := g.place(0)
					a.Record.Key.ApplicationID, a.ModifiedAt = id, at
					a.Record.CreatedAt, a.Record.LastModifiedAt = rsc.Millis(at), rsc.Millis(at)
					a.Stages = []rsc.Stage{{ID: id + "-s", Stage: "Phone Screen", CreatedAt: rsc.Millis(at)}}
					return a
				}
				old := app("A-old", now.AddDate(-3, 0, 0))
				if tc.badOld {
					old.Record.JobPostingName = ""
				}
				feedback := func(app, id string, at time.Time) Activity {
					return Activity{Kind: KindInterviewFeedback, Application: rsc.ApplicationKey{IntegrationContext: org, ApplicationID: app},
						Feedback: rsc.InterviewFeedback{ID: id, Feedback: "strong", InterviewType: "ONSITE", CreatedAt: rsc.Millis(at)}, ModifiedAt: at}
				}
				slice := NewSliceSource().PutJobs(g.job(0)).PutCandidates(g.cand(0)).
					PutApplications(old, app("A-new", now.Add(-50*time.Minute))).
					PutActivities(feedback("A-old", "F0", now.Add(-40*time.Minute)), feedback("A-new", "F1", now.Add(-30*time.Minute)))
				var src Source = slice
				if !tc.lookup {
					src = sourceOnly{slice}
				}
				eng, rep := e.ran(t, src, WithHoldings(e.cust.Holdings()))

				got := fakeState(e.cust)
				if diff := cmp.Diff(tc.wantApps, got.Apps); diff != "" {
					t.Errorf("applications LinkedIn holds (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff([]string{"A-new/A-new-s"}, got.Stages); diff != "" {
					t.Errorf("stages LinkedIn holds (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tc.wantFb, got.Feedback); diff != "" {
					t.Errorf("feedback LinkedIn holds (-want +got):\n%s", diff)
				}
				var dead []string
				for _, d := range deadLetters(t, eng.DeadLetters(), "c1") {
					dead = append(dead, d.Key())
				}
				if diff := cmp.Diff(tc.wantDead, dead); diff != "" {
					t.Errorf("dead letters (-want +got):\n%s", diff)
				}
				acts, apps := rep.Phases[PhaseActivities], rep.Phases[PhaseApplications]
				wantActs := PhaseReport{Read: 2, Sent: 2, Acknowledged: 2 - int64(len(tc.wantDead)), Refused: int64(len(tc.wantDead)),
					Batches: 1, Completed: true, ParentsSent: tc.parents}
				if diff := cmp.Diff(wantActs, *acts); diff != "" {
					t.Errorf("activities report (-want +got):\n%s", diff)
				}
				if apps.Sent != 1 || apps.ParentsSent != 0 {
					t.Errorf("applications report %+v: want the one in the window sent, no parents", *apps)
				}
				// The content check compares the parent sent from before
				// the window as any other record, not as extra.
				cr, err := eng.ReconcileContent(t.Context(), 0)
				must(t, err)
				var b strings.Builder
				must(t, cr.WriteText(&b))
				if cr.Differs() {
					t.Errorf("content differs:\n%s", b.String())
				}
				if want := fmt.Sprintf("content application: checked %d, equal %d, missing 0, stale 0, extra 0\n", len(tc.wantApps), len(tc.wantApps)); !strings.Contains(b.String(), want) {
					t.Errorf("content report:\n%s\nwant the line %q", b.String(), want)
				}
				if !tc.badOld {
					return
				}
				// The ATS fixes the application, still before the window:
				// retrying the feedback's dead letter sends it.
				old.Record.JobPostingName = "Engineer"
				slice.PutApplications(old)
				rep, err = eng.RetryDeadLetters(t.Context())
				must(t, err)
				if n := len(deadLetters(t, eng.DeadLetters(), "c1")); n != 0 {
					t.Errorf("%d dead letters after the retry, want none", n)
				}
				if diff := cmp.Diff([]string{"A-new/F1", "A-old/F0"}, fakeState(e.cust).Feedback); diff != "" {
					t.Errorf("feedback LinkedIn holds after the retry (-want +got):\n%s", diff)
				}
				if p := rep.Phases[PhaseActivities]; p.ParentsSent != 1 || p.Acknowledged != 1 {
					t.Errorf("retry's activities report %+v, want 1 parent sent and 1 acknowledged", *p)
				}
			})
		})
	}
}

// A candidate note modified in the window whose candidate lies before it:
// where LinkedIn refuses notes of a candidate it does not hold (here a
// transport answers its per-entity 404 while the fake holds no such
// candidate), the engine sends the candidate, then the note again.
func TestCandidateParentBeforeTheWindow(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var e *env
		refusals := 0
		e = newEnv(t, envOpt{wrap: func(next http.RoundTripper) http.RoundTripper {
			return rtFunc(func(r *http.Request) (*http.Response, error) {
				if r.Method != http.MethodPut || !strings.Contains(r.URL.Path, "C-old") || !strings.HasSuffix(r.URL.Path, "/notes") ||
					slices.ContainsFunc(e.cust.Candidates(), func(c rsctest.CandidateRecord) bool { return c.ID == "C-old" }) {
					return next.RoundTrip(r)
				}
				refusals++
				errs := map[string]any{}
				for _, id := range r.URL.Query()["ids"] {
					errs[id] = map[string]any{"status": 404, "message": "Candidate C-old does not exist"}
				}
				body, _ := json.Marshal(map[string]any{"results": map[string]any{}, "errors": errs})
				return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
					Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
			})
		}})
		org := e.cust.Organization
		now := time.Now()
		g := newGen(org, now.Add(-time.Hour), time.Hour, 1, 1, 0, 0)
		old := g.cand(0)
		old.Record.Key.CandidateID, old.ModifiedAt = "C-old", now.AddDate(-3, 0, 0)
		note := Activity{Kind: KindCandidateNote, Candidate: rsc.CandidateKey{IntegrationContext: org, CandidateID: "C-old"},
			Note: rsc.Note{ID: "N1", Note: "called", CreatedAt: rsc.Millis(now)}, ModifiedAt: now.Add(-time.Minute)}
		src := NewSliceSource().PutJobs(g.job(0)).PutCandidates(g.cand(0), old).PutActivities(note)
		eng, rep := e.ran(t, src)
		if refusals != 1 {
			t.Errorf("%d refusals of the note, want 1 (before its candidate was sent)", refusals)
		}
		got := fakeState(e.cust)
		if diff := cmp.Diff([]string{"C-old", candID(0)}, got.Candidates); diff != "" {
			t.Errorf("candidates LinkedIn holds (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"C-old/N1"}, got.CandNotes); diff != "" {
			t.Errorf("candidate notes LinkedIn holds (-want +got):\n%s", diff)
		}
		if n := len(deadLetters(t, eng.DeadLetters(), "c1")); n != 0 {
			t.Errorf("%d dead letters, want none", n)
		}
		if p := rep.Phases[PhaseActivities]; p.ParentsSent != 1 || p.Acknowledged != 1 || p.Refused != 0 {
			t.Errorf("activities report %+v, want 1 parent sent, 1 acknowledged", *p)
		}
		if p := rep.Phases[PhaseCandidates]; p.Sent != 1 {
			t.Errorf("candidates report %+v, want only the one in the window sent", *p)
		}
	})
}
