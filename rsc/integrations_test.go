package rsc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Postman "Name integrations", "Upsert integration configuration", "Verify
// Customer's ATSIntegrations" and the configuration delete.
func TestIntegrationsWire(t *testing.T) {
	t.Parallel()
	h := setup(t, func(w http.ResponseWriter, s seen) {
		switch {
		case s.Method == "GET" && s.Path == "/v2/atsIntegrations" && s.RawQuery[:2] == "q=":
			fmt.Fprint(w, `{"elements":[{"integrationContext":"urn:li:organization:1","integrationType":"CSA_API","status":"ENABLED"}]}`)
		case s.Method == "GET" && s.Path == "/v2/atsIntegrations":
			fmt.Fprint(w, `{"results":{"integrationContext=urn:li:organization:1&integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER&dataProvider=ATS":
				{"integrationContext":"urn:li:organization:1","integrationType":"ONE_CLICK_EXPORT","integrationName":"Acme","status":"PARTNER_READY",
				 "productSettings":{"oneClickExport":true,"inMailStubProfile":false,"inAtsIndicator":true,"profileWidget":true}}},"statuses":{},"errors":{}}`)
		case s.Method == "GET":
			fmt.Fprint(w, `{"results":{"CALLBACK_URL":{"configurationValue":{"string":"https://ats.example.com/li/acme"}}},"statuses":{},"errors":{}}`)
		default:
			okBatch(w, s)
		}
	})
	ctx := t.Context()
	oce := IntegrationKey{IntegrationContext: "urn:li:organization:1", Type: OneClickExport}
	csa := IntegrationKey{IntegrationContext: "urn:li:contract:9", Type: CSAAPI}
	res, err := h.client.Integrations.Name(ctx, []IntegrationName{{Key: oce, Name: "Acme LinkedIn Recruiter One-Click Export Integration"}, {Key: csa, Name: "Acme CSA"}})
	if err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	if _, err := h.client.Integrations.SetConfig(ctx, oce, map[ConfigKey]string{ConfigCallbackURL: "https://ats.example.com/li/acme", ConfigJobPostingViewers: AllProductUsers}); err != nil {
		t.Fatal(err)
	}
	got, err := h.client.Integrations.Get(ctx, []IntegrationKey{oce})
	if err != nil {
		t.Fatal(err)
	}
	if in := got[oce]; in == nil || in.Status != StatusPartnerReady || in.ProductSettings == nil || !in.ProductSettings.InATSIndicator {
		t.Errorf("got %+v", got[oce])
	}
	cfg, err := h.client.Integrations.Config(ctx, oce, ConfigCallbackURL)
	if err != nil || cfg[ConfigCallbackURL] != "https://ats.example.com/li/acme" {
		t.Errorf("config = %v, %v", cfg, err)
	}
	if _, err := h.client.Integrations.DeleteConfig(ctx, oce, ConfigJobPostingViewers); err != nil {
		t.Fatal(err)
	}
	els, err := h.client.Integrations.ByRequest(ctx, "req-1")
	if err != nil || len(els) != 1 || els[0].Status != StatusEnabled {
		t.Errorf("ByRequest = %+v, %v", els, err)
	}

	r := h.requests()
	r[0].check(t, "POST", "/v2/atsIntegrations",
		"ids[0].integrationContext=urn:li:organization:1&ids[0].integrationType=ONE_CLICK_EXPORT&ids[0].tenantType=RECRUITER&ids[0].dataProvider=ATS"+
			"&ids[1].integrationContext=urn:li:contract:9&ids[1].integrationType=CSA_API&ids[1].tenantType=RECRUITER&ids[1].dataProvider=ATS", "batch_partial_update")
	checkJSON(t, r[0].Body, `{"entities":{
		"integrationContext=urn:li:organization:1&integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER&dataProvider=ATS":{"patch":{"$set":{"integrationName":"Acme LinkedIn Recruiter One-Click Export Integration"}}},
		"integrationContext=urn:li:contract:9&integrationType=CSA_API&tenantType=RECRUITER&dataProvider=ATS":{"patch":{"$set":{"integrationName":"Acme CSA"}}}}}`)
	cfgPath := "/v2/atsIntegrations/integrationContext=urn:li:organization:1&integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER&dataProvider=ATS/configurations"
	r[1].check(t, "PUT", cfgPath, "ids=CALLBACK_URL&ids=JOB_POSTING_VIEWERS", "batch_update")
	checkJSON(t, r[1].Body, `{"entities":{"CALLBACK_URL":{"configurationValue":{"string":"https://ats.example.com/li/acme"}},"JOB_POSTING_VIEWERS":{"configurationValue":{"string":"ALL_PRODUCT_USERS"}}}}`)
	r[2].check(t, "GET", "/v2/atsIntegrations", "ids[0].integrationContext=urn:li:organization:1&ids[0].integrationType=ONE_CLICK_EXPORT&ids[0].tenantType=RECRUITER&ids[0].dataProvider=ATS", "")
	r[3].check(t, "GET", cfgPath, "ids=CALLBACK_URL", "")
	r[4].check(t, "DELETE", cfgPath, "ids=JOB_POSTING_VIEWERS", "batch_delete")
	r[5].check(t, "GET", "/v2/atsIntegrations", "q=request&requestId=req-1", "")
}

