package sync

import (
	"errors"
	"fmt"
	"os"
	"slices"
	gosync "sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// quotaFleet is a Manager run of many customers against the fake, each
// paced at perMinute records a minute by its client and by the fake alike.
type quotaFleet struct {
	workers   int
	perMinute int   // SyncRecordsPerMinute of every customer
	sizes     []int // candidates of each customer
}

// fleetOutcome is what a quotaFleet run measured, in simulated time.
type fleetOutcome struct {
	finished  []time.Duration // when each customer caught up, from the start
	throttled []rsc.ThrottleInfo
	perMinute map[int64]int // records LinkedIn accepted in each minute from the start
	elapsed   time.Duration
}

// run runs the fleet; call it inside a testing/synctest bubble, whose
// clock starts at a UTC minute.
func (f quotaFleet) run(t *testing.T) fleetOutcome {
	srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithJobTaskLatency(0), rsctest.WithRequestLogLimit(-1),
		rsctest.WithLimits(rsctest.Limits{SyncRecordsPerMinute: f.perMinute}))
	defer srv.Close()
	var mu gosync.Mutex
	out := fleetOutcome{finished: make([]time.Duration, len(f.sizes)), perMinute: map[int64]int{}}
	start := time.Now()
	hooks := rsc.Hooks{
		OnThrottled: func(ti rsc.ThrottleInfo) {
			mu.Lock()
			out.throttled = append(out.throttled, ti)
			mu.Unlock()
		},
		OnResponse: func(ri rsc.ResponseInfo) {
			if ri.Bucket == rsc.BucketSync && ri.StatusCode/100 == 2 {
				mu.Lock()
				out.perMinute[int64(time.Since(start)/time.Minute)] += ri.Records
				mu.Unlock()
			}
		},
	}
	partner, err := rsc.NewClient(rsc.WithBaseURL(srv.URL()), rsc.WithTokenURL(srv.TokenURL()),
		rsc.WithTransport(srv.Transport()), rsc.WithCredentials(srv.PartnerCredentials()),
		rsc.WithLimits(rsc.Limits{SyncRecordsPerMinute: f.perMinute}), rsc.WithHooks(hooks))
	must(t, err)
	m, err := NewManager(WithWorkers(f.workers))
	must(t, err)
	custs := make([]*rsctest.Customer, len(f.sizes))
	for i, n := range f.sizes {
		custs[i] = srv.AddCustomer(rsctest.CustomerSpec{})
		client, err := partner.ForCustomer(custs[i].ClientID, custs[i].ClientSecret)
		must(t, err)
		g := newGen(custs[i].Organization, backlogEnd(), 24*time.Hour, 0, n, 0, 0)
		eng, err := NewEngine(client, fmt.Sprintf("c%03d", i), g, WithProgress(func(p Progress) {
			if p.Phase == PhaseDeletions && p.Completed {
				mu.Lock()
				out.finished[i] = time.Since(start)
				mu.Unlock()
			}
		}))
		must(t, err)
		must(t, m.Add(eng))
	}
	res, err := m.Run(t.Context())
	must(t, err)
	out.elapsed = time.Since(start)
	for i, cu := range custs {
		name := fmt.Sprintf("c%03d", i)
		if r := res[name]; r == nil || r.Err != nil || !r.Report.CaughtUp {
			t.Errorf("%s did not catch up: %+v", name, r)
		}
		if got := len(cu.Candidates()); got != f.sizes[i] {
			t.Errorf("%s: LinkedIn holds %d candidates, want %d", name, got, f.sizes[i])
		}
	}
	return out
}

// sustainedShare is the share of the customers' combined per-minute quota
// used over the whole minutes before the last one (which ends when the
// records do), and those minutes' shares.
func (o fleetOutcome) sustainedShare(f quotaFleet) (float64, []float64) {
	last := int64(o.elapsed / time.Minute)
	combined := float64(f.perMinute * len(f.sizes))
	var shares []float64
	sum := 0
	for m := range last {
		sum += o.perMinute[m]
		shares = append(shares, float64(o.perMinute[m])/combined)
	}
	if last == 0 {
		return 0, nil
	}
	return float64(sum) / (combined * float64(last)), shares
}

