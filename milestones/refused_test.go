package milestones

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/onboarding"
	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// lineOf returns the line of text starting with prefix ("" if none).
func lineOf(text, prefix string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// refusedState: every job was dead-lettered (say, job descriptions under 100
// characters), 2 of 40 candidates too, and the shortlist sync has refused one
// record so far.
func refusedState() State {
	status := onboarding.Status{State: onboarding.StateBothEnabled, Company: rsc.StatusEnabled, Contract: rsc.StatusEnabled}
	return StateFrom(status, enabledAt, map[rscsync.Phase]rscsync.PhaseState{
		rscsync.PhaseJobs:         {Done: 3, Total: 3, DeadLettered: 3, Completed: true, CompletedAt: enabledAt.Add(20 * time.Minute)},
		rscsync.PhaseCandidates:   {Done: 40, Total: 40, DeadLettered: 2, Completed: true, CompletedAt: enabledAt.Add(time.Hour)},
		rscsync.PhaseApplications: {Done: 10, Total: 40, DeadLettered: 1, RecordsPerMinute: 10},
	})
}

// TestRefusedRecordsAreNotClaimed: milestones reached with refused records
// say how many and where to look, and no feature claims refused records (with
// every job refused, nothing says "all jobs").
func TestRefusedRecordsAreNotClaimed(t *testing.T) {
	rep := Evaluate(refusedState())
	if rep.Milestone != CandidateSyncCompleted {
		t.Fatalf("milestone = %v, want %v", rep.Milestone, CandidateSyncCompleted)
	}
	text := rep.Text()
	for _, tc := range []struct{ prefix, want string }{
		{"Milestone:", "Milestone:    3 of 5 (Candidate Sync Completed; 3 of 3 jobs and 2 of 40 candidates refused: see the dead letters)"},
		{"Job Sync ", "Job Sync          2 Job Sync Completed        completed 2026-03-01 09:20 UTC; 3 of 3 jobs refused: see the dead letters"},
		{"Candidate Sync ", "Candidate Sync    3 Candidate Sync Completed  completed 2026-03-01 10:00 UTC; 2 of 40 candidates refused: see the dead letters"},
		{"Application Sync ", "Application Sync  4 Shortlist Sync Completed  25% done, about 3 minutes left; 1 shortlist record refused so far: see the dead letters"},
		{"Activity Sync ", "Activity Sync     5 Activity Sync Completed   not started"},
	} {
		if diff := cmp.Diff(tc.want, lineOf(text, tc.prefix)); diff != "" {
			t.Errorf("line %q (-want +got):\n%s", tc.prefix, diff)
		}
	}
	for _, tc := range []struct {
		id         FeatureID
		refused    int64
		allRefused bool
		scope      string
	}{
		{ShortlistMemberToJob, 3, true, "no jobs: all 3 were refused (see the dead letters)"},
		{CandidateDataOnProfiles, 2, false, "all candidates except 2 refused (see the dead letters)"},
		{ProfileOnCandidateRecord, 2, false, "all candidates except 2 refused (see the dead letters)"},
		// Scoped to new and updated records, which the refusals of the
		// historical pass do not concern.
		{ShortlistDataOnProfiles, 0, false, "new and updated shortlist records only"},
		// Exporting a member works whatever the ATS sent.
		{ExportToATS, 0, false, "all candidates"},
	} {
		f, _ := rep.Feature(tc.id)
		if f.Refused != tc.refused || f.AllRefused != tc.allRefused || f.ScopeText() != tc.scope {
			t.Errorf("%s: Refused %d, AllRefused %v, ScopeText %q; want %d, %v, %q", tc.id, f.Refused, f.AllRefused, f.ScopeText(), tc.refused, tc.allRefused, tc.scope)
		}
		if line := lineOf(text, f.Title); !strings.Contains(line, tc.scope) {
			t.Errorf("%s: the report's line does not show %q:\n%s", tc.id, tc.scope, line)
		}
	}
	if strings.Contains(text, "all jobs") {
		t.Errorf("the report claims all jobs:\n%s", text)
	}
}

// TestRefusedRecordsInEvents: an event for a milestone reached with refused
// records says how many and where to look.
func TestRefusedRecordsInEvents(t *testing.T) {
	evs, err := newTracker(t, NewMemoryStore()).Observe(context.Background(), "c", refusedState())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, e.Text())
	}
	want := []string{
		"Milestone 1: Integration Enabled",
		"Milestone 2: Job Sync Completed; 3 of 3 jobs refused: see the dead letters",
		"Milestone 3: Candidate Sync Completed; 3 of 3 jobs and 2 of 40 candidates refused: see the dead letters",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// TestRefusedCounts pins the edge cases: refusals after the historical pass
// (more than its total), ineligible records, records sent after it, and
// refused records read again. AllRefused compares the distinct refused
// records with the ATS's count (Total), never with Incremental, which also
// counts a refused record each time it is edited and refused again: jobs
// accepted after the pass show in Total once the next run counts them.
func TestRefusedCounts(t *testing.T) {
	type want struct {
		text       string
		allRefused bool
	}
	done := func(total, refused, skipped, incremental int64) PhaseProgress {
		return PhaseProgress{Done: 5, Total: total, DeadLettered: refused, Ineligible: skipped, Incremental: incremental, Completed: true}
	}
	cases := map[string]struct {
		pp PhaseProgress
		want
	}{
		"none":                          {done(5, 0, 0, 0), want{"", false}},
		"all":                           {done(5, 5, 0, 0), want{"5 of 5 jobs", true}},
		"all but the ineligible":        {done(5, 3, 2, 0), want{"3 of 5 jobs", true}},
		"some":                          {done(5, 1, 0, 0), want{"1 of 5 jobs", false}},
		"all, edited and refused again": {done(5, 5, 0, 4), want{"5 of 5 jobs", true}},
		"all, total unknown":            {done(0, 5, 0, 0), want{"5 jobs", true}},
		"later jobs accepted":           {done(7, 5, 0, 2), want{"5 of 7 jobs", false}},
		"later jobs refused":            {done(7, 7, 0, 2), want{"7 of 7 jobs", true}},
		"more than the pass read":       {done(8, 6, 0, 3), want{"6 of 8 jobs", false}},
		// The dead letters outnumber the last count: jobs created and
		// refused since, or refused ones deleted in the ATS.
		"more than the last count": {done(5, 6, 0, 3), want{"6 jobs", true}},
		"in progress":              {PhaseProgress{Done: 2, Total: 5, DeadLettered: 2}, want{"2 jobs", false}},
	}
	f, _ := Lookup(ShortlistMemberToJob)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, all := featureRefused(State{Phases: map[rscsync.Phase]PhaseProgress{rscsync.PhaseJobs: tc.pp}}, f)
			if got := (want{refusedText(rscsync.PhaseJobs, tc.pp), all}); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
