package sync

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
)

// The edges of the incremental sync: records dated in the future, ids used
// again after a deletion.

// edgeCand is a valid candidate modified at mod.
func edgeCand(org, id string, mod time.Time) Candidate {
	return Candidate{ModifiedAt: mod, Record: rsc.Candidate{Key: rsc.CandidateKey{IntegrationContext: org, CandidateID: id},
		FirstName: "Ann", LastName: "Lee", EmailAddresses: []string{fmt.Sprintf("%s@example.com", id)},
		ExternalProfileURL: "https://ats.example.com/c/" + id, CreatedAt: rsc.Millis(mod), LastModifiedAt: rsc.Millis(mod)}}
}

// heldCandidates is the ids of the candidates LinkedIn holds.
func heldCandidates(e *env) map[string]bool {
	m := map[string]bool{}
	for _, c := range e.cust.Candidates() {
		m[c.ID] = true
	}
	return m
}

// A record dated in the future (a bad date in the ATS) is sent, but the
// watermark stays before it, so an ordinary change made a minute after the
// run, within the clock skew allowance, is read by the next one.
func TestFutureRecordDoesNotHideChangesWithinTheSkew(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		src := NewSliceSource()
		future := edgeCand(org, "CFUT", time.Now().Add(-time.Hour))
		future.ModifiedAt = time.Now().Add(48 * time.Hour)
		src.PutCandidates(edgeCand(org, "C1", time.Now().Add(-time.Hour)), future)
		eng, rep := e.ran(t, src)
		if p := rep.Phases[PhaseCandidates]; p.Future != 1 || p.FutureExample != "CFUT" {
			t.Fatalf("future records: %d (%q), want CFUT", p.Future, p.FutureExample)
		}
		time.Sleep(time.Minute)
		src.PutCandidates(edgeCand(org, "C2", time.Now()))
		time.Sleep(30 * time.Second)
		_, err := eng.Run(t.Context())
		must(t, err)
		if held := heldCandidates(e); !held["C1"] || !held["C2"] || !held["CFUT"] {
			t.Fatalf("LinkedIn holds %v, want C1, C2 and CFUT", held)
		}
	})
}

// The same for deletions: a deletion dated in the future does not hide the
// deletions made after the run.
func TestFutureDeletionDoesNotHideLaterDeletions(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		src := NewSliceSource()
		for _, id := range []string{"C1", "C2", "C3"} {
			src.PutCandidates(edgeCand(org, id, time.Now().Add(-time.Hour)))
		}
		eng, _ := e.ran(t, src)
		time.Sleep(time.Minute)
		src.Delete(Deletion{Kind: KindCandidate, ID: "C1", DeletedAt: time.Now().Add(48 * time.Hour), Integration: org})
		_, err := eng.Run(t.Context())
		must(t, err)
		time.Sleep(time.Minute)
		src.Delete(Deletion{Kind: KindCandidate, ID: "C2", DeletedAt: time.Now(), Integration: org})
		time.Sleep(time.Hour)
		_, err = eng.Run(t.Context())
		must(t, err)
		if held := heldCandidates(e); held["C1"] || held["C2"] || !held["C3"] {
			t.Fatalf("LinkedIn holds %v, want C3 only", held)
		}
	})
}

// An id deleted and then used again in the ATS (a candidate re-created, a
// job reopened) stays on LinkedIn: the deletion, older than the record, is
// skipped with SkipRecreated instead of removing what the upsert just sent.
func TestIDUsedAgainAfterItsDeletion(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		g := newGen(org, time.Now().Add(-time.Hour), 24*time.Hour, 3, 0, 0, 0)
		src := g.materialize()
		src.PutCandidates(edgeCand(org, "C1", time.Now().Add(-time.Hour)), edgeCand(org, "C2", time.Now().Add(-time.Hour)))
		eng, _ := e.ran(t, src)
		time.Sleep(time.Minute)
		for _, d := range []Deletion{{Kind: KindCandidate, ID: "C1"}, {Kind: KindCandidate, ID: "C2"}, {Kind: KindJob, ID: jobID(0)}} {
			d.DeletedAt, d.Integration = time.Now(), org
			src.Delete(d)
		}
		time.Sleep(time.Minute)
		src.PutCandidates(edgeCand(org, "C1", time.Now())) // the id is used again
		j := g.job(0)
		j.ModifiedAt, j.Posting.Title = time.Now(), "Reopened"
		src.PutJobs(j)
		time.Sleep(time.Minute)
		rep, err := eng.Run(t.Context())
		must(t, err)
		if held := heldCandidates(e); !held["C1"] || held["C2"] {
			t.Errorf("LinkedIn holds %v, want C1 and not C2", held)
		}
		if got, _ := e.cust.Job(jobID(0)); got.State != "LISTED" || got.Title != "Reopened" {
			t.Errorf("job %s on LinkedIn: %s %q, want LISTED \"Reopened\"", jobID(0), got.State, got.Title)
		}
		if p := rep.Phases[PhaseDeletions]; p.SkipReasons[SkipRecreated] != 2 || p.Read != p.Sent+p.Skipped {
			t.Errorf("deletions: %+v, want 2 skipped as recreated", p)
		}
	})
}

