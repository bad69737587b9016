package rsc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func testApplication(id string) Application {
	return Application{
		Key:         ApplicationKey{IntegrationContext: org, ApplicationID: id},
		CandidateID: "C1", JobPostingID: "JOBP123", JobPostingName: "Software Engineer",
		CandidateEmail: "john@example.com", FirstName: "john", LastName: "doe",
		Source: "Referral", CreatedAt: 1700000000000, LastModifiedAt: 1700000000001,
	}
}

// Postman "Upsert Applications": every field is sent, even empty ones.
func TestApplicationsUpsertWire(t *testing.T) {
	t.Parallel()
	h := setup(t, okBatch)
	res, err := h.client.Applications.Upsert(t.Context(), []Application{testApplication("APP1")})
	if err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	s := h.only()
	s.check(t, "PUT", "/v2/atsApplications", "ids[0].atsJobApplicationId=APP1&ids[0].dataProvider=ATS&ids[0].integrationContext=urn:li:organization:123", "batch_update")
	checkJSON(t, s.Body, `{"entities":{"atsJobApplicationId=APP1&dataProvider=ATS&integrationContext=urn:li:organization:123":{
		"atsCandidateId":"C1","atsJobPostingId":"JOBP123","atsJobPostingName":"Software Engineer","candidateEmail":"john@example.com",
		"firstName":"john","lastName":"doe","source":"Referral","dispositionReason":"","atsCreatedAt":1700000000000,"atsLastModifiedAt":1700000000001}}}`)
}

// An application linked to no candidate leaves atsCandidateId out, so that
// LinkedIn's full replace stores null, not an empty id; the other empty
// fields are still sent as "" (docs/linkedin-api.md §7.4).
func TestApplicationsUpsertUnlinked(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"", "202604"} {
		t.Run("version="+version, func(t *testing.T) {
			t.Parallel()
			var opts []Option
			if version != "" {
				opts = append(opts, WithVersion(version))
			}
			h := setup(t, okBatch, opts...)
			a := testApplication("APP1")
			a.CandidateID, a.CandidateEmail, a.Source = "", "", ""
			if _, err := h.client.Applications.Upsert(t.Context(), []Application{a}); err != nil {
				t.Fatal(err)
			}
			var body struct {
				Entities map[string]json.RawMessage `json:"entities"`
			}
			if err := json.Unmarshal(h.only().Body, &body); err != nil || len(body.Entities) != 1 {
				t.Fatalf("body: %v %s", err, h.only().Body)
			}
			for _, e := range body.Entities {
				checkJSON(t, e, `{"atsJobPostingId":"JOBP123","atsJobPostingName":"Software Engineer","firstName":"john","lastName":"doe",
					"source":"","dispositionReason":"","atsCreatedAt":1700000000000,"atsLastModifiedAt":1700000000001}`)
			}
		})
	}
}

func TestApplicationValidation(t *testing.T) {
	t.Parallel()
	c, _ := NewClient(WithCredentials("a", "b"))
	checkMutations(t, func() Application { return testApplication("A1") }, c.Applications.Validate, map[string]mutation[Application]{
		"no job id":     {func(a *Application) { a.JobPostingID = "" }, "atsJobPostingId"},
		"no job name":   {func(a *Application) { a.JobPostingName = "" }, "atsJobPostingName"},
		"bad email":     {func(a *Application) { a.CandidateEmail = "x" }, "candidateEmail"},
		"no first name": {func(a *Application) { a.FirstName = "" }, "firstName"},
		"no created":    {func(a *Application) { a.CreatedAt = 0 }, "atsCreatedAt"},
	})
}

