package rsc_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// Upsert sends any number of candidates in batches of 100 and reports each
// record: the invalid one is refused before sending, the others are stored.
func ExampleCandidatesService_Upsert() {
	srv := rsctest.NewServer()
	defer srv.Close()
	acme := srv.AddCustomer(rsctest.CustomerSpec{Organization: "urn:li:organization:1000"})
	client, err := srv.CustomerClient(acme)
	if err != nil {
		panic(err)
	}
	now := rsc.Millis(srv.Now().Add(-time.Hour))
	mk := func(id, email string) rsc.Candidate {
		return rsc.Candidate{
			Key:       rsc.CandidateKey{IntegrationContext: "urn:li:organization:1000", CandidateID: id},
			FirstName: "Ann", LastName: "Lee", EmailAddresses: []string{email},
			ExternalProfileURL: "https://ats.example.com/candidates/" + id,
			CreatedAt:          now, LastModifiedAt: now,
		}
	}
	res, err := client.Candidates.Upsert(context.Background(), []rsc.Candidate{
		mk("C1", "ann@example.com"),
		mk("C2", "not-an-email"),
	})
	if err != nil {
		panic(err)
	}
	for _, it := range res.Items {
		if it.Err != nil {
			fmt.Printf("%s: %v\n", it.Key.CandidateID, it.Err)
			continue
		}
		fmt.Printf("%s: stored (status %d)\n", it.Key.CandidateID, it.Status)
	}
	fmt.Println("LinkedIn holds", len(acme.Candidates()), "candidate")
	// Output:
	// C1: stored (status 204)
	// C2: rsc: invalid atsCandidates record "C2": field emailAddresses[0] must match X@X.X
	// LinkedIn holds 1 candidate
}

// On the versioned endpoints UpsertManyNotes sends the notes of several
// candidates in one call, which spares the daily request quota; on /v2 it
// makes one call per candidate.
func ExampleCandidatesService_UpsertManyNotes() {
	srv := rsctest.NewServer()
	defer srv.Close()
	acme := srv.AddCustomer(rsctest.CustomerSpec{Organization: "urn:li:organization:1000"})
	client, err := srv.CustomerClient(acme, rsc.WithVersion("202604"))
	if err != nil {
		panic(err)
	}
	ctx, now := context.Background(), rsc.Millis(srv.Now().Add(-time.Hour))
	var notes []rsc.CandidateNote
	for _, id := range []string{"C1", "C2", "C3"} {
		key := rsc.CandidateKey{IntegrationContext: "urn:li:organization:1000", CandidateID: id}
		if _, err := client.Candidates.Upsert(ctx, []rsc.Candidate{{Key: key, FirstName: "Ann", EmailAddresses: []string{"ann@example.com"},
			ExternalProfileURL: "https://ats.example.com/candidates/" + id, CreatedAt: now, LastModifiedAt: now}}); err != nil {
			panic(err)
		}
		notes = append(notes, rsc.CandidateNote{Candidate: key, Note: rsc.Note{ID: "N1", Note: "Called " + id}})
	}
	srv.ResetRequests()
	res, err := client.Candidates.UpsertManyNotes(ctx, notes)
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Succeeded(), "notes stored in", len(srv.Requests()), "call")
	// Output:
	// 3 notes stored in 1 call
}

// A partner provisions one child application per customer instance; Ensure
// is idempotent, so it is safe to call again after a crash.
func ExampleProvisioningService_Ensure() {
	srv := rsctest.NewServer()
	defer srv.Close()
	partner, err := srv.PartnerClient()
	if err != nil {
		panic(err)
	}
	req := rsc.ProvisionRequest{UniqueForeignID: "acme-prod", Name: "Tracker - Acme", Description: "Acme's Tracker"}
	for range 2 {
		app, created, err := partner.Provisioning.Ensure(context.Background(), req)
		if err != nil {
			panic(err)
		}
		fmt.Println("created:", created, "foreign id:", app.UniqueForeignID, "has credentials:", app.ClientID != "")
	}
	// A name containing "LinkedIn" is refused before anything is sent.
	bad := req
	bad.Name = "LinkedIn for Acme"
	_, _, err = partner.Provisioning.Ensure(context.Background(), bad)
	fmt.Println(err)
	// Output:
	// created: true foreign id: acme-prod has credentials: true
	// created: false foreign id: acme-prod has credentials: true
	// rsc: invalid provisionedApplications record "acme-prod": field name must not contain "LinkedIn"
}

// A daily quota that is spent is reported as a *RateLimitError with the UTC
// midnight at which it resets; the client does not retry it.
func ExampleRateLimitError() {
	srv := rsctest.NewServer(rsctest.WithLimits(rsctest.Limits{SyncRequestsPerDay: 1}))
	defer srv.Close()
	acme := srv.AddCustomer(rsctest.CustomerSpec{Organization: "urn:li:organization:1000"})
	client, _ := srv.CustomerClient(acme, rsc.WithLimits(rsc.Limits{Disabled: true}))
	key := rsc.CandidateKey{IntegrationContext: "urn:li:organization:1000", CandidateID: "C1"}
	ctx := context.Background()
	client.Candidates.Delete(ctx, []rsc.CandidateKey{key})
	_, err := client.Candidates.Delete(ctx, []rsc.CandidateKey{key})
	var rl *rsc.RateLimitError
	if errors.As(err, &rl) {
		fmt.Println("daily:", rl.Daily, "resets at midnight UTC:", rl.ResetAt.Hour() == 0 && rl.ResetAt.Minute() == 0)
	}
	// Output:
	// daily: true resets at midnight UTC: true
}

