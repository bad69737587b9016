package sync

import (
	"bytes"
	stdcmp "cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// recordingStore records the candidate cursor of every save.
type recordingStore struct {
	Store
	mu      gosync.Mutex
	cursors []Cursor
}

func (s *recordingStore) Save(ctx context.Context, id string, cp *Checkpoint) error {
	s.mu.Lock()
	s.cursors = append(s.cursors, cp.Phases[PhaseCandidates].Cursor)
	s.mu.Unlock()
	return s.Store.Save(ctx, id, cp)
}

// The watermark never passes a batch that is still in flight, even when a
// later batch is acknowledged first.
func TestWatermarkWaitsForEarlierBatches(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		secondDone := make(chan struct{})
		var once gosync.Once
		e := newEnv(t, envOpt{wrap: func(next http.RoundTripper) http.RoundTripper {
			return rtFunc(func(r *http.Request) (*http.Response, error) {
				if isWrite(r, "atsCandidates") {
					first, second := hasQueryID(r, candID(0)), hasQueryID(r, candID(100))
					if first { // first batch: answer after the second
						<-secondDone
					}
					resp, err := next.RoundTrip(r)
					if second {
						once.Do(func() { close(secondDone) })
					}
					return resp, err
				}
				return next.RoundTrip(r)
			})
		}})
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 300, 0, 0)
		store := &recordingStore{Store: NewMemoryStore()}
		eng := e.engine(t, g, WithStore(store), WithInFlight(2))
		if _, err := eng.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		var seen []string
		for _, c := range store.cursors {
			if c.ID != "" && (len(seen) == 0 || seen[len(seen)-1] != c.ID) {
				seen = append(seen, c.ID)
			}
		}
		want := []string{candID(99), candID(199), candID(299)}
		if strings.Join(seen, ",") != strings.Join(want, ",") {
			t.Fatalf("watermarks %v, want %v", seen, want)
		}
	})
}

// A batch LinkedIn rejects as a whole is split until the poison record is
// isolated; the rest is stored.
func TestSplitOnWholeBatchReject(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		poison := candID(37)
		var calls atomic.Int64
		e := newEnv(t, envOpt{wrap: func(next http.RoundTripper) http.RoundTripper {
			return rtFunc(func(r *http.Request) (*http.Response, error) {
				if isWrite(r, "atsCandidates") {
					calls.Add(1)
					if hasQueryID(r, poison) {
						return &http.Response{StatusCode: 400, Header: http.Header{"Content-Type": {"application/json"}},
							Body: io.NopCloser(strings.NewReader(`{"message":"Malformed batch","status":400}`)), Request: r}, nil
					}
				}
				return next.RoundTrip(r)
			})
		}})
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 0, 150, 0, 0)
		eng := e.engine(t, g)
		if _, err := eng.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		dl := deadLetters(t, eng.DeadLetters(), "c1")
		if len(dl) != 1 || dl[0].ID != poison || dl[0].Status != 400 || !strings.Contains(dl[0].Reason, "Malformed batch") {
			t.Fatalf("dead letters:\n%s", describeDL(dl))
		}
		if n := len(e.cust.Candidates()); n != 149 {
			t.Fatalf("LinkedIn holds %d candidates, want 149", n)
		}
		if c := calls.Load(); c > 2+2*7 {
			t.Fatalf("%d calls: splitting is not logarithmic", c)
		}
	})
}

// Refused records are dead-lettered and retried once the ATS data is fixed.
func TestDeadLettersAndRetry(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 5, 50, 20, 20)
		src := g.materialize()
		src.PutCandidates(g.badEmail(7))
		badJob := g.job(2)
		badJob.Posting.Description = "too short"
		src.PutJobs(badJob)
		eng, rep := e.ran(t, src)
		dl := deadLetters(t, eng.DeadLetters(), "c1")
		if len(dl) != 2 {
			t.Fatalf("dead letters:\n%s", describeDL(dl))
		}
		if len(rep.Rejections) != 2 {
			t.Fatalf("rejections %+v", rep.Rejections)
		}
		wantDeadLettered(t, eng, PhaseCandidates, 1)
		wantDeadLettered(t, eng, PhaseJobs, 1)
		// Fix the ATS data and retry.
		src.PutCandidates(g.cand(7))
		src.PutJobs(g.job(2))
		if _, err := eng.RetryDeadLetters(t.Context()); err != nil {
			t.Fatal(err)
		}
		if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) != 0 {
			t.Fatalf("dead letters left:\n%s", describeDL(dl))
		}
		assertSame(t, src, time.Time{}, e.cust)
		wantDeadLettered(t, eng, PhaseCandidates, 0)
	})
}

// A daily 429 parks the customer until UTC midnight, then it resumes.
func TestDailyQuotaParksUntilMidnight(t *testing.T) {
	inBubbleWith(t, envOpt{server: []rsctest.Option{rsctest.WithLimits(rsctest.Limits{SyncRequestsPerDay: 3})}}, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 0, 1000, 0, 0)
		var parked []time.Time
		eng := e.engine(t, g, WithProgress(func(p Progress) {
			if !p.ParkedUntil.IsZero() {
				parked = append(parked, p.ParkedUntil)
			}
		}), WithInFlight(1))
		start := time.Now()
		if _, err := eng.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		days := time.Since(start).Hours() / 24
		// 10 batches at 3 a day: three midnights. (With WithInFlight(2) a day
		// may lose a request when two batches race for its last one.)
		if days < 3 || days > 3.1 || len(parked) != 3 {
			t.Fatalf("took %.1f days", days)
		}
		if n := len(e.cust.Candidates()); n != 1000 {
			t.Fatalf("%d candidates", n)
		}
		if c := e.cust.Counters(); c.Throttled429Day > 0 {
			t.Logf("daily 429s answered by LinkedIn: %d (the client's pacer should prevent them)", c.Throttled429Day)
		}
	})
}

// WithWaitWhenParked(false) returns the ParkedError at once.
func TestParkedErrorReturned(t *testing.T) {
	oneRequestADay := envOpt{server: []rsctest.Option{rsctest.WithLimits(rsctest.Limits{SyncRequestsPerDay: 1})},
		client: []rsc.Option{rsc.WithLimits(rsc.Limits{Disabled: true})}}
	inBubbleWith(t, oneRequestADay, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 300, 0, 0)
		eng := e.engine(t, g, WithWaitWhenParked(false), WithInFlight(1))
		rep, err := eng.Run(t.Context())
		var pe *ParkedError
		if !errors.As(err, &pe) || pe.Until.Hour() != 0 || !pe.Until.After(time.Now()) {
			t.Fatalf("err = %v", err)
		}
		if rep.ParkedUntil.IsZero() {
			t.Fatal("report has no ParkedUntil")
		}
		st, _ := eng.State(t.Context())
		if st[PhaseCandidates].Done != 100 {
			t.Fatalf("done %d, want the one acknowledged batch", st[PhaseCandidates].Done)
		}
	})
}

func TestDryRunSendsNothing(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 5, 120, 30, 30)
		src := g.materialize()
		src.PutCandidates(g.noFirstName(3))
		store := NewMemoryStore()
		eng := e.engine(t, src, WithDryRun(true), WithStore(store))
		rep, err := eng.Run(t.Context())
		must(t, err)
		if n := e.srv.Counters().Requests; n != 0 {
			t.Fatalf("%d requests sent", n)
		}
		if cp, _ := store.Load(t.Context(), "c1"); cp != nil {
			t.Fatal("dry run wrote a checkpoint")
		}
		pc := rep.Phases[PhaseCandidates]
		// The refused record counts as sent, as a real run counts it:
		// Read = Sent + Skipped.
		if pc.Read != 120 || pc.Sent != 120 || pc.Refused != 1 || len(rep.Rejections) != 1 {
			t.Fatalf("candidates %+v, rejections %+v", pc, rep.Rejections)
		}
	})
}

// A dry run reports what a real run does: an application one of whose
// stages is refused is sent (only the stage refused), and a deletion
// whose id the ATS uses again is skipped (SkipRecreated), not sent.
func TestDryRunReportsAsARealRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		src  func(g *genSource, org string) *SliceSource
	}{{
		name: "application with a refused stage",
		src: func(g *genSource, _ string) *SliceSource {
			src := g.materialize()
			a := g.place(2)
			a.Stages[0].Stage = "Not Available" // refused by the client's validation
			return src.PutApplications(a)
		},
	}, {
		name: "deletion of a recreated record",
		src: func(_ *genSource, org string) *SliceSource {
			src := NewSliceSource()
			at := time.Now().Add(-10 * time.Minute)
			src.Delete(Deletion{Kind: KindCandidate, ID: "C1", DeletedAt: at, Integration: org})
			return src.PutCandidates(recreatedCand(org, "C1", at.Add(time.Minute))) // the id used again
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T, e *env) {
				g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 0, 5, 0)
				drep, err := e.engine(t, tc.src(g, e.cust.Organization), WithDryRun(true)).Run(t.Context())
				must(t, err)
				if n := e.srv.Counters().Requests; n != 0 {
					t.Fatalf("the dry run sent %d requests", n)
				}
				_, rrep := e.ran(t, tc.src(g, e.cust.Organization))
				// A dry run acknowledges nothing.
				if d := cmp.Diff(rrep.Phases, drep.Phases, cmpopts.IgnoreFields(PhaseReport{}, "Acknowledged")); d != "" {
					t.Errorf("phases (-real +dry):\n%s", d)
				}
				if d := cmp.Diff(rrep.Rejections, drep.Rejections); d != "" {
					t.Errorf("rejections (-real +dry):\n%s", d)
				}
			})
		})
	}
}

