package milestones_test

import (
	"fmt"
	"time"

	"github.com/rscgo/rscgo/milestones"
	rscsync "github.com/rscgo/rscgo/sync"
)

// A customer with company-level access only, whose historical sync has
// finished jobs and candidates and is working through shortlists.
func Example() {
	enabled := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := milestones.State{
		Enabled:   true,
		EnabledAt: enabled,
		Access:    milestones.Access{CompanyLevel: true},
		Settings:  milestones.AllSettings(),
		Phases: map[rscsync.Phase]milestones.PhaseProgress{
			rscsync.PhaseJobs:         {Done: 1200, Total: 1200, Completed: true, CompletedAt: enabled.Add(20 * time.Minute)},
			rscsync.PhaseCandidates:   {Done: 48000, Total: 48000, Completed: true, CompletedAt: enabled.Add(5 * time.Hour)},
			rscsync.PhaseApplications: {Done: 4000, Total: 10000, RecordsPerMinute: 150},
		},
	}
	fmt.Print(milestones.Evaluate(s).Text())

	ok, why := milestones.Available(s, milestones.ShortlistActivitiesOnProfiles, enabled.Add(-24*time.Hour))
	fmt.Printf("\n%v: %s\n", ok, why)
	// Output:
	// Integration:  enabled 2026-03-01 09:00 UTC; company-level access
	// Settings:     1-Click Export on, InMail Stub Profile on, In-ATS Indicator on, Profile Widget on
	// Milestone:    3 of 5 (Candidate Sync Completed)
	//
	// Sync              Milestone                   Progress
	// Job Sync          2 Job Sync Completed        completed 2026-03-01 09:20 UTC
	// Candidate Sync    3 Candidate Sync Completed  completed 2026-03-01 14:00 UTC
	// Application Sync  4 Shortlist Sync Completed  40% done, about 40 minutes left
	// Activity Sync     5 Activity Sync Completed   not started
	//
	// Feature                                                                     Status    Scope                                   Reason
	// 'Export to ATS' button available on LinkedIn profiles                       enabled   all candidates
	// Option to "Share contact information" in InMail synced to the ATS           disabled  -                                       needs contract-level access (CSA_API) to be enabled in Recruiter
	// Candidate data from the ATS visible on LinkedIn profiles                    enabled   all candidates
	// Ability to shortlist a LinkedIn member to a job from LinkedIn               enabled   all jobs
	// LinkedIn profile visible on candidate records in the ATS                    enabled   all candidates
	// InMail is periodically synced to candidate records                          disabled  -                                       needs contract-level access (CSA_API) to be enabled in Recruiter
	// A LinkedIn member deleting their profile results in an activity in the ATS  enabled   all candidates
	// Candidate shortlist data from the ATS visible on LinkedIn profiles          enabled   new and updated shortlist records only  all shortlist records once Application Sync completes (40% done, about 40 minutes left)
	// Candidate activities from the ATS visible on LinkedIn profiles              enabled   new and updated activities only         all activities once Activity Sync completes (after Application Sync, now 40% done, about 40 minutes left)
	// Shortlist activities from the ATS visible on LinkedIn profiles              disabled  -                                       waiting for Application Sync: 40% done, about 40 minutes left
	//
	// false: waiting for Application Sync: 40% done, about 40 minutes left
}

// Asking about one record: is the In-ATS indicator expected for a candidate
// last modified before the integration was enabled?
func ExampleAvailable() {
	enabled := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := milestones.State{
		Enabled:   true,
		EnabledAt: enabled,
		Access:    milestones.Access{CompanyLevel: true, ContractLevel: true},
		Settings:  milestones.AllSettings(),
		Phases: map[rscsync.Phase]milestones.PhaseProgress{
			rscsync.PhaseJobs:       {Done: 300, Total: 300, Completed: true},
			rscsync.PhaseCandidates: {Done: 6100, Total: 10000, RecordsPerMinute: 97.5},
		},
	}
	ok, why := milestones.Available(s, milestones.CandidateDataOnProfiles, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
	fmt.Printf("%v %q\n", ok, why)
	ok, why = milestones.Available(s, milestones.CandidateDataOnProfiles, enabled.Add(time.Hour))
	fmt.Printf("%v %q\n", ok, why)
	// Output:
	// false "record last modified 2026-01-02 before the integration was enabled 2026-03-01; available once Candidate Sync completes (61% done, about 40 minutes left)"
	// true ""
}

// Records the sync engine refused are not on LinkedIn: the milestone is
// reached, but says how many records were refused and where to look, and no
// feature claims them.
func ExampleReport_refused() {
	s := milestones.State{
		Enabled: true, Access: milestones.Access{ContractLevel: true}, Settings: milestones.AllSettings(),
		Phases: map[rscsync.Phase]milestones.PhaseProgress{
			// Every job's description was under LinkedIn's 100 characters.
			rscsync.PhaseJobs:       {Done: 12, Total: 12, DeadLettered: 12, Completed: true},
			rscsync.PhaseCandidates: {Done: 400, Total: 400, DeadLettered: 9, Completed: true},
		},
	}
	rep := milestones.Evaluate(s)
	fmt.Printf("%s; refused: %s\n", rep.Milestone.Label(), rep.Refused)
	for _, id := range []milestones.FeatureID{milestones.ShortlistMemberToJob, milestones.CandidateDataOnProfiles} {
		f, _ := rep.Feature(id)
		fmt.Printf("%s: %s\n", f.Title, f.ScopeText())
	}
	// Output:
	// Milestone 3: Candidate Sync Completed; refused: 12 of 12 jobs and 9 of 400 candidates
	// Ability to shortlist a LinkedIn member to a job from LinkedIn: no jobs: all 12 were refused (see the dead letters)
	// Candidate data from the ATS visible on LinkedIn profiles: all candidates except 9 refused (see the dead letters)
}
