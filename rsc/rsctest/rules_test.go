package rsctest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/internal/restli"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// §13.1 tokens.
func TestRule01_TokenClientCredentials(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r, _ := e.hc.PostForm(e.srv.TokenURL(), url.Values{"grant_type": {"client_credentials"}, "client_id": {"cid"}, "client_secret": {"csecret"}})
	if r.StatusCode != 200 {
		t.Fatal(r.StatusCode)
	}
	r.Body.Close()
	for _, f := range []url.Values{
		{"grant_type": {"client_credentials"}, "client_id": {"nobody"}, "client_secret": {"x"}},
		{"grant_type": {"client_credentials"}, "client_id": {"cid"}, "client_secret": {"wrong"}},
	} {
		r, _ := e.hc.PostForm(e.srv.TokenURL(), f)
		if r.StatusCode != 401 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("unknown client: %d", r.StatusCode)
		}
		r.Body.Close()
	}
	r, _ = e.hc.PostForm(e.srv.TokenURL(), url.Values{"grant_type": {"authorization_code"}, "client_id": {"cid"}, "client_secret": {"csecret"}})
	if r.StatusCode != 400 {
		t.Fatalf("bad grant: %d", r.StatusCode)
	}
	r.Body.Close()
}

// A client secret wrongly sent in the token URL's query is not kept in the
// request log (which the admin API serves).
func TestRule01_QuerySecretNotLogged(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r, err := e.hc.PostForm(e.srv.TokenURL()+"?client_id=cid&client_secret=csecret&x=1", url.Values{"grant_type": {"client_credentials"}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	var got []string
	for _, l := range e.srv.Requests() {
		if strings.Contains(l.Path, "accessToken") {
			got = append(got, l.RawQuery)
		}
	}
	if d := cmp.Diff([]string{"client_id=cid&client_secret=REDACTED&x=1"}, got[len(got)-1:]); d != "" {
		t.Errorf("logged query (-want +got):\n%s", d)
	}
}

// A call to a resource the fake does not serve is refused for a missing
// token first (401), as at LinkedIn's gateway, then 404; answers name the
// Rest.li protocol they are in.
func TestRule01_UnknownResourceAndProtocolHeader(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.reqTok("", "GET", "/v2/me?fields=id", nil).want(t, 401)
	e.req("GET", "/v2/me?fields=id", nil).want(t, 404)
	for _, tc := range []struct{ hdr, want string }{{"", "1.0.0"}, {"X-RestLi-Protocol-Version: 2.0.0", "2.0.0"}} {
		var hdr []string
		if tc.hdr != "" {
			hdr = append(hdr, tc.hdr)
		}
		r := e.req("GET", "/v2/atsEntityAcls?q=criteria&atsEntityId=J1&atsEntityType=JOB_POSTING&dataProvider=ATS&integrationContext="+url.QueryEscape(org), nil, hdr...)
		if got := r.header.Get("X-RestLi-Protocol-Version"); got != tc.want {
			t.Errorf("answer's protocol %q, want %q", got, tc.want)
		}
	}
}

func TestRule01_TokenExpiresAfter1800s(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.clock.Advance(1799 * time.Second)
	e.req("GET", "/v2/atsCandidates?"+candIDsN([]string{"C1"}), nil).want(t, 200)
	e.clock.Advance(time.Second)
	r := e.req("GET", "/v2/atsCandidates?"+candIDsN([]string{"C1"}), nil).want(t, 401)
	if diff := cmp.Diff(map[string]any{"message": "The token used in the request has expired", "serviceErrorCode": float64(401), "status": float64(401)}, r.body); diff != "" {
		t.Fatal(diff)
	}
}

func TestRule01_UnknownBearer401(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.reqTok("bogus", "GET", "/v2/atsCandidates?"+candIDsN([]string{"C1"}), nil).want(t, 401)
	if r.body["serviceErrorCode"] != float64(401) || r.body["status"] != float64(401) || r.body["message"] == "" {
		t.Fatal(string(r.raw))
	}
	e.reqTok("", "GET", "/v2/atsCandidates?"+candIDsN([]string{"C1"}), nil).want(t, 401)
}

func TestRule01_Introspection(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r, err := e.hc.PostForm(e.srv.IntrospectURL(), url.Values{"client_id": {"cid"}, "client_secret": {"csecret"}, "token": {e.tok}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var got map[string]any
	_ = json.NewDecoder(r.Body).Decode(&got)
	if r.StatusCode != 200 || got["active"] != true || got["client_id"] != "cid" || got["expires_at"] != float64(t0.Add(1800*time.Second).Unix()) {
		t.Fatal(r.StatusCode, got)
	}
}

// §13.2 scoping.
func TestRule02_ParentTokenOnlyOnProvisioning(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.reqTok(e.partnerToken(), "PUT", "/v2/atsCandidates?"+candIDsN([]string{"C1"}), map[string]any{"entities": map[string]any{candKey("C1"): candidate("Ann")}}, "X-RestLi-Method: batch_update").want(t, 403)
	if r.body["message"] != "Not enough permissions to access: PUT /atsCandidates" {
		t.Fatal(string(r.raw))
	}
	e.req("GET", "/v2/provisionedApplications?q=credentialsByUniqueForeignId&uniqueForeignId=acme", nil).want(t, 403)
}

func TestRule02_ChildTokenOnlyOwnContexts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	other := e.srv.AddCustomer(rsctest.CustomerSpec{Organization: "urn:li:organization:2000", Contracts: []string{"urn:li:contract:6000"}})
	q := "ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS&ids[0].integrationContext=" + other.Organization
	r := e.req("PUT", "/v2/atsCandidates?"+q, map[string]any{"entities": map[string]any{"atsCandidateId=C1&dataProvider=ATS&integrationContext=" + other.Organization: candidate("Ann")}}, "X-RestLi-Method: batch_update").want(t, 403)
	if r.body["message"] != "Not enough permissions to access: PUT /atsCandidates" {
		t.Fatal(string(r.raw))
	}
	e.req("GET", "/v2/seatsV2?q=attributes&contracts=urn:li:contract:6000&start=0", nil).want(t, 403)
	e.req("GET", "/v2/atsEntityAcls?q=criteria&integrationContext=urn:li:organization:2000", nil).want(t, 403)
	job := jobElem("J1", "CREATE")
	job["integrationContext"] = other.Organization
	if el := e.postJobs(job).want(t, 200).body["elements"].([]any)[0].(map[string]any); el["status"] != float64(403) {
		t.Fatalf("job for other org: %v", el)
	}
	if len(other.Candidates()) != 0 {
		t.Fatal("stored for other customer")
	}
}

// LinkedIn publishes the Provisioning API only under /v2
// (docs/linkedin-api.md §6.1): the versioned path does not exist.
func TestRule02_ProvisioningOnlyOnV2(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ptok := e.partnerToken()
	for _, tc := range []struct{ method, path string }{
		{"GET", "/rest/provisionedApplications?q=credentialsByUniqueForeignId&uniqueForeignId=acme"},
		{"POST", "/rest/provisionedApplications"},
		{"POST", "/rest/provisionedApplications/" + e.cust.AppKey},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := e.reqTok(ptok, tc.method, tc.path, nil, "LinkedIn-Version: 202604", "X-RestLi-Protocol-Version: 2.0.0").want(t, 404)
			if d := cmp.Diff("Resource "+strings.TrimPrefix(tc.path[:strings.IndexAny(tc.path+"?", "?")], "/rest/")+" does not exist", r.body["message"]); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
	e.reqTok(ptok, "GET", "/v2/provisionedApplications?q=credentialsByUniqueForeignId&uniqueForeignId=acme", nil).want(t, 200)
}

// LinkedIn serves the ACL resources under /rest from LinkedIn-Version
// 202511 on (docs/linkedin-api.md §11); /v2 serves them whatever the header.
func TestRule02_ACLsOnRestFrom202511(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q := "?q=criteria&atsEntityId=J1&atsEntityType=JOB_POSTING&integrationContext=" + url.QueryEscape(e.cust.Organization)
	for _, tc := range []struct {
		path, version string
		status        int
		message       string
	}{
		{"/rest/entityAcls", "202510", 404, "Resource entityAcls does not exist in LinkedIn-Version 202510 (from 202511 on)"},
		{"/rest/entityAclAssignees", "202510.02", 404, "Resource entityAclAssignees does not exist in LinkedIn-Version 202510.02 (from 202511 on)"},
		{"/rest/entityAcls", "202511", 200, ""},
		{"/rest/entityAcls", "202604", 200, ""},
	} {
		t.Run(tc.path+" "+tc.version, func(t *testing.T) {
			r := e.req("GET", tc.path+q, nil, "LinkedIn-Version: "+tc.version, "X-RestLi-Protocol-Version: 2.0.0").want(t, tc.status)
			if tc.message != "" {
				if d := cmp.Diff(tc.message, r.body["message"]); d != "" {
					t.Errorf("(-want +got):\n%s", d)
				}
			}
		})
	}
	e.req("GET", "/v2/atsEntityAcls"+q+"&dataProvider=ATS", nil).want(t, 200)
}

// §13.3 key syntaxes.
func TestRule03_BothKeySyntaxesEscapedAndUnordered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	enc := "urn%3Ali%3Aorganization%3A1000"
	v2 := "X-RestLi-Protocol-Version: 2.0.0"
	forms := []struct{ name, query, bodyKey, respKey, header string }{
		{"1.0", candIDsN([]string{"A"}), candKey("A"), candKey("A"), ""},
		{"1.0 unordered body", candIDsN([]string{"B"}), "integrationContext=" + org + "&atsCandidateId=B&dataProvider=ATS", candKey("B"), ""},
		{"1.0 escaped brackets", "ids%5B0%5D.atsCandidateId=C&ids%5B0%5D.dataProvider=ATS&ids%5B0%5D.integrationContext=" + enc, candKey("C"), candKey("C"), ""},
		{"2.0", "ids=List((atsCandidateId:D,dataProvider:ATS,integrationContext:" + enc + "))", "(atsCandidateId:D,dataProvider:ATS,integrationContext:" + enc + ")", "(atsCandidateId:D,dataProvider:ATS,integrationContext:" + enc + ")", v2},
		{"2.0 unordered, raw URN", "ids=List((integrationContext:" + org + ",atsCandidateId:E,dataProvider:ATS))", "%28dataProvider%3AATS%2CatsCandidateId%3AE%2CintegrationContext%3A" + enc + "%29", "", v2},
	}
	for _, f := range forms {
		r := e.req("PUT", "/v2/atsCandidates?"+f.query, map[string]any{"entities": map[string]any{f.bodyKey: candidate("Ann")}}, "X-RestLi-Method: batch_update", f.header)
		if r.status != 200 || len(r.body["results"].(map[string]any)) != 1 {
			t.Fatalf("%s: %d %s", f.name, r.status, r.raw)
		}
		if f.respKey != "" && r.get("results", f.respKey, "status") != float64(204) {
			t.Fatalf("%s: response key: %s", f.name, r.raw)
		}
	}
	if n := len(e.cust.Candidates()); n != len(forms) {
		t.Fatalf("stored %d", n)
	}
	// Path keys: 1.0, and raw and %28-escaped 2.0.
	paths := []struct{ key, header string }{
		{"atsCandidateId=A&dataProvider=ATS&integrationContext=" + org, ""},
		{"(atsCandidateId:A,dataProvider:ATS,integrationContext:" + enc + ")", v2},
		{"%28atsCandidateId%3AA%2CdataProvider%3AATS%2CintegrationContext%3A" + enc + "%29", v2},
	}
	ids := func(header, id string) string {
		if header == "" {
			return "ids=" + id
		}
		return "ids=List(" + id + ")"
	}
	for i, p := range paths {
		id := fmt.Sprintf("N%d", i)
		e.req("PUT", "/v2/atsCandidates/"+p.key+"/notes?"+ids(p.header, id), `{"entities":{"`+id+`":{"note":"x"}}}`, "X-RestLi-Method: batch_update", p.header).want(t, 200)
		// The other protocol's header makes the path key malformed.
		other := v2
		if p.header != "" {
			other = ""
		}
		e.req("PUT", "/v2/atsCandidates/"+p.key+"/notes?"+ids(other, id), `{"entities":{"`+id+`":{"note":"y"}}}`, "X-RestLi-Method: batch_update", other).want(t, 400)
	}
	if n := len(e.cust.CandidateNotes()); n != 3 {
		t.Fatalf("notes %d", n)
	}
}

func TestRule03_TunnelledForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.putCandidates(map[string]map[string]any{"C1": candidate("Ann"), "C2": candidate("Bob")}).want(t, 200)
	q := candIDsN([]string{"C1", "C2"})
	r := e.req("POST", "/v2/atsCandidates", q, "X-HTTP-Method-Override: GET", "Content-Type: application/x-www-form-urlencoded").want(t, 200)
	if len(r.body["results"].(map[string]any)) != 2 {
		t.Fatal(string(r.raw))
	}
	e.req("POST", "/v2/atsCandidates", q, "X-HTTP-Method-Override: DELETE", "Content-Type: application/x-www-form-urlencoded").want(t, 200)
	if len(e.cust.Candidates()) != 0 {
		t.Fatal("tunnelled delete")
	}
	last := e.srv.Requests()[len(e.srv.Requests())-1]
	if last.Method != "POST" || last.EffectiveMethod != "DELETE" || last.TunnelledQuery != q {
		t.Fatalf("log %+v", last)
	}
}

func TestRule03_TunnelledMultipart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids, ents := candidateBatch(100, "CAND-%03d", func(int, string) map[string]any { return candidate("Ann") })
	q := candIDsN(ids)
	if len(q) <= 4096 {
		t.Fatal("query should need tunnelling")
	}
	e.req("PUT", "/v2/atsCandidates?"+q, map[string]any{"entities": ents}, "X-RestLi-Method: batch_update").want(t, 414)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	p, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"application/x-www-form-urlencoded"}})
	p.Write([]byte(q))
	p, _ = mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"application/json"}})
	p.Write(mustJSON(map[string]any{"entities": ents}))
	mw.Close()
	r := e.req("POST", "/v2/atsCandidates", buf.Bytes(), "X-HTTP-Method-Override: PUT", "X-RestLi-Method: batch_update",
		"Content-Type: multipart/mixed; boundary="+mw.Boundary()).want(t, 200)
	if len(r.body["results"].(map[string]any)) != 100 || len(e.cust.Candidates()) != 100 {
		t.Fatalf("multipart: %d", len(e.cust.Candidates()))
	}
}