// outOfOrder is a Source whose candidates stream yields its records in
// the order given, whatever their positions.
type outOfOrder struct {
	Source
	cands []Candidate
}

func (s outOfOrder) Candidates(ctx context.Context, since Cursor) iter.Seq2[Candidate, error] {
	return func(yield func(Candidate, error) bool) {
		for _, c := range s.cands {
			if since.After(c.ModifiedAt, c.Record.Key.CandidateID) && !yield(c, nil) {
				return
			}
		}
	}
}

// A Source that yields a record before one it follows breaks the order the
// watermark relies on: the run stops with an error naming both records,
// and the later record is not passed over.
func TestOutOfOrderSourceStopsTheRun(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		base := time.Now().Add(-time.Hour)
		var cands []Candidate
		for i := range 150 {
			cands = append(cands, edgeCand(org, fmt.Sprintf("C%03d", i), base.Add(time.Duration(i)*time.Second)))
		}
		early := edgeCand(org, "CEARLY", base.Add(-time.Minute)) // yielded late
		src := outOfOrder{Source: NewSliceSource(), cands: append(cands[:120:120], append([]Candidate{early}, cands[120:]...)...)}
		eng := e.engine(t, src, WithInFlight(1))
		_, err := eng.Run(t.Context())
		want := fmt.Sprintf(`sync: the Source yielded candidates out of order: "CEARLY" (%s) after "C119" (%s)`,
			early.ModifiedAt.UTC().Format(time.RFC3339Nano), cands[119].ModifiedAt.UTC().Format(time.RFC3339Nano))
		var se *SourceError
		if err == nil || !strings.HasPrefix(err.Error(), want) || !errors.As(err, &se) || se.Phase != PhaseCandidates || !errors.Is(err, ErrOutOfOrder) {
			t.Fatalf("err = %v, want a *SourceError of candidates wrapping ErrOutOfOrder, starting with %s", err, want)
		}
		st, err := eng.State(t.Context())
		must(t, err)
		if c := st[PhaseCandidates].Cursor; c.ModifiedAt.After(cands[99].ModifiedAt) {
			t.Errorf("watermark %v passed the batch holding the record out of order", c)
		}
	})
}

// Deletions of stages of different applications that share a stage id are
// two deletions, not one record yielded twice: both are sent.
func TestStageDeletionsOfTwoParentsWithOneID(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		src := NewSliceSource()
		for _, app := range []string{"A1", "A2"} {
			src.PutApplications(Application{ModifiedAt: time.Now().Add(-time.Hour), Record: rsc.Application{
				Key: rsc.ApplicationKey{IntegrationContext: org, ApplicationID: app}, CreatedAt: rsc.Millis(time.Now().Add(-time.Hour)),
				LastModifiedAt: rsc.Millis(time.Now().Add(-time.Hour)), JobPostingID: "J1", JobPostingName: "Engineer",
				FirstName: "Ann", LastName: "Lee", CandidateEmail: "ann@example.com"},
				Stages: []rsc.Stage{{ID: "screen", Stage: "Phone Screen", CreatedAt: rsc.Millis(time.Now().Add(-time.Hour))}}})
		}
		eng, _ := e.ran(t, src)
		if n := len(e.cust.Stages()); n != 2 {
			t.Fatalf("LinkedIn holds %d stages, want 2", n)
		}
		time.Sleep(time.Minute)
		for _, app := range []string{"A1", "A2"} {
			src.Delete(Deletion{Kind: KindStage, ID: "screen", Parent: app, DeletedAt: time.Now(), Integration: org})
		}
		rep, err := eng.Run(t.Context())
		must(t, err)
		if n := len(e.cust.Stages()); n != 0 {
			t.Errorf("LinkedIn holds %d stages after both deletions, want 0 (deletions %+v)", n, rep.Phases[PhaseDeletions])
		}
	})
}

// archiveLookup is a Source whose deleted jobs leave its Jobs stream but
// stay readable by LookupJob (an archive table); it counts LookupJob calls
// per id.
type archiveLookup struct {
	*SliceSource
	archive map[string]Job
	mu      gosync.Mutex
	calls   map[string]int
}

