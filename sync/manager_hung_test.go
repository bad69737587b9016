package sync

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// hung is a Source whose candidate stream blocks until its context ends,
// as over an ATS database that stopped answering, and then yields the
// context's error, as a database driver does.
type hung struct{ *SliceSource }

func (hung) Candidates(ctx context.Context, _ Cursor) iter.Seq2[Candidate, error] {
	return func(yield func(Candidate, error) bool) {
		<-ctx.Done()
		yield(Candidate{}, ctx.Err())
	}
}

// A customer whose Source hangs does not hold the Manager's only worker
// for ever: its slices are cut at the slice timeout, it fails with
// ErrSliceTimeout and is given up on after the failure budget, while the
// other customer's sync completes.
func TestManagerCutsHungSlice(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now().Add(-time.Hour), 24*time.Hour, 0, 300, 0, 0)
		m, err := NewManager(WithWorkers(1), WithSliceBatches(1), WithSliceTimeout(time.Minute))
		must(t, err)
		must(t, m.Add(e.engine(t, hung{g.materialize()})))
		good, err := NewEngine(e.client, "good", g.materialize(), WithTaskPollInterval(time.Second))
		must(t, err)
		must(t, m.Add(good))
		start := time.Now()
		res, err := m.Run(t.Context())
		must(t, err)
		if bad := res["c1"]; bad == nil || !errors.Is(bad.Err, ErrSliceTimeout) || !errors.Is(bad.Err, context.DeadlineExceeded) {
			t.Errorf("the hung customer's result: %+v, want an error matching ErrSliceTimeout", bad)
		}
		if r := res["good"]; r == nil || r.Err != nil || r.Report.Phases[PhaseCandidates].Sent != 300 {
			t.Errorf("the other customer's result: %+v, want its 300 candidates sent", r)
		}
		// Five cut slices a minute each, and the backoffs between them
		// (1+2+4+8 minutes).
		if got, want := time.Since(start), 20*time.Minute; got != want {
			t.Errorf("Run took %v, want %v (five cut slices and four backoffs)", got, want)
		}
	})
}

// A slice cut at the slice timeout after it committed a batch keeps what
// it committed and yields: its customer runs again in turn, not counted
// as a failure, and its sync completes.
func TestManagerSliceTimeoutAfterProgress(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now().Add(-time.Hour), 24*time.Hour, 0, 300, 0, 0)
		src := &stallAfter{SliceSource: g.materialize(), n: 100} // the first slice commits a batch and is cut, the next goes on
		m, err := NewManager(WithWorkers(1), WithSliceBatches(100), WithSliceTimeout(time.Minute))
		must(t, err)
		must(t, m.Add(e.engine(t, src)))
		res, err := m.Run(t.Context())
		must(t, err)
		if r := res["c1"]; r == nil || r.Err != nil || r.Report.Phases[PhaseCandidates].Sent != 300 {
			t.Errorf("result %+v, want its 300 candidates sent", r)
		}
		if src.cut == 0 {
			t.Error("no slice was cut: the test proves nothing")
		}
	})
}

