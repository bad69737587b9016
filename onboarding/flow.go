package onboarding

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// Step is a named step of the onboarding flow. Each step of the Tracker
// and LinkedIn seed flows maps to one (see Steps).
type Step string

// The steps, in order.
const (
	StepToggleOn          Step = "toggle_on"           // ATS My Settings: turn the LinkedIn plug-in on
	StepPrivacyConsent    Step = "privacy_consent"     // data-privacy warning: "Yes"
	StepSignIn            Step = "sign_in"             // sign in to LinkedIn Recruiter in this browser
	StepChooseContract    Step = "choose_contract"     // "Choose a Contract" (bypassed with one contract)
	StepProvision         Step = "provision"           // automatic: child application, JS SDK domains
	StepWidget            Step = "widget"              // LinkedIn's widget: Choose Integration / Request RSC
	StepSave              Step = "save"                // automatic: name + configure integrations; start the historical sync
	StepAwaitPartnerReady Step = "await_partner_ready" // until "Partner ready" ("Notify partner" nudges)
	StepAdminEnable       Step = "admin_enable"        // LinkedIn admin: contract and/or company level access
	StepProductSettings   Step = "product_settings"    // LinkedIn admin: 1-Click Export, InMail Stub Profile, ...
	StepEnabled           Step = "enabled"             // done
)

// Steps returns the steps in order.
func Steps() []Step {
	return []Step{StepToggleOn, StepPrivacyConsent, StepSignIn, StepChooseContract, StepProvision, StepWidget,
		StepSave, StepAwaitPartnerReady, StepAdminEnable, StepProductSettings, StepEnabled}
}

// Actor says who acts at the step: "ats-admin", "linkedin-admin", "sdk" or
// "" (done).
func (s Step) Actor() string {
	switch s {
	case StepProvision, StepSave:
		return "sdk"
	case StepAdminEnable, StepProductSettings:
		return "linkedin-admin"
	case StepEnabled:
		return ""
	}
	return "ats-admin"
}

// Index is the step's position in Steps (-1 if unknown).
func (s Step) Index() int { return slices.Index(Steps(), s) }

// FlowState is a customer's persisted onboarding state. It holds facts
// (toggled on, contracts, applications by reference, integration status);
// the current step is derived from them, which makes the flow resumable
// at any point. It never holds a secret.
type FlowState struct {
	// CustomerID is the ATS customer id: Advance refuses one that is not
	// 1-100 characters of valid UTF-8 without ":" or control characters,
	// or that is "." or "..".
	CustomerID string `json:"customerId"`
	// CustomerName names the customer in application and integration
	// names: the first non-empty Input.CustomerName; empty means the
	// customer id.
	CustomerName string `json:"customerName,omitempty"`
	// ToggledOn reports whether the admin switched the plug-in on
	// (Input.ToggleOn); declining the warning or Input.ToggleOff clears it.
	ToggledOn bool `json:"toggledOn"`
	// SignedIn reports whether the admin said they are signed in to
	// LinkedIn Recruiter (Input.SignedIn).
	SignedIn bool    `json:"signedIn"`
	Active   *string `json:"active,omitempty"` // label of the contract being onboarded; nil until chosen
	// Contracts are the customer's contracts, one per label.
	Contracts []Contract `json:"contracts,omitempty"`
	Step      Step       `json:"step"` // as of the last save, informational
	// LastError is the last automatic step's failure, "" once a run
	// succeeds.
	LastError string `json:"lastError,omitempty"`
	// UpdatedAt is when the state was last saved (UTC).
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
}

// Contract returns the contract with the label, or nil.
func (s *FlowState) Contract(label string) *Contract {
	for i := range s.Contracts {
		if s.Contracts[i].Label == label {
			return &s.Contracts[i]
		}
	}
	return nil
}

// clone returns a deep copy.
func (s *FlowState) clone() *FlowState {
	b, _ := json.Marshal(s)
	var c FlowState
	_ = json.Unmarshal(b, &c)
	return &c
}

// ActiveContract returns the contract being onboarded, or nil.
func (s *FlowState) ActiveContract() *Contract {
	if s.Active == nil {
		return nil
	}
	return s.Contract(*s.Active)
}

// Input is what the ATS page reports to Advance. Every field is optional;
// fields that do not apply are ignored, so replaying an input is harmless.
type Input struct {
	// ToggleOn: the admin switched the plug-in on (My Settings).
	ToggleOn bool
	// ToggleOff: the admin switched it off; consent is revoked, which stops
	// sync. The flow starts again at StepToggleOn.
	ToggleOff bool
	// Consent answers the data-privacy warning.
	Consent *ConsentAnswer
	// SignedIn: the admin is signed in to LinkedIn Recruiter.
	SignedIn bool
	// Contract chooses (or switches to, or adds) a contract.
	Contract *ContractChoice
	// Widget is the widget's onintegrate payload (WidgetHandler).
	Widget *WidgetPayload
	// NotifyPartner is the "Notify partner" button: name the integrations
	// again and re-read the status.
	NotifyPartner bool
	// CustomerName names the customer in application and integration
	// names (default: the customer id). Taken the first time only.
	CustomerName string
	// Restart: the admin restarts onboarding of the active contract. Its
	// organization, requested integrations, saved time and status are
	// cleared, so the widget's next post-back is taken even after the
	// integrations were enabled (widget input is refused then otherwise).
	Restart bool
	// By identifies the ATS user acting (audit; required with Consent).
	By string

	// widgetNonce is the nonce of the state token that came with Widget
	// (WidgetHandler); it must be the contract's and is consumed.
	widgetNonce string
}

