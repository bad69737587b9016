package rsc_test

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

func candidate(org, id, email string, now time.Time) rsc.Candidate {
	return rsc.Candidate{
		Key:       rsc.CandidateKey{IntegrationContext: org, CandidateID: id},
		FirstName: "Ann", LastName: "Lee", EmailAddresses: []string{email},
		ExternalProfileURL: "https://ats.example.com/c/" + url.PathEscape(id),
		CreatedAt:          rsc.Millis(now.Add(-48 * time.Hour)), LastModifiedAt: rsc.Millis(now.Add(-time.Hour)),
	}
}

// TestEndToEndAgainstFake drives every sync and retrieval endpoint through
// the client against rsctest and asserts what LinkedIn ends up holding.
func TestEndToEndAgainstFake(t *testing.T) {
	t.Parallel()
	eachFamily(t, func(t *testing.T, srv *rsctest.Server, opts []rsc.Option) {
		ctx := t.Context()
		now := srv.Now()

		// Provisioning with the partner client.
		partner, err := srv.PartnerClient()
		if err != nil {
			t.Fatal(err)
		}
		app, created, err := partner.Provisioning.Ensure(ctx, rsc.ProvisionRequest{UniqueForeignID: "acme-1", Name: "Tracker - Acme", Description: "Acme"})
		if err != nil || !created {
			t.Fatalf("Ensure: %v %v", err, created)
		}
		cust := srv.Customer(app.ClientID)
		if cust == nil {
			t.Fatal("provisioned customer unknown to the fake")
		}
		c, err := srv.CustomerClient(cust, opts...)
		if err != nil {
			t.Fatal(err)
		}
		org := cust.Organization

		// A parent token must not reach customer resources.
		if _, err := partner.Candidates.Upsert(ctx, []rsc.Candidate{candidate(org, "X", "x@example.com", now)}); !errors.Is(err, rsc.ErrForbidden) {
			t.Errorf("partner token on atsCandidates: %v", err)
		}

		// Integrations: name and configure, read back.
		cust.RequestIntegrations()
		oce := rsc.IntegrationKey{IntegrationContext: org, Type: rsc.OneClickExport}
		if res, err := c.Integrations.Name(ctx, []rsc.IntegrationName{{Key: oce, Name: "Acme One-Click Export"}}); err != nil || res.Err() != nil {
			t.Fatalf("Name: %v %v", err, res.Err())
		}
		if res, err := c.Integrations.SetConfig(ctx, oce, map[rsc.ConfigKey]string{rsc.ConfigCallbackURL: "https://ats.example.com/li/acme", rsc.ConfigJobPostingViewers: rsc.AllProductUsers}); err != nil || res.Err() != nil {
			t.Fatalf("SetConfig: %v %v", err, res.Err())
		}
		cfg, err := c.Integrations.Config(ctx, oce, rsc.ConfigCallbackURL)
		if err != nil || cfg[rsc.ConfigCallbackURL] != "https://ats.example.com/li/acme" {
			t.Fatalf("Config: %v %v", cfg, err)
		}
		got, err := c.Integrations.Get(ctx, []rsc.IntegrationKey{oce})
		if err != nil || got[oce] == nil || got[oce].Status != rsc.StatusPartnerReady {
			t.Fatalf("Get: %+v %v", got[oce], err)
		}
		cust.EnableAll() // the admin enables the integrations in Recruiter

		// Jobs: create, wait for the tasks. The versioned API takes no
		// PRIVATE_TO_ATS_INTEGRATION job (docs/linkedin-api.md §7.1).
		availability := rsc.AvailabilityPrivate
		if c.Versioned() {
			availability = rsc.AvailabilityPublic
		}
		job := rsc.JobPosting{ExternalJobPostingID: "J1", OperationType: rsc.JobCreate, IntegrationContext: org,
			CompanyApplyURL: "https://ats.example.com/j/J1", Title: "Engineer", Description: strings.Repeat("Build things well. ", 8),
			ListedAt: rsc.Millis(now.Add(-time.Hour)), Location: "Austin, TX, US", PosterEmail: "recruiter@example.com", Availability: availability}
		jr, err := c.Jobs.Submit(ctx, []rsc.JobPosting{job})
		if err != nil || jr.Err() != nil {
			t.Fatalf("Submit: %v %v", err, jr.Err())
		}
		tasks, err := c.Jobs.WaitTasks(ctx, []string{jr.Items[0].ID}, time.Millisecond)
		if err != nil || tasks[jr.Items[0].ID].Status != rsc.TaskSucceeded {
			t.Fatalf("WaitTasks: %+v %v", tasks, err)
		}

		// Candidates, 150 of them (two batches, tunnelled), one invalid.
		member := srv.AddMember(rsctest.MemberSpec{FirstName: "Ann", LastName: "Lee", Email: "c7@example.com"})
		cands := make([]rsc.Candidate, 150)
		for i := range cands {
			cands[i] = candidate(org, fmt.Sprintf("C%d", i), fmt.Sprintf("c%d@example.com", i), now)
		}
		cands[3].EmailAddresses = []string{"broken"}
		cr, err := c.Candidates.Upsert(ctx, cands)
		if err != nil || cr.Succeeded() != 149 || len(cr.Failed()) != 1 {
			t.Fatalf("Upsert: %v, %d ok", err, cr.Succeeded())
		}
		if n := len(cust.Candidates()); n != 149 {
			t.Errorf("LinkedIn holds %d candidates, want 149", n)
		}
		k7 := rsc.CandidateKey{IntegrationContext: org, CandidateID: "C7"}
		recs, err := c.Candidates.Get(ctx, []rsc.CandidateKey{k7}, "matchedMembers", "manualMatchedMember")
		if err != nil || recs[k7] == nil || recs[k7].Person() != member.Person {
			t.Fatalf("matches: %+v %v", recs[k7], err)
		}
		if res, err := c.Candidates.AttachPerson(ctx, []rsc.PersonLink{{Key: k7, Person: member.Person}}); err != nil || res.Err() != nil {
			t.Fatalf("AttachPerson: %v %v", err, res.Err())
		}
		if res, err := c.Candidates.UpsertNotes(ctx, k7, []rsc.Note{{ID: "N1", Note: "Great fit", Author: &rsc.Actor{FirstName: "A", LastName: "B"}, CreatedAt: rsc.Millis(now.Add(-time.Hour))}}); err != nil || res.Err() != nil {
			t.Fatalf("UpsertNotes: %v %v", err, res.Err())
		}

		// Applications with stages, feedback and notes; delete cascades.
		ak := rsc.ApplicationKey{IntegrationContext: org, ApplicationID: "A1"}
		appRec := rsc.Application{Key: ak, CandidateID: "C7", JobPostingID: "J1", JobPostingName: "Engineer", CandidateEmail: "c7@example.com",
			FirstName: "Ann", LastName: "Lee", CreatedAt: rsc.Millis(now.Add(-2 * time.Hour)), LastModifiedAt: rsc.Millis(now.Add(-time.Hour))}
		if res, err := c.Applications.Upsert(ctx, []rsc.Application{appRec}); err != nil || res.Err() != nil {
			t.Fatalf("Applications.Upsert: %v %v", err, res.Err())
		}
		if res, err := c.Applications.UpsertStages(ctx, ak, []rsc.Stage{{ID: "S1", Stage: "Shortlisted", CreatedAt: rsc.Millis(now.Add(-2 * time.Hour))}, {ID: "S2", Stage: "Hired", CreatedAt: rsc.Millis(now.Add(-time.Hour))}}); err != nil || res.Err() != nil {
			t.Fatalf("UpsertStages: %v %v", err, res.Err())
		}
		if res, err := c.Applications.UpsertFeedback(ctx, ak, []rsc.InterviewFeedback{{ID: "F1", Feedback: "ok", InterviewType: "ONSITE"}}); err != nil || res.Err() != nil {
			t.Fatalf("UpsertFeedback: %v %v", err, res.Err())
		}
		if n := len(cust.Stages()); n != 2 {
			t.Errorf("stages held = %d", n)
		}
		if res, err := c.Applications.Delete(ctx, []rsc.ApplicationKey{ak}); err != nil || res.Err() != nil {
			t.Fatalf("Applications.Delete: %v %v", err, res.Err())
		}
		if len(cust.Applications()) != 0 || len(cust.Stages()) != 0 || len(cust.InterviewFeedback()) != 0 {
			t.Errorf("delete did not cascade: %d apps, %d stages, %d feedback", len(cust.Applications()), len(cust.Stages()), len(cust.InterviewFeedback()))
		}

		// Retrieval: a recruiter exports the member to J1.
		seat, err := cust.AddSeat(rsctest.SeatSpec{Member: member.Person})
		if err != nil {
			t.Fatal(err)
		}
		var seats []rsc.Seat
		for s, err := range c.Seats.List(ctx, cust.Contracts) {
			if err != nil {
				t.Fatal(err)
			}
			seats = append(seats, s)
		}
		if len(seats) != 1 || seats[0].Member != member.Person {
			t.Fatalf("seats = %+v", seats)
		}
		reqID, err := cust.Export(seats[0].URN(), member.Person, "J1")
		if err != nil {
			t.Fatal(err)
		}
		ex, err := c.Exports.Get(ctx, reqID)
		if err != nil || len(ex) != 1 || ex[0].Candidate.Person != member.Person || ex[0].ExternalJobPostingID != "J1" || ex[0].IntegrationContext != org {
			t.Fatalf("export = %+v %v", ex, err)
		}
		_ = seat
	})
}

