package onboarding

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
	"golang.org/x/oauth2"
)

// TestSeedStepsMap maps every step of both seed flows to a named Step.
func TestSeedStepsMap(t *testing.T) {
	tracker := map[int]Step{
		1:  StepToggleOn,          // My Settings via the Profile Menu
		2:  StepToggleOn,          // toggle on the plug-in for LinkedIn
		3:  StepPrivacyConsent,    // data-privacy warning, "Yes"
		4:  StepSignIn,            // sign into LinkedIn
		5:  StepChooseContract,    // "Choose a Contract"
		6:  StepWidget,            // LinkedIn's onboarding widget, Choose Integration
		7:  StepWidget,            // tick Recruiter System Connect
		8:  StepSave,              // "Save": historical sync begins
		9:  StepAwaitPartnerReady, // back in My Settings, "OK": wait for Partner ready
		10: StepAdminEnable,       // once synchronised, a Recruiter user enables settings
		11: StepAdminEnable,       // Product settings
		12: StepAdminEnable,       // select the contract
		13: StepAdminEnable,       // Manage integrations
		14: StepAdminEnable,       // Show details
		15: StepProductSettings,   // Edit: 1-Click Export, InMail Stub Profile, In-ATS Indicator ... Save
	}
	linkedin := map[string]Step{
		"ATS 1: onboarding page, Sign in":                    StepSignIn,
		"ATS 2: LinkedIn credentials":                        StepSignIn,
		"ATS 3: select the contract (bypassed with one)":     StepChooseContract,
		"ATS: Request under Recruiter System Connect":        StepWidget,
		"ATS: Partner ready (Notify Partner if needed)":      StepAwaitPartnerReady,
		"Recruiter 1: Admin Settings, ATS tab":               StepAdminEnable,
		"Recruiter 2: enable Contract and/or Company Level":  StepAdminEnable,
		"Recruiter 3: Activated; ATS shows Enabled":          StepEnabled,
		"Company level only: ATS stays Partner ready (info)": StepEnabled,
		"Security groups: seat holders connect in the ATS":   StepEnabled,
	}
	for n := 1; n <= 15; n++ {
		s, ok := tracker[n]
		if !ok || s.Index() < 0 {
			t.Errorf("Tracker step %d maps to no Step", n)
		}
	}
	for k, s := range linkedin {
		if s.Index() < 0 {
			t.Errorf("LinkedIn step %q maps to no Step", k)
		}
	}
	// Every Step is used by a seed, and the Tracker steps are in flow order.
	used := map[Step]bool{StepProvision: true} // provisioning is invisible to users
	prev := -1
	for n := 1; n <= 15; n++ {
		used[tracker[n]] = true
		if tracker[n].Index() < prev {
			t.Errorf("Tracker step %d (%s) goes backwards", n, tracker[n])
		}
		prev = tracker[n].Index()
	}
	for _, s := range linkedin {
		used[s] = true
	}
	for _, s := range Steps() {
		if !used[s] {
			t.Errorf("Step %s maps to no seed step", s)
		}
	}
}