// ErrNotConsented is returned for widget input while the LinkedIn plug-in
// is off or the data-privacy consent does not stand (a page rendered
// before the plug-in was switched off, say): the widget comes after both.
var ErrNotConsented = errors.New("onboarding: the LinkedIn plug-in is off or data-privacy consent is not given; switch it on and accept the warning first")

// ErrEnabled is returned for widget input on a contract whose integrations
// are enabled: the admin must restart onboarding (Input.Restart) first.
var ErrEnabled = errors.New("onboarding: the contract's integrations are enabled; restart onboarding to change them")

// ConsentAnswer is the admin's answer to the data-privacy warning.
type ConsentAnswer struct {
	// Accept is the answer: false (the admin declined) switches the
	// plug-in off again.
	Accept bool
	By     string // who answered; falls back to Input.By
	Text   string // the warning shown (default ConsentWarning)
}

// Progress is where a customer's onboarding stands.
type Progress struct {
	// CustomerID is the customer.
	CustomerID string `json:"customerId"`
	// Step is the step the onboarding is at, derived from the state.
	Step Step `json:"step"`
	// Todo is what the user must do next ("" when nothing).
	Todo string `json:"todo,omitempty"`
	// Actor is who must act (Step.Actor).
	Actor string `json:"actor,omitempty"`
	// Contract is the label of the active contract.
	Contract string `json:"contract"`
	// Status and StatusLine are the active contract's integration status.
	Status     Status `json:"status"`
	StatusLine string `json:"statusLine"`
	// Options are the contracts to choose from at StepChooseContract.
	Options []ContractOption `json:"options,omitempty"`
	// Error is the last automatic step's failure, if it has not succeeded since.
	Error string `json:"error,omitempty"`
}

// FlowConfig is what a Flow needs to know about the vendor: the partner
// client, where pushes arrive, and what child applications are named and
// allowed. Everything with a default is an Option instead.
type FlowConfig struct {
	// Partner is the parent application's client (required).
	Partner *rsc.Client
	// PushBase is the base URL of push callbacks (required): https on port
	// 80 or 443, or http on a loopback host for tests, with no query or
	// fragment. Each instance gets PushBase, the escaped customer id and, for
	// a non-default contract, the escaped label.
	PushBase string
	// ATSName prefixes child application names ("{ATSName} - {customer}";
	// "LinkedIn" is removed and the name cut to 50 characters).
	ATSName string
	// Domains are the origins serving the widgets (validJsSdkDomains):
	// scheme, host and port, no trailing slash.
	Domains []string
	// OAuthCallbackURLs are set on child applications: absolute http(s)
	// URLs (optional).
	OAuthCallbackURLs []string
}

// Flow walks customers from "toggle on" to "enabled". It is safe for
// concurrent use; calls for one customer that change its state (Advance,
// ApplyStatus, Widget) are serialised, and one waiting for another of the
// same customer returns its context's error when the context ends first.
//
// A customer id is 1-100 characters of valid UTF-8 without ':' or control
// characters, other than "." and "..": Advance refuses any other with an
// error, before it reads or saves any state.
type Flow struct {
	cfg  FlowConfig
	opt  *config
	prov *Provisioner
	log  *slog.Logger
	now  func() time.Time

	mu      sync.Mutex
	locks   map[string]*customerLock // held or awaited; removed when neither
	clients map[string]cachedClient
}

// customerLock serialises the calls of one customer. Its token is taken by
// sending on ch (capacity 1), so that a call waiting for it can give up when
// its context ends; refs counts the calls holding or waiting for it (under
// Flow.mu), and the entry is removed from Flow.locks when none are left.
type customerLock struct {
	ch   chan struct{}
	refs int
}

// cachedClient is an instance's client and a digest of the credentials it
// was built with, so that a rotated secret builds a new one.
type cachedClient struct {
	creds [sha256.Size]byte
	c     *rsc.Client
}

// NewFlow checks cfg and returns a Flow. Options: WithClock, WithLogger,
// WithSecretStore, WithStateStore, WithConsentRegistry, WithACLs,
// WithContractOptions, WithAssumeSignedIn, WithStartSync and
// WithCustomerOptions.
func NewFlow(cfg FlowConfig, opts ...Option) (*Flow, error) {
	if cfg.Partner == nil {
		return nil, errors.New("onboarding: FlowConfig.Partner is required")
	}
	if err := validateCallbackURL(callbackURL(cfg.PushBase, "x", "")); err != nil {
		return nil, fmt.Errorf("onboarding: FlowConfig.PushBase: %w", err)
	}
	spec := ProvisionSpec{ForeignID: "x", Name: "x", Domains: cfg.Domains, CallbackURLs: cfg.OAuthCallbackURLs}
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	c, err := newConfig(forFlow, opts)
	if err != nil {
		return nil, err
	}
	c.secrets = cmp.Or[SecretStore](c.secrets, NewMemorySecretStore())
	c.store = cmp.Or[StateStore](c.store, NewMemoryStore())
	if c.consents == nil {
		if c.consents, err = NewConsentRegistry(nil, WithClock(c.clock)); err != nil {
			return nil, err
		}
	}
	prov, err := NewProvisioner(cfg.Partner, c.secrets, WithClock(c.clock), WithLogger(c.logger))
	if err != nil {
		return nil, err
	}
	return &Flow{cfg: cfg, opt: c, prov: prov, log: c.logger, now: c.clock.Now,
		locks: map[string]*customerLock{}, clients: map[string]cachedClient{}}, nil
}