// A dry run refuses an activity or a deletion whose key (or its parent's)
// the client refuses, as a real run does, with the same reasons in the same
// order, and counts it as a real run does: sent and refused.
func TestDryRunRefusesBadKeys(t *testing.T) {
	fb := func(ic, app, id string) Activity {
		return Activity{Kind: KindInterviewFeedback, ModifiedAt: time.Now().Add(-30 * time.Minute),
			Application: rsc.ApplicationKey{IntegrationContext: ic, ApplicationID: app},
			Feedback:    rsc.InterviewFeedback{ID: id, Feedback: "ok", CreatedAt: rsc.Millis(time.Now().Add(-time.Hour))}}
	}
	for _, tc := range []struct {
		name  string
		phase Phase
		src   func(org string) *SliceSource
	}{{
		name: "activities", phase: PhaseActivities,
		src: func(org string) *SliceSource {
			return newGen(org, backlogEnd(), 24*time.Hour, 0, 0, 5, 0).materialize().
				PutActivities(fb(org, appID(1), "F1"), fb("urn:li:company:1", appID(1), "F2"), fb(org, " ", "F3"), fb(org, appID(2), "F4"))
		},
	}, {
		name: "deletions", phase: PhaseDeletions,
		src: func(org string) *SliceSource {
			at := time.Now().Add(-10 * time.Minute)
			src := NewSliceSource()
			src.Delete(Deletion{Kind: KindApplicationNote, ID: "N1", Parent: appID(1), Integration: "urn:li:company:1", DeletedAt: at})
			src.Delete(Deletion{Kind: KindInterviewFeedback, ID: "F1", Parent: "", Integration: org, DeletedAt: at})
			src.Delete(Deletion{Kind: KindInterviewFeedback, ID: "F2", Parent: appID(1), Integration: org, DeletedAt: at})
			return src
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T, e *env) {
				src := tc.src(e.cust.Organization)
				drep, err := e.engine(t, src, WithDryRun(true)).Run(t.Context())
				must(t, err)
				_, rrep := e.ran(t, src)
				d, r := drep.Phases[tc.phase], rrep.Phases[tc.phase]
				if d.Refused != 2 || r.Refused != 2 {
					t.Errorf("refused: dry %d, real %d; want 2 and 2", d.Refused, r.Refused)
				}
				if diff := cmp.Diff(r, d, cmpopts.IgnoreFields(PhaseReport{}, "Acknowledged")); diff != "" {
					t.Errorf("phase report (-real +dry):\n%s", diff)
				}
				if diff := cmp.Diff(rrep.Rejections, drep.Rejections); diff != "" {
					t.Errorf("rejections (-real +dry):\n%s", diff)
				}
			})
		})
	}
}

// An application or candidate whose key, encoded, is over LinkedIn's 4 KB
// URL path segment (docs/linkedin-api.md §2.2; an id of 512 CJK
// characters) is sent itself, in the query, but the stages, notes and
// feedback whose calls name it in the path are refused with the parent's
// id field, in a dry run as in a real run, and the run completes. Before,
// LinkedIn's 414 failed each such call, whatever else it carried.
func TestParentKeyOverPathSegment(t *testing.T) {
	long := strings.Repeat("候", 512)
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		g := newGen(org, backlogEnd(), 24*time.Hour, 0, 0, 2, 0)
		src := g.materialize()
		a := g.place(2)
		a.Record.Key.ApplicationID = long
		for i := range a.Stages {
			a.Stages[i].ID = fmt.Sprint("S", i)
		}
		at := time.Now().Add(-30 * time.Minute)
		src.PutApplications(a).PutActivities(
			Activity{Kind: KindCandidateNote, ModifiedAt: at, Candidate: rsc.CandidateKey{IntegrationContext: org, CandidateID: long},
				Note: rsc.Note{ID: "N1", Note: "called", CreatedAt: rsc.Millis(at)}},
			Activity{Kind: KindInterviewFeedback, ModifiedAt: at, Application: a.Record.Key,
				Feedback: rsc.InterviewFeedback{ID: "F1", Feedback: "ok", CreatedAt: rsc.Millis(at)}})
		src.Delete(Deletion{Kind: KindStage, ID: "S9", Parent: long, Integration: org, DeletedAt: at})
		dry := e.engine(t, src, WithDryRun(true))
		drep, err := dry.Run(t.Context())
		must(t, err)
		eng, rrep := e.ran(t, src)
		if d := cmp.Diff(rrep.Rejections, drep.Rejections); d != "" {
			t.Errorf("rejections (-real +dry):\n%s", d)
		}
		type refusal struct {
			Kind              EntityKind
			ID, Parent, Field string
		}
		var got []refusal
		for _, d := range deadLetters(t, eng.DeadLetters(), "c1") {
			got = append(got, refusal{d.Kind, d.ID, d.Parent, d.Field})
			if !strings.Contains(d.Reason, "at most 4096 bytes") {
				t.Errorf("%s %s: reason %q", d.Kind, d.ID, d.Reason)
			}
		}
		want := []refusal{
			{KindCandidateNote, "N1", long, "atsCandidateId"},
			{KindInterviewFeedback, "F1", long, "atsJobApplicationId"},
			{KindStage, "S0", long, "atsJobApplicationId"},
			{KindStage, "S1", long, "atsJobApplicationId"},
			{KindStage, "S9", long, "atsJobApplicationId"},
		}
		less := func(a, b refusal) int { return strings.Compare(string(a.Kind)+a.ID, string(b.Kind)+b.ID) }
		slices.SortFunc(got, less)
		slices.SortFunc(want, less)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("dead letters (-want +got):\n%s", d)
		}
		if !slices.ContainsFunc(e.cust.Applications(), func(r rsctest.Record) bool { return r.Key["atsJobApplicationId"] == long }) {
			t.Error("LinkedIn does not hold the application itself")
		}
	})
}

// An engine built WithDryRun sends nothing from RetryDeadLetters and
// Resync either: it checks the records and reports what would be sent,
// and changes neither store (a dry Resync stores no request).
func TestDryRunRetryAndResyncSendNothing(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 10, 0, 0)
		src := g.materialize()
		src.PutCandidates(g.badEmail(3))
		dead := NewMemoryDeadLetters()
		store := NewMemoryStore()
		_, err := e.engine(t, src, WithDeadLetters(dead), WithStore(store)).Run(t.Context())
		must(t, err)
		src.PutCandidates(g.cand(3)) // fixed in the ATS
		letters := summarize(deadLetters(t, dead, "c1"))
		if len(letters) != 1 {
			t.Fatalf("dead letters %+v, want one", letters)
		}
		cp, err := store.Load(t.Context(), "c1")
		must(t, err)
		before := e.cust.Counters().Requests
		dry := e.engine(t, src, WithDeadLetters(dead), WithStore(store), WithDryRun(true))
		for _, tc := range []struct {
			name string
			do   func() (*Report, error)
		}{
			{"RetryDeadLetters", func() (*Report, error) { return dry.RetryDeadLetters(t.Context()) }},
			{"Resync", func() (*Report, error) { return dry.Resync(t.Context(), "candidate//"+candID(5)) }},
		} {
			rep, err := tc.do()
			must(t, err)
			if !rep.DryRun {
				t.Errorf("%s: the report is not a dry run's", tc.name)
			}
			if d := cmp.Diff(PhaseReport{Read: 1, Sent: 1, Batches: 1}, *rep.Phases[PhaseCandidates]); d != "" {
				t.Errorf("%s: candidates (-want +got):\n%s", tc.name, d)
			}
			if n := e.cust.Counters().Requests - before; n != 0 {
				t.Errorf("%s: %d requests sent", tc.name, n)
			}
			if d := cmp.Diff(letters, summarize(deadLetters(t, dead, "c1"))); d != "" {
				t.Errorf("%s: dead letters (-before +after):\n%s", tc.name, d)
			}
			after, err := store.Load(t.Context(), "c1")
			must(t, err)
			if d := cmp.Diff(cp, after); d != "" {
				t.Errorf("%s: checkpoint (-before +after):\n%s", tc.name, d)
			}
		}
	})
}

