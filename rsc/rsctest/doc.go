// Package rsctest is a faithful fake of LinkedIn Recruiter System Connect
// (RSC), in the spirit of net/http/httptest. LinkedIn has no sandbox, so
// tests, benchmarks and demos of an ATS integration run against this server.
//
// It serves the OAuth endpoints (/oauth/v2/accessToken, /oauth/v2/introspectToken),
// every /v2 resource of docs/linkedin-api.md §1 and the versioned /rest names of §11
// (LinkedIn-Version: YYYYMM required), enforces the rules of docs/linkedin-api.md §13
// (token scoping, both Rest.li key syntaxes, query tunnelling, 414s,
// X-RestLi-Method, batch limits, per-entity validation, full-replace and
// $set/$delete semantics, job tasks, cascades, paging) and LinkedIn's
// throttles, and simulates the LinkedIn side: admins requesting and enabling
// integrations, members, seats, One-Click Exports, InMails, prospect notes and
// closed accounts. Shapes LinkedIn leaves unconfirmed follow docs/wire-model.md.
//
// # Usage
//
//	srv := rsctest.NewServer(rsctest.WithClock(clock))
//	defer srv.Close()
//	cust := srv.AddCustomer(rsctest.CustomerSpec{Organization: "urn:li:organization:1000"})
//	// point the client at srv.URL() and srv.TokenURL() with cust.ClientID/ClientSecret,
//	// or use srv.Transport() to serve requests in-process (no sockets).
//	...
//	c, ok := cust.Candidate("C1") // assert what LinkedIn holds
//
// NewServer panics on an invalid option, as a test helper may; a program
// calls New, which returns the error (cmd/rscfake does).
//
// # Time
//
// Every time-dependent behaviour (throttle windows, token expiry, task
// progress, push expiry, timestamps) reads the rsc.Clock given to WithClock;
// FakeClock is a settable one. Injected latency waits with that clock's
// Sleep (FakeClock.Sleep advances the clock instead of sleeping). Inside a testing/synctest bubble,
// use Transport() so that no socket is involved.
//
// # Push events
//
// Push events (EXPORT_CANDIDATE_PROFILE, INTEGRATION_STATUS_CHANGE) are queued
// when they happen and, by default (PushManual), POSTed only when the test
// calls DeliverPushes: delivery is explicit and deterministic, and nothing
// POSTs while a handler holds state. Pushes lists every push (delivered or
// not), so tests with no callback server can read them directly.
// WithPushMode(PushBackground) delivers from a goroutine (cmd/rscfake).
// CALLBACK_URL must be https, or http on a loopback host.
//
// # Fields
//
// As LinkedIn does, the fake refuses a record holding a field its
// resource's schema does not have, in the request family's names (a /v2
// name on /rest is unknown there): 403 "Unpermitted fields present in
// REQUEST_BODY: Data Processing Exception while processing fields
// [/path, ...]", nested records' fields included, where LinkedIn publishes
// them (not inside addresses and phone numbers). The error is per record
// (in the batch answer's errors, or a batch_create element); the other
// records of the batch are taken. WithLenientFields stores such fields
// instead, for vendors whose extension fields LinkedIn takes.
//
// # Choices where LinkedIn is silent
//
//   - Batch deletes of absent entities answer 204 (idempotent).
//   - manualMatchedMember is LinkedIn-side link state: a batch_update that
//     omits it keeps the link (other fields are fully replaced).
//   - Job operations take effect at batch_create; the task reports the
//     outcome decided at creation on the first poll, or IN_PROGRESS for the
//     first n polls with WithJobTaskLatency(n). CLOSE needs only
//     externalJobPostingId and jobPostingOperationType; CREATE of a listed
//     job and UPDATE/RENEW of an unknown job fail the task. A CLOSE of a
//     job the fake does not hold listed (unknown, closed, or not created
//     yet) is LinkedIn's 409 at batch_create, with no task.
//   - Throttles count per customer application and resource (prospect
//     interactions share one bucket); requests rejected before the throttle
//     (401, 403 scoping, 400 bad ids, 414) are not counted.
//   - As Rest.li's router does, batch_update, batch_partial_update and
//     batch_delete are inferred from the verb and the ids without
//     X-RestLi-Method; a batch_create without it is the 403 LinkedIn
//     documents for simpleJobPostings, and a header the verb cannot carry
//     (GET with BATCH_DELETE) is a 400.
//   - Keys are parsed with the protocol X-RestLi-Protocol-Version names
//     (1.0 when absent); the other protocol's syntax is a 400. Simple ids in
//     a batch body are read literally, compound ones with the protocol's
//     decoding ('+' is a space in 1.0), and response keys are spelled as
//     Rest.li spells them.
//   - rest/integrationConfigurations keys are (integrationContext,
//     integrationType, tenantType, configurationKey).
//   - Status changes made by the partner (I1 naming) also push
//     INTEGRATION_STATUS_CHANGE, as do product-setting toggles.
//   - Push payloads (E1, I3) stay readable for Limits.PushPayloadTTL (7 days).
package rsctest
