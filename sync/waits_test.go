package sync

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rscgo/rscgo/rsc/rsctest"
)

// While the engine waits for job tasks or for the daily quota to reset, it
// says so in progress events: what it waits for and until when.
func TestWaitsAreAnnounced(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, envOpt{server: []rsctest.Option{rsctest.WithJobTaskLatency(2),
			rsctest.WithLimits(rsctest.Limits{SyncRequestsPerDay: 3})}})
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 5, 600, 0, 0)
		type wait struct {
			what  string
			after time.Duration // WaitUntil minus the event's time
		}
		var waits []wait
		eng := e.engine(t, g, WithTaskPollInterval(10*time.Second), WithInFlight(1), WithProgress(func(p Progress) {
			if p.Kind == ProgressWaiting {
				waits = append(waits, wait{p.Waiting, time.Until(p.WaitUntil)})
			}
		}))
		if _, err := eng.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		var tasks, daily int
		for _, w := range waits {
			switch {
			case strings.Contains(w.what, "job task") && w.after == 10*time.Second:
				tasks++
			case strings.Contains(w.what, "daily quota") && w.after > 0 && w.after <= 24*time.Hour:
				daily++
			default:
				t.Errorf("unexpected wait %+v", w)
			}
		}
		if tasks == 0 || daily == 0 {
			t.Errorf("waits %+v: want job-task and daily-quota waits announced", waits)
		}
	})
}
