package rsctest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

func TestExportRequiresSyncedVisibleJob(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rec, seat := e.seat(rsctest.MemberSpec{FirstName: "Rita"})
	m := e.srv.AddMember(rsctest.MemberSpec{FirstName: "Ann", LastName: "Lee", Headline: "Go dev", Location: "Berlin"})
	if _, err := e.cust.Export(seat.URN, m.Person, "J1"); !errors.Is(err, rsctest.ErrJobNotSynced) {
		t.Fatal(err)
	}
	j := jobElem("J1", "CREATE")
	j["accessRestricted"] = true
	e.postJobs(j).want(t, 200)
	if _, err := e.cust.Export(seat.URN, m.Person, "J1"); !errors.Is(err, rsctest.ErrIntegrationNotEnabled) {
		t.Fatal(err)
	}
	e.cust.SetCompanyAccess(true)
	if _, err := e.cust.Export(seat.URN, m.Person, "J1"); !errors.Is(err, rsctest.ErrJobNotVisible) {
		t.Fatal(err)
	}
	e.req("PUT", "/v2/atsEntityAcls?ids[0].atsEntityAclId=g&ids[0].dataProvider=ATS&ids[0].integrationContext="+org+"&ids[0].atsEntityId=J1&ids[0].atsEntityType=JOB_POSTING",
		`{"entities":{"atsEntityAclId=g&dataProvider=ATS&integrationContext=`+org+`&atsEntityId=J1&atsEntityType=JOB_POSTING":{}}}`, "X-RestLi-Method: batch_update").want(t, 200)
	e.req("PUT", "/v2/atsEntityAclAssignees?ids[0].atsEntityAclId=g&ids[0].dataProvider=ATS&ids[0].integrationContext="+org+"&ids[0].assignee="+rec.Person+"&ids[0].atsEntityType=JOB_POSTING",
		`{"entities":{"atsEntityAclId=g&dataProvider=ATS&integrationContext=`+org+`&assignee=`+rec.Person+`&atsEntityType=JOB_POSTING":{}}}`, "X-RestLi-Method: batch_update").want(t, 200)
	id, err := e.cust.Export(seat.URN, m.Person, "J1")
	if err != nil {
		t.Fatal(err)
	}
	want := rsctest.ExportedCandidate{RequestID: id, IntegrationContext: org, ExternalJobPostingID: "J1", Exporter: seat.URN, ExportedAt: t0.UnixMilli(),
		Candidate: rsctest.ExportedProfile{Person: m.Person, FirstName: "Ann", LastName: "Lee", Headline: "Go dev", Location: "Berlin", ProfileURL: m.ProfileURL}}
	if diff := cmp.Diff([]rsctest.ExportedCandidate{want}, e.cust.Exports()); diff != "" {
		t.Fatal(diff)
	}
	p := e.cust.Pushes()
	if p[len(p)-1].Type != rsctest.PushExportCandidateProfile || p[len(p)-1].ID != id {
		t.Fatalf("%+v", p)
	}
	e.req("GET", "/v2/exportedCandidates?q=request&requestId=nope", nil).want(t, 404)
	e.req("GET", "/rest/exportedCandidates?q=request&requestId="+id, nil, "LinkedIn-Version: 202510").want(t, 200)
}

// noteEnv is a customer whose seat's recruiter wrote the note text on the
// member Ann at t0; it returns the seat, Ann and the note's id.
func noteEnv(t *testing.T, text string) (*env, rsctest.Seat, rsctest.Member, string) {
	t.Helper()
	e := newEnv(t)
	_, seat := e.seat(rsctest.MemberSpec{FirstName: "Rita"})
	m := e.srv.AddMember(rsctest.MemberSpec{FirstName: "Ann", Email: "ann@example.com"})
	id, err := e.cust.WriteProspectNote(seat.URN, m.Person, text)
	if err != nil {
		t.Fatal(err)
	}
	return e, seat, m, id
}

