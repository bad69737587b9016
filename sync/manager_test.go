package sync

import (
	gosync "sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// One customer's large backfill does not starve another's small sync, and
// a parked customer does not block the others.
func TestManagerFairnessAndParking(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithJobTaskLatency(0),
			rsctest.WithLimits(rsctest.Limits{SyncRequestsPerDay: 40}))
		defer srv.Close()
		partner, err := rsc.NewClient(rsc.WithBaseURL(srv.URL()), rsc.WithTokenURL(srv.TokenURL()),
			rsc.WithTransport(srv.Transport()), rsc.WithCredentials(srv.PartnerCredentials()))
		must(t, err)
		m, err := NewManager(WithWorkers(1), WithSliceBatches(2))
		must(t, err)
		var mu gosync.Mutex
		var finished []string
		sizes := map[string]int{"big": 5000, "small": 300, "parked": 6000}
		custs := map[string]*rsctest.Customer{}
		for _, name := range []string{"big", "small", "parked"} {
			cu := srv.AddCustomer(rsctest.CustomerSpec{})
			custs[name] = cu
			client, err := partner.ForCustomer(cu.ClientID, cu.ClientSecret)
			must(t, err)
			g := newGen(cu.Organization, time.Now(), 24*time.Hour, 0, sizes[name], 0, 0)
			eng, err := NewEngine(client, name, g, WithProgress(func(p Progress) {
				if p.Phase == PhaseDeletions && p.Completed {
					mu.Lock()
					finished = append(finished, name)
					mu.Unlock()
				}
			}))
			must(t, err)
			must(t, m.Add(eng))
		}
		start := time.Now()
		res, err := m.Run(t.Context())
		must(t, err)
		for name, r := range res {
			if r.Err != nil || !r.Report.CaughtUp {
				t.Errorf("%s: %v", name, r.Err)
			}
			if n := len(custs[name].Candidates()); n != sizes[name] {
				t.Errorf("%s: %d candidates", name, n)
			}
		}
		if len(finished) < 1 || finished[0] != "small" {
			t.Fatalf("finish order %v: small should finish first", finished)
		}
		if d := time.Since(start); d < 24*time.Hour {
			t.Fatalf("parked customer finished in %v: the daily quota was not enforced", d)
		}
	})
}
