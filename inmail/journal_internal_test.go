package inmail

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// shiftClock is the machine's clock moved by a shift that can be set: a
// clock that runs ahead and is set back.
type shiftClock struct {
	mu    sync.Mutex
	shift time.Duration
}

func (c *shiftClock) set(d time.Duration) { c.mu.Lock(); c.shift = d; c.mu.Unlock() }

func (c *shiftClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.shift)
}

func (c *shiftClock) Sleep(ctx context.Context, d time.Duration) error {
	return rsc.SystemClock().Sleep(ctx, d)
}

// An attempt of a journaled export started while the machine's clock ran
// a year ahead, by a process that stopped during it, leaves a claim a
// year ahead. Once the clock is set back the claim cannot be honoured (no
// attempt lasts longer than MaxExportAttempt), so the export is retried,
// by RunOnce and by LinkedIn's redelivery. Before, both left it to the
// dead attempt, InProgress, until the clock caught up a year later.
func TestExportClaimAheadOfTheClock(t *testing.T) {
	for _, by := range []string{"push", "RunOnce"} {
		t.Run(by, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				clk := &shiftClock{shift: 365 * 24 * time.Hour}
				store := NewMemoryCursors()
				e := newEnv(t, WithClock(clk), WithCursorStore(store))
				ctx := t.Context()
				e.fake.exports["r1"] = []rsc.ExportedCandidate{exportOf("r1", ann, "J1", time.Now())}
				if err := e.r.AcceptExport(ctx, "r1"); err != nil {
					t.Fatal(err)
				}
				if _, err := e.r.beginAttempt(ctx, "r1", clk.Now().Add(MaxExportAttempt)); err != nil { // and the process stops
					t.Fatal(err)
				}
				clk.set(0)
				time.Sleep(time.Hour)
				restarted := newEnv(t, WithClock(clk), WithCursorStore(store))
				restarted.fake.exports = e.fake.exports
				if by == "push" { // LinkedIn redelivers
					res, err := restarted.r.HandleExport(ctx, "r1")
					if err != nil || res.InProgress || len(res.Items) != 1 {
						t.Errorf("HandleExport = %+v, %v; want the export handled", res, err)
					}
				} else {
					rep, err := restarted.r.RunOnce(ctx)
					if err != nil || rep.Exports.Completed != 1 {
						t.Errorf("RunOnce = %+v, %v; want the export completed", rep.Exports, err)
					}
				}
				if n := len(restarted.sink.Candidates()); n != 1 {
					t.Errorf("%d candidates, want 1", n)
				}
			})
		})
	}
}