// A dry engine's retry of a job's dead letter sends no CREATE: one sent
// would not be recorded (a dry run saves no job intent), and the real
// retry after it would create the job a second time.
func TestDryRunRetryCreatesNoJob(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 3, 0, 0, 0)
		src := g.materialize()
		bad := g.job(1)
		bad.Posting.Title = "" // refused
		src.PutJobs(bad)
		dead := NewMemoryDeadLetters()
		store := NewMemoryStore()
		real := e.engine(t, src, WithDeadLetters(dead), WithStore(store))
		_, err := real.Run(t.Context())
		must(t, err)
		if n := len(deadLetters(t, dead, "c1")); n != 1 {
			t.Fatalf("%d dead letters, want 1: %s", n, describeDL(deadLetters(t, dead, "c1")))
		}
		fixed := g.job(1)
		fixed.ModifiedAt = bad.ModifiedAt
		src.PutJobs(fixed)
		rep, err := e.engine(t, src, WithDeadLetters(dead), WithStore(store), WithDryRun(true)).RetryDeadLetters(t.Context())
		must(t, err)
		if d := cmp.Diff(PhaseReport{Read: 1, Sent: 1, Batches: 1}, *rep.Phases[PhaseJobs]); d != "" {
			t.Errorf("jobs of the dry retry (-want +got):\n%s", d)
		}
		if d := cmp.Diff(map[string]int{jobID(0): 1, jobID(2): 1}, createTasks(e.cust)); d != "" {
			t.Errorf("CREATEs after the dry retry (-want +got):\n%s", d)
		}
		_, err = real.RetryDeadLetters(t.Context())
		must(t, err)
		if d := cmp.Diff(map[string]int{jobID(0): 1, jobID(1): 1, jobID(2): 1}, createTasks(e.cust)); d != "" {
			t.Errorf("CREATEs after the retry (-want +got):\n%s", d)
		}
		assertSame(t, src, time.Time{}, e.cust)
	})
}

func TestEligibility(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 0, 50, 0, 0)
		eng := e.engine(t, g, WithEligibility(func(_ context.Context, r Record) (bool, string) {
			if r.Kind == KindCandidate && strings.HasSuffix(r.ID, "7") {
				return false, "no consent"
			}
			return true, ""
		}))
		rep, err := eng.Run(t.Context())
		must(t, err)
		if n := len(e.cust.Candidates()); n != 45 {
			t.Fatalf("%d candidates", n)
		}
		if rep.Phases[PhaseCandidates].SkipReasons["no consent"] != 5 {
			t.Fatalf("%+v", rep.Phases[PhaseCandidates])
		}
		x := rep.Reconciliation[PhaseCandidates]
		if x.Ineligible != 5 || x.Acknowledged != 45 || x.Missing != 0 {
			t.Fatalf("%+v", x)
		}
	})
}

// The eligibility hook may keep the records it is given: the pipeline
// reuses its batches' storage, but the hook sees copies.
func TestEligibilityHookMayKeepRecords(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 0, 450, 0, 0)
		var kept []*Candidate
		var ids []string
		eng := e.engine(t, g, WithEligibility(func(_ context.Context, r Record) (bool, string) {
			if r.Kind == KindCandidate {
				kept, ids = append(kept, r.Candidate), append(ids, r.ID)
			}
			return true, ""
		}))
		_, err := eng.Run(t.Context())
		must(t, err)
		if len(kept) != 450 || len(e.cust.Candidates()) != 450 {
			t.Fatalf("the hook saw %d candidates, the fake stored %d; want 450", len(kept), len(e.cust.Candidates()))
		}
		for i, c := range kept {
			if c.Record.Key.CandidateID != ids[i] {
				t.Fatalf("record %d kept by the hook now says %q, was %q", i, c.Record.Key.CandidateID, ids[i])
			}
		}
	})
}

func TestConsentRefusedAndRevoked(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 1000, 0, 0)
		refuse := errors.New("integration disabled")
		eng := e.engine(t, g, WithConsent(ConsentFunc(func(context.Context, string) error { return refuse })))
		_, err := eng.Run(t.Context())
		if !errors.Is(err, ErrNoConsent) || !errors.Is(err, refuse) {
			t.Fatalf("err = %v", err)
		}
		if n := e.srv.Counters().Requests; n != 0 {
			t.Fatalf("%d requests", n)
		}
		// Revoked after three batches.
		var calls atomic.Int64
		eng = e.engine(t, g, WithConsent(ConsentFunc(func(context.Context, string) error {
			if calls.Add(1) > 4 { // the start check + three batches
				return refuse
			}
			return nil
		})))
		_, err = eng.Run(t.Context())
		if !errors.Is(err, ErrNoConsent) {
			t.Fatalf("err = %v", err)
		}
		if n := len(e.cust.Candidates()); n != 300 {
			t.Fatalf("%d candidates sent, want 300", n)
		}
	})
}

// The operation a job is owed after a task's outcome (the CLOSE of a
// closed job after its CREATE) is a batch like any other: consent revoked
// once the jobs' first batch is acknowledged, it is not sent, and it is
// still owed, so the run after consent returns sends it.
func TestConsentRevokedBeforeOwedJobOperation(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 7, 0, 0, 0) // job 3 is closed
		src := g.materialize()
		var revoked atomic.Bool
		refuse := errors.New("integration disabled")
		store := NewMemoryStore()
		consent := WithConsent(ConsentFunc(func(context.Context, string) error {
			if revoked.Load() {
				return refuse
			}
			return nil
		}))
		eng := e.engine(t, src, WithStore(store), consent, WithProgress(func(p Progress) {
			if p.Kind == ProgressBatch && p.Phase == PhaseJobs {
				revoked.Store(true)
			}
		}))
		_, err := eng.Run(t.Context())
		if !errors.Is(err, ErrNoConsent) || !errors.Is(err, refuse) {
			t.Fatalf("err = %v, want ErrNoConsent", err)
		}
		ops := func() map[string]int {
			n := map[string]int{}
			for _, tk := range e.cust.Tasks() {
				n[tk.Operation]++
			}
			return n
		}
		if d := cmp.Diff(map[string]int{"CREATE": 7}, ops()); d != "" {
			t.Errorf("job tasks after the revocation (-want +got):\n%s", d)
		}
		revoked.Store(false)
		_, err = e.engine(t, src, WithStore(store), consent).Run(t.Context())
		must(t, err)
		if d := cmp.Diff(map[string]int{"CREATE": 7, "CLOSE": 1}, ops()); d != "" {
			t.Errorf("job tasks once consent returned (-want +got):\n%s", d)
		}
		assertSame(t, src, time.Time{}, e.cust)
	})
}

// crashStore fails every save after the first n, like a process dying.
type crashStore struct {
	Store
	n atomic.Int64
}

var errCrash = errors.New("crash")

func (s *crashStore) Save(ctx context.Context, id string, cp *Checkpoint) error {
	if s.n.Add(-1) < 0 {
		return errCrash
	}
	return s.Store.Save(ctx, id, cp)
}

// Killing the sync at random points (context cancelled, or the store
// failing) and restarting with the same store ends in the same state.
func TestResumeAfterRandomInterruptions(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now(), 700*24*time.Hour, 30, 600, 300, 300)
		src := g.materialize()
		store := NewMemoryStore()
		dead := NewMemoryDeadLetters()
		rng := rand.New(rand.NewPCG(1, 2))
		for attempt := 0; ; attempt++ {
			if attempt > 200 {
				t.Fatal("never finished")
			}
			ctx, cancel := context.WithCancel(t.Context())
			var st Store = store
			if attempt%2 == 1 {
				cs := &crashStore{Store: store}
				cs.n.Store(int64(rng.IntN(12)))
				st = cs
			}
			stop := rng.IntN(15)
			events := 0
			eng := e.engine(t, src, WithStore(st), WithDeadLetters(dead), WithInFlight(1+rng.IntN(4)),
				WithProgress(func(Progress) {
					if events++; events == stop {
						cancel()
					}
				}))
			_, err := eng.Run(ctx)
			cancel()
			if err == nil {
				break
			}
			if !errors.Is(err, context.Canceled) && !errors.Is(err, errCrash) {
				t.Fatalf("attempt %d: %v", attempt, err)
			}
		}
		if dl := deadLetters(t, dead, "c1"); len(dl) > 0 {
			t.Fatalf("dead letters:\n%s", describeDL(dl))
		}
		assertSame(t, src, time.Time{}, e.cust)
		// Never created twice: every job task LinkedIn ran succeeded.
		for _, j := range e.cust.Jobs() {
			if j.JobPosting == "" {
				t.Errorf("job %s has no posting", j.ExternalJobPostingID)
			}
		}
	})
}

// An incremental run sends changes and deletions.
func TestIncrementalAndDeletions(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now().Add(-time.Hour), 24*time.Hour, 5, 40, 20, 30)
		_, src, eng, _ := e.synced(t, g)
		time.Sleep(time.Minute)
		now := time.Now()
		c := g.cand(3)
		c.ModifiedAt, c.Record.LastModifiedAt, c.Record.FirstName = now, rsc.Millis(now), "Changed"
		src.PutCandidates(c)
		j := g.job(1)
		j.ModifiedAt, j.Closed = now, true
		src.PutJobs(j)
		org := e.cust.Organization
		// Notes of candidate 0 (activities 0, 3, 6... with i%3==0 and i%40==0: only N0).
		src.Delete(Deletion{Kind: KindCandidateNote, ID: actID(0), Parent: candID(0), DeletedAt: now, Integration: org})
		src.Delete(Deletion{Kind: KindCandidate, ID: candID(0), DeletedAt: now, Integration: org})
		src.Delete(Deletion{Kind: KindApplication, ID: appID(1), DeletedAt: now, Integration: org})
		rep, err := eng.Run(t.Context())
		must(t, err)
		if rep.Phases[PhaseCandidates].Acknowledged != 1 || rep.Phases[PhaseDeletions].Acknowledged != 3 {
			t.Fatalf("incremental report %+v %+v", rep.Phases[PhaseCandidates], rep.Phases[PhaseDeletions])
		}
		got, _ := e.cust.Candidate(candID(3))
		if got.Fields["firstName"] != "Changed" {
			t.Fatalf("candidate not updated: %v", got.Fields["firstName"])
		}
		assertSame(t, src, time.Time{}, e.cust)
		if x := rep.Reconciliation[PhaseCandidates]; x.ATSTotal != 39 {
			t.Fatalf("%+v", x)
		}
	})
}