func TestProvisioningWire(t *testing.T) {
	t.Parallel()
	created := false
	h := setup(t, func(w http.ResponseWriter, s seen) {
		switch {
		case s.Method == "GET" && !created:
			fmt.Fprint(w, `{"elements":[],"paging":{"start":0,"count":10,"total":0}}`)
		case s.Method == "GET":
			fmt.Fprint(w, `{"elements":[{"key":"urn:li:developerApplication:7","uniqueForeignId":"acme-1","clientId":"child","clientSecret":"s3cret"}]}`)
		case s.Path == "/v2/provisionedApplications":
			created = true
			w.Header().Set("X-Restli-Id", "urn:li:developerApplication:7")
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, `{"key":"urn:li:developerApplication:7","clientId":"child","clientSecret":"s3cret"}`)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	ctx := t.Context()
	req := ProvisionRequest{UniqueForeignID: "acme-1", Name: "Tracker - Acme", Description: "Acme's Tracker instance",
		ValidJSSDKDomains: []string{"https://acme.tracker.example.com"}}
	app, created1, err := h.client.Provisioning.Ensure(ctx, req)
	if err != nil || !created1 || app.ClientID != "child" || app.Key != "urn:li:developerApplication:7" {
		t.Fatalf("Ensure = %v, %v, %v", app, created1, err)
	}
	app2, created2, err := h.client.Provisioning.Ensure(ctx, req)
	if err != nil || created2 || app2.ClientSecret != "s3cret" {
		t.Fatalf("second Ensure = %v, %v, %v", app2, created2, err)
	}
	if s := fmt.Sprintf("%v %+v %#v", *app, *app, *app); strings.Contains(s, "s3cret") {
		t.Errorf("formatting leaks the secret: %s", s)
	}
	if err := h.client.Provisioning.UpdateDomains(ctx, app.Key, []string{"http://localhost:5000"}); err != nil {
		t.Fatal(err)
	}
	r := h.requests()
	r[0].check(t, "GET", "/v2/provisionedApplications", "q=credentialsByUniqueForeignId&uniqueForeignId=acme-1", "")
	r[1].check(t, "POST", "/v2/provisionedApplications", "", "")
	checkJSON(t, r[1].Body, `{"uniqueForeignId":"acme-1","name":"Tracker - Acme","description":"Acme's Tracker instance","validJsSdkDomains":["https://acme.tracker.example.com"]}`)
	r[3].check(t, "POST", "/v2/provisionedApplications/urn:li:developerApplication:7", "", "")
	checkJSON(t, r[3].Body, `{"patch":{"$set":{"validJsSdkDomains":["http://localhost:5000"]}}}`)
}

func TestProvisioningRules(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		req   ProvisionRequest
		field string
	}{
		"long name":      {ProvisionRequest{UniqueForeignID: "a", Name: "Tracker - A Very Long Customer Name That Goes On And On", Description: "d"}, "name"},
		"linkedin name":  {ProvisionRequest{UniqueForeignID: "a", Name: "Tracker Linkedin Sync", Description: "d"}, "name"},
		"trailing slash": {ProvisionRequest{UniqueForeignID: "a", Name: "Tracker - A", Description: "d", ValidJSSDKDomains: []string{"https://a.example.com/"}}, "validJsSdkDomains[0]"},
		"no foreign id":  {ProvisionRequest{Name: "Tracker - A", Description: "d"}, "uniqueForeignId"},
		// JSON would send it as "acme\uFFFD": another customer's id.
		"invalid UTF-8 foreign id": {ProvisionRequest{UniqueForeignID: "acme\xff", Name: "Tracker - A", Description: "d"}, "uniqueForeignId"},
	} {
		wantField(t, name, tc.req.Validate(), tc.field)
	}
}

// Every batch method sends nothing for no input and returns an empty
// result; a batch_get or write without ids would be another request, or
// none LinkedIn documents.
func TestEmptyInputSendsNothing(t *testing.T) {
	t.Parallel()
	ak := ApplicationKey{IntegrationContext: org, ApplicationID: "A1"}
	ik := IntegrationKey{IntegrationContext: org, Type: OneClickExport}
	for _, tc := range []struct {
		name string
		call func(ctx context.Context, c *Client) (int, error) // the result's length
	}{
		{"Candidates.Upsert", func(ctx context.Context, c *Client) (int, error) { return itemCount(c.Candidates.Upsert(ctx, nil)) }},
		{"Candidates.Delete", func(ctx context.Context, c *Client) (int, error) { return itemCount(c.Candidates.Delete(ctx, nil)) }},
		{"Candidates.Get", func(ctx context.Context, c *Client) (int, error) { return entryCount(c.Candidates.Get(ctx, nil)) }},
		{"Applications.UpsertNotes", func(ctx context.Context, c *Client) (int, error) {
			return itemCount(c.Applications.UpsertNotes(ctx, ak, nil))
		}},
		{"ACLs.Upsert", func(ctx context.Context, c *Client) (int, error) { return itemCount(c.ACLs.Upsert(ctx, nil)) }},
		{"Integrations.Get", func(ctx context.Context, c *Client) (int, error) { return entryCount(c.Integrations.Get(ctx, nil)) }},
		{"Integrations.SetConfig", func(ctx context.Context, c *Client) (int, error) {
			return itemCount(c.Integrations.SetConfig(ctx, ik, nil))
		}},
		{"Integrations.Config", func(ctx context.Context, c *Client) (int, error) {
			m, err := c.Integrations.Config(ctx, ik)
			if m == nil {
				return -1, err
			}
			return len(m), err
		}},
		{"Integrations.DeleteConfig", func(ctx context.Context, c *Client) (int, error) {
			return itemCount(c.Integrations.DeleteConfig(ctx, ik))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, func(w http.ResponseWriter, s seen) { t.Errorf("request sent: %s %s?%s", s.Method, s.Path, s.RawQuery) })
			if n, err := tc.call(t.Context(), h.client); n != 0 || err != nil {
				t.Errorf("got %d results, err %v; want an empty result", n, err)
			}
		})
	}
}

