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
// # Contracts (RSC-103)
//
// Each Recruiter contract a customer connects is an instance with its own
// child application (uniqueForeignId ForeignID(customerID, label): the
// customer id for the default contract, "{customerID}:{label}" for others),
// its own CALLBACK_URL (CallbackURL) and its own status. With
// FlowConfig.Contracts listing more than one contract the flow stops at
// StepChooseContract; Input.Contract chooses, switches or adds one.
//
// # Consent and the sync engine
//
// ConsentRegistry records who confirmed the data-privacy warning, when, the
// two-year window and the data categories (candidate, job, placement and
// activity data). It implements the sync engine's guard:
//
//	CheckConsent(ctx, customerID) error
//
// which returns a *ConsentRequiredError matching ErrNoConsent, or
// ErrConsentRevoked after Revoke (Input.ToggleOff revokes). The flow calls
// FlowConfig.StartSync only after the check passes. Until the sync engine
// checks it itself, wrap a sync run with ConsentRegistry.WithConsent, which
// refuses to start without consent and cancels the run's context (cause
// ErrConsentRevoked) when consent is revoked.
//
// # Widgets
//
// IntegrationWidget and ProfilePlugin render LinkedIn's snippets with
// html/template. The integration widget's onintegrate callback POSTs a
// WidgetPayload to a WidgetHandler (Flow.WidgetHandler), bound to the
// customer by a StateSigner token or by the ATS session. The payload
// LinkedIn passes to onintegrate is undocumented; WidgetPayload documents
// what we accept.
//
// # Push events
//
// PushHandler serves customers' CALLBACK_URLs: it answers at once, verifies
// X-LI-Signature when present (401 when wrong), drops replays (bounded LRU
// with TTL), and fetches payloads by request id in a bounded worker pool:
// INTEGRATION_STATUS_CHANGE updates the flow's status (then re-reads it, as
// events may arrive late); EXPORT_CANDIDATE_PROFILE goes to a pluggable
// function.
//
// # Secrets
//
// Child application secrets live in a SecretStore (MemorySecretStore,
// FileSecretStore with 0600 files). Flow state, Progress, errors and logs
// hold only the client id and a reference; Credentials never print their
// secret.
package onboarding