func TestFlowFullWalkAndResume(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	store, err := NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	secrets, err := NewFileSecretStore(dir + "/secrets")
	if err != nil {
		t.Fatal(err)
	}
	consents, err := NewConsentRegistry(store)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, []Option{WithStateStore(store), WithSecretStore(secrets), WithConsentRegistry(consents)})

	p := e.advance(t, "c1", Input{})
	if p.Step != StepToggleOn || p.Todo == "" || p.Actor != "ats-admin" {
		t.Fatalf("fresh customer: %+v", p)
	}
	cu := e.toWidget(t, "c1")
	if cu == nil {
		t.Fatal("child application not provisioned at the fake")
	}
	if got := cu.App().ValidJsSdkDomains; !slices.Equal(got, []string{e.ats.URL}) {
		t.Errorf("validJsSdkDomains = %v", got)
	}

	// The user leaves the page; a new process resumes from the files.
	f2, err := NewFlow(e.cfg, e.opts...)
	if err != nil {
		t.Fatal(err)
	}
	p, err = f2.Next(t.Context(), "c1")
	if err != nil || p.Step != StepWidget {
		t.Fatalf("resumed: %+v %v", p, err)
	}
	cu.RequestIntegrations()
	p, err = f2.Advance(t.Context(), "c1", Input{Widget: widgetFor(cu, cu.Contracts[0])})
	if err != nil || p.Step != StepAdminEnable || p.Status.State != StatePartnerReady {
		t.Fatalf("after widget: %+v %v", p, err)
	}
	// Re-running is harmless (Ensure, $set, upserts) and sync starts once.
	p = e.advance(t, "c1", Input{Widget: widgetFor(cu, cu.Contracts[0])})
	if p.Step != StepAdminEnable {
		t.Fatalf("replayed widget: %+v", p)
	}
	if diff := cmp.Diff([]string{"c1"}, e.synced); diff != "" {
		t.Errorf("syncs started (-want +got):\n%s", diff)
	}
	if v := cu.ConfigurationValue("CALLBACK_URL"); v != e.ats.URL+"/rsc/push/c1" {
		t.Errorf("CALLBACK_URL = %q", v)
	}
	if v := cu.ConfigurationValue("JOB_POSTING_VIEWERS"); v != rsc.AllProductUsers {
		t.Errorf("JOB_POSTING_VIEWERS = %q", v)
	}
	if v := cu.ConfigurationValue("APPLICATION_VIEWERS"); v != rsc.AllProductUsers {
		t.Errorf("APPLICATION_VIEWERS = %q", v)
	}
	for _, in := range cu.Integrations() {
		if in.IntegrationName == "" || in.Status != rsctest.StatusPartnerReady {
			t.Errorf("integration %+v not named / partner ready", in)
		}
	}

	// Product settings off: enabled but StepProductSettings.
	cu.SetProductSettings(rsc.ProductSettings{OneClickExport: true})
	cu.EnableAll()
	e.deliver(t)
	p, _ = e.flow.Next(t.Context(), "c1")
	if p.Step != StepProductSettings || p.Actor != "linkedin-admin" {
		t.Fatalf("settings off: %+v", p)
	}
	if f := p.Status.Features(); f.InMailStubProfile || !f.OneClickExport || f.InATSIndicator || !f.RecruiterData {
		t.Errorf("features = %+v", f)
	}
	cu.SetProductSettings(rsc.ProductSettings{OneClickExport: true, InMailStubProfile: true, InATSIndicator: true, ProfileWidget: true})
	e.deliver(t)
	p, _ = e.flow.Next(t.Context(), "c1")
	if p.Step != StepEnabled || p.Status.State != StateBothEnabled || p.Todo != "" {
		t.Fatalf("enabled: %+v", p)
	}
	st, _ := e.flow.State(t.Context(), "c1")
	if bytes.Contains(mustJSON(t, st), []byte(cu.ClientSecret)) {
		t.Error("flow state contains the client secret")
	}
}

func TestFlowCompanyLevelOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	cu := e.toSaved(t, "co")
	cu.SetCompanyAccess(true)
	e.deliver(t)
	p, _ := e.flow.Next(t.Context(), "co")
	if p.Step != StepEnabled || p.Status.State != StateCompanyEnabled {
		t.Fatalf("company only: %+v", p)
	}
	if p.Status.Contract != rsc.StatusPartnerReady {
		t.Errorf("contract level = %s, want PARTNER_READY", p.Status.Contract)
	}
	if want := "Partner ready: Company Level access is enabled"; p.StatusLine[:len(want)] != want {
		t.Errorf("line = %q", p.StatusLine)
	}
	if f := p.Status.Features(); !f.OneClickExport || f.RecruiterData || f.InMailStubProfile {
		t.Errorf("features = %+v", f)
	}
	// Then contract level too.
	cu.SetContractAccess(true)
	e.deliver(t)
	if p, _ = e.flow.Next(t.Context(), "co"); p.Status.State != StateBothEnabled {
		t.Fatalf("both: %+v", p)
	}
	// Switched off again: "Not activated", back to the admin step.
	cu.SetCompanyAccess(false)
	cu.SetContractAccess(false)
	e.deliver(t)
	if p, _ = e.flow.Next(t.Context(), "co"); p.Status.State != StateDisabled || p.Step != StepAdminEnable {
		t.Fatalf("disabled: %+v", p)
	}
}