// Consents returns the consent registry (the sync engine's ConsentGuard).
func (f *Flow) Consents() *ConsentRegistry { return f.opt.consents }

// Provisioner returns the flow's provisioner.
func (f *Flow) Provisioner() *Provisioner { return f.prov }

// lock takes customerID's lock and returns the function that releases it.
// While another call holds the lock it waits, and returns ctx's error if ctx
// ends first; a free lock is taken whatever ctx's state.
func (f *Flow) lock(ctx context.Context, customerID string) (unlock func(), err error) {
	f.mu.Lock()
	l := f.locks[customerID]
	if l == nil {
		l = &customerLock{ch: make(chan struct{}, 1)}
		f.locks[customerID] = l
	}
	l.refs++
	f.mu.Unlock()
	select {
	case l.ch <- struct{}{}:
	default:
		select {
		case l.ch <- struct{}{}:
		case <-ctx.Done():
			f.unref(customerID, l)
			return nil, ctx.Err()
		}
	}
	return func() {
		<-l.ch
		f.unref(customerID, l)
	}, nil
}

// unref drops a call's reference to customerID's lock l, and forgets l when
// no call holds or awaits it.
func (f *Flow) unref(customerID string, l *customerLock) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if l.refs--; l.refs == 0 {
		delete(f.locks, customerID)
	}
}

func (f *Flow) load(ctx context.Context, customerID string) (*FlowState, error) {
	st, err := f.opt.store.LoadState(ctx, customerID)
	if err != nil {
		return nil, err
	}
	if st == nil {
		st = &FlowState{CustomerID: customerID, Step: StepToggleOn}
	}
	return st, nil
}

// lockLoad takes customerID's lock (see lock), then loads the customer's
// state. Unless it returns an error, the caller must call unlock when done.
func (f *Flow) lockLoad(ctx context.Context, customerID string) (st *FlowState, unlock func(), err error) {
	if unlock, err = f.lock(ctx, customerID); err != nil {
		return nil, nil, err
	}
	if st, err = f.load(ctx, customerID); err != nil {
		unlock()
		return nil, nil, err
	}
	return st, unlock, nil
}

// State returns a copy of the customer's persisted state.
func (f *Flow) State(ctx context.Context, customerID string) (*FlowState, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	return f.load(ctx, customerID)
}

// Next reports the customer's current step and what the user must do,
// without acting (it reads stored state and the consent registry only).
func (f *Flow) Next(ctx context.Context, customerID string) (Progress, error) {
	if ctx == nil {
		return Progress{}, errNilContext
	}
	st, err := f.load(ctx, customerID)
	if err != nil {
		return Progress{}, err
	}
	return f.progress(ctx, st)
}

// Advance applies the input, then performs every automatic step it can and
// reads the integration status once, and saves the state. It stops at the
// first step that needs a person, and returns where the customer stands.
// It is idempotent and resumable: provisioning is an Ensure, naming is a
// $set and configurations are upserts. On a failed automatic step it
// returns the error along with the progress (Progress.Error).
//
// Calls for one customer (Advance, ApplyStatus, Widget) run one at a time:
// an Advance waiting for another call of its customer returns its
// context's error, having done nothing, when the context ends first.
func (f *Flow) Advance(ctx context.Context, customerID string, in Input) (Progress, error) {
	if ctx == nil {
		return Progress{}, errNilContext
	}
	if err := validCustomerID(customerID); err != nil {
		return Progress{}, err
	}
	st, unlock, err := f.lockLoad(ctx, customerID)
	if err != nil {
		return Progress{}, err
	}
	defer unlock()
	if in.widgetNonce != "" {
		if err := f.consumeNonce(ctx, st, in); err != nil {
			return Progress{}, err
		}
	}
	before := st.clone()
	if err := f.apply(ctx, st, in); err != nil {
		return Progress{}, err
	}
	runErr := f.run(ctx, st, in.NotifyPartner)
	if runErr != nil {
		if in.Widget != nil && !syncStarted(before, st) {
			// Never keep URNs whose steps failed. Once the historical sync
			// started they were named and configured on LinkedIn, and the
			// sync must not start twice: the state is kept.
			st = before
		}
		st.LastError = runErr.Error()
		f.log.WarnContext(ctx, "rsc onboarding step failed", "customer", customerID, "err", runErr)
	} else {
		st.LastError = ""
	}
	p, err := f.progress(ctx, st)
	if err != nil {
		return p, err
	}
	st.Step, st.UpdatedAt = p.Step, f.now().UTC()
	if err := f.opt.store.SaveState(ctx, st); err != nil {
		return p, err
	}
	return p, runErr
}

// connectedElsewhere refuses the contract URN urn for the instance label
// when another label holds it already: one contract is one instance, with
// one child application (RSC-103).
func connectedElsewhere(st *FlowState, label, urn string) error {
	for i := range st.Contracts {
		if o := &st.Contracts[i]; o.Label != label && urn != "" && o.ContractURN == urn {
			return fmt.Errorf("onboarding: contract %s is already connected as %q", urn, o.Label)
		}
	}
	return nil
}

