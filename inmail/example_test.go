package inmail_test

import (
	"context"
	"fmt"
	"log"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rscgo/rscgo/inmail"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// Example wires a Retriever to the fake LinkedIn: a recruiter exports a
// member to a job twice, InMails the member, who replies and shares contact
// information; one RunOnce later the ATS holds one candidate with two
// applications and the conversation.
func Example() {
	ctx := context.Background()
	clk := rsctest.NewFakeClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithClock(clk))
	defer srv.Close()
	cust := srv.AddCustomer(rsctest.CustomerSpec{Organization: "urn:li:organization:1", Contracts: []string{"urn:li:contract:1"}})
	cust.EnableAll()
	cust.SetProductSettings(rsc.ProductSettings{OneClickExport: true, InMailStubProfile: true, ProfileWidget: true})
	recruiter := srv.AddMember(rsctest.MemberSpec{FirstName: "Rita", LastName: "Reed", Email: "rita@ats.example"})
	ann := srv.AddMember(rsctest.MemberSpec{FirstName: "Ann", LastName: "Lee", Email: "ann@example.com"})
	seat, _ := cust.AddSeat(rsctest.SeatSpec{Member: recruiter.Person})

	client, err := rsc.NewClient(rsc.WithBaseURL(srv.URL()), rsc.WithTokenURL(srv.TokenURL()), rsc.WithTransport(srv.Transport()),
		rsc.WithCredentials(cust.ClientID, cust.ClientSecret), rsc.WithClock(clk))
	if err != nil {
		log.Fatal(err)
	}
	syncJobs(ctx, client, "J1", "J2") // normally the sync package's job

	sink := inmail.NewMemorySink()
	r, err := inmail.New(inmail.Config{
		CustomerID: "acme", Client: client, Organization: "urn:li:organization:1", Contracts: []string{"urn:li:contract:1"},
		Sink: sink, State: allEnabled(clk.Now()),
	}, inmail.WithClock(clk))
	if err != nil {
		log.Fatal(err)
	}

	// Export to J1, then J2: the push handler (Retriever.PushHandler) calls HandleExport.
	for _, job := range []string{"J1", "J2"} {
		id, err := cust.Export(seat.URN, ann.Person, job)
		if err != nil {
			log.Fatal(err)
		}
		res, err := r.HandleExport(ctx, id)
		if err != nil {
			log.Fatal(err)
		}
		it := res.Items[0]
		fmt.Printf("export to %s: candidate %s created=%v application created=%v\n", job, it.CandidateID, it.CandidateCreated, it.ApplicationCreated)
	}

	conv, _ := cust.SendInMail(seat.URN, ann.Person, "Role", "Hi Ann")
	clk.Advance(time.Hour)
	_ = cust.ReplyInMail(conv, "Hi Rita", true)
	clk.Advance(10 * time.Minute)
	if _, err := r.RunOnce(ctx); err != nil {
		log.Fatal(err)
	}
	for _, c := range sink.Candidates() {
		fmt.Println(c.ID, c.FirstName, c.Person, "applications:", len(c.Applications), "messages:", len(c.Messages), "activities:", len(c.Notices))
	}
	// Output:
	// export to J1: candidate C1 created=true application created=true
	// export to J2: candidate C1 created=false application created=true
	// C1 Ann urn:li:person:m2 applications: 2 messages: 2 activities: 3
}

func syncJobs(ctx context.Context, c *rsc.Client, ids ...string) {
	var jobs []rsc.JobPosting
	for _, id := range ids {
		jobs = append(jobs, rsc.JobPosting{ExternalJobPostingID: id, OperationType: rsc.JobCreate, IntegrationContext: "urn:li:organization:1",
			CompanyName: "Acme", CompanyApplyURL: "https://ats.example/jobs/" + id, Title: "Engineer",
			Description: strings.Repeat("Build and run the systems that power our hiring platform. ", 3),
			ListedAt:    rsc.Millis(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)), Location: "London, United Kingdom", PosterEmail: "recruiter@example.com",
			Availability: rsc.AvailabilityPrivate, WorkplaceTypes: []string{"On-site"}})
	}
	res, err := c.Jobs.Submit(ctx, jobs)
	if err != nil || res.Err() != nil {
		log.Fatal(err, res.Err())
	}
	var tasks []string
	for _, it := range res.Items {
		tasks = append(tasks, it.ID)
	}
	if _, err := c.Jobs.WaitTasks(ctx, tasks, time.Second); err != nil {
		log.Fatal(err)
	}
}

