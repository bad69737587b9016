package sync_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// A dry run reads the Source, applies eligibility and LinkedIn's validation
// rules, and reports what would be sent and refused, sending nothing.
func ExampleEngine_Run_dryRun() {
	org := "urn:li:organization:42"
	now := time.Now()
	src := rscsync.NewSliceSource()
	src.PutJobs(rscsync.Job{ModifiedAt: now.Add(-time.Hour), Posting: rsc.JobPosting{
		ExternalJobPostingID: "J1", IntegrationContext: org, CompanyApplyURL: "https://ats.example.com/apply/J1",
		Title: "Backend engineer", Description: strings.Repeat("Build the sync engine. ", 6),
		ListedAt: rsc.Millis(now.Add(-2 * time.Hour)), Location: "Paris, France", PosterEmail: "recruiter@example.com", Availability: rsc.AvailabilityPrivate}})
	for i, email := range []string{"ann@example.com", "not-an-email", "private@example.com"} {
		src.PutCandidates(rscsync.Candidate{ModifiedAt: now.Add(-time.Duration(3-i) * time.Minute), Record: rsc.Candidate{
			Key:       rsc.CandidateKey{IntegrationContext: org, CandidateID: fmt.Sprintf("C%d", i+1)},
			FirstName: "Ann", EmailAddresses: []string{email}, ExternalProfileURL: "https://ats.example.com/c/1",
			CreatedAt: rsc.Millis(now.Add(-time.Hour)), LastModifiedAt: rsc.Millis(now.Add(-time.Hour))}})
	}

	client, _ := rsc.NewClient(rsc.WithCredentials("client-id", "client-secret")) // never called in a dry run
	eng, _ := rscsync.NewEngine(client, "customer-42", src,
		rscsync.WithDryRun(true),
		rscsync.WithEligibility(func(_ context.Context, r rscsync.Record) (bool, string) {
			if r.Candidate != nil && strings.HasPrefix(r.Candidate.Record.EmailAddresses[0], "private") {
				return false, "private candidate"
			}
			return true, ""
		}))
	rep, err := eng.Run(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	rep.WriteText(os.Stdout)
	// Output:
	// dry run for customer customer-42 (caught up: true)
	// Job Sync:          read 1, sent 1, acknowledged 0, refused 0, skipped 0
	// Candidate Sync:    read 3, sent 2, acknowledged 0, refused 1, skipped 1
	//   skipped "private candidate": 1
	// Application Sync:  read 0, sent 0, acknowledged 0, refused 0, skipped 0
	// Activity Sync:     read 0, sent 0, acknowledged 0, refused 0, skipped 0
	// Deletion Sync:     read 0, sent 0, acknowledged 0, refused 0, skipped 0
	// rejected candidate C2: invalid emailAddresses[0]: must match X@X.X
	// reconcile Job Sync:          ATS 1, LinkedIn 1, dead letters 0, ineligible 0, missing 0
	// reconcile Candidate Sync:    ATS 3, LinkedIn 1, dead letters 1, ineligible 1, missing 0
	// reconcile Application Sync:  ATS 0, LinkedIn 0, dead letters 0, ineligible 0, missing 0
	// reconcile Activity Sync:     ATS 0, LinkedIn 0, dead letters 0, ineligible 0, missing 0
}

// A historical sync against the fake LinkedIn of package rsctest: a job
// goes through batch_create and its task, candidates through batch_update;
// a candidate LinkedIn's rules refuse becomes a dead letter with its key,
// field and rule, and the rest arrive. A second Run is incremental.
func ExampleEngine_Run() {
	srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithJobTaskLatency(1))
	defer srv.Close()
	cust := srv.AddCustomer(rsctest.CustomerSpec{Organization: "urn:li:organization:42"})
	client, _ := srv.CustomerClient(cust)

	org, now := cust.Organization, time.Now()
	src := rscsync.NewSliceSource()
	src.PutJobs(rscsync.Job{ModifiedAt: now.Add(-time.Hour), Posting: rsc.JobPosting{
		ExternalJobPostingID: "J1", IntegrationContext: org, CompanyApplyURL: "https://ats.example.com/apply/J1",
		Title: "Backend engineer", Description: strings.Repeat("Build the sync engine. ", 6),
		ListedAt: rsc.Millis(now.Add(-2 * time.Hour)), Location: "Paris, France", PosterEmail: "recruiter@example.com", Availability: rsc.AvailabilityPrivate}})
	for i, email := range []string{"ann@example.com", "bob@example", "cem@example.com"} {
		src.PutCandidates(rscsync.Candidate{ModifiedAt: now.Add(-time.Duration(3-i) * time.Minute), Record: rsc.Candidate{
			Key:       rsc.CandidateKey{IntegrationContext: org, CandidateID: fmt.Sprintf("C%d", i+1)},
			FirstName: "Ann", EmailAddresses: []string{email}, ExternalProfileURL: "https://ats.example.com/c/1",
			CreatedAt: rsc.Millis(now.Add(-time.Hour)), LastModifiedAt: rsc.Millis(now.Add(-time.Hour))}})
	}

	eng, _ := rscsync.NewEngine(client, "customer-42", src, rscsync.WithTaskPollInterval(time.Millisecond))
	ctx := context.Background()
	rep, err := eng.Run(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	rep.WriteText(os.Stdout)
	fmt.Println("LinkedIn holds", len(cust.Jobs()), "job and", len(cust.Candidates()), "candidates")

	rep, _ = eng.Run(ctx) // nothing changed since
	fmt.Println("second run sent", rep.Phases[rscsync.PhaseCandidates].Sent, "candidates")
	// Output:
	// sync for customer customer-42 (caught up: true)
	// Job Sync:          read 1, sent 1, acknowledged 1, refused 0, skipped 0
	// Candidate Sync:    read 3, sent 3, acknowledged 2, refused 1, skipped 0
	// Application Sync:  read 0, sent 0, acknowledged 0, refused 0, skipped 0
	// Activity Sync:     read 0, sent 0, acknowledged 0, refused 0, skipped 0
	// Deletion Sync:     read 0, sent 0, acknowledged 0, refused 0, skipped 0
	// rejected candidate C2: invalid emailAddresses[0]: must match X@X.X
	// reconcile Job Sync:          ATS 1, LinkedIn 1, dead letters 0, ineligible 0, missing 0
	// reconcile Candidate Sync:    ATS 3, LinkedIn 2, dead letters 1, ineligible 0, missing 0
	// reconcile Application Sync:  ATS 0, LinkedIn 0, dead letters 0, ineligible 0, missing 0
	// reconcile Activity Sync:     ATS 0, LinkedIn 0, dead letters 0, ineligible 0, missing 0
	// LinkedIn holds 1 job and 2 candidates
	// second run sent 0 candidates
}

// Content reconciliation reads LinkedIn's records back and compares every
// field sent: here a candidate edited on LinkedIn's side since the sync.
func ExampleEngine_ReconcileContent() {
	srv := rsctest.NewServer(rsctest.WithoutListener())
	defer srv.Close()
	cust := srv.AddCustomer(rsctest.CustomerSpec{Organization: "urn:li:organization:42"})
	client, _ := srv.CustomerClient(cust)

	org, now := cust.Organization, time.Now()
	src := rscsync.NewSliceSource()
	for i, name := range []string{"Ann", "Bob"} {
		src.PutCandidates(rscsync.Candidate{ModifiedAt: now.Add(-time.Minute), Record: rsc.Candidate{
			Key:       rsc.CandidateKey{IntegrationContext: org, CandidateID: fmt.Sprintf("C%d", i+1)},
			FirstName: name, EmailAddresses: []string{strings.ToLower(name) + "@example.com"},
			ExternalProfileURL: "https://ats.example.com/c/1",
			CreatedAt:          rsc.Millis(now.Add(-time.Hour)), LastModifiedAt: rsc.Millis(now.Add(-time.Hour))}})
	}
	eng, _ := rscsync.NewEngine(client, "customer-42", src)
	ctx := context.Background()
	if _, err := eng.Run(ctx); err != nil {
		fmt.Println(err)
		return
	}
	bob, _, _ := src.LookupCandidate(ctx, "C2")
	bob.Record.FirstName = "Robert" // changed on LinkedIn, not in the ATS
	client.Candidates.Upsert(ctx, []rsc.Candidate{bob.Record})

	rep, err := eng.ReconcileContent(ctx, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("differs:", rep.Differs())
	rep.WriteText(os.Stdout)
	// Output:
	// differs: true
	// content candidate: checked 2, equal 1, missing 0, stale 1, extra 0
	//   stale on LinkedIn: candidate//C2 (firstName)
	// content job: not checked: the client cannot read job records back from LinkedIn
	// content application: not checked: the client cannot read application records back from LinkedIn
	// content stage: not checked: the client cannot read stage records back from LinkedIn
	// content candidateNote: not checked: the client cannot read candidateNote records back from LinkedIn
	// content applicationNote: not checked: the client cannot read applicationNote records back from LinkedIn
	// content interviewFeedback: not checked: the client cannot read interviewFeedback records back from LinkedIn
}

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
