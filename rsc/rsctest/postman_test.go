package rsctest_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// TestPostmanCollection replays every request form of LinkedIn's RSC Postman
// collection as docs/linkedin-api.md quotes it (paths, queries, headers, bodies),
// through plain net/http, in the collection's order.
func TestPostmanCollection(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ptok := e.partnerToken()

	// Module 1: provisioning (parent token).
	p1 := e.reqTok(ptok, "POST", "/v2/provisionedApplications", map[string]any{
		"uniqueForeignId": "cust-42", "name": "MyATS - Globex", "description": "Globex instance",
		"oauth2AuthorizedCallbackUrls": []string{"https://ats.example.com/oauth"}, "validJsSdkDomains": []string{"http://localhost:5000"},
	}).want(t, 201)
	appKey, _ := p1.get("key").(string)
	if appKey == "" || p1.header.Get("X-RestLi-Id") != appKey || p1.get("clientId") == "" || p1.get("clientSecret") == "" {
		t.Fatalf("P1 response %s", p1.raw)
	}
	p2 := e.reqTok(ptok, "GET", "/v2/provisionedApplications?q=credentialsByUniqueForeignId&uniqueForeignId=cust-42", nil).want(t, 200)
	if els := p2.body["elements"].([]any); len(els) != 1 || els[0].(map[string]any)["key"] != appKey {
		t.Fatalf("P2 %s", p2.raw)
	}
	e.reqTok(ptok, "POST", "/v2/provisionedApplications/"+appKey, map[string]any{"patch": map[string]any{"$set": map[string]any{"validJsSdkDomains": []string{"https://ats.example.com"}}}}).want(t, 204)
	e.reqTok(ptok, "POST", "/v2/provisionedApplications/"+appKey, map[string]any{"patch": map[string]any{"$set": map[string]any{"oauth2AuthorizedCallbackUrls": []string{"https://ats.example.com/cb"}}}}).want(t, 204)
	if got := e.srv.CustomerByForeignID("cust-42").App().ValidJsSdkDomains; !cmp.Equal(got, []string{"https://ats.example.com"}) {
		t.Fatalf("P3 not applied: %v", got)
	}

	// Module 1: name the integrations (child token).
	e.cust.RequestIntegrations()
	for _, it := range []struct{ ctx, typ string }{{org, "ONE_CLICK_EXPORT"}, {org, "IN_ATS_INDICATOR"}, {org, "PROFILE_PLUGIN"}, {contract, "CSA_API"}} {
		key := "integrationContext=" + it.ctx + "&integrationType=" + it.typ + "&tenantType=RECRUITER&dataProvider=ATS"
		r := e.req("POST", "/v2/atsIntegrations?ids[0].integrationContext="+it.ctx+"&ids[0].integrationType="+it.typ+"&ids[0].tenantType=RECRUITER&ids[0].dataProvider=ATS",
			map[string]any{"entities": map[string]any{key: map[string]any{"patch": map[string]any{"$set": map[string]any{"integrationName": "Acme LinkedIn Recruiter " + it.typ}}}}},
			"x-restli-method: batch_partial_update").want(t, 200)
		if r.get("results", key, "status") != float64(204) {
			t.Fatalf("I1 %s: %s", it.typ, r.raw)
		}
	}
	i2 := e.req("GET", "/v2/atsIntegrations?ids[0].integrationContext="+org+"&ids[0].integrationType=ONE_CLICK_EXPORT&ids[0].tenantType=RECRUITER&ids[0].dataProvider=ATS"+
		"&ids[1].integrationContext="+org+"&ids[1].integrationType=IN_ATS_INDICATOR&ids[1].tenantType=RECRUITER&ids[1].dataProvider=ATS"+
		"&ids[2].integrationContext="+org+"&ids[2].integrationType=PROFILE_PLUGIN&ids[2].tenantType=RECRUITER&ids[2].dataProvider=ATS"+
		"&ids[3].integrationContext="+contract+"&ids[3].integrationType=CSA_API&ids[3].tenantType=RECRUITER&ids[3].dataProvider=ATS", nil).want(t, 200)
	if n := len(i2.body["results"].(map[string]any)); n != 4 {
		t.Fatalf("I2 results %d: %s", n, i2.raw)
	}
	if st := i2.get("results", "integrationContext="+org+"&integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER&dataProvider=ATS", "status"); st != rsctest.StatusPartnerReady {
		t.Fatalf("I2 status %v", st)
	}
	reqID := e.cust.EnableAll()
	i3 := e.req("GET", "/v2/atsIntegrations?q=request&requestId="+reqID, nil).want(t, 200)
	if len(i3.body["elements"].([]any)) != 4 {
		t.Fatalf("I3 %s", i3.raw)
	}

	// Configurations I4-I6.
	oce := "/v2/atsIntegrations/integrationContext=" + org + "&integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER&dataProvider=ATS/configurations"
	ind := "/v2/atsIntegrations/integrationContext=" + org + "&integrationType=IN_ATS_INDICATOR&tenantType=RECRUITER&dataProvider=ATS/configurations"
	cfg := func(k, v string) map[string]any {
		return map[string]any{"entities": map[string]any{k: map[string]any{"configurationValue": map[string]any{"string": v}}}}
	}
	e.req("PUT", oce+"?ids=CALLBACK_URL", cfg("CALLBACK_URL", "https://customer-unique-callback.example.com/li"), "x-restli-method: batch_update").want(t, 200)
	e.req("PUT", oce+"?ids=JOB_POSTING_VIEWERS", cfg("JOB_POSTING_VIEWERS", "ALL_PRODUCT_USERS"), "x-restli-method: batch_update").want(t, 200)
	e.req("PUT", ind+"?ids=APPLICATION_VIEWERS", cfg("APPLICATION_VIEWERS", "ALL_PRODUCT_USERS"), "x-restli-method: batch_update").want(t, 200)
	i5 := e.req("GET", oce+"?ids=CALLBACK_URL", nil).want(t, 200)
	if i5.get("results", "CALLBACK_URL", "configurationValue", "string") != "https://customer-unique-callback.example.com/li" {
		t.Fatalf("I5 %s", i5.raw)
	}
	e.req("DELETE", oce+"?ids=JOB_POSTING_VIEWERS", nil).want(t, 200)
	if e.cust.ConfigurationValue("JOB_POSTING_VIEWERS") != "" || e.cust.ConfigurationValue("APPLICATION_VIEWERS") != "ALL_PRODUCT_USERS" {
		t.Fatal("I6 delete")
	}

	// Module 2: jobs J1/J2.
	j1 := e.postJobs(jobElem("JOBP123", "CREATE")).want(t, 200)
	task := j1.body["elements"].([]any)[0].(map[string]any)
	if task["status"] != float64(202) {
		t.Fatalf("J1 %s", j1.raw)
	}
	taskID := task["id"].(string)
	// By default a task is done on the first poll (WithJobTaskLatency asks otherwise).
	j2 := e.req("GET", "/v2/simpleJobPostingTasks?ids="+taskID+"&ids="+taskID, nil).want(t, 200)
	if j2.get("results", taskID, "status") != rsctest.TaskSucceeded || j2.get("results", taskID, "jobPosting") == nil {
		t.Fatalf("J2 first poll %s", j2.raw)
	}

	// Candidates C1-C4.
	m := e.srv.AddMember(rsctest.MemberSpec{Person: "urn:li:person:abc", FirstName: "John", LastName: "Doe", Email: "john@example.com"})
	c1 := e.req("PUT", "/v2/atsCandidates?ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS&ids[0].integrationContext="+org,
		`{"entities":{"atsCandidateId=C1&dataProvider=ATS&integrationContext=`+org+`":{
		"addresses":[{"line1":"31 Spooner St","city":"Quahog","geographicArea":"RI","geographicAreaType":"STATE","postalCode":"02802","country":"us"}],
		"atsCreatedAt":1700000000000,"atsLastModifiedAt":1700000000000,"currentCompanyName":"Pawtucket","currentJobTitle":"Brewer",
		"emailAddresses":["john@example.com"],"externalProfileUrl":"https://ats.example.com/c/C1","firstName":"john","lastName":"doe",
		"middleInitial":"L","phoneNumbers":[{"number":"555-555-5555","extension":"1234"}],"prefix":"Mr","suffix":"Jr"}}}`,
		"x-restli-method: batch_update").want(t, 200)
	if c1.get("results", candKey("C1"), "status") != float64(204) {
		t.Fatalf("C1 %s", c1.raw)
	}
	c2 := e.req("GET", "/v2/atsCandidates?ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS&ids[0].integrationContext="+org+"&fields=matchedMembers,manualMatchedMember", nil).want(t, 200)
	if diff := cmp.Diff(map[string]any{"matchedMembers": []any{m.Person}}, c2.get("results", candKey("C1"))); diff != "" {
		t.Fatalf("C2 (-want +got):\n%s", diff)
	}
	e.req("POST", "/v2/atsCandidates?ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS&ids[0].integrationContext="+org,
		map[string]any{"entities": map[string]any{candKey("C1"): map[string]any{"patch": map[string]any{"$set": map[string]any{"manualMatchedMember": "urn:li:person:abc"}}}}},
		"x-restli-method: batch_partial_update").want(t, 200)
	if c, _ := e.cust.Candidate("C1"); c.ManualMatchedMember != "urn:li:person:abc" || c.Fields["lastName"] != "doe" {
		t.Fatalf("C3: %+v", c)
	}

	// Candidate notes N1/N2.
	notes := "/v2/atsCandidates/atsCandidateId=C1&dataProvider=ATS&integrationContext=" + org + "/notes"
	n1 := e.req("PUT", notes+"?ids=CAND_NOTE123&ids=CAND_NOTE456", `{"entities":{
		"CAND_NOTE123":{"atsCreatedAt":1700000000000,"note":"Great culture fit","author":{"firstName":"Angela","lastName":"Smith"}},
		"CAND_NOTE456":{"atsCreatedAt":1700000000001,"note":"Strong Go","author":{"firstName":"Angela","lastName":"Smith"}}}}`,
		"x-restli-method: batch_update").want(t, 200)
	if diff := cmp.Diff(map[string]any{"errors": map[string]any{}, "results": map[string]any{"CAND_NOTE123": map[string]any{"status": float64(204)}, "CAND_NOTE456": map[string]any{"status": float64(204)}}}, n1.body); diff != "" {
		t.Fatalf("N1 (-want +got):\n%s", diff)
	}
	e.req("DELETE", notes+"?ids=CAND_NOTE456", nil).want(t, 200)
	if n := len(e.cust.CandidateNotes()); n != 1 {
		t.Fatalf("N2: %d notes", n)
	}

	// Applications AP1 + sub-resources.
	appQ := "?ids[0].atsJobApplicationId=APP1&ids[0].dataProvider=ATS&ids[0].integrationContext=" + org
	appKeyS := "atsJobApplicationId=APP1&dataProvider=ATS&integrationContext=" + org
	e.req("PUT", "/v2/atsApplications"+appQ, map[string]any{"entities": map[string]any{appKeyS: map[string]any{
		"atsCandidateId": "C1", "atsCreatedAt": 1700000000000, "atsLastModifiedAt": 1700000000000, "atsJobPostingId": "JOBP123",
		"atsJobPostingName": "Engineer", "candidateEmail": "john@example.com", "firstName": "john", "lastName": "doe", "source": "Referral", "dispositionReason": ""}}},
		"x-restli-method: batch_update").want(t, 200)
	base := "/v2/atsApplications/" + appKeyS
	e.req("PUT", base+"/notes?ids=APP_NOTE1", `{"entities":{"APP_NOTE1":{"atsCreatedAt":1700000000000,"note":"ok","author":{"firstName":"A","lastName":"B"}}}}`, "x-restli-method: batch_update").want(t, 200)
	// Postman's interview feedback PUT carries no x-restli-method.
	e.req("PUT", base+"/interviewFeedback?ids=INTFB123&ids=INTFB456", `{"entities":{
		"INTFB123":{"atsCreatedAt":1700000000000,"interviewer":{"firstName":"A","lastName":"B"},"evaluations":[{"attribute":"Verbal Communication","result":"4/5"}],"feedback":"good","interviewType":"PHONE_SCREEN"},
		"INTFB456":{"atsCreatedAt":1700000000000,"feedback":"great","interviewType":"ONSITE"}}}`).want(t, 200)
	e.req("PUT", base+"/stages?ids=STAGE001&ids=STAGE002&ids=STAGE003", `{"entities":{
		"STAGE001":{"atsCreatedAt":1700000000000,"stage":"Phone Screen"},"STAGE002":{"atsCreatedAt":1700000000001,"stage":"Onsite Interview"},
		"STAGE003":{"atsCreatedAt":1700000000002,"stage":"Hired"}}}`, "x-restli-method: batch_update").want(t, 200)
	if len(e.cust.Stages()) != 3 || len(e.cust.InterviewFeedback()) != 2 || len(e.cust.ApplicationNotes()) != 1 {
		t.Fatal("sub-resources not stored")
	}
	e.req("DELETE", base+"/stages?ids=STAGE003", nil).want(t, 200)
	e.req("DELETE", base+"/interviewFeedback?ids=INTFB456", nil).want(t, 200)
	e.req("DELETE", base+"/notes?ids=APP_NOTE1", nil).want(t, 200)
	if len(e.cust.Stages()) != 2 || len(e.cust.InterviewFeedback()) != 1 || len(e.cust.ApplicationNotes()) != 0 {
		t.Fatal("sub-resource deletes")
	}

	// ACLs L1-L6.
	aclQ := "?ids[0].atsEntityAclId=eng_managers&ids[0].dataProvider=ATS&ids[0].integrationContext=" + org + "&ids[0].atsEntityId=JOBP123&ids[0].atsEntityType=JOB_POSTING"
	e.req("PUT", "/v2/atsEntityAcls"+aclQ, `{"entities":{"dataProvider=ATS&integrationContext=`+org+`&atsEntityType=JOB_POSTING&atsEntityId=JOBP123&atsEntityAclId=eng_managers":{}}}`,
		"x-restli-method: batch_update").want(t, 200)
	l2 := e.req("GET", "/v2/atsEntityAcls?q=criteria&atsEntityId=JOBP123&atsEntityType=JOB_POSTING&dataProvider=ATS&integrationContext="+org+"&start=0&count=100", nil).want(t, 200)
	if diff := cmp.Diff([]any{map[string]any{"atsEntityAclId": "eng_managers", "atsEntityId": "JOBP123", "atsEntityType": "JOB_POSTING", "dataProvider": "ATS", "integrationContext": org}}, l2.body["elements"]); diff != "" {
		t.Fatalf("L2 (-want +got):\n%s", diff)
	}
	asgQ := "?ids[0].atsEntityAclId=eng_managers&ids[0].integrationContext=" + org + "&ids[0].dataProvider=ATS&ids[0].assignee=urn:li:person:abc&ids[0].atsEntityType=JOB_POSTING"
	e.req("PUT", "/v2/atsEntityAclAssignees"+asgQ, `{"entities":{"atsEntityAclId=eng_managers&integrationContext=`+org+`&dataProvider=ATS&assignee=urn:li:person:abc&atsEntityType=JOB_POSTING":{}}}`,
		// LinkedIn's collection sends X-RestLi-Protocol-Version: 2.0.0 here,
		// with 1.0 ids; the fake reads the request as 1.0, as LinkedIn must
		// (docs/linkedin-api.md §15).
		"x-restli-method: batch_update", "X-RestLi-Protocol-Version: 2.0.0").want(t, 200)
	l5 := e.req("GET", "/v2/atsEntityAclAssignees?q=criteria&assignee=urn:li:person:abc&dataProvider=ATS&integrationContext="+org, nil).want(t, 200)
	if len(l5.body["elements"].([]any)) != 1 {
		t.Fatalf("L5 %s", l5.raw)
	}
	e.req("DELETE", "/v2/atsEntityAclAssignees"+asgQ, nil).want(t, 200)
	e.req("DELETE", "/v2/atsEntityAcls"+aclQ, nil).want(t, 200)
	if len(e.cust.ACLs())+len(e.cust.ACLAssignees()) != 0 {
		t.Fatal("L3/L6")
	}

	// Module 3: retrieval.
	_, seat := e.seat(rsctest.MemberSpec{FirstName: "Rita", LastName: "Recruiter", Email: "rita@acme.example"})
	exportID, err := e.cust.Export(seat.URN, m.Person, "JOBP123")
	if err != nil {
		t.Fatal(err)
	}
	e1 := e.req("GET", "/v2/exportedCandidates?q=request&requestId="+exportID, nil).want(t, 200)
	if el := e1.body["elements"].([]any)[0].(map[string]any); el["externalJobPostingId"] != "JOBP123" || el["candidate"].(map[string]any)["person"] != m.Person {
		t.Fatalf("E1 %s", e1.raw)
	}
	s1 := e.req("GET", "/v2/seats?q=seatsByAttributes&contracts="+contract+"&active=true&start=0&count=100", nil).want(t, 200)
	s2 := e.req("GET", "/v2/seatsV2?q=attributes&contracts="+contract+"&states=ACTIVE&start=0&count=10", nil).want(t, 200)
	if len(s1.body["elements"].([]any)) != 1 || s2.get("paging", "total") != float64(1) {
		t.Fatalf("S1/S2 %s %s", s1.raw, s2.raw)
	}
	conv, _ := e.cust.SendInMail(seat.URN, m.Person, "Hi", "Interested?")
	e.clock.Advance(time.Minute)
	_ = e.cust.ReplyInMail(conv, "Yes", true)
	from, to := strconv.FormatInt(t0.UnixMilli(), 10), strconv.FormatInt(t0.Add(2*time.Hour).UnixMilli(), 10)
	m1 := e.req("GET", "/v2/conversationEvents?q=criteria&viewer="+seat.URN+"&timeRange.start="+from+"&timeRange.end="+to+"&start=0&count=50", nil).want(t, 200)
	m2 := e.req("GET", "/v2/mailStubs?q=contract&contract="+contract+"&owners="+seat.URN+"&createdDateStart="+from+"&createdDateEnd="+to+"&start=0&count=50", nil).want(t, 200)
	if len(m1.body["elements"].([]any)) != 2 || m2.get("paging", "total") != float64(1) {
		t.Fatalf("M1/M2 %s %s", m1.raw, m2.raw)
	}
	noteID, _ := e.cust.WriteProspectNote(seat.URN, m.Person, "call back")
	m3 := e.req("GET", "/v2/prospectNotes?q=criteria&contract="+contract+"&owners="+seat.URN+"&cutoffDate="+from+"&beforeDate="+to+"&start=0&count=100", nil).want(t, 200)
	// LinkedIn's sample response carries the note id as a JSON number.
	if id, _ := strconv.ParseInt(noteID, 10, 64); m3.get("paging", "total") != float64(1) || m3.body["elements"].([]any)[0].(map[string]any)["id"] != float64(id) {
		t.Fatalf("M3 %s", m3.raw)
	}

	// Module 5: deletes (notes first, then the candidate; application cascade).
	e.req("DELETE", notes+"?ids=CAND_NOTE123", nil).want(t, 200)
	e.req("DELETE", "/v2/atsCandidates?ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS&ids[0].integrationContext="+org, nil).want(t, 200)
	e.req("DELETE", "/v2/atsApplications"+appQ, nil).want(t, 200)
	st := e.cust.Snapshot()
	if len(st.Candidates)+len(st.CandidateNotes)+len(st.Applications)+len(st.Stages)+len(st.InterviewFeedback) != 0 {
		t.Fatalf("after deletes: %+v", st)
	}
}