func (s *archiveLookup) LookupJob(ctx context.Context, id string) (Job, bool, error) {
	s.mu.Lock()
	s.calls[id]++
	s.mu.Unlock()
	if j, ok := s.archive[id]; ok {
		return j, true, nil
	}
	return s.SliceSource.LookupJob(ctx, id)
}

// A job deleted in the ATS is closed on LinkedIn with its row read once:
// the check for a job reopened after its deletion and the CLOSE share one
// lookup.
func TestDeletedJobIsLookedUpOnce(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		g := newGen(org, time.Now().Add(-time.Hour), 24*time.Hour, 3, 0, 0, 0)
		src := &archiveLookup{SliceSource: g.materialize(), archive: map[string]Job{}, calls: map[string]int{}}
		eng, _ := e.ran(t, src)
		time.Sleep(time.Minute)
		src.archive[jobID(0)] = g.job(0)
		src.Delete(Deletion{Kind: KindJob, ID: jobID(0), DeletedAt: time.Now(), Integration: org})
		time.Sleep(time.Minute)
		_, err := eng.Run(t.Context())
		must(t, err)
		if got, _ := e.cust.Job(jobID(0)); got.State != "CLOSED" {
			t.Errorf("job %s on LinkedIn: %s, want CLOSED", jobID(0), got.State)
		}
		if diff := cmp.Diff(map[string]int{jobID(0): 1}, src.calls); diff != "" {
			t.Errorf("LookupJob calls (-want +got):\n%s", diff)
		}
	})
}

// sliced runs eng one batch at a time, as a fleet worker does, until a
// slice ends with nothing left: every batch boundary is a stop.
func sliced(t *testing.T, eng *Engine) { t.Helper(); slicedBy(t, eng, 1) }

// slicedBy runs eng in slices of n batches until one ends with nothing
// left.
func slicedBy(t *testing.T, eng *Engine, n int) {
	t.Helper()
	for range 500 {
		_, err := eng.RunSlice(t.Context(), n)
		var y *YieldError
		switch {
		case err == nil:
			return
		case errors.As(err, &y):
			time.Sleep(time.Until(y.Until) + time.Millisecond)
		case !errors.Is(err, ErrYield):
			t.Fatal(err)
		}
	}
	t.Fatal("the slices never caught up")
}

// A candidate note and an interview feedback with one id (two tables of
// the ATS) are both sent, modified at one instant or not, and so are notes
// of two candidates with one id: none replaces another in a batch.
func TestActivitiesSharingAnID(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		g := newGen(org, time.Now().Add(-time.Hour), 24*time.Hour, 1, 2, 1, 0)
		src := g.materialize()
		t0 := time.Now().Add(-30 * time.Minute)
		note := func(cand, id string, at time.Time) Activity {
			return Activity{Kind: KindCandidateNote, Candidate: rsc.CandidateKey{IntegrationContext: org, CandidateID: cand},
				Note: rsc.Note{ID: id, Note: "called", CreatedAt: rsc.Millis(at)}, ModifiedAt: at}
		}
		feedback := func(id string, at time.Time) Activity {
			return Activity{Kind: KindInterviewFeedback, Application: rsc.ApplicationKey{IntegrationContext: org, ApplicationID: appID(0)},
				Feedback: rsc.InterviewFeedback{ID: id, Feedback: "strong", InterviewType: "ONSITE", CreatedAt: rsc.Millis(at)}, ModifiedAt: at}
		}
		src.PutActivities(note(candID(0), "42", t0), feedback("42", t0.Add(time.Second)), // one id, two times
			note(candID(0), "7", t0), feedback("7", t0), note(candID(1), "7", t0)) // one id, one instant
		_, rep := e.ran(t, src)
		if p := rep.Phases[PhaseActivities]; p.Read != p.Acknowledged {
			t.Errorf("activities: %+v, want every one read acknowledged", p)
		}
		assertSame(t, src, time.Time{}, e.cust)
	})
}