// syncStarted reports whether a contract's historical sync started, or
// started again (after consent was given again), between the states before
// and after.
func syncStarted(before, after *FlowState) bool {
	for i := range after.Contracts {
		c := &after.Contracts[i]
		if b := before.Contract(c.Label); !c.SyncStartedAt.IsZero() && (b == nil || !b.SyncStartedAt.Equal(c.SyncStartedAt)) {
			return true
		}
	}
	return false
}

// grant records the customer's consent, given by by to the warning text.
// Consent given again after it was withdrawn voids the widget state tokens
// issued before: a widget rendered then does not post back under it.
func (f *Flow) grant(ctx context.Context, st *FlowState, by, text string) error {
	stood, err := f.consented(ctx, st.CustomerID)
	if err != nil {
		return err
	}
	if _, err := f.opt.consents.Grant(ctx, Consent{CustomerID: st.CustomerID, GrantedBy: by, Text: text}); err != nil {
		return err
	}
	if !stood {
		for i := range st.Contracts {
			st.Contracts[i].WidgetNonce = ""
		}
	}
	return nil
}

// apply changes st as the input says, in the flow's order.
func (f *Flow) apply(ctx context.Context, st *FlowState, in Input) error {
	if st.CustomerName == "" && in.CustomerName != "" {
		st.CustomerName = in.CustomerName
	}
	if in.ToggleOff {
		st.ToggledOn = false
		f.syncsStopped(st)
		return f.opt.consents.Revoke(ctx, st.CustomerID, in.By, "LinkedIn plug-in toggled off")
	}
	if in.ToggleOn {
		st.ToggledOn = true
	}
	if a := in.Consent; a != nil && st.ToggledOn {
		if !a.Accept {
			// Declining the warning leaves the plug-in off, as in the ATS
			// UI, and withdraws a consent given before, as switching the
			// plug-in off does: the sync stops, and the warning is shown
			// again when the plug-in is switched on.
			st.ToggledOn = false
			return f.revokeStanding(ctx, st, cmp.Or(a.By, in.By), "data-privacy warning declined")
		}
		if err := f.grant(ctx, st, cmp.Or(a.By, in.By), a.Text); err != nil {
			return err
		}
	}
	if err := f.restartStopped(ctx, st); err != nil {
		return err
	}
	if in.SignedIn {
		st.SignedIn = true
	}
	if ch := in.Contract; ch != nil {
		if err := validLabel(ch.Label); err != nil {
			return err
		}
		if ch.ContractURN != "" && !isContractURN(ch.ContractURN) {
			return fmt.Errorf("onboarding: %q is not a contract URN", ch.ContractURN)
		}
		if err := connectedElsewhere(st, ch.Label, ch.ContractURN); err != nil {
			return err
		}
		c := st.Contract(ch.Label)
		if c == nil {
			st.Contracts = append(st.Contracts, Contract{Label: ch.Label})
			c = &st.Contracts[len(st.Contracts)-1]
		}
		switch {
		case ch.ContractURN == "" || c.ContractURN == ch.ContractURN:
		case c.ContractURN == "":
			c.ContractURN = ch.ContractURN
		default: // the label's child application serves its contract
			return fmt.Errorf("onboarding: the contract label %q is bound to %s: connect %s under another label", ch.Label, c.ContractURN, ch.ContractURN)
		}
		label := ch.Label
		st.Active = &label
	}
	if in.Restart {
		if c := st.ActiveContract(); c != nil {
			c.Organization, c.Requested, c.SavedAt, c.Status = "", nil, time.Time{}, Status{}
		}
	}
	if p := in.Widget; p != nil {
		return f.applyWidget(ctx, st, p)
	}
	return nil
}

// revokeStanding revokes the customer's consent if one stands; a customer
// who never consented keeps no record.
func (f *Flow) revokeStanding(ctx context.Context, st *FlowState, by, reason string) error {
	c, err := f.opt.consents.Get(ctx, st.CustomerID)
	if err != nil || c == nil || c.Revoked() {
		return err
	}
	f.syncsStopped(st)
	return f.opt.consents.Revoke(ctx, st.CustomerID, by, reason)
}

// consented reports whether the customer's consent stands; an error is a
// failure to read it (the store), not a refusal.
func (f *Flow) consented(ctx context.Context, customerID string) (bool, error) {
	err := f.opt.consents.CheckConsent(ctx, customerID)
	var cre *ConsentRequiredError
	if errors.As(err, &cre) {
		return false, nil
	}
	return err == nil, err
}

// syncsStopped marks the contracts whose sync started as stopped, as a
// withdrawal of consent stops them (Contract.SyncStoppedAt).
func (f *Flow) syncsStopped(st *FlowState) {
	for i := range st.Contracts {
		if c := &st.Contracts[i]; !c.SyncStartedAt.IsZero() && c.SyncStoppedAt.IsZero() {
			c.SyncStoppedAt = f.now().UTC()
		}
	}
}

