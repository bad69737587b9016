// Package onboarding walks an ATS customer through enabling LinkedIn
// Recruiter System Connect (docs/linkedin-api.md §6): provisioning a child
// application, the LinkedIn widgets, data-privacy consent, naming and
// configuring the integrations, and following their status until the
// LinkedIn admin has enabled them.
//
// # The flow
//
// Flow is the orchestrator. Flow.Advance(ctx, customerID, Input) applies what
// the ATS page reports (toggle on, consent, signed in, contract choice, the
// widget's post-back, "Notify partner"), performs the automatic steps, reads
// the integration status, persists the state (StateStore) and returns a
// Progress: the current Step, what the user must do next (Todo), who must
// act, and a status line for the admin page (RSC-101). Flow.Next reports the
// same without acting. The step is derived from stored facts, so the flow
// resumes after a crash or after the user leaves the page, and every call is
// idempotent (provisioning is an Ensure, naming a $set, configurations
// upserts).
//
// The steps and the seed flows they cover:
//
//	Step                  Tracker seed                   LinkedIn's enabling page
//	StepToggleOn          1-2 My Settings, plug-in on
//	StepPrivacyConsent    3 data-privacy warning, Yes
//	StepSignIn            4 sign in to LinkedIn          ATS 1-2 Sign in, credentials
//	StepChooseContract    5 Choose a Contract            ATS 3 select the contract
//	StepProvision         (child app + JS SDK domains: invisible to users)
//	StepWidget            6-7 widget, tick RSC           Request under RSC
//	StepSave              8 Save: historical sync        (partner names the integrations)
//	StepAwaitPartnerReady 9 OK; wait for Partner ready   Partner ready / Notify Partner
//	StepAdminEnable       10-14 Product settings,        Recruiter 1-2 Admin Settings → ATS,
//	                      Manage integrations            contract and/or company level
//	StepProductSettings   15 1-Click Export, InMail
//	                      Stub Profile, In-ATS Indicator
//	StepEnabled           Milestone 1                    Recruiter 3 Activated / Enabled
//
// # Construction
//
// NewFlow takes a FlowConfig (what the Flow must know: the partner client,
// the push base URL, the names and origins of child applications) and
// Options (dependencies, hooks and tunables with defaults: WithClock,
// WithSecretStore, WithStartSync, ...). Options validate their input and
// constructors return the first error; an option given to a constructor it
// does not apply to is an error too.
//
// Every function and method of the package given a nil context returns an
// error ("onboarding: nil context") and does nothing: it reads and writes no
// store, sends nothing and starts no goroutine. WithConsent then returns a
// nil context and a cancel function that does nothing.
//
// # Contracts (RSC-103)
//
// Each Recruiter contract a customer connects is an instance with its own
// child application (uniqueForeignId: the customer id for the default
// contract, "{customerID}:{label}" for others), its own CALLBACK_URL and
// its own status. With WithContractOptions listing more than one contract
// the flow stops at StepChooseContract; Input.Contract chooses, switches or
// adds one.
//
// # Consent and the sync engine
//
// ConsentRegistry records who confirmed the data-privacy warning, when, the
// two-year window and the data categories (candidate, job, application and
// activity data: the sync shares all four, so a consent covers all four or
// none). It implements the sync engine's rscsync.ConsentGuard
// (import rscsync "github.com/rscgo/rscgo/sync"): CheckConsent returns a
// *ConsentRequiredError matching rscsync.ErrNoConsent, and also
// ErrConsentRevoked after Revoke (Input.ToggleOff revokes). Pass it to the
// engine with rscsync.WithConsent. The flow calls the WithStartSync
// function only after the check passes. ConsentRegistry.WithConsent also
// gives a context that is cancelled (cause ErrConsentRevoked) when consent
// is revoked.
//
// # Widgets
//
// IntegrationWidget and ProfilePlugin render LinkedIn's snippets with
// html/template. Flow.Widget configures the integration widget for the
// admin's session with a StateSigner token: bound to that session, single
// use (its nonce is kept in the customer's state and consumed by the first
// post-back) and short-lived (DefaultStateTTL). The widget's onintegrate
// callback POSTs a WidgetPayload as JSON to Flow.WidgetHandler, which
// refuses cross-site posts (Content-Type, Origin, Sec-Fetch-Site) and
// tokens that are not the session's own, then checks the URNs against the
// integrations LinkedIn lists for the customer's application. Widget input
// is refused once the contract's integrations are enabled, until the admin
// restarts onboarding (Input.Restart), and URNs whose steps fail are not
// kept. The payload LinkedIn passes to onintegrate is undocumented;
// WidgetPayload documents what we accept.
//
// # Push events
//
// Flow.PushHandler serves customers' CALLBACK_URLs (docs/linkedin-api.md
// §8.1): it answers at once, requires X-LI-Signature and verifies it with
// the instance's client secret before anything else happens (401 when
// missing or wrong), refuses bodies that are not UTF-8 JSON events, drops
// replays (a bounded in-memory LRU with TTL), and fetches payloads by
// request id in a bounded worker pool (503 when full):
// INTEGRATION_STATUS_CHANGE updates the flow's status (then re-reads it,
// as events may arrive late); EXPORT_CANDIDATE_PROFILE goes to the
// WithExportHandler function.
//
// # Secrets
//
// Child application secrets live in a SecretStore. Flow state, Progress,
// errors and logs hold only the client id and a reference; Credentials
// never print their secret. MemorySecretStore suits tests and
// FileSecretStore a single host; see SecretStore for production.
package onboarding
