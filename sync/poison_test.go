package sync

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// Poison deletions: each is refused alone, with its key, field and reason,
// the customer's other records and deletions reach LinkedIn, and a dry run
// reports the very refusals a real run makes (WithDryRun), no more: a job
// deletion of a job LinkedIn never had is done, not refused.
func TestPoisonDeletionsRefusedAloneAndInTheDryRun(t *testing.T) {
	inFamilies(t, func(t *testing.T, e *env, versioned bool) {
		org := e.cust.Organization
		now := time.Now()
		g := newGen(org, now.Add(-time.Hour), time.Hour, 0, 3, 3, 6)
		src := g.materialize()
		good := sourceState(t, src, time.Time{})
		at := now.Add(-20 * time.Minute)
		long := strings.Repeat("x", 513)
		for _, d := range []Deletion{
			{Kind: "bogus", ID: "X1", Integration: org},
			{Kind: KindCandidateNote, ID: "N\x01", Parent: candID(0), Integration: org},
			{Kind: KindInterviewFeedback, ID: long, Parent: appID(0), Integration: org},
			{Kind: KindStage, ID: "", Parent: appID(1), Integration: org},
			{Kind: KindCandidate, ID: "", Integration: org},
			{Kind: KindApplicationNote, ID: "ZZ", Parent: appID(2)},
			{Kind: KindJob, ID: "JNEVER"}, // never sent: done
			{Kind: KindCandidate, ID: "CNEVER", Integration: org},
		} {
			d.DeletedAt = at
			src.Delete(d)
		}
		dry := e.engine(t, src, WithDryRun(true))
		drep, err := dry.Run(t.Context())
		must(t, err)
		eng, rep := e.ran(t, src)
		if d := cmp.Diff(good, fakeState(e.cust)); d != "" {
			t.Errorf("LinkedIn differs from the good records (-want +got):\n%s", d)
		}
		type letter struct{ Key, Field, Reason string }
		want := []letter{
			{"delete:bogus//X1", "", "unknown deletion kind bogus"},
			{"delete:candidate//", "atsCandidateId", "invalid atsCandidateId: must not be empty"},
			{"delete:candidateNote/C00000000/N\x01", "id", "invalid id: must not contain control character U+0001"},
			{"delete:interviewFeedback/A00000000/" + long, "id", "invalid id: must be at most 512 characters (has 513)"},
			{"delete:applicationNote/A00000002/ZZ", "integrationContext", "invalid integrationContext: must be urn:li:organization:{numeric id}"},
			{"delete:stage/A00000001/", "id", "invalid id: is required and must have at least 1 character"},
		}
		var got []letter
		for _, d := range deadLetters(t, eng.DeadLetters(), "c1") {
			got = append(got, letter{d.Key(), d.Field, d.Reason})
		}
		byKey := cmpopts.SortSlices(func(a, b letter) bool { return a.Key < b.Key })
		if d := cmp.Diff(want, got, byKey); d != "" {
			t.Errorf("dead letters (-want +got):\n%s", d)
		}
		byID := cmpopts.SortSlices(func(a, b Rejection) bool { return a.Kind+"/"+EntityKind(a.ID) < b.Kind+"/"+EntityKind(b.ID) })
		if d := cmp.Diff(rep.Rejections, drep.Rejections, byID); d != "" {
			t.Errorf("the dry run's refusals differ from the run's (-run +dry run):\n%s", d)
		}
		if p := rep.Phases[PhaseDeletions]; p.Refused != int64(len(want)) || p.Acknowledged != 2 {
			t.Errorf("deletions: %+v, want %d refused and 2 acknowledged", p, len(want))
		}
	})
}

// A record dated in the future is sent again by every pass until its time
// comes (PhaseReport.Future), but once only per cycle over the phases: a
// slice of one batch re-sending it each time would never reach the phases
// after it, and a Manager or riverrun, told that work remains (ErrYield),
// would run such slices back to back for ever, the applications, notes and
// deletions never sent. The next cycle sends it again.
func TestFutureRecordDoesNotStarveSlices(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		now := time.Now()
		src := newGen(org, now.Add(-time.Hour), time.Hour, 0, 3, 3, 6).materialize()
		future := edgeCand(org, "CFUT", now.Add(-time.Hour))
		future.ModifiedAt = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
		src.PutCandidates(future)
		src.Delete(Deletion{Kind: KindCandidateNote, ID: "NGONE", Parent: candID(0), DeletedAt: now.Add(-time.Minute), Integration: org})
		eng := e.engine(t, src)
		slicedBy(t, eng, 1) // fails unless a slice catches up
		assertSame(t, src, time.Time{}, e.cust)
		if n := sentCandidate(e, "CFUT"); n != 1 {
			t.Errorf("the slices of one cycle sent CFUT %d times, want once", n)
		}
		rep, err := eng.Run(t.Context())
		must(t, err)
		if p := rep.Phases[PhaseCandidates]; p.Future != 1 || p.Sent != 1 {
			t.Errorf("the next cycle: candidates %+v, want CFUT sent again, as dated in the future", p)
		}
		if n := sentCandidate(e, "CFUT"); n != 2 {
			t.Errorf("CFUT sent %d times after the next cycle, want twice", n)
		}
	})
}

