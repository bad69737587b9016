package webhook_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/rscgo/rscgo/inmail"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
	"github.com/rscgo/rscgo/webhook"
)

// One handler takes every push LinkedIn sends to the customers'
// CALLBACK_URLs: an INTEGRATION_STATUS_CHANGE moves the onboarding flow on,
// an EXPORT_CANDIDATE_PROFILE reaches the customer's inmail Retriever.
// LinkedIn signs each push with the child application's client secret; here
// the example plays LinkedIn, signs the pushes with rsc.SignPush and posts
// them with httptest. A push without a valid signature is refused before
// anything reaches LinkedIn.
func ExampleNew() {
	ctx := context.Background()
	fake := rsctest.NewServer(rsctest.WithoutListener())
	defer fake.Close()
	partner, err := fake.PartnerClient()
	if err != nil {
		log.Fatal(err)
	}
	flow, err := onboarding.NewFlow(onboarding.FlowConfig{Partner: partner, ATSName: "Tracker",
		PushBase: "https://ats.example.com/rsc/push", Domains: []string{"https://ats.example.com"}},
		onboarding.WithAssumeSignedIn())
	if err != nil {
		log.Fatal(err)
	}

	// The customer's Retrievers, by instance (one per customer here).
	retrievers := map[string]*inmail.Retriever{}
	h, err := webhook.New(flow, "/rsc/push", func(_ context.Context, in onboarding.Instance) (*inmail.Retriever, error) {
		return retrievers[in.CustomerID], nil
	})
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()

	// Acme's admin turned the integration on and requested it in LinkedIn's widget.
	if _, err := flow.Advance(ctx, "acme", onboarding.Input{ToggleOn: true,
		Consent: &onboarding.ConsentAnswer{Accept: true, By: "admin@acme.example"}}); err != nil {
		log.Fatal(err)
	}
	acme := fake.CustomerByForeignID("acme")
	acme.RequestIntegrations()
	p, err := flow.Advance(ctx, "acme", onboarding.Input{Widget: &onboarding.WidgetPayload{Integrations: []onboarding.WidgetIntegration{
		{IntegrationContext: acme.Organization}, {IntegrationContext: acme.Contracts[0]}}}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("step:", p.Step)

	// LinkedIn POSTs a push to Acme's CALLBACK_URL, signed with the secret
	// of Acme's child application.
	push := func(typ, id string, signed bool) {
		body := fmt.Appendf(nil, `{"id":%q,"type":%q}`, id, typ)
		req := httptest.NewRequest(http.MethodPost, "https://ats.example.com/rsc/push/acme", bytes.NewReader(body))
		if signed {
			req.Header.Set(rsc.SignatureHeader, rsc.SignPush(body, acme.ClientSecret))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		_ = h.Wait(ctx) // the handler answers at once and works in the background
		fmt.Printf("%s, signed %v: %d\n", typ, signed, rec.Code)
	}

	// LinkedIn's admin enables access, and LinkedIn pushes the change.
	change := acme.EnableAll()
	push(rsc.EventIntegrationStatus, change, false)
	push(rsc.EventIntegrationStatus, change, true)
	p, _ = flow.Next(ctx, "acme")
	fmt.Println("step:", p.Step)

	// A recruiter exports a member to a job with 1-Click Export.
	client, err := flow.CustomerClient(ctx, onboarding.Instance{CustomerID: "acme"})
	if err != nil {
		log.Fatal(err)
	}
	sink := inmail.NewMemorySink()
	retrievers["acme"], err = inmail.New(inmail.Config{CustomerID: "acme", Client: client,
		Organization: acme.Organization, Contracts: acme.Contracts, Sink: sink,
		State: func(context.Context) (milestones.State, error) { // in production: from the flow and the sync checkpoints
			return milestones.State{Enabled: true, EnabledAt: time.Now().Add(-time.Hour), Settings: milestones.AllSettings(),
				Access: milestones.Access{CompanyLevel: true, ContractLevel: true}}, nil
		}})
	if err != nil {
		log.Fatal(err)
	}
	if err := listJob(ctx, client, acme.Organization, "J1"); err != nil { // normally the sync package's job
		log.Fatal(err)
	}
	acme.SetProductSettings(rsc.ProductSettings{OneClickExport: true})
	recruiter := fake.AddMember(rsctest.MemberSpec{FirstName: "Rita", LastName: "Reed", Email: "rita@acme.example"})
	ann := fake.AddMember(rsctest.MemberSpec{FirstName: "Ann", LastName: "Lee", Email: "ann@example.com"})
	seat, _ := acme.AddSeat(rsctest.SeatSpec{Member: recruiter.Person})
	export, err := acme.Export(seat.URN, ann.Person, "J1")
	if err != nil {
		log.Fatal(err)
	}
	push(rsc.EventExportCandidate, export, true)
	for _, c := range sink.Candidates() {
		fmt.Println("ATS candidate:", c.FirstName, c.LastName, "applications:", len(c.Applications))
	}
	// Output:
	// step: admin_enable
	// INTEGRATION_STATUS_CHANGE, signed false: 401
	// INTEGRATION_STATUS_CHANGE, signed true: 200
	// step: enabled
	// EXPORT_CANDIDATE_PROFILE, signed true: 200
	// ATS candidate: Ann Lee applications: 1
}

// listJob lists a job on LinkedIn and waits for its task.
func listJob(ctx context.Context, c *rsc.Client, org, id string) error {
	res, err := c.Jobs.Submit(ctx, []rsc.JobPosting{{ExternalJobPostingID: id, OperationType: rsc.JobCreate,
		IntegrationContext: org, CompanyName: "Acme", CompanyApplyURL: "https://ats.example.com/jobs/" + id, Title: "Engineer",
		Description: strings.Repeat("Build and run the systems that power our hiring platform. ", 3),
		ListedAt:    rsc.Millis(time.Now().Add(-time.Hour)), Location: "London, United Kingdom", PosterEmail: "recruiter@example.com",
		Availability: rsc.AvailabilityPrivate, WorkplaceTypes: []string{"On-site"}}})
	if err == nil {
		err = res.Err()
	}
	if err == nil {
		_, err = c.Jobs.WaitTasks(ctx, []string{res.Items[0].ID}, time.Millisecond)
	}
	return err
}

// LinkedIn asks, on the webhook the partner registered in the Developer
// Portal, for a customer's jobs to be sent again. The handler answers
// LinkedIn's validation challenge, then stores each request in the
// customer's dead-letter store before it answers; the customer's next
// retry of dead letters (Engine.RetryDeadLetters) sends the jobs as
// UPDATEs. Here the example plays LinkedIn and signs the notification with
// rsc.SignPush.
func ExampleNewJobResync() {
	ctx := context.Background()
	store, dead := rscsync.NewMemoryStore(), rscsync.NewMemoryDeadLetters()
	secrets := func(_ context.Context, applicationID string) (string, error) {
		if applicationID == "" {
			return "partner-secret", nil // the parent application's
		}
		return "", nil // child secrets: from the secret store, by application id
	}
	targets := func(_ context.Context, app string) (webhook.JobResyncTarget, bool, error) {
		if app != "urn:li:developerApplication:12345" { // ProvisionedApplication.Key, kept with the customer
			return webhook.JobResyncTarget{}, false, nil
		}
		return webhook.JobResyncTarget{CustomerID: "acme", Checkpoints: store, DeadLetters: dead}, true, nil
	}
	h, err := webhook.NewJobResync(secrets, targets, webhook.WithResyncNotify(func(_ context.Context, customer string, keys []string) {
		fmt.Println("retry", keys, "of", customer) // start the retry elsewhere, at once
	}))
	if err != nil {
		log.Fatal(err)
	}

	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/linkedin/jobs?challengeCode=890e4665-4dfe-4ab1-b689-ed553bceeed0", nil))
	fmt.Print("challenge: ", w.Code, " ", w.Body)

	body := `{"developerApplicationUrn":"urn:li:developerApplication:12345","externalJobPostingIds":["job-1234","job-2345"],"syncAllOpenJobs":false,"type":"RESYNC_JOBS"}`
	r := httptest.NewRequest(http.MethodPost, "/linkedin/jobs", strings.NewReader(body))
	r.Header.Set(rsc.SignatureHeader, rsc.SignPush([]byte(body), "partner-secret"))
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println("notification:", w.Code)
	for d, err := range dead.List(ctx, "acme") {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(d.Key(), "-", d.Reason)
	}
	// Output:
	// challenge: 200 {"challengeCode":"890e4665-4dfe-4ab1-b689-ed553bceeed0","challengeResponse":"a68b8d8e569bb4f9577c14156f03e8d25adb8548cbc4347e97752fc4564f826b"}
	// retry [job//job-1234 job//job-2345] of acme
	// notification: 200
	// job//job-1234 - resync requested by LinkedIn (RESYNC_JOBS)
	// job//job-2345 - resync requested by LinkedIn (RESYNC_JOBS)
}