func TestWindowExcludesOldRecords(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now(), 40*24*time.Hour, 0, 400, 0, 0)
		eng := e.engine(t, g, WithWindow(10*24*time.Hour))
		_, err := eng.Run(t.Context())
		must(t, err)
		if n := len(e.cust.Candidates()); n < 95 || n > 105 {
			t.Fatalf("%d candidates in a quarter of the span", n)
		}
	})
}

// A run stopped after a closed job's CREATE task succeeded but before its
// CLOSE reached LinkedIn (a kill, a cancellation, an auth failure) leaves
// the CLOSE owed in the checkpoint: the next run sends it although the job
// did not change in the ATS.
func TestCloseAfterCreateSurvivesAStop(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		var stopped atomic.Bool
		e := newEnv(t, envOpt{wrap: func(next http.RoundTripper) http.RoundTripper {
			return rtFunc(func(r *http.Request) (*http.Response, error) {
				if r.Method == http.MethodPost && strings.Contains(r.URL.Path, "simpleJobPostings") {
					body, _ := io.ReadAll(r.Body)
					r.Body = io.NopCloser(strings.NewReader(string(body)))
					if strings.Contains(string(body), `"CLOSE"`) && stopped.CompareAndSwap(false, true) {
						cancel()
						return nil, context.Canceled
					}
				}
				return next.RoundTrip(r)
			})
		}})
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 10, 0, 0, 0)
		store := NewMemoryStore()
		if _, err := e.engine(t, g, WithStore(store)).Run(ctx); err == nil {
			t.Fatal("the first run did not stop")
		}
		if !stopped.Load() {
			t.Fatal("no CLOSE was sent")
		}
		if _, err := e.engine(t, g, WithStore(store)).Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		assertSame(t, g, time.Time{}, e.cust)
	})
}

// While one batch is slow, batches after it may be acknowledged but not
// committed: they count against WithInFlight like batches being sent, so
// no more than WithInFlight batches are ever uncommitted (what a crash can
// make the next run send again).
func TestUncommittedBatchesAreBounded(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const inFlight = 2
		var mu gosync.Mutex
		firstOut, during, maxDuring := false, 0, 0
		e := newEnv(t, envOpt{wrap: func(next http.RoundTripper) http.RoundTripper {
			return rtFunc(func(r *http.Request) (*http.Response, error) {
				if !isWrite(r, "atsCandidates") {
					return next.RoundTrip(r)
				}
				first := hasQueryID(r, candID(0))
				mu.Lock()
				if first {
					firstOut = true
				} else if firstOut {
					during++
					maxDuring = max(maxDuring, during)
				}
				mu.Unlock()
				if first {
					time.Sleep(10 * time.Second) // the slow first batch
					mu.Lock()
					firstOut = false
					mu.Unlock()
				}
				return next.RoundTrip(r)
			})
		}})
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 0, 1000, 0, 0)
		if _, err := e.engine(t, g, WithInFlight(inFlight)).Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		if maxDuring > inFlight-1 {
			t.Fatalf("%d batches were sent while the first was outstanding; at most %d may be uncommitted behind it", maxDuring, inFlight-1)
		}
		assertSame(t, g, time.Time{}, e.cust)
	})
}

// A phase's progress events and its report count the same things with the
// same words; stages are not application records; the completion of a
// phase is announced once, however many runs follow.
func TestCountersAddUp(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 5, 120, 40, 60)
		src := g.materialize()
		src.PutCandidates(g.noFirstName(7))
		var last map[Phase]Progress
		completed := map[Phase]int{}
		eng := e.engine(t, src, WithProgress(func(p Progress) {
			last[p.Phase] = p
			if p.Kind == ProgressCompleted {
				completed[p.Phase]++
			}
		}))
		for run := range 2 {
			last = map[Phase]Progress{}
			rep, err := eng.Run(t.Context())
			must(t, err)
			for p, pr := range rep.Phases {
				if diff := cmp.Diff(*pr, last[p].Run); diff != "" {
					t.Errorf("run %d, %v: report and last progress event differ (-report +progress):\n%s", run, p, diff)
				}
			}
			if run == 0 {
				if got := rep.Phases[PhaseApplications].Sent; got != 40 {
					t.Errorf("applications sent = %d, want 40 (stages are not application records)", got)
				}
				if got := *rep.Phases[PhaseCandidates]; got.Read != 120 || got.Sent != 120 || got.Acknowledged != 119 || got.Refused != 1 {
					t.Errorf("candidates = %+v", got)
				}
			}
		}
		for _, p := range allPhases {
			if completed[p] != 1 {
				t.Errorf("%v: %d completion events over two runs, want 1", p, completed[p])
			}
		}
	})
}

// Every report type marshals with lower-case JSON names.
func TestReportTypesHaveJSONTags(t *testing.T) {
	for _, v := range []any{Report{}, PhaseReport{}, Reconciliation{}, Rejection{}, Progress{}, PhaseState{}, CustomerResult{}} {
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			f := typ.Field(i)
			tag := f.Tag.Get("json")
			if tag == "" || tag != "-" && strings.ToLower(tag[:1]) != tag[:1] {
				t.Errorf("%s.%s has JSON tag %q", typ.Name(), f.Name, tag)
			}
		}
		if _, err := json.Marshal(v); err != nil {
			t.Errorf("%s: %v", typ.Name(), err)
		}
	}
}

// An id, kind or reason holding a newline (or another character that is
// not printable) cannot forge a line of the text report.
func TestReportTextEscapesValues(t *testing.T) {
	rep := newReport("cust\nsync for customer evil (caught up: true)", false, time.Time{})
	rep.Rejections = []Rejection{
		{Kind: KindCandidate, ID: "C1\nrejected candidate C2: forged", Reason: "bad\r\nreconcile Job Sync: forged"},
		{Kind: "x\u2028y", ID: "", Reason: "plain reason"},
	}
	var b strings.Builder
	must(t, rep.WriteText(&b))
	want := []string{
		`sync for customer "cust\nsync for customer evil (caught up: true)" (caught up: false)`,
		`rejected candidate "C1\nrejected candidate C2: forged": "bad\r\nreconcile Job Sync: forged"`,
		`rejected "x\u2028y" "": plain reason`,
	}
	lines := strings.Split(b.String(), "\n")
	if len(lines) != 9 { // header, five phases, two rejections, final newline
		t.Fatalf("%d lines:\n%s", len(lines), b.String())
	}
	if diff := cmp.Diff(want, []string{lines[0], lines[6], lines[7]}); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}

// One record dated in the future (clock skew, a bad import) must not hold
// the watermark there: it is sent, sent again on every pass until its time
// is no longer ahead, and reported; later changes are not skipped.
func TestFutureRecordDoesNotHideLaterChanges(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		now := time.Now()
		g := newGen(e.cust.Organization, now.Add(-time.Minute), time.Hour, 0, 10, 0, 0)
		src := g.materialize()
		future := g.cand(9)
		future.ModifiedAt = now.Add(48 * time.Hour)
		src.PutCandidates(future)
		var warned []Progress
		eng := e.engine(t, src, WithClockSkew(time.Minute), WithProgress(func(p Progress) {
			if p.Phase == PhaseCandidates && p.Run.Future > 0 {
				warned = append(warned, p)
			}
		}))
		rep, err := eng.Run(t.Context())
		must(t, err)
		if got := rep.Phases[PhaseCandidates]; got.Future != 1 || got.FutureExample != candID(9) {
			t.Errorf("first run: candidates %+v, want 1 future record (%s)", got, candID(9))
		}
		if len(warned) == 0 {
			t.Error("no progress event reported the future record")
		}
		st, err := eng.State(t.Context())
		must(t, err)
		if c := st[PhaseCandidates].Cursor; c.ModifiedAt.After(time.Now().Add(time.Minute)) {
			t.Fatalf("watermark %v is more than the skew allowance ahead of now", c)
		}

		time.Sleep(time.Hour)
		edited := g.cand(3)
		edited.ModifiedAt = time.Now()
		edited.Record.FirstName = "Edited"
		added := g.cand(42)
		added.ModifiedAt = time.Now()
		added.Record.CreatedAt, added.Record.LastModifiedAt = rsc.Millis(time.Now()), rsc.Millis(time.Now())
		src.PutCandidates(edited, added)
		rep, err = eng.Run(t.Context())
		must(t, err)
		if got := rep.Phases[PhaseCandidates]; got.Read != 3 || got.Future != 1 {
			t.Errorf("second run: candidates %+v, want the edit, the new record and the future record read", got)
		}
		held := map[string]any{}
		for _, c := range e.cust.Candidates() {
			held[c.ID] = c.Fields["firstName"]
		}
		if held[candID(3)] != "Edited" || held[candID(42)] == nil {
			t.Errorf("LinkedIn holds %s=%v and %s=%v: the later changes were skipped", candID(3), held[candID(3)], candID(42), held[candID(42)])
		}
	})
}

