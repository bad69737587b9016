package rsctest_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// unpermitted is the per-entity error the fake answers for fields a
// resource's schema does not have, named by their paths.
func unpermitted(paths string) map[string]any {
	return map[string]any{"status": float64(403), "serviceErrorCode": float64(403),
		"message": "Unpermitted fields present in REQUEST_BODY: Data Processing Exception while processing fields [" + paths + "]"}
}

// held is what LinkedIn holds for e's customer, without the request counters.
func held(e *env) rsctest.CustomerState {
	s := e.cust.Snapshot()
	s.Counters = rsctest.Counters{}
	return s
}

// A record holding a field its resource's schema does not have is refused
// with LinkedIn's 403 naming the field's path in the request family's
// names, nested fields included; the batch's other records are stored.
func TestUnknownFieldsRefused(t *testing.T) {
	t.Parallel()
	const (
		v2Notes   = "/v2/atsCandidates/atsCandidateId=C1&dataProvider=ATS&integrationContext=" + org + "/notes?ids=BAD&ids=GOOD"
		v2AppSub  = "/v2/atsApplications/atsJobApplicationId=A1&dataProvider=ATS&integrationContext=" + org
		restCands = "/rest/candidates?ids=List((externalCandidateId:BAD,integrationContext:urn%3Ali%3Aorganization%3A1000),(externalCandidateId:GOOD,integrationContext:urn%3Ali%3Aorganization%3A1000))"
		restBad   = "(externalCandidateId:BAD,integrationContext:urn%3Ali%3Aorganization%3A1000)"
		restGood  = "(externalCandidateId:GOOD,integrationContext:urn%3Ali%3Aorganization%3A1000)"
		restNotes = "/rest/applicationNotes?ids=List((externalJobApplicationId:A1,externalNoteId:BAD,integrationContext:urn%3Ali%3Aorganization%3A1000),(externalJobApplicationId:A1,externalNoteId:GOOD,integrationContext:urn%3Ali%3Aorganization%3A1000))"
		restNBad  = "(externalJobApplicationId:A1,externalNoteId:BAD,integrationContext:urn%3Ali%3Aorganization%3A1000)"
		restNGood = "(externalJobApplicationId:A1,externalNoteId:GOOD,integrationContext:urn%3Ali%3Aorganization%3A1000)"
		config    = "/v2/atsIntegrations/integrationContext=" + org + "&integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER&dataProvider=ATS/configurations?ids=CALLBACK_URL"
	)
	rest := []string{"LinkedIn-Version: 202604", "X-RestLi-Protocol-Version: 2.0.0"}
	restCand := func(f func(m map[string]any)) map[string]any {
		return edited(candidate("Ann"), func(m map[string]any) {
			m["externalCreatedAt"], m["externalLastModifiedAt"] = m["atsCreatedAt"], m["atsLastModifiedAt"]
			delete(m, "atsCreatedAt")
			delete(m, "atsLastModifiedAt")
			f(m)
		})
	}
	cases := []struct {
		name, method, path string
		body               map[string]any
		hdr                []string
		bad, good          string // response keys; good "" when the batch has one record
		paths              string
	}{
		{name: "v2 candidate, misspelt field", method: "PUT", path: "/v2/atsCandidates?" + candIDsN([]string{"BAD", "GOOD"}),
			body: map[string]any{candKey("BAD"): edited(candidate("Ann"), func(m map[string]any) {
				m["emailAdresses"] = m["emailAddresses"]
				delete(m, "emailAddresses")
			}), candKey("GOOD"): candidate("Bob")},
			bad: candKey("BAD"), good: candKey("GOOD"), paths: "/emailAdresses"},
		{name: "v2 candidate, versioned names", method: "PUT", path: "/v2/atsCandidates?" + candIDsN([]string{"BAD", "GOOD"}),
			body: map[string]any{candKey("BAD"): restCand(func(map[string]any) {}), candKey("GOOD"): candidate("Bob")},
			bad:  candKey("BAD"), good: candKey("GOOD"), paths: "/externalCreatedAt, /externalLastModifiedAt"},
		{name: "rest candidate, legacy name", method: "PUT", path: restCands, hdr: rest,
			body: map[string]any{restBad: restCand(func(m map[string]any) { m["atsCreatedAt"] = 1700000000000 }), restGood: restCand(func(map[string]any) {})},
			bad:  restBad, good: restGood, paths: "/atsCreatedAt"},
		{name: "v2 candidate note, nested author field", method: "PUT", path: v2Notes,
			body: map[string]any{"BAD": map[string]any{"note": "x", "author": map[string]any{"firstName": "A", "lastName": "B", "title": "Dr"}},
				"GOOD": map[string]any{"note": "y", "author": map[string]any{"firstName": "A", "lastName": "B"}}},
			bad: "BAD", good: "GOOD", paths: "/author/title"},
		{name: "v2 candidate note, modified time", method: "PUT", path: v2Notes,
			body: map[string]any{"BAD": map[string]any{"note": "x", "atsLastModifiedAt": 1700000000000}, "GOOD": map[string]any{"note": "y", "atsCreatedAt": 1700000000000}},
			bad:  "BAD", good: "GOOD", paths: "/atsLastModifiedAt"},
		{name: "rest application note, versioned candidate-note names", method: "PUT", path: restNotes, hdr: rest,
			body: map[string]any{restNBad: map[string]any{"note": "x", "externalCreatedAt": 1700000000000},
				restNGood: map[string]any{"note": "y", "atsCreatedAt": 1700000000000}},
			bad: restNBad, good: restNGood, paths: "/externalCreatedAt"},
		{name: "rest application note, modified time", method: "PUT", path: restNotes, hdr: rest,
			body: map[string]any{restNBad: map[string]any{"note": "x", "atsLastModifiedAt": 1700000000000},
				restNGood: map[string]any{"note": "y", "atsCreatedAt": 1700000000000}},
			bad: restNBad, good: restNGood, paths: "/atsLastModifiedAt"},
		{name: "v2 application", method: "PUT", path: "/v2/atsApplications?" + appIDs("BAD", "GOOD"),
			body: map[string]any{appKey("BAD"): edited(application("Ann"), func(m map[string]any) { m["stage"] = "Hired" }), appKey("GOOD"): application("Bob")},
			bad:  appKey("BAD"), good: appKey("GOOD"), paths: "/stage"},
		{name: "v2 interview feedback, nested evaluation field", method: "PUT", path: v2AppSub + "/interviewFeedback?ids=BAD&ids=GOOD",
			body: map[string]any{"BAD": map[string]any{"evaluations": []any{map[string]any{"attribute": "a", "result": "r"}, map[string]any{"attribute": "a", "score": 4}}},
				"GOOD": map[string]any{"evaluations": []any{map[string]any{"attribute": "a", "result": "r"}}, "interviewType": "ONSITE", "feedback": "ok"}},
			bad: "BAD", good: "GOOD", paths: "/evaluations/1/score"},
		{name: "v2 stage", method: "PUT", path: v2AppSub + "/stages?ids=BAD&ids=GOOD",
			body: map[string]any{"BAD": map[string]any{"atsCreatedAt": 1, "stage": "Hired", "name": "Hired"}, "GOOD": map[string]any{"atsCreatedAt": 1, "stage": "Hired"}},
			bad:  "BAD", good: "GOOD", paths: "/name"},
		{name: "v2 configuration, nested union member", method: "PUT", path: config,
			body: map[string]any{"CALLBACK_URL": map[string]any{"configurationValue": map[string]any{"str": "https://cb.example.com/x"}}},
			bad:  "CALLBACK_URL", paths: "/configurationValue/str"},
		{name: "v2 partial update", method: "POST", path: "/v2/atsCandidates?" + candIDsN([]string{"C1"}),
			body: map[string]any{candKey("C1"): map[string]any{"patch": map[string]any{"$set": map[string]any{"currentTitle": "Chef", "firstName": "Ann"}, "$delete": []string{"middleName"}}}},
			bad:  candKey("C1"), paths: "/currentTitle, /middleName"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.putApplication(t, "A1")
			e.putCandidates(map[string]map[string]any{"C1": candidate("Ann")}).want(t, 200)
			hdr := append([]string{"X-RestLi-Method: batch_update"}, tc.hdr...)
			if tc.method == "POST" {
				hdr[0] = "X-RestLi-Method: batch_partial_update"
			}
			before := held(e)
			r := e.req(tc.method, tc.path, map[string]any{"entities": tc.body}, hdr...).want(t, 200)
			if d := cmp.Diff(unpermitted(tc.paths), r.get("errors", tc.bad)); d != "" {
				t.Errorf("error (-want +got):\n%s", d)
			}
			if tc.good == "" {
				if d := cmp.Diff(before, held(e)); d != "" {
					t.Errorf("the refused record changed LinkedIn's state (-before +after):\n%s", d)
				}
				return
			}
			if d := cmp.Diff(map[string]any{"status": float64(204)}, r.get("results", tc.good)); d != "" {
				t.Errorf("the good record (-want +got):\n%s", d)
			}
		})
	}
}