func TestApplicationSubresourcesWire(t *testing.T) {
	t.Parallel()
	h := setup(t, okBatch)
	ctx := t.Context()
	app := ApplicationKey{IntegrationContext: org, ApplicationID: "APP1"}
	stages := []Stage{{ID: "STAGE001", Stage: "Phone Screen", CreatedAt: 1700000000000}, {ID: "STAGE002", Stage: "Onsite Interview", CreatedAt: 1700000001000}}
	if res, err := h.client.Applications.UpsertStages(ctx, app, stages); err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	fb := []InterviewFeedback{{ID: "INTFB123", Interviewer: &Actor{FirstName: "Ann", LastName: "Lee"},
		Evaluations: []Evaluation{{Attribute: "Verbal Communication", Result: "4/5"}, {Attribute: "Teamwork"}}, Feedback: "Strong", InterviewType: "ONSITE", CreatedAt: 1700000000000}}
	if res, err := h.client.Applications.UpsertFeedback(ctx, app, fb); err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	if res, err := h.client.Applications.UpsertNotes(ctx, app, []Note{{ID: "APP_NOTE1", Note: "n"}}); err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	if res, err := h.client.Applications.DeleteStages(ctx, app, []string{"STAGE002"}); err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	if res, err := h.client.Applications.Delete(ctx, []ApplicationKey{app}); err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	base := "/v2/atsApplications/atsJobApplicationId=APP1&dataProvider=ATS&integrationContext=urn:li:organization:123"
	r := h.requests()
	r[0].check(t, "PUT", base+"/stages", "ids=STAGE001&ids=STAGE002", "batch_update")
	checkJSON(t, r[0].Body, `{"entities":{"STAGE001":{"stage":"Phone Screen","atsCreatedAt":1700000000000},"STAGE002":{"stage":"Onsite Interview","atsCreatedAt":1700000001000}}}`)
	r[1].check(t, "PUT", base+"/interviewFeedback", "ids=INTFB123", "batch_update")
	checkJSON(t, r[1].Body, `{"entities":{"INTFB123":{"interviewer":{"firstName":"Ann","lastName":"Lee"},"evaluations":[{"attribute":"Verbal Communication","result":"4/5"},{"attribute":"Teamwork"}],"feedback":"Strong","interviewType":"ONSITE","atsCreatedAt":1700000000000}}}`)
	r[2].check(t, "PUT", base+"/notes", "ids=APP_NOTE1", "batch_update")
	r[3].check(t, "DELETE", base+"/stages", "ids=STAGE002", "batch_delete")
	r[4].check(t, "DELETE", "/v2/atsApplications", "ids[0].atsJobApplicationId=APP1&ids[0].dataProvider=ATS&ids[0].integrationContext=urn:li:organization:123", "batch_delete")
}

// On the versioned family, stages and interview feedback are resources of
// their own (applicationStage, applicationInterviewFeedbacks), keyed by
// application, integration context and record id; their fields keep their
// /v2 names, and application notes carry no modified time
// (docs/linkedin-api.md §11).
func TestApplicationSubresourcesVersionedWire(t *testing.T) {
	t.Parallel()
	h := setup(t, okBatch, WithVersion("202604"))
	ctx := t.Context()
	app := ApplicationKey{IntegrationContext: org, ApplicationID: "APP1"}
	if res, err := h.client.Applications.UpsertStages(ctx, app, []Stage{{ID: "STAGE001", Stage: "Phone Screen", CreatedAt: 1700000000000}}); err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	fb := []InterviewFeedback{{ID: "INTFB123", Feedback: "Strong", InterviewType: "ONSITE", CreatedAt: 1700000000000},
		{ID: "INTFB456", Evaluations: []Evaluation{{Attribute: "Verbal Communication", Result: "4/5"}}}}
	if res, err := h.client.Applications.UpsertFeedback(ctx, app, fb); err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	if res, err := h.client.Applications.DeleteStages(ctx, app, []string{"STAGE001"}); err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	if res, err := h.client.Applications.DeleteFeedback(ctx, app, []string{"INTFB123"}); err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	// A versioned application note has no modified time (unlike a
	// candidate note): LastModifiedAt is not sent.
	if res, err := h.client.Applications.UpsertNotes(ctx, app, []Note{{ID: "N1", Note: "n", CreatedAt: 1700000000000, LastModifiedAt: 1700000000001}}); err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	const (
		stage = "(jobApplicationId:APP1,integrationContext:urn%3Ali%3Aorganization%3A123,jobApplicationStageId:STAGE001)"
		fb1   = "(jobApplicationId:APP1,integrationContext:urn%3Ali%3Aorganization%3A123,interviewFeedbackId:INTFB123)"
		fb2   = "(jobApplicationId:APP1,integrationContext:urn%3Ali%3Aorganization%3A123,interviewFeedbackId:INTFB456)"
	)
	r := h.requests()
	if len(r) != 5 {
		t.Fatalf("got %d requests, want 5", len(r))
	}
	r[0].check(t, "PUT", "/rest/applicationStage", "ids=List("+stage+")", "batch_update")
	checkJSON(t, r[0].Body, `{"entities":{"`+stage+`":{"stage":"Phone Screen","atsCreatedAt":1700000000000}}}`)
	r[1].check(t, "PUT", "/rest/applicationInterviewFeedbacks", "ids=List("+fb1+","+fb2+")", "batch_update")
	checkJSON(t, r[1].Body, `{"entities":{"`+fb1+`":{"feedback":"Strong","interviewType":"ONSITE","atsCreatedAt":1700000000000},`+
		`"`+fb2+`":{"evaluations":[{"attribute":"Verbal Communication","result":"4/5"}]}}}`)
	r[2].check(t, "DELETE", "/rest/applicationStage", "ids=List("+stage+")", "batch_delete")
	r[3].check(t, "DELETE", "/rest/applicationInterviewFeedbacks", "ids=List("+fb1+")", "batch_delete")
	note := "(externalJobApplicationId:APP1,externalNoteId:N1,integrationContext:urn%3Ali%3Aorganization%3A123)"
	r[4].check(t, "PUT", "/rest/applicationNotes", "ids=List("+note+")", "batch_update")
	checkJSON(t, r[4].Body, `{"entities":{"`+note+`":{"note":"n","atsCreatedAt":1700000000000}}}`)
	for i, s := range r {
		if got := s.Header.Get("LinkedIn-Version"); got != "202604" {
			t.Errorf("request %d: LinkedIn-Version = %q", i, got)
		}
	}
}

