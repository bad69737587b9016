package rsctest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rscgo/rscgo/rsc/rsctest"
)

// postmanP1 is the body of LinkedIn's published P1 request (the Postman
// collection's "Provision Child Application").
const postmanP1 = `{
    "description": "TEST APP FOR Initech",
    "name": "Initech",
    "uniqueForeignId": "initech",
    "oauth2AuthorizedCallbackUrls": ["https://app.getpostman.com/oauth2/callback"],
    "validJsSdkDomains": ["http://localhost:5000"]
}`

// The ids the fake generates for a customer (P1's child application,
// AddCustomer or the admin API without ids) are none another customer
// holds: the earlier customer keeps its organization and its credentials.
func TestGeneratedIDsDoNotCollide(t *testing.T) {
	e := newEnv(t) // customer "cid", urn:li:organization:1000, urn:li:contract:5000
	// A second customer with explicit, ordinary ids.
	other := e.srv.AddCustomer(rsctest.CustomerSpec{ClientID: "customer-3", ClientSecret: "s3",
		Organization: "urn:li:organization:1001", Contracts: []string{"urn:li:contract:5001"}, UniqueForeignID: "globex"})

	// LinkedIn's published P1 request (Postman collection), parent token.
	p1 := e.reqTok(e.partnerToken(), "POST", "/v2/provisionedApplications", postmanP1).want(t, 201)
	newID, _ := p1.get("clientId").(string)
	created := e.srv.CustomerByForeignID("initech")
	if created == nil {
		t.Fatalf("P1 %s", p1.raw)
	}
	if newID == other.ClientID {
		t.Errorf("P1 issued client id %q, which customer %q already has", newID, other.UniqueForeignID)
	}
	if created.Organization == other.Organization {
		t.Errorf("P1's customer got organization %s, which customer %q already has", created.Organization, other.UniqueForeignID)
	}
	for _, k := range created.Contracts {
		if k == other.Contracts[0] {
			t.Errorf("P1's customer got contract %s, which customer %q already has", k, other.UniqueForeignID)
		}
	}
	// The earlier customer must still be reachable and able to get a token.
	if got := e.srv.CustomerByOrganization("urn:li:organization:1001"); got != other {
		t.Errorf("CustomerByOrganization(urn:li:organization:1001) = %v, want customer %q", got, other.UniqueForeignID)
	}
	r, _ := e.hc.PostForm(e.srv.TokenURL(), map[string][]string{"grant_type": {"client_credentials"}, "client_id": {"customer-3"}, "client_secret": {"s3"}})
	if r.StatusCode != http.StatusOK {
		t.Errorf("customer-3 can no longer get a token: %d", r.StatusCode)
	}
	r.Body.Close()
}

// The admin API's POST /_rsctest/customers with an empty spec generates an
// organization and a contract no other customer holds.
func TestAdminAddCustomerDefaultsDoNotCollide(t *testing.T) {
	e := newEnv(t)
	post := func(body string) resp {
		r, _ := http.NewRequest("POST", e.srv.URL()+"/_rsctest/customers", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		hr, err := e.hc.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer hr.Body.Close()
		var out resp
		out.status = hr.StatusCode
		return out
	}
	if st := post(`{"Organization":"urn:li:organization:1001","Contracts":["urn:li:contract:5001"]}`).status; st != 200 {
		t.Fatalf("first add: %d", st)
	}
	if st := post(`{}`).status; st != 200 {
		t.Fatalf("second add: %d", st)
	}
	orgs := map[string]int{}
	contracts := map[string]int{}
	for _, c := range e.srv.Customers() {
		orgs[c.Organization]++
		for _, k := range c.Contracts {
			contracts[k]++
		}
	}
	for o, n := range orgs {
		if n > 1 {
			t.Errorf("organization %s held by %d customers", o, n)
		}
	}
	for k, n := range contracts {
		if n > 1 {
			t.Errorf("contract %s held by %d customers", k, n)
		}
	}
}

// P1 answers 201 with the new application's key in X-RestLi-Id and a
// Location naming it, as a Rest.li server answers a create.
func TestProvisionCreateLocation(t *testing.T) {
	e := newEnv(t)
	p1 := e.reqTok(e.partnerToken(), "POST", "/v2/provisionedApplications", postmanP1).want(t, 201)
	key, _ := p1.get("key").(string)
	loc := p1.header.Get("Location")
	if loc == "" {
		t.Fatalf("201 without Location; headers %v", p1.header)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatalf("Location %q: %v", loc, err)
	}
	if u.Path != "/v2/provisionedApplications/"+key || u.RawQuery != "" {
		t.Fatalf("Location %q, want .../v2/provisionedApplications/%s", loc, key)
	}
	if !strings.HasPrefix(loc, e.srv.URL()) && !strings.HasPrefix(loc, "/") {
		t.Fatalf("Location %q not on the server", loc)
	}
}