func TestFlowTwoContracts(t *testing.T) {
	t.Parallel()
	opts := []ContractOption{{Label: "corporate", ContractURN: "urn:li:contract:71"}, {Label: "emea", ContractURN: "urn:li:contract:72"}}
	e := newEnv(t, []Option{WithContractOptions(func(ctx context.Context, id string) ([]ContractOption, error) { return opts, nil })})
	// The same organization, two contracts, each with its own child app.
	org := "urn:li:organization:70"
	a := e.fake.AddCustomer(rsctest.CustomerSpec{UniqueForeignID: "multi:corporate", Organization: org, Contracts: []string{"urn:li:contract:71"}})
	b := e.fake.AddCustomer(rsctest.CustomerSpec{UniqueForeignID: "multi:emea", Organization: org, Contracts: []string{"urn:li:contract:72"}})

	e.advance(t, "multi", Input{ToggleOn: true})
	e.advance(t, "multi", Input{Consent: &ConsentAnswer{Accept: true, By: "admin"}})
	p := e.advance(t, "multi", Input{SignedIn: true})
	if p.Step != StepChooseContract || len(p.Options) != 2 {
		t.Fatalf("choose: %+v", p)
	}
	for _, x := range []struct {
		label string
		cu    *rsctest.Customer
	}{{"corporate", a}, {"emea", b}} {
		p = e.advance(t, "multi", Input{Contract: &ContractChoice{Label: x.label}})
		if p.Step != StepWidget || p.Contract != x.label {
			t.Fatalf("%s: %+v", x.label, p)
		}
		w, err := e.flow.Widget(t.Context(), "multi", "", "/w", nil)
		if err != nil || w.APIKey != x.cu.ClientID {
			t.Fatalf("%s widget api key = %q, want %q (%v)", x.label, w.APIKey, x.cu.ClientID, err)
		}
		x.cu.RequestIntegrations()
		e.advance(t, "multi", Input{Widget: widgetFor(x.cu, x.cu.Contracts[0])})
	}
	a.SetContractAccess(true)
	e.deliver(t)
	cs, err := e.flow.Contracts(t.Context(), "multi")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]State{}
	for _, c := range cs {
		got[c.Label] = c.Status.State
	}
	if diff := cmp.Diff(map[string]State{"corporate": StateContractEnabled, "emea": StatePartnerReady}, got); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"multi:corporate", "multi:emea"}, e.synced); diff != "" {
		t.Errorf("syncs (-want +got):\n%s", diff)
	}
	if a.ConfigurationValue("CALLBACK_URL") == b.ConfigurationValue("CALLBACK_URL") {
		t.Error("CALLBACK_URL shared between instances")
	}
	// A contract already connected under another label is refused.
	e.advance(t, "multi", Input{Contract: &ContractChoice{Label: "other"}})
	if _, err := e.flow.Advance(t.Context(), "multi", Input{Widget: widgetFor(a, "urn:li:contract:71")}); err == nil {
		t.Error("the same contract connected twice")
	}
}

