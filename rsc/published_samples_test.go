package rsc

import (
	"context"
	"fmt"
	"net/http"
	"testing"
)

// TestPublishedSampleRequests sends, through the client, the records of the
// sample requests on LinkedIn's learn.microsoft.com pages and compares what
// goes on the wire with the page: method, path, query, X-RestLi-Method and
// body (docs/linkedin-api.md §3.2, §3.3). The Postman collection's forms are
// pinned by the per-resource wire tests; this table holds the pages' own.
//
// Where a page shows a placeholder ({id1}, {organization URN}), the row uses
// a concrete value in its place. The only differences from the pages are
// legitimate encodings: JSON member order, and headers the pages leave out
// (Content-Type, and X-RestLi-Method on the deletion page's DELETEs, which a
// Rest.li router infers from the verb and the ids).
func TestPublishedSampleRequests(t *testing.T) {
	t.Parallel()
	const sampleOrg = "urn:li:organization:2414183" // the organization of LinkedIn's samples
	app := ApplicationKey{IntegrationContext: sampleOrg, ApplicationID: "APPL123"}
	appPath := "/v2/atsApplications/atsJobApplicationId=APPL123&dataProvider=ATS&integrationContext=" + sampleOrg
	cand := CandidateKey{IntegrationContext: sampleOrg, CandidateID: "CAND123"}

	rows := []struct {
		name         string
		call         func(ctx context.Context, c *Client) error
		method, path string
		query        string
		restliMethod string
		body         string // "" for none
	}{
		{
			// https://learn.microsoft.com/en-us/linkedin/talent/middleware-platform/sync-application-stages
			name: "application stages",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.Applications.UpsertStages(ctx, app, []Stage{
					{ID: "APPL_STAGE123", Stage: "Offer Extended", CreatedAt: 1484864187000},
					{ID: "APPL_STAGE456", Stage: "Offer Accepted", CreatedAt: 1485794842000},
				})
				return err
			},
			method: "PUT", path: appPath + "/stages", query: "ids=APPL_STAGE123&ids=APPL_STAGE456", restliMethod: "batch_update",
			body: `{"entities":{
				"APPL_STAGE123":{"atsCreatedAt":1484864187000,"stage":"Offer Extended"},
				"APPL_STAGE456":{"atsCreatedAt":1485794842000,"stage":"Offer Accepted"}}}`,
		},
		{
			// https://learn.microsoft.com/en-us/linkedin/talent/middleware-platform/sync-application-notes
			name: "application notes",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.Applications.UpsertNotes(ctx, app, []Note{
					{ID: "APPL_NOTE123", CreatedAt: 1484864187000, Note: "Lorem Ipsum.", Author: &Actor{FirstName: "Angela", LastName: "Smith"}},
					{ID: "APPL_NOTE456", CreatedAt: 1484864187000, Note: "Lorem Ipsum moreum.", Author: &Actor{FirstName: "Bobby", LastName: "Hill"}},
				})
				return err
			},
			method: "PUT", path: appPath + "/notes", query: "ids=APPL_NOTE123&ids=APPL_NOTE456", restliMethod: "batch_update",
			body: `{"entities":{
				"APPL_NOTE123":{"atsCreatedAt":1484864187000,"note":"Lorem Ipsum.","author":{"firstName":"Angela","lastName":"Smith"}},
				"APPL_NOTE456":{"atsCreatedAt":1484864187000,"note":"Lorem Ipsum moreum.","author":{"firstName":"Bobby","lastName":"Hill"}}}}`,
		},
		{
			// https://learn.microsoft.com/en-us/linkedin/talent/middleware-platform/sync-candidate-notes
			// (the path names urn:li:organization:2414183; the first note of the sample body)
			name: "candidate notes",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.Candidates.UpsertNotes(ctx, cand, []Note{
					{ID: "CAND_NOTE123", CreatedAt: 1484864187000, Note: "Lorem Ipsum.", Author: &Actor{FirstName: "Angela", LastName: "Smith"}},
				})
				return err
			},
			method: "PUT", path: "/v2/atsCandidates/atsCandidateId=CAND123&dataProvider=ATS&integrationContext=" + sampleOrg + "/notes",
			query: "ids=CAND_NOTE123", restliMethod: "batch_update",
			body: `{"entities":{"CAND_NOTE123":{"atsCreatedAt":1484864187000,"note":"Lorem Ipsum.","author":{"firstName":"Angela","lastName":"Smith"}}}}`,
		},
		{
			// https://learn.microsoft.com/en-us/linkedin/talent/middleware-platform/sync-application-interview-feedback?view=li-lts-2025-01
			// (the stored copy of the sample stops inside "interviewer"; its names here are ours)
			name: "interview feedback",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.Applications.UpsertFeedback(ctx, app, []InterviewFeedback{{
					ID: "INTFB123", CreatedAt: 1484864187000, Feedback: "Lorem Ipsum.",
					Evaluations: []Evaluation{{Attribute: "Verbal Communication", Result: "4/5"}},
					Interviewer: &Actor{FirstName: "Angela", LastName: "Smith"},
				}})
				return err
			},
			method: "PUT", path: appPath + "/interviewFeedback", query: "ids=INTFB123", restliMethod: "batch_update",
			body: `{"entities":{"INTFB123":{"atsCreatedAt":1484864187000,"evaluations":[{"attribute":"Verbal Communication","result":"4/5"}],
				"feedback":"Lorem Ipsum.","interviewer":{"firstName":"Angela","lastName":"Smith"}}}}`,
		},
		{
			// https://learn.microsoft.com/en-us/linkedin/talent/middleware-platform/sync-candidates
			// (the endpoint line: two candidates, ids[i].atsCandidateId, dataProvider, integrationContext)
			name: "candidates upsert (query)",
			call: func(ctx context.Context, c *Client) error {
				a, b := testCandidate("C1"), testCandidate("C2")
				a.Key.IntegrationContext, b.Key.IntegrationContext = sampleOrg, sampleOrg
				_, err := c.Candidates.Upsert(ctx, []Candidate{a, b})
				return err
			},
			method: "PUT", path: "/v2/atsCandidates", restliMethod: "batch_update",
			query: "ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS&ids[0].integrationContext=" + sampleOrg +
				"&ids[1].atsCandidateId=C2&ids[1].dataProvider=ATS&ids[1].integrationContext=" + sampleOrg,
		},
		{
			// https://learn.microsoft.com/en-us/linkedin/talent/middleware-platform/sync-applications
			name: "applications upsert (query)",
			call: func(ctx context.Context, c *Client) error {
				mk := func(id string) Application {
					return Application{Key: ApplicationKey{IntegrationContext: sampleOrg, ApplicationID: id}, JobPostingID: "J1", JobPostingName: "T",
						FirstName: "F", CreatedAt: 1484864187000, LastModifiedAt: 1484864187000}
				}
				_, err := c.Applications.Upsert(ctx, []Application{mk("A1"), mk("A2")})
				return err
			},
			method: "PUT", path: "/v2/atsApplications", restliMethod: "batch_update",
			query: "ids[0].atsJobApplicationId=A1&ids[0].dataProvider=ATS&ids[0].integrationContext=" + sampleOrg +
				"&ids[1].atsJobApplicationId=A2&ids[1].dataProvider=ATS&ids[1].integrationContext=" + sampleOrg,
		},
		{
			// https://learn.microsoft.com/en-us/linkedin/talent/recruiter-system-connect/rsc-data-deletion
			// (the page lists only Authorization among the headers; the client
			// also names the method, which Rest.li infers from DELETE and ids)
			name: "delete candidates",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.Candidates.Delete(ctx, []CandidateKey{{IntegrationContext: sampleOrg, CandidateID: "C1"}, {IntegrationContext: sampleOrg, CandidateID: "C2"}})
				return err
			},
			method: "DELETE", path: "/v2/atsCandidates", restliMethod: "batch_delete",
			query: "ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS&ids[0].integrationContext=" + sampleOrg +
				"&ids[1].atsCandidateId=C2&ids[1].dataProvider=ATS&ids[1].integrationContext=" + sampleOrg,
		},
		{
			// https://learn.microsoft.com/en-us/linkedin/talent/job-postings/api/check-job-taskstatus
			name: "job task status",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.Jobs.Tasks(ctx, []string{"urn:li:simpleJobPostingTask:1", "urn:li:simpleJobPostingTask:2"})
				return err
			},
			method: "GET", path: "/v2/simpleJobPostingTasks", query: "ids=urn:li:simpleJobPostingTask:1&ids=urn:li:simpleJobPostingTask:2",
		},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, func(w http.ResponseWriter, s seen) {
				if s.Method == "GET" {
					fmt.Fprint(w, `{"results":{},"statuses":{},"errors":{}}`)
					return
				}
				okBatch(w, s)
			})
			if err := row.call(t.Context(), h.client); err != nil {
				t.Fatal(err)
			}
			s := h.only()
			s.check(t, row.method, row.path, row.query, row.restliMethod)
			if row.body != "" {
				checkJSON(t, s.Body, row.body)
			}
		})
	}
}
