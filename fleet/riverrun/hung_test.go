package riverrun_test

import (
	"context"
	"iter"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/rscgo/rscgo/fleet/lease"
	"github.com/rscgo/rscgo/fleet/riverrun"
	rscsync "github.com/rscgo/rscgo/sync"
)

// hungSource is a Source whose candidate stream blocks until its context
// ends, as over an ATS database that stopped answering, and then yields
// the context's error, as a database driver does.
type hungSource struct {
	rscsync.Source
	blocked func() // called as the stream blocks
}

// Candidates implements rscsync.Source.
func (s hungSource) Candidates(ctx context.Context, _ rscsync.Cursor) iter.Seq2[rscsync.Candidate, error] {
	return func(yield func(rscsync.Candidate, error) bool) {
		s.blocked()
		<-ctx.Done()
		yield(rscsync.Candidate{}, ctx.Err())
	}
}

// retryLater is River's retry policy for a test that looks at a failed
// job waiting for its retry: an hour later.
type retryLater struct{}

func (retryLater) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(time.Hour) }

// TestHungSourceBounded: a slice whose Source blocks until its context
// ends (a hung ATS database) does not hold its worker and its customer's
// lease for ever. River's JobTimeout, which riverrun leaves to the River
// client (one minute by default), ends its context; so does its lease's
// watchdog, once a twentieth of the TTL is left (the fake clock jumps as
// the source blocks), even with an infinite JobTimeout. Either way the
// attempt fails saying why, the lease is released at once rather than
// left to expire, River schedules the slice's retry, and nothing reached
// LinkedIn.
func TestHungSourceBounded(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		timeout time.Duration // River's JobTimeout (-1: none)
		jump    time.Duration // of the fake clock as the source blocks
		says    string        // in the failed attempt's error
	}{
		{name: "River's JobTimeout", timeout: 300 * time.Millisecond, says: "context deadline exceeded"},
		{name: "the lease's end", timeout: -1, jump: 58 * time.Minute, says: "ran out before a batch was committed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var f *fleet
			f = newFleet(t, spec{candidates: 3,
				source: func(src rscsync.Source) rscsync.Source {
					return hungSource{Source: src, blocked: func() { f.clock.Advance(tc.jump) }}
				},
				river: func(c *river.Config) { c.JobTimeout, c.RetryPolicy = tc.timeout, retryLater{} },
			})
			events := f.subscribe(t)
			if err := riverrun.Enqueue(t.Context(), f.river, "c1"); err != nil {
				t.Fatal(err)
			}
			ev := receive(t, events, "the hung slice did not end")
			recs, err := lease.List(t.Context(), f.db, []string{"c1"})
			if err != nil || len(recs) != 1 {
				t.Fatalf("the lease of c1: %+v, %v", recs, err)
			}
			type outcome struct {
				Event   river.EventKind
				State   rivertype.JobState
				Attempt int
				Says    bool   // the attempt's error says why
				Holder  string // of the lease, "" once released
				Held    int    // candidates LinkedIn holds
			}
			got := outcome{Event: ev.Kind, State: ev.Job.State, Attempt: ev.Job.Attempt,
				Says:   len(ev.Job.Errors) == 1 && strings.Contains(ev.Job.Errors[0].Error, tc.says),
				Holder: recs[0].Holder, Held: len(f.cust.Candidates())}
			want := outcome{Event: river.EventKindJobFailed, State: rivertype.JobStateRetryable, Attempt: 1, Says: true}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("after the hung slice (-want +got):\n%s\nerrors: %+v", d, ev.Job.Errors)
			}
		})
	}
}

// TestSlowSliceYieldsBeforeJobTimeout: a slice that makes progress but is
// slow (a slow LinkedIn: each candidate batch takes 200 ms to answer)
// yields once a quarter of River's JobTimeout is left: its batches are
// committed, the attempt completes and the customer's next slice is
// enqueued at once, instead of the attempt failing at the timeout and the
// customer waiting for River's backoff (here an hour). Real time, as
// River's JobTimeout is: a JobTimeout of 2 s.
func TestSlowSliceYieldsBeforeJobTimeout(t *testing.T) {
	t.Parallel()
	f := newFleet(t, spec{candidates: 1000, sliceBatches: 10,
		afterBatch: func(r *http.Request) error {
			select {
			case <-time.After(200 * time.Millisecond):
			case <-r.Context().Done():
			}
			return nil
		},
		river: func(c *river.Config) { c.JobTimeout, c.RetryPolicy = 2*time.Second, retryLater{} },
	})
	events := f.subscribe(t)
	if err := riverrun.Enqueue(t.Context(), f.river, "c1"); err != nil {
		t.Fatal(err)
	}
	ev := receive(t, events, "the slow slice did not end")
	cp, err := f.db.Checkpoints().Load(t.Context(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		Event     river.EventKind
		State     rivertype.JobState
		Committed bool // candidates committed by the slice
	}
	got := outcome{Event: ev.Kind, State: ev.Job.State, Committed: cp != nil && cp.Phases[rscsync.PhaseCandidates].Done > 0}
	want := outcome{Event: river.EventKindJobCompleted, State: rivertype.JobStateCompleted, Committed: true}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("after the slow slice (-want +got):\n%s\nerrors: %+v", d, ev.Job.Errors)
	}
}