func TestProspectNotesAndClosedProfiles(t *testing.T) {
	t.Parallel()
	e, _, m, id := noteEnv(t, "note")
	e.clock.Advance(time.Hour)
	_ = e.cust.DeactivateProspectNote(id)
	e.tok = e.token("cid", "csecret")
	r := e.req("GET", fmt.Sprintf("/v2/prospectNotes?q=criteria&contract=%s&cutoffDate=%d", contract, t0.Add(30*time.Minute).UnixMilli()), nil).want(t, 200)
	if el := r.body["elements"].([]any); len(el) != 1 || el[0].(map[string]any)["active"] != false {
		t.Fatal(string(r.raw))
	}
	e.putCandidates(map[string]map[string]any{"C1": candidate("Ann"), "C2": candidate("Bob")}).want(t, 200)
	if got := e.cust.Matches(); !cmp.Equal(got, map[string][]string{"C1": {m.Person}}) {
		t.Fatal(got)
	}
	if err := e.srv.CloseMemberAccount(m.Person); err != nil {
		t.Fatal(err)
	}
	d1 := e.req("GET", fmt.Sprintf("/v2/atsPurgedExportedCandidates?q=criteria&timeRange.start=0&timeRange.end=%d&exportType=ONE_CLICK_EXPORT&start=0&count=100",
		t0.Add(2*time.Hour).UnixMilli()), nil).want(t, 200)
	if diff := cmp.Diff([]any{map[string]any{"member": m.Person, "atsCandidateIds": []any{"C1"}, "closedAt": float64(t0.Add(time.Hour).UnixMilli())}}, d1.body["elements"]); diff != "" {
		t.Fatal(diff)
	}
	if len(e.cust.Matches()) != 0 {
		t.Fatal("closed member still matches")
	}
}

// The deletion notices are served at LinkedIn's resource,
// atsPurgedExportedCandidates, on both families, with the finder and
// parameters of docs/linkedin-api.md §8.7: q=criteria, the time range as
// the protocol spells a record parameter, exportType=ONE_CLICK_EXPORT, and
// no integration context (the token names the customer). The range is
// [start, end). The path rscgo used before, closedCandidateProfiles, is a
// 404 like any unknown resource.
func TestPurgedExportedCandidates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.srv.AddMember(rsctest.MemberSpec{FirstName: "Ann", Email: "ann@example.com"})
	e.putCandidates(map[string]map[string]any{"C1": candidate("Ann"), "C2": candidate("Bob")}).want(t, 200)
	e.clock.Advance(time.Hour)
	if err := e.srv.CloseMemberAccount(m.Person); err != nil {
		t.Fatal(err)
	}
	closed := t0.Add(time.Hour).UnixMilli()
	e.tok = e.token("cid", "csecret") // the first one has expired
	e.srv.AddCustomer(rsctest.CustomerSpec{ClientID: "cid2", ClientSecret: "csecret2", Organization: "urn:li:organization:2000",
		Contracts: []string{"urn:li:contract:6000"}, UniqueForeignID: "beta"})
	tok2 := e.token("cid2", "csecret2")
	const v2 = "X-RestLi-Protocol-Version: 2.0.0"
	const version = "LinkedIn-Version: 202604"
	notice := []any{map[string]any{"member": m.Person, "atsCandidateIds": []any{"C1"}, "closedAt": float64(closed)}}
	dotted := func(from, to int64) string { return fmt.Sprintf("timeRange.start=%d&timeRange.end=%d", from, to) }
	record := func(from, to int64) string { return fmt.Sprintf("timeRange=(start:%d,end:%d)", from, to) }
	const ote = "&exportType=ONE_CLICK_EXPORT"
	for _, tc := range []struct {
		name, path string
		hdr        []string
		tok        string // "" is the customer's
		status     int
		want       []any  // the elements of a 200
		msg        string // the message of a 400
	}{
		{"v2 Postman form", "/v2/atsPurgedExportedCandidates?" + dotted(closed, closed+1) + "&q=criteria" + ote, nil, "", 200, notice, ""},
		{"rest", "/rest/atsPurgedExportedCandidates?q=criteria&" + record(closed, closed+1) + ote + "&start=0&count=100", []string{v2, version}, "", 200, notice, ""},
		{"end is exclusive", "/v2/atsPurgedExportedCandidates?q=criteria&" + dotted(closed-1000, closed) + ote, nil, "", 200, []any{}, ""},
		{"another customer's token", "/v2/atsPurgedExportedCandidates?q=criteria&" + dotted(0, closed+1) + ote, nil, tok2, 200, []any{}, ""},
		{"no exportType", "/v2/atsPurgedExportedCandidates?q=criteria&" + dotted(0, closed+1), nil, "", 400, nil, "Parameter 'exportType' is required"},
		{"other exportType", "/v2/atsPurgedExportedCandidates?q=criteria&" + dotted(0, closed+1) + "&exportType=IN_ATS_INDICATOR", nil, "", 400, nil,
			`Invalid value for parameter 'exportType': "IN_ATS_INDICATOR"; want ONE_CLICK_EXPORT`},
		{"no time range", "/v2/atsPurgedExportedCandidates?q=criteria" + ote, nil, "", 400, nil, "Parameter 'timeRange' is required, with its start and end"},
		{"no end", "/rest/atsPurgedExportedCandidates?q=criteria&timeRange=(start:0)" + ote, []string{v2, version}, "", 400, nil,
			"Parameter 'timeRange' is required, with its start and end"},
		{"end precedes start", "/v2/atsPurgedExportedCandidates?q=criteria&" + dotted(closed, closed-1) + ote, nil, "", 400, nil,
			"Invalid value for parameter 'timeRange': end precedes start"},
		{"2.0 dotted range", "/rest/atsPurgedExportedCandidates?q=criteria&" + dotted(0, closed+1) + ote, []string{v2, version}, "", 400, nil,
			"Invalid parameter 'timeRange': under X-RestLi-Protocol-Version 2.0.0 it is one parameter, timeRange=(start:..,end:..); " +
				"timeRange.start and timeRange.end are the Rest.li 1.0 syntax"},
		{"old finder", "/v2/atsPurgedExportedCandidates?q=integrationContext&integrationContext=" + org + "&closedSince=0", nil, "", 400, nil,
			"Unknown or missing finder q=integrationContext; want q=criteria"},
		{"old path v2", "/v2/closedCandidateProfiles?q=integrationContext&integrationContext=" + org + "&closedSince=0&start=0&count=100", nil, "", 404, nil, ""},
		{"old path rest", "/rest/closedCandidateProfiles?q=criteria&" + record(0, closed+1) + ote, []string{v2, version}, "", 404, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := tc.tok
			if tok == "" {
				tok = e.tok
			}
			r := e.reqTok(tok, "GET", tc.path, nil, tc.hdr...).want(t, tc.status)
			switch tc.status {
			case 200:
				if d := cmp.Diff(tc.want, r.body["elements"]); d != "" {
					t.Errorf("elements (-want +got):\n%s", d)
				}
			case 400:
				if d := cmp.Diff(map[string]any{"message": tc.msg, "serviceErrorCode": float64(400), "status": float64(400)}, r.body); d != "" {
					t.Errorf("(-want +got):\n%s", d)
				}
			}
		})
	}
}

