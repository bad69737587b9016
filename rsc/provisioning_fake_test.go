package rsc_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// A partner client built WithVersion provisions through /v2 against the
// fake, which has no /rest/provisionedApplications (docs/linkedin-api.md
// §6.1, §13.2).
func TestProvisioningVersionedAgainstFake(t *testing.T) {
	t.Parallel()
	srv := rsctest.NewServer(rsctest.WithoutListener())
	t.Cleanup(srv.Close)
	partner, err := srv.PartnerClient(rsc.WithVersion("202604"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	req := rsc.ProvisionRequest{UniqueForeignID: "acme-1", Name: "Tracker - Acme", Description: "Acme"}
	app, created, err := partner.Provisioning.Ensure(ctx, req)
	if err != nil || !created {
		t.Fatalf("Ensure: %v %v", err, created)
	}
	again, created, err := partner.Provisioning.Ensure(ctx, req)
	if err != nil || created || again.Key != app.Key || again.ClientID != app.ClientID {
		t.Fatalf("second Ensure: %+v %v %v", again, created, err)
	}
	if err := partner.Provisioning.UpdateDomains(ctx, app.Key, []string{"https://acme.example.com"}); err != nil {
		t.Fatal(err)
	}
	type sent struct{ Method, Path, Version string }
	var got []sent
	for _, e := range srv.Requests() {
		if e.Path != "/oauth/v2/accessToken" {
			got = append(got, sent{e.Method, e.Path, e.LinkedInVersion})
		}
	}
	want := []sent{
		{"GET", "/v2/provisionedApplications", ""},
		{"POST", "/v2/provisionedApplications", ""},
		{"GET", "/v2/provisionedApplications", ""},
		{"POST", "/v2/provisionedApplications/" + app.Key, ""},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("requests (-want +got):\n%s", d)
	}
}
