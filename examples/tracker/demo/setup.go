package demo

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rscgo/rscgo/onboarding"
	"github.com/rscgo/rscgo/rsc"
)

// setUp walks the set-up steps of Tracker's help page ("LinkedIn Recruiter |
// Initial Set Up", steps 1-15) in order, with the onboarding flow doing the
// SDK's part and the LinkedIn side simulated on the fake. Every call is
// idempotent, so after a restart the walk repeats, except the widget's
// post-back: a run stopped after it resumes with LinkedIn's side.
func (r *run) setUp() error {
	p, err := r.flow.Next(r.ctx, r.cust)
	if err != nil {
		return err
	}
	if p.Step == onboarding.StepEnabled {
		r.out.printf("\nSet-up: already done (%s)", p.StatusLine)
		return r.track(p)
	}
	var app childApp
	if steps := onboarding.Steps(); slices.Index(steps, p.Step) > slices.Index(steps, onboarding.StepWidget) {
		// A run stopped after the widget's post-back (LinkedIn holds the
		// integrations, which a second post-back may not change): resume
		// with LinkedIn's side.
		if app, err = r.savedApp(); err != nil {
			return err
		}
		r.out.printf("\nSet-up in Tracker: already done (%s)", p.StatusLine)
	} else {
		r.out.printf("\nSet-up in Tracker (an ATS admin)")
		if app, p, err = r.setUpTracker(); err != nil {
			return err
		}
	}
	r.out.printf("\nLinkedIn Recruiter settings (a LinkedIn admin; simulated on the fake)")
	if err := r.setUpRecruiter(app, p); err != nil {
		return err
	}
	r.out.printf("")
	return r.observe()
}

// step prints set-up step n.
func (r *run) step(n int, format string, args ...any) {
	r.out.printf("%3d. %s", n, fmt.Sprintf(format, args...))
}

// advance gives the onboarding flow the admin's input and records where it
// got to.
func (r *run) advance(in onboarding.Input) (onboarding.Progress, error) {
	p, err := r.flow.Advance(r.ctx, r.cust, in)
	if err != nil {
		return p, fmt.Errorf("onboarding at %s: %w", p.Step, err)
	}
	return p, r.track(p)
}

// childApp is the customer's child application and the Recruiter contract
// its integration was requested for.
type childApp struct {
	clientID string
	contract string // "the only contract" when LinkedIn names none
}

// newChildApp is the child application clientID with the first of the
// contracts LinkedIn names for it.
func newChildApp(clientID string, contracts []string) childApp {
	app := childApp{clientID: clientID, contract: "the only contract"}
	if len(contracts) > 0 {
		app.contract = contracts[0]
	}
	return app
}

