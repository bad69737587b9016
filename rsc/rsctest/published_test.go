package rsctest_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPublishedSamplesAccepted replays the sample requests of LinkedIn's
// learn.microsoft.com pages, byte for byte where the page shows them, and
// requires the fake to accept every record: a request LinkedIn publishes must
// not be refused by the fake (docs/linkedin-api.md §15). TestPostmanCollection
// does the same for the Postman collection.
func TestPublishedSamplesAccepted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.cust.EnableAll()
	e.putApplication(t, "APPL123")
	appPath := "/v2/atsApplications/atsJobApplicationId=APPL123&dataProvider=ATS&integrationContext=" + org
	const app = `{"atsCandidateId":"C1","atsCreatedAt":1484864187000,"atsLastModifiedAt":1484864187000,"atsJobPostingId":"J1",` +
		`"atsJobPostingName":"T","candidateEmail":"a@b.co","firstName":"F","lastName":"L","source":"S","dispositionReason":""}`
	rows := []struct {
		name, method, pathQuery, body string
		hdr                           []string
		keys                          []string // the result keys, each {"status": 204}
	}{
		{
			// https://learn.microsoft.com/en-us/linkedin/talent/middleware-platform/sync-application-stages
			name: "application stages", method: "PUT", pathQuery: appPath + "/stages?ids=APPL_STAGE123&ids=APPL_STAGE456",
			body: `{"entities":{"APPL_STAGE123":{"atsCreatedAt":1484864187000,"stage":"Offer Extended"},` +
				`"APPL_STAGE456":{"atsCreatedAt":1485794842000,"stage":"Offer Accepted"}}}`,
			hdr: []string{"x-restli-method: batch_update"}, keys: []string{"APPL_STAGE123", "APPL_STAGE456"},
		},
		{
			// https://learn.microsoft.com/en-us/linkedin/talent/middleware-platform/sync-application-notes
			name: "application notes", method: "PUT", pathQuery: appPath + "/notes?ids=APPL_NOTE123&ids=APPL_NOTE456",
			body: `{"entities":{"APPL_NOTE123":{"atsCreatedAt":1484864187000,"note":"Lorem Ipsum.","author":{"firstName":"Angela","lastName":"Smith"}},` +
				`"APPL_NOTE456":{"atsCreatedAt":1484864187000,"note":"Lorem Ipsum moreum.","author":{"firstName":"Bobby","lastName":"Hill"}}}}`,
			hdr: []string{"x-restli-method: batch_update"}, keys: []string{"APPL_NOTE123", "APPL_NOTE456"},
		},
		{
			// https://learn.microsoft.com/en-us/linkedin/talent/middleware-platform/sync-application-interview-feedback?view=li-lts-2025-01
			// (its evaluation table marks result optional: the second evaluation has none)
			name: "interview feedback", method: "PUT", pathQuery: appPath + "/interviewFeedback?ids=INTFB123",
			body: `{"entities":{"INTFB123":{"atsCreatedAt":1484864187000,"evaluations":[{"attribute":"Verbal Communication","result":"4/5"},` +
				`{"attribute":"Technical Qualifications"}],"feedback":"Lorem Ipsum.","interviewer":{"firstName":"Angela","lastName":"Smith"}}}}`,
			hdr: []string{"x-restli-method: batch_update"}, keys: []string{"INTFB123"},
		},
		{
			// https://learn.microsoft.com/en-us/linkedin/talent/middleware-platform/sync-applications
			// (versioned views): the 1.0 key form on /rest, as the page writes it
			name: "versioned applications, 1.0 keys", method: "PUT",
			pathQuery: "/rest/atsApplications?ids[0].atsJobApplicationId=A1&ids[0].integrationContext=" + org +
				"&ids[1].atsJobApplicationId=A2&ids[1].integrationContext=" + org,
			body: `{"entities":{"atsJobApplicationId=A1&integrationContext=` + org + `":` + app +
				`,"atsJobApplicationId=A2&integrationContext=` + org + `":` + app + `}}`,
			hdr:  []string{"x-restli-method: batch_update", "LinkedIn-Version: 202601", "X-Restli-Protocol-Version: 2.0.0"},
			keys: []string{"atsJobApplicationId=A1&integrationContext=urn%3Ali%3Aorganization%3A1000", "atsJobApplicationId=A2&integrationContext=urn%3Ali%3Aorganization%3A1000"},
		},
		{
			// https://learn.microsoft.com/en-us/linkedin/talent/recruiter-system-connect/rsc-data-deletion
			// (Authorization is the only header the page lists)
			name: "delete candidates", method: "DELETE",
			pathQuery: "/v2/atsCandidates?ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS&ids[0].integrationContext=" + org +
				"&ids[1].atsCandidateId=C2&ids[1].dataProvider=ATS&ids[1].integrationContext=" + org,
			keys: []string{"atsCandidateId=C1&dataProvider=ATS&integrationContext=urn%3Ali%3Aorganization%3A1000",
				"atsCandidateId=C2&dataProvider=ATS&integrationContext=urn%3Ali%3Aorganization%3A1000"},
		},
	}
	for _, row := range rows {
		var body any
		if row.body != "" {
			body = row.body
		}
		r := e.req(row.method, row.pathQuery, body, row.hdr...).want(t, 200)
		want := map[string]any{}
		for _, k := range row.keys {
			want[k] = map[string]any{"status": float64(204)}
		}
		if d := cmp.Diff(map[string]any{"results": want, "errors": map[string]any{}}, r.body); d != "" {
			t.Errorf("%s (-want +got):\n%s", row.name, d)
		}
	}
}