func TestRule03_URITooLong414(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.req("GET", "/v2/atsCandidates?"+candIDsN([]string{"C1"})+"&pad="+strings.Repeat("x", 4100), nil).want(t, 414)
	long := strings.Repeat("y", 8200)
	e.req("GET", "/v2/atsCandidates/"+long+"/notes?ids=a", nil).want(t, 414)
	// A path segment is at most 4 KB, however short the whole URI.
	e.req("GET", "/v2/atsCandidates/"+strings.Repeat("y", 4097)+"/notes?ids=a", nil).want(t, 414)
	e.req("GET", "/v2/atsCandidates/"+strings.Repeat("y", 4096)+"/notes?ids=a", nil).want(t, 400)
}

// §13.4 X-RestLi-Method, batch size, ids/body match.
// Rest.li infers batch_update, batch_partial_update and batch_delete from
// the verb and the ids; only batch_create needs X-RestLi-Method.
func TestRule04_RestLiMethodInferred(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	body := map[string]any{"entities": map[string]any{candKey("C1"): candidate("Ann")}}
	e.req("PUT", "/v2/atsCandidates?"+candIDsN([]string{"C1"}), body).want(t, 200)
	patch := map[string]any{"entities": map[string]any{candKey("C1"): map[string]any{"patch": map[string]any{"$set": map[string]any{"firstName": "X"}}}}}
	e.req("POST", "/v2/atsCandidates?"+candIDsN([]string{"C1"}), patch).want(t, 200)
	if c, _ := e.cust.Candidate("C1"); c.Fields["firstName"] != "X" {
		t.Fatalf("inferred batch_partial_update not applied: %v", c.Fields)
	}
	r := e.req("POST", "/v2/simpleJobPostings", map[string]any{"elements": []any{jobElem("J1", "CREATE")}}).want(t, 403)
	if !strings.Contains(r.body["message"].(string), "Unpermitted fields present in REQUEST_BODY") {
		t.Fatal(string(r.raw))
	}
	if len(e.cust.Jobs()) != 0 {
		t.Fatal("job stored without X-RestLi-Method")
	}
	app := "/v2/atsApplications/atsJobApplicationId=A1&dataProvider=ATS&integrationContext=" + org
	e.putApplication(t, "A1")
	e.req("PUT", app+"/interviewFeedback?ids=F1", `{"entities":{"F1":{"feedback":"ok"}}}`).want(t, 200)
	e.req("PUT", app+"/stages?ids=S1", `{"entities":{"S1":{"atsCreatedAt":1,"stage":"x"}}}`).want(t, 200)
	e.req("PUT", "/v2/atsIntegrations/integrationContext="+org+"&integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER&dataProvider=ATS/configurations?ids=JOB_POSTING_VIEWERS",
		`{"entities":{"JOB_POSTING_VIEWERS":{"configurationValue":{"string":"ALL_PRODUCT_USERS"}}}}`).want(t, 200)
	e.req("DELETE", app+"/stages?ids=S1", nil).want(t, 200)
	if len(e.cust.Stages()) != 0 {
		t.Fatal("inferred batch_delete did not delete")
	}
	// A header the verb cannot carry is refused, and nothing is deleted.
	for name, hdr := range map[string][]string{
		"GET":              {"X-RestLi-Method: BATCH_DELETE"},
		"tunnelled GET":    {"X-RestLi-Method: batch_delete", "X-HTTP-Method-Override: GET", "Content-Type: application/x-www-form-urlencoded"},
		"PUT with partial": {"X-RestLi-Method: batch_partial_update"},
	} {
		method, target, body := "GET", "/v2/atsCandidates?"+candIDsN([]string{"C1"}), any(nil)
		switch name {
		case "tunnelled GET":
			method, target, body = "POST", "/v2/atsCandidates", candIDsN([]string{"C1"})
		case "PUT with partial":
			method, body = "PUT", map[string]any{"entities": map[string]any{candKey("C1"): candidate("Bob")}}
		}
		r := e.req(method, target, body, hdr...).want(t, 400)
		if msg, _ := r.body["message"].(string); name != "PUT with partial" && !strings.HasPrefix(msg, "Method 'GET' is not supported") {
			t.Fatalf("%s: message %q", name, msg)
		}
	}
	if c, ok := e.cust.Candidate("C1"); !ok || c.Fields["firstName"] != "X" {
		t.Fatalf("candidate changed by a refused request: %v %v", c, ok)
	}
}

