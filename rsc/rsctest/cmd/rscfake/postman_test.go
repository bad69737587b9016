package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// rq is one HTTP request to the standalone fake. tok is "" for the
// customer's token, "partner" for the partner's, "none" for no token.
type rq struct {
	method, path, body string
	hdr                []string // "Name: value"
	tok                string
}

// want is the answer a request must get: the HTTP status and, for a batch
// answered 200, the status of one entity in the errors map.
type want struct {
	status       int
	entity       string
	entityStatus int
}

// op is one RSC operation: the request as LinkedIn documents it (its
// Postman collection, docs/linkedin-api.md §1), expected to succeed, and
// invalid variants with LinkedIn's answer.
type op struct {
	name string
	ok   rq
	bad  map[string]struct {
		r rq
		w want
	}
}

func bad(r rq, w want) struct {
	r rq
	w want
} {
	return struct {
		r rq
		w want
	}{r, w}
}

const (
	org      = "urn:li:organization:1000"
	contract = "urn:li:contract:5000"
	v2       = "X-RestLi-Protocol-Version: 2.0.0"
	jsonCT   = "Content-Type: application/json"
)

// TestPostmanReplay replays, against the standalone fake, one request per
// RSC operation exactly as LinkedIn's Postman collection sends it, and for
// each at least two invalid variants (a missing field, a wrong or missing
// header, mismatched key syntax, more than 100 entities, no token),
// checking LinkedIn's status and error shape.
func TestPostmanReplay(t *testing.T) {
	f := startFake(t, "")
	f.tokens["partner"] = f.token("pid", "psecret", "text/plain")
	f.tokens[""] = f.token("cid", "csecret", "application/x-www-form-urlencoded")

	// The LinkedIn side: the admin requests the integrations; a member with
	// a seat exports a candidate to a job (after J1 below).
	reqID := f.admin("customers/1000/request", "")["requestId"].(string)
	person := f.admin("members", `{"FirstName":"Rita","LastName":"Book"}`)["Person"].(string)
	seatURN := f.admin("customers/1000/seats?member="+url.QueryEscape(person), "")["URN"].(string)

	for _, o := range postmanOps(reqID, person, seatURN) {
		if o.name == "E1 exportedCandidates" {
			// A recruiter exports only once the admin has enabled
			// company-level access (ONE_CLICK_EXPORT ENABLED).
			f.admin("customers/1000/enable?company=true", "")
			exp := f.admin("customers/1000/export?seat="+url.QueryEscape(seatURN)+"&member="+url.QueryEscape(person)+"&job=JOB1", "")
			o.ok.path = strings.Replace(o.ok.path, "{export}", exp["requestId"].(string), 1)
		}
		f.check(o.name, o.ok, want{status: okStatus(o.ok)})
		for name, b := range o.bad {
			f.check(o.name+": "+name, b.r, b.w)
		}
	}
}

// okStatus is the success status of a documented request.
func okStatus(r rq) int {
	switch {
	case r.method == "POST" && r.path == "/v2/provisionedApplications":
		return 201
	case r.method == "POST" && strings.HasPrefix(r.path, "/v2/provisionedApplications/"):
		return 204
	}
	return 200
}

func ids100(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte('&')
		}
		fmt.Fprintf(&b, "ids[%d].atsCandidateId=C%d&ids[%d].dataProvider=ATS&ids[%d].integrationContext=%s", i, i, i, i, org)
	}
	return b.String()
}

