package demo

import (
	"fmt"
	"io"
	"strings"

	"github.com/rscgo/rscgo/onboarding"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// setUp walks the set-up steps of Tracker's help page ("LinkedIn Recruiter |
// Initial Set Up", steps 1-15) in order, with the onboarding flow doing the
// SDK's part and the LinkedIn side simulated on the fake. Every call is
// idempotent, so after a restart the walk simply repeats.
func (r *run) setUp() error {
	ctx, flow, cust := r.ctx, r.flow, r.cust
	p, err := flow.Next(ctx, cust)
	if err != nil {
		return err
	}
	if p.Step == onboarding.StepEnabled {
		r.out.printf("\nSet-up: already done (%s)", p.StatusLine)
		return r.track(p)
	}

	r.out.printf("\nSet-up in Tracker (an ATS admin)")
	step := func(n int, format string, args ...any) {
		r.out.printf("%3d. %s", n, fmt.Sprintf(format, args...))
	}
	advance := func(in onboarding.Input) (onboarding.Progress, error) {
		p, err := flow.Advance(ctx, cust, in)
		if err != nil {
			return p, fmt.Errorf("onboarding at %s: %w", p.Step, err)
		}
		return p, r.track(p)
	}

	step(1, "Profile menu → My Settings")
	p, err = advance(onboarding.Input{ToggleOn: true, CustomerName: r.cfg.CustomerName, By: recruiterEmail})
	if err != nil {
		return err
	}
	step(2, "Toggle on the Plug in for LinkedIn → %s", p.Step)
	step(3, "Data Privacy warning: %q → Yes", onboarding.ConsentWarning)
	if p, err = advance(onboarding.Input{Consent: &onboarding.ConsentAnswer{Accept: true}, By: recruiterEmail}); err != nil {
		return err
	}
	step(4, "Sign in to LinkedIn → signed in")
	if p, err = advance(onboarding.Input{SignedIn: true}); err != nil {
		return err
	}
	c := activeContract(flow, r)
	if c == nil || c.App == nil {
		return fmt.Errorf("demo: onboarding stopped at %s: %s", p.Step, p.Todo)
	}
	step(5, "Choose a Contract → one contract, the one under Corporate (chosen automatically); child application %s provisioned", c.App.ClientID)

	// LinkedIn's widget: the snippet Tracker renders, then the admin's
	// choices in it (simulated on the fake), then the onintegrate post-back.
	w, err := flow.Widget(ctx, cust, "https://tracker.example.com/rsc/widget", nil)
	if err != nil {
		return err
	}
	var snippet strings.Builder
	if err := w.Render(io.MultiWriter(&snippet)); err != nil {
		return err
	}
	step(6, "LinkedIn's Onboarding widget (%d-byte snippet with the child app's client id) → Choose Integration", snippet.Len())
	if err := r.li.requestIntegrations(ctx, c.App.ClientID); err != nil {
		return err
	}
	org, contracts, err := r.li.customer(ctx, c.App.ClientID)
	if err != nil {
		return err
	}
	step(7, "Tick Recruiter System Connect (and ATS-Enabled Reporting) → requested for %s", org)
	payload := onboarding.WidgetPayload{Integrations: []onboarding.WidgetIntegration{
		{IntegrationType: onboarding.BundleRSCCompany, IntegrationContext: org},
	}}
	if len(contracts) > 0 {
		payload.Integrations = append(payload.Integrations,
			onboarding.WidgetIntegration{IntegrationType: onboarding.BundleRSCContract, IntegrationContext: contracts[0]})
	}
	if p, err = advance(onboarding.Input{Widget: &payload}); err != nil {
		return err
	}
	step(8, "Save → integrations named and configured; the historical sync of the last two years started in the background")
	step(9, "Back in My Settings, click OK → %s", p.StatusLine)

	r.out.printf("\nLinkedIn Recruiter settings (a LinkedIn admin; simulated on the fake)")
	step(10, "Sign in to LinkedIn Recruiter with the account invited to the integration contract")
	step(11, "Profile menu → Product settings")
	contract := "the only contract"
	if len(contracts) > 0 {
		contract = contracts[0]
	}
	step(12, "Select the Contract → %s", contract)
	step(13, "Manage integrations → the Tracker integration is listed (%s)", p.Status.State)
	if err := r.li.setAccess(ctx, c.App.ClientID, true, true); err != nil {
		return err
	}
	if p, err = advance(onboarding.Input{}); err != nil {
		return err
	}
	step(14, "Show details → enable Contract Level and Company Level access → %s", p.StatusLine)
	if err := r.observe(); err != nil {
		return err
	}
	if err := r.li.setProductSettings(ctx, c.App.ClientID, rsctest.ProductSettings{
		OneClickExport: true, InMailStubProfile: true, InAtsIndicator: true, ProfileWidget: true}); err != nil {
		return err
	}
	if p, err = advance(onboarding.Input{}); err != nil {
		return err
	}
	step(15, "Edit → tick 1-Click Export, InMail Stub Profile, In-ATS Indicator and Profile Widget → Save → %s", p.Step)
	if p.Step != onboarding.StepEnabled {
		return fmt.Errorf("demo: onboarding ended at %s: %s", p.Step, p.Todo)
	}
	r.out.printf("")
	return r.observe()
}

// activeContract returns the customer's active contract from the flow's
// stored state.
func activeContract(flow *onboarding.Flow, r *run) *onboarding.Contract {
	st, err := flow.State(r.ctx, r.cust)
	if err != nil {
		return nil
	}
	return st.ActiveContract()
}

// track records the onboarding progress: the admin page shows it and the
// milestones engine starts from it (Milestone 1 is the integration enabled).
func (r *run) track(p onboarding.Progress) error {
	r.mu.Lock()
	r.status = p.Status
	if p.Status.State.Enabled() && r.enabledAt.IsZero() {
		r.enabledAt = p.Status.UpdatedAt
	}
	r.mu.Unlock()
	r.mon.update(func(s *Snapshot) {
		s.Onboarding = OnboardingStatus{Step: p.Step, StatusLine: p.StatusLine, Todo: p.Todo}
	})
	return nil
}