func TestFlowConsentRevoked(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	// No consent: the guard refuses and the flow will not pass the warning.
	err := e.flow.Consents().CheckConsent(t.Context(), "rv")
	var cre *ConsentRequiredError
	if !errors.As(err, &cre) || !errors.Is(err, rscsync.ErrNoConsent) {
		t.Fatalf("no consent: %v", err)
	}
	e.advance(t, "rv", Input{ToggleOn: true})
	if p := e.advance(t, "rv", Input{Consent: &ConsentAnswer{Accept: false}}); p.Step != StepToggleOn {
		t.Fatalf("declined: %+v", p)
	}
	if p := e.advance(t, "rv", Input{SignedIn: true, ToggleOn: true}); p.Step != StepPrivacyConsent {
		t.Fatalf("no consent yet: %+v", p)
	}
	if _, err := e.flow.Advance(t.Context(), "rv", Input{Consent: &ConsentAnswer{Accept: true}}); err == nil {
		t.Error("consent without who")
	}
	e.advance(t, "rv", Input{Consent: &ConsentAnswer{Accept: true, By: "dpo"}})
	ctx, cancel, err := e.flow.Consents().WithConsent(t.Context(), "rv")
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	// The plug-in is toggled off: consent revoked, the running sync stops.
	p := e.advance(t, "rv", Input{ToggleOff: true, By: "admin"})
	if p.Step != StepToggleOn {
		t.Fatalf("after toggle off: %+v", p)
	}
	<-ctx.Done()
	if !errors.Is(context.Cause(ctx), ErrConsentRevoked) {
		t.Errorf("cause = %v", context.Cause(ctx))
	}
	if err := e.flow.Consents().CheckConsent(t.Context(), "rv"); !errors.Is(err, ErrConsentRevoked) {
		t.Errorf("after revoke: %v", err)
	}
	if _, _, err := e.flow.Consents().WithConsent(t.Context(), "rv"); !errors.Is(err, ErrConsentRevoked) {
		t.Errorf("sync start after revoke: %v", err)
	}
	// Toggled on again: the warning comes back.
	if p := e.advance(t, "rv", Input{ToggleOn: true}); p.Step != StepPrivacyConsent || p.Todo[:5] != "Data " {
		t.Fatalf("toggled on again: %+v", p)
	}
	if len(e.synced) != 0 {
		t.Errorf("sync started without consent: %v", e.synced)
	}
	// Consent given again, then, the plug-in switched on again later, the
	// warning declined: the consent given before is withdrawn.
	e.advance(t, "rv", Input{Consent: &ConsentAnswer{Accept: true, By: "dpo"}})
	if err := e.flow.Consents().CheckConsent(t.Context(), "rv"); err != nil {
		t.Fatalf("granted again: %v", err)
	}
	ctx, cancel, err = e.flow.Consents().WithConsent(t.Context(), "rv")
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	if p := e.advance(t, "rv", Input{Consent: &ConsentAnswer{Accept: false, By: "admin"}}); p.Step != StepToggleOn {
		t.Fatalf("declined after a grant: %+v", p)
	}
	if !errors.Is(context.Cause(ctx), ErrConsentRevoked) { // Revoke cancels before it returns
		t.Errorf("the sync's context after the decline: cause %v, want ErrConsentRevoked", context.Cause(ctx))
	}
	c, err := e.flow.Consents().Get(t.Context(), "rv")
	if err != nil || c == nil || c.RevokedBy != "admin" || c.Reason != "data-privacy warning declined" {
		t.Errorf("consent after the decline: %+v, %v; want it revoked by admin", c, err)
	}
	if p := e.advance(t, "rv", Input{ToggleOn: true}); p.Step != StepPrivacyConsent {
		t.Errorf("switched on after the decline: %+v, want the warning again", p)
	}
	// A customer who never consented and declines keeps no consent record.
	e.advance(t, "nc", Input{ToggleOn: true})
	e.advance(t, "nc", Input{Consent: &ConsentAnswer{Accept: false, By: "admin"}})
	if c, err := e.flow.Consents().Get(t.Context(), "nc"); err != nil || c != nil {
		t.Errorf("consent of a customer who only declined: %+v, %v; want none", c, err)
	}
}

func TestFlowReplayedPush(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	cu := e.toSaved(t, "rp")
	cu.EnableAll()
	e.deliver(t)
	pushes := cu.Pushes()
	if len(pushes) == 0 {
		t.Fatal("no pushes")
	}
	last := pushes[len(pushes)-1]
	// Count I3 reads before and after replaying the last event.
	reads := func() int {
		n := 0
		for _, r := range e.fake.Requests() {
			if r.Method == http.MethodGet && bytes.Contains([]byte(r.RawQuery), []byte("q=request")) {
				n++
			}
		}
		return n
	}
	before := reads()
	callback := cu.ConfigurationValue("CALLBACK_URL")
	for range 3 {
		if got := postPush(t, callback, last.Signature, last.Body); got != http.StatusOK {
			t.Errorf("replay status = %d", got)
		}
	}
	_ = e.push.Wait(t.Context())
	if after := reads(); after != before {
		t.Errorf("replays fetched the payload %d more times", after-before)
	}
	// A forged signature is refused.
	forged := []byte(`{"id":"x","type":"INTEGRATION_STATUS_CHANGE"}`)
	if got := postPush(t, callback, rsc.SignPush(forged, "wrong"), forged); got != http.StatusUnauthorized {
		t.Errorf("forged: %d", got)
	}
}