// sentCandidate counts the calls that sent candidate id to LinkedIn.
func sentCandidate(e *env, id string) int {
	n := 0
	for _, r := range e.srv.Requests() {
		if strings.HasSuffix(r.Path, "/atsCandidates") && strings.Contains(r.RawQuery+r.TunnelledQuery, "="+id) {
			n++
		}
	}
	return n
}

// A batch over the size LinkedIn takes (the fake's cap: 16 MiB, answered
// 413) is split until the record too large alone is isolated: a candidate
// of 16.5 MiB of phone numbers, each within the client's guard on a text,
// is the one refused, with the 413, and the other candidates of its batch
// reach LinkedIn. A dry run cannot know LinkedIn's cap, and reports no
// refusal for it.
func TestOversizeBatchIsSplit(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		now := time.Now()
		src := newGen(org, now.Add(-time.Hour), time.Hour, 0, 3, 0, 0).materialize()
		huge := edgeCand(org, "CHUGE", now.Add(-90*time.Minute))
		for range 11 { // 11 × 1.5 MiB of JSON
			huge.Record.PhoneNumbers = append(huge.Record.PhoneNumbers, rsc.PhoneNumber{Number: strings.Repeat("\u2028", 256<<10)})
		}
		src.PutCandidates(huge)
		dry := e.engine(t, src, WithDryRun(true))
		drep, err := dry.Run(t.Context())
		must(t, err)
		eng, _ := e.ran(t, src)
		want := sourceState(t, src, time.Time{})
		want.Candidates = slices.DeleteFunc(want.Candidates, func(id string) bool { return id == "CHUGE" })
		if d := cmp.Diff(want, fakeState(e.cust)); d != "" {
			t.Errorf("LinkedIn (-want +got):\n%s", d)
		}
		type letter struct {
			Key, Reason string
			Status      int
		}
		var got []letter
		for _, d := range deadLetters(t, eng.DeadLetters(), "c1") {
			got = append(got, letter{d.Key(), d.Reason, d.Status})
		}
		if d := cmp.Diff([]letter{{"candidate//CHUGE", "batch rejected (413): Request entity too large", 413}}, got); d != "" {
			t.Errorf("dead letters (-want +got):\n%s", d)
		}
		if len(drep.Rejections) != 0 {
			t.Errorf("dry run refusals %v, want none", drep.Rejections)
		}
	})
}

// The deletion of a job LinkedIn holds open is sent as a CLOSE naming the
// job's row, or, once the ATS has no row, its id and the deletion's
// integration context: a dry run refuses such a deletion when the real
// run's CLOSE is refused (no integration context, or one that is no URN),
// with the real run's reason, and not when the CLOSE would go.
func TestDryRunRefusesJobDeletionAsTheRun(t *testing.T) {
	for _, tc := range []struct {
		name, integration string
		keepRow           bool // the row stays, closed (a soft delete)
		refused           bool
	}{
		{name: "no integration context, no row", refused: true},
		{name: "an integration context that is no URN", integration: "acme", refused: true},
		{name: "the organization", integration: "org"},
		{name: "no integration context, a soft-deleted row", keepRow: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T, e *env) {
				g := newGen(e.cust.Organization, time.Now().Add(-time.Hour), time.Hour, 2, 0, 0, 0)
				src := g.materialize()
				store, dead := NewMemoryStore(), NewMemoryDeadLetters()
				e.ran(t, src, WithStore(store), WithDeadLetters(dead))
				time.Sleep(time.Minute)
				j := g.job(0)
				integration := tc.integration
				if integration == "org" {
					integration = e.cust.Organization
				}
				src.Delete(Deletion{Kind: KindJob, ID: j.Posting.ExternalJobPostingID, Integration: integration, DeletedAt: time.Now()})
				if tc.keepRow {
					j.Closed = true
					src.PutJobs(j) // its ModifiedAt before the deletion
				}
				time.Sleep(time.Minute)
				drep, err := e.engine(t, src, WithDryRun(true), WithStore(store), WithDeadLetters(dead)).Run(t.Context())
				must(t, err)
				rep, err := e.engine(t, src, WithStore(store), WithDeadLetters(dead)).Run(t.Context())
				must(t, err)
				if got := len(rep.Rejections) > 0; got != tc.refused {
					t.Fatalf("the run refused %v, want a refusal %v", rep.Rejections, tc.refused)
				}
				if d := cmp.Diff(rep.Rejections, drep.Rejections); d != "" {
					t.Errorf("the dry run's refusals differ from the run's (-run +dry run):\n%s", d)
				}
			})
		})
	}
}

