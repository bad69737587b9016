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
// # Driving a running fake
//
// A fake in another process (cmd/rscfake, or New with a listener) is
// driven over HTTP, from any language, by admin endpoints under /_rsctest/,
// each the Go method named on its line. So that a web page open in the
// developer's browser cannot drive them, every admin request needs a
// loopback Host (localhost, 127.0.0.1, [::1], or the in-process base of
// WithoutListener), POSTs need Content-Type application/json (which a
// cross-site request cannot send without a CORS preflight the fake never
// grants), bodies are capped at 1 MiB, and WithAdminToken adds a bearer
// token. {org} is a customer's organization URN, its numeric id, or the
// customer's client id. Answers are JSON; an endpoint's refusal has a 4xx
// status and LinkedIn's error body ({"message": ..., "status": ...}), while
// an unknown path or method gets net/http's plain-text 404 or 405.
//
//	GET  /_rsctest/state                          Server.State: every customer's CustomerState
//	GET  /_rsctest/requests                       Server.Requests: the request log
//	GET  /_rsctest/pushes                         Server.Pushes: every push event
//	POST /_rsctest/pushes/deliver                 Server.DeliverPushes: {"delivered": n}, with
//	                                              "error" when a delivery failed
//	POST /_rsctest/customers                      add a customer: body a CustomerSpec, answer its CustomerState
//	GET  /_rsctest/customers/{org}                Customer.Snapshot: its CustomerState
//	POST /_rsctest/customers/{org}/request        Customer.RequestIntegrations: {"requestId": id}
//	POST /_rsctest/customers/{org}/notify         Customer.NotifyPartner: {"requestId": id}
//	POST /_rsctest/customers/{org}/enable?company=true&contract=true
//	                                              SetCompanyAccess, SetContractAccess (another value disables):
//	                                              {"requestIds": [...], "integrations": [...]}
//	POST /_rsctest/customers/{org}/settings       SetProductSettings: body the rsc.ProductSettings fields
//	                                              to change, {"requestId": id}
//	POST /_rsctest/customers/{org}/seats?member=&contract=&state=
//	                                              Customer.AddSeat: the Seat
//	POST /_rsctest/customers/{org}/export?seat=&member=&job=
//	                                              Customer.Export: {"requestId": id}
//	POST /_rsctest/customers/{org}/inmail?seat=&member=&subject=&body=
//	                                              Customer.SendInMail: {"conversation": urn}
//	POST /_rsctest/customers/{org}/reply?conversation=&body=&share=true
//	                                              Customer.ReplyInMail
//	POST /_rsctest/customers/{org}/prospectNotes?seat=&member=&note=
//	                                              Customer.WriteProspectNote: {"id": id}
//	POST /_rsctest/customers/{org}/prospectNotes/{id}/deactivate
//	                                              Customer.DeactivateProspectNote
//	POST /_rsctest/members                        Server.AddMember: body a MemberSpec, answer the Member
//	POST /_rsctest/members/{person}/close         Server.CloseMemberAccount
//	POST /_rsctest/tokens/revoke?clientId=        Server.RevokeTokens: {"revoked": n}
//	POST /_rsctest/faults                         Server.SetFaults: body a []Fault, {"rules": n}
//	POST /_rsctest/webhooks/validate?url=         Server.ValidateWebhook: {"valid": bool}, with "error"
//	                                              when the webhook failed the challenge
//	POST /_rsctest/customers/{org}/jobResync?url=&job=&job=&all=true
//	                                              Customer.SendJobResync: {"status": n}, the webhook's
//	                                              answer, with "error" when the POST failed
//
// Onboarding a customer against a running fake goes as with LinkedIn, the
// admin's clicks being admin calls:
//
//  1. Provisioning the customer's child application (POST
//     /v2/provisionedApplications with the partner's token, as
//     onboarding.Provisioner does) adds a customer with the next free
//     organization (urn:li:organization:1001, ...) and contract
//     (urn:li:contract:5001, ...); POST /_rsctest/customers adds one with
//     the organization and contracts of your choice.
//  2. POST .../request: the admin pre-authorises the integrations in the
//     widget. A real widget then hands the page the customer's organization
//     and contracts (onboarding.WidgetPayload); against the fake, read them
//     from GET /_rsctest/customers/{org} ("organization", "contracts") and
//     post that payload to your onboarding.WidgetHandler.
//  3. The ATS names the integrations (rsc.IntegrationsService.Name, as
//     onboarding.Flow does): PARTNER_READY.
//  4. POST .../enable?company=true&contract=true: the admin enables them,
//     and INTEGRATION_STATUS_CHANGE pushes are queued: POST
//     /_rsctest/pushes/deliver sends them to the CALLBACK_URL (cmd/rscfake
//     delivers them in the background).
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