func TestRule04_AtMost100Keys(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids, _ := candidateBatch(101, "C%d", func(int, string) map[string]any { return candidate("Ann") })
	e.srv.SetFaults()
	r := e.req("POST", "/v2/atsCandidates", candIDsN(ids), "X-HTTP-Method-Override: GET", "Content-Type: application/x-www-form-urlencoded")
	r.want(t, 400)
	var elems []any
	for i := range 101 {
		elems = append(elems, jobElem(fmt.Sprintf("J%d", i), "CREATE"))
	}
	e.req("POST", "/v2/simpleJobPostings", map[string]any{"elements": elems}, "X-RestLi-Method: batch_create").want(t, 400)
}

func TestRule04_IDsMatchBodyKeys(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.req("PUT", "/v2/atsCandidates?"+candIDsN([]string{"C1", "C2"}), map[string]any{"entities": map[string]any{candKey("C1"): candidate("Ann")}}, "X-RestLi-Method: batch_update").want(t, 400)
	e.req("PUT", "/v2/atsCandidates?"+candIDsN([]string{"C1"}), map[string]any{"entities": map[string]any{candKey("C1"): candidate("Ann"), candKey("C9"): candidate("Bob")}}, "X-RestLi-Method: batch_update").want(t, 400)
	e.req("PUT", "/v2/atsCandidates/"+candKey("C1")+"/notes?ids=N1", `{"entities":{"N2":{}}}`, "X-RestLi-Method: batch_update").want(t, 400)
	if len(e.cust.Candidates())+len(e.cust.CandidateNotes()) != 0 {
		t.Fatal("stored on mismatch")
	}
}

// §13.5 per-entity validation: the bad entity lands in errors, the others are stored.
func TestRule05_CandidateValidation(t *testing.T) {
	t.Parallel()
	mod := func(f func(m map[string]any)) map[string]any { return edited(candidate("Ann"), f) }
	cases := map[string]invalidDoc{
		"atsCreatedAt zero":       {mod(func(m map[string]any) { m["atsCreatedAt"] = 0 }), "/atsCreatedAt"},
		"atsCreatedAt missing":    {mod(func(m map[string]any) { delete(m, "atsCreatedAt") }), "/atsCreatedAt"},
		"atsLastModifiedAt zero":  {mod(func(m map[string]any) { m["atsLastModifiedAt"] = 0 }), "/atsLastModifiedAt"},
		"modified before created": {mod(func(m map[string]any) { m["atsLastModifiedAt"] = 1699999999999 }), "/atsLastModifiedAt"},
		"bad email":               {mod(func(m map[string]any) { m["emailAddresses"] = []string{"ok@x.io", "not-an-email"} }), "/emailAddresses/1"},
		"email without dot":       {mod(func(m map[string]any) { m["emailAddresses"] = []string{"a@b"} }), "/emailAddresses/0"},
		"firstName empty":         {mod(func(m map[string]any) { m["firstName"] = "" }), "/firstName"},
		"firstName missing":       {mod(func(m map[string]any) { delete(m, "firstName") }), "/firstName"},
		"addresses missing":       {mod(func(m map[string]any) { delete(m, "addresses") }), "/addresses"},
		"phoneNumbers missing":    {mod(func(m map[string]any) { delete(m, "phoneNumbers") }), "/phoneNumbers"},
		"addresses an object":     {mod(func(m map[string]any) { m["addresses"] = map[string]any{} }), "/addresses"},
		"phoneNumbers null":       {mod(func(m map[string]any) { m["phoneNumbers"] = nil }), "/phoneNumbers"},
		"externalProfileUrl miss": {mod(func(m map[string]any) { delete(m, "externalProfileUrl") }), "/externalProfileUrl"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			okC := candidate("Good")
			okC["addresses"], okC["phoneNumbers"] = []any{}, []any{} // present but empty is fine
			r := e.putCandidates(map[string]map[string]any{"BAD": tc.doc, "GOOD": okC}).want(t, 200)
			r.wantFieldError(t, candKey("BAD"), tc.field)
			if r.get("results", candKey("GOOD"), "status") != float64(204) {
				t.Fatalf("results: %s", r.raw)
			}
			if _, ok := e.cust.Candidate("GOOD"); !ok {
				t.Fatal("good candidate not stored")
			}
			if _, ok := e.cust.Candidate("BAD"); ok {
				t.Fatal("bad candidate stored")
			}
		})
	}
}

func application(first string) map[string]any {
	return map[string]any{"atsCandidateId": "C1", "atsCreatedAt": 1700000000000, "atsLastModifiedAt": 1700000000001, "atsJobPostingId": "J1",
		"atsJobPostingName": "Engineer", "candidateEmail": "ann@example.com", "firstName": first, "lastName": "Lee"}
}

func appKey(id string) string {
	return "atsJobApplicationId=" + id + "&dataProvider=ATS&integrationContext=" + org
}

func appIDs(ids ...string) string {
	var parts []string
	for i, id := range ids {
		n := fmt.Sprint(i)
		parts = append(parts, "ids["+n+"].atsJobApplicationId="+id+"&ids["+n+"].dataProvider=ATS&ids["+n+"].integrationContext="+org)
	}
	return strings.Join(parts, "&")
}

func TestRule05_ApplicationValidation(t *testing.T) {
	t.Parallel()
	mod := func(f func(m map[string]any)) map[string]any { return edited(application("Ann"), f) }
	cases := map[string]invalidDoc{
		"created zero":        {mod(func(m map[string]any) { m["atsCreatedAt"] = 0 }), "/atsCreatedAt"},
		"modified < created":  {mod(func(m map[string]any) { m["atsLastModifiedAt"] = 1 }), "/atsLastModifiedAt"},
		"jobPostingId empty":  {mod(func(m map[string]any) { m["atsJobPostingId"] = "" }), "/atsJobPostingId"},
		"jobPostingName miss": {mod(func(m map[string]any) { delete(m, "atsJobPostingName") }), "/atsJobPostingName"},
		"firstName empty":     {mod(func(m map[string]any) { m["firstName"] = "" }), "/firstName"},
		"candidateEmail bad":  {mod(func(m map[string]any) { m["candidateEmail"] = "nope" }), "/candidateEmail"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			r := e.req("PUT", "/v2/atsApplications?"+appIDs("BAD", "GOOD"), map[string]any{"entities": map[string]any{appKey("BAD"): tc.doc, appKey("GOOD"): application("Bob")}}, "X-RestLi-Method: batch_update").want(t, 200)
			r.wantFieldError(t, appKey("BAD"), tc.field)
			if _, ok := e.cust.Application("GOOD"); !ok {
				t.Fatal("good application not stored")
			}
			if _, ok := e.cust.Application("BAD"); ok {
				t.Fatal("bad application stored")
			}
		})
	}
}

