package rsc

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A context from WithPacingNotice hears of every wait of the per-minute
// pacing before it starts: the resource, the records, how long and until
// when; a call that does not wait is not reported.
func TestPacingNotice(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(Limits{SyncRecordsPerMinute: 200}, SystemClock())
		res := &resource{bucket: BucketSync, quota: "atsCandidates"}
		start := time.Now()
		var got []PacingWait
		ctx := WithPacingNotice(context.Background(), func(w PacingWait) { got = append(got, w) })
		for range 3 {
			if err := p.acquire(ctx, res, MaxBatchSize, &Hooks{}); err != nil {
				t.Fatal(err)
			}
		}
		w := PacingWait{Bucket: BucketSync, Counter: "atsCandidates", Records: MaxBatchSize, Wait: 30 * time.Second}
		w1, w2 := w, w
		w1.Until, w2.Until = start.Add(30*time.Second), start.Add(time.Minute)
		if d := cmp.Diff([]PacingWait{w1, w2}, got); d != "" {
			t.Errorf("waits (-want +got):\n%s", d)
		}
		if got := time.Since(start); got != time.Minute {
			t.Errorf("waited %s, want 1m", got)
		}
	})
}