// Records at one position split by a batch boundary: two stage deletions
// of one id (of two applications) at one instant, after 99 other
// deletions. Run one batch per slice, the second is not passed over.
func TestEqualPositionsAcrossABatchBoundary(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		at := time.Now().Add(-time.Hour)
		g := newGen(org, at, 24*time.Hour, 1, 1, 0, 0)
		src := NewSliceSource().PutJobs(g.job(0)).PutCandidates(g.cand(0))
		for i := range 99 {
			src.PutCandidates(edgeCand(org, fmt.Sprintf("D%03d", i), at))
		}
		for _, id := range []string{"A1", "A2"} {
			p := g.place(0)
			p.Record.Key.ApplicationID = id
			p.Stages = []rsc.Stage{{ID: "1", Stage: "Phone Screen", CreatedAt: rsc.Millis(at)}, {ID: "2", Stage: "Hired", CreatedAt: rsc.Millis(at)}}
			src.PutApplications(p)
		}
		eng := e.engine(t, src)
		sliced(t, eng)
		time.Sleep(time.Minute)
		now := time.Now()
		for i := range 99 {
			src.Delete(Deletion{Kind: KindCandidate, ID: fmt.Sprintf("D%03d", i), DeletedAt: now.Add(-time.Second), Integration: org})
		}
		for _, app := range []string{"A1", "A2"} {
			src.Delete(Deletion{Kind: KindStage, ID: "1", Parent: app, DeletedAt: now, Integration: org})
		}
		time.Sleep(time.Minute)
		sliced(t, eng)
		assertSame(t, src, time.Time{}, e.cust)
	})
}

// A record of another customer's integration context (a Source missing its
// tenant filter) is refused before it is sent, with WithIntegrationContexts:
// the customer's other records, in the same batch, reach LinkedIn, and
// the run goes on. Without it LinkedIn refuses the whole batch.
func TestForeignIntegrationContextRefused(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		src := NewSliceSource()
		for i, id := range []string{"C1", "CFOREIGN", "C3"} {
			c := edgeCand(org, id, time.Now().Add(time.Duration(i-10)*time.Minute))
			if id == "CFOREIGN" {
				c.Record.Key.IntegrationContext = "urn:li:organization:999999"
			}
			src.PutCandidates(c)
		}
		eng, rep := e.ran(t, src, WithIntegrationContexts(org))
		if held := heldCandidates(e); !cmp.Equal(held, map[string]bool{"C1": true, "C3": true}) {
			t.Errorf("LinkedIn holds candidates %v, want C1 and C3", held)
		}
		if p := rep.Phases[PhaseCandidates]; p.Read != 3 || p.Acknowledged != 2 || p.Refused != 1 {
			t.Errorf("candidates: %+v, want 3 read, 2 acknowledged, 1 refused", p)
		}
		got := deadLetters(t, eng.DeadLetters(), "c1")
		if len(got) != 1 || got[0].ID != "CFOREIGN" || got[0].Field != "integrationContext" ||
			got[0].Reason != "invalid integrationContext: "+foreignRule {
			t.Errorf("dead letters %s, want CFOREIGN refused for its integration context", describeDL(got))
		}
	})
}

func TestWithIntegrationContextsValidates(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]Option{
		"sync: WithIntegrationContexts: no integration context":                                 WithIntegrationContexts(),
		`sync: WithIntegrationContexts: "urn:li:company:1" is not urn:li:organization:{digits}`: WithIntegrationContexts("urn:li:organization:1", "urn:li:company:1"),
	} {
		cl, err := rsc.NewClient(rsc.WithCredentials("id", "secret"))
		must(t, err)
		_, err = NewEngine(cl, "c1", NewSliceSource(), opt)
		if err == nil || err.Error() != name {
			t.Errorf("NewEngine: %v, want %s", err, name)
		}
	}
}

// stageRun puts 150 applications with a stage "1" and syncs them, then
// deletes stage "1" of every one at one instant (one transaction): 150
// deletions at one position, more than one batch holds.
func stageRun(t *testing.T, e *env, src *SliceSource, sync func(*Engine)) *Engine {
	t.Helper()
	org := e.cust.Organization
	at := time.Now().Add(-time.Hour)
	g := newGen(org, at, 24*time.Hour, 1, 1, 0, 0)
	src.PutJobs(g.job(0)).PutCandidates(g.cand(0))
	for i := range 150 {
		p := g.place(0)
		p.Record.Key.ApplicationID = fmt.Sprintf("A%03d", i)
		p.Stages = []rsc.Stage{{ID: "1", Stage: "Phone Screen", CreatedAt: rsc.Millis(at)}}
		src.PutApplications(p)
	}
	eng := e.engine(t, src)
	sync(eng)
	time.Sleep(time.Minute)
	now := time.Now()
	for i := range 150 {
		src.Delete(Deletion{Kind: KindStage, ID: "1", Parent: fmt.Sprintf("A%03d", i), DeletedAt: now, Integration: org})
	}
	time.Sleep(time.Minute)
	sync(eng)
	return eng
}