// setUpTracker is steps 1-9, in Tracker's settings and LinkedIn's widget:
// it returns the child application and the onboarding progress after the
// widget's post-back.
func (r *run) setUpTracker() (childApp, onboarding.Progress, error) {
	var app childApp
	ctx := r.ctx
	r.step(1, "Profile menu → My Settings")
	p, err := r.advance(onboarding.Input{ToggleOn: true, CustomerName: r.cfg.CustomerName, By: recruiterEmail})
	if err != nil {
		return app, p, err
	}
	r.step(2, "Toggle on the Plug in for LinkedIn → %s", p.Step)
	r.step(3, "Data Privacy warning: %q → Yes", onboarding.ConsentWarning)
	if p, err = r.advance(onboarding.Input{Consent: &onboarding.ConsentAnswer{Accept: true}, By: recruiterEmail}); err != nil {
		return app, p, err
	}
	r.step(4, "Sign in to LinkedIn → signed in")
	if p, err = r.advance(onboarding.Input{SignedIn: true}); err != nil {
		return app, p, err
	}
	c := activeContract(r.flow, r)
	if c == nil || c.App == nil {
		return app, p, fmt.Errorf("demo: onboarding stopped at %s: %s", p.Step, p.Todo)
	}
	r.step(5, "Choose a Contract → one contract, the one under Corporate (chosen automatically); child application %s provisioned", c.App.ClientID)

	// LinkedIn's widget: the snippet Tracker renders, then the admin's
	// choices in it (simulated on the fake), then the onintegrate post-back.
	w, err := r.flow.Widget(ctx, r.cust, "", "https://tracker.example.com/rsc/widget", nil)
	if err != nil {
		return app, p, err
	}
	var snippet strings.Builder
	if err := w.Render(&snippet); err != nil {
		return app, p, err
	}
	r.step(6, "LinkedIn's Onboarding widget (%d-byte snippet with the child app's client id) → Choose Integration", snippet.Len())
	if err := r.li.requestIntegrations(ctx, c.App.ClientID); err != nil {
		return app, p, err
	}
	org, contracts, err := r.li.customer(ctx, c.App.ClientID)
	if err != nil {
		return app, p, err
	}
	r.step(7, "Tick Recruiter System Connect (and ATS-Enabled Reporting) → requested for %s", org)
	payload := onboarding.WidgetPayload{Integrations: []onboarding.WidgetIntegration{
		{IntegrationType: onboarding.BundleRSCCompany, IntegrationContext: org},
	}}
	if len(contracts) > 0 {
		payload.Integrations = append(payload.Integrations,
			onboarding.WidgetIntegration{IntegrationType: onboarding.BundleRSCContract, IntegrationContext: contracts[0]})
	}
	if p, err = r.advance(onboarding.Input{Widget: &payload}); err != nil {
		return app, p, err
	}
	r.step(8, "Save → integrations named and configured; the historical sync of the last two years started in the background")
	r.step(9, "Back in My Settings, click OK → %s", p.StatusLine)
	return newChildApp(c.App.ClientID, contracts), p, nil
}

// savedApp is the child application and contract of a set-up whose
// widget step is done.
func (r *run) savedApp() (childApp, error) {
	c := activeContract(r.flow, r)
	if c == nil || c.App == nil {
		return childApp{}, fmt.Errorf("demo: the onboarding state holds no child application")
	}
	_, contracts, err := r.li.customer(r.ctx, c.App.ClientID)
	if err != nil {
		return childApp{}, err
	}
	return newChildApp(c.App.ClientID, contracts), nil
}

// setUpRecruiter is steps 10-15, a LinkedIn admin in Recruiter's product
// settings (simulated on the fake), ending with the integration enabled.
func (r *run) setUpRecruiter(app childApp, p onboarding.Progress) error {
	ctx := r.ctx
	r.step(10, "Sign in to LinkedIn Recruiter with the account invited to the integration contract")
	r.step(11, "Profile menu → Product settings")
	r.step(12, "Select the Contract → %s", app.contract)
	r.step(13, "Manage integrations → the Tracker integration is listed (%s)", p.Status.State)
	if err := r.li.setAccess(ctx, app.clientID, true, true); err != nil {
		return err
	}
	p, err := r.advance(onboarding.Input{})
	if err != nil {
		return err
	}
	r.step(14, "Show details → enable Contract Level and Company Level access → %s", p.StatusLine)
	if err := r.observe(); err != nil {
		return err
	}
	if err := r.li.setProductSettings(ctx, app.clientID, rsc.ProductSettings{
		OneClickExport: true, InMailStubProfile: true, InATSIndicator: true, ProfileWidget: true}); err != nil {
		return err
	}
	if p, err = r.advance(onboarding.Input{}); err != nil {
		return err
	}
	r.step(15, "Edit → tick 1-Click Export, InMail Stub Profile, In-ATS Indicator and Profile Widget → Save → %s", p.Step)
	if p.Step != onboarding.StepEnabled {
		return fmt.Errorf("demo: onboarding ended at %s: %s", p.Step, p.Todo)
	}
	return nil
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
