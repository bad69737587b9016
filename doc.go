// Module rscgo is a Go SDK for LinkedIn Recruiter System Connect (RSC), for
// applicant-tracking-system vendors.
//
// Packages:
//
//   - rsc: the core client: OAuth tokens, Rest.li encoding, batching,
//     safe retries, pacing under LinkedIn's throttles, typed errors, and a
//     service per API area (provisioning, integrations, jobs, candidates,
//     applications, ACLs, exports, seats, InMail, stubs, notes).
//   - rsc/rsctest: a fake RSC server (like net/http/httptest) with LinkedIn's
//     validation rules, throttles, simulated LinkedIn-side actions and fault
//     injection; rsc/rsctest/cmd/rscfake runs it standalone.
//   - onboarding: provisioning a customer's child application, the widgets,
//     contract choice, data-privacy consent, naming and configuring
//     integrations, integration status and push events.
//   - sync: the Source interface an ATS implements and the engine that runs
//     the historical and incremental sync with checkpoints and dead letters
//     (import it as rscsync: its name is the product's, not the standard
//     library's); sync/sourcetest checks a Source for conformance, in the
//     spirit of testing/fstest; sync/sqlsource reads SQL tables for a
//     Source in keyset pages.
//   - milestones: which features are enabled, for which records, as the
//     background sync progresses.
//   - webhook: one handler for every push LinkedIn sends to the customers'
//     callback URLs, dispatching status changes to onboarding and exports to
//     inmail.
//   - console: the operators' console (customers, milestones, progress, dead
//     letters and their retry) as an http.Handler.
//   - inmail: InMail, prospect notes, stub profiles, 1-Click Export and member
//     deletions brought into the ATS.
//   - internal/restli: Rest.li 1.0 and 2.0 key encoding, decoding and query
//     tunnelling; internal/pushq: what every push handler shares (reading and
//     authenticating a push, a bounded queue, replay memory);
//     internal/fsutil, internal/option, internal/fuzzseed and
//     internal/textenum: small shared helpers.
//   - internal/chaos, internal/badinput, internal/secretleak: the suites that
//     prove the claims (faults and crashes lose nothing, bad records never
//     stop a sync, no secret leaks); internal/benchreport regenerates
//     docs/benchmarks.md (./test.sh bench).
//   - internal/docscheck and internal/readme: the documentation checks
//     (comments cite sections of docs/linkedin-api.md that exist; README's
//     examples are compiled).
//
// Three more modules live in the repository, so that this one depends on
// little: examples (the Tracker reference adapter and the demo program),
// fleet (PostgreSQL stores, store conformance tests, leases and River jobs
// for running customers on many machines) and otel (OpenTelemetry traces and metrics).
// docs/linkedin-api.md lists the LinkedIn API facts the code relies on, with
// links to LinkedIn's documentation.
package rscgo
