package sync

import (
	"context"
	"errors"
	"iter"
	"testing"
	"testing/synctest"
	"time"
)

// panicky is a Source whose Candidates stream panics (a bug in one
// customer's adapter: a nil row, an index out of range).
type panicky struct{ *SliceSource }

func (p panicky) Candidates(context.Context, Cursor) iter.Seq2[Candidate, error] {
	return func(func(Candidate, error) bool) { panic("adapter bug: nil row") }
}

// One customer's panicking Source does not take the Manager, and the
// other customers, down with it: the panic is that customer's failure, a
// *PanicError, given up on after the failure budget, while the other
// customer's sync completes.
func TestManagerSurvivesSourcePanic(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now().Add(-time.Hour), 24*time.Hour, 0, 300, 0, 0)
		m, err := NewManager(WithWorkers(2), WithSliceBatches(1))
		must(t, err)
		must(t, m.Add(e.engine(t, panicky{g.materialize()})))
		good, err := NewEngine(e.client, "good", g.materialize(), WithTaskPollInterval(time.Second))
		must(t, err)
		must(t, m.Add(good))
		res, err := m.Run(t.Context())
		must(t, err)
		var pe *PanicError
		if bad := res["c1"]; bad == nil || !errors.As(bad.Err, &pe) || pe.Value != "adapter bug: nil row" || pe.CustomerID != "c1" || len(pe.Stack) == 0 {
			t.Errorf("the panicking customer's result: %+v, want a *PanicError with its value and stack", bad)
		}
		if r := res["good"]; r == nil || r.Err != nil || r.Report.Phases[PhaseCandidates].Sent != 300 {
			t.Errorf("the other customer's result: %+v, want its 300 candidates sent", r)
		}
	})
}

// latePanicky is a Source whose Candidates stream panics after n
// candidates, once batches are in flight; with once set, the first time
// only.
type latePanicky struct {
	*SliceSource
	n    int
	once *bool
}

func (p latePanicky) Candidates(ctx context.Context, since Cursor) iter.Seq2[Candidate, error] {
	return func(yield func(Candidate, error) bool) {
		i := 0
		for c, err := range p.SliceSource.Candidates(ctx, since) {
			if i == p.n && (p.once == nil || !*p.once) {
				if p.once != nil {
					*p.once = true
				}
				panic("adapter bug after some batches")
			}
			i++
			if !yield(c, err) {
				return
			}
		}
	}
}

// A Source panicking mid-phase, recovered as the Manager does, leaves no
// sender goroutine of the phase behind: the bubble would report it blocked
// for good.
func TestSourcePanicLeavesNoSender(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 450, 0, 0)
		eng := e.engine(t, latePanicky{SliceSource: g.materialize(), n: 350}, WithInFlight(3))
		_, err := runSlice(t.Context(), eng, "c1", 0)
		if _, ok := errors.AsType[*PanicError](err); !ok {
			t.Fatalf("runSlice: %v, want a *PanicError", err)
		}
	})
}

// A slice that ends in a recovered panic returns only once its batches in
// flight are answered: the next slice, which sends a newer version of one
// of their records, cannot be overtaken by the old request, whose version
// LinkedIn would keep behind the watermark.
func TestSourcePanicWaitsForBatchesInFlight(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, slowBatchOf(candID(1), 50*time.Second))
		g := newGen(e.cust.Organization, time.Now().Add(-2*time.Hour), time.Hour, 0, 200, 0, 0)
		src := g.materialize()
		var panicked bool
		eng := e.engine(t, latePanicky{SliceSource: src, n: 150, once: &panicked}, WithInFlight(2), WithFreshLane(0))
		_, err := runSlice(t.Context(), eng, "c1", 0)
		if _, ok := errors.AsType[*PanicError](err); !ok {
			t.Fatalf("slice 1: %v, want a *PanicError", err)
		}
		changed := g.cand(0)
		changed.Record.LastName = "Changed"
		changed.ModifiedAt = time.Now().Add(-time.Minute).Truncate(time.Millisecond)
		src.PutCandidates(changed)
		_, err = runSlice(t.Context(), eng, "c1", 0)
		must(t, err)
		time.Sleep(time.Minute) // a request of slice 1 still under way would land by now
		for _, c := range e.cust.Candidates() {
			if c.ID == candID(0) && c.Fields["lastName"] != "Changed" {
				t.Errorf("LinkedIn holds %s with lastName %v, want the ATS's %q", c.ID, c.Fields["lastName"], "Changed")
			}
		}
	})
}
