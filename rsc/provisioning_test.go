package rsc

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The Provisioning API exists only under /v2 (docs/linkedin-api.md §6.1):
// a client built WithVersion, and a customer client ForCustomer derives
// from it, send every provisioning call to /v2 in Rest.li 1.0 with no
// LinkedIn-Version or protocol header, while their other calls stay on
// /rest.
func TestProvisioningStaysOnV2(t *testing.T) {
	t.Parallel()
	type sent struct {
		Method, Path, Query, Version, Protocol string
	}
	const (
		lookup = "q=credentialsByUniqueForeignId&uniqueForeignId=urn:li:x:1"
		appKey = "urn:li:developerApplication:7"
	)
	want := []sent{
		{"GET", "/v2/provisionedApplications", lookup, "", ""},
		{"POST", "/v2/provisionedApplications", "", "", ""},
		{"POST", "/v2/provisionedApplications/" + appKey, "", "", ""},
		{"GET", "/rest/exportedCandidates", "q=request&requestId=r1", "202604", "2.0.0"},
	}
	for _, tc := range []struct {
		name   string
		client func(h *harness) *Client
	}{
		{"WithVersion", func(h *harness) *Client { return h.client }},
		{"ForCustomer of a versioned client", func(h *harness) *Client {
			c, err := h.client.ForCustomer("cid", "csecret")
			if err != nil {
				t.Fatal(err)
			}
			return c
		}},
		{"ForCustomer WithVersion", func(h *harness) *Client {
			c, err := h.client.ForCustomer("cid", "csecret", WithVersion("202604"))
			if err != nil {
				t.Fatal(err)
			}
			return c
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var opts []Option
			if tc.name != "ForCustomer WithVersion" {
				opts = append(opts, WithVersion("202604"))
			}
			h := setup(t, func(w http.ResponseWriter, s seen) {
				switch {
				case s.Path == "/v2/provisionedApplications" && s.Method == "GET":
					fmt.Fprint(w, `{"elements":[],"paging":{"start":0,"count":10,"total":0}}`)
				case s.Path == "/v2/provisionedApplications":
					w.Header().Set("X-RestLi-Id", appKey)
					w.WriteHeader(http.StatusCreated)
					fmt.Fprint(w, `{"key":"`+appKey+`","clientId":"child","clientSecret":"s3cret"}`)
				case s.Method == "POST":
					w.WriteHeader(http.StatusNoContent)
				default:
					fmt.Fprint(w, `{"elements":[]}`)
				}
			}, opts...)
			c := tc.client(h)
			ctx := t.Context()
			app, created, err := c.Provisioning.Ensure(ctx, ProvisionRequest{UniqueForeignID: "urn:li:x:1", Name: "Tracker - Acme", Description: "Acme"})
			if err != nil || !created || app.Key != appKey {
				t.Fatalf("Ensure = %v, %v, %v", app, created, err)
			}
			if err := c.Provisioning.UpdateDomains(ctx, app.Key, []string{"https://acme.example.com"}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Exports.Get(ctx, "r1"); err != nil {
				t.Fatal(err)
			}
			var got []sent
			for _, r := range h.requests() {
				got = append(got, sent{r.Method, r.Path, r.RawQuery, r.Header.Get("LinkedIn-Version"), r.Header.Get("X-RestLi-Protocol-Version")})
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("requests (-want +got):\n%s", d)
			}
		})
	}
}

// Create takes the application's key from X-RestLi-Id when the body has
// none, decoding the reduced escapes a Rest.li server may use there; with
// no key in either, it reads the application back by its foreign id.
func TestProvisioningKeyFromHeader(t *testing.T) {
	t.Parallel()
	const lookedUp = "urn:li:developerApplication:9"
	for _, tc := range []struct{ header, want string }{
		{"urn:li:developerApplication:7", "urn:li:developerApplication:7"},
		{"urn%3Ali%3AdeveloperApplication%3A7", "urn:li:developerApplication:7"},
		{"", lookedUp},
		{"(a:b)", lookedUp}, // a compound key names no application
	} {
		t.Run(tc.header, func(t *testing.T) {
			t.Parallel()
			h := setup(t, func(w http.ResponseWriter, s seen) {
				if s.Method == http.MethodGet {
					fmt.Fprintf(w, `{"elements":[{"key":%q,"uniqueForeignId":"acme-1","clientId":"cid9"}]}`, lookedUp)
					return
				}
				if tc.header != "" {
					w.Header().Set("X-RestLi-Id", tc.header)
				}
				w.WriteHeader(http.StatusCreated)
			})
			app, err := h.client.Provisioning.Create(t.Context(), ProvisionRequest{UniqueForeignID: "acme-1", Name: "Tracker - Acme", Description: "Acme"})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, app.Key); d != "" {
				t.Errorf("Key (-want +got):\n%s", d)
			}
		})
	}
}