// restartStopped starts again (WithStartSync) the syncs a withdrawal of
// consent stopped, once consent stands again.
func (f *Flow) restartStopped(ctx context.Context, st *FlowState) error {
	if f.opt.startSync == nil || !slices.ContainsFunc(st.Contracts, func(c Contract) bool { return !c.SyncStoppedAt.IsZero() }) {
		return nil
	}
	if ok, err := f.consented(ctx, st.CustomerID); !ok {
		return err // nil: not given again yet
	}
	for i := range st.Contracts {
		c := &st.Contracts[i]
		if c.SyncStoppedAt.IsZero() {
			continue
		}
		if err := f.opt.startSync(ctx, st.CustomerID, *c); err != nil {
			return fmt.Errorf("starting the sync again: %w", err)
		}
		c.SyncStartedAt, c.SyncStoppedAt = f.now().UTC(), time.Time{}
		f.keepStart(ctx, st)
	}
	return nil
}

// consumeNonce checks the widget token's nonce against the one recorded
// for the contract it names and consumes it (saved at once, so a replay is
// refused even when the rest of the input fails).
func (f *Flow) consumeNonce(ctx context.Context, st *FlowState, in Input) error {
	var c *Contract
	if in.Contract != nil {
		c = st.Contract(in.Contract.Label)
	}
	if c == nil || c.WidgetNonce == "" || !hmac.Equal([]byte(c.WidgetNonce), []byte(in.widgetNonce)) {
		return fmt.Errorf("%w: already used or superseded", ErrBadState)
	}
	c.WidgetNonce = ""
	return f.opt.store.SaveState(ctx, st)
}

// applyWidget takes the widget's URNs for the active contract, after
// checking them against LinkedIn.
func (f *Flow) applyWidget(ctx context.Context, st *FlowState, p *WidgetPayload) error {
	if !st.ToggledOn {
		return ErrNotConsented
	}
	if ok, err := f.consented(ctx, st.CustomerID); !ok {
		return cmp.Or(err, ErrNotConsented)
	}
	c := st.ActiveContract()
	switch {
	case c == nil:
		return errors.New("onboarding: widget payload before a contract was chosen")
	case c.Status.State.Enabled():
		return ErrEnabled
	}
	if err := p.normalise(); err != nil {
		return err
	}
	if err := connectedElsewhere(st, c.Label, p.Contract); err != nil {
		return err
	}
	if err := f.checkURNs(ctx, c, p); err != nil {
		return err
	}
	changed := (p.Organization != "" && p.Organization != c.Organization) || (p.Contract != "" && p.Contract != c.ContractURN)
	if p.Organization != "" {
		c.Organization = p.Organization
	}
	if p.Contract != "" {
		c.ContractURN = p.Contract // the widget lets the admin change contract
	}
	c.Requested = p.Integrations
	if changed {
		c.SavedAt = time.Time{} // name and configure the new contexts
		c.Status = Status{}
	}
	return nil
}

// checkURNs asks LinkedIn, with the contract's application, for the
// integrations of the widget's organization and contract: the customer's
// request in the widget creates them, so URNs of anyone else's
// organization or contract have none.
func (f *Flow) checkURNs(ctx context.Context, c *Contract, p *WidgetPayload) error {
	cl, err := f.instanceClient(ctx, c)
	if err != nil {
		return err
	}
	got, err := cl.Integrations.Get(ctx, integrationKeys(p.Organization, p.Contract))
	if err != nil {
		return fmt.Errorf("onboarding: checking the widget's URNs with LinkedIn: %w", err)
	}
	for _, urn := range []string{p.Organization, p.Contract} {
		found := urn == ""
		for k, in := range got {
			found = found || (in != nil && k.IntegrationContext == urn)
		}
		if !found {
			return fmt.Errorf("onboarding: LinkedIn reports no integration of this application on %s; request Recruiter System Connect in the widget first", urn)
		}
	}
	return nil
}

// run performs automatic steps until a person must act.
func (f *Flow) run(ctx context.Context, st *FlowState, notify bool) error {
	polled := false
	for range len(Steps()) + 2 {
		step, _, err := f.derive(ctx, st)
		if err != nil {
			return err
		}
		c := st.ActiveContract()
		switch step {
		case StepChooseContract:
			opts, err := f.options(ctx, st.CustomerID)
			if err != nil {
				return err
			}
			if len(opts) > 1 {
				return nil
			}
			ch := ContractChoice{Label: DefaultContract}
			if len(opts) == 1 {
				ch = ContractChoice{Label: opts[0].Label, ContractURN: opts[0].ContractURN}
			}
			if err := f.apply(ctx, st, Input{Contract: &ch}); err != nil {
				return err
			}
		case StepProvision:
			if err := f.provision(ctx, st, c); err != nil {
				return fmt.Errorf("provision: %w", err)
			}
		case StepSave:
			if err := f.save(ctx, st, c); err != nil {
				return fmt.Errorf("save: %w", err)
			}
			polled = true // save read the status
		case StepAwaitPartnerReady, StepAdminEnable, StepProductSettings, StepEnabled:
			if notify && step == StepAwaitPartnerReady {
				notify = false
				if err := f.notify(ctx, st, c); err != nil {
					return fmt.Errorf("notify partner: %w", err)
				}
				polled = true
				continue
			}
			if polled {
				return nil
			}
			polled = true
			if err := f.refresh(ctx, st, c); err != nil {
				return fmt.Errorf("read status: %w", err)
			}
		default:
			return nil
		}
	}
	return nil
}

