package sync

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// sliceEnd is how one RunSlice ended, its times from the test's start.
type sliceEnd struct {
	At       time.Duration // when it returned
	Batches  int64         // of the phase watched
	Until    time.Duration // the YieldError's Until; 0 when it returned nil
	Waiting  string
	CaughtUp bool
}

// runSlices runs slices of eng until one returns nil, each after the
// time the one before said, and returns how each ended.
func runSlices(t *testing.T, eng *Engine, p Phase, start time.Time) []sliceEnd {
	t.Helper()
	var out []sliceEnd
	for range 10 {
		rep, err := eng.RunSlice(t.Context(), 10)
		end := sliceEnd{At: time.Since(start), Batches: rep.Phases[p].Batches, CaughtUp: rep.CaughtUp}
		var ye *YieldError
		switch {
		case err == nil:
			return append(out, end)
		case !errors.As(err, &ye) || ye.CustomerID != "c1":
			t.Fatalf("RunSlice: %v, want nil or a *YieldError", err)
		}
		end.Until, end.Waiting = ye.Until.Sub(start), ye.Waiting
		out = append(out, end)
		time.Sleep(time.Until(ye.Until))
	}
	t.Fatalf("no slice caught up: %+v", out)
	return nil
}

// A slice that would wait for job tasks LinkedIn has not finished ends
// instead, with a *YieldError until the next poll, its jobs' tasks saved;
// the slice run then polls again and goes on.
func TestRunSliceYieldsForJobTasks(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) { // the fake's tasks are IN_PROGRESS at their first poll
		start := time.Now()
		eng := e.engine(t, newGen(e.cust.Organization, start, 24*time.Hour, 3, 0, 0, 0), WithTaskPollInterval(5*time.Minute))
		got := runSlices(t, eng, PhaseJobs, start)
		want := []sliceEnd{
			{Batches: 1, Until: 5 * time.Minute, Waiting: "3 job task(s) LinkedIn has not finished"},
			{At: 5 * time.Minute, CaughtUp: true},
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("slices (-want +got):\n%s", d)
		}
		if s := fakeState(e.cust); len(s.Jobs) != 3 {
			t.Errorf("LinkedIn holds jobs %v, want 3", s.Jobs)
		}
	})
}

// A per-minute 429 that the client's retries (none here) did not outlast
// ends the slice until LinkedIn's Retry-After, rather than waiting in it;
// the refused batch is sent again by the next slice.
func TestRunSliceYieldsToPerMinuteThrottle(t *testing.T) {
	throttled := envOpt{server: []rsctest.Option{rsctest.WithLimits(rsctest.Limits{SyncRecordsPerMinute: 100})},
		client: []rsc.Option{rsc.WithLimits(rsc.Limits{Disabled: true}), rsc.WithRetryPolicy(rsc.RetryPolicy{MaxAttempts: 1})}}
	inBubbleWith(t, throttled, func(t *testing.T, e *env) {
		start := time.Now()
		eng := e.engine(t, newGen(e.cust.Organization, start, 24*time.Hour, 0, 250, 0, 0), WithInFlight(1))
		got := runSlices(t, eng, PhaseCandidates, start)
		throttle := "LinkedIn's per-minute throttle"
		want := []sliceEnd{
			{Batches: 1, Until: time.Minute, Waiting: throttle},
			{At: time.Minute, Batches: 1, Until: 2 * time.Minute, Waiting: throttle},
			{At: 2 * time.Minute, Batches: 1, CaughtUp: true},
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("slices (-want +got):\n%s", d)
		}
		if n := len(e.cust.Candidates()); n != 250 {
			t.Errorf("LinkedIn holds %d candidates, want 250", n)
		}
	})
}

// A per-minute 429 of a job batch ends the slice too: the batch was
// refused, not applied, so it is not resent at once as if its CREATEs might
// have reached LinkedIn (which would wait in the throttle again); the next
// slices create every job once.
func TestRunSliceYieldsToThrottledJobs(t *testing.T) {
	inBubbleWith(t, throttledOnce("simpleJobPostings"), func(t *testing.T, e *env) {
		start := time.Now()
		eng := e.engine(t, newGen(e.cust.Organization, start, 24*time.Hour, 3, 0, 0, 0))
		got := runSlices(t, eng, PhaseJobs, start)
		// The CREATEs were saved as intents before the refused call: the
		// next slice sends them as UPDATEs, which find no job, and creates
		// the jobs a poll interval later (as after any refusal that ends a
		// run: never create twice).
		tasks, creating := "3 job task(s) LinkedIn has not finished", "jobs LinkedIn may still be creating"
		wantSlices := []sliceEnd{
			{Until: time.Minute, Waiting: "LinkedIn's per-minute throttle"},
			{At: time.Minute, Batches: 1, Until: time.Minute + time.Second, Waiting: tasks},
			{At: time.Minute + time.Second, Until: time.Minute + 2*time.Second, Waiting: creating},
			{At: time.Minute + 2*time.Second, Until: time.Minute + 3*time.Second, Waiting: tasks},
			{At: time.Minute + 3*time.Second, Until: time.Minute + 4*time.Second, Waiting: tasks},
			{At: time.Minute + 4*time.Second, CaughtUp: true},
		}
		if d := cmp.Diff(wantSlices, got); d != "" {
			t.Errorf("slices (-want +got):\n%s", d)
		}
		want := []string{jobID(0) + ":LISTED", jobID(1) + ":LISTED", jobID(2) + ":LISTED"}
		if d := cmp.Diff(want, fakeState(e.cust).Jobs); d != "" {
			t.Errorf("LinkedIn's jobs (-want +got):\n%s", d)
		}
	})
}
