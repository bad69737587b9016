package sync

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// heldJobStates returns the jobs LinkedIn holds, id -> state.
func heldJobStates(e *env) map[string]string {
	out := map[string]string{}
	for _, j := range e.cust.Jobs() {
		out[j.ExternalJobPostingID] = j.State
	}
	return out
}

// jobStateOf returns the checkpoint's state of job id.
func jobStateOf(t *testing.T, eng *Engine, id string) JobState {
	t.Helper()
	cp, err := eng.Store().Load(t.Context(), "c1")
	must(t, err)
	return cp.Jobs[id]
}

// lanesAfterJobSync sets up a historical pass with one-minute fresh lanes whose
// jobs phase completed while the candidates' backlog is still long, so
// that sweeps read the jobs and the deletions without settling job tasks.
func lanesAfterJobSync(t *testing.T, e *env) (*SliceSource, *genSource, *Engine) {
	g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 1, 3000, 0, 0)
	src := g.materialize()
	eng := e.engine(t, src, WithFreshLane(time.Minute))
	for i := 0; ; i++ {
		if i > 50 {
			t.Fatal("the jobs phase never completed")
		}
		if _, err := eng.RunSlice(t.Context(), 1); !errors.Is(err, ErrYield) {
			t.Fatalf("slice %d: %v", i, err)
		}
		time.Sleep(10 * time.Second)
		st, err := eng.State(t.Context())
		must(t, err)
		if st[PhaseJobs].Completed {
			if st[PhaseCandidates].Completed {
				t.Fatal("candidates completed too")
			}
			return src, g, eng
		}
	}
}

// A job created during the pass, sent by a sweep (its CREATE in flight)
// and deleted in the ATS before the task settles, is closed on LinkedIn
// once the task settles, whether the Source keeps its row or not (a CLOSE
// names the job by its id and the deletion's integration context): the
// deletion is acknowledged at once, and nothing is dead-lettered.
func TestJobDeletedWhileCreatePending(t *testing.T) {
	t.Parallel()
	for _, soft := range []bool{false, true} {
		t.Run(map[bool]string{false: "hard delete", true: "soft-deleted row kept"}[soft], func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, envOpt{server: []rsctest.Option{rsctest.WithJobTaskLatency(3)}})
				src, g, eng := lanesAfterJobSync(t, e)
				j := g.job(0)
				j.Posting.ExternalJobPostingID, j.ModifiedAt, j.Closed = "JNEW", time.Now(), false
				src.PutJobs(j)
				time.Sleep(time.Minute) // a sweep is due
				if _, err := eng.RunSlice(t.Context(), 1); !errors.Is(err, ErrYield) {
					t.Fatal(err)
				}
				if st := jobStateOf(t, eng, "JNEW"); st.State != jobPending {
					t.Fatalf("JNEW %+v, want its CREATE pending", st)
				}
				time.Sleep(time.Minute)
				src.Delete(Deletion{Kind: KindJob, ID: "JNEW", Integration: e.cust.Organization, DeletedAt: time.Now()})
				if soft { // the row stays, unchanged since before the deletion
					src.PutJobs(j)
				}
				if _, err := eng.RunSlice(t.Context(), 1); !errors.Is(err, ErrYield) {
					t.Fatal(err)
				}
				if st := jobStateOf(t, eng, "JNEW"); !st.Changed || !st.Close {
					t.Fatalf("JNEW %+v: the deletion was not read while its CREATE was pending", st)
				}
				for range 2 {
					if _, err := eng.Run(t.Context()); err != nil {
						t.Fatal(err)
					}
					time.Sleep(time.Minute)
				}
				if got := heldJobStates(e)["JNEW"]; got != "CLOSED" {
					t.Errorf("JNEW, deleted in the ATS, is %s on LinkedIn (checkpoint %+v)", got, jobStateOf(t, eng, "JNEW"))
				}
				if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) != 0 {
					t.Errorf("dead letters %+v, want none", dl)
				}
			})
		})
	}
}