// eachFamily runs fn as a parallel subtest against a fresh fake, once on
// the legacy /v2 endpoints (Rest.li 1.0 keys) and once on the versioned
// /rest endpoints (Rest.li 2.0); opts select the family.
func eachFamily(t *testing.T, fn func(t *testing.T, srv *rsctest.Server, opts []rsc.Option)) {
	for _, version := range []string{"", "202604"} {
		t.Run("version="+version, func(t *testing.T) {
			t.Parallel()
			srv := rsctest.NewServer()
			t.Cleanup(srv.Close)
			var opts []rsc.Option
			if version != "" {
				opts = append(opts, rsc.WithVersion(version))
			}
			fn(t, srv, opts)
		})
	}
}

// eachCustomer runs fn in both endpoint families with a new customer of
// a fresh fake and a client for it.
func eachCustomer(t *testing.T, fn func(t *testing.T, srv *rsctest.Server, cust *rsctest.Customer, c *rsc.Client)) {
	eachFamily(t, func(t *testing.T, srv *rsctest.Server, opts []rsc.Option) {
		cust := srv.AddCustomer(rsctest.CustomerSpec{})
		c, err := srv.CustomerClient(cust, opts...)
		if err != nil {
			t.Fatal(err)
		}
		fn(t, srv, cust, c)
	})
}

