package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rscgo/rscgo/inmail"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	"github.com/rscgo/rscgo/webhook"
)

// TestOneHandlerForEveryPush onboards a customer through the flow and
// connects its Retriever; LinkedIn's (the fake's) status changes and a
// 1-Click Export all arrive at one handler, which dispatches them; an
// unsigned push is refused without any call to LinkedIn.
func TestOneHandlerForEveryPush(t *testing.T) {
	ctx := t.Context()
	fake := rsctest.NewServer(rsctest.WithJobTaskLatency(0))
	t.Cleanup(fake.Close)
	mux := http.NewServeMux()
	ats := httptest.NewServer(mux)
	t.Cleanup(ats.Close)
	id, secret := fake.PartnerCredentials()
	partner, err := rsc.NewClient(rsc.WithBaseURL(fake.URL()), rsc.WithTokenURL(fake.TokenURL()), rsc.WithCredentials(id, secret))
	if err != nil {
		t.Fatal(err)
	}
	flow, err := onboarding.NewFlow(onboarding.FlowConfig{Partner: partner, PushBase: ats.URL + "/rsc/push", ATSName: "Tracker",
		Domains: []string{ats.URL}}, onboarding.WithAssumeSignedIn())
	if err != nil {
		t.Fatal(err)
	}
	retrievers := map[string]*inmail.Retriever{}
	var lookups, failFrom int // failFrom > 0: lookups from that one on fail
	h, err := webhook.New(flow, "/rsc/push", func(_ context.Context, in onboarding.Instance) (*inmail.Retriever, error) {
		if lookups++; failFrom > 0 && lookups >= failFrom {
			return nil, errors.New("retriever store unreachable")
		}
		return retrievers[in.ForeignID()], nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	mux.Handle("/rsc/push/", h)
	deliver := func() {
		t.Helper()
		if _, err := fake.DeliverPushes(ctx); err != nil {
			t.Fatal(err)
		}
		if err := h.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// Onboarding: the status changes LinkedIn pushes reach the flow.
	p, err := flow.Advance(ctx, "acme", onboarding.Input{ToggleOn: true, Consent: &onboarding.ConsentAnswer{Accept: true, By: "admin"}})
	if err != nil || p.Step != onboarding.StepWidget {
		t.Fatalf("to the widget: %+v %v", p, err)
	}
	cu := fake.CustomerByForeignID("acme")
	cu.RequestIntegrations()
	payload := onboarding.WidgetPayload{Integrations: []onboarding.WidgetIntegration{
		{IntegrationContext: cu.Organization}, {IntegrationContext: cu.Contracts[0]}}}
	if _, err := flow.Advance(ctx, "acme", onboarding.Input{Widget: &payload}); err != nil {
		t.Fatal(err)
	}
	cu.EnableAll()
	cu.SetProductSettings(rsc.ProductSettings{OneClickExport: true, InMailStubProfile: true, InATSIndicator: true, ProfileWidget: true})
	deliver()
	if p, err := flow.Next(ctx, "acme"); err != nil || p.Step != onboarding.StepEnabled {
		t.Fatalf("after the status pushes: %+v %v", p, err)
	}

	// Retrieval: an export reaches the customer's Retriever.
	client, err := flow.CustomerClient(ctx, onboarding.Instance{CustomerID: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	sink := inmail.NewMemorySink()
	r, err := inmail.New(inmail.Config{CustomerID: "acme", Client: client, Organization: cu.Organization, Contracts: cu.Contracts,
		Sink: sink, State: func(context.Context) (milestones.State, error) {
			return milestones.State{Enabled: true, EnabledAt: time.Now().Add(-time.Hour), Settings: milestones.AllSettings(),
				Access: milestones.Access{CompanyLevel: true, ContractLevel: true}}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	retrievers["acme"] = r
	if err := listJob(t.Context(), client, cu.Organization, "J1"); err != nil {
		t.Fatal(err)
	}
	recruiter := fake.AddMember(rsctest.MemberSpec{FirstName: "Rita", LastName: "Reed", Email: "rita@ats.example"})
	ann := fake.AddMember(rsctest.MemberSpec{FirstName: "Ann", LastName: "Lee", Email: "ann@example.com"})
	seat, err := cu.AddSeat(rsctest.SeatSpec{Member: recruiter.Person})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cu.Export(seat.URN, ann.Person, "J1"); err != nil {
		t.Fatal(err)
	}
	deliver()
	cands := sink.Candidates()
	if len(cands) != 1 || cands[0].Person != ann.Person || len(cands[0].Applications) != 1 {
		t.Fatalf("after the export push: %+v", cands)
	}

	// An export acknowledged and journaled whose worker then fails (as if
	// the process died before handling it) is finished by RunOnce.
	if _, err := cu.Export(seat.URN, fake.AddMember(rsctest.MemberSpec{FirstName: "Bo", LastName: "Ng", Email: "bo@example.com"}).Person, "J1"); err != nil {
		t.Fatal(err)
	}
	lookups, failFrom = 0, 2 // the accept's lookup works, the worker's fails
	deliver()
	c, err := r.Cursors(ctx)
	if err != nil || len(c.PendingExports) != 1 || len(sink.Candidates()) != 1 {
		t.Fatalf("after an acknowledged export whose worker failed: %d journaled, %d candidates, %v", len(c.PendingExports), len(sink.Candidates()), err)
	}
	if _, err := r.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if c, err := r.Cursors(ctx); err != nil || len(c.PendingExports) != 0 || len(sink.Candidates()) != 2 {
		t.Fatalf("after RunOnce: %d journaled, %d candidates, %v", len(c.PendingExports), len(sink.Candidates()), err)
	}

	// An export that cannot be journaled is answered 503 and stays with
	// LinkedIn, which delivers it again once it can be.
	if _, err := cu.Export(seat.URN, fake.AddMember(rsctest.MemberSpec{FirstName: "Cy", LastName: "Oz", Email: "cy@example.com"}).Person, "J1"); err != nil {
		t.Fatal(err)
	}
	lookups, failFrom = 0, 1
	if n, err := fake.DeliverPushes(ctx); n != 0 || err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("push with the journal unreachable: %d delivered, %v; want none delivered and a 503", n, err)
	}
	failFrom = 0
	deliver()
	if got := len(sink.Candidates()); got != 3 {
		t.Fatalf("after the redelivery: %d candidates, want 3", got)
	}

	// A push without a signature: refused, and nothing reaches LinkedIn.
	last := cu.Pushes()[len(cu.Pushes())-1]
	before := len(fake.Requests())
	resp, err := http.Post(ats.URL+"/rsc/push/acme", "application/json", bytes.NewReader(last.Body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := h.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusUnauthorized || len(fake.Requests()) != before {
		t.Errorf("unsigned push: %d, %d calls to LinkedIn", resp.StatusCode, len(fake.Requests())-before)
	}
	if _, err := webhook.New(flow, "/rsc/push", nil); err == nil {
		t.Error("New without Retrievers succeeded")
	}

	// The plug-in switched off (consent withdrawn): an export is
	// acknowledged and dropped, and nothing is written to LinkedIn.
	if _, err := flow.Advance(ctx, "acme", onboarding.Input{ToggleOff: true, By: "admin"}); err != nil {
		t.Fatal(err)
	}
	if _, err := cu.Export(seat.URN, fake.AddMember(rsctest.MemberSpec{FirstName: "Di", LastName: "Yu", Email: "di@example.com"}).Person, "J1"); err != nil {
		t.Fatal(err)
	}
	before = len(fake.Requests())
	deliver()
	var calls []string
	for _, r := range fake.Requests()[before:] {
		calls = append(calls, r.Method+" "+r.Path)
	}
	if len(calls) != 0 || len(sink.Candidates()) != 3 {
		t.Errorf("export after the consent was withdrawn: calls to LinkedIn %v, %d candidates; want none and 3", calls, len(sink.Candidates()))
	}
	if c, err := r.Cursors(ctx); err != nil || len(c.PendingExports) != 0 {
		t.Errorf("export after the consent was withdrawn: %d journaled, %v; want none", len(c.PendingExports), err)
	}
}