// A job the ATS reopens while its CLOSE task is in flight ends up listed on
// LinkedIn once the task settles (JobState.Changed), also when LinkedIn
// then loses that task (404: task ids expire), the CLOSE having taken
// effect.
func TestReopenedWhileCloseInFlight(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		lose int64 // task reads answered 404 after the reopening
	}{{"task read", 0}, {"task lost", 1}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				var lose atomic.Int64
				var ops jobOps
				e := ops.env(t, func(r *http.Request, resp *http.Response, _ bool) (*http.Response, error) {
					if strings.Contains(r.URL.Path, "simpleJobPostingTasks") && lose.Add(-1) >= 0 {
						return taskAnswer(resp, 404)
					}
					return resp, nil
				}, rsctest.WithJobTaskLatency(3))
				g := newGen(e.cust.Organization, time.Now(), time.Hour, 1, 0, 0, 0)
				src := NewSliceSource()
				j := g.job(0)
				j.Closed, j.ModifiedAt = false, time.Now().Add(-time.Hour)
				src.PutJobs(j)
				eng := e.engine(t, src, WithFreshLane(0))
				if _, err := eng.Run(t.Context()); err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Minute)
				// The ATS closes the job; a slice sends the CLOSE and yields
				// while its task is in flight.
				j.Closed, j.ModifiedAt = true, time.Now()
				src.PutJobs(j)
				if _, err := eng.RunSlice(t.Context(), 5); !errors.Is(err, ErrYield) {
					t.Fatalf("slice: %v, want a yield with the CLOSE in flight", err)
				}
				time.Sleep(time.Minute)
				// The ATS reopens it before the task settles.
				j.Closed, j.ModifiedAt = false, time.Now()
				src.PutJobs(j)
				lose.Store(tc.lose)
				for range 3 {
					if _, err := eng.Run(t.Context()); err != nil {
						t.Fatal(err)
					}
					time.Sleep(time.Minute)
				}
				if got := heldJobStates(e)[j.Posting.ExternalJobPostingID]; got != "LISTED" {
					t.Errorf("job %s is %s on LinkedIn, listed in the ATS (checkpoint %+v)", j.Posting.ExternalJobPostingID, got, jobStateOf(t, eng, j.Posting.ExternalJobPostingID))
				}
			})
		})
	}
}

// An owed CREATE (JobState.Next, after UPDATEs found no job) is saved as
// an intent before it is sent; a run that stops once it reached LinkedIn
// (a kill, a cancellation) must not send it as CREATE again.
func TestOwedCreateNotRepeatedAfterAStop(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var creates atomic.Int64
		var cancel atomic.Pointer[context.CancelFunc]
		e := newEnv(t, envOpt{wrap: func(next http.RoundTripper) http.RoundTripper {
			return rtFunc(func(r *http.Request) (*http.Response, error) {
				if r.Method != http.MethodPost || !strings.Contains(r.URL.Path, "simpleJobPostings") {
					return next.RoundTrip(r)
				}
				body, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(strings.NewReader(string(body)))
				if !strings.Contains(string(body), `"CREATE"`) {
					return next.RoundTrip(r)
				}
				switch creates.Add(1) {
				case 1: // the process dies before the CREATE leaves it
					(*cancel.Load())()
					return nil, context.Canceled
				case 2: // the process dies once LinkedIn applied the CREATE
					resp, err := next.RoundTrip(r)
					if err == nil {
						resp.Body.Close()
					}
					(*cancel.Load())()
					return nil, context.Canceled
				}
				return next.RoundTrip(r)
			})
		}})
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 1, 0, 0, 0)
		store := NewMemoryStore()
		for i := range 2 {
			ctx, stop := context.WithCancel(t.Context())
			cancel.Store(&stop)
			if _, err := e.engine(t, g, WithStore(store)).Run(ctx); err == nil {
				t.Fatalf("run %d did not stop", i+1)
			}
			stop()
		}
		if _, err := e.engine(t, g, WithStore(store)).Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		if n := createTasks(e.cust)[jobID(0)]; n != 1 {
			t.Errorf("job %s: %d CREATE tasks on LinkedIn, want 1 (CREATE requests: %d)", jobID(0), n, creates.Load())
		}
		assertSame(t, g, time.Time{}, e.cust)
	})
}

// softSource is a SliceSource whose Lookup still finds the rows of deleted
// jobs (soft-deleted rows).
type softSource struct {
	*SliceSource
	mu   gosync.Mutex
	rows map[string]Job
}