// itemCount is the number of items in a batch write's result, with its
// error.
func itemCount[K comparable](r *BatchResult[K], err error) (int, error) { return len(r.Items), err }

// entryCount is the number of records a batch_get returned, with its error.
func entryCount[K comparable, V any](m map[K]V, err error) (int, error) { return len(m), err }

// A configuration LinkedIn failed to read is not one without a value:
// Config reports it as a *BatchGetError naming the key, with the values it
// read; a 404 means the key holds none (docs/linkedin-api.md §3.4).
func TestConfigPerKeyErrors(t *testing.T) {
	t.Parallel()
	oce := IntegrationKey{IntegrationContext: "urn:li:organization:1", Type: OneClickExport}
	for _, version := range []string{"", "202604"} {
		t.Run("version="+version, func(t *testing.T) {
			t.Parallel()
			var opts []Option
			key := func(k ConfigKey) string { return string(k) }
			if version != "" {
				opts = append(opts, WithVersion(version))
				key = func(k ConfigKey) string {
					return "(integrationContext:urn%3Ali%3Aorganization%3A1,integrationType:ONE_CLICK_EXPORT,tenantType:RECRUITER,configurationKey:" + string(k) + ")"
				}
			}
			h := setup(t, func(w http.ResponseWriter, s seen) {
				fmt.Fprintf(w, `{"results":{%q:{"configurationValue":{"string":"https://ats.example.com/li"}}},"statuses":{},"errors":{%q:{"status":500,"message":"Internal error"},%q:{"status":404,"message":"Not found"}}}`,
					key(ConfigCallbackURL), key(ConfigJobPostingViewers), key(ConfigAppViewers))
			}, opts...)
			got, err := h.client.Integrations.Config(t.Context(), oce, ConfigCallbackURL, ConfigJobPostingViewers, ConfigAppViewers)
			if d := cmp.Diff(map[ConfigKey]string{ConfigCallbackURL: "https://ats.example.com/li"}, got); d != "" {
				t.Errorf("values (-want +got):\n%s", d)
			}
			var bge *BatchGetError
			if !errors.As(err, &bge) || len(bge.Errors) != 1 || bge.Errors[0].Status != 500 || !strings.Contains(err.Error(), "JOB_POSTING_VIEWERS") {
				t.Errorf("err = %v, want a *BatchGetError naming JOB_POSTING_VIEWERS only, with status 500", err)
			}
		})
	}
}
