package rsc

import (
	"testing"
	"time"
)

// ReadyAt says when the next records could go without waiting in the
// records-per-minute pacing, and neither waits nor charges.
func TestReadyAt(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	type ask struct {
		b    Bucket
		n    int
		want time.Duration // after t0
	}
	for _, tc := range []struct {
		name    string
		limits  Limits
		batches int           // batches of 100 candidates acquired first
		advance time.Duration // then the clock moves this much
		asks    []ask
	}{
		{"nothing sent yet", Limits{SyncRecordsPerMinute: 6000}, 0, 0,
			[]ask{{BucketSync, 100, 0}, {BucketSync, 250, 1500 * time.Millisecond}, {BucketJobs, 250, 0}}},
		{"one batch sent: the bucket refills", Limits{SyncRecordsPerMinute: 6000}, 1, 0,
			[]ask{{BucketSync, 100, time.Second}, {BucketSync, 50, 500 * time.Millisecond},
				{BucketSync, 300, 3 * time.Second}, {BucketSync, 0, 0}, {BucketJobs, 100, 0}}},
		{"the calendar minute is full", Limits{SyncRecordsPerMinute: 6000}, 60, 59500 * time.Millisecond,
			[]ask{{BucketSync, 50, time.Minute}}},
		{"disabled", Limits{SyncRecordsPerMinute: 6000, Disabled: true}, 1, 0,
			[]ask{{BucketSync, 100, 0}}},
		{"unlimited", Limits{SyncRecordsPerMinute: -1}, 1, 0,
			[]ask{{BucketSync, 100, 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := &fakeClock{now: t0}
			p := newPacer(tc.limits, clk)
			for range tc.batches {
				if err := p.acquire(t.Context(), resCandidates, 100, &Hooks{}); err != nil {
					t.Fatal(err)
				}
			}
			clk.now = t0.Add(tc.advance)
			for _, a := range tc.asks {
				if got := p.readyAt(a.b, a.n).Sub(t0); got != a.want {
					t.Errorf("readyAt(%s, %d) = t0+%v, want t0+%v", a.b, a.n, got, a.want)
				}
			}
			if clk.now != t0.Add(tc.advance) {
				t.Errorf("readyAt moved the clock to %v", clk.now)
			}
		})
	}
}