// A prospect note is served in the shape of the sample response on
// LinkedIn's "Retrieve Prospect Notes" page: a numeric id and the
// timestamps created and lastModified, with none of the names rscgo used
// before (createdAt, lastModifiedAt, a string id). The fake encodes its
// own type, so a client that decodes only its own shape fails here.
func TestProspectNotesWireShape(t *testing.T) {
	t.Parallel()
	e, seat, m, id := noteEnv(t, "Strong")
	e.clock.Advance(time.Minute)
	if err := e.cust.UpdateProspectNote(id, "Strong Go"); err != nil {
		t.Fatal(err)
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		t.Fatalf("note id %q is not decimal: %v", id, err)
	}
	r := e.req("GET", "/v2/prospectNotes?q=criteria&contract="+contract+"&owners="+seat.URN+"&start=0&count=100", nil).want(t, 200)
	want := []any{map[string]any{"id": float64(n), "contract": contract, "owner": seat.URN, "member": m.Person, "note": "Strong Go",
		"active": true, "created": float64(t0.UnixMilli()), "lastModified": float64(t0.Add(time.Minute).UnixMilli())}}
	if d := cmp.Diff(want, r.body["elements"]); d != "" {
		t.Errorf("elements (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]rsctest.ProspectNote{{ID: n, Contract: contract, Owner: seat.URN, Member: m.Person, Note: "Strong Go", Active: true,
		Created: t0.UnixMilli(), LastModified: t0.Add(time.Minute).UnixMilli()}}, e.cust.ProspectNotes()); d != "" {
		t.Errorf("ProspectNotes() (-want +got):\n%s", d)
	}
}

