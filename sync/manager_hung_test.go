package sync

import (
	"context"
	"errors"
	"iter"
	"testing"
	"time"
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
		src := &slowAfterFirst{SliceSource: g.materialize()}
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

// slowAfterFirst is a Source whose candidate stream, read from its start,
// stalls after its first hundred rows until its context ends (once per
// cursor): the first slice commits a batch and is cut, the next goes on.
type slowAfterFirst struct {
	*SliceSource
	cut int
}

func (s *slowAfterFirst) Candidates(ctx context.Context, after Cursor) iter.Seq2[Candidate, error] {
	return func(yield func(Candidate, error) bool) {
		n := 0
		for c, err := range s.SliceSource.Candidates(ctx, after) {
			if n == 100 && s.cut == 0 {
				s.cut++
				<-ctx.Done()
				yield(Candidate{}, ctx.Err())
				return
			}
			n++
			if !yield(c, err) {
				return
			}
		}
	}
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
