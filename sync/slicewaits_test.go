package sync

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// A per-minute 429 (the client's retries outlasted) ends a slice with a
// *YieldError until the throttle passes, on a batch and on the poll of job
// tasks alike, rather than failing it (the Manager would count a failure,
// riverrun spend an attempt). The slice's report adds up: it does not count
// as read the records of the batches it did not commit (left for the next
// slice).
func TestSlice429Yields(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		route       string
		jobs, cands int
	}{
		{route: "atsCandidates", cands: 250},
		{route: "simpleJobPostingTasks", jobs: 3},
	} {
		t.Run(tc.route, func(t *testing.T) {
			inBubbleWith(t, throttledOnce(tc.route), func(t *testing.T, e *env) {
				eng := e.engine(t, newGen(e.cust.Organization, time.Now(), 24*time.Hour, tc.jobs, tc.cands, 0, 0))
				rep, err := eng.RunSlice(t.Context(), 10)
				var ye *YieldError
				if !errors.As(err, &ye) {
					t.Fatalf("RunSlice: %v, want a *YieldError (LinkedIn's per-minute throttle)", err)
				}
				for _, ph := range allPhases {
					if p := rep.Phases[ph]; p.Read != p.Sent+p.Skipped {
						t.Errorf("%v: read %d, sent %d, skipped %d; want Read = Sent + Skipped", ph, p.Read, p.Sent, p.Skipped)
					}
				}
			})
		})
	}
}

// In a Run, a task poll's per-minute 429 is waited out, as a batch's is.
func TestTaskPoll429Run(t *testing.T) {
	inBubbleWith(t, throttledOnce("simpleJobPostingTasks"), func(t *testing.T, e *env) {
		eng := e.engine(t, newGen(e.cust.Organization, time.Now(), 24*time.Hour, 3, 0, 0, 0))
		if _, err := eng.Run(t.Context()); err != nil {
			t.Fatalf("Run: %v, want the 429 waited out as for a batch", err)
		}
	})
}

// A job task whose read LinkedIn keeps failing (5xx) counts as lost after
// maxTaskReadFailures polls in a row, and after maxLostTasks losses the
// job is dead-lettered, in a Run and in slices alike: the count of failed
// reads is kept in the checkpoint (PendingTask.Unread), as a slice polls
// once and yields.
func TestUnreadableTaskInSlices(t *testing.T) {
	for _, sliced := range []bool{false, true} {
		t.Run(map[bool]string{false: "Run", true: "slices"}[sliced], func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				var ops jobOps
				e := ops.env(t, func(r *http.Request, resp *http.Response, _ bool) (*http.Response, error) {
					if !strings.Contains(r.URL.Path, "simpleJobPostingTasks") {
						return resp, nil
					}
					return taskAnswer(resp, 503) // LinkedIn fails to read every task, for good
				})
				g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 10, 0, 0, 0)
				eng := e.engine(t, g)
				if !sliced {
					eng.Run(t.Context()) // ends once the jobs are dead-lettered
				} else {
					var last string
					for n := 0; ; n++ {
						if n == 300 {
							t.Fatalf("300 slices, none caught up; the last waited for %q", last)
						}
						_, err := eng.RunSlice(t.Context(), 10)
						var y *YieldError
						if errors.As(err, &y) {
							last = y.Waiting
							time.Sleep(time.Until(y.Until) + time.Millisecond)
							continue
						}
						if err == nil || !errors.Is(err, ErrYield) {
							break
						}
					}
				}
				if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) != 10 {
					t.Fatalf("%d dead letters, want the 10 jobs whose tasks LinkedIn lost", len(dl))
				}
			})
		})
	}
}

// A slice's report adds up: the records it read but left for the next
// slice (its budget spent) are not counted as read.
func TestSliceCountsAddUp(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		eng := e.engine(t, newGen(e.cust.Organization, time.Now(), 24*time.Hour, 0, 250, 0, 0))
		rep, err := eng.RunSlice(t.Context(), 1)
		if !errors.Is(err, ErrYield) {
			t.Fatalf("RunSlice: %v, want ErrYield (the budget spent)", err)
		}
		p := rep.Phases[PhaseCandidates]
		if p.Read != 100 || p.Read != p.Sent+p.Skipped {
			t.Errorf("candidates: read %d, sent %d, skipped %d; want 100 read, all sent", p.Read, p.Sent, p.Skipped)
		}
	})
}