func (f *Flow) options(ctx context.Context, customerID string) ([]ContractOption, error) {
	if f.opt.contracts == nil {
		return nil, nil
	}
	return f.opt.contracts(ctx, customerID)
}

func (f *Flow) customerName(st *FlowState) string {
	if st.CustomerName != "" {
		return st.CustomerName
	}
	return st.CustomerID
}

func (f *Flow) provision(ctx context.Context, st *FlowState, c *Contract) error {
	name := appName(f.cfg.ATSName, f.customerName(st))
	if c.Label != DefaultContract {
		name = appName(f.cfg.ATSName, f.customerName(st)+" "+c.Label)
	}
	app, err := f.prov.Ensure(ctx, ProvisionSpec{
		ForeignID:    c.ForeignID(st.CustomerID),
		Name:         name,
		Description:  "Recruiter System Connect for " + f.customerName(st),
		Domains:      f.cfg.Domains,
		CallbackURLs: f.cfg.OAuthCallbackURLs,
	})
	if err != nil {
		return err
	}
	c.App = &app
	c.CallbackURL = callbackURL(f.cfg.PushBase, st.CustomerID, c.Label)
	return nil
}

func (f *Flow) instanceClient(ctx context.Context, c *Contract) (*rsc.Client, error) {
	if c.App == nil {
		return nil, errors.New("onboarding: contract has no application yet")
	}
	creds, err := f.prov.secrets.Get(ctx, c.App.SecretRef)
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256([]byte(creds.ClientID + "\x00" + creds.ClientSecret))
	f.mu.Lock()
	cc, ok := f.clients[c.App.ForeignID]
	f.mu.Unlock()
	if ok && cc.creds == digest {
		return cc.c, nil
	}
	cl, err := f.prov.partner.ForCustomer(creds.ClientID, creds.ClientSecret, f.opt.customerOptions...)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.clients[c.App.ForeignID] = cachedClient{creds: digest, c: cl}
	f.mu.Unlock()
	return cl, nil
}

// CustomerClient returns the customer client of an instance. Clients are
// cached, and the credentials are read from the SecretStore on every call:
// once a new secret is stored (LinkedIn lets an application hold two while
// the old one is retired, see docs/linkedin-api.md §6.1), a client built
// with it is returned.
func (f *Flow) CustomerClient(ctx context.Context, in Instance) (*rsc.Client, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	st, err := f.load(ctx, in.CustomerID)
	if err != nil {
		return nil, err
	}
	c := st.Contract(in.Label)
	if c == nil {
		return nil, fmt.Errorf("onboarding: unknown instance %q", in.ForeignID())
	}
	return f.instanceClient(ctx, c)
}

func (f *Flow) save(ctx context.Context, st *FlowState, c *Contract) error {
	cl, err := f.name(ctx, st, c)
	if err != nil {
		return err
	}
	acl := f.opt.usesACLs != nil && f.opt.usesACLs(st.CustomerID)
	if err := configure(ctx, cl, c.Organization, integrationConfig{CallbackURL: c.CallbackURL, UsesACLs: acl}); err != nil {
		return err
	}
	if c.SyncStartedAt.IsZero() && f.opt.startSync != nil {
		if err := f.opt.consents.CheckConsent(ctx, st.CustomerID); err != nil {
			return err
		}
		if err := f.opt.startSync(ctx, st.CustomerID, *c); err != nil {
			return fmt.Errorf("starting the historical sync: %w", err)
		}
		c.SyncStartedAt = f.now().UTC()
		f.keepStart(ctx, st)
	}
	c.SavedAt = f.now().UTC()
	return f.refresh(ctx, st, c)
}

// keepStart saves st once WithStartSync started a sync, at once and not
// only by Advance's last save: a crash, or a store failing once, in
// between would have the sync started again.
func (f *Flow) keepStart(ctx context.Context, st *FlowState) {
	if err := f.opt.store.SaveState(ctx, st); err != nil {
		f.log.WarnContext(ctx, "rsc onboarding: saving the sync's start failed; Advance saves it again", "customer", st.CustomerID, "err", err)
	}
}

func (f *Flow) notify(ctx context.Context, st *FlowState, c *Contract) error {
	if _, err := f.name(ctx, st, c); err != nil {
		return err
	}
	c.NotifiedAt = f.now().UTC()
	return f.refresh(ctx, st, c)
}

// name names the contract's integrations and returns its client.
func (f *Flow) name(ctx context.Context, st *FlowState, c *Contract) (*rsc.Client, error) {
	cl, err := f.instanceClient(ctx, c)
	if err != nil {
		return nil, err
	}
	return cl, nameIntegrations(ctx, cl, f.customerName(st), c.Organization, c.ContractURN)
}

func (f *Flow) refresh(ctx context.Context, st *FlowState, c *Contract) error {
	cl, err := f.instanceClient(ctx, c)
	if err != nil {
		return err
	}
	s, err := ReadStatus(ctx, cl, c.Organization, c.ContractURN, c.Status, f.now())
	if err != nil {
		return err
	}
	c.Status = s
	return nil
}