func (s *softSource) LookupJob(ctx context.Context, id string) (Job, bool, error) {
	if j, ok, err := s.SliceSource.LookupJob(ctx, id); ok || err != nil {
		return j, ok, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.rows[id]
	return j, ok, nil
}

// A job whose CREATE's answer was lost (the process died; the request
// lands at LinkedIn late) and that the ATS then deletes: its CLOSE finds
// no job yet. As for an UPDATE, the engine must look again a poll
// interval later (taskDone keeps a CLOSE a CLOSE for that) rather than
// take the job as closed: the late CREATE leaves it listed.
func TestCloseOfLateCreateIsRechecked(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		e := newEnv(t, envOpt{wrap: lateCreate(cancel, "CLOSE")})
		g := newGen(e.cust.Organization, time.Now().Add(-time.Hour), time.Hour, 1, 0, 0, 0)
		src := &softSource{SliceSource: g.materialize(), rows: map[string]Job{}}
		store := NewMemoryStore()
		if _, err := e.engine(t, src, WithStore(store), WithFreshLane(0)).Run(ctx); err == nil {
			t.Fatal("the first run did not stop")
		}
		time.Sleep(time.Minute)
		j := g.job(0)
		src.mu.Lock()
		src.rows[j.Posting.ExternalJobPostingID] = j
		src.mu.Unlock()
		src.Delete(Deletion{Kind: KindJob, ID: j.Posting.ExternalJobPostingID, Integration: e.cust.Organization, DeletedAt: time.Now()})
		for range 2 {
			if _, err := e.engine(t, src, WithStore(store), WithFreshLane(0)).Run(t.Context()); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Minute)
		}
		if got := heldJobStates(e)[j.Posting.ExternalJobPostingID]; got != "CLOSED" {
			t.Errorf("job %s, deleted in the ATS, is %s on LinkedIn", j.Posting.ExternalJobPostingID, got)
		}
	})
}

// A job a sweep created (its CREATE in flight), deleted in the ATS and
// then recreated with new fields before the task settles, must end up
// listed on LinkedIn with its last fields.
func TestJobDeletedAndRecreatedWhileCreatePending(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, envOpt{server: []rsctest.Option{rsctest.WithJobTaskLatency(5)}})
		src, g, eng := lanesAfterJobSync(t, e)
		j := g.job(0)
		j.Posting.ExternalJobPostingID, j.ModifiedAt, j.Closed, j.Posting.Title = "JNEW", time.Now(), false, "first"
		src.PutJobs(j)
		time.Sleep(time.Minute)
		if _, err := eng.RunSlice(t.Context(), 1); !errors.Is(err, ErrYield) {
			t.Fatal(err)
		}
		time.Sleep(time.Minute)
		src.Delete(Deletion{Kind: KindJob, ID: "JNEW", Integration: e.cust.Organization, DeletedAt: time.Now()})
		if _, err := eng.RunSlice(t.Context(), 1); !errors.Is(err, ErrYield) {
			t.Fatal(err)
		}
		time.Sleep(time.Minute)
		j.ModifiedAt, j.Posting.Title = time.Now(), "second"
		src.PutJobs(j) // recreated under the same id
		if _, err := eng.RunSlice(t.Context(), 1); !errors.Is(err, ErrYield) {
			t.Fatal(err)
		}
		if st := jobStateOf(t, eng, "JNEW"); st.State != jobPending || !st.Changed {
			t.Fatalf("JNEW %+v, want its CREATE pending and changed", st)
		}
		for range 2 {
			if _, err := eng.Run(t.Context()); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Minute)
		}
		for _, lj := range e.cust.Jobs() {
			if lj.ExternalJobPostingID == "JNEW" && (lj.State != "LISTED" || lj.Title != "second") {
				t.Errorf("JNEW is %s %q on LinkedIn, listed %q in the ATS (checkpoint %+v)", lj.State, lj.Title, "second", jobStateOf(t, eng, "JNEW"))
			}
		}
	})
}

// closed409 is LinkedIn's answer to a CLOSE of a job it holds closed, or
// does not hold.
const closed409 = `{"elements":[{"status":409,"error":{"status":409,"message":"Cannot close job which is already closed or does not exist"}}]}`