// A resync of a job closed on both sides sends a CLOSE (LinkedIn's copy
// may be open): a dry Resync checks that CLOSE as the real one sends it,
// refusing it for the same reason when the job's row can no longer name
// it (an integration context that is no URN).
func TestDryResyncOfClosedJobChecksItsClose(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now().Add(-time.Hour), time.Hour, 1, 0, 0, 0)
		src := g.materialize()
		j := g.job(0)
		j.Closed = true
		src.PutJobs(j)
		store, dead := NewMemoryStore(), NewMemoryDeadLetters()
		e.ran(t, src, WithStore(store), WithDeadLetters(dead))
		j.Posting.IntegrationContext = "acme" // its ModifiedAt unchanged: no run reads it again
		src.PutJobs(j)
		key := "job//" + j.Posting.ExternalJobPostingID
		drep, err := e.engine(t, src, WithDryRun(true), WithStore(store), WithDeadLetters(dead)).Resync(t.Context(), key)
		must(t, err)
		rep, err := e.engine(t, src, WithStore(store), WithDeadLetters(dead)).Resync(t.Context(), key)
		must(t, err)
		if len(rep.Rejections) != 1 {
			t.Fatalf("the resync refused %+v, want the CLOSE", rep.Rejections)
		}
		if d := cmp.Diff(rep.Rejections, drep.Rejections); d != "" {
			t.Errorf("the dry resync's refusals differ from the resync's (-resync +dry):\n%s", d)
		}
	})
}

// LinkedIn's requests to send jobs again (RESYNC_JOBS), many of them, are
// served by slices of one batch whose job tasks take several polls to
// finish, each slice yielding while tasks are in flight: the slices still
// reach every phase and catch up, and every job asked for is sent again.
func TestJobResyncsServedBySlices(t *testing.T) {
	inBubbleWith(t, envOpt{server: []rsctest.Option{rsctest.WithJobTaskLatency(3)}}, func(t *testing.T, e *env) {
		org := e.cust.Organization
		g := newGen(org, time.Now().Add(-time.Hour), time.Hour, 250, 300, 0, 0)
		src := g.materialize()
		eng := e.engine(t, src)
		slicedBy(t, eng, 1)
		before := len(e.srv.Requests())
		var open []string
		cp, err := eng.Store().Load(t.Context(), "c1")
		must(t, err)
		for id, st := range cp.Jobs {
			if st.State == jobPosted {
				open = append(open, id)
			}
		}
		if _, err := RequestJobResync(t.Context(), eng.Store(), eng.DeadLetters(), "c1", time.Now(), nil, true); err != nil {
			t.Fatal(err)
		}
		// New candidates after the request: the slices must still reach them.
		for i := 300; i < 320; i++ {
			c := g.cand(i)
			c.ModifiedAt = time.Now()
			src.PutCandidates(c)
		}
		slicedBy(t, eng, 1)
		for _, d := range deadLetters(t, eng.DeadLetters(), "c1") {
			if d.Requested {
				t.Errorf("request left: %+v", d)
			}
		}
		if len(open) < 200 {
			t.Fatalf("only %d jobs open on LinkedIn", len(open))
		}
		sent := 0
		for _, r := range e.srv.Requests()[before:] {
			if strings.HasSuffix(r.Path, "/simpleJobPostings") {
				sent++
			}
		}
		if sent < 3 {
			t.Errorf("%d job calls after the request, want every open job sent again", sent)
		}
		assertSame(t, src, time.Time{}, e.cust)
	})
}

// A job LinkedIn asked for again that both sides hold closed is closed
// again once, by the run's serving of the request: the jobs phase of the
// same run, reading the job again (it changed), sends nothing more.
func TestJobResyncClosesOnce(t *testing.T) {
	var mu gosync.Mutex
	var closes int
	wrap := func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(r *http.Request) (*http.Response, error) {
			if strings.HasSuffix(r.URL.Path, "/simpleJobPostings") && r.Body != nil {
				body, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(body))
				mu.Lock()
				closes += strings.Count(string(body), `"jobPostingOperationType":"CLOSE"`)
				mu.Unlock()
			}
			return next.RoundTrip(r)
		})
	}
	inBubbleWith(t, envOpt{wrap: wrap}, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now().Add(-time.Hour), time.Hour, 1, 0, 0, 0)
		src := NewSliceSource()
		j := g.job(0)
		j.Closed = true
		src.PutJobs(j)
		eng, _ := e.ran(t, src)
		mu.Lock()
		closes = 0
		mu.Unlock()
		if _, err := RequestJobResync(t.Context(), eng.Store(), eng.DeadLetters(), "c1", time.Now(), []string{j.Posting.ExternalJobPostingID}, false); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute)
		j.ModifiedAt = time.Now().Add(-time.Second) // changed in the ATS, still closed
		src.PutJobs(j)
		if _, err := eng.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if closes != 1 {
			t.Errorf("%d CLOSEs sent after the request, want 1", closes)
		}
		if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) != 0 {
			t.Errorf("dead letters left: %+v", dl)
		}
	})
}