func TestRule05_StageValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	path := "/v2/atsApplications/" + appKey("A1") + "/stages?ids=S1&ids=S2&ids=S3&ids=S4&ids=OK"
	r := e.req("PUT", path, `{"entities":{"S1":{"atsCreatedAt":0,"stage":"Hired"},"S2":{"atsCreatedAt":1,"stage":""},
		"S3":{"atsCreatedAt":1,"stage":"Not Available"},"S4":{"stage":"Hired"},"OK":{"atsCreatedAt":1,"stage":"Offer Extended"}}}`, "X-RestLi-Method: batch_update").want(t, 200)
	want := map[string]string{"S1": "/atsCreatedAt", "S2": "/stage", "S3": "/stage", "S4": "/atsCreatedAt"}
	for id, f := range want {
		if msg, _ := r.get("errors", id, "message").(string); !strings.HasPrefix(msg, "ERROR :: "+f+" :: ") {
			t.Fatalf("%s: %s", id, r.raw)
		}
	}
	if st := e.cust.Stages(); len(st) != 1 || st[0].Key["stageId"] != "OK" {
		t.Fatalf("stored %v", st)
	}
}

// §13.6 full replace and $set/$delete.
func TestRule06_BatchUpdateReplacesPartialMerges(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := candidate("Ann")
	c["currentJobTitle"] = "Brewer"
	e.putCandidates(map[string]map[string]any{"C1": c}).want(t, 200)
	e.putCandidates(map[string]map[string]any{"C1": candidate("Ann")}).want(t, 200)
	got, _ := e.cust.Candidate("C1")
	if _, ok := got.Fields["currentJobTitle"]; ok {
		t.Fatal("batch_update merged instead of replacing")
	}
	q := "/v2/atsCandidates?" + candIDsN([]string{"C1"})
	e.req("POST", q, map[string]any{"entities": map[string]any{candKey("C1"): map[string]any{"patch": map[string]any{"$set": map[string]any{"currentJobTitle": "Chef", "manualMatchedMember": "urn:li:person:p1"}}}}}, "X-RestLi-Method: batch_partial_update").want(t, 200)
	got, _ = e.cust.Candidate("C1")
	if got.Fields["currentJobTitle"] != "Chef" || got.Fields["lastName"] != "Doe" || got.ManualMatchedMember != "urn:li:person:p1" {
		t.Fatalf("$set: %+v", got)
	}
	e.req("POST", q, map[string]any{"entities": map[string]any{candKey("C1"): map[string]any{"patch": map[string]any{"$delete": []string{"currentJobTitle", "manualMatchedMember"}}}}}, "X-RestLi-Method: batch_partial_update").want(t, 200)
	got, _ = e.cust.Candidate("C1")
	if _, ok := got.Fields["currentJobTitle"]; ok || got.ManualMatchedMember != "" {
		t.Fatalf("$delete: %+v", got)
	}
	// Partial update of an unknown entity is a per-entity 404.
	r := e.req("POST", "/v2/atsCandidates?"+candIDsN([]string{"NOPE"}), map[string]any{"entities": map[string]any{candKey("NOPE"): map[string]any{"patch": map[string]any{"$set": map[string]any{"firstName": "x"}}}}}, "X-RestLi-Method: batch_partial_update").want(t, 200)
	if r.get("errors", candKey("NOPE"), "status") != float64(404) {
		t.Fatal(string(r.raw))
	}
}

// §13.7 jobs.
func TestRule07_JobValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mod := func(id string, f func(m map[string]any)) map[string]any { return edited(jobElem(id, "CREATE"), f) }
	elems := []map[string]any{
		mod("J-notitle", func(m map[string]any) { delete(m, "title") }),
		mod("J-short", func(m map[string]any) { m["description"] = "too short" }),
		mod("J-longtitle", func(m map[string]any) { m["title"] = strings.Repeat("t", 201) }),
		mod(strings.Repeat("x", 201), func(m map[string]any) {}),
		mod("J-enum", func(m map[string]any) { m["listingType"] = "GOLD" }),
		mod("J-wpt", func(m map[string]any) { m["workplaceTypes"] = []string{"remote", "hybrid"} }),
		mod("J-alt", func(m map[string]any) { m["alternateLocations"] = []string{"a", "b", "c", "d", "e", "f", "g", "h"} }),
		mod("J-ok", func(m map[string]any) {}),
		mod("J-ok", func(m map[string]any) {}),
		mod("J-noavail", func(m map[string]any) { delete(m, "availability") }),
	}
	r := e.postJobs(elems...).want(t, 200)
	els := r.body["elements"].([]any)
	want := []struct {
		status int
		msg    string
	}{
		{422, "ERROR :: /title :: field is required but not found and has no default value\n"},
		{422, "ERROR :: /description :: "},
		{422, "ERROR :: /title :: "},
		{422, "ERROR :: /externalJobPostingId :: "},
		{422, "ERROR :: /listingType :: "},
		{400, "ERROR :: /workplaceTypes :: "},
		{422, "ERROR :: /alternateLocations :: "},
		{202, ""},
		{422, "ERROR :: /externalJobPostingId :: duplicate"},
		{422, "ERROR :: /availability :: field is required but not found and has no default value\n"},
	}
	for i, w := range want {
		el := els[i].(map[string]any)
		if el["status"] != float64(w.status) {
			t.Fatalf("element %d: %v", i, el)
		}
		if w.msg != "" {
			em := el["error"].(map[string]any)
			if em["status"] != float64(w.status) || !strings.HasPrefix(em["message"].(string), w.msg) {
				t.Fatalf("element %d: %v", i, el)
			}
		}
	}
	if jobs := e.cust.Jobs(); len(jobs) != 1 || jobs[0].ExternalJobPostingID != "J-ok" {
		t.Fatalf("jobs %v", jobs)
	}
}

func TestRule07_JobTasksLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rsctest.WithJobTaskLatency(2))
	poll := func(id string) map[string]any {
		return e.req("GET", "/v2/simpleJobPostingTasks?ids="+id, nil).want(t, 200).get("results", id).(map[string]any)
	}
	taskOf := func(r resp) string { return r.body["elements"].([]any)[0].(map[string]any)["id"].(string) }
	create := taskOf(e.postJobs(jobElem("J1", "CREATE")))
	for range 2 {
		if st := poll(create)["status"]; st != rsctest.TaskInProgress {
			t.Fatalf("want IN_PROGRESS, got %v", st)
		}
	}
	done := poll(create)
	job, _ := e.cust.Job("J1")
	if done["status"] != rsctest.TaskSucceeded || done["jobPosting"] != job.JobPosting || job.State != rsctest.JobListed {
		t.Fatalf("%v %+v", done, job)
	}
	closeT := taskOf(e.postJobs(map[string]any{"externalJobPostingId": "J1", "jobPostingOperationType": "CLOSE", "integrationContext": org}))
	for range 2 {
		poll(closeT)
	}
	if poll(closeT)["status"] != rsctest.TaskSucceeded {
		t.Fatal("close")
	}
	// A task fails when the operation does (closing a job that is not
	// listed is refused at once instead: TestRule07_CloseUnknownOrClosedJobIs409).
	update := taskOf(e.postJobs(jobElem("NOPE", "UPDATE")))
	for range 2 {
		poll(update)
	}
	if p := poll(update); p["status"] != rsctest.TaskFailed || p["errorMessage"] != "Job posting with externalJobPostingId NOPE does not exist" {
		t.Fatalf("%v", p)
	}
	if job, _ := e.cust.Job("J1"); job.State != rsctest.JobClosed {
		t.Fatal("not closed")
	}
	e.req("GET", "/v2/simpleJobPostingTasks?ids=not-a-task", nil).want(t, 400)
	if r := e.req("GET", "/v2/simpleJobPostingTasks?ids=urn:li:simpleJobPostingTask:0000", nil).want(t, 200); r.get("errors", "urn:li:simpleJobPostingTask:0000", "status") != float64(404) {
		t.Fatal(string(r.raw))
	}
	// The legacy state field is accepted.
	legacy := jobElem("J2", "")
	delete(legacy, "jobPostingOperationType")
	legacy["state"] = "LISTED"
	if el := e.postJobs(legacy).body["elements"].([]any)[0].(map[string]any); el["status"] != float64(202) {
		t.Fatal(el)
	}
}