// A customer's client introspects its own token on the fake: active, issued
// to the customer's child application, by the client-credentials flow.
func TestIntrospectTokenAgainstFake(t *testing.T) {
	eachCustomer(t, func(t *testing.T, _ *rsctest.Server, cust *rsctest.Customer, c *rsc.Client) {
		info, err := c.IntrospectToken(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if !info.Active || info.Status != "active" || info.ClientID != cust.ClientID || info.AuthType != "2L" || !info.ExpiresAt.After(info.CreatedAt) {
			t.Errorf("TokenInfo = %+v, want the active 2L token of %s", info, cust.ClientID)
		}
	})
}

// A client pinned before LinkedIn-Version 202511 keeps its ACLs on /v2, and
// one from 202511 on sends them to /rest (docs/linkedin-api.md §11): the
// fake serves each only where LinkedIn does, so both must land.
func TestACLsOnFakeByVersion(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"202510", "202511"} {
		t.Run("version="+version, func(t *testing.T) {
			t.Parallel()
			srv := rsctest.NewServer()
			t.Cleanup(srv.Close)
			cust := srv.AddCustomer(rsctest.CustomerSpec{})
			c, err := srv.CustomerClient(cust, rsc.WithVersion(version))
			if err != nil {
				t.Fatal(err)
			}
			ctx, org := t.Context(), cust.Organization
			acl := rsc.ACLKey{IntegrationContext: org, ACLID: "eng_managers", EntityID: "J1"}
			if res, err := c.ACLs.Upsert(ctx, []rsc.ACLKey{acl}); err != nil || res.Err() != nil {
				t.Fatalf("Upsert: %v %v", err, res.Err())
			}
			as := rsc.ACLAssigneeKey{IntegrationContext: org, ACLID: "eng_managers", Assignee: "urn:li:person:abc"}
			if res, err := c.ACLs.UpsertAssignees(ctx, []rsc.ACLAssigneeKey{as}); err != nil || res.Err() != nil {
				t.Fatalf("UpsertAssignees: %v %v", err, res.Err())
			}
			var found []string
			for a, err := range c.ACLs.Find(ctx, org, "J1") {
				if err != nil {
					t.Fatal(err)
				}
				found = append(found, a.ACLID+"/"+a.EntityID)
			}
			if d := cmp.Diff([]string{"eng_managers/J1"}, found); d != "" {
				t.Errorf("Find (-want +got):\n%s", d)
			}
			var assignees []string
			for a, err := range c.ACLs.FindAssignees(ctx, org, "urn:li:person:abc") {
				if err != nil {
					t.Fatal(err)
				}
				assignees = append(assignees, a.ACLID+"/"+a.Assignee)
			}
			if d := cmp.Diff([]string{"eng_managers/urn:li:person:abc"}, assignees); d != "" {
				t.Errorf("FindAssignees (-want +got):\n%s", d)
			}
		})
	}
}
