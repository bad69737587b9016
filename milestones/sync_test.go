package milestones_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// TestMilestonesFromSync runs onboarding's status read and a historical
// sync against the fake LinkedIn and watches the milestones arrive, one by
// one and in order, with each feature's scope widening as the seed says.
func TestMilestonesFromSync(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		cu, client := fakeCustomer(t, "77")

		tracker, err := milestones.NewTracker(milestones.NewMemoryStore(), milestones.WithClock(rsc.SystemClock()))
		if err != nil {
			t.Fatal(err)
		}
		readState := func(status onboarding.Status, enabledAt time.Time, phases map[rscsync.Phase]rscsync.PhaseState) milestones.State {
			return milestones.StateFrom(status, enabledAt, phases)
		}

		// Before the LinkedIn admin enables access nothing is reached.
		status, err := onboarding.ReadStatus(ctx, client, cu.Organization, cu.Contracts[0], onboarding.Status{}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if evs, _ := tracker.Observe(ctx, "c1", readState(status, time.Time{}, nil)); len(evs) != 0 {
			t.Fatalf("milestones before enablement: %v", evs)
		}

		cu.RequestIntegrations()
		cu.NotifyPartner()
		cu.EnableAll()
		status, err = onboarding.ReadStatus(ctx, client, cu.Organization, cu.Contracts[0], status, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !status.State.Enabled() {
			t.Fatalf("status after EnableAll: %+v", status)
		}
		enabledAt := time.Now()
		time.Sleep(time.Minute) // history is older than enablement

		// Events, each with the report evaluated at that moment.
		type seen struct {
			ev  milestones.Event
			rep milestones.Report
		}
		var got []seen
		observe := func(phases map[rscsync.Phase]rscsync.PhaseState) {
			st := readState(status, enabledAt, phases)
			rep, evs, err := tracker.Report(ctx, "c1", st)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				got = append(got, seen{e, rep})
			}
		}
		observe(nil)

		src := dataset(cu.Organization, enabledAt.Add(-time.Hour), 20, 150, 120, 200)
		phases := map[rscsync.Phase]rscsync.PhaseState{}
		eng := runSync(t, client, src, rscsync.WithProgress(func(p rscsync.Progress) {
			phases[p.Phase] = rscsync.PhaseState{Done: p.Done, Total: p.Total, RecordsPerMinute: p.RecordsPerMinute,
				Completed: p.Completed, CompletedAt: p.CompletedAt}
			observe(phases)
		}))
		// The persisted checkpoint tells the same story.
		persisted, err := eng.State(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep := milestones.Evaluate(readState(status, enabledAt, persisted)); rep.Milestone != milestones.ActivitySyncCompleted {
			t.Errorf("milestone from the persisted checkpoint = %v, want %v", rep.Milestone, milestones.ActivitySyncCompleted)
		}
		// The window too: a candidate older than it is never synced.
		st := readState(status, enabledAt, persisted)
		cp, err := eng.Store().Load(ctx, eng.CustomerID())
		if err != nil {
			t.Fatal(err)
		}
		if want := cp.StartedAt.Add(-rscsync.DefaultWindow).UTC(); st.WindowFrom.IsZero() || !st.WindowFrom.Equal(want) {
			t.Errorf("window from %v, want the default window's start %v", st.WindowFrom, want)
		}
		if ok, _ := milestones.Available(st, milestones.CandidateDataOnProfiles, st.WindowFrom.Add(-time.Second)); ok {
			t.Error("a candidate older than the historical window is available")
		}

		var order []milestones.Milestone
		for _, s := range got {
			order = append(order, s.ev.Milestone)
		}
		want := []milestones.Milestone{milestones.IntegrationEnabled, milestones.JobSyncCompleted,
			milestones.CandidateSyncCompleted, milestones.ShortlistSyncCompleted, milestones.ActivitySyncCompleted}
		if !slices.Equal(order, want) {
			t.Fatalf("milestones arrived as %v, want %v one at a time", order, want)
		}
		for i := 1; i < len(got); i++ {
			if got[i].ev.At.Before(got[i-1].ev.At) {
				t.Errorf("%v at %v before %v at %v", got[i].ev.Milestone, got[i].ev.At, got[i-1].ev.Milestone, got[i-1].ev.At)
			}
		}

		// The scope of each feature at each milestone, as the seed says.
		N, A := milestones.ScopeNewAndUpdated, milestones.ScopeAll
		wantScopes := map[milestones.FeatureID][5]milestones.Scope{
			milestones.ExportToATS:                   {A, A, A, A, A},
			milestones.CandidateDataOnProfiles:       {N, N, A, A, A},
			milestones.ShortlistMemberToJob:          {N, A, A, A, A},
			milestones.InMailSync:                    {N, N, A, A, A},
			milestones.ShortlistDataOnProfiles:       {0, N, N, A, A},
			milestones.CandidateActivitiesOnProfiles: {0, 0, N, N, A},
			milestones.ShortlistActivitiesOnProfiles: {0, 0, 0, N, A},
		}
		for id, scopes := range wantScopes {
			for i, s := range got {
				fs, ok := s.rep.Feature(id)
				if !ok {
					t.Fatalf("feature %s missing from the report", id)
				}
				if fs.Scope != scopes[i] || fs.Enabled != (scopes[i] != milestones.ScopeNone) {
					t.Errorf("at %v, %s: scope %v enabled %v, want %v", s.ev.Milestone, id, fs.Scope, fs.Enabled, scopes[i])
				}
			}
		}

		// A record question: before Candidate Sync completes, an old
		// candidate has no In-ATS data; a new one does.
		atM2 := got[1].rep
		if fs, _ := atM2.Feature(milestones.CandidateDataOnProfiles); !strings.Contains(fs.Reason, "Candidate Sync") {
			t.Errorf("reason at milestone 2 = %q, want it to name Candidate Sync", fs.Reason)
		}
		stAtM2 := readState(status, enabledAt, map[rscsync.Phase]rscsync.PhaseState{rscsync.PhaseJobs: {Completed: true, Done: 20, Total: 20}})
		if ok, _ := milestones.Available(stAtM2, milestones.CandidateDataOnProfiles, enabledAt.Add(-24*time.Hour)); ok {
			t.Error("old candidate available before Candidate Sync completed")
		}
		if ok, why := milestones.Available(stAtM2, milestones.CandidateDataOnProfiles, enabledAt.Add(time.Second)); !ok {
			t.Errorf("new candidate not available at milestone 2: %s", why)
		}
	})
}