// A CLOSE needs only its posting's id, operation and context, and the
// fake accepts it bare; an availability it carries is still an enum, so ""
// or an unknown value is LinkedIn's 422 (docs/linkedin-api.md §7.1, §13.7).
func TestRule07_JobCloseAvailability(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.postJobs(jobElem("J1", "CREATE")).want(t, 200)
	closing := func(f func(m map[string]any)) map[string]any {
		return edited(map[string]any{"externalJobPostingId": "J1", "jobPostingOperationType": "CLOSE", "integrationContext": org}, f)
	}
	els := e.postJobs(
		closing(func(m map[string]any) { m["availability"] = "" }),
		closing(func(m map[string]any) { m["availability"] = "SECRET" }),
		closing(func(m map[string]any) { m["availability"] = nil }),
	).want(t, 200).body["elements"].([]any)
	var got []any
	for _, el := range els {
		m := el.(map[string]any)
		delete(m, "id")
		got = append(got, m)
	}
	want := []any{
		map[string]any{"status": float64(422), "error": map[string]any{"status": float64(422), "message": "ERROR :: /availability :: \"\" is not an enum symbol\n"}},
		map[string]any{"status": float64(422), "error": map[string]any{"status": float64(422), "message": "ERROR :: /availability :: \"SECRET\" is not an enum symbol\n"}},
		map[string]any{"status": float64(202)},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if job, _ := e.cust.Job("J1"); job.State != rsctest.JobClosed {
		t.Errorf("J1 = %+v, want closed by the bare CLOSE", job)
	}
}

// Under Rest.li 2.0 the task batch_get spells its simple keys as a Rest.li
// server does, colons escaped, as it spells compound keys; under 1.0 they
// are the URNs as they are (docs/linkedin-api.md §3.4, §13.3).
func TestRule07_JobTaskKeysFollowProtocol(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	task := e.postJobs(jobElem("J1", "CREATE")).want(t, 200).body["elements"].([]any)[0].(map[string]any)["id"].(string)
	const unknown = "urn:li:simpleJobPostingTask:0000"
	esc := func(u string) string { return strings.ReplaceAll(u, ":", "%3A") }
	keys := func(r resp) map[string][]string {
		out := map[string][]string{}
		for _, m := range []string{"results", "statuses", "errors"} {
			for k := range r.body[m].(map[string]any) {
				out[m] = append(out[m], k)
			}
		}
		return out
	}
	r1 := e.req("GET", "/v2/simpleJobPostingTasks?ids="+task+"&ids="+unknown, nil).want(t, 200)
	if d := cmp.Diff(map[string][]string{"results": {task}, "statuses": {task}, "errors": {unknown}}, keys(r1)); d != "" {
		t.Errorf("1.0 (-want +got):\n%s", d)
	}
	r2 := e.req("GET", "/rest/simpleJobPostingTasks?ids=List("+esc(task)+","+esc(unknown)+")", nil,
		"X-RestLi-Protocol-Version: 2.0.0", "LinkedIn-Version: 202604").want(t, 200)
	if d := cmp.Diff(map[string][]string{"results": {esc(task)}, "statuses": {esc(task)}, "errors": {esc(unknown)}}, keys(r2)); d != "" {
		t.Errorf("2.0 (-want +got):\n%s", d)
	}
}

func TestRule07_JobTaskDelayByClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rsctest.WithJobTaskLatency(0), rsctest.WithJobTaskDelay(5*time.Minute))
	id := e.postJobs(jobElem("J1", "CREATE")).body["elements"].([]any)[0].(map[string]any)["id"].(string)
	if st := e.req("GET", "/v2/simpleJobPostingTasks?ids="+id, nil).get("results", id, "status"); st != rsctest.TaskInProgress {
		t.Fatal(st)
	}
	e.clock.Advance(5 * time.Minute)
	if st := e.req("GET", "/v2/simpleJobPostingTasks?ids="+id, nil).get("results", id, "status"); st != rsctest.TaskSucceeded {
		t.Fatal(st)
	}
}

// §13.8 cascade.
func TestRule08_ApplicationDeleteCascades(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.req("PUT", "/v2/atsApplications?"+appIDs("A1", "A2"), map[string]any{"entities": map[string]any{appKey("A1"): application("Ann"), appKey("A2"): application("Bob")}}, "X-RestLi-Method: batch_update").want(t, 200)
	for _, a := range []string{"A1", "A2"} {
		base := "/v2/atsApplications/" + appKey(a)
		e.req("PUT", base+"/notes?ids=N1", `{"entities":{"N1":{"note":"x"}}}`, "X-RestLi-Method: batch_update").want(t, 200)
		e.req("PUT", base+"/interviewFeedback?ids=F1", `{"entities":{"F1":{"feedback":"x"}}}`, "X-RestLi-Method: batch_update").want(t, 200)
		e.req("PUT", base+"/stages?ids=S1", `{"entities":{"S1":{"atsCreatedAt":1,"stage":"Hired"}}}`, "X-RestLi-Method: batch_update").want(t, 200)
	}
	e.req("DELETE", "/v2/atsApplications?"+appIDs("A1"), nil).want(t, 200)
	for name, recs := range map[string][]rsctest.Record{"notes": e.cust.ApplicationNotes(), "feedback": e.cust.InterviewFeedback(), "stages": e.cust.Stages()} {
		if len(recs) != 1 || recs[0].Key["atsJobApplicationId"] != "A2" {
			t.Fatalf("%s after cascade: %v", name, recs)
		}
	}
}

// §13.11 paging.
func TestRule11_PagingSeatsV2MailStubs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := range 25 {
		m := e.srv.AddMember(rsctest.MemberSpec{FirstName: fmt.Sprint("R", i), Email: fmt.Sprintf("r%d@x.io", i)})
		if _, err := e.cust.AddSeat(rsctest.SeatSpec{Member: m.Person}); err != nil {
			t.Fatal(err)
		}
	}
	r := e.req("GET", "/v2/seatsV2?q=attributes&contracts="+contract+"&start=0", nil).want(t, 200)
	if len(r.body["elements"].([]any)) != 10 || r.get("paging", "total") != float64(25) || r.get("paging", "count") != float64(10) {
		t.Fatalf("default count: %s", r.raw)
	}
	r = e.req("GET", "/v2/seatsV2?q=attributes&contracts="+contract+"&start=20&count=10", nil).want(t, 200)
	if len(r.body["elements"].([]any)) != 5 {
		t.Fatal("last page")
	}
	e.req("GET", "/v2/seatsV2?q=attributes&contracts="+contract, nil).want(t, 400)
	e.req("GET", "/v2/mailStubs?q=contract&contract="+contract+"&start=19990&count=10", nil).want(t, 200)
	e.req("GET", "/v2/mailStubs?q=contract&contract="+contract+"&start=19991&count=10", nil).want(t, 400)
}

func TestRule11_ConversationWindowMax12h(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, seat := e.seat(rsctest.MemberSpec{FirstName: "R"})
	base := "/v2/conversationEvents?q=criteria&viewer=" + seat.URN
	e.req("GET", base+fmt.Sprintf("&timeRange.start=0&timeRange.end=%d", 12*3600*1000), nil).want(t, 200)
	e.req("GET", base+fmt.Sprintf("&timeRange.start=0&timeRange.end=%d", 12*3600*1000+1), nil).want(t, 400)
	e.req("GET", base+"&timeRange=(start:0,end:1000)", nil).want(t, 200)
	e.req("GET", "/v2/conversationEvents?q=criteria&viewer=urn:li:seat:1", nil).want(t, 403)
}

// prospectNotes windows are at most 12 hours, as conversationEvents' are
// (docs/linkedin-api.md §8.6).
func TestRule11_ProspectNotesWindowMax12h(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	base := "/v2/prospectNotes?q=criteria&contract=" + contract
	to := t0.UnixMilli()
	e.req("GET", base+fmt.Sprintf("&cutoffDate=%d&beforeDate=%d", to-12*3600*1000, to), nil).want(t, 200)
	e.req("GET", base+fmt.Sprintf("&cutoffDate=%d&beforeDate=%d", to-12*3600*1000-1, to), nil).want(t, 400)
	e.req("GET", base+fmt.Sprintf("&cutoffDate=%d&beforeDate=%d", to-30*24*3600*1000, to), nil).want(t, 400)
}