// prospectNotes lists the notes last modified in (cutoffDate, beforeDate]:
// LinkedIn's "Retrieve Prospect Notes" page documents cutoffDate as an
// exclusive lower bound and beforeDate as an inclusive upper one
// (docs/linkedin-api.md §8.6). mailStubs, which shares the range code,
// keeps [createdDateStart, createdDateEnd): its page documents the start
// as inclusive and the end as exclusive (§8.5).
func TestRetrievalWindowBounds(t *testing.T) {
	t.Parallel()
	e, seat, m, _ := noteEnv(t, "Strong")
	conv, err := e.cust.SendInMail(seat.URN, m.Person, "Hi", "?")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.cust.ReplyInMail(conv, "yes", true); err != nil {
		t.Fatal(err)
	}
	at := t0.UnixMilli() // the note's lastModified and the stub's createdAt
	notes := func(bounds string) string {
		return "/v2/prospectNotes?q=criteria&contract=" + contract + "&owners=" + seat.URN + bounds + "&start=0&count=100"
	}
	stubs := func(bounds string) string {
		return "/v2/mailStubs?q=contract&contract=" + contract + "&owners=" + seat.URN + bounds + "&start=0&count=50"
	}
	for _, tc := range []struct {
		name, path string
		want       int // elements listed
	}{
		{"cutoffDate at the note", notes(fmt.Sprintf("&cutoffDate=%d", at)), 0},
		{"cutoffDate just before the note", notes(fmt.Sprintf("&cutoffDate=%d", at-1)), 1},
		{"beforeDate at the note", notes(fmt.Sprintf("&beforeDate=%d", at)), 1},
		{"beforeDate just before the note", notes(fmt.Sprintf("&beforeDate=%d", at-1)), 0},
		{"the window ending at the note", notes(fmt.Sprintf("&cutoffDate=%d&beforeDate=%d", at-1, at)), 1},
		{"the window starting at the note", notes(fmt.Sprintf("&cutoffDate=%d&beforeDate=%d", at, at+1)), 0},
		{"an empty window at the note", notes(fmt.Sprintf("&cutoffDate=%d&beforeDate=%d", at, at)), 0},
		{"no bounds", notes(""), 1},
		{"createdDateStart at the stub", stubs(fmt.Sprintf("&createdDateStart=%d", at)), 1},
		{"createdDateStart just after the stub", stubs(fmt.Sprintf("&createdDateStart=%d", at+1)), 0},
		{"createdDateEnd at the stub", stubs(fmt.Sprintf("&createdDateEnd=%d", at)), 0},
		{"createdDateEnd just after the stub", stubs(fmt.Sprintf("&createdDateEnd=%d", at+1)), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.req("GET", tc.path, nil).want(t, 200)
			if got := len(r.body["elements"].([]any)); got != tc.want {
				t.Errorf("%d elements, want %d: %s", got, tc.want, r.raw)
			}
		})
	}
}

func TestInMailReplyCreatesStub(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, seat := e.seat(rsctest.MemberSpec{FirstName: "Rita"})
	m := e.srv.AddMember(rsctest.MemberSpec{FirstName: "Ann", Email: "ann@example.com", Phone: "555"})
	c1, _ := e.cust.SendInMail(seat.URN, m.Person, "Hi", "?")
	c2, _ := e.cust.SendInMail(seat.URN, m.Person, "Hi again", "?")
	_ = e.cust.ReplyInMail(c1, "no thanks", false)
	_ = e.cust.ReplyInMail(c2, "yes", true)
	if len(e.cust.ConversationEvents()) != 4 {
		t.Fatal("events")
	}
	stubs := e.cust.MailStubs()
	if len(stubs) != 1 || stubs[0].EmailAddress != "ann@example.com" || stubs[0].Owner != seat.URN {
		t.Fatalf("%+v", stubs)
	}
}