// ApplyStatus merges integrations from an INTEGRATION_STATUS_CHANGE into
// the instance's status (the push handler calls it), then re-reads the
// current status (I2): events carry snapshots and may arrive late or out of
// order, so the read decides. When the read fails, only the pushed
// statuses that lower access (anything but ENABLED) are kept, and the
// read's error is returned: a late ENABLED that LinkedIn did not confirm
// must not undo a DISABLED; the next read (Advance, Next) decides.
// It waits for any other call of the customer that changes its state
// (Advance, ApplyStatus, Widget), and returns ctx's error, having done
// nothing, when ctx ends first.
func (f *Flow) ApplyStatus(ctx context.Context, in Instance, ints []rsc.Integration) error {
	if ctx == nil {
		return errNilContext
	}
	st, unlock, err := f.lockLoad(ctx, in.CustomerID)
	if err != nil {
		return err
	}
	defer unlock()
	c := st.Contract(in.Label)
	if c == nil {
		return fmt.Errorf("onboarding: status change for unknown instance %q", in.ForeignID())
	}
	var mine []rsc.Integration
	for _, i := range ints {
		if (i.IntegrationContext == c.Organization && c.Organization != "") || (i.IntegrationContext == c.ContractURN && c.ContractURN != "") {
			mine = append(mine, i)
		}
	}
	if len(mine) == 0 {
		return nil
	}
	prev := c.Status
	c.Status = prev.Merge(mine, f.now())
	var readErr error
	if c.Organization != "" || c.ContractURN != "" {
		if readErr = f.refresh(ctx, st, c); readErr != nil {
			f.log.WarnContext(ctx, "rsc status re-read failed; keeping the pushed statuses that lower access", "customer", in.CustomerID, "label", in.Label, "err", readErr)
			c.Status = prev.Merge(lowering(mine), f.now())
			readErr = fmt.Errorf("onboarding: re-reading the status of %q after a status change: %w", in.ForeignID(), readErr)
		}
	}
	p, err := f.progress(ctx, st)
	if err != nil {
		return err
	}
	st.Step, st.UpdatedAt = p.Step, f.now().UTC()
	return errors.Join(f.opt.store.SaveState(ctx, st), readErr)
}

// lowering returns the integrations of ints whose status is not ENABLED:
// those a status change may apply unconfirmed, as they only take access
// away.
func lowering(ints []rsc.Integration) []rsc.Integration {
	var out []rsc.Integration
	for _, i := range ints {
		if i.Status != rsc.StatusEnabled {
			out = append(out, i)
		}
	}
	return out
}

// derive computes the active contract's step and what the user must do.
func (f *Flow) derive(ctx context.Context, st *FlowState) (Step, string, error) {
	return f.deriveFor(ctx, st, st.ActiveContract())
}

func (f *Flow) deriveFor(ctx context.Context, st *FlowState, c *Contract) (Step, string, error) {
	if !st.ToggledOn {
		return StepToggleOn, "Turn on the LinkedIn Recruiter plug-in in My Settings.", nil
	}
	if err := f.opt.consents.CheckConsent(ctx, st.CustomerID); err != nil {
		var cre *ConsentRequiredError
		if !errors.As(err, &cre) {
			return "", "", err
		}
		todo := "Read the data-privacy warning (candidate, job, application and activity data created or modified in the last two years will be shared with LinkedIn) and click Yes to proceed."
		if errors.Is(err, ErrConsentRevoked) {
			todo = "Data sharing was stopped. " + todo
		}
		return StepPrivacyConsent, todo, nil
	}
	if !st.SignedIn && !f.opt.assumeSignedIn {
		return StepSignIn, "Sign in to LinkedIn Recruiter in this browser with an admin seat, then continue.", nil
	}
	if c == nil {
		return StepChooseContract, "Choose the LinkedIn Recruiter contract to connect (if you have only one, the one listed under Corporate).", nil
	}
	if c.App == nil {
		return StepProvision, "", nil
	}
	if c.Organization == "" {
		return StepWidget, "In LinkedIn's onboarding widget, check the contract shown, click Choose Integration (Request), tick Recruiter System Connect and click Save.", nil
	}
	if c.SavedAt.IsZero() {
		return StepSave, "", nil
	}
	s := c.Status
	switch {
	case s.State == StateNotRequested:
		return StepAwaitPartnerReady, "Request Recruiter System Connect in LinkedIn's onboarding widget, then click Notify partner.", nil
	case s.State == StateRequested:
		return StepAwaitPartnerReady, "Wait a few seconds for Partner ready; if it does not appear, click Notify partner.", nil
	case !s.State.Enabled():
		return StepAdminEnable, "A LinkedIn Recruiter admin must open Admin Settings → ATS (Product settings → Manage integrations), find this integration and enable Contract Level and/or Company Level access.", nil
	case !s.SettingsOK():
		return StepProductSettings, "In LinkedIn Recruiter Product settings → Manage integrations → Show details → Edit, tick 1-Click Export, InMail Stub Profile and In-ATS Indicator and Profile Widget, then click Save.", nil
	}
	return StepEnabled, "", nil
}

func (f *Flow) progress(ctx context.Context, st *FlowState) (Progress, error) {
	step, todo, err := f.derive(ctx, st)
	if err != nil {
		return Progress{}, err
	}
	p := Progress{CustomerID: st.CustomerID, Step: step, Todo: todo, Actor: step.Actor(), Error: st.LastError}
	if c := st.ActiveContract(); c != nil {
		p.Contract, p.Status, p.StatusLine = c.Label, c.Status, c.Status.Line()
	} else {
		p.StatusLine = Status{}.Line()
	}
	if step == StepChooseContract {
		if p.Options, err = f.options(ctx, st.CustomerID); err != nil {
			return p, err
		}
	}
	return p, nil
}