func TestFlowNotifyPartner(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	cu := e.toWidget(t, "np")
	// The widget callback arrives before LinkedIn lists any integration of
	// the application on the URNs: they are refused and nothing is kept.
	if _, err := e.flow.Advance(t.Context(), "np", Input{Widget: widgetFor(cu, cu.Contracts[0])}); err == nil ||
		!strings.Contains(err.Error(), "LinkedIn reports no integration of this application on urn:li:organization:") {
		t.Fatalf("unlisted URNs: %v", err)
	}
	if st, _ := e.flow.State(t.Context(), "np"); st.ActiveContract().Organization != "" {
		t.Fatalf("unlisted organization kept: %+v", st.ActiveContract())
	}
	// LinkedIn lists them NOT_REQUESTED (the fake's "Notify partner" creates
	// them): naming leaves them NOT_REQUESTED.
	cu.NotifyPartner()
	p := e.advance(t, "np", Input{Widget: widgetFor(cu, cu.Contracts[0])})
	if p.Step != StepAwaitPartnerReady || p.Status.State != StateNotRequested {
		t.Fatalf("before request: %+v", p)
	}
	cu.RequestIntegrations()
	if p = e.advance(t, "np", Input{}); p.Status.State != StateRequested {
		t.Fatalf("requested: %+v", p)
	}
	// "Notify partner": named again → Partner ready.
	if p = e.advance(t, "np", Input{NotifyPartner: true}); p.Step != StepAdminEnable || p.Status.State != StatePartnerReady {
		t.Fatalf("notified: %+v", p)
	}
}

func TestFlowACLCustomer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, []Option{WithACLs(func(string) bool { return true })})
	cu := e.toSaved(t, "acl")
	if v := cu.ConfigurationValue("JOB_POSTING_VIEWERS"); v != "" {
		t.Errorf("JOB_POSTING_VIEWERS = %q for an ACL customer", v)
	}
	if v := cu.ConfigurationValue("CALLBACK_URL"); v == "" {
		t.Error("no CALLBACK_URL")
	}
}

// A widget post-back whose Save started the historical sync and whose
// last status read then failed keeps its state: the admin's next
// post-back does not start the sync a second time (WithStartSync is called
// once per contract).
func TestFlowSyncStartsOnceWhenSaveFailsLate(t *testing.T) {
	var e *env
	starts := 0
	e = newEnv(t, []Option{
		WithCustomerOptions(rsc.WithRetryPolicy(rsc.RetryPolicy{MaxAttempts: 1})),
		WithStartSync(func(_ context.Context, _ string, _ Contract) error {
			starts++
			if starts == 1 { // the status read that ends Save fails once
				e.fake.SetFaults(rsctest.Fault{Route: "atsIntegrations", ErrorRate: 1})
			}
			return nil
		}),
	})
	cu := e.toWidget(t, "acme")
	cu.RequestIntegrations()
	if _, err := e.flow.Advance(t.Context(), "acme", Input{Widget: widgetFor(cu, cu.Contracts[0])}); err == nil {
		t.Fatal("first post-back: want the injected status-read failure")
	}
	e.fake.SetFaults()
	if _, err := e.flow.Advance(t.Context(), "acme", Input{Widget: widgetFor(cu, cu.Contracts[0])}); err != nil {
		t.Fatal(err)
	}
	if starts != 1 {
		t.Errorf("historical sync started %d times for one contract, want 1", starts)
	}
}

// A rotated child secret is used once it is stored: LinkedIn keeps both
// secrets active while the old one is retired, and the Flow's cached
// client is rebuilt when the stored credentials change, not before.
func TestFlowCustomerClientFollowsRotatedSecret(t *testing.T) {
	secrets := NewMemorySecretStore()
	e := newEnv(t, []Option{WithSecretStore(secrets)})
	e.toSaved(t, "acme")
	in := Instance{CustomerID: "acme"}
	first, err := e.flow.CustomerClient(t.Context(), in)
	must(t, err)
	again, err := e.flow.CustomerClient(t.Context(), in)
	must(t, err)
	if again != first {
		t.Error("CustomerClient built a new client although the stored credentials did not change")
	}
	ref := secretRef("acme")
	creds, err := secrets.Get(t.Context(), ref)
	must(t, err)
	creds.ClientSecret = "rotated-secret"
	must(t, secrets.Put(t.Context(), ref, creds))
	rotated, err := e.flow.CustomerClient(t.Context(), in)
	must(t, err)
	if rotated == first {
		t.Errorf("after the secret under %s changed, CustomerClient still returns the client built with the old secret", ref)
	}
}