func TestStageRules(t *testing.T) {
	t.Parallel()
	h := setup(t, okBatch)
	app := ApplicationKey{IntegrationContext: org, ApplicationID: "APP1"}
	res, err := h.client.Applications.UpsertStages(t.Context(), app, []Stage{
		{ID: "S1", Stage: "Not Available", CreatedAt: 1700000000000},
		{ID: "S2", Stage: "Hired", CreatedAt: 0},
		{ID: "S3", Stage: "Hired", CreatedAt: 1700000000000},
		{ID: "S3", Stage: "Hired again", CreatedAt: 1700000000000},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Succeeded() != 1 || len(res.Failed()) != 3 {
		t.Fatalf("items = %+v", res.Items)
	}
	if h.only().RawQuery != "ids=S3" {
		t.Errorf("query = %s", h.only().RawQuery)
	}
}

// noteItem is what checkNoteItems compares of a batch item: its key, its
// status and whether it failed.
type noteItem struct {
	Key    NoteKey
	Status int
	Failed bool
}

// checkNoteItems reports a difference between res's items, in order, and
// want.
func checkNoteItems(t *testing.T, res *BatchResult[NoteKey], want []noteItem) {
	t.Helper()
	var got []noteItem
	for _, it := range res.Items {
		got = append(got, noteItem{it.Key, it.Status, it.Err != nil})
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("items (-want +got):\n%s", d)
	}
}

// On /v2, UpsertManyNotes makes one call per application, in the order the
// applications first appear (the same id under another integration
// context is another application); when a call fails, its notes carry the
// error, the error is returned, and the notes not sent keep Status 0.
func TestApplicationsUpsertManyNotesStopsAtAFailedCall(t *testing.T) {
	t.Parallel()
	calls := 0
	h := setup(t, func(w http.ResponseWriter, s seen) {
		if calls++; calls == 2 {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"status":400,"message":"bad request"}`)
			return
		}
		okBatch(w, s)
	})
	a1 := ApplicationKey{IntegrationContext: org, ApplicationID: "A1"}
	other := ApplicationKey{IntegrationContext: "urn:li:organization:999", ApplicationID: "A1"}
	a3 := ApplicationKey{IntegrationContext: org, ApplicationID: "A3"}
	res, err := h.client.Applications.UpsertManyNotes(t.Context(), []ApplicationNote{
		{Application: a1, Note: Note{ID: "N1"}},
		{Application: other, Note: Note{ID: "N1"}},
		{Application: a1, Note: Note{ID: "N2"}},
		{Application: a3, Note: Note{ID: "N1"}},
	})
	if _, ok := errors.AsType[*APIError](err); !ok {
		t.Fatalf("err = %v, want the failed call's *APIError", err)
	}
	checkNoteItems(t, res, []noteItem{{NoteKey{"A1", "N1"}, 204, false}, {NoteKey{"A1", "N1"}, 0, true},
		{NoteKey{"A1", "N2"}, 204, false}, {NoteKey{"A3", "N1"}, 0, false}})
	r := h.requests()
	if len(r) != 2 {
		t.Fatalf("%d calls, want 2 (the third application not reached)", len(r))
	}
	r[0].check(t, "PUT", "/v2/atsApplications/atsJobApplicationId=A1&dataProvider=ATS&integrationContext=urn:li:organization:123/notes", "ids=N1&ids=N2", "batch_update")
	r[1].check(t, "PUT", "/v2/atsApplications/atsJobApplicationId=A1&dataProvider=ATS&integrationContext=urn:li:organization:999/notes", "ids=N1", "batch_update")
}

// UpsertMany{Feedback,Stages} and DeleteMany{Feedback,Stages} send the
// records of several applications in one call on the versioned family,
// whose keys name each record's application (an id may repeat under
// another application), and in one call per application, in the order they
// first appear, on /v2. A record whose application key is invalid is
// refused alone.
func TestManySubWire(t *testing.T) {
	t.Parallel()
	a1 := ApplicationKey{IntegrationContext: org, ApplicationID: "A1"}
	a2 := ApplicationKey{IntegrationContext: org, ApplicationID: "A2"}
	bad := ApplicationKey{IntegrationContext: "urn:li:company:1", ApplicationID: "A3"}
	recs := []struct {
		app      ApplicationKey
		id, text string
	}{{a1, "F1", "a"}, {a2, "F1", "b"}, {bad, "F9", "c"}, {a1, "F2", "d"}}
	for _, tc := range []struct {
		name         string
		write        func(c *Client, del bool) (*BatchResult[NoteKey], error)
		rest, idName string
		body         func(text string) string
		legacy       string
	}{
		{
			name: "feedback",
			write: func(c *Client, del bool) (*BatchResult[NoteKey], error) {
				var fb []ApplicationFeedback
				for _, r := range recs {
					fb = append(fb, ApplicationFeedback{Application: r.app, Feedback: InterviewFeedback{ID: r.id, Feedback: r.text}})
				}
				if del {
					return c.Applications.DeleteManyFeedback(t.Context(), fb[:2])
				}
				return c.Applications.UpsertManyFeedback(t.Context(), fb)
			},
			rest: "/rest/applicationInterviewFeedbacks", idName: "interviewFeedbackId",
			body:   func(text string) string { return `{"feedback":"` + text + `"}` },
			legacy: "interviewFeedback",
		},
		{
			name: "stages",
			write: func(c *Client, del bool) (*BatchResult[NoteKey], error) {
				var st []ApplicationStage
				for _, r := range recs {
					st = append(st, ApplicationStage{Application: r.app, Stage: Stage{ID: r.id, Stage: r.text, CreatedAt: 1700000000000}})
				}
				if del {
					return c.Applications.DeleteManyStages(t.Context(), st[:2])
				}
				return c.Applications.UpsertManyStages(t.Context(), st)
			},
			rest: "/rest/applicationStage", idName: "jobApplicationStageId",
			body:   func(text string) string { return `{"stage":"` + text + `","atsCreatedAt":1700000000000}` },
			legacy: "stages",
		},
	} {
		// writeAll upserts the four records and deletes the first two,
		// checks the upsert's items and returns the requests sent.
		writeAll := func(t *testing.T, opts ...Option) []seen {
			h := setup(t, okBatch, opts...)
			res, err := tc.write(h.client, false)
			if err != nil {
				t.Fatal(err)
			}
			checkNoteItems(t, res, []noteItem{{NoteKey{"A1", "F1"}, 204, false}, {NoteKey{"A2", "F1"}, 204, false},
				{NoteKey{"A3", "F9"}, 0, true}, {NoteKey{"A1", "F2"}, 204, false}})
			if _, err := tc.write(h.client, true); err != nil {
				t.Fatal(err)
			}
			return h.requests()
		}
		t.Run(tc.name+"/versioned", func(t *testing.T) {
			t.Parallel()
			r := writeAll(t, WithVersion("202604"))
			key := func(app, id string) string {
				return "(jobApplicationId:" + app + ",integrationContext:urn%3Ali%3Aorganization%3A123," + tc.idName + ":" + id + ")"
			}
			if len(r) != 2 {
				t.Fatalf("%d calls, want 2", len(r))
			}
			r[0].check(t, "PUT", tc.rest, "ids=List("+key("A1", "F1")+","+key("A2", "F1")+","+key("A1", "F2")+")", "batch_update")
			checkJSON(t, r[0].Body, `{"entities":{"`+key("A1", "F1")+`":`+tc.body("a")+`,"`+key("A2", "F1")+`":`+tc.body("b")+`,"`+key("A1", "F2")+`":`+tc.body("d")+`}}`)
			r[1].check(t, "DELETE", tc.rest, "ids=List("+key("A1", "F1")+","+key("A2", "F1")+")", "batch_delete")
		})
		t.Run(tc.name+"/v2", func(t *testing.T) {
			t.Parallel()
			r := writeAll(t)
			if len(r) != 4 {
				t.Fatalf("%d calls, want 4", len(r))
			}
			base := "/v2/atsApplications/atsJobApplicationId=%s&dataProvider=ATS&integrationContext=urn:li:organization:123/" + tc.legacy
			r[0].check(t, "PUT", fmt.Sprintf(base, "A1"), "ids=F1&ids=F2", "batch_update")
			r[1].check(t, "PUT", fmt.Sprintf(base, "A2"), "ids=F1", "batch_update")
			r[2].check(t, "DELETE", fmt.Sprintf(base, "A1"), "ids=F1", "batch_delete")
			r[3].check(t, "DELETE", fmt.Sprintf(base, "A2"), "ids=F1", "batch_delete")
		})
	}
}