// LinkedIn may refuse at once, with an element of status 409, the CLOSE of
// a job it holds closed already ("Cannot close job which is already closed
// or does not exist"): the job is closed, as when that outcome comes in
// the CLOSE's task, not dead-lettered.
func TestCloseRefusedAsAlreadyClosed(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var ops jobOps
		var conflicts atomic.Int32
		e := ops.env(t, byOperation(func(body string) string {
			if !strings.Contains(body, `"CLOSE"`) {
				return ""
			}
			conflicts.Add(1)
			return closed409
		}))
		g := newGen(e.cust.Organization, time.Now().Add(-time.Hour), time.Hour, 1, 0, 0, 0)
		src := g.materialize()
		eng := e.engine(t, src, WithFreshLane(0))
		if _, err := eng.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute)
		j := g.job(0)
		j.Closed, j.ModifiedAt = true, time.Now()
		src.PutJobs(j)
		rep, err := eng.Run(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		id := j.Posting.ExternalJobPostingID
		if st := jobStateOf(t, eng, id); conflicts.Load() != 1 || st.State != jobClosed || !st.Held || st.Next != "" {
			t.Errorf("after %d CLOSE refused as already closed: job %s %+v, want closed", conflicts.Load(), id, st)
		}
		if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) != 0 || rep.Phases[PhaseJobs].Refused != 0 {
			t.Errorf("dead letters %+v, %d refused; want none", dl, rep.Phases[PhaseJobs].Refused)
		}
	})
}

// A job whose CLOSE LinkedIn refuses with 409 (already closed) ends closed,
// and the dead letter an earlier refusal of it left is cleared, as when
// the CLOSE is accepted: LinkedIn holds the job as the ATS has it.
func TestClose409ClearsJobDeadLetter(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var ops jobOps
		var refuseUpdate atomic.Bool
		e := ops.env(t, byOperation(func(body string) string {
			switch {
			case strings.Contains(body, `"CLOSE"`):
				return closed409
			case refuseUpdate.Load() && strings.Contains(body, `"UPDATE"`):
				return `{"elements":[{"status":422,"error":{"status":422,"message":"ERROR :: /title :: refused"}}]}`
			}
			return ""
		}))
		g := newGen(e.cust.Organization, time.Now().Add(-time.Hour), time.Hour, 1, 0, 0, 0)
		src := g.materialize()
		eng := e.engine(t, src, WithFreshLane(0))
		_, err := eng.Run(t.Context())
		must(t, err)
		j := g.job(0)
		id := j.Posting.ExternalJobPostingID

		time.Sleep(time.Minute) // the ATS changes it; LinkedIn refuses the UPDATE
		refuseUpdate.Store(true)
		j.ModifiedAt = time.Now()
		src.PutJobs(j)
		_, err = eng.Run(t.Context())
		must(t, err)
		if n := len(deadLetters(t, eng.DeadLetters(), "c1")); n != 1 {
			t.Fatalf("%d dead letters after the refused UPDATE, want 1", n)
		}

		time.Sleep(time.Minute) // the ATS closes it; LinkedIn: 409 already closed
		j.Closed, j.ModifiedAt = true, time.Now()
		src.PutJobs(j)
		_, err = eng.Run(t.Context())
		must(t, err)
		if st := jobStateOf(t, eng, id); st.State != jobClosed {
			t.Fatalf("job %+v, want closed", st)
		}
		rep, err := eng.RetryDeadLetters(t.Context())
		must(t, err)
		if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) != 0 {
			t.Errorf("job closed (409 applied as its task's outcome), yet after a run and a retry its dead letter stays:\n%s", describeDL(dl))
		}
		if rc := rep.Reconciliation[PhaseJobs]; rc.DeadLettered != 0 {
			t.Errorf("reconciliation %+v: the closed job still counts as dead-lettered", rc)
		}
	})
}

// A job closed on both sides and changed again in the ATS (still closed)
// needs no operation: it counts as read, sent and acknowledged, as a dry
// run counts it, so that Read = Sent + Skipped and Sent = Acknowledged +
// Refused hold.
func TestClosedJobReadAgainCounts(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now().Add(-time.Hour), time.Hour, 4, 0, 0, 0)
		src := g.materialize()
		j := g.job(3)
		if !j.Closed {
			t.Fatal("the generator's job 3 is open; this test needs a closed one")
		}
		eng, _ := e.ran(t, src)
		time.Sleep(time.Minute)
		j.ModifiedAt = time.Now().Truncate(time.Millisecond)
		src.PutJobs(j)
		rep, err := eng.Run(t.Context())
		must(t, err)
		pr := rep.Phases[PhaseJobs]
		type counts struct{ Read, Sent, Acknowledged, Refused, Skipped int64 }
		got := counts{pr.Read, pr.Sent, pr.Acknowledged, pr.Refused, pr.Skipped}
		if d := cmp.Diff(counts{Read: 1, Sent: 1, Acknowledged: 1}, got); d != "" {
			t.Errorf("jobs report (-want +got):\n%s", d)
		}
	})
}
