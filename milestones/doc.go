// Package milestones answers "which Recruiter System Connect features work
// for this customer right now, for which records, and if not, why not?".
//
// # The model
//
// When a customer enables the integration, some features work at once and
// others wait for the ATS's one-time historical (background) sync. The sync
// is broken into milestones, each of which enables or widens features:
//
//	1 Integration Enabled       the customer turned on company- and/or contract-level access
//	2 Job Sync Completed        all historical jobs were synced (rscsync.PhaseJobs completed)
//	3 Candidate Sync Completed  all historical candidates were synced (rscsync.PhaseCandidates)
//	4 Shortlist Sync Completed  all historical shortlist records were synced (rscsync.PhaseApplications)
//	5 Activity Sync Completed   all historical activities were synced (rscsync.PhaseActivities)
//
// Milestone 1 needs the integration enabled with at least one access level.
// Milestone k (2..5) needs milestone k-1 and the matching phase of the sync
// engine (package sync, imported as rscsync) to be Completed, so an
// application sync finishing before the candidate sync does not count until
// the candidate sync is done too.
//
// Each Feature in the Catalogue has a Scope per milestone: ScopeNone (not yet
// available), ScopeNewAndUpdated (only records created or updated since the
// integration was enabled, because only those have been pushed by the
// incremental sync) or ScopeAll. The catalogue is copied from the vendor
// documentation's "Feature Enablement Milestones" section (a verbatim copy is
// in testdata/seed-milestones.txt and a test keeps the two in step).
//
// # Gates beyond the sync
//
// A feature also needs the right integration access level and, for some, a
// LinkedIn Recruiter product setting ("Product settings → Manage integrations"
// in Recruiter). The choices, with the reason for each:
//
//	Feature                         Access     Product setting
//	ExportToATS                     any        1-Click Export
//	ShareContactInfoInMail          contract   InMail Stub Profile
//	CandidateDataOnProfiles         any        In-ATS Indicator
//	ShortlistMemberToJob            any        1-Click Export
//	ProfileOnCandidateRecord        any        Profile Widget
//	InMailSync                      contract   (none)
//	MemberDeletionActivity          any        (none)
//	ShortlistDataOnProfiles         any        In-ATS Indicator
//	CandidateActivitiesOnProfiles   any        In-ATS Indicator
//	ShortlistActivitiesOnProfiles   any        In-ATS Indicator
//
// Access: LinkedIn's enablement page says contract-level access enables "all
// RSC features (e.g. export LinkedIn profiles to your ATS, view ATS candidate
// info, including InMails and Notes history)" and company-level access enables
// the same "except InMail and Notes history". So the InMail features (InMail
// sync, stub profiles behind "Share contact information") need contract-level
// access (the CSA_API integration), and every other feature works with either
// level (AnyAccess). CompanyAccess exists for callers who want to require the
// organization-level integrations specifically; the catalogue does not use it.
//
// Product settings: "Export to ATS" and shortlisting a member to a job from
// LinkedIn are both One-Click Export (exporting to a chosen job), so both
// need the 1-Click Export setting. "Share contact information" produces an
// InMail stub profile, so it needs InMail Stub Profile. Everything "visible on
// LinkedIn profiles" is shown by the In-ATS indicator. The LinkedIn profile
// shown on a candidate record is the profile widget. InMail history and the
// closed-profile (member deletion) notices are API reads with no product
// setting of their own.
//
// # Refused records
//
// A phase completes when its stream was read to the end, including records
// the sync engine refused (the client's validation or LinkedIn said no; they
// are in its dead letters, not on LinkedIn). Their milestone is still reached,
// but says so: PhaseProgress.DeadLettered counts them, Report.Refused and
// Event.Text list them ("3 of 3 jobs refused: see the dead letters"), and a
// feature scoped to all records of a kind reports the refused ones in
// FeatureStatus.Refused and never claims them (ScopeText: "all jobs except 3
// refused", or "no jobs: all 3 were refused" when LinkedIn has none).
// Engine.RetryDeadLetters resends them once the ATS data is fixed.
//
// # Using it
//
// Build a State from the onboarding status (Enabled, EnabledAt, Access), the
// product settings and the sync engine's per-phase checkpoints, then call
// Evaluate for a Report of every feature (Report.Text for an admin page, or
// encoding/json), or Available for one record ("is the In-ATS indicator
// expected for this candidate, last modified at T?"). A Tracker compares each
// State with milestones persisted in an EventStore and returns the newly
// reached ones exactly once, surviving restarts; Trackers sharing a store
// do too when the store is an EventAppender (MemoryStore and FileStore
// within a process, PostgreSQL across processes), as Tracker details.
//
// It depends on onboarding and sync, never the other way round: StateFrom
// builds a State from an onboarding.Status and the sync engine's phase
// states, and PhaseFromProgress converts a live sync.Progress event. The
// product settings are rsc.ProductSettings, as onboarding reads them. A
// Tracker dates events whose phase has no completion time with its clock
// (WithClock).
//
// Every method of the package given a nil context (a Tracker's, an
// EventStore's of this package) returns an error ("milestones: nil
// context") and does nothing: it reads and writes no store.
package milestones