// With WithLenientFields the fake takes fields the schema does not have
// and stores them as sent, in records, partial updates and jobs.
func TestLenientFieldsStoreExtensions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rsctest.WithLenientFields())
	c := candidate("Ann")
	c["vendorScore"] = 7
	if r := e.putCandidates(map[string]map[string]any{"C1": c}).want(t, 200); r.get("results", candKey("C1"), "status") != float64(204) {
		t.Fatalf("candidate refused: %s", r.raw)
	}
	e.req("POST", "/v2/atsCandidates?"+candIDsN([]string{"C1"}), map[string]any{"entities": map[string]any{candKey("C1"): map[string]any{
		"patch": map[string]any{"$set": map[string]any{"vendorTier": "gold"}}}}}, "X-RestLi-Method: batch_partial_update").want(t, 200)
	got, _ := e.cust.Candidate("C1")
	if d := cmp.Diff([]any{float64(7), "gold"}, []any{got.Fields["vendorScore"], got.Fields["vendorTier"]}); d != "" {
		t.Errorf("extension fields held (-want +got):\n%s", d)
	}
	j := jobElem("J1", "CREATE")
	j["vendorJobTier"] = "gold"
	if d := cmp.Diff([]any{jobAccepted}, jobAnswers(e.postJobs(j).want(t, 200))); d != "" {
		t.Errorf("job (-want +got):\n%s", d)
	}
}