// A partner client speaks for the parent application, whose token serves
// only the Provisioning API. Here it talks to the fake LinkedIn of package
// rsctest on a loopback port (the only kind of host plain http is allowed
// to); in production leave out WithBaseURL and WithTokenURL, and read the
// parent's credentials from your secret store.
func ExampleNewClient() {
	srv := rsctest.NewServer()
	defer srv.Close()
	srv.AddCustomer(rsctest.CustomerSpec{UniqueForeignID: "acme-prod", Organization: "urn:li:organization:1000"})

	parentID, parentSecret := srv.PartnerCredentials()
	partner, err := rsc.NewClient(
		rsc.WithCredentials(parentID, parentSecret),
		rsc.WithBaseURL(srv.URL()), rsc.WithTokenURL(srv.TokenURL()),
	)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	app, err := partner.Provisioning.Lookup(ctx, "acme-prod")
	if err != nil {
		panic(err)
	}
	fmt.Println(app) // String leaves the client secret out

	// Customer data needs the customer's own client (Client.ForCustomer).
	_, err = partner.Candidates.Delete(ctx, []rsc.CandidateKey{{IntegrationContext: "urn:li:organization:1000", CandidateID: "C1"}})
	fmt.Println("candidates with the partner's token: forbidden:", errors.Is(err, rsc.ErrForbidden))
	// Output:
	// ProvisionedApplication{Key:urn:li:developerApplication:900001 UniqueForeignID:acme-prod ClientID:customer-1}
	// candidates with the partner's token: forbidden: true
}

// ForCustomer derives a customer's client from the partner client with the
// credentials of the customer's child application (those Provisioning.Ensure
// returned, kept in your secret store). It shares the partner's connection
// pool and options, but has its own token and its own quota counters.
func ExampleClient_ForCustomer() {
	srv := rsctest.NewServer()
	defer srv.Close()
	acme := srv.AddCustomer(rsctest.CustomerSpec{UniqueForeignID: "acme-prod", Organization: "urn:li:organization:1000"})

	parentID, parentSecret := srv.PartnerCredentials()
	partner, err := rsc.NewClient(rsc.WithCredentials(parentID, parentSecret),
		rsc.WithBaseURL(srv.URL()), rsc.WithTokenURL(srv.TokenURL()))
	if err != nil {
		panic(err)
	}
	client, err := partner.ForCustomer(acme.ClientID, acme.ClientSecret)
	if err != nil {
		panic(err)
	}

	now := rsc.Millis(srv.Now().Add(-time.Hour))
	res, err := client.Candidates.Upsert(context.Background(), []rsc.Candidate{{
		Key:       rsc.CandidateKey{IntegrationContext: "urn:li:organization:1000", CandidateID: "C1"},
		FirstName: "Ann", LastName: "Lee", EmailAddresses: []string{"ann@example.com"},
		ExternalProfileURL: "https://ats.example.com/candidates/C1",
		CreatedAt:          now, LastModifiedAt: now,
	}})
	if err != nil {
		panic(err)
	}
	fmt.Println("stored:", res.Succeeded(), "LinkedIn holds:", len(acme.Candidates()))
	fmt.Println("sync requests today: acme", client.Quota(rsc.BucketSync).Used, "partner", partner.Quota(rsc.BucketSync).Used)
	// Output:
	// stored: 1 LinkedIn holds: 1
	// sync requests today: acme 1 partner 0
}

// An ATS that secures jobs syncs its security groups as ACLs: each group
// on each job it secures (Upsert), and each LinkedIn member in each group
// (UpsertAssignees; the ATS maps its users to members through their
// Recruiter seats). The sync engine does not send ACLs: call these when a
// group's jobs or members change, and delete what the ATS no longer holds.
func ExampleACLsService_Upsert() {
	srv := rsctest.NewServer()
	defer srv.Close()
	acme := srv.AddCustomer(rsctest.CustomerSpec{Organization: "urn:li:organization:1000"})
	client, err := srv.CustomerClient(acme)
	if err != nil {
		panic(err)
	}
	ctx, org := context.Background(), "urn:li:organization:1000"
	res, err := client.ACLs.Upsert(ctx, []rsc.ACLKey{
		{IntegrationContext: org, ACLID: "eng-managers", EntityID: "J1"},
		{IntegrationContext: org, ACLID: "eng-managers", EntityID: "J2"},
	})
	if err != nil || res.Err() != nil {
		panic(fmt.Sprint(err, res.Err()))
	}
	assigned, err := client.ACLs.UpsertAssignees(ctx, []rsc.ACLAssigneeKey{
		{IntegrationContext: org, ACLID: "eng-managers", Assignee: "urn:li:person:abc123"},
	})
	if err != nil || assigned.Err() != nil {
		panic(fmt.Sprint(err, assigned.Err()))
	}
	for acl, err := range client.ACLs.Find(ctx, org, "J1") {
		if err != nil {
			panic(err)
		}
		fmt.Println(acl.EntityID, "is secured by", acl.ACLID)
	}
	for a, err := range client.ACLs.FindAssignees(ctx, org, "urn:li:person:abc123") {
		if err != nil {
			panic(err)
		}
		fmt.Println(a.Assignee, "is in", a.ACLID)
	}
	// Output:
	// J1 is secured by eng-managers
	// urn:li:person:abc123 is in eng-managers
}