// NewFlow refuses a PushBase whose callback URLs LinkedIn could not use or
// the push handler could not route: the customer id would land in a query.
func TestNewFlowChecksPushBase(t *testing.T) {
	e := newEnv(t, nil)
	for base, want := range map[string]string{
		e.ats.URL + "/rsc/push?src=linkedin": "must not carry user info, a query or a fragment",
		"https://ats.example.com:8443/push":  "must use port 80 or 443",
		"http://ats.example.com/push":        "must use https",
		"https://ats.example.com:80/push":    "",
	} {
		cfg := e.cfg
		cfg.PushBase = base
		_, err := NewFlow(cfg)
		if got := fmt.Sprint(err); want == "" && err != nil || want != "" && !strings.Contains(got, want) {
			t.Errorf("NewFlow(PushBase %q) = %v, want %q", base, err, want)
		}
	}
}

// slowStateStore is a MemoryStore whose first LoadState blocks, closing
// entered, until release is closed or that call's context ends.
type slowStateStore struct {
	*MemoryStore
	entered, release chan struct{}
	first            chan struct{} // holds one token: its taker blocks
}

func newSlowStateStore() *slowStateStore {
	s := &slowStateStore{MemoryStore: NewMemoryStore(), entered: make(chan struct{}), release: make(chan struct{}), first: make(chan struct{}, 1)}
	s.first <- struct{}{}
	return s
}

func (s *slowStateStore) LoadState(ctx context.Context, customerID string) (*FlowState, error) {
	select {
	case <-s.first:
		close(s.entered)
		select {
		case <-s.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	default:
	}
	return s.MemoryStore.LoadState(ctx, customerID)
}

// bubbleFlow returns a Flow over store for a testing/synctest bubble: no
// server runs, and LinkedIn (pushRecorder) answers every request with a 404.
func bubbleFlow(t *testing.T, store StateStore) *Flow {
	t.Helper()
	partner, err := rsc.NewClient(rsc.WithBaseURL("http://linkedin.invalid"), rsc.WithTransport(&pushRecorder{}),
		rsc.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"})), rsc.WithRetryPolicy(rsc.RetryPolicy{MaxAttempts: 1}))
	must(t, err)
	f, err := NewFlow(FlowConfig{Partner: partner, ATSName: "Tracker", Domains: []string{"https://ats.example.com"},
		PushBase: "https://ats.example.com/rsc/push"}, WithStateStore(store))
	must(t, err)
	return f
}

// A call for a customer whose Advance is still running (here, in a slow
// StateStore) waits for it, and returns its own context's error, having
// done nothing, when that context ends first; the customer's lock is then
// free, and forgotten once no call holds or awaits it.
func TestFlowCustomerLockHonoursContext(t *testing.T) {
	for _, tc := range []struct {
		name string
		call func(context.Context, *Flow) error
	}{
		{"Advance", func(ctx context.Context, f *Flow) error {
			_, err := f.Advance(ctx, "acme", Input{ToggleOn: true})
			return err
		}},
		{"ApplyStatus", func(ctx context.Context, f *Flow) error {
			return f.ApplyStatus(ctx, Instance{CustomerID: "acme"}, nil)
		}},
		{"Widget", func(ctx context.Context, f *Flow) error {
			_, err := f.Widget(ctx, "acme", "session", "https://ats.example.com/widget", nil)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				store := newSlowStateStore()
				f := bubbleFlow(t, store)
				first := make(chan struct{})
				go func() {
					defer close(first)
					_, _ = f.Advance(context.Background(), "acme", Input{ToggleOn: true}) // LinkedIn's 404 fails it
				}()
				<-store.entered // the first Advance holds acme's lock

				ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
				defer cancel()
				start := time.Now()
				err := tc.call(ctx, f)
				type result struct {
					Err    error
					Waited time.Duration
				}
				want := result{Err: context.DeadlineExceeded, Waited: time.Minute}
				if diff := cmp.Diff(want, result{err, time.Since(start)}, cmpopts.EquateErrors()); diff != "" {
					t.Errorf("%s while acme's Advance runs (-want +got):\n%s", tc.name, diff)
				}
				if st, err := store.MemoryStore.LoadState(t.Context(), "acme"); err != nil || st != nil {
					t.Errorf("after the waiting %s gave up, acme's saved state = %+v, %v; want none", tc.name, st, err)
				}

				close(store.release)
				<-first
				f.mu.Lock()
				n := len(f.locks)
				f.mu.Unlock()
				if n != 0 {
					t.Errorf("%d customer locks left once no call holds or awaits them, want 0", n)
				}
				// acme's lock is free: it is taken at once, even with an ended context.
				done, cancel := context.WithCancel(t.Context())
				cancel()
				unlock, err := f.lock(done, "acme")
				if err != nil {
					t.Fatalf("taking acme's free lock: %v", err)
				}
				unlock()
			})
		})
	}
}