// While the engine waits for job tasks or for the daily quota to reset, it
// says so in progress events: what it waits for and until when.
func TestWaitsAreAnnounced(t *testing.T) {
	slow := envOpt{server: []rsctest.Option{rsctest.WithJobTaskLatency(2), rsctest.WithLimits(rsctest.Limits{SyncRequestsPerDay: 3})}}
	inBubbleWith(t, slow, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 5, 600, 0, 0)
		type wait struct {
			what  string
			after time.Duration // WaitUntil minus the event's time
		}
		var waits []wait
		eng := e.engine(t, g, WithTaskPollInterval(10*time.Second), WithInFlight(1), WithProgress(func(p Progress) {
			if p.Kind == ProgressWaiting {
				waits = append(waits, wait{p.Waiting, time.Until(p.WaitUntil)})
			}
		}))
		if _, err := eng.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		var tasks, daily int
		for _, w := range waits {
			switch {
			case strings.Contains(w.what, "job task") && w.after == 10*time.Second:
				tasks++
			case strings.Contains(w.what, "daily quota") && w.after > 0 && w.after <= 24*time.Hour:
				daily++
			default:
				t.Errorf("unexpected wait %+v", w)
			}
		}
		if tasks == 0 || daily == 0 {
			t.Errorf("waits %+v: want job-task and daily-quota waits announced", waits)
		}
	})
}

// Content reconciliation compares records, not totals: a record changed,
// removed or left behind on LinkedIn shows by key, although the counts of
// Report.Reconciliation stay equal.
func TestReconcileContentFindsDifferences(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g, src, eng, rep := e.synced(t, newGen(e.cust.Organization, time.Now(), 24*time.Hour, 0, 20, 0, 0))
		got, err := eng.ReconcileContent(t.Context(), 0)
		must(t, err)
		if got.Differs() {
			t.Fatalf("after a clean sync: %+v", got.Kinds[0])
		}

		stale := g.cand(4)
		stale.Record.FirstName = "Changed on LinkedIn"
		if _, err := e.client.Candidates.Upsert(t.Context(), []rsc.Candidate{stale.Record}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.client.Candidates.Delete(t.Context(), []rsc.CandidateKey{g.cand(7).Record.Key}); err != nil {
			t.Fatal(err)
		}
		src.Delete(Deletion{Kind: KindCandidate, ID: candID(9), DeletedAt: time.Now(), Integration: e.cust.Organization})

		got, err = eng.ReconcileContent(t.Context(), 0)
		must(t, err)
		want := KindContent{Kind: KindCandidate, Checked: 20, Equal: 17,
			Missing: 1, MissingKeys: []string{dlKey(KindCandidate, "", candID(7))},
			Stale: 1, StaleRecords: []Stale{{Key: dlKey(KindCandidate, "", candID(4)), Fields: []string{"firstName"}}},
			Extra: 1, ExtraKeys: []string{dlKey(KindCandidate, "", candID(9))}}
		if diff := cmp.Diff(want, got.Kinds[0]); diff != "" {
			t.Errorf("candidates (-want +got):\n%s", diff)
		}
		var b strings.Builder
		must(t, got.WriteText(&b))
		if !strings.Contains(b.String(), "content candidate: checked 20, equal 17, missing 1, stale 1, extra 1\n") ||
			!strings.Contains(b.String(), "  stale on LinkedIn: candidate//"+candID(4)+" (firstName)\n") {
			t.Errorf("text:\n%s", b.String())
		}
		for _, x := range rep.Reconciliation {
			if x.Missing != 0 {
				t.Errorf("the counts already differ: %+v", x)
			}
		}

		got, err = eng.ReconcileContent(t.Context(), 5)
		must(t, err)
		if k := got.Kinds[0]; k.Checked != 6 { // five of the Source's candidates and the deletion
			t.Errorf("sample of 5: checked %d", k.Checked)
		}
	})
}

func TestSyncEqualsSource(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		src := newGen(e.cust.Organization, time.Now(), 700*24*time.Hour, 30, 400, 200, 300).materialize()
		eng := e.engine(t, src)
		rep, err := eng.Run(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if !rep.CaughtUp {
			t.Fatal("not caught up")
		}
		if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) > 0 {
			t.Fatalf("dead letters:\n%s", describeDL(dl))
		}
		assertSame(t, src, time.Time{}, e.cust)
		st, err := eng.State(t.Context())
		must(t, err)
		for _, p := range Phases() {
			if !st[p].Completed || st[p].Done != st[p].Total {
				t.Errorf("%v: %+v", p, st[p])
			}
		}
		for _, x := range rep.Reconciliation {
			if x.Missing != 0 || x.ATSTotal != x.Acknowledged {
				t.Errorf("reconciliation %+v", x)
			}
		}
	})
}

func TestSyncWithFaultsEqualsSource(t *testing.T) {
	faulty := envOpt{server: []rsctest.Option{rsctest.WithSeed(7), rsctest.WithFaults(
		rsctest.Fault{Route: "/v2", ErrorRate: 0.05, ErrorStatus: 503},
		rsctest.Fault{Route: "/v2", ResetRate: 0.03},
		rsctest.Fault{Route: "atsCandidates", Burst429: 3},
	)}}
	inBubbleWith(t, faulty, func(t *testing.T, e *env) {
		src := newGen(e.cust.Organization, time.Now(), 700*24*time.Hour, 40, 500, 250, 300).materialize()
		eng := e.engine(t, src)
		var rep *Report
		var err error
		for range 10 { // failures the client gave up on stop a run; the next continues
			if rep, err = eng.Run(t.Context()); err == nil {
				break
			}
			t.Logf("run: %v", err)
		}
		if err != nil {
			t.Fatal(err)
		}
		if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) > 0 {
			t.Fatalf("dead letters:\n%s", describeDL(dl))
		}
		assertSame(t, src, time.Time{}, e.cust)
		_ = rep
		// Never created twice: no CREATE task failed because the job existed.
		for _, j := range e.cust.Jobs() {
			_ = j
		}
	})
}

// One customer's large backfill does not starve another's small sync, and
// a parked customer does not block the others.
func TestManagerFairnessAndParking(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithJobTaskLatency(0),
			rsctest.WithLimits(rsctest.Limits{SyncRequestsPerDay: 40}))
		defer srv.Close()
		partner, err := rsc.NewClient(rsc.WithBaseURL(srv.URL()), rsc.WithTokenURL(srv.TokenURL()),
			rsc.WithTransport(srv.Transport()), rsc.WithCredentials(srv.PartnerCredentials()))
		must(t, err)
		m, err := NewManager(WithWorkers(1), WithSliceBatches(2))
		must(t, err)
		var mu gosync.Mutex
		var finished []string
		sizes := map[string]int{"big": 5000, "small": 300, "parked": 6000}
		custs := map[string]*rsctest.Customer{}
		for _, name := range []string{"big", "small", "parked"} {
			cu := srv.AddCustomer(rsctest.CustomerSpec{})
			custs[name] = cu
			client, err := partner.ForCustomer(cu.ClientID, cu.ClientSecret)
			must(t, err)
			g := newGen(cu.Organization, time.Now(), 24*time.Hour, 0, sizes[name], 0, 0)
			eng, err := NewEngine(client, name, g, WithProgress(func(p Progress) {
				if p.Phase == PhaseDeletions && p.Completed {
					mu.Lock()
					finished = append(finished, name)
					mu.Unlock()
				}
			}))
			must(t, err)
			must(t, m.Add(eng))
		}
		start := time.Now()
		res, err := m.Run(t.Context())
		must(t, err)
		for name, r := range res {
			if r.Err != nil || !r.Report.CaughtUp {
				t.Errorf("%s: %v", name, r.Err)
			}
			if n := len(custs[name].Candidates()); n != sizes[name] {
				t.Errorf("%s: %d candidates", name, n)
			}
		}
		if len(finished) < 1 || finished[0] != "small" {
			t.Fatalf("finish order %v: small should finish first", finished)
		}
		if d := time.Since(start); d < 24*time.Hour {
			t.Fatalf("parked customer finished in %v: the daily quota was not enforced", d)
		}
	})
}