// fakeCustomer starts a fake LinkedIn (closed with the test) holding one
// customer, organization and contract number n, and returns the customer's client.
func fakeCustomer(t *testing.T, n string) (*rsctest.Customer, *rsc.Client) {
	t.Helper()
	srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithJobTaskLatency(1))
	t.Cleanup(srv.Close)
	cu := srv.AddCustomer(rsctest.CustomerSpec{Organization: "urn:li:organization:" + n, Contracts: []string{"urn:li:contract:" + n}})
	client, err := rsc.NewClient(rsc.WithBaseURL(srv.URL()), rsc.WithTokenURL(srv.TokenURL()),
		rsc.WithTransport(srv.Transport()), rsc.WithCredentials(cu.ClientID, cu.ClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	return cu, client
}

// enabledCustomer is fakeCustomer with the integration requested and
// enabled, and the onboarding status then read.
func enabledCustomer(t *testing.T, n string) (*rsctest.Customer, *rsc.Client, onboarding.Status) {
	t.Helper()
	cu, client := fakeCustomer(t, n)
	cu.RequestIntegrations()
	cu.NotifyPartner()
	cu.EnableAll()
	status, err := onboarding.ReadStatus(t.Context(), client, cu.Organization, cu.Contracts[0], onboarding.Status{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return cu, client, status
}

// runSync runs a sync of src for customer "c1" to the end and returns its engine.
func runSync(t *testing.T, client *rsc.Client, src rscsync.Source, opts ...rscsync.Option) *rscsync.Engine {
	t.Helper()
	eng, err := rscsync.NewEngine(client, "c1", src, append(opts, rscsync.WithTaskPollInterval(time.Second))...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	return eng
}

// dataset builds a small two-year history ending at end.
func dataset(org string, end time.Time, jobs, cands, places, acts int) *rscsync.SliceSource {
	at := func(i, n int) time.Time {
		span := 700 * 24 * time.Hour
		return end.Add(-span).Add(time.Duration(int64(span) / int64(n+1) * int64(i+1))).Truncate(time.Millisecond)
	}
	desc := strings.Repeat("A great job with a great team. ", 5)
	src := rscsync.NewSliceSource()
	for i := range jobs {
		t := at(i, jobs)
		id := fmt.Sprintf("J%d", i)
		src.PutJobs(rscsync.Job{ModifiedAt: t, Posting: rsc.JobPosting{ExternalJobPostingID: id, IntegrationContext: org,
			CompanyApplyURL: "https://ats.example.com/apply/" + id, Title: "Engineer " + id, Description: desc,
			ListedAt: rsc.Millis(t.Add(-time.Hour)), Location: "Paris, France", PosterEmail: "recruiter@example.com", Availability: rsc.AvailabilityPrivate}})
	}
	for i := range cands {
		t := at(i, cands)
		id := fmt.Sprintf("C%d", i)
		src.PutCandidates(rscsync.Candidate{ModifiedAt: t, Record: rsc.Candidate{Key: rsc.CandidateKey{IntegrationContext: org, CandidateID: id},
			FirstName: "Ann", LastName: "Lee", EmailAddresses: []string{id + "@example.com"},
			ExternalProfileURL: "https://ats.example.com/c/" + id, CreatedAt: rsc.Millis(t.Add(-time.Hour)), LastModifiedAt: rsc.Millis(t)}})
	}
	for i := range places {
		t := at(i, places)
		id := fmt.Sprintf("A%d", i)
		src.PutApplications(rscsync.Application{ModifiedAt: t, Record: rsc.Application{
			Key:         rsc.ApplicationKey{IntegrationContext: org, ApplicationID: id},
			CandidateID: fmt.Sprintf("C%d", i%cands), JobPostingID: fmt.Sprintf("J%d", i%jobs), JobPostingName: "Engineer",
			CandidateEmail: id + "@example.com", FirstName: "Ann", LastName: "Lee", Source: "Referral",
			CreatedAt: rsc.Millis(t.Add(-time.Hour)), LastModifiedAt: rsc.Millis(t)},
			Stages: []rsc.Stage{{ID: id + "-0", Stage: "Phone Screen", CreatedAt: rsc.Millis(t.Add(-time.Hour))}}})
	}
	for i := range acts {
		t := at(i, acts)
		id := fmt.Sprintf("N%d", i)
		a := rscsync.Activity{ModifiedAt: t}
		switch i % 3 {
		case 0:
			a.Kind = rscsync.KindCandidateNote
			a.Candidate = rsc.CandidateKey{IntegrationContext: org, CandidateID: fmt.Sprintf("C%d", i%cands)}
			a.Note = rsc.Note{ID: id, Note: "called", CreatedAt: rsc.Millis(t)}
		case 1:
			a.Kind = rscsync.KindApplicationNote
			a.Application = rsc.ApplicationKey{IntegrationContext: org, ApplicationID: fmt.Sprintf("A%d", i%places)}
			a.Note = rsc.Note{ID: id, Note: "good", CreatedAt: rsc.Millis(t)}
		default:
			a.Kind = rscsync.KindInterviewFeedback
			a.Application = rsc.ApplicationKey{IntegrationContext: org, ApplicationID: fmt.Sprintf("A%d", i%places)}
			a.Feedback = rsc.InterviewFeedback{ID: id, Feedback: "strong", InterviewType: "ONSITE", CreatedAt: rsc.Millis(t)}
		}
		src.PutActivities(a)
	}
	return src
}

// TestRefusedJobsFromSync runs a historical sync in which LinkedIn's rules
// refuse every job (descriptions under 100 characters): Job Sync Completed is
// reached, says that the jobs were refused, and shortlisting a member to a job
// does not claim "all jobs".
func TestRefusedJobsFromSync(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		cu, client, status := enabledCustomer(t, "78")
		enabledAt := time.Now()
		src := rscsync.NewSliceSource()
		for i := range 4 {
			src.PutJobs(refusedJob(cu.Organization, fmt.Sprintf("J%d", i), enabledAt.Add(-time.Duration(i+1)*time.Hour)))
		}
		phases, err := runSync(t, client, src).State(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rep := milestones.Evaluate(milestones.StateFrom(status, enabledAt, phases))
		if rep.Milestone < milestones.JobSyncCompleted || rep.Refused != "4 of 4 jobs" {
			t.Errorf("milestone %v, refused %q; want at least %v with 4 of 4 jobs refused", rep.Milestone, rep.Refused, milestones.JobSyncCompleted)
		}
		f, _ := rep.Feature(milestones.ShortlistMemberToJob)
		if want := "no jobs: all 4 were refused (see the dead letters)"; f.ScopeText() != want || strings.Contains(rep.Text(), "all jobs") {
			t.Errorf("shortlist to a job: %q, want %q; report:\n%s", f.ScopeText(), want, rep.Text())
		}
	})
}

// refusedJob returns a job LinkedIn's rules refuse (its description is
// under 100 characters), last modified at mod.
func refusedJob(org, id string, mod time.Time) rscsync.Job {
	return rscsync.Job{ModifiedAt: mod, Posting: rsc.JobPosting{ExternalJobPostingID: id, IntegrationContext: org,
		CompanyApplyURL: "https://ats.example.com/apply/" + id, Title: "Engineer", Description: "Too short.",
		ListedAt: rsc.Millis(mod), Location: "Paris, France", PosterEmail: "recruiter@example.com", Availability: rsc.AvailabilityPrivate}}
}

// TestAllRefusedAfterARefusedJobIsEdited: every job is refused, then one is
// edited in the ATS and refused again. LinkedIn still holds no job, and the
// report keeps saying so, though the sync read a job after completing.
func TestAllRefusedAfterARefusedJobIsEdited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		cu, client, status := enabledCustomer(t, "91")
		enabledAt := time.Now()
		time.Sleep(time.Minute)
		old := enabledAt.Add(-48 * time.Hour).Truncate(time.Millisecond)
		src := rscsync.NewSliceSource()
		for i := range 3 {
			src.PutJobs(refusedJob(cu.Organization, fmt.Sprintf("J%d", i), old.Add(time.Duration(i)*time.Minute)))
		}
		eng := runSync(t, client, src)

		type got struct {
			Incremental int64
			AllRefused  bool
			Scope       string
		}
		check := func(when string, want got) {
			t.Helper()
			phases, err := eng.State(ctx)
			if err != nil {
				t.Fatal(err)
			}
			fs, _ := milestones.Evaluate(milestones.StateFrom(status, enabledAt, phases)).Feature(milestones.ShortlistMemberToJob)
			if diff := cmp.Diff(want, got{phases[rscsync.PhaseJobs].Incremental, fs.AllRefused, fs.ScopeText()}); diff != "" {
				t.Errorf("%s (-want +got):\n%s", when, diff)
			}
		}
		const none = "no jobs: all 3 were refused (see the dead letters)"
		check("after the historical sync", got{0, true, none})

		time.Sleep(time.Minute)
		src.PutJobs(refusedJob(cu.Organization, "J0", time.Now().Truncate(time.Millisecond)))
		if _, err := eng.Run(ctx); err != nil {
			t.Fatal(err)
		}
		var dead []string
		for d, err := range eng.DeadLetters().List(ctx, "c1") {
			if err != nil {
				t.Fatal(err)
			}
			dead = append(dead, d.ID)
		}
		if diff := cmp.Diff([]string{"J0", "J1", "J2"}, slices.Sorted(slices.Values(dead))); diff != "" {
			t.Errorf("dead letters (-want +got):\n%s", diff)
		}
		check("after J0 is edited and refused again", got{1, true, none})
	})
}
