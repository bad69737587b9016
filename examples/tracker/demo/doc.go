// Package demo is the whole Tracker integration with LinkedIn Recruiter
// System Connect, end to end, as one function: Run. The tracker-demo command
// is a thin flag parser over it, and the tests call it too.
//
// A run:
//
//  1. opens Tracker's SQLite database and, on the first run, fills it with
//     three years of synthetic data (about 1% of the records deliberately
//     break LinkedIn's rules);
//  2. walks the set-up steps of Tracker's help page in order: My Settings,
//     the plug-in toggle, the data-privacy warning and consent, sign-in,
//     the contract, LinkedIn's widget, Save (which starts the historical
//     sync in the background), then the LinkedIn admin's access toggles and
//     product settings, simulated on the fake (package onboarding);
//  3. shows the historical sync of the last two years with a progress bar
//     per phase in a terminal (github.com/vbauerster/mpb; log lines
//     otherwise) (package sync), and announces each feature milestone as it
//     is reached, with the features it enables and their scope (package
//     milestones);
//  4. brings LinkedIn data into Tracker: an InMail conversation with shared
//     contact details, a 1-Click Export to a Tracker job and a member
//     closing their account (package inmail, with tracker.Sink);
//  5. ends with the feature table, the reconciliation of Tracker's totals
//     against what LinkedIn holds, and the dead letters.
//
// The Monitor serves the operators' console (package console) over the
// run's stores, a page of the run, and the metrics of Telemetry in
// Prometheus's format (Monitor.Handler).
//
// # Fleet mode
//
// RunFleet runs the demo for many generated customers across worker
// processes sharing one PostgreSQL database (tracker-demo -postgres URL
// -workers N): the parent generates each customer's Tracker, provisions the
// customers on the fake LinkedIn it serves on a loopback port, enqueues
// their syncs as River jobs (package fleet/riverrun) and starts the
// workers, which run RunWorker: each slice of a customer's sync runs under
// the customer's lease (package fleet/lease), its checkpoint committed
// through the lease's fence (package fleet/pgstore). The console (on
// -http) adds the fleet view: who holds each customer's lease, until when,
// and its jobs.
//
// # LinkedIn
//
// By default LinkedIn is the fake of package rsctest, started in-process
// with relaxed throttles (a million records a minute instead of LinkedIn's
// 10,000) so that the demo takes seconds. Config.LinkedInURL points the
// demo at another RSC-compatible server instead, such as
//
//	go run ./rsc/rsctest/cmd/rscfake -no-throttle
//
// whose /_rsctest/ endpoints play the LinkedIn side.
//
// # Stopping and resuming
//
// Everything the demo keeps lives in Config.DataDir: Tracker's database,
// the sync checkpoints and dead letters, the onboarding state, consents and
// child application secrets (files of mode 0600), the milestone events and
// the InMail cursors. Kill the demo at any point (Ctrl-C, or kill -9) and
// start it again with the same directory: onboarding continues from its
// stored facts, the sync from its last checkpoint (resending at most the
// batches that were in flight), milestones already announced are not
// announced again, and the LinkedIn round trip is not repeated. A run that
// finished leaves a marker (demo-finished): the next run wipes the
// directory's demo files and starts fresh, unless Config.KeepFinished asks
// to run again over the data (an incremental sync with nothing to send).
// The first line of the output says whether a run starts fresh, resumes or
// runs again.
//
// LinkedIn keeps what it acknowledged across an ATS restart; an in-process
// fake would not. So the in-process fake journals every request it serves
// and every simulated LinkedIn-side action (linkedin-fake.journal in the data
// directory, without tokens or secrets), and a restarted demo first replays
// the journal into a new fake: the fake draws its ids from a seeded source,
// so it rebuilds the same state with the same ids. The replay stands in for
// LinkedIn's own persistence and is not part of an integration; a server
// given by URL keeps its own state and nothing is replayed.
package demo