func postmanOps(reqID, person, seatURN string) []op {
	integ := func(typ, ctx string) (string, string) {
		return "/v2/atsIntegrations?ids[0].integrationContext=" + ctx + "&ids[0].integrationType=" + typ + "&ids[0].tenantType=RECRUITER&ids[0].dataProvider=ATS",
			"integrationContext=" + ctx + "&integrationType=" + typ + "&tenantType=RECRUITER&dataProvider=ATS"
	}
	i1q, i1k := integ("ONE_CLICK_EXPORT", org)
	i1b := `{"entities":{"` + i1k + `":{"patch":{"$set":{"integrationName":"Acme LinkedIn Recruiter One-Click Export Integration"}}}}}`
	oce := "/v2/atsIntegrations/integrationContext=" + org + "&integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER&dataProvider=ATS/configurations"
	cfg := func(k, v string) string {
		return `{"entities":{"` + k + `":{"configurationValue":{"string":"` + v + `"}}}}`
	}
	cand := "/v2/atsCandidates?ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS&ids[0].integrationContext=" + org
	candK := "atsCandidateId=C1&dataProvider=ATS&integrationContext=" + org
	candDoc := `{"addresses":[{"line1":"31 Spooner St","city":"Quahog","geographicArea":"RI","geographicAreaType":"STATE","postalCode":"02802","country":"us"}],` +
		`"atsCreatedAt":1700000000000,"atsLastModifiedAt":1700000000000,"currentCompanyName":"Test Company","currentJobTitle":"Quality Assurance",` +
		`"emailAddresses":["johndoe@example.com"],"externalProfileUrl":"https://ats.example.com/c/1","firstName":"John","lastName":"Doe",` +
		`"phoneNumbers":[{"number":"555-555-5555","extension":"1234"}]}`
	candPath := "/v2/atsCandidates/" + candK
	app := "/v2/atsApplications?ids[0].atsJobApplicationId=A1&ids[0].dataProvider=ATS&ids[0].integrationContext=" + org
	appK := "atsJobApplicationId=A1&dataProvider=ATS&integrationContext=" + org
	appDoc := `{"atsCandidateId":"C1","atsCreatedAt":1700000000000,"atsLastModifiedAt":1700000000000,"atsJobPostingId":"JOB1","atsJobPostingName":"Senior Software Engineer",` +
		`"candidateEmail":"johndoe@example.com","firstName":"John","lastName":"Doe","source":"Referral","dispositionReason":""}`
	appPath := "/v2/atsApplications/" + appK
	// The collection's job predates LinkedIn's June 2025 rule that every job
	// carries its poster's email (docs/linkedin-api.md §7.1): posterEmail is
	// added to it.
	job := `{"elements":[{"integrationContext":"` + org + `","externalJobPostingId":"JOB1","title":"Senior Software Engineer","description":"` +
		strings.Repeat("Lorem Ipsum is simply dummy text of the printing and typesetting industry. ", 3) +
		`","listedAt":1700000000000,"jobPostingOperationType":"CREATE","location":"Quahog, RI","companyApplyUrl":"https://ats.example.com/apply/JOB1",` +
		`"employmentStatus":"FULL_TIME","availability":"PUBLIC","workplaceTypes":["remote"],"posterEmail":"recruiter@example.com"}]}`
	aclQ := "/v2/atsEntityAcls?ids[0].atsEntityAclId=TEST_JOBS&ids[0].dataProvider=ATS&ids[0].integrationContext=" + org + "&ids[0].atsEntityType=JOB_POSTING&ids[0].atsEntityId=JOB1"
	aclB := `{"entities":{"dataProvider=ATS&integrationContext=` + org + `&atsEntityType=JOB_POSTING&atsEntityId=JOB1&atsEntityAclId=TEST_JOBS":{}}}`
	asgQ := "/v2/atsEntityAclAssignees?ids[0].atsEntityAclId=TEST_JOBS&ids[0].integrationContext=" + org + "&ids[0].dataProvider=ATS&ids[0].assignee=" + person + "&ids[0].atsEntityType=JOB_POSTING"
	asgB := `{"entities":{"dataProvider=ATS&integrationContext=` + org + `&atsEntityType=JOB_POSTING&atsEntityAclId=TEST_JOBS&assignee=` + person + `":{}}}`
	bu, bpu := "x-restli-method: batch_update", "x-restli-method: batch_partial_update"
	noTok := func(r rq) rq { r.tok = "none"; return r }
	with := func(r rq, hdr ...string) rq { r.hdr = append(append([]string(nil), r.hdr...), hdr...); return r }
	body := func(r rq, b string) rq { r.body = b; return r }
	path := func(r rq, p string) rq { r.path = p; return r }
	// ids20 writes r's 1.0 ids[0].field parameters as one 2.0 ids=List((...)),
	// sent without the 2.0 header: a syntax the request does not declare.
	ids20 := func(r rq) rq {
		p, q, _ := strings.Cut(r.path, "?")
		var fields, rest []string
		for kv := range strings.SplitSeq(q, "&") {
			if f, ok := strings.CutPrefix(kv, "ids[0]."); ok {
				fields = append(fields, strings.Replace(f, "=", ":", 1))
			} else {
				rest = append(rest, kv)
			}
		}
		r.path = p + "?" + strings.Join(append(rest, "ids=List(("+strings.Join(fields, ",")+"))"), "&")
		return r
	}

	get := func(p string) rq { return rq{method: "GET", path: p} }
	tunnel := func(method, query string) rq {
		return rq{method: "POST", path: "/v2/atsCandidates", body: query,
			hdr: []string{"X-HTTP-Method-Override: " + method, "Content-Type: application/x-www-form-urlencoded"}}
	}
	p1 := rq{method: "POST", path: "/v2/provisionedApplications", tok: "partner", hdr: []string{jsonCT},
		body: `{"description":"TEST APP FOR Globex","name":"Globex","uniqueForeignId":"globex-1","oauth2AuthorizedCallbackUrls":["https://app.example.com/oauth2/callback"],"validJsSdkDomains":["http://localhost:5000"]}`}
	p3 := rq{method: "POST", path: "/v2/provisionedApplications/{appKey}", tok: "partner",
		body: `{"patch":{"$set":{"validJsSdkDomains":["http://localhost:8000","http://localhost:5000"]}}}`}
	p2 := rq{method: "GET", path: "/v2/provisionedApplications?q=credentialsByUniqueForeignId&uniqueForeignId=globex-1", tok: "partner"}
	i1 := rq{method: "POST", path: i1q, hdr: []string{bpu, jsonCT}, body: i1b}
	i2 := get(i1q)
	i3 := get("/v2/atsIntegrations?q=request&requestId=" + reqID)
	i4 := rq{method: "PUT", path: oce + "?ids=CALLBACK_URL", hdr: []string{bu, jsonCT}, body: cfg("CALLBACK_URL", "https://callback.example.com/li")}
	i6 := rq{method: "DELETE", path: oce + "?ids=JOB_POSTING_VIEWERS"}
	j1 := rq{method: "POST", path: "/v2/simpleJobPostings", hdr: []string{"x-restli-method: batch_create", jsonCT}, body: job}
	c1 := rq{method: "PUT", path: cand, hdr: []string{bu, jsonCT}, body: `{"entities":{"` + candK + `":` + candDoc + `}}`}
	c3 := rq{method: "POST", path: cand, hdr: []string{jsonCT, bpu}, body: `{"entities":{"` + candK + `":{"patch":{"$set":{"manualMatchedMember":"` + person + `"}}}}}`}
	n1 := rq{method: "PUT", path: candPath + "/notes?ids=NOTE1", hdr: []string{bu, jsonCT},
		body: `{"entities":{"NOTE1":{"atsCreatedAt":1700000000000,"note":"This is a candidate note.","author":{"firstName":"Rita","lastName":"Book"}}}}`}
	a1 := rq{method: "PUT", path: app, hdr: []string{jsonCT, bu}, body: `{"entities":{"` + appK + `":` + appDoc + `}}`}
	an1 := rq{method: "PUT", path: appPath + "/notes?ids=APPL_NOTE_0001", hdr: []string{jsonCT, bu},
		body: `{"entities":{"APPL_NOTE_0001":{"atsCreatedAt":1700000000000,"note":"Great resume, we should review.","author":{"firstName":"Rita","lastName":"Book"}}}}`}
	f1 := rq{method: "PUT", path: appPath + "/interviewFeedback?ids=APPL_INTERVIEW_0001", hdr: []string{jsonCT},
		body: `{"entities":{"APPL_INTERVIEW_0001":{"atsCreatedAt":1700000000000,"evaluations":[{"attribute":"Verbal Communication","result":"4/5"}],"feedback":"Great interview!","interviewer":{"firstName":"Rita","lastName":"Book"}}}}`}
	s1 := rq{method: "PUT", path: appPath + "/stages?ids=STAGE001&ids=STAGE002", hdr: []string{bu, jsonCT},
		body: `{"entities":{"STAGE001":{"atsCreatedAt":1700000000000,"stage":"New"},"STAGE002":{"atsCreatedAt":1700000000000,"stage":"Phone Interview"}}}`}
	l1 := rq{method: "PUT", path: aclQ, hdr: []string{bu, jsonCT}, body: aclB}
	l4 := rq{method: "PUT", path: asgQ, hdr: []string{bu, jsonCT}, body: asgB}
	m1 := get("/v2/conversationEvents?q=criteria&viewer=" + seatURN + "&timeRange.end=1700003600000&timeRange.start=1700000000000&start=0&count=50")
	m2 := get("/v2/mailStubs?q=contract&start=0&count=50&contract=" + contract + "&createdDateStart=1700000000000&createdDateEnd=1700003600000&owners=" + seatURN)
	m3 := get("/v2/prospectNotes?q=criteria&start=0&contract=" + contract + "&cutoffDate=1700000000000&beforeDate=1700003600000&count=100&owners=" + seatURN)
	cdel := rq{method: "DELETE", path: cand}

	r401, r400, r403 := want{status: 401}, want{status: 400}, want{status: 403}
	e422 := func(key string) want { return want{status: 200, entity: key, entityStatus: 422} }
	type variants = map[string]struct {
		r rq
		w want
	}
	return []op{
		{"P1 provisionedApplications create", p1, variants{
			"no token":          bad(noTok(p1), r401),
			"child token":       bad(rq{method: p1.method, path: p1.path, hdr: p1.hdr, body: p1.body}, r403),
			"name missing":      bad(body(p1, `{"description":"x","uniqueForeignId":"globex-2"}`), r400),
			"duplicate foreign": bad(p1, want{status: 409}),
		}},
		{"P3 provisionedApplications partial_update", p3, variants{
			"no token":              bad(noTok(p3), r401),
			"domain trailing slash": bad(body(p3, `{"patch":{"$set":{"validJsSdkDomains":["http://localhost:5000/"]}}}`), r400),
			"method mismatch":       bad(with(p3, "X-RestLi-Method: create"), r400),
		}},
		{"P2 provisionedApplications finder", p2, variants{
			"foreign id missing": bad(path(p2, "/v2/provisionedApplications?q=credentialsByUniqueForeignId"), r400),
			"child token":        bad(rq{method: "GET", path: p2.path}, r403),
		}},
		{"I1 atsIntegrations batch_partial_update", i1, variants{
			"no token":             bad(noTok(i1), r401),
			"2.0 ids, no header":   bad(ids20(i1), r400),
			"body key not in ids":  bad(body(i1, strings.Replace(i1b, "ONE_CLICK_EXPORT", "PROFILE_PLUGIN", 1)), r400),
			"dataProvider missing": bad(path(i1, strings.Replace(i1q, "&ids[0].dataProvider=ATS", "", 1)), r400),
		}},
		{"I2 atsIntegrations batch_get", i2, variants{
			"no token":              bad(noTok(i2), r401),
			"2.0 ids, no header":    bad(get("/v2/atsIntegrations?ids=List((integrationContext:urn%3Ali%3Aorganization%3A1000,integrationType:ONE_CLICK_EXPORT,tenantType:RECRUITER,dataProvider:ATS))"), r400),
			"GET with BATCH_DELETE": bad(with(i2, "X-RestLi-Method: BATCH_DELETE"), r400),
		}},
		{"I3 atsIntegrations q=request", i3, variants{
			"requestId missing": bad(get("/v2/atsIntegrations?q=request"), r400),
			"unknown requestId": bad(get("/v2/atsIntegrations?q=request&requestId=nope"), want{status: 404}),
		}},
		{"I4 configurations batch_update", i4, variants{
			"body key not in ids": bad(body(i4, cfg("JOB_POSTING_VIEWERS", "ALL_PRODUCT_USERS")), r400),
			"2.0 ids, no header":  bad(path(i4, oce+"?ids=List(CALLBACK_URL)"), r400),
			"value missing":       bad(body(i4, `{"entities":{"CALLBACK_URL":{}}}`), e422("CALLBACK_URL")),
			"no token":            bad(noTok(i4), r401),
		}},
		{"I5 configurations batch_get", get(oce + "?ids=CALLBACK_URL"), variants{
			"no token":          bad(noTok(get(oce+"?ids=CALLBACK_URL")), r401),
			"2.0 path key only": bad(with(get(oce+"?ids=List(CALLBACK_URL)"), v2), r400),
		}},
		{"I6 configurations batch_delete", i6, variants{
			"GET with BATCH_DELETE": bad(rq{method: "GET", path: i6.path, hdr: []string{"X-RestLi-Method: BATCH_DELETE"}}, r400),
			"no token":              bad(noTok(i6), r401),
		}},
		{"J1 simpleJobPostings batch_create", j1, variants{
			"no batch_create header": bad(rq{method: "POST", path: j1.path, hdr: []string{jsonCT}, body: job}, r403),
			"no token":               bad(noTok(j1), r401),
			"title missing":          bad(body(j1, strings.Replace(job, `"title":"Senior Software Engineer",`, "", 1)), want{status: 200, entity: "0", entityStatus: 422}),
			"posterEmail missing":    bad(body(j1, strings.Replace(job, `,"posterEmail":"recruiter@example.com"`, "", 1)), want{status: 200, entity: "0", entityStatus: 422}),
		}},
		{"J2 simpleJobPostingTasks batch_get", get("/v2/simpleJobPostingTasks?ids=urn:li:simpleJobPostingTask:none"), variants{
			"no token":           bad(noTok(get("/v2/simpleJobPostingTasks?ids=urn:li:simpleJobPostingTask:none")), r401),
			"2.0 ids, no header": bad(get("/v2/simpleJobPostingTasks?ids=List(urn%3Ali%3AsimpleJobPostingTask%3Anone)"), r400),
		}},
		{"C1 atsCandidates batch_update", c1, variants{
			"firstName missing":  bad(body(c1, strings.Replace(c1.body, `"firstName":"John",`, "", 1)), e422(candK)),
			"2.0 body key":       bad(body(c1, `{"entities":{"(atsCandidateId:C1,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3A1000)":`+candDoc+`}}`), r400),
			"2.0 ids, no header": bad(ids20(c1), r400),
			"no token":           bad(noTok(c1), r401),
		}},
		{"C2 atsCandidates batch_get", get(cand), variants{
			"no token":              bad(noTok(get(cand)), r401),
			"GET with BATCH_DELETE": bad(with(get(cand), "X-RestLi-Method: BATCH_DELETE"), r400),
			"101 ids, tunnelled":    bad(tunnel("GET", ids100(101)), r400),
		}},
		{"C3 atsCandidates manualMatchedMember", c3, variants{
			"not a person URN": bad(body(c3, strings.Replace(c3.body, person, "member-1", 1)), e422(candK)),
			"PUT with partial": bad(rq{method: "PUT", path: cand, hdr: []string{bpu}, body: c1.body}, r400),
		}},
		{"N1 candidate notes batch_update", n1, variants{
			"body key not in ids": bad(path(n1, candPath+"/notes?ids=NOTE2"), r400),
			"2.0 path key only":   bad(with(n1, v2), r400),
			"wrong type":          bad(body(n1, `{"entities":{"NOTE1":{"atsCreatedAt":"yesterday"}}}`), e422("NOTE1")),
		}},
		{"A1 atsApplications batch_update", a1, variants{
			"atsJobPostingId missing": bad(body(a1, strings.Replace(a1.body, `"atsJobPostingId":"JOB1",`, "", 1)), e422(appK)),
			"no token":                bad(noTok(a1), r401),
		}},
		{"AN1 application notes batch_update", an1, variants{
			"no token":            bad(noTok(an1), r401),
			"body key not in ids": bad(path(an1, appPath+"/notes?ids=OTHER"), r400),
		}},
		{"F1 interview feedback batch_update", f1, variants{
			"unknown application": bad(path(f1, strings.Replace(f1.path, "A1", "NOPE", 1)), want{status: 200, entity: "APPL_INTERVIEW_0001", entityStatus: 404}),
			"no token":            bad(noTok(f1), r401),
		}},
		{"S1 stages batch_update", s1, variants{
			"stage Not Available": bad(body(s1, strings.Replace(s1.body, `"New"`, `"Not Available"`, 1)), e422("STAGE001")),
			"entity missing":      bad(path(s1, appPath+"/stages?ids=STAGE001&ids=STAGE002&ids=STAGE003"), r400),
		}},
		{"E1 exportedCandidates", get("/v2/exportedCandidates?q=request&requestId={export}"), variants{
			"requestId missing": bad(get("/v2/exportedCandidates?q=request"), r400),
			"no token":          bad(noTok(get("/v2/exportedCandidates?q=request&requestId=x")), r401),
		}},
		{"S1 seats (legacy)", get("/v2/seats?q=seatsByAttributes&fields=id&active=true&count=100&start=0&contracts=" + contract), variants{
			"contract not a URN": bad(get("/v2/seats?q=seatsByAttributes&contracts=5000"), r400),
			"another contract":   bad(get("/v2/seats?q=seatsByAttributes&contracts=urn:li:contract:6000"), r403),
		}},
		{"M1 conversationEvents", m1, variants{
			"viewer is a person": bad(get(strings.Replace(m1.path, seatURN, person, 1)), r400),
			"end before start":   bad(get(strings.Replace(m1.path, "timeRange.end=1700003600000", "timeRange.end=1600000000000", 1)), r400),
			"viewer missing":     bad(get("/v2/conversationEvents?q=criteria"), r400),
		}},
		{"M2 mailStubs", m2, variants{
			"contract not a URN": bad(get(strings.Replace(m2.path, contract, "5000", 1)), r400),
			"past 20,000":        bad(get(strings.Replace(m2.path, "start=0", "start=19990", 1)), r400),
		}},
		{"M3 prospectNotes", m3, variants{
			"before before cutoff": bad(get(strings.Replace(m3.path, "beforeDate=1700003600000", "beforeDate=1600000000000", 1)), r400),
			"contract missing":     bad(get(strings.Replace(m3.path, "&contract="+contract, "", 1)), r400),
		}},
		{"L1 atsEntityAcls batch_update", l1, variants{
			"key field missing":  bad(path(l1, strings.Replace(aclQ, "&ids[0].atsEntityType=JOB_POSTING", "", 1)), r400),
			"2.0 ids, no header": bad(ids20(l1), r400),
		}},
		{"L2 atsEntityAcls finder", get("/v2/atsEntityAcls?atsEntityId=JOB1&atsEntityType=JOB_POSTING&dataProvider=ATS&integrationContext=" + org + "&q=criteria&start=0&count=100"), variants{
			"integrationContext missing": bad(get("/v2/atsEntityAcls?q=criteria"), r400),
			"another organization":       bad(get("/v2/atsEntityAcls?q=criteria&integrationContext=urn:li:organization:2000"), r403),
		}},
		// LinkedIn's collection sends this one with X-RestLi-Protocol-Version:
		// 2.0.0 and 1.0 ids; the fake reads it as 1.0, as LinkedIn must
		// (docs/linkedin-api.md §15).
		{"L4 atsEntityAclAssignees batch_update", with(l4, v2), variants{
			"2.0 ids, no header": bad(ids20(l4), r400),
			"no token":           bad(noTok(l4), r401),
		}},
		{"L5 atsEntityAclAssignees finder", get("/v2/atsEntityAclAssignees?q=criteria&assignee=" + person + "&dataProvider=ATS&integrationContext=" + org), variants{
			"integrationContext missing": bad(get("/v2/atsEntityAclAssignees?q=criteria&assignee="+person), r400),
			"no token":                   bad(noTok(get("/v2/atsEntityAclAssignees?q=criteria&integrationContext="+org)), r401),
		}},
		{"L6 atsEntityAclAssignees batch_delete", rq{method: "DELETE", path: asgQ}, variants{
			"GET with BATCH_DELETE": bad(rq{method: "GET", path: asgQ, hdr: []string{"X-RestLi-Method: BATCH_DELETE"}}, r400),
			"no token":              bad(noTok(rq{method: "DELETE", path: asgQ}), r401),
		}},
		{"L3 atsEntityAcls batch_delete", rq{method: "DELETE", path: aclQ}, variants{
			"2.0 ids, no header": bad(rq{method: "DELETE", path: "/v2/atsEntityAcls?ids=List((atsEntityAclId:TEST_JOBS))"}, r400),
			"no token":           bad(noTok(rq{method: "DELETE", path: aclQ}), r401),
		}},
		{"D1 atsCandidates batch_delete", cdel, variants{
			"GET with BATCH_DELETE": bad(rq{method: "GET", path: cand, hdr: []string{"X-RestLi-Method: BATCH_DELETE"}}, r400),
			"101 ids, tunnelled":    bad(tunnel("DELETE", ids100(101)), r400),
			"no token":              bad(noTok(cdel), r401),
		}},
		{"D2 atsApplications batch_delete (cascade)", rq{method: "DELETE", path: app}, variants{
			"no token":           bad(noTok(rq{method: "DELETE", path: app}), r401),
			"2.0 ids, no header": bad(ids20(rq{method: "DELETE", path: app}), r400),
		}},
	}
}

