package inmail_test

import (
	"context"
	"fmt"
	"log"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/rscgo/rscgo/inmail"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

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
		enabled := clk.Now()
		r, err := inmail.New(inmail.Config{
			CustomerID: id, Client: client, Organization: cust.Organization, Contracts: cust.Contracts,
			Sink: inmail.NewMemorySink(),
			State: func(context.Context) (milestones.State, error) {
				return milestones.State{Enabled: true, EnabledAt: enabled, Settings: milestones.AllSettings(),
					Access: milestones.Access{CompanyLevel: true, ContractLevel: true}}, nil
			},
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