// A sync the withdrawal of consent stopped (the plug-in switched off) is
// started again (WithStartSync) once consent is given again, and only
// then.
func TestFlowSyncRestartedAfterConsentGivenAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	cu := e.toSaved(t, "rs")
	cu.EnableAll()
	e.deliver(t)
	if d := cmp.Diff([]string{"rs"}, e.synced); d != "" {
		t.Fatalf("syncs started once onboarded (-want +got):\n%s", d)
	}
	stopped := func() bool {
		st, err := e.flow.State(t.Context(), "rs")
		must(t, err)
		return !st.Contracts[0].SyncStoppedAt.IsZero()
	}
	e.advance(t, "rs", Input{ToggleOff: true, By: "admin"})
	if !stopped() {
		t.Error("the plug-in switched off: the contract's sync is not marked stopped")
	}
	e.advance(t, "rs", Input{ToggleOn: true})
	if len(e.synced) != 1 || !stopped() {
		t.Errorf("switched on, no consent yet: syncs %v, stopped %v; want no new start", e.synced, stopped())
	}
	e.advance(t, "rs", Input{Consent: &ConsentAnswer{Accept: true, By: "dpo"}})
	if d := cmp.Diff([]string{"rs", "rs"}, e.synced); d != "" || stopped() {
		t.Errorf("consent given again: syncs (-want +got):\n%s\nstopped %v", d, stopped())
	}
	e.advance(t, "rs", Input{})
	if len(e.synced) != 2 {
		t.Errorf("a later Advance started the sync again: %v", e.synced)
	}
}

// A push handler mounted where FlowConfig.PushBase's CALLBACK_URLs do not
// lead would refuse every push: PushHandler refuses to build it.
func TestPushHandlerPathPrefixMatchesPushBase(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil) // PushBase: <ats>/rsc/push
	for _, tc := range []struct {
		prefix string
		ok     bool
	}{
		{"/rsc/push", true},
		{"/rsc/push/", true},
		{"/push", true}, // behind a proxy that strips /rsc
		{"", true},
		{"/other/push", false},
		{"/rsc", false},
	} {
		t.Run(tc.prefix, func(t *testing.T) {
			h, err := e.flow.PushHandler(tc.prefix)
			if h != nil {
				h.Close()
			}
			if (err == nil) != tc.ok {
				t.Errorf("PushHandler(%q): %v, want ok %v", tc.prefix, err, tc.ok)
			}
		})
	}
}

// Choosing for a label another contract than the one it is bound to is
// refused, not ignored; choosing its own again is no change.
func TestContractChoiceConflictRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.advance(t, "cc", Input{ToggleOn: true, Consent: &ConsentAnswer{Accept: true, By: "admin"}})
	e.advance(t, "cc", Input{Contract: &ContractChoice{Label: "emea", ContractURN: "urn:li:contract:71"}})
	e.advance(t, "cc", Input{Contract: &ContractChoice{Label: "emea", ContractURN: "urn:li:contract:71"}})
	_, err := e.flow.Advance(t.Context(), "cc", Input{Contract: &ContractChoice{Label: "emea", ContractURN: "urn:li:contract:72"}})
	if want := `onboarding: the contract label "emea" is bound to urn:li:contract:71: connect urn:li:contract:72 under another label`; err == nil || err.Error() != want {
		t.Errorf("a conflicting choice: %v, want %q", err, want)
	}
	st, err := e.flow.State(t.Context(), "cc")
	must(t, err)
	if c := st.Contract("emea"); c == nil || c.ContractURN != "urn:li:contract:71" {
		t.Errorf("the label's contract after the refused choice: %+v", c)
	}
}