// Deleting records in the ATS takes them out of what the reconciliation
// counts as held by LinkedIn.
func TestReconciliationSubtractsDeletions(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		_, src, eng, _ := e.synced(t, newGen(e.cust.Organization, time.Now(), 24*time.Hour, 0, 10, 0, 0))
		time.Sleep(2 * time.Hour)
		for i := range 3 {
			src.Delete(Deletion{Kind: KindCandidate, ID: candID(i), DeletedAt: time.Now(), Integration: e.cust.Organization})
		}
		rep, err := eng.Run(t.Context())
		must(t, err)
		want := Reconciliation{Phase: PhaseCandidates, ATSTotal: 7, Acknowledged: 7}
		if diff := cmp.Diff(want, rep.Reconciliation[PhaseCandidates]); diff != "" || len(e.cust.Candidates()) != 7 {
			t.Errorf("LinkedIn holds %d; reconciliation (-want +got):\n%s", len(e.cust.Candidates()), diff)
		}
	})
}

// lateCreate wraps a transport so that the first CREATE of a job fails as
// if the process died sending it (cancel is called, and the call returns
// context.Canceled) while the request still reaches LinkedIn, late: once
// the first request whose body holds op ("UPDATE", "CLOSE") has its
// answer, and before that answer is returned.
func lateCreate(cancel context.CancelFunc, op string) func(http.RoundTripper) http.RoundTripper {
	var once, after gosync.Once
	release, landed := make(chan struct{}), make(chan struct{})
	return func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(r *http.Request) (*http.Response, error) {
			if r.Method != http.MethodPost || !strings.Contains(r.URL.Path, "simpleJobPostings") {
				return next.RoundTrip(r)
			}
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(strings.NewReader(string(body)))
			late := false
			if strings.Contains(string(body), `"CREATE"`) {
				once.Do(func() { late = true })
			}
			if late { // the process dies; its request lands later
				r2 := r.Clone(context.Background())
				r2.Body = io.NopCloser(strings.NewReader(string(body)))
				go func() {
					defer close(landed)
					<-release
					if resp, err := next.RoundTrip(r2); err == nil {
						resp.Body.Close()
					}
				}()
				cancel()
				return nil, context.Canceled
			}
			resp, err := next.RoundTrip(r)
			if strings.Contains(string(body), `"`+op+`"`) {
				after.Do(func() { close(release); <-landed })
			}
			return resp, err
		})
	}
}

// A CREATE whose run died before its answer may reach LinkedIn late, after
// the next run's UPDATE found no job: the engine looks again one poll
// interval later before it creates the job, so it is not created twice.
func TestLateCreateIsNotRepeated(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		e := newEnv(t, envOpt{wrap: lateCreate(cancel, "UPDATE")})
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 3, 0, 0, 0)
		store := NewMemoryStore()
		if _, err := e.engine(t, g, WithStore(store)).Run(ctx); err == nil {
			t.Fatal("the first run did not stop")
		}
		if _, err := e.engine(t, g, WithStore(store)).Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		noJobCreatedTwice(t, e.cust)
		assertSame(t, g, time.Time{}, e.cust)
	})
}

// Notes, interview feedback and stages of one kind in a batch go in one
// call on the versioned endpoints, whose keys name each record's parent,
// and in one call per parent on /v2. Either way LinkedIn ends with every
// record.
func TestActivityCallsPerFamily(t *testing.T) {
	inFamilies(t, func(t *testing.T, e *env, versioned bool) {
		type calls struct{ CandNotes, AppNotes, Feedback, Stages int }
		want := calls{10, 10, 10, 30}
		if versioned {
			want = calls{1, 1, 1, 1}
		}
		// 90 activities, one batch: 30 of each kind, on 10 candidates and
		// 10 applications; 30 applications in one batch, of 2 stages each.
		_, src, _, _ := e.synced(t, newGen(e.cust.Organization, time.Now(), 24*time.Hour, 0, 30, 30, 90))
		var got calls
		for _, r := range e.srv.Requests() {
			switch {
			case strings.HasSuffix(r.Path, "/notes") && strings.HasPrefix(r.Path, "/v2/atsCandidates/"),
				r.Path == "/rest/candidateNotes":
				got.CandNotes++
			case strings.HasSuffix(r.Path, "/notes") && strings.HasPrefix(r.Path, "/v2/atsApplications/"),
				r.Path == "/rest/applicationNotes":
				got.AppNotes++
			case strings.HasSuffix(r.Path, "/interviewFeedback"), r.Path == "/rest/applicationInterviewFeedbacks":
				got.Feedback++
			case strings.HasSuffix(r.Path, "/stages"), r.Path == "/rest/applicationStage":
				got.Stages++
			}
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("calls (-want +got):\n%s", d)
		}
		if n := len(e.cust.Stages()); n != 60 {
			t.Errorf("LinkedIn holds %d stages, want 60", n)
		}
		assertSame(t, src, time.Time{}, e.cust)
	})
}

// A stage call LinkedIn refuses whole (a 400) is split to find its bad
// records, and only its own stages are sent again: the stages of the
// calls before it, which LinkedIn accepted, are not (a batch's stages go
// in calls of at most 100, of one application on /v2).
func TestRefusedStageCallResendsOnlyItself(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"", "202604"} {
		t.Run("version="+version, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				var mu gosync.Mutex
				refused, sentFirst := false, 0
				wrap := func(next http.RoundTripper) http.RoundTripper {
					return rtFunc(func(r *http.Request) (*http.Response, error) {
						if !strings.HasSuffix(r.URL.Path, "/stages") && r.URL.Path != "/rest/applicationStage" {
							return next.RoundTrip(r)
						}
						var body []byte
						if r.Body != nil {
							body, _ = io.ReadAll(r.Body)
							r.Body = io.NopCloser(bytes.NewReader(body))
						}
						call := r.URL.Path + "?" + r.URL.RawQuery + string(body)
						mu.Lock()
						if strings.Contains(call, appID(0)+"-0") {
							sentFirst++
						}
						refuse := !refused && strings.Contains(call, appID(59)+"-0")
						refused = refused || refuse
						mu.Unlock()
						if refuse {
							return &http.Response{StatusCode: http.StatusBadRequest, Header: http.Header{"Content-Type": {"application/json"}},
								Body: io.NopCloser(strings.NewReader(`{"status":400,"message":"bad request"}`)), Request: r}, nil
						}
						return next.RoundTrip(r)
					})
				}
				var opts []rsc.Option
				if version != "" {
					opts = append(opts, rsc.WithVersion(version))
				}
				e := newEnv(t, envOpt{client: opts, wrap: wrap})
				// 60 applications in one batch, of 2 stages each: 2 calls of
				// stages on the versioned endpoints, 60 on /v2.
				_, src, _, _ := e.synced(t, newGen(e.cust.Organization, time.Now(), 24*time.Hour, 0, 60, 60, 0))
				if !refused {
					t.Fatal("no stage call was refused")
				}
				if sentFirst != 1 {
					t.Errorf("the stages of %s were sent %d times, want once", appID(0), sentFirst)
				}
				assertSame(t, src, time.Time{}, e.cust)
			})
		})
	}
}

// Deletions are grouped by parent: a batch's note deletions go in one
// call per parent on /v2 however the Source interleaves their parents, and
// in one call on the versioned endpoints, children before parents; feedback
// and stage deletions of several applications go in one call per kind on
// the versioned endpoints, whose keys name each record's application, and
// in one call per application on /v2.
func TestDeletionsGroupedByParent(t *testing.T) {
	// held counts records of a kind LinkedIn holds, before the deletions
	// and after them.
	type held struct {
		what          string
		n             func(*rsctest.Customer) []rsctest.Record
		before, after int
	}
	for _, tc := range []struct {
		name      string
		gen       func(org string) *genSource
		held      []held
		deletions func(org string) []Deletion
		v2        func(org string) []string // the delete calls' paths on /v2
		versioned []string                  // and on the versioned endpoints
	}{{
		name: "notes",
		gen:  func(org string) *genSource { return newGen(org, time.Now(), 24*time.Hour, 0, 2, 0, 4) },
		held: []held{{"notes", (*rsctest.Customer).CandidateNotes, 4, 0}},
		deletions: func(org string) []Deletion {
			var ds []Deletion
			for i := range 4 { // parents C0, C1, C0, C1
				ds = append(ds, Deletion{Kind: KindCandidateNote, ID: actID(i), Parent: candID(i % 2), Integration: org,
					DeletedAt: time.Now().Add(time.Duration(i) * time.Second)})
			}
			return append(ds, Deletion{Kind: KindCandidate, ID: candID(0), Integration: org, DeletedAt: time.Now()})
		},
		v2: func(org string) []string {
			return []string{
				"/v2/atsCandidates/atsCandidateId=" + candID(0) + "&dataProvider=ATS&integrationContext=" + org + "/notes",
				"/v2/atsCandidates/atsCandidateId=" + candID(1) + "&dataProvider=ATS&integrationContext=" + org + "/notes",
				"/v2/atsCandidates",
			}
		},
		versioned: []string{"/rest/candidateNotes", "/rest/candidates"},
	}, {
		name: "feedback and stages",
		// Activities 2 and 5 are feedback of applications A0 and A1.
		gen: func(org string) *genSource { return newGen(org, time.Now(), 24*time.Hour, 0, 2, 2, 6) },
		held: []held{
			{"feedback records", (*rsctest.Customer).InterviewFeedback, 2, 0},
			{"stages", (*rsctest.Customer).Stages, 4, 2},
		},
		deletions: func(org string) []Deletion {
			var ds []Deletion
			for _, i := range []int{2, 5} {
				ds = append(ds, Deletion{Kind: KindInterviewFeedback, ID: actID(i), Parent: appID(i % 2), Integration: org, DeletedAt: time.Now()})
			}
			for i := range 2 {
				ds = append(ds, Deletion{Kind: KindStage, ID: appID(i) + "-1", Parent: appID(i), Integration: org, DeletedAt: time.Now()})
			}
			return ds
		},
		v2: func(org string) []string {
			v2 := func(app, sub string) string {
				return "/v2/atsApplications/atsJobApplicationId=" + app + "&dataProvider=ATS&integrationContext=" + org + "/" + sub
			}
			return []string{v2(appID(0), "stages"), v2(appID(1), "stages"), v2(appID(0), "interviewFeedback"), v2(appID(1), "interviewFeedback")}
		},
		versioned: []string{"/rest/applicationStage", "/rest/applicationInterviewFeedbacks"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			inFamilies(t, func(t *testing.T, e *env, versioned bool) {
				org := e.cust.Organization
				_, src, eng, _ := e.synced(t, tc.gen(org))
				for _, h := range tc.held {
					if n := len(h.n(e.cust)); n != h.before {
						t.Fatalf("LinkedIn holds %d %s, want %d", n, h.what, h.before)
					}
				}
				time.Sleep(time.Minute)
				for _, d := range tc.deletions(org) {
					src.Delete(d)
				}
				time.Sleep(time.Minute)
				calls := deleteCalls(t, e, eng)
				want := tc.v2(org)
				if versioned {
					want = tc.versioned
				}
				if d := cmp.Diff(want, calls); d != "" {
					t.Errorf("delete calls (-want +got):\n%s", d)
				}
				for _, h := range tc.held {
					if n := len(h.n(e.cust)); n != h.after {
						t.Errorf("LinkedIn holds %d %s after the deletions, want %d", n, h.what, h.after)
					}
				}
			})
		})
	}
}

