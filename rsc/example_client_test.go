package rsc_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

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