// A customer whose per-minute quota says "wait" gives its worker back: no
// worker ever waits in a rate limiter (the client's pacing or LinkedIn's
// 429s), and small customers queued behind quota-bound big ones finish
// before the big ones' next batch is allowed, i.e. within one slice.
func TestManagerYieldsForQuota(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := quotaFleet{workers: 4, perMinute: 200}
		for range 10 {
			f.sizes = append(f.sizes, 1000)
		}
		f.sizes = append(f.sizes, 50, 80)
		o := f.run(t)
		if len(o.throttled) > 0 {
			t.Errorf("%d waits in a rate limiter, first %+v", len(o.throttled), o.throttled[0])
		}
		// 200 records a minute: one batch of 100 every 30 seconds.
		batchInterval := 30 * time.Second
		for i, n := range f.sizes {
			if n <= rsc.MaxBatchSize && o.finished[i] >= batchInterval {
				t.Errorf("small customer c%03d finished after %v, want before the big ones' next batch (%v)", i, o.finished[i], batchInterval)
			}
		}
		// 1,000 records at 200 a minute, one batch every 30 seconds from
		// the start: the last batch goes at 4m30s, as for a customer alone.
		if want := 4*time.Minute + 30*time.Second; o.elapsed != want {
			t.Errorf("the fleet took %v, want %v (as fast as one customer alone)", o.elapsed, want)
		}
	})
}

// TestManagerQuotaShare checks the share of the customers' combined
// per-minute quota that a Manager with 4 workers uses, on a simulated
// clock, and logs it. By default it runs 100 customers of 400 records at
// 200 records a minute (quota-bound for two minutes, like the full size);
// RSCGO_MANAGER_QUOTA=full runs LinkedIn's limits with 100 customers of
// 20,000 records (1,000,000 records a minute combined). It says nothing of
// the machine's speed: speed is measured by the benchmarks
// (internal/benchsync), against a baseline doing the same work.
func TestManagerQuotaShare(t *testing.T) {
	f := quotaFleet{workers: 4, perMinute: 200, sizes: slices.Repeat([]int{400}, 100)}
	if os.Getenv("RSCGO_MANAGER_QUOTA") == "full" {
		f = quotaFleet{workers: 4, perMinute: rsc.DefaultLimits().SyncRecordsPerMinute, sizes: slices.Repeat([]int{20_000}, 100)}
	} else if testing.Short() {
		t.Skip("a fleet of 100 customers; run without -short")
	}
	var o fleetOutcome
	synctest.Test(t, func(t *testing.T) { o = f.run(t) })
	share, per := o.sustainedShare(f)
	t.Logf("%d customers x %d records, %d records/minute each, %d workers: simulated %v, share of combined quota %.1f%% (per minute %.3f)",
		len(f.sizes), f.sizes[0], f.perMinute, f.workers, o.elapsed, 100*share, per)
	if share < 0.9 {
		t.Errorf("share of combined quota %.3f, want at least 0.9", share)
	}
	if len(o.throttled) > 0 {
		t.Errorf("%d waits in a rate limiter", len(o.throttled))
	}
}

// A slice whose next batch the per-minute quota does not allow yet ends
// with a *YieldError saying when it is allowed, without waiting; a run
// without a batch budget (Run) waits in the client's pacing instead.
func TestRunSliceYieldsUntilQuota(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var waits []time.Duration
		e := newEnv(t, envOpt{server: []rsctest.Option{rsctest.WithLimits(rsctest.Limits{SyncRecordsPerMinute: 200})},
			client: []rsc.Option{rsc.WithLimits(rsc.Limits{SyncRecordsPerMinute: 200}),
				rsc.WithHooks(rsc.Hooks{OnThrottled: func(ti rsc.ThrottleInfo) { waits = append(waits, ti.Wait) }})}})
		start := time.Now()
		eng := e.engine(t, newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 400, 0, 0))
		type slice struct {
			At      time.Duration // when the slice ended, from the start
			Batches int64
			Until   time.Duration // the YieldError's Until, from the start
		}
		var got []slice
		for range 3 {
			rep, err := eng.RunSlice(t.Context(), 20)
			var ye *YieldError
			if !errors.As(err, &ye) || !errors.Is(err, ErrYield) || ye.CustomerID != "c1" {
				t.Fatalf("RunSlice: %v, want a *YieldError that is ErrYield", err)
			}
			got = append(got, slice{time.Since(start), rep.Phases[PhaseCandidates].Batches, ye.Until.Sub(start)})
			time.Sleep(time.Until(ye.Until))
		}
		// 200 records a minute: a batch of 100 every 30 seconds, and no
		// more than 200 in a calendar minute.
		want := []slice{{0, 1, 30 * time.Second}, {30 * time.Second, 1, time.Minute}, {time.Minute, 1, 90 * time.Second}}
		if !slices.Equal(want, got) || len(waits) > 0 {
			t.Errorf("slices %+v, want %+v; waits in the pacing: %v", got, want, waits)
		}
		rep, err := eng.Run(t.Context()) // no budget: waits in the pacing
		if err != nil || !rep.CaughtUp || len(e.cust.Candidates()) != 400 {
			t.Fatalf("Run: %v; %d candidates", err, len(e.cust.Candidates()))
		}
	})
}