// deleteCalls runs eng and returns the paths of the delete calls it made.
func deleteCalls(t *testing.T, e *env, eng *Engine) []string {
	t.Helper()
	e.srv.ResetRequests()
	_, err := eng.Run(t.Context())
	must(t, err)
	var calls []string
	for _, r := range e.srv.Requests() {
		if r.EffectiveMethod == http.MethodDelete {
			calls = append(calls, r.Path)
		}
	}
	return calls
}

// WithYieldWhen ends a slice before the next batch once its function says
// so, with every batch sent committed; Run, which has no budget, ignores it.
func TestRunSliceYieldsWhenAsked(t *testing.T) {
	noQuotaYields := envOpt{client: []rsc.Option{rsc.WithLimits(rsc.Limits{Disabled: true})}}
	inBubbleWith(t, noQuotaYields, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 500, 0, 0)
		eng := e.engine(t, g.materialize(), WithInFlight(1))
		ctx := WithYieldWhen(t.Context(), func() bool { return len(e.cust.Candidates()) >= 200 })
		rep, err := eng.RunSlice(ctx, 10)
		if !errors.Is(err, ErrYield) {
			t.Fatalf("RunSlice: %v, want ErrYield", err)
		}
		if got := rep.Phases[PhaseCandidates].Batches; got != 2 {
			t.Errorf("%d batches committed, want 2", got)
		}
		st, err := eng.State(t.Context())
		must(t, err)
		if st[PhaseCandidates].Done != 200 || len(e.cust.Candidates()) != 200 {
			t.Errorf("checkpoint %d done, LinkedIn holds %d; want 200 and 200", st[PhaseCandidates].Done, len(e.cust.Candidates()))
		}
		rep, err = eng.Run(WithYieldWhen(t.Context(), func() bool { return true }))
		must(t, err)
		if !rep.CaughtUp || len(e.cust.Candidates()) != 500 {
			t.Errorf("Run with a yield function: caught up %v, LinkedIn holds %d; want every candidate", rep.CaughtUp, len(e.cust.Candidates()))
		}
	})
}

// A 200 answer that names no record (a gateway's {} in front of LinkedIn)
// confirms nothing: the run fails, the watermark stays before that batch,
// and the next run sends it again. Nothing counts as acknowledged that
// LinkedIn did not store.
func TestUnconfirmedBatchIsResent(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var swallowed atomic.Bool
		e := newEnv(t, envOpt{wrap: func(next http.RoundTripper) http.RoundTripper {
			return rtFunc(func(r *http.Request) (*http.Response, error) {
				if isWrite(r, "atsCandidates") && swallowed.CompareAndSwap(false, true) {
					io.Copy(io.Discard, r.Body)
					return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
						Body: io.NopCloser(strings.NewReader(`{}`)), Request: r}, nil
				}
				return next.RoundTrip(r)
			})
		}})
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 0, 300, 0, 0)
		eng := e.engine(t, g.materialize(), WithInFlight(1)) // the first batch is the one swallowed
		if _, err := eng.Run(t.Context()); err == nil || !strings.Contains(err.Error(), "LinkedIn did not confirm any record") {
			t.Fatalf("first run: err = %v, want the unconfirmed batch", err)
		}
		rep, err := eng.Run(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if n := len(e.cust.Candidates()); n != 300 {
			t.Fatalf("LinkedIn holds %d candidates, want 300", n)
		}
		if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) != 0 {
			t.Fatalf("dead letters:\n%s", describeDL(dl))
		}
		if p := rep.Phases[PhaseCandidates]; p.Acknowledged != 300 {
			t.Fatalf("candidates acknowledged %d, want 300", p.Acknowledged)
		}
	})
}

// A job task LinkedIn cannot read leaves the outcome of its operation
// unknown when the task is unknown (task ids expire) or the read fails
// (5xx, three polls in a row): the operation is sent again, a CREATE as
// UPDATE, and nothing is created twice. A lasting loss is dead-lettered
// after a few such rounds, and a task LinkedIn refuses to show (403) is
// dead-lettered at once.
func TestLostJobTaskResendsItsOperation(t *testing.T) {
	for _, tc := range []struct {
		name            string
		status, answers int // the status of every task read, for that many reads
		creates         int64
		updates         int64 // at least
		dead            string
	}{
		{name: "unknown once", status: 404, answers: 1, creates: 10, updates: 10},
		{name: "read failing three times", status: 503, answers: 3, creates: 10, updates: 10},
		{name: "read failing twice (polled again)", status: 503, answers: 2, creates: 10, updates: 0},
		{name: "unknown for good", status: 404, answers: 1000, creates: 10, updates: 30, dead: "LinkedIn lost 4 job tasks in a row (HTTP 404)"},
		{name: "forbidden", status: 403, answers: 1, creates: 10, dead: "job task unreadable (HTTP 403)"},
		{name: "not mentioned three times", status: 0, answers: 3, creates: 10, updates: 10},
		{name: "not mentioned twice (polled again)", status: 0, answers: 2, creates: 10, updates: 0},
		{name: "not mentioned for good", status: 0, answers: 1000, creates: 10, updates: 30,
			dead: "LinkedIn lost 4 job tasks in a row (HTTP 404): " + taskNotMentioned},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				var reads atomic.Int64
				var ops jobOps
				e := ops.env(t, func(r *http.Request, resp *http.Response, _ bool) (*http.Response, error) {
					if !strings.Contains(r.URL.Path, "simpleJobPostingTasks") || reads.Add(1) > int64(tc.answers) {
						return resp, nil
					}
					return taskAnswer(resp, tc.status)
				})
				g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 10, 0, 0, 0)
				eng := e.engine(t, g)
				if _, err := eng.Run(t.Context()); err != nil && tc.dead == "" {
					t.Fatal(err)
				}
				if ops.creates.Load() != tc.creates || ops.updates.Load() < tc.updates || tc.dead == "" && ops.updates.Load() != tc.updates {
					t.Fatalf("creates %d, updates %d; want %d and %d", ops.creates.Load(), ops.updates.Load(), tc.creates, tc.updates)
				}
				dl := deadLetters(t, eng.DeadLetters(), "c1")
				if tc.dead == "" {
					if len(dl) > 0 {
						t.Fatalf("dead letters:\n%s", describeDL(dl))
					}
					assertSame(t, g, time.Time{}, e.cust)
					return
				}
				if want := stdcmp.Or(tc.status, http.StatusNotFound); len(dl) != 10 || !strings.HasPrefix(dl[0].Reason, tc.dead) || dl[0].Status != want {
					t.Fatalf("dead letters, want 10 with %q:\n%s", tc.dead, describeDL(dl))
				}
			})
		})
	}
}

