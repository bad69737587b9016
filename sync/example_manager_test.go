package sync_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// A Manager runs several customers' engines on a few workers, one slice of
// batches at a time, round robin: Acme's 250-candidate backfill (three
// batches) takes turns with Globex's 40 candidates instead of holding a
// worker until it ends. Each engine sends with its own customer's client,
// paced to that customer's quota; a customer waiting for its per-minute
// quota holds no worker. A FakeClock stands in for the time, so that the
// pacing waits (0.6 seconds a batch) take none.
func ExampleNewManager() {
	clk := rsctest.NewFakeClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithClock(clk))
	defer srv.Close()

	m, err := rscsync.NewManager(rscsync.WithWorkers(2), rscsync.WithSliceBatches(1), rscsync.WithClock(clk))
	if err != nil {
		panic(err)
	}
	held := map[string]*rsctest.Customer{}
	for _, c := range []struct {
		id         string
		candidates int
	}{{"acme", 250}, {"globex", 40}} {
		cust := srv.AddCustomer(rsctest.CustomerSpec{UniqueForeignID: c.id})
		held[c.id] = cust
		client, err := srv.CustomerClient(cust, rsc.WithClock(clk)) // in production: partner.ForCustomer(id, secret)
		if err != nil {
			panic(err)
		}
		eng, err := rscsync.NewEngine(client, c.id, candidates(cust.Organization, c.candidates, clk.Now()), rscsync.WithClock(clk))
		if err != nil {
			panic(err)
		}
		if err := m.Add(eng); err != nil {
			panic(err)
		}
	}

	results, err := m.Run(context.Background())
	if err != nil {
		panic(err)
	}
	for _, id := range slices.Sorted(maps.Keys(results)) {
		res := results[id]
		cands := res.Report.Phases[rscsync.PhaseCandidates]
		fmt.Printf("%s: caught up %v, error %v, candidates sent %d, batches %d, LinkedIn holds %d\n",
			id, res.Report.CaughtUp, res.Err, cands.Sent, cands.Batches, len(held[id].Candidates()))
	}
	// Output:
	// acme: caught up true, error <nil>, candidates sent 250, batches 3, LinkedIn holds 250
	// globex: caught up true, error <nil>, candidates sent 40, batches 1, LinkedIn holds 40
}

// candidates returns a Source holding n valid candidates of org, modified
// before now.
func candidates(org string, n int, now time.Time) *rscsync.SliceSource {
	src := rscsync.NewSliceSource()
	for i := range n {
		src.PutCandidates(rscsync.Candidate{ModifiedAt: now.Add(-time.Duration(n-i) * time.Second), Record: rsc.Candidate{
			Key:       rsc.CandidateKey{IntegrationContext: org, CandidateID: fmt.Sprintf("C%d", i+1)},
			FirstName: "Ann", EmailAddresses: []string{fmt.Sprintf("c%d@example.com", i+1)},
			ExternalProfileURL: "https://ats.example.com/c/1",
			CreatedAt:          rsc.Millis(now.Add(-time.Hour)), LastModifiedAt: rsc.Millis(now.Add(-time.Hour))}})
	}
	return src
}