// ContractProgress is one contract's step and status.
type ContractProgress struct {
	// Label and ContractURN identify the contract (see Contract).
	Label       string `json:"label"`
	ContractURN string `json:"contract,omitempty"`
	// Step is the step the contract's onboarding is at.
	Step Step `json:"step"`
	// StatusLine is Status as one line of text (Status.Line).
	StatusLine string `json:"statusLine"`
	// Status is the contract's integration status.
	Status Status `json:"status"`
}

// Contracts reports every contract of the customer (RSC-103), for the
// admin page.
func (f *Flow) Contracts(ctx context.Context, customerID string) ([]ContractProgress, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	st, err := f.load(ctx, customerID)
	if err != nil {
		return nil, err
	}
	out := make([]ContractProgress, 0, len(st.Contracts))
	for i := range st.Contracts {
		c := &st.Contracts[i]
		step, _, err := f.deriveFor(ctx, st, c)
		if err != nil {
			return nil, err
		}
		out = append(out, ContractProgress{Label: c.Label, ContractURN: c.ContractURN, Step: step, StatusLine: c.Status.Line(), Status: c.Status})
	}
	return out, nil
}

// Widget returns the widget configuration for the customer's active
// contract (StepWidget and later): its client id and, when signer is not
// nil, a state token for the admin's session (see SessionFunc). The
// token's nonce is recorded in the customer's state: only the latest
// widget rendered for a contract can post back, and only once. It waits
// for any other call of the customer that changes its state (Advance,
// ApplyStatus, Widget), and returns ctx's error, having done nothing, when
// ctx ends first.
func (f *Flow) Widget(ctx context.Context, customerID, session, postURL string, signer *StateSigner) (IntegrationWidget, error) {
	if ctx == nil {
		return IntegrationWidget{}, errNilContext
	}
	st, unlock, err := f.lockLoad(ctx, customerID)
	if err != nil {
		return IntegrationWidget{}, err
	}
	defer unlock()
	c := st.ActiveContract()
	if c == nil || c.App == nil {
		return IntegrationWidget{}, errors.New("onboarding: no provisioned contract yet; advance the flow first")
	}
	w := IntegrationWidget{APIKey: c.App.ClientID, PostURL: postURL}
	if signer == nil {
		return w, nil
	}
	if w.State, c.WidgetNonce, err = signer.Sign(customerID, c.Label, session); err != nil {
		return w, err
	}
	return w, f.opt.store.SaveState(ctx, st)
}

// WidgetHandler returns the handler of the widget's POST back (see
// WidgetHandler for what it checks), which advances the flow with the
// payload for the contract the state token names. signer checks the tokens
// Flow.Widget issued and session identifies the posting admin; both are
// required.
func (f *Flow) WidgetHandler(signer *StateSigner, session SessionFunc) (*WidgetHandler, error) {
	if signer == nil || session == nil {
		return nil, errors.New("onboarding: WidgetHandler needs a StateSigner and a SessionFunc")
	}
	return &WidgetHandler{signer: signer, session: session, origins: slices.Clone(f.cfg.Domains), flow: f}, nil
}

// PushHandler returns the handler of the push notifications LinkedIn
// sends to the CALLBACK_URLs built from FlowConfig.PushBase, whose path
// prefix is pathPrefix (see PushHandler for what it verifies). Status
// changes update the flow. Its options are WithClock, WithLogger,
// WithExportHandler, WithPushWorkers, WithFetchTimeout, WithDedup and
// WithUnsignedPushes. Close it when done.
//
// PushBase's path must end with pathPrefix (the whole path, or what is
// left of it behind a proxy that strips a prefix): a handler mounted
// elsewhere would refuse every push, so PushHandler refuses to build it.
func (f *Flow) PushHandler(pathPrefix string, opts ...Option) (*PushHandler, error) {
	if base, err := url.Parse(f.cfg.PushBase); err != nil ||
		!strings.HasSuffix(strings.TrimRight(base.Path, "/"), strings.TrimRight(pathPrefix, "/")) {
		return nil, fmt.Errorf("onboarding: PushHandler: the path prefix %q is not the end of FlowConfig.PushBase's path (%s): every push would be refused", pathPrefix, f.cfg.PushBase)
	}
	c, err := newConfig(forPush, append([]Option{WithClock(f.opt.clock), WithLogger(f.log)}, opts...))
	if err != nil {
		return nil, err
	}
	resolve := instanceFromPath(pathPrefix)
	return newPushHandler(pushConfig{
		resolve: func(r *http.Request) (Instance, error) {
			in, err := resolve(r)
			if err != nil {
				return in, err
			}
			st, err := f.load(r.Context(), in.CustomerID)
			if err != nil {
				return in, err
			}
			if c := st.Contract(in.Label); c == nil || c.App == nil {
				return in, fmt.Errorf("%w %q", errUnknownInstance, in.ForeignID())
			}
			return in, nil
		},
		secret: func(ctx context.Context, in Instance) (string, error) {
			creds, err := f.opt.secrets.Get(ctx, secretRef(in.ForeignID()))
			return creds.ClientSecret, err
		},
		client:   f.CustomerClient,
		onStatus: f.ApplyStatus,
	}, c), nil
}