// WithSliceTimeout is a Manager's option and refuses a negative bound.
func TestWithSliceTimeoutRefusals(t *testing.T) {
	t.Parallel()
	client := newEnv(t, envOpt{}).client
	for _, tc := range []struct {
		name string
		new  func() error
		want string
	}{
		{"negative", func() error { _, err := NewManager(WithSliceTimeout(-time.Second)); return err },
			"sync: WithSliceTimeout: negative timeout"},
		{"on an engine", func() error {
			_, err := NewEngine(client, "c1", NewSliceSource(), WithSliceTimeout(time.Minute))
			return err
		},
			"sync: NewEngine: WithSliceTimeout configures a Manager"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.new(); err == nil || err.Error() != tc.want {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// stallAfter is a Source whose candidate stream yields its first n
// records, then, the first time it gets there, closes stalled (when set),
// blocks until its context ends and yields that error (an ATS database
// that stopped answering mid-slice); cut is 1 once it has stalled.
type stallAfter struct {
	*SliceSource
	n       int
	stalled chan struct{}
	cut     int
}

func (s *stallAfter) Candidates(ctx context.Context, after Cursor) iter.Seq2[Candidate, error] {
	return func(yield func(Candidate, error) bool) {
		i := 0
		for c, err := range s.SliceSource.Candidates(ctx, after) {
			if i == s.n && s.cut == 0 {
				s.cut++
				if s.stalled != nil {
					close(s.stalled)
				}
				<-ctx.Done()
				yield(Candidate{}, ctx.Err())
				return
			}
			i++
			if !yield(c, err) {
				return
			}
		}
	}
}

// cancelClock is a clock whose Now, once armed, cancels a context: the
// operator's shutdown arriving while the Manager's loop handles the end
// of a slice, about to hand out the next.
type cancelClock struct {
	rsc.Clock
	armed  atomic.Bool
	cancel context.CancelFunc
}

func (c *cancelClock) Now() time.Time {
	if c.armed.Load() {
		c.cancel()
	}
	return c.Clock.Now()
}

// When Manager.Run's context ends, the results it returns hold the report
// and the error of every slice that was running then, whichever point of
// its loop the Manager was at: here customer B has committed a batch and
// stalls, and the context ends as the loop hands out customer E's next
// slice (repeated, as the loop's select picks at random when both the
// hand-out and the context's end are ready).
func TestManagerCancelKeepsRunningSlices(t *testing.T) {
	t.Parallel()
	for i := range 16 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, envOpt{client: []rsc.Option{rsc.WithLimits(rsc.Limits{Disabled: true})}})
				ctx, cancel := context.WithCancel(t.Context())
				clk := &cancelClock{Clock: rsc.SystemClock(), cancel: cancel}
				m, err := NewManager(WithWorkers(2), WithSliceBatches(2), WithClock(clk))
				must(t, err)
				stalled := make(chan struct{})
				g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 600, 0, 0)
				must(t, m.Add(e.engine(t, &stallAfter{SliceSource: g.materialize(), n: 250, stalled: stalled}, WithInFlight(1)))) // "c1": commits a batch, then stalls
				other, err := NewEngine(e.client, "E", g.materialize(), WithInFlight(1))
				must(t, err)
				must(t, m.Add(other)) // slices of 2 batches, work left
				go func() { <-stalled; clk.armed.Store(true) }()
				res, err := m.Run(ctx)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("Run: %v, want context.Canceled", err)
				}
				b := res["c1"]
				if b == nil || b.Err == nil || b.Report == nil || b.Report.Phases[PhaseCandidates] == nil || b.Report.Phases[PhaseCandidates].Batches == 0 {
					t.Errorf("the stalled customer's result: %+v, want its error and a report of its committed batch", b)
				}
			})
		})
	}
}

// cancelOnRead is a Source whose candidate stream ends the Manager's
// context and yields its error: the operator's shutdown arriving while
// the customer's only slice runs.
type cancelOnRead struct {
	*SliceSource
	cancel context.CancelFunc
}

func (s cancelOnRead) Candidates(ctx context.Context, _ Cursor) iter.Seq2[Candidate, error] {
	return func(yield func(Candidate, error) bool) {
		s.cancel()
		yield(Candidate{}, context.Cause(ctx))
	}
}

// A slice cut by the end of Run's context leaves its customer's work
// undone, so Run reports the context's error, also when that slice was
// the last one running (the loop may see the slice end before the
// context's; repeated, as its select picks at random).
func TestManagerCancelledLastSliceIsNotDone(t *testing.T) {
	t.Parallel()
	for i := range 32 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, envOpt{})
				ctx, cancel := context.WithCancel(t.Context())
				m, err := NewManager(WithWorkers(1))
				must(t, err)
				must(t, m.Add(e.engine(t, cancelOnRead{NewSliceSource(), cancel})))
				res, err := m.Run(ctx)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("Run: %v, want context.Canceled", err)
				}
				if r := res["c1"]; r == nil || !errors.Is(r.Err, context.Canceled) {
					t.Errorf("c1's result: %+v, want its slice's context.Canceled", r)
				}
			})
		})
	}
}
