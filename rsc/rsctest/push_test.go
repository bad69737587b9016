package rsctest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

func TestRule10_PushDeliveryAndSignature(t *testing.T) {
	t.Parallel()
	type got struct {
		body []byte
		sig  string
	}
	var mu sync.Mutex
	var pushes []got
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		pushes = append(pushes, got{b, r.Header.Get("X-LI-Signature")})
		mu.Unlock()
	}))
	defer cb.Close()
	e := newEnv(t)
	id := e.cust.RequestIntegrations()
	if _, err := e.srv.DeliverPushes(context.Background()); !errors.Is(err, rsctest.ErrNoCallbackURL) {
		t.Fatalf("want ErrNoCallbackURL, got %v", err)
	}
	if p := e.srv.PendingPushes(); len(p) != 1 || p[0].ID != id || p[0].Type != rsctest.PushIntegrationStatusChange {
		t.Fatalf("%+v", p)
	}
	oce := "/v2/atsIntegrations/integrationContext=" + org + "&integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER&dataProvider=ATS/configurations?ids=CALLBACK_URL"
	// http is refused except on loopback.
	r := e.req("PUT", oce, `{"entities":{"CALLBACK_URL":{"configurationValue":{"string":"http://example.com/cb"}}}}`, "X-RestLi-Method: batch_update").want(t, 200)
	if r.get("errors", "CALLBACK_URL", "status") != float64(422) {
		t.Fatal(string(r.raw))
	}
	e.req("PUT", oce, `{"entities":{"CALLBACK_URL":{"configurationValue":{"string":"`+cb.URL+`"}}}}`, "X-RestLi-Method: batch_update").want(t, 200)
	n, err := e.srv.DeliverPushes(context.Background())
	if err != nil || n != 1 {
		t.Fatal(n, err)
	}
	var pb struct {
		ID, Type  string
		ExpiresAt int64
	}
	_ = json.Unmarshal(pushes[0].body, &pb)
	if pb.ID != id || pb.Type != "INTEGRATION_STATUS_CHANGE" || pb.ExpiresAt == 0 || pushes[0].sig != rsctest.Sign([]byte("csecret"), pushes[0].body) {
		t.Fatalf("%s %s", pushes[0].body, pushes[0].sig)
	}
	// I3 returns the payload.
	i3 := e.req("GET", "/v2/atsIntegrations?q=request&requestId="+id, nil).want(t, 200)
	if len(i3.body["elements"].([]any)) != 4 {
		t.Fatal(string(i3.raw))
	}
	// CALLBACK_URL must be unique per customer.
	other := e.srv.AddCustomer(rsctest.CustomerSpec{ClientID: "o", ClientSecret: "os", Organization: "urn:li:organization:2"})
	otok := e.token("o", "os")
	r = e.reqTok(otok, "PUT", "/v2/atsIntegrations/integrationContext="+other.Organization+"&integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER&dataProvider=ATS/configurations?ids=CALLBACK_URL",
		`{"entities":{"CALLBACK_URL":{"configurationValue":{"string":"`+cb.URL+`"}}}}`, "X-RestLi-Method: batch_update").want(t, 200)
	if r.get("errors", "CALLBACK_URL", "status") != float64(422) {
		t.Fatal(string(r.raw))
	}
	// Expired payloads are gone.
	e.clock.Advance(8 * 24 * 3600e9)
	e.tok = e.token("cid", "csecret")
	e.req("GET", "/v2/atsIntegrations?q=request&requestId="+id, nil).want(t, 404)
}

func TestIntegrationLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	name := func(typ, ctx string) {
		key := "integrationContext=" + ctx + "&integrationType=" + typ + "&tenantType=RECRUITER&dataProvider=ATS"
		e.req("POST", "/v2/atsIntegrations?ids[0].integrationContext="+ctx+"&ids[0].integrationType="+typ+"&ids[0].tenantType=RECRUITER&ids[0].dataProvider=ATS",
			map[string]any{"entities": map[string]any{key: map[string]any{"patch": map[string]any{"$set": map[string]any{"integrationName": "Acme " + typ}}}}}, "X-RestLi-Method: batch_partial_update").want(t, 200)
	}
	status := func(ctx, typ string) string { in, _ := e.cust.Integration(ctx, typ); return in.Status }
	name("ONE_CLICK_EXPORT", org) // before the request: stays NOT_REQUESTED
	if s := status(org, "ONE_CLICK_EXPORT"); s != rsctest.StatusNotRequested {
		t.Fatal(s)
	}
	e.cust.RequestIntegrations()
	if s := status(org, "ONE_CLICK_EXPORT"); s != rsctest.StatusRequested {
		t.Fatal(s)
	}
	name("ONE_CLICK_EXPORT", org)
	name("CSA_API", contract)
	if s := status(org, "ONE_CLICK_EXPORT"); s != rsctest.StatusPartnerReady {
		t.Fatal(s)
	}
	e.cust.SetContractAccess(true)
	if status(contract, "CSA_API") != rsctest.StatusEnabled || status(org, "ONE_CLICK_EXPORT") != rsctest.StatusPartnerReady {
		t.Fatal("contract access")
	}
	e.cust.SetCompanyAccess(true)
	e.cust.SetCompanyAccess(false)
	if status(org, "PROFILE_PLUGIN") != rsctest.StatusDisabled {
		t.Fatal("company access")
	}
	e.cust.NotifyPartner()
	e.cust.SetProductSettings(rsc.ProductSettings{OneClickExport: true})
	i2 := e.req("GET", "/v2/atsIntegrations?ids[0].integrationContext="+org+"&ids[0].integrationType=IN_ATS_INDICATOR&ids[0].tenantType=RECRUITER&ids[0].dataProvider=ATS", nil).want(t, 200)
	k := "integrationContext=" + org + "&integrationType=IN_ATS_INDICATOR&tenantType=RECRUITER&dataProvider=ATS"
	if i2.get("results", k, "productSettings", "inAtsIndicator") != false || i2.get("results", k, "status") != rsctest.StatusDisabled {
		t.Fatal(string(i2.raw))
	}
	// Every change queued a push: request, name(x2 → one each), contract, company on/off, notify, settings.
	if n := len(e.cust.Pushes()); n != 8 {
		t.Fatalf("%d pushes", n)
	}
	// A CSA_API key on an organization is a per-entity error.
	r := e.req("POST", "/v2/atsIntegrations?ids[0].integrationContext="+org+"&ids[0].integrationType=CSA_API&ids[0].tenantType=RECRUITER&ids[0].dataProvider=ATS",
		map[string]any{"entities": map[string]any{"integrationContext=" + org + "&integrationType=CSA_API&tenantType=RECRUITER&dataProvider=ATS": map[string]any{"patch": map[string]any{"$set": map[string]any{"integrationName": "x"}}}}}, "X-RestLi-Method: batch_partial_update").want(t, 200)
	if len(r.body["errors"].(map[string]any)) != 1 {
		t.Fatal(string(r.raw))
	}
}

// WithPushSecretFunc chooses the signing key of each customer's pushes; a
// nil key sends them unsigned.
func TestPushSecretFunc(t *testing.T) {
	t.Parallel()
	sigs := make(chan string, 2)
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sigs <- r.Header.Get("X-LI-Signature")
	}))
	defer cb.Close()
	for _, key := range [][]byte{[]byte("vendor-key"), nil} {
		e := newEnv(t, rsctest.WithPushSecretFunc(func(*rsctest.Customer) []byte { return key }))
		e.req("PUT", "/v2/atsIntegrations/integrationContext="+org+"&integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER&dataProvider=ATS/configurations?ids=CALLBACK_URL",
			`{"entities":{"CALLBACK_URL":{"configurationValue":{"string":"`+cb.URL+`"}}}}`).want(t, 200)
		e.cust.RequestIntegrations()
		if n, err := e.srv.DeliverPushes(t.Context()); n != 1 || err != nil {
			t.Fatal(n, err)
		}
		want := ""
		if key != nil {
			want = rsctest.Sign(key, e.srv.Pushes()[0].Body)
		}
		if got := <-sigs; got != want {
			t.Errorf("key %q: signature %q, want %q", key, got, want)
		}
	}
}