// taskAnswer rewrites a batch_get of job tasks so that LinkedIn answers
// status for every task (0: mentions none of them).
func taskAnswer(resp *http.Response, status int) (*http.Response, error) {
	var br struct {
		Results map[string]json.RawMessage `json:"results"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&br); err != nil {
		return nil, err
	}
	resp.Body.Close()
	errs := map[string]any{}
	for k := range br.Results {
		if status == 0 {
			break
		}
		errs[k] = map[string]any{"status": status, "message": fmt.Sprintf("Task %s: %d", k, status)}
	}
	js, _ := json.Marshal(map[string]any{"results": map[string]any{}, "errors": errs})
	return replaceBody(resp, js), nil
}

// replaceBody replaces resp's body with js.
func replaceBody(resp *http.Response, js []byte) *http.Response {
	resp.Body.Close()
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(js)), int64(len(js))
	resp.Header.Del("Content-Length")
	return resp
}

// byOperation is an answer for jobOps.env that replaces LinkedIn's answer to
// a batch_create of jobs with answer(its request body), unless that is "".
func byOperation(answer func(body string) string) func(*http.Request, *http.Response, bool) (*http.Response, error) {
	return func(r *http.Request, resp *http.Response, create bool) (*http.Response, error) {
		if !create || r.GetBody == nil {
			return resp, nil
		}
		rc, err := r.GetBody()
		if err != nil {
			return nil, err
		}
		body, _ := io.ReadAll(rc)
		if js := answer(string(body)); js != "" {
			return replaceBody(resp, []byte(js)), nil
		}
		return resp, nil
	}
}

// jobOps counts the job operations sent in batch_create calls.
type jobOps struct{ creates, updates atomic.Int64 }

// env is a test environment whose transport counts the job operations
// sent and lets answer rewrite each answer (create: the request is a
// batch_create of jobs), against a fake LinkedIn set up by server.
func (o *jobOps) env(t *testing.T, answer func(r *http.Request, resp *http.Response, create bool) (*http.Response, error), server ...rsctest.Option) *env {
	return newEnv(t, envOpt{server: server, wrap: func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(r *http.Request) (*http.Response, error) {
			create := o.count(r)
			resp, err := next.RoundTrip(r)
			if err != nil {
				return resp, err
			}
			return answer(r, resp, create)
		})
	}})
}

// count counts r's operations if it is a batch_create of jobs, leaving its
// body readable, and reports whether it is one.
func (o *jobOps) count(r *http.Request) bool {
	if r.Method != http.MethodPost || !strings.Contains(r.URL.Path, "simpleJobPostings") {
		return false
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(strings.NewReader(string(body)))
	o.creates.Add(int64(strings.Count(string(body), `"CREATE"`)))
	o.updates.Add(int64(strings.Count(string(body), `"UPDATE"`)))
	return true
}

// A batch_create whose answer tells nothing sure leaves unknown whether
// the jobs were created: they are sent again as UPDATE, never created
// twice, and not dead-lettered. The answer is lost (the connection reset
// after LinkedIn applied the call), or names no task (2xx elements
// without an id).
func TestUnsureJobAnswerResendsAsUpdate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer func(resp *http.Response) (*http.Response, error) // rewrites the first answer
	}{
		{"answer lost", func(resp *http.Response) (*http.Response, error) {
			resp.Body.Close()
			return nil, errors.New("connection reset after the request was applied")
		}},
		{"no task named", func(resp *http.Response) (*http.Response, error) {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return replaceBody(resp, regexp.MustCompile(`"id":"[^"]*",?`).ReplaceAll(body, nil)), nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				var done atomic.Bool
				var ops jobOps
				e := ops.env(t, func(_ *http.Request, resp *http.Response, create bool) (*http.Response, error) {
					if !create || !done.CompareAndSwap(false, true) {
						return resp, nil
					}
					return tc.answer(resp)
				})
				g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 10, 0, 0, 0)
				eng := e.engine(t, g)
				if _, err := eng.Run(t.Context()); err != nil {
					t.Fatal(err)
				}
				if !done.Load() || ops.creates.Load() != 10 || ops.updates.Load() != 10 {
					t.Fatalf("answer rewritten %v; creates %d, updates %d; want 10 and 10", done.Load(), ops.creates.Load(), ops.updates.Load())
				}
				if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) > 0 {
					t.Fatalf("dead letters:\n%s", describeDL(dl))
				}
				assertSame(t, g, time.Time{}, e.cust)
			})
		})
	}
}

// The default window holds two calendar years even across a 29 February
// (certification asks for at least two years of history): on 2001-01-01 a
// candidate modified on 1999-01-01 at noon is sent.
func TestDefaultWindowAcrossLeapDay(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		time.Sleep(time.Until(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))) // back to 1999-01-01 holds 2000-02-29
		at := time.Now().AddDate(-2, 0, 0).Add(12 * time.Hour)
		src := NewSliceSource().PutCandidates(Candidate{ModifiedAt: at, Record: rsc.Candidate{
			Key: rsc.CandidateKey{IntegrationContext: e.cust.Organization, CandidateID: "C1"}, FirstName: "Ann", LastName: "Lee",
			EmailAddresses: []string{"ann@example.com"}, ExternalProfileURL: "https://ats.example.com/c/C1",
			CreatedAt: rsc.Millis(at), LastModifiedAt: rsc.Millis(at)}})
		e.ran(t, src)
		if _, ok := e.cust.Candidate("C1"); !ok {
			t.Errorf("a candidate modified %v, within two years, was not sent", at)
		}
	})
}

// The options taking a store, a clock or a consent guard refuse nil, and
// an interface holding a nil pointer or func too, which would panic at the
// first use.
func TestNilOptionsRefused(t *testing.T) {
	t.Parallel()
	client := newEnv(t, envOpt{}).client
	for _, tc := range []struct {
		name string
		opt  Option
		want string
	}{
		{"nil store", WithStore(nil), "sync: WithStore: nil store"},
		{"typed nil store", WithStore((*MemoryStore)(nil)), "sync: WithStore: nil store"},
		{"nil dead letters", WithDeadLetters(nil), "sync: WithDeadLetters: nil store"},
		{"typed nil dead letters", WithDeadLetters((*MemoryDeadLetters)(nil)), "sync: WithDeadLetters: nil store"},
		{"nil clock", WithClock(nil), "sync: WithClock: nil clock"},
		{"typed nil clock", WithClock((*rsctest.FakeClock)(nil)), "sync: WithClock: nil clock"},
		{"nil consent guard", WithConsent(nil), "sync: WithConsent: nil guard"},
		{"nil consent func", WithConsent(ConsentFunc(nil)), "sync: WithConsent: nil guard"},
		{"typed nil consent guard", WithConsent((*pointerGuard)(nil)), "sync: WithConsent: nil guard"}, // as a nil *onboarding.ConsentRegistry
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewEngine(client, "c1", NewSliceSource(), tc.opt)
			if err == nil || err.Error() != tc.want {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// pointerGuard is a ConsentGuard on a pointer, as onboarding's
// ConsentRegistry is (which sync's tests cannot import).
type pointerGuard struct{ err error }

func (g *pointerGuard) CheckConsent(context.Context, string) error { return g.err }

// A dry run's reconciliation counts the dead letters a real run would:
// those in the store, and what it would refuse or clear; and it completes
// nothing, so ProgressCompleted fires once per phase, in the real run.
func TestDryRunReconcilesAndCompletesAsARealRun(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 20, 0, 0)
		src := g.materialize()
		src.PutCandidates(g.noFirstName(3), g.noFirstName(9))
		store, dead := NewMemoryStore(), NewMemoryDeadLetters()
		completed := map[Phase]int{}
		var mu gosync.Mutex
		run := func(dry bool) *Report {
			eng := e.engine(t, src, WithStore(store), WithDeadLetters(dead), WithDryRun(dry), WithProgress(func(p Progress) {
				if p.Kind == ProgressCompleted {
					mu.Lock()
					completed[p.Phase]++
					mu.Unlock()
				}
			}))
			rep, err := eng.Run(t.Context())
			must(t, err)
			return rep
		}
		run(true) // before any real run
		run(false)
		time.Sleep(time.Hour)
		src.PutCandidates(g.cand(3)) // fixed in the ATS: a run clears its dead letter
		dry := run(true)
		real := run(false)
		if d := cmp.Diff(real.Reconciliation, dry.Reconciliation); d != "" {
			t.Errorf("reconciliation (-real +dry):\n%s", d)
		}
		if d := cmp.Diff(map[Phase]int{PhaseJobs: 1, PhaseCandidates: 1, PhaseApplications: 1, PhaseActivities: 1, PhaseDeletions: 1}, completed); d != "" {
			t.Errorf("ProgressCompleted per phase (-want +got):\n%s", d)
		}
	})
}

// Merging slices' reports (Manager, Run around a park) adds up the
// parents sent, and a phase completed in one slice stays completed.
func TestReportMerge(t *testing.T) {
	t.Parallel()
	r := newReport("c1", false, time.Time{})
	first := newReport("c1", false, time.Time{})
	first.Phases[PhaseCandidates].Completed = true
	first.Phases[PhaseActivities].ParentsSent = 2
	second := newReport("c1", false, time.Time{})
	second.Phases[PhaseActivities].ParentsSent = 1
	r.merge(first)
	r.merge(second)
	type got struct {
		Completed   bool
		ParentsSent int64
	}
	if d := cmp.Diff(got{true, 3}, got{r.Phases[PhaseCandidates].Completed, r.Phases[PhaseActivities].ParentsSent}); d != "" {
		t.Errorf("merged (-want +got):\n%s", d)
	}
}