// check sends r and compares the answer with w; every error answer must be
// LinkedIn's error body {"message","serviceErrorCode","status"}.
func (f *fake) check(name string, r rq, w want) {
	f.t.Helper()
	r.path = strings.Replace(r.path, "{appKey}", f.appKey, 1)
	status, m, raw := f.do(r)
	if status != w.status {
		f.t.Errorf("%s: status %d, want %d: %s", name, status, w.status, raw)
		return
	}
	if strings.HasPrefix(r.path, "/v2/provisionedApplications") && r.method == "POST" && status == 201 {
		f.appKey, _ = m["key"].(string)
	}
	if status >= 400 {
		if msg, _ := m["message"].(string); msg == "" || m["status"] != float64(status) {
			f.t.Errorf("%s: error body not in LinkedIn's shape: %s", name, raw)
		}
		return
	}
	if w.entity == "" {
		return
	}
	got := entityStatus(m, w.entity)
	if got != w.entityStatus {
		f.t.Errorf("%s: entity %s status %d, want %d: %s", name, w.entity, got, w.entityStatus, raw)
	}
}

// entityStatus finds the per-entity status of key in a batch answer: in
// errors[key] (compared as Rest.li keys, fields in any order and spelling)
// or, for batch_create, elements[i].
func entityStatus(m map[string]any, key string) int {
	if els, ok := m["elements"].([]any); ok {
		i, _ := strconv.Atoi(key)
		if i < len(els) {
			st, _ := els[i].(map[string]any)["status"].(float64)
			return int(st)
		}
		return 0
	}
	errs, _ := m["errors"].(map[string]any)
	norm := func(k string) string {
		parts := strings.Split(k, "&")
		for i, p := range parts {
			if u, err := url.QueryUnescape(p); err == nil {
				parts[i] = u
			}
		}
		slices.Sort(parts)
		return strings.Join(parts, "&")
	}
	for k, v := range errs {
		if norm(k) == norm(key) {
			st, _ := v.(map[string]any)["status"].(float64)
			return int(st)
		}
	}
	return 0
}

func (f *fake) do(r rq) (int, map[string]any, []byte) {
	f.t.Helper()
	req, err := http.NewRequestWithContext(f.t.Context(), r.method, f.base+r.path, strings.NewReader(r.body))
	if err != nil {
		f.t.Fatal(err)
	}
	for _, h := range r.hdr {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	if tok := r.tok; tok != "none" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[tok])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return res.StatusCode, m, raw
}