// A configuration key is stored only on its integration type: CALLBACK_URL
// and JOB_POSTING_VIEWERS on ONE_CLICK_EXPORT, APPLICATION_VIEWERS on
// IN_ATS_INDICATOR (docs/linkedin-api.md §6.3); a CALLBACK_URL is HTTPS on
// port 80 or 443 (§8.1). A refused key is a 422 of its own, and a
// CALLBACK_URL stored nowhere else is never pushed to.
func TestRule05_ConfigurationKeysAndTypes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	put := func(typ, ctxURN, key, val string) resp {
		p := "/v2/atsIntegrations/integrationContext=" + ctxURN + "&integrationType=" + typ + "&tenantType=RECRUITER&dataProvider=ATS/configurations?ids=" + key
		return e.req("PUT", p, `{"entities":{"`+key+`":{"configurationValue":{"string":"`+val+`"}}}}`, "X-RestLi-Method: batch_update").want(t, 200)
	}
	for _, c := range []struct {
		typ, ctx, key, val string
		ok                 bool
	}{
		{"ONE_CLICK_EXPORT", org, "JOB_POSTING_VIEWERS", "ALL_PRODUCT_USERS", true},
		{"IN_ATS_INDICATOR", org, "APPLICATION_VIEWERS", "ALL_PRODUCT_USERS", true},
		{"ONE_CLICK_EXPORT", org, "CALLBACK_URL", "https://cb.example.com:443/li", true},
		{"ONE_CLICK_EXPORT", org, "CALLBACK_URL", "https://cb.example.com:8443/li", false},
		{"IN_ATS_INDICATOR", org, "CALLBACK_URL", "https://cb1.example.com/li", false},
		{"PROFILE_PLUGIN", org, "JOB_POSTING_VIEWERS", "ALL_PRODUCT_USERS", false},
		{"ONE_CLICK_EXPORT", org, "APPLICATION_VIEWERS", "ALL_PRODUCT_USERS", false},
		{"CSA_API", contract, "CALLBACK_URL", "https://cb2.example.com/li", false},
	} {
		r := put(c.typ, c.ctx, c.key, c.val)
		if got := r.get("errors", c.key, "status"); (got == nil) != c.ok || !c.ok && got != float64(422) {
			t.Errorf("%s=%s on %s: errors status %v, want accepted %v: %s", c.key, c.val, c.typ, got, c.ok, r.raw)
		}
	}
	if v := e.cust.ConfigurationValue("CALLBACK_URL"); v != "https://cb.example.com:443/li" {
		t.Errorf("the CALLBACK_URL pushed to is %q, want the one stored on ONE_CLICK_EXPORT", v)
	}
}

func mustJSON(v any) []byte {
	b, err := jsonMarshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

var _ = http.StatusOK

// The token endpoint answers a 20 MB body with a 413 over a real socket,
// and reads LinkedIn's Postman form body sent as text/plain.
func TestTokenEndpointBodies(t *testing.T) {
	t.Parallel()
	srv := rsctest.NewServer()
	defer srv.Close()
	id, secret := srv.PartnerCredentials()
	post := func(ct string, body io.Reader) *http.Response {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), "POST", srv.TokenURL(), body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", ct)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", ct, err)
		}
		defer res.Body.Close()
		_, _ = io.Copy(io.Discard, res.Body)
		return res
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}.Encode()
	for ct, want := range map[string]int{
		"application/x-www-form-urlencoded": 200,
		"text/plain":                        200,
		"application/json":                  400,
	} {
		if res := post(ct, strings.NewReader(form)); res.StatusCode != want {
			t.Errorf("%s: status %d, want %d", ct, res.StatusCode, want)
		}
	}
	big := bytes.Repeat([]byte("a"), 20<<20)
	if res := post("application/x-www-form-urlencoded", bytes.NewReader(big)); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("20 MB body: status %d, want 413", res.StatusCode)
	}
}

// Errors come in LinkedIn's shape and words (docs/linkedin-api.md §2.4):
// a missing finder parameter is named, a wrong type names the field path,
// malformed URNs and inverted windows are 400s, and feedback needs its
// application.
func TestErrorsInLinkedInShape(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for path, want := range map[string]string{
		"/v2/exportedCandidates?q=request":                                                               "Parameter 'requestId' is required",
		"/v2/atsIntegrations?q=request":                                                                  "Parameter 'requestId' is required",
		"/v2/mailStubs?q=contract&contract=5000":                                                         "Invalid value for parameter 'contract': \"5000\" is not a contract URN (urn:li:contract:{id})",
		"/v2/seatsV2?q=attributes&contracts=5000&start=0":                                                "Invalid value for parameter 'contracts': \"5000\" is not a contract URN (urn:li:contract:{id})",
		"/v2/conversationEvents?q=criteria&viewer=urn:li:person:abc":                                     "Invalid value for parameter 'viewer': \"urn:li:person:abc\" is not a seat URN (urn:li:seat:{id})",
		"/v2/conversationEvents?q=criteria&viewer=urn:li:seat:1&timeRange.start=2000&timeRange.end=1000": "Invalid value for parameter 'timeRange': end precedes start",
		"/v2/prospectNotes?q=criteria&contract=" + contract + "&cutoffDate=2000&beforeDate=1000":         "Invalid value for parameter 'beforeDate': it precedes cutoffDate",
	} {
		r := e.req("GET", path, nil).want(t, 400)
		if diff := cmp.Diff(map[string]any{"message": want, "serviceErrorCode": float64(400), "status": float64(400)}, r.body); diff != "" {
			t.Errorf("%s (-want +got):\n%s", path, diff)
		}
	}

	note := "/v2/atsCandidates/atsCandidateId=C1&dataProvider=ATS&integrationContext=" + org + "/notes?ids=N1"
	r := e.req("PUT", note, `{"entities":{"N1":{"atsCreatedAt":"yesterday","author":{"firstName":1}}}}`).want(t, 200)
	if diff := cmp.Diff(map[string]any{"status": float64(422), "serviceErrorCode": float64(422),
		"message": "ERROR :: /atsCreatedAt :: a JSON string cannot be coerced to long"}, r.get("errors", "N1")); diff != "" {
		t.Errorf("wrong type (-want +got):\n%s", diff)
	}
	r = e.req("PUT", note, `{"entities":{"N1":{"author":{"firstName":1}}}}`).want(t, 200)
	if msg, _ := r.get("errors", "N1", "message").(string); msg != "ERROR :: /author/firstName :: a JSON number cannot be coerced to string" {
		t.Errorf("nested wrong type: %s", r.raw)
	}
	r = e.req("PUT", note, `{"entities":[]}`).want(t, 400)
	if msg, _ := r.body["message"].(string); msg != "Error parsing entity body: /entities must be a record" {
		t.Errorf("body of the wrong type: %s", r.raw)
	}

	fb := "/v2/atsApplications/atsJobApplicationId=NOPE&dataProvider=ATS&integrationContext=" + org + "/interviewFeedback?ids=F1"
	r = e.req("PUT", fb, `{"entities":{"F1":{"feedback":"ok"}}}`).want(t, 200)
	if diff := cmp.Diff(map[string]any{"status": float64(404), "serviceErrorCode": float64(404), "message": "Application NOPE does not exist"}, r.get("errors", "F1")); diff != "" {
		t.Errorf("feedback under an unknown application (-want +got):\n%s", diff)
	}
	if len(e.cust.InterviewFeedback()) != 0 {
		t.Error("feedback stored without its application")
	}
}

