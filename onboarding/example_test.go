package onboarding_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/rscgo/rscgo/onboarding"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// Example takes a new customer from nothing to "Enabled" against the fake
// LinkedIn server: the ATS admin's steps (Tracker seed 1-9), the widget's
// post-back, LinkedIn's push events and the LinkedIn admin's toggles
// (Tracker 10-15, LinkedIn seed).
func Example() {
	ctx := context.Background()
	fake := rsctest.NewServer()
	defer fake.Close()

	// The ATS: its admin page endpoints and the customers' push callbacks.
	mux := http.NewServeMux()
	ats := httptest.NewServer(mux)
	defer ats.Close()

	id, secret := fake.PartnerCredentials()
	partner, err := rsc.NewClient(rsc.WithBaseURL(fake.URL()), rsc.WithTokenURL(fake.TokenURL()), rsc.WithCredentials(id, secret))
	if err != nil {
		panic(err)
	}
	flow, err := onboarding.NewFlow(onboarding.FlowConfig{
		Partner:  partner,
		ATSName:  "Tracker",
		Domains:  []string{ats.URL},
		PushBase: ats.URL + "/rsc/push",
	}, onboarding.WithStartSync(func(ctx context.Context, customerID string, c onboarding.Contract) error {
		fmt.Println("   historical sync started for", customerID, c.ContractURN)
		return nil
	}))
	if err != nil {
		panic(err)
	}
	signer, err := onboarding.NewStateSigner([]byte("an example key of 32 bytes......"))
	if err != nil {
		panic(err)
	}
	push, err := flow.PushHandler("/rsc/push")
	if err != nil {
		panic(err)
	}
	defer push.Close()
	mux.Handle("/rsc/push/", push)
	// The ATS's own session lookup: the admin's customer and session id.
	session := func(r *http.Request) (customerID, session string, err error) { return "acme", "admin-session-1", nil }
	widget, err := flow.WidgetHandler(signer, session)
	if err != nil {
		panic(err)
	}
	mux.Handle("/rsc/widget", widget)

	show := func(p onboarding.Progress, err error) {
		if err != nil {
			fmt.Println("error:", err)
		}
		fmt.Printf("%-20s %s\n", p.Step, p.StatusLine)
	}

	// 1-2. My Settings: toggle the plug-in on. 3. Data-privacy warning: Yes.
	show(flow.Advance(ctx, "acme", onboarding.Input{ToggleOn: true, CustomerName: "Acme"}))
	show(flow.Advance(ctx, "acme", onboarding.Input{Consent: &onboarding.ConsentAnswer{Accept: true, By: "admin@acme.example"}}))
	// 4. Signed in to LinkedIn. 5. One contract: "Choose a Contract" is
	// bypassed; the child application is provisioned.
	show(flow.Advance(ctx, "acme", onboarding.Input{SignedIn: true}))

	// 6-7. LinkedIn's widget (rendered with the child app's client id): the
	// admin requests Recruiter System Connect ...
	w, _ := flow.Widget(ctx, "acme", "admin-session-1", ats.URL+"/rsc/widget", signer)
	_ = w.Render(new(bytes.Buffer))
	cu := fake.CustomerByForeignID("acme")
	cu.RequestIntegrations()
	// ... and the widget's onintegrate callback posts the URNs back. 8. Save:
	// integrations named and configured, historical sync started.
	body, _ := json.Marshal(onboarding.WidgetPayload{State: w.State, Integrations: []onboarding.WidgetIntegration{
		{IntegrationType: "ONE_CLICK_EXPORT", IntegrationContext: cu.Organization},
		{IntegrationType: "CSA_API", IntegrationContext: cu.Contracts[0]},
	}})
	resp, err := http.Post(ats.URL+"/rsc/widget", "application/json", bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	show(flow.Next(ctx, "acme"))

	// 10-15. The LinkedIn admin enables contract- and company-level access;
	// LinkedIn pushes INTEGRATION_STATUS_CHANGE to the callback.
	cu.EnableAll()
	if _, err := fake.DeliverPushes(ctx); err != nil {
		fmt.Println("push:", err)
	}
	_ = push.Wait(ctx)
	show(flow.Next(ctx, "acme"))

	// The sync engine's guard.
	fmt.Println("consent check:", flow.Consents().CheckConsent(ctx, "acme"))
	// Output:
	// privacy_consent      Not requested: connect LinkedIn Recruiter to request Recruiter System Connect
	// sign_in              Not requested: connect LinkedIn Recruiter to request Recruiter System Connect
	// widget               Not requested: connect LinkedIn Recruiter to request Recruiter System Connect
	//    historical sync started for acme urn:li:contract:5001
	// admin_enable         Partner ready: a LinkedIn Recruiter admin must enable Contract Level and/or Company Level access in Admin Settings → ATS
	// enabled              Enabled: Contract Level and Company Level access are enabled
	// consent check: <nil>
}