func TestRestFamily(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := "LinkedIn-Version: 202602"
	ids := "ids=List((externalCandidateId:C1,integrationContext:urn%3Ali%3Aorganization%3A1000))"
	key := "(externalCandidateId:C1,integrationContext:urn%3Ali%3Aorganization%3A1000)"
	c := candidate("Ann")
	c["externalCreatedAt"], c["externalLastModifiedAt"] = c["atsCreatedAt"], c["atsLastModifiedAt"]
	delete(c, "atsCreatedAt")
	delete(c, "atsLastModifiedAt")
	body := map[string]any{"entities": map[string]any{key: c}}
	v2 := "X-RestLi-Protocol-Version: 2.0.0"
	e.req("PUT", "/rest/candidates?"+ids, body, "X-RestLi-Method: batch_update", v2).want(t, 400) // no version
	r := e.req("PUT", "/rest/candidates?"+ids, body, "X-RestLi-Method: batch_update", v, v2).want(t, 200)
	if r.get("results", key, "status") != float64(204) {
		t.Fatal(string(r.raw))
	}
	got, _ := e.cust.Candidate("C1")
	if got.Fields["atsCreatedAt"] != float64(1700000000000) {
		t.Fatalf("canonical storage: %v", got.Fields)
	}
	g := e.req("GET", "/rest/candidates?"+ids, nil, v, v2).want(t, 200)
	if g.get("results", key, "externalCreatedAt") != float64(1700000000000) || g.get("results", key, "atsCreatedAt") != nil {
		t.Fatal(string(g.raw))
	}
	// Validation reports the versioned field name (the legacy names are
	// not in the versioned schema: TestUnknownFieldsRefused).
	noTimes := candidate("Ann")
	delete(noTimes, "atsCreatedAt")
	delete(noTimes, "atsLastModifiedAt")
	bad := map[string]any{"entities": map[string]any{key: noTimes}}
	r = e.req("PUT", "/rest/candidates?"+ids, bad, "X-RestLi-Method: batch_update", v, v2).want(t, 200)
	if msg, _ := r.get("errors", key, "message").(string); msg != "ERROR :: /externalCreatedAt :: field is required but not found and has no default value" {
		t.Fatal(string(r.raw))
	}
	// dataProvider is not part of versioned keys but v2 requires it.
	e.req("GET", "/v2/atsCandidates?ids[0].atsCandidateId=C1&ids[0].integrationContext="+org, nil).want(t, 400)
	// candidateNotes, applicationNotes, atsApplications with $params, integrations, seatsV2.
	e.req("PUT", "/rest/candidateNotes?ids=List((externalCandidateId:C1,externalNoteId:N1,integrationContext:urn%3Ali%3Aorganization%3A1000))",
		`{"entities":{"(externalCandidateId:C1,externalNoteId:N1,integrationContext:urn%3Ali%3Aorganization%3A1000)":{"note":"x","externalCreatedAt":1}}}`, "X-RestLi-Method: batch_update", v, v2).want(t, 200)
	if n := e.cust.CandidateNotes(); len(n) != 1 || n[0].Key["noteId"] != "N1" || n[0].Fields["atsCreatedAt"] != float64(1) {
		t.Fatalf("%v", n)
	}
	appK := "($params:(),atsJobApplicationId:A1,integrationContext:urn%3Ali%3Aorganization%3A1000)"
	e.req("PUT", "/rest/atsApplications?ids=List("+appK+")", map[string]any{"entities": map[string]any{appK: application("Ann")}}, "X-RestLi-Method: batch_update", v, v2).want(t, 200)
	e.req("PUT", "/rest/applicationNotes?ids=List((externalJobApplicationId:A1,externalNoteId:AN1,integrationContext:urn%3Ali%3Aorganization%3A1000))",
		`{"entities":{"(externalJobApplicationId:A1,externalNoteId:AN1,integrationContext:urn%3Ali%3Aorganization%3A1000)":{"note":"x"}}}`, "X-RestLi-Method: batch_update", v, v2).want(t, 200)
	// Feedback and stages are resources of their own on /rest; their
	// sub-resource paths are not served there.
	fbK := "(jobApplicationId:A1,integrationContext:urn%3Ali%3Aorganization%3A1000,interviewFeedbackId:F1)"
	e.req("PUT", "/rest/applicationInterviewFeedbacks?ids=List("+fbK+")", `{"entities":{"`+fbK+`":{"feedback":"x"}}}`, "X-RestLi-Method: batch_update", v, v2).want(t, 200)
	stK := "(jobApplicationId:A1,integrationContext:urn%3Ali%3Aorganization%3A1000,jobApplicationStageId:S1)"
	e.req("PUT", "/rest/applicationStage?ids=List("+stK+")", `{"entities":{"`+stK+`":{"stage":"Hired","atsCreatedAt":1}}}`, "X-RestLi-Method: batch_update", v, v2).want(t, 200)
	if fb, st := e.cust.InterviewFeedback(), e.cust.Stages(); len(fb) != 1 || fb[0].Key["feedbackId"] != "F1" || fb[0].Key["atsJobApplicationId"] != "A1" ||
		len(st) != 1 || st[0].Key["stageId"] != "S1" || st[0].Fields["stage"] != "Hired" {
		t.Fatalf("feedback %v, stages %v", fb, st)
	}
	e.req("PUT", "/rest/atsApplications/"+appK+"/interviewFeedback?ids=F2", `{"entities":{"F2":{"feedback":"x"}}}`, "X-RestLi-Method: batch_update", v, v2).want(t, 404)
	// A versioned key takes its versioned field names only, and no dataProvider.
	for _, k := range []string{
		"(atsJobApplicationId:A1,integrationContext:urn%3Ali%3Aorganization%3A1000,feedbackId:F3)",
		"(dataProvider:ATS,jobApplicationId:A1,integrationContext:urn%3Ali%3Aorganization%3A1000,interviewFeedbackId:F3)",
	} {
		e.req("PUT", "/rest/applicationInterviewFeedbacks?ids=List("+k+")", `{"entities":{"`+k+`":{"feedback":"x"}}}`, "X-RestLi-Method: batch_update", v, v2).want(t, 400)
	}
	e.req("GET", "/rest/candidates?ids=List((atsCandidateId:C1,integrationContext:urn%3Ali%3Aorganization%3A1000))", nil, v, v2).want(t, 400)
	noApp := "(jobApplicationId:A9,integrationContext:urn%3Ali%3Aorganization%3A1000,interviewFeedbackId:F1)"
	echoed := "(integrationContext:urn%3Ali%3Aorganization%3A1000,interviewFeedbackId:F1,jobApplicationId:A9)" // fields sorted
	if r := e.req("PUT", "/rest/applicationInterviewFeedbacks?ids=List("+noApp+")", `{"entities":{"`+noApp+`":{"feedback":"x"}}}`, "X-RestLi-Method: batch_update", v, v2).want(t, 200); r.get("errors", echoed, "status") != float64(404) {
		t.Fatalf("feedback of an unknown application: %s", r.raw)
	}
	e.req("DELETE", "/rest/applicationStage?ids=List("+stK+")", nil, v, v2).want(t, 200)
	if len(e.cust.Stages()) != 0 {
		t.Fatal("rest stage delete")
	}
	e.req("DELETE", "/rest/atsApplications?ids=List("+appK+")", nil, v, v2).want(t, 200)
	if len(e.cust.ApplicationNotes()) != 0 || len(e.cust.InterviewFeedback()) != 0 {
		t.Fatal("rest cascade")
	}
	e.cust.RequestIntegrations()
	ik := "(integrationContext:urn%3Ali%3Aorganization%3A1000,integrationType:ONE_CLICK_EXPORT,tenantType:RECRUITER)"
	e.req("POST", "/rest/integrations?ids=List("+ik+")", `{"entities":{"`+ik+`":{"patch":{"$set":{"integrationName":"n"}}}}}`, "X-RestLi-Method: batch_partial_update", v, v2).want(t, 200)
	if g := e.req("GET", "/rest/integrations?ids=List("+ik+")", nil, v, v2).want(t, 200); g.get("results", ik, "status") != rsctest.StatusPartnerReady || g.get("results", ik, "dataProvider") != nil {
		t.Fatal(string(g.raw))
	}
	ck := "(configurationKey:CALLBACK_URL,integrationContext:urn%3Ali%3Aorganization%3A1000,integrationType:ONE_CLICK_EXPORT,tenantType:RECRUITER)"
	e.req("PUT", "/rest/integrationConfigurations?ids=List("+ck+")", `{"entities":{"`+ck+`":{"configurationValue":{"string":"https://cb.example.com/x"}}}}`, "X-RestLi-Method: batch_update", v, v2).want(t, 200)
	if e.cust.ConfigurationValue("CALLBACK_URL") != "https://cb.example.com/x" {
		t.Fatal("rest config")
	}
	m := e.srv.AddMember(rsctest.MemberSpec{FirstName: "R"})
	_, _ = e.cust.AddSeat(rsctest.SeatSpec{Member: m.Person})
	s := e.req("GET", "/rest/seatsV2?q=attributes&contracts=List(urn%3Ali%3Acontract%3A5000)&start=0", nil, v, v2).want(t, 200)
	el := s.body["elements"].([]any)[0].(map[string]any)
	if el["seatId"] == nil || el["id"] != nil || el["createdAt"].(map[string]any)["actor"] != m.Person {
		t.Fatal(string(s.raw))
	}
	ji := jobElem("RJ", "CREATE")
	e.req("POST", "/rest/simpleJobPostings", map[string]any{"elements": []any{ji}}, "X-RestLi-Method: batch_create", v, v2).want(t, 200)
}

func TestFaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rsctest.WithFaults(rsctest.Fault{Route: "/v2/atsApplications", ErrorRate: 1, ErrorStatus: 503}))
	e.req("GET", "/v2/atsApplications?"+appIDs("A"), nil).want(t, 503)
	e.req("GET", "/v2/atsCandidates?"+candIDsN([]string{"A"}), nil).want(t, 200)

	e.srv.SetFaults(rsctest.Fault{Route: "atsCandidates", ResetRate: 1})
	req, _ := http.NewRequest("GET", e.srv.URL()+"/v2/atsCandidates?"+candIDsN([]string{"A"}), nil)
	req.Header.Set("Authorization", "Bearer "+e.tok)
	if _, err := e.hc.Do(req); !errors.Is(err, rsctest.ErrConnReset) {
		t.Fatalf("want reset, got %v", err)
	}
	if last := e.srv.Requests(); last[len(last)-1].Status != 0 {
		t.Fatal("reset not logged with status 0")
	}

	e.srv.SetFaults(rsctest.Fault{Route: "atsCandidates", Latency: 90 * time.Second})
	e.req("GET", "/v2/atsCandidates?"+candIDsN([]string{"A"}), nil).want(t, 200)
	if got := e.clock.Now().Sub(t0); got != 90*time.Second {
		t.Fatalf("latency advanced the clock by %v", got)
	}

	e.srv.SetFaults()
	e.srv.Burst429("atsCandidates", 2)
	for range 2 {
		if r := e.req("GET", "/v2/atsCandidates?"+candIDsN([]string{"A"}), nil).want(t, 429); r.header.Get("X-Li-Throttle-Window") != "MINUTE" || r.header.Get("Retry-After") == "" {
			t.Fatal(r.header)
		}
	}
	e.req("GET", "/v2/atsCandidates?"+candIDsN([]string{"A"}), nil).want(t, 200)
	if c := e.cust.Counters(); c.Throttled429Minute != 2 {
		t.Fatalf("%+v", c)
	}

	if n := e.srv.RevokeTokens("cid"); n != 1 {
		t.Fatal(n)
	}
	e.req("GET", "/v2/atsCandidates?"+candIDsN([]string{"A"}), nil).want(t, 401)
}

