package sync

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/rsc"
)

// failingStore fails its nth Save (1-based), once.
type failingStore struct {
	*MemoryStore
	n, saves atomic.Int64
	failed   atomic.Bool
	cancel   bool // cancel the run's context after the nth Save succeeds instead
	stop     context.CancelFunc
}

var errInjected = errors.New("injected save failure")

func (s *failingStore) Save(ctx context.Context, id string, cp *Checkpoint) error {
	if s.saves.Add(1) == s.n.Load() {
		s.failed.Store(true)
		if s.cancel {
			err := s.MemoryStore.Save(ctx, id, cp)
			s.stop()
			return err
		}
		return errInjected
	}
	return s.MemoryStore.Save(ctx, id, cp)
}

// crashScenario runs a historical pass in slices of two batches with
// one-minute fresh lanes, jobs, candidates and applications changing and
// created between slices (a refused old and new candidate, ineligible
// ones, a new candidate deleted), with the nth save failing (0: none), or
// with the run's context cancelled right after the nth save when cancel is
// set. The pass then runs to its end. Unless the nth save never came, it
// checks that LinkedIn holds what the ATS holds, every candidate in its
// last version, no job created twice, nothing missing in the
// reconciliation, and no lane left. It returns the number of saves.
func crashScenario(t *testing.T, n int64, cancel bool) int64 {
	var saves int64
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, envOpt{})
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 30, 300, 200, 150)
		src := g.materialize()
		freshRecords(src, g, time.Now())
		st := &failingStore{MemoryStore: NewMemoryStore(), cancel: cancel}
		st.n.Store(n)
		bad := g.badEmail(5)
		bad.Record.Key.CandidateID = "CBADOLD"
		src.PutCandidates(bad)
		eng := e.engine(t, src, WithStore(st), WithFreshLane(time.Minute), WithEligibility(func(_ context.Context, r Record) (bool, string) {
			if r.ID == candID(7) || r.ID == "CN03" {
				return false, "private"
			}
			return true, ""
		}))
		var last error
		for i := 0; i < 400; i++ {
			if i < 12 {
				j := g.job(i * 2)
				j.ModifiedAt, j.Posting.Title = time.Now(), fmt.Sprintf("v%d", i)
				nj := g.job(i)
				nj.Posting.ExternalJobPostingID, nj.ModifiedAt = fmt.Sprintf("JN%02d", i), time.Now()
				c := g.cand(i * 23)
				c.ModifiedAt, c.Record.FirstName = time.Now(), fmt.Sprintf("v%d", i)
				nc := g.cand(i)
				nc.Record.Key.CandidateID, nc.ModifiedAt = fmt.Sprintf("CN%02d", i), time.Now()
				nc.Record.CreatedAt, nc.Record.LastModifiedAt = rsc.Millis(time.Now()), rsc.Millis(time.Now())
				a := g.place(i * 13)
				a.ModifiedAt = time.Now()
				src.PutJobs(j, nj).PutCandidates(c, nc).PutApplications(a)
				if i == 4 {
					b := g.badEmail(0)
					b.Record.Key.CandidateID, b.ModifiedAt = "CBADNEW", time.Now()
					b.Record.CreatedAt, b.Record.LastModifiedAt = rsc.Millis(time.Now()), rsc.Millis(time.Now())
					src.PutCandidates(b)
				}
				if i == 8 {
					src.Delete(Deletion{Kind: KindCandidate, ID: "CN00", Integration: e.cust.Organization, DeletedAt: time.Now()})
				}
			}
			ctx, stop := context.WithCancel(t.Context())
			st.stop = stop
			_, last = eng.RunSlice(ctx, 2)
			stop()
			if errors.Is(last, context.Canceled) {
				last = errInjected
			}
			if last == nil && i >= 12 {
				break
			}
			if last != nil && !errors.Is(last, ErrYield) && !errors.Is(last, errInjected) {
				t.Fatalf("slice %d: %v", i, last)
			}
			time.Sleep(40 * time.Second)
		}
		if last != nil {
			t.Fatalf("not caught up: %v", last)
		}
		saves = st.saves.Load()
		st.n.Store(-1)
		rep, err := eng.Run(t.Context())
		must(t, err)
		if n > 0 && !st.failed.Load() {
			return
		}
		want := sourceState(t, src, time.Time{})
		want.Candidates = slices.DeleteFunc(want.Candidates, func(id string) bool {
			return id == candID(7) || id == "CN03" || id == "CBADOLD" || id == "CBADNEW"
		})
		if d := cmp.Diff(want, fakeState(e.cust)); d != "" {
			t.Errorf("LinkedIn differs (-source +linkedin):\n%s", d)
		}
		noJobCreatedTwice(t, e.cust)
		// Last versions.
		names := map[string]string{}
		for c, err := range src.Candidates(t.Context(), Cursor{}) {
			must(t, err)
			names[c.Record.Key.CandidateID] = c.Record.FirstName
		}
		for _, c := range e.cust.Candidates() {
			if f, _ := c.Fields["firstName"].(string); f != names[c.ID] {
				t.Errorf("candidate %s: %q on LinkedIn, %q in the ATS", c.ID, f, names[c.ID])
			}
		}
		for _, x := range rep.Reconciliation {
			if x.Missing != 0 || x.Acknowledged+x.DeadLettered+x.Ineligible != x.ATSTotal {
				t.Errorf("%+v", x)
			}
		}
		cp, err := st.Load(t.Context(), "c1")
		must(t, err)
		for _, p := range Phases() {
			pc := cp.Phases[p]
			if !pc.Completed || pc.Fresh != nil {
				t.Errorf("%s: completed %v, lane %v, Done %d of %d", p, pc.Completed, pc.Fresh != nil, pc.Done, pc.Total)
			}
		}
	})
	return saves
}

// A crash at any checkpoint save of a pass with fresh lanes (a failed save,
// or the process stopping right after one) loses nothing, sends no job
// CREATE twice and leaves no count wrong once the pass resumes and ends.
// By default it crashes at each of the first twelve saves, where the lanes
// open and the first job tasks are in flight, and at every tenth after;
// RSCGO_CHAOS_LONG=1 crashes at every save.
func TestCrashAtAnySaveWithLanes(t *testing.T) {
	t.Parallel()
	every := os.Getenv("RSCGO_CHAOS_LONG") == "1"
	for _, cancel := range []bool{false, true} {
		t.Run(fmt.Sprint("cancel=", cancel), func(t *testing.T) {
			t.Parallel()
			var total int64
			t.Run("baseline", func(t *testing.T) { total = crashScenario(t, 0, cancel) })
			for n := int64(1); n <= total; n++ {
				if !every && n > 12 && n%10 != 0 {
					continue
				}
				t.Run(fmt.Sprint(n), func(t *testing.T) {
					t.Parallel()
					crashScenario(t, n, cancel)
				})
			}
		})
	}
}