// The fake reads body keys as Rest.li does (docs/linkedin-api.md §3.3):
// simple ids literally, whatever the protocol, so the Python client's
// percent-encoded simple keys are a mismatch and a%41 and aA are two ids;
// compound keys by the request's protocol. Response keys are spelled as
// Rest.li spells them. Every request is sent plain and tunnelled.
func TestBodyKeysAsRestliReadsThem(t *testing.T) {
	t.Parallel()
	notes := "/v2/atsCandidates/atsCandidateId=C1&dataProvider=ATS&integrationContext=" + org + "/notes"
	note := map[string]any{"note": "x"}
	enc := "urn%3Ali%3Aorganization%3A1000"
	for _, tunnel := range []bool{false, true} {
		e := newEnv(t)
		put := func(p restli.Protocol, path, query string, ents map[string]any) resp {
			body, _ := json.Marshal(map[string]any{"entities": ents})
			return send(t, e, p, tunnel, http.MethodPut, path, query, "batch_update", body)
		}
		for _, tc := range []struct {
			name   string
			p      restli.Protocol
			path   string
			query  string
			keys   []string
			status int
			resp   []string // response keys, sorted
		}{
			{"1.0 Java raw simple keys", restli.Protocol1, notes, "ids=N%201%2B%25", []string{"N 1+%"}, 200, []string{"N 1+%"}},
			{"1.0 Python encoded simple key", restli.Protocol1, notes, "ids=N%201%2B%25", []string{"N%201%2B%25"}, 400, nil},
			{"1.0 a%41 and aA are two ids", restli.Protocol1, notes, "ids=a%2541&ids=aA", []string{"a%41", "aA"}, 200, []string{"a%41", "aA"}},
			{"2.0 raw simple keys", restli.Protocol2, "/v2/atsCandidates/(atsCandidateId:C1,dataProvider:ATS,integrationContext:" + enc + ")/notes",
				"ids=List(a%2541,aA,N%201%2B%25)", []string{"a%41", "aA", "N 1+%"}, 200, []string{"N 1+%25", "a%2541", "aA"}},
			{"2.0 Python encoded simple key", restli.Protocol2, "/v2/atsCandidates/(atsCandidateId:C1,dataProvider:ATS,integrationContext:" + enc + ")/notes",
				"ids=List(N%201%2B%25)", []string{"N%201%2B%25"}, 400, nil},
			{"1.0 Java compound key", restli.Protocol1, "/v2/atsCandidates", "ids[0].atsCandidateId=C%2B1&ids[0].dataProvider=ATS&ids[0].integrationContext=" + org,
				[]string{"integrationContext=" + org + "&atsCandidateId=C%2B1&dataProvider=ATS"}, 200,
				[]string{"atsCandidateId=C%2B1&dataProvider=ATS&integrationContext=" + enc}},
			{"1.0 raw plus is a space", restli.Protocol1, "/v2/atsCandidates", "ids[0].atsCandidateId=C%2B1&ids[0].dataProvider=ATS&ids[0].integrationContext=" + org,
				[]string{"atsCandidateId=C+1&dataProvider=ATS&integrationContext=" + org}, 400, nil},
			{"2.0 Python compound key", restli.Protocol2, "/v2/atsCandidates", "ids=List((atsCandidateId:C+1,dataProvider:ATS,integrationContext:" + enc + "))",
				[]string{"(atsCandidateId:C%2B1,dataProvider:ATS,integrationContext:" + enc + ")"}, 200,
				[]string{"(atsCandidateId:C+1,dataProvider:ATS,integrationContext:" + enc + ")"}},
			{"1.0 body key under 2.0", restli.Protocol2, "/v2/atsCandidates", "ids=List((atsCandidateId:C2,dataProvider:ATS,integrationContext:" + enc + "))",
				[]string{"atsCandidateId=C2&dataProvider=ATS&integrationContext=" + org}, 400, nil},
		} {
			ents := map[string]any{}
			for _, k := range tc.keys {
				if strings.Contains(tc.path, "/notes") {
					ents[k] = note
				} else {
					ents[k] = candidate("Ann")
				}
			}
			r := put(tc.p, tc.path, tc.query, ents)
			if r.status != tc.status {
				t.Fatalf("%s (tunnel %v): status %d, want %d: %s", tc.name, tunnel, r.status, tc.status, r.raw)
			}
			if tc.status != 200 {
				if msg, _ := r.body["message"].(string); !strings.HasPrefix(msg, "Batch request mismatch") && !strings.HasPrefix(msg, "Invalid key") {
					t.Fatalf("%s: message %q", tc.name, msg)
				}
				continue
			}
			var got []string
			for k := range r.body["results"].(map[string]any) {
				got = append(got, k)
			}
			slices.Sort(got)
			if diff := cmp.Diff(tc.resp, got); diff != "" {
				t.Fatalf("%s (tunnel %v): response keys (-want +got):\n%s", tc.name, tunnel, diff)
			}
		}
		var ids []string
		for _, n := range e.cust.CandidateNotes() {
			ids = append(ids, n.Key["noteId"])
		}
		slices.Sort(ids)
		if diff := cmp.Diff([]string{"N 1+%", "a%41", "aA"}, ids); diff != "" {
			t.Fatalf("stored note ids (-want +got):\n%s", diff)
		}
		if _, ok := e.cust.Candidate("C+1"); !ok {
			t.Fatal("candidate C+1 not stored")
		}
	}
}

// LinkedIn documents no GET of one task or one provisioned application by
// key (docs/linkedin-api.md §6.1, §7.1); the fake answers both 404 so that
// a client relying on them fails in its tests, not in production.
func TestUndocumentedSingleGets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ptok := e.partnerToken()
	e.reqTok(ptok, "GET", "/v2/provisionedApplications/"+e.cust.AppKey, nil).want(t, 404)
	e.reqTok(ptok, "POST", "/v2/provisionedApplications/"+e.cust.AppKey, `{"patch":{"$set":{"description":"d"}}}`).want(t, 204)
	task := e.postJobs(jobElem("J1", "CREATE")).want(t, 200).body["elements"].([]any)[0].(map[string]any)["id"].(string)
	e.req("GET", "/v2/simpleJobPostingTasks/"+task, nil).want(t, 404)
	e.req("GET", "/v2/simpleJobPostingTasks?ids="+task, nil).want(t, 200)
}

// jobAnswers returns the elements of a batch_create answer without their
// task ids.
func jobAnswers(r resp) []any {
	els, _ := r.body["elements"].([]any)
	for _, el := range els {
		delete(el.(map[string]any), "id")
	}
	return els
}

// jobRefused is a batch_create element refused with status and message.
func jobRefused(status int, msg string) map[string]any {
	return map[string]any{"status": float64(status), "error": map[string]any{"status": float64(status), "message": msg}}
}

var jobAccepted = map[string]any{"status": float64(202)}

