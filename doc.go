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
//     the historical and incremental sync with checkpoints and dead letters;
//     sync/sourcetest checks a Source for conformance.
//   - milestones: which features are enabled, for which records, as the
//     background sync progresses.
//   - inmail: InMail, prospect notes, stub profiles, 1-Click Export and member
//     deletions brought into the ATS.
//   - internal/restli: Rest.li 1.0 and 2.0 key encoding, decoding and query
//     tunnelling; internal/fsutil, internal/fuzzseed and internal/textenum:
//     small shared helpers.
//   - internal/chaos, internal/badinput, internal/secretleak: the suites that
//     prove the claims (faults and crashes lose nothing, bad records never
//     stop a sync, no secret leaks); internal/benchreport regenerates
//     docs/benchmarks.md (./test.sh bench).
//
// The examples module (directory examples) holds the Tracker reference
// adapter and the demo program.
package rscgo