// A run of records at one position longer than a batch, sent one batch per
// slice: the watermark stays before the run, and the checkpoint names the
// part of it committed (PhaseCheckpoint.Held), so every slice makes
// progress through it and none is passed over.
func TestMoreEqualPositionsThanABatch(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		src := NewSliceSource()
		eng := stageRun(t, e, src, func(eng *Engine) { sliced(t, eng) })
		assertSame(t, src, time.Time{}, e.cust)
		cp, err := eng.cfg.store.Load(t.Context(), "c1")
		must(t, err)
		if h := cp.Phases[PhaseDeletions].Held; h != nil {
			t.Errorf("held run %+v left in the checkpoint once the watermark passed it", h)
		}
	})
}

// The same for a customer paced at 100 records a minute, whose slices of
// ten batches end after one batch for the quota.
func TestEqualPositionsUnderPacing(t *testing.T) {
	inBubbleWith(t, envOpt{client: []rsc.Option{rsc.WithLimits(rsc.Limits{SyncRecordsPerMinute: 100})}}, func(t *testing.T, e *env) {
		src := NewSliceSource()
		stageRun(t, e, src, func(eng *Engine) { slicedBy(t, eng, 10) })
		assertSame(t, src, time.Time{}, e.cust)
	})
}

// The records of a run held before the watermark are not read again, so
// they count once: 101 activities, two of them at one position across the
// batch boundary, give Done 101 and Acknowledged 101.
func TestHeldRunCountedOnce(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		g := newGen(org, time.Now().Add(-2*time.Hour), 24*time.Hour, 1, 1, 1, 0)
		src := g.materialize()
		t0 := time.Now().Add(-time.Hour)
		for i := range 99 {
			at := t0.Add(time.Duration(i) * time.Second)
			src.PutActivities(Activity{Kind: KindCandidateNote, Candidate: rsc.CandidateKey{IntegrationContext: org, CandidateID: candID(0)},
				Note: rsc.Note{ID: fmt.Sprintf("N%03d", i), Note: "called", CreatedAt: rsc.Millis(at)}, ModifiedAt: at})
		}
		at := t0.Add(time.Hour / 2)
		src.PutActivities(
			Activity{Kind: KindCandidateNote, Candidate: rsc.CandidateKey{IntegrationContext: org, CandidateID: candID(0)},
				Note: rsc.Note{ID: "7", Note: "called", CreatedAt: rsc.Millis(at)}, ModifiedAt: at},
			Activity{Kind: KindInterviewFeedback, Application: rsc.ApplicationKey{IntegrationContext: org, ApplicationID: appID(0)},
				Feedback: rsc.InterviewFeedback{ID: "7", Feedback: "strong", InterviewType: "ONSITE", CreatedAt: rsc.Millis(at)}, ModifiedAt: at})
		eng := e.engine(t, src)
		sliced(t, eng)
		assertSame(t, src, time.Time{}, e.cust)
		rep, err := eng.Run(t.Context())
		must(t, err)
		st, err := eng.State(t.Context())
		must(t, err)
		x := rep.Reconciliation[slices.IndexFunc(rep.Reconciliation, func(x Reconciliation) bool { return x.Phase == PhaseActivities })]
		if done := st[PhaseActivities].Done; done != 101 || x.Acknowledged != 101 {
			t.Errorf("activities: Done %d, reconciliation %+v; want Done 101 and Acknowledged 101 (101 activities)", done, x)
		}
	})
}

// failingApplications is a Source whose applications stream fails after
// its first record.
type failingApplications struct {
	*SliceSource
	err error
}

func (s failingApplications) Applications(ctx context.Context, since Cursor) iter.Seq2[Application, error] {
	return func(yield func(Application, error) bool) {
		for a, err := range s.SliceSource.Applications(ctx, since) {
			if err != nil || !yield(a, nil) {
				return
			}
			yield(Application{}, s.err)
			return
		}
	}
}

// A Source's read failure stops the run as a *SourceError naming the
// phase, which wraps the Source's own error; the phases before it keep
// what they committed.
func TestSourceFailureIsASourceError(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 2, 5, 3, 0)
		broken := errors.New("the ATS database is down")
		eng := e.engine(t, failingApplications{g.materialize(), broken})
		_, err := eng.Run(t.Context())
		var se *SourceError
		if !errors.As(err, &se) || se.Phase != PhaseApplications || !errors.Is(err, broken) ||
			err.Error() != "sync: reading applications from the source: the ATS database is down" {
			t.Fatalf("Run: %v, want a *SourceError of applications wrapping the Source's error", err)
		}
		if n := len(e.cust.Candidates()); n != 5 {
			t.Errorf("LinkedIn holds %d candidates, want the 5 sent before the failure", n)
		}
	})
}