// A job holding a field the job posting schema does not have is refused
// with LinkedIn's 403 naming the field's path, nested fields included;
// every field the schema documents is accepted.
func TestRule07_JobUnknownFieldsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mod := func(id string, f func(m map[string]any)) map[string]any { return edited(jobElem(id, "CREATE"), f) }
	money := map[string]any{"amount": "100000", "currencyCode": "USD"}
	r := e.postJobs(
		mod("J-typo", func(m map[string]any) { m["titel"] = "typo" }),
		mod("J-nested", func(m map[string]any) {
			m["compensation"] = map[string]any{"compensations": []any{map[string]any{"period": "YEARLY", "type": "BASE_SALARY",
				"value": map[string]any{"exactAmount": map[string]any{"amount": "1", "currency": "USD"}}}}}
		}),
		map[string]any{"externalJobPostingId": "J-close", "jobPostingOperationType": "CLOSE", "integrationContext": org, "reason": "filled"},
		mod("J-all", func(m map[string]any) {
			m["categories"] = []string{"eng"}
			m["skillsDescription"] = "Go"
			m["companyJobCode"] = "C-1"
			m["industries"] = []string{"urn:li:industry:4"}
			m["trackingPixelUrl"] = "https://ats.example.com/px"
			m["expireAt"] = t0.Add(30 * 24 * time.Hour).UnixMilli()
			m["listingType"] = "BASIC"
			m["accessRestricted"] = true
			m["requisitionOwnerEmail"], m["requisitionOwnerFirstName"], m["requisitionOwnerLastName"] = "o@example.com", "O", "Wner"
			m["compensation"] = map[string]any{"compensations": []any{
				map[string]any{"period": "YEARLY", "type": "BASE_SALARY", "value": map[string]any{"exactAmount": money}},
				map[string]any{"period": "HOURLY", "type": "OVER_TIME", "value": map[string]any{"range": map[string]any{"start": money, "end": money}}},
			}}
		}),
	).want(t, 200)
	want := []any{
		jobRefused(403, "Unpermitted fields present in REQUEST_BODY: Data Processing Exception while processing fields [/titel]"),
		jobRefused(403, "Unpermitted fields present in REQUEST_BODY: Data Processing Exception while processing fields [/compensation/compensations/0/value/exactAmount/currency]"),
		jobRefused(403, "Unpermitted fields present in REQUEST_BODY: Data Processing Exception while processing fields [/reason]"),
		jobAccepted,
	}
	if d := cmp.Diff(want, jobAnswers(r)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// The compensation enums and types and the industry URNs of LinkedIn's job
// posting schema (docs/linkedin-api.md §7.1) are checked per element,
// each violation a 422 naming its path.
func TestRule07_JobCompensationAndIndustries(t *testing.T) {
	t.Parallel()
	money := func(amount any) map[string]any { return map[string]any{"amount": amount, "currencyCode": "USD"} }
	comp := func(c map[string]any) map[string]any { return map[string]any{"compensations": []any{c}} }
	exact := func(amount any) map[string]any { return map[string]any{"exactAmount": money(amount)} }
	cases := []struct {
		name  string
		field string
		value any
		want  map[string]any
	}{
		{"period not an enum symbol", "compensation", comp(map[string]any{"period": "ANNUALLY", "type": "BASE_SALARY", "value": exact("1")}),
			jobRefused(422, "ERROR :: /compensation/compensations/0/period :: \"ANNUALLY\" is not an enum symbol\n")},
		{"type not an enum symbol", "compensation", comp(map[string]any{"period": "SEMIMONTHLY", "type": "SALARY", "value": exact("1")}),
			jobRefused(422, "ERROR :: /compensation/compensations/0/type :: \"SALARY\" is not an enum symbol\n")},
		{"amount a number", "compensation", comp(map[string]any{"period": "YEARLY", "type": "BASE_SALARY", "value": exact(100000)}),
			jobRefused(422, "ERROR :: /compensation/compensations/0/value/exactAmount/amount :: a JSON number cannot be coerced to string\n")},
		{"range end currency a number", "compensation", comp(map[string]any{"value": map[string]any{"range": map[string]any{"start": money("1"),
			"end": map[string]any{"amount": "2", "currencyCode": 840}}}}),
			jobRefused(422, "ERROR :: /compensation/compensations/0/value/range/end/currencyCode :: a JSON number cannot be coerced to string\n")},
		{"compensations not an array", "compensation", map[string]any{"compensations": map[string]any{}},
			jobRefused(422, "ERROR :: /compensation/compensations :: a JSON object cannot be coerced to array\n")},
		{"industry not a URN", "industries", []string{"urn:li:industry:4", "software"},
			jobRefused(422, "ERROR :: /industries/1 :: \"software\" is not an industry URN (urn:li:industry:{id})\n")},
		{"industry URN of another type", "industries", []string{"urn:li:organization:4"},
			jobRefused(422, "ERROR :: /industries/0 :: \"urn:li:organization:4\" is not an industry URN (urn:li:industry:{id})\n")},
		{"every period and type", "compensation", map[string]any{"compensations": func() []any {
			var cs []any
			for i, p := range []string{"YEARLY", "MONTHLY", "SEMIMONTHLY", "BIWEEKLY", "WEEKLY", "DAILY", "HOURLY"} {
				for _, ty := range []string{"BASE_SALARY", "TIPS", "COMMISSION", "PROFIT_SHARING", "STOCK_OPTIONS", "STOCK", "BONUS", "SIGN_ON_BONUS", "OVER_TIME", "OTHER"} {
					cs = append(cs, map[string]any{"period": p, "type": ty, "value": exact(fmt.Sprint(i))})
				}
			}
			return cs
		}()}, jobAccepted},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			r := e.postJobs(edited(jobElem("J1", "CREATE"), func(m map[string]any) { m[tc.field] = tc.value })).want(t, 200)
			if d := cmp.Diff([]any{tc.want}, jobAnswers(r)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// LinkedIn's RSC required-fields page lists integrationContext as required
// for synced jobs: a PRIVATE_TO_ATS_INTEGRATION job without one is a 422,
// whatever company it names, and is filed under no other context. A PUBLIC
// job may still name its company instead.
func TestRule07_RSCJobNeedsIntegrationContext(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	noCtx := func(id, availability string) map[string]any {
		return edited(jobElem(id, "CREATE"), func(m map[string]any) {
			delete(m, "integrationContext")
			m["companyName"], m["availability"] = "Acme", availability
		})
	}
	r := e.postJobs(noCtx("J-rsc", "PRIVATE_TO_ATS_INTEGRATION"), noCtx("J-pub", "PUBLIC")).want(t, 200)
	want := []any{jobRefused(422, "ERROR :: /integrationContext :: field is required but not found and has no default value\n"), jobAccepted}
	if d := cmp.Diff(want, jobAnswers(r)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	var got []string
	for _, j := range e.cust.Jobs() {
		got = append(got, j.ExternalJobPostingID+" "+j.IntegrationContext)
	}
	if d := cmp.Diff([]string{"J-pub "}, got); d != "" {
		t.Errorf("jobs held (-want +got):\n%s", d)
	}
}

// Closing a job LinkedIn does not hold, or holds closed, is the 409
// LinkedIn's create-jobs page lists, answered at batch_create with no task;
// so is a CLOSE that reaches LinkedIn before the job's CREATE.
func TestRule07_CloseUnknownOrClosedJobIs409(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	closing := func(id string) map[string]any {
		return map[string]any{"externalJobPostingId": id, "jobPostingOperationType": "CLOSE", "integrationContext": org}
	}
	conflict := jobRefused(409, "Cannot close job which is already closed or does not exist")
	e.postJobs(jobElem("J1", "CREATE")).want(t, 200)
	for _, step := range []struct {
		name  string
		elems []map[string]any
		want  []any
	}{
		{"close a listed job, and unknown ones", []map[string]any{closing("J1"), closing("NOPE"), closing("J2")}, []any{jobAccepted, conflict, conflict}},
		{"close it again", []map[string]any{closing("J1")}, []any{conflict}},
		{"the late create", []map[string]any{jobElem("J2", "CREATE")}, []any{jobAccepted}},
		{"close after it", []map[string]any{closing("J2")}, []any{jobAccepted}},
	} {
		tasks := len(e.cust.Tasks())
		accepted := 0
		for _, w := range step.want {
			if w.(map[string]any)["status"] == float64(202) {
				accepted++
			}
		}
		if d := cmp.Diff(step.want, jobAnswers(e.postJobs(step.elems...).want(t, 200))); d != "" {
			t.Errorf("%s (-want +got):\n%s", step.name, d)
		}
		if n := len(e.cust.Tasks()) - tasks; n != accepted {
			t.Errorf("%s: %d new tasks, want %d (one per accepted job)", step.name, n, accepted)
		}
	}
	var got []string
	for _, j := range e.cust.Jobs() {
		got = append(got, j.ExternalJobPostingID+" "+j.State)
	}
	if d := cmp.Diff([]string{"J1 CLOSED", "J2 CLOSED"}, got); d != "" {
		t.Errorf("jobs held (-want +got):\n%s", d)
	}
}

// workplaceTypes takes the spellings LinkedIn documents (On-site, Hybrid,
// Remote in the schema, lower case in its samples) and no others.
func TestRule07_WorkplaceTypesAsDocumented(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var elems []map[string]any
	var want []any
	for i, w := range []string{"On-site", "Hybrid", "Remote", "on-site", "hybrid", "remote", "REMOTE", "On-Site", "onsite"} {
		elems = append(elems, edited(jobElem(fmt.Sprint("J", i), "CREATE"), func(m map[string]any) { m["workplaceTypes"] = []string{w} }))
		if i < 6 {
			want = append(want, jobAccepted)
		} else {
			want = append(want, jobRefused(422, fmt.Sprintf("ERROR :: /workplaceTypes/0 :: %q is not an enum symbol\n", w)))
		}
	}
	if d := cmp.Diff(want, jobAnswers(e.postJobs(elems...).want(t, 200))); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// §7.5: the rules of an interview feedback's fields; a record that breaks
// one is refused alone, with a 422 naming the field. An evaluation's
// attribute is required (its result is not). interviewType is optional,
// but a value must be PHONE_SCREEN or ONSITE: an explicit "" is refused,
// as any other non-symbol.
func TestFeedbackFieldRules(t *testing.T) {
	t.Parallel()
	refused := func(msg string) map[string]any {
		return map[string]any{"status": float64(422), "serviceErrorCode": float64(422), "message": msg}
	}
	ok := map[string]any{"status": float64(204)}
	notSymbol := func(v string) map[string]any {
		return refused("ERROR :: /interviewType :: \"" + v + "\" is not an enum symbol (PHONE_SCREEN, ONSITE)")
	}
	for _, tc := range []struct {
		name, ids, body string
		errors, results map[string]any
	}{{
		name: "evaluation attribute", ids: "ids=NONE&ids=EMPTY&ids=OK",
		body: `{"entities":{"NONE":{"evaluations":[{"attribute":"Coding","result":"4/5"},{"result":"4/5"}]},` +
			`"EMPTY":{"evaluations":[{"attribute":"","result":"4/5"}]},"OK":{"evaluations":[{"attribute":"Coding"}]}}}`,
		errors: map[string]any{
			"NONE":  refused("ERROR :: /evaluations/1/attribute :: field is required but not found and has no default value"),
			"EMPTY": refused("ERROR :: /evaluations/0/attribute :: length must be at least 1"),
		},
		results: map[string]any{"OK": ok},
	}, {
		name: "interview type", ids: "ids=EMPTY&ids=PANEL&ids=NONE&ids=ONSITE",
		body:    `{"entities":{"EMPTY":{"interviewType":""},"PANEL":{"interviewType":"PANEL"},"NONE":{},"ONSITE":{"interviewType":"ONSITE"}}}`,
		errors:  map[string]any{"EMPTY": notSymbol(""), "PANEL": notSymbol("PANEL")},
		results: map[string]any{"NONE": ok, "ONSITE": ok},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.putApplication(t, "A1")
			app := "/v2/atsApplications/atsJobApplicationId=A1&dataProvider=ATS&integrationContext=" + org
			r := e.req("PUT", app+"/interviewFeedback?"+tc.ids, tc.body, "X-RestLi-Method: batch_update").want(t, 200)
			if diff := cmp.Diff(map[string]any{"errors": tc.errors, "results": tc.results}, r.body); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
			if got, want := len(e.cust.InterviewFeedback()), len(tc.results); got != want {
				t.Errorf("%d feedback records held, want %d", got, want)
			}
		})
	}
}
