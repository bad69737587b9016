package sync

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

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
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 0, 300, 0, 0)
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
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, envOpt{})
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 5, 50, 20, 20)
		src := g.materialize()
		bad := g.cand(7)
		bad.Record.EmailAddresses = []string{"not-an-email"}
		src.PutCandidates(bad)
		badJob := g.job(2)
		badJob.Posting.Description = "too short"
		src.PutJobs(badJob)
		eng := e.engine(t, src)
		rep, err := eng.Run(t.Context())
		must(t, err)
		dl := deadLetters(t, eng.DeadLetters(), "c1")
		if len(dl) != 2 {
			t.Fatalf("dead letters:\n%s", describeDL(dl))
		}
		if len(rep.Rejections) != 2 {
			t.Fatalf("rejections %+v", rep.Rejections)
		}
		st, _ := eng.State(t.Context())
		if st[PhaseCandidates].DeadLettered != 1 || st[PhaseJobs].DeadLettered != 1 {
			t.Fatalf("failed counts %+v %+v", st[PhaseCandidates], st[PhaseJobs])
		}
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
		st, _ = eng.State(t.Context())
		if st[PhaseCandidates].DeadLettered != 0 {
			t.Fatalf("failed count not cleared: %+v", st[PhaseCandidates])
		}
	})
}

// A daily 429 parks the customer until UTC midnight, then it resumes.
func TestDailyQuotaParksUntilMidnight(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, envOpt{server: []rsctest.Option{rsctest.WithLimits(rsctest.Limits{SyncRequestsPerDay: 3})}})
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
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, envOpt{server: []rsctest.Option{rsctest.WithLimits(rsctest.Limits{SyncRequestsPerDay: 1})},
			client: []rsc.Option{rsc.WithLimits(rsc.Limits{Disabled: true})}})
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 0, 300, 0, 0)
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
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, envOpt{})
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 5, 120, 30, 30)
		src := g.materialize()
		bad := g.cand(3)
		bad.Record.FirstName = ""
		src.PutCandidates(bad)
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
		if pc.Read != 120 || pc.Sent != 119 || pc.Refused != 1 || len(rep.Rejections) != 1 {
			t.Fatalf("candidates %+v, rejections %+v", pc, rep.Rejections)
		}
	})
}

func TestEligibility(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, envOpt{})
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

func TestConsentRefusedAndRevoked(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, envOpt{})
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 0, 1000, 0, 0)
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
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, envOpt{})
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
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, envOpt{})
		g := newGen(e.cust.Organization, time.Now().Add(-time.Hour), 24*time.Hour, 5, 40, 20, 30)
		src := g.materialize()
		eng := e.engine(t, src)
		_, err := eng.Run(t.Context())
		must(t, err)
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

// A batch_create that reached LinkedIn but whose answer was lost is resent
// as UPDATE: the job is never created twice.
func TestAmbiguousJobFailureResendsAsUpdate(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var lost atomic.Bool
		var creates, updates atomic.Int64
		e := newEnv(t, envOpt{wrap: func(next http.RoundTripper) http.RoundTripper {
			return rtFunc(func(r *http.Request) (*http.Response, error) {
				if r.Method == http.MethodPost && strings.Contains(r.URL.Path, "simpleJobPostings") {
					body, _ := io.ReadAll(r.Body)
					r.Body = io.NopCloser(strings.NewReader(string(body)))
					creates.Add(int64(strings.Count(string(body), `"CREATE"`)))
					updates.Add(int64(strings.Count(string(body), `"UPDATE"`)))
					resp, err := next.RoundTrip(r)
					if err == nil && lost.CompareAndSwap(false, true) {
						resp.Body.Close()
						return nil, errors.New("connection reset after the request was applied")
					}
					return resp, err
				}
				return next.RoundTrip(r)
			})
		}})
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 10, 0, 0, 0)
		eng := e.engine(t, g)
		if _, err := eng.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		if creates.Load() != 10 || updates.Load() != 10 {
			t.Fatalf("creates %d, updates %d; want 10 and 10", creates.Load(), updates.Load())
		}
		if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) > 0 {
			t.Fatalf("dead letters:\n%s", describeDL(dl))
		}
		assertSame(t, g, time.Time{}, e.cust)
	})
}

func TestWindowExcludesOldRecords(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, envOpt{})
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