func TestFaultsDeterministicBySeed(t *testing.T) {
	t.Parallel()
	run := func(seed int64) []int {
		e := newEnv(t, rsctest.WithSeed(seed), rsctest.WithFaults(rsctest.Fault{ErrorRate: 0.5}))
		var out []int
		for range 20 {
			out = append(out, e.reqTok(e.tok, "GET", "/v2/atsCandidates?"+candIDsN([]string{"A"}), nil).status)
		}
		return out
	}
	if a, b := run(7), run(7); !cmp.Equal(a, b) {
		t.Fatal(a, b)
	}
}

func TestResetOverRealSocket(t *testing.T) {
	t.Parallel()
	srv := rsctest.NewServer(rsctest.WithFaults(rsctest.Fault{Route: "/oauth", ResetRate: 1}))
	defer srv.Close()
	if _, err := http.Post(srv.TokenURL(), "application/x-www-form-urlencoded", nil); err == nil {
		t.Fatal("want a connection error")
	}
}

func TestSynctestBubble(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithFaults(rsctest.Fault{Latency: time.Hour}))
		defer srv.Close()
		srv.AddCustomer(rsctest.CustomerSpec{ClientID: "a", ClientSecret: "b"})
		start := time.Now()
		resp, err := srv.Client().PostForm(srv.TokenURL(), map[string][]string{"grant_type": {"client_credentials"}, "client_id": {"a"}, "client_secret": {"b"}})
		if err != nil || resp.StatusCode != 200 {
			t.Fatal(err)
		}
		resp.Body.Close()
		if time.Since(start) != time.Hour {
			t.Fatal(time.Since(start))
		}
	})
}

func TestConcurrentCustomers(t *testing.T) {
	t.Parallel()
	srv := rsctest.NewServer(rsctest.WithoutListener())
	defer srv.Close()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := fmt.Sprintf("urn:li:organization:%d", 100+i)
			cu := srv.AddCustomer(rsctest.CustomerSpec{Organization: o})
			e := &env{t: t, srv: srv, cust: cu, hc: srv.Client()}
			e.tok = e.token(cu.ClientID, cu.ClientSecret)
			for j := range 20 {
				id := fmt.Sprint("C", j)
				k := "atsCandidateId=" + id + "&dataProvider=ATS&integrationContext=" + o
				e.req("PUT", "/v2/atsCandidates?ids[0].atsCandidateId="+id+"&ids[0].dataProvider=ATS&ids[0].integrationContext="+o,
					map[string]any{"entities": map[string]any{k: candidate("Ann")}}, "X-RestLi-Method: batch_update").want(t, 200)
			}
			_ = cu.Snapshot()
			_, _ = srv.DeliverPushes(context.Background())
		}()
	}
	wg.Wait()
	for _, cu := range srv.Customers() {
		if len(cu.Candidates()) != 20 {
			t.Fatal(cu.ClientID)
		}
	}
}

func TestAdminEndpoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	post := func(path string) resp { return e.reqTok("", "POST", path, nil, "Content-Type: application/json") }
	post("/_rsctest/customers/1000/request").want(t, 200)
	post("/_rsctest/customers/"+org+"/enable?company=true&contract=true").want(t, 200)
	if in, _ := e.cust.Integration(contract, "CSA_API"); in.Status != rsctest.StatusEnabled {
		t.Fatal(in)
	}
	m := e.reqTok("", "POST", "/_rsctest/members", `{"Person":"urn:li:person:x","FirstName":"X","Email":"x@y.io"}`, "Content-Type: application/json").want(t, 200)
	_ = m
	post("/_rsctest/members/x/close").want(t, 200)
	if st := e.reqTok("", "GET", "/_rsctest/state", nil); st.status != 200 {
		t.Fatal(st.status)
	}
	post("/_rsctest/customers/nope/request").want(t, 404)
}

// The admin API refuses a customer that would take another's client id,
// foreign id, organization or contract, or whose URNs are not URNs; the
// first customer keeps working.
func TestAdminRefusesConflictingCustomers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	add := func(spec string) resp {
		return e.reqTok("", "POST", "/_rsctest/customers", spec, "Content-Type: application/json")
	}
	for name, tc := range map[string]struct {
		spec   string
		status int
	}{
		"taken client id":     {`{"ClientID":"` + e.cust.ClientID + `","ClientSecret":"other"}`, 409},
		"taken foreign id":    {`{"UniqueForeignID":"` + e.cust.UniqueForeignID + `"}`, 409},
		"taken organization":  {`{"Organization":"` + org + `"}`, 409},
		"taken contract":      {`{"Contracts":["` + contract + `"]}`, 409},
		"organization no URN": {`{"Organization":"` + strings.Repeat("x", 10000) + `"}`, 400},
		"contract no URN":     {`{"Contracts":["5000"]}`, 400},
		"name too long":       {`{"Name":"` + strings.Repeat("n", 51) + `"}`, 400},
	} {
		r := add(tc.spec).want(t, tc.status)
		if msg, _ := r.body["message"].(string); msg == "" || len(msg) > 300 || r.body["status"] != float64(tc.status) {
			t.Errorf("%s: error body %s", name, r.raw)
		}
	}
	if len(e.srv.Customers()) != 1 {
		t.Fatalf("customers %d, want 1", len(e.srv.Customers()))
	}
	e.token(e.cust.ClientID, e.cust.ClientSecret) // the first customer still logs in
	add(`{"ClientID":"second","Organization":"urn:li:organization:2000","Contracts":["urn:li:contract:6000"]}`).want(t, 200)
}

// The admin API is not reachable from a web page: it wants JSON (which a
// cross-site form cannot send without a CORS preflight), a loopback Host
// (no DNS rebinding), a bounded body and, when configured, a token.
func TestAdminAPIGuards(t *testing.T) {
	t.Parallel()
	srv := rsctest.NewServer(rsctest.WithAdminToken("s3cret"))
	defer srv.Close()
	u, _ := url.Parse(srv.URL())
	send := func(host, ct, auth string, body io.Reader) int {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), "POST", srv.URL()+"/_rsctest/members", body)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	member := func() io.Reader { return strings.NewReader(`{"FirstName":"Eve"}`) }
	for name, tc := range map[string]struct {
		host, ct, auth string
		body           io.Reader
		want           int
	}{
		"text/plain":          {u.Host, "text/plain", "Bearer s3cret", member(), 415},
		"form":                {u.Host, "application/x-www-form-urlencoded", "Bearer s3cret", member(), 415},
		"rebound host":        {"evil.example.com", "application/json", "Bearer s3cret", member(), 403},
		"no token":            {u.Host, "application/json", "", member(), 401},
		"wrong token":         {u.Host, "application/json", "Bearer guess", member(), 401},
		"2 MB body":           {u.Host, "application/json", "Bearer s3cret", strings.NewReader(`{"FirstName":"` + strings.Repeat("a", 2<<20) + `"}`), 413},
		"json, token, local":  {u.Host, "application/json", "Bearer s3cret", member(), 200},
		"localhost with port": {"localhost:" + u.Port(), "application/json; charset=utf-8", "Bearer s3cret", member(), 200},
	} {
		if got := send(tc.host, tc.ct, tc.auth, tc.body); got != tc.want {
			t.Errorf("%s: status %d, want %d", name, got, tc.want)
		}
	}
	if n := len(srv.Members()); n != 2 {
		t.Errorf("members %d, want 2 (only the accepted requests)", n)
	}
}