// ExampleFindMatch shows the matching rules: person URN first, then email
// (case-insensitive), the most recently updated candidate winning a tie.
func ExampleFindMatch() {
	ctx := context.Background()
	sink := inmail.NewMemorySink()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sink.AddCandidate(inmail.Candidate{ID: "old", Emails: []string{"ann@example.com"}, UpdatedAt: t0})
	sink.AddCandidate(inmail.Candidate{ID: "new", Emails: []string{"Ann@Example.com"}, UpdatedAt: t0.Add(time.Hour)})
	sink.AddCandidate(inmail.Candidate{ID: "linked", Person: "urn:li:person:ann", UpdatedAt: t0})

	c, _, _ := inmail.FindMatch(ctx, sink, "urn:li:person:ann", "ann@example.com")
	fmt.Println(c.ID)
	c, _, _ = inmail.FindMatch(ctx, sink, "urn:li:person:other", "ANN@example.com")
	fmt.Println(c.ID)
	_, found, _ := inmail.FindMatch(ctx, sink, "urn:li:person:other", "")
	fmt.Println(found)
	// Output:
	// linked
	// new
	// false
}

// A Scheduler runs RunOnce for every customer's Retriever, each in a
// goroutine of its own, every 30 minutes (WithInterval) with jitter, backing
// off after a failure. Here two customers of the fake LinkedIn run one round
// each: at Acme a member replied to an InMail and shared contact
// information, so a candidate is created and the conversation attached; at
// Globex a recruiter wrote a prospect note about a member the ATS does not
// hold, which is kept until a candidate matches. WithRunReports receives
// every round's report; the example removes each customer after its first
// round and stops the Scheduler once both have reported.
func ExampleNewScheduler() {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	clk := rsctest.NewFakeClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithClock(clk))
	defer srv.Close()

	var (
		sched   *inmail.Scheduler
		mu      sync.Mutex
		reports = map[string]string{}
	)
	sched, err := inmail.NewScheduler(inmail.WithClock(clk),
		inmail.WithRunReports(func(customerID string, rep inmail.RunReport, err error) {
			mu.Lock()
			defer mu.Unlock()
			reports[customerID] = fmt.Sprintf("seats %d, candidates created %d, InMail events %d (attached %d), notes %d (pending %d), error %v",
				len(rep.Seats.Seats), rep.Stubs.Created, rep.InMail.Events, rep.InMail.Attached, rep.Notes.Notes, rep.Notes.Pending, err)
			sched.Remove(customerID) // one round is enough here
			if len(reports) == 2 {
				stop()
			}
		}))
	if err != nil {
		log.Fatal(err)
	}

	for i, id := range []string{"acme", "globex"} {
		cust := srv.AddCustomer(rsctest.CustomerSpec{UniqueForeignID: id,
			Organization: fmt.Sprintf("urn:li:organization:%d", i+1), Contracts: []string{fmt.Sprintf("urn:li:contract:%d", i+1)}})
		cust.EnableAll()
		cust.SetProductSettings(rsc.ProductSettings{InMailStubProfile: true})
		recruiter := srv.AddMember(rsctest.MemberSpec{FirstName: "Rita", LastName: "Reed", Email: id + "-rita@ats.example"})
		seat, _ := cust.AddSeat(rsctest.SeatSpec{Member: recruiter.Person})
		member := srv.AddMember(rsctest.MemberSpec{FirstName: "Ann", LastName: "Lee", Email: id + "-ann@example.com"})
		if id == "acme" {
			conv, _ := cust.SendInMail(seat.URN, member.Person, "Role", "Hi Ann")
			_ = cust.ReplyInMail(conv, "Hi Rita", true)
		} else {
			_, _ = cust.WriteProspectNote(seat.URN, member.Person, "Met at a meetup")
		}

		client, err := srv.CustomerClient(cust, rsc.WithClock(clk))
		if err != nil {
			log.Fatal(err)
		}
		r, err := inmail.New(inmail.Config{
			CustomerID: id, Client: client, Organization: cust.Organization, Contracts: cust.Contracts,
			Sink: inmail.NewMemorySink(), State: allEnabled(clk.Now()),
		}, inmail.WithClock(clk))
		if err != nil {
			log.Fatal(err)
		}
		if err := sched.Add(r); err != nil {
			log.Fatal(err)
		}
	}
	clk.Advance(10 * time.Minute)

	if err := sched.Run(ctx); err != context.Canceled {
		log.Fatal(err)
	}
	for _, id := range slices.Sorted(maps.Keys(reports)) {
		fmt.Printf("%s: %s\n", id, reports[id])
	}
	// Output:
	// acme: seats 1, candidates created 1, InMail events 2 (attached 2), notes 0 (pending 0), error <nil>
	// globex: seats 1, candidates created 0, InMail events 0 (attached 0), notes 1 (pending 1), error <nil>
}

// allEnabled is the milestones state of a customer that enabled every
// milestone, with company- and contract-level access, at enabled; an
// application reads it from where it keeps the customer's state.
func allEnabled(enabled time.Time) inmail.StateFunc {
	return func(context.Context) (milestones.State, error) {
		return milestones.State{Enabled: true, EnabledAt: enabled, Settings: milestones.AllSettings(),
			Access: milestones.Access{CompanyLevel: true, ContractLevel: true}}, nil
	}
}
