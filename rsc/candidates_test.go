package rsc

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/internal/restli"
)

const org = "urn:li:organization:123"

func testCandidate(id string) Candidate {
	return Candidate{
		Key:       CandidateKey{IntegrationContext: org, CandidateID: id},
		FirstName: "john", LastName: "doe", MiddleInitial: "L", Prefix: "Mr", Suffix: "Jr",
		EmailAddresses:     []string{"john@example.com"},
		PhoneNumbers:       []PhoneNumber{{Number: "555-555-5555", Extension: "1234"}},
		Addresses:          []Address{{Line1: "31 Spooner St", City: "Quahog", GeographicArea: "RI", GeographicAreaType: "STATE", PostalCode: "02802", Country: "us"}},
		CurrentCompanyName: "Pawtucket Brewery", CurrentJobTitle: "Safety Inspector",
		ExternalProfileURL: "https://ats.example.com/c/" + id,
		CreatedAt:          1700000000000, LastModifiedAt: 1700000000000,
	}
}

// testCandidates returns n valid candidates C000, C001, ...
func testCandidates(n int) []Candidate {
	cands := make([]Candidate, n)
	for i := range cands {
		cands[i] = testCandidate(fmt.Sprintf("C%03d", i))
	}
	return cands
}

// The Postman form of "Upsert Candidates" (docs/linkedin-api.md §7.2).
func TestCandidatesUpsertWire(t *testing.T) {
	t.Parallel()
	h := setup(t, okBatch)
	res, err := h.client.Candidates.Upsert(t.Context(), []Candidate{testCandidate("C1"), testCandidate("C2")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Succeeded() != 2 || res.Err() != nil {
		t.Fatalf("succeeded %d, err %v", res.Succeeded(), res.Err())
	}
	s := h.only()
	s.check(t, "PUT", "/v2/atsCandidates",
		"ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS&ids[0].integrationContext=urn:li:organization:123"+
			"&ids[1].atsCandidateId=C2&ids[1].dataProvider=ATS&ids[1].integrationContext=urn:li:organization:123", "batch_update")
	if ct := s.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	entity := `{"addresses":[{"line1":"31 Spooner St","city":"Quahog","geographicArea":"RI","geographicAreaType":"STATE","postalCode":"02802","country":"us"}],
		"atsCreatedAt":1700000000000,"atsLastModifiedAt":1700000000000,"currentCompanyName":"Pawtucket Brewery","currentJobTitle":"Safety Inspector",
		"emailAddresses":["john@example.com"],"externalProfileUrl":"https://ats.example.com/c/%s","firstName":"john","lastName":"doe",
		"middleInitial":"L","phoneNumbers":[{"number":"555-555-5555","extension":"1234"}],"prefix":"Mr","suffix":"Jr"}`
	checkJSON(t, s.Body, `{"entities":{`+
		`"atsCandidateId=C1&dataProvider=ATS&integrationContext=urn:li:organization:123":`+fmt.Sprintf(entity, "C1")+`,`+
		`"atsCandidateId=C2&dataProvider=ATS&integrationContext=urn:li:organization:123":`+fmt.Sprintf(entity, "C2")+`}}`)
}

// A malformed record in a batch of 100 yields one
// per-record error and 99 sent records.
func TestCandidatesUpsertOneBadOf100(t *testing.T) {
	t.Parallel()
	h := setup(t, okBatch)
	cands := testCandidates(100)
	cands[42].EmailAddresses = []string{"not-an-email"}
	res, err := h.client.Candidates.Upsert(t.Context(), cands)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Succeeded(); got != 99 {
		t.Errorf("succeeded = %d, want 99", got)
	}
	failed := res.Failed()
	if len(failed) != 1 || failed[0].Key.CandidateID != "C042" {
		t.Fatalf("failed = %+v", failed)
	}
	var ve *ValidationError
	if !errors.As(failed[0].Err, &ve) || ve.Field != "emailAddresses[0]" || ve.Key != "C042" || !strings.Contains(ve.Rule, "X@X.X") {
		t.Errorf("error = %v", failed[0].Err)
	}
	var be *BatchError
	if !errors.As(res.Err(), &be) || len(be.Errs) != 1 {
		t.Errorf("res.Err() = %v", res.Err())
	}
	s := h.only()
	q, err := restli.ParseQuery(s.RawQuery)
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Keys) != 99 {
		t.Errorf("sent %d keys, want 99", len(q.Keys))
	}
	for _, k := range q.Keys {
		if id, _ := k.Get("atsCandidateId"); id == "C042" {
			t.Error("the invalid record was sent")
		}
	}
	if !s.Tunnelled {
		t.Error("a 99-key query is over 4,000 characters and must be tunnelled")
	}
}

func TestCandidatesUpsertSplitsInOrder(t *testing.T) {
	t.Parallel()
	h := setup(t, okBatch)
	cands := testCandidates(250)
	res, err := h.client.Candidates.Upsert(t.Context(), cands)
	if err != nil || res.Succeeded() != 250 {
		t.Fatalf("succeeded %d, err %v", res.Succeeded(), err)
	}
	reqs := h.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d calls, want 3", len(reqs))
	}
	next := 0
	for i, r := range reqs {
		q, _ := restli.ParseQuery(r.RawQuery)
		if want := []int{100, 100, 50}[i]; len(q.Keys) != want {
			t.Errorf("call %d has %d keys, want %d", i, len(q.Keys), want)
		}
		for _, k := range q.Keys {
			id, _ := k.Get("atsCandidateId")
			if id != fmt.Sprintf("C%03d", next) {
				t.Fatalf("call %d: key %s out of order, want C%03d", i, id, next)
			}
			next++
		}
	}
}

func TestCandidatesUpsertEntityErrors(t *testing.T) {
	t.Parallel()
	h := setup(t, func(w http.ResponseWriter, s seen) {
		fmt.Fprint(w, `{"results":{"atsCandidateId=C1&dataProvider=ATS&integrationContext=urn:li:organization:123":{"status":204}},
			"errors":{"integrationContext=urn:li:organization:123&atsCandidateId=C2&dataProvider=ATS":{"status":422,"message":"ERROR :: /firstName :: too short","serviceErrorCode":422}}}`)
	})
	res, err := h.client.Candidates.Upsert(t.Context(), []Candidate{testCandidate("C1"), testCandidate("C2")})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Items[0].OK() || res.Items[0].Status != 204 {
		t.Errorf("C1 = %+v", res.Items[0])
	}
	var ee *EntityError
	if !errors.As(res.Items[1].Err, &ee) || ee.Status != 422 || ee.Key != "C2" || !strings.Contains(ee.Message, "/firstName") {
		t.Errorf("C2 = %+v", res.Items[1])
	}
}

func TestCandidateValidationRules(t *testing.T) {
	t.Parallel()
	c, _ := NewClient(WithCredentials("a", "b"))
	checkMutations(t, func() Candidate { return testCandidate("C1") }, c.Candidates.Validate, map[string]mutation[Candidate]{
		"empty firstName":        {func(c *Candidate) { c.FirstName = "" }, "firstName"},
		"bad email":              {func(c *Candidate) { c.EmailAddresses = []string{"ok@x.io", "a@b"} }, "emailAddresses[1]"},
		"created zero":           {func(c *Candidate) { c.CreatedAt = 0 }, "atsCreatedAt"},
		"created seconds":        {func(c *Candidate) { c.CreatedAt, c.LastModifiedAt = 1700000000, 1700000000 }, "atsCreatedAt"},
		"modified before create": {func(c *Candidate) { c.LastModifiedAt = c.CreatedAt - 1 }, "atsLastModifiedAt"},
		"no profile url":         {func(c *Candidate) { c.ExternalProfileURL = "" }, "externalProfileUrl"},
		"relative profile url":   {func(c *Candidate) { c.ExternalProfileURL = "/c/1" }, "externalProfileUrl"},
		"invalid utf8":           {func(c *Candidate) { c.LastName = "d\xffe" }, "lastName"},
		"control char":           {func(c *Candidate) { c.FirstName = "jo\x00hn" }, "firstName"},
		"huge string":            {func(c *Candidate) { c.CurrentJobTitle = strings.Repeat("x", maxTextLen+1) }, "currentJobTitle"},
		"no id":                  {func(c *Candidate) { c.Key.CandidateID = "" }, "atsCandidateId"},
		"bad context":            {func(c *Candidate) { c.Key.IntegrationContext = "123" }, "integrationContext"},
		"bad area type":          {func(c *Candidate) { c.Addresses[0].GeographicAreaType = "COUNTY" }, "addresses[0].geographicAreaType"},

		// LinkedIn documents no "not in the future" for a candidate's
		// timestamps (docs/linkedin-api.md §7.2): a record ahead of the
		// clock is valid.
		"future": {func(c *Candidate) { c.LastModifiedAt = 99999999999999 }, ""},
		// firstName's rule is "min length 1": a space is a character.
		"spaces firstName": {func(c *Candidate) { c.FirstName = " " }, ""},
		// LinkedIn documents no length for currentJobTitle: only our
		// guard on any text (the "huge string" row) limits it.
		"long title": {func(c *Candidate) { c.CurrentJobTitle = strings.Repeat("x", 300) }, ""},
	})
	ok := testCandidate("C1")
	wantField(t, "valid", c.Candidates.Validate(&ok), "")
}

func TestCandidatesEmptyListsSentAsArrays(t *testing.T) {
	t.Parallel()
	h := setup(t, okBatch)
	cand := testCandidate("C1")
	cand.PhoneNumbers, cand.Addresses = nil, nil
	if _, err := h.client.Candidates.Upsert(t.Context(), []Candidate{cand}); err != nil {
		t.Fatal(err)
	}
	body := string(h.only().Body)
	if !strings.Contains(body, `"phoneNumbers":[]`) || !strings.Contains(body, `"addresses":[]`) {
		t.Errorf("body = %s", body)
	}
	if cand.PhoneNumbers != nil {
		t.Error("Upsert modified the caller's record")
	}
}

// Postman "Retrieve candidate matches" and "Attach Person URN".
func TestCandidatesGetAndAttach(t *testing.T) {
	t.Parallel()
	h := setup(t, func(w http.ResponseWriter, s seen) {
		if s.Method == "GET" {
			fmt.Fprint(w, `{"results":{"atsCandidateId=C1&dataProvider=ATS&integrationContext=urn:li:organization:123":
				{"firstName":"john","atsCreatedAt":1700000000000,"matchedMembers":["urn:li:person:abc"]}},"statuses":{},"errors":{}}`)
			return
		}
		okBatch(w, s)
	})
	key := CandidateKey{IntegrationContext: org, CandidateID: "C1"}
	got, err := h.client.Candidates.Get(t.Context(), []CandidateKey{key}, "matchedMembers", "manualMatchedMember")
	if err != nil {
		t.Fatal(err)
	}
	if rec := got[key]; rec == nil || rec.Person() != "urn:li:person:abc" || rec.FirstName != "john" {
		t.Fatalf("got %+v", got)
	}
	h.requests()[0].check(t, "GET", "/v2/atsCandidates",
		"ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS&ids[0].integrationContext=urn:li:organization:123&fields=matchedMembers,manualMatchedMember", "")

	res, err := h.client.Candidates.AttachPerson(t.Context(), []PersonLink{{Key: key, Person: "urn:li:person:abc"}})
	if err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	s := h.requests()[1]
	s.check(t, "POST", "/v2/atsCandidates", "ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS&ids[0].integrationContext=urn:li:organization:123", "batch_partial_update")
	checkJSON(t, s.Body, `{"entities":{"atsCandidateId=C1&dataProvider=ATS&integrationContext=urn:li:organization:123":{"patch":{"$set":{"manualMatchedMember":"urn:li:person:abc"}}}}}`)
}

func TestCandidatesDeleteAndNotes(t *testing.T) {
	t.Parallel()
	h := setup(t, okBatch)
	key := CandidateKey{IntegrationContext: org, CandidateID: "C1"}
	notes := []Note{{ID: "CAND_NOTE123", Note: "Great culture fit", Author: &Actor{FirstName: "Angela", LastName: "Smith"}, CreatedAt: 1700000000000}}
	if res, err := h.client.Candidates.UpsertNotes(t.Context(), key, notes); err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	if res, err := h.client.Candidates.DeleteNotes(t.Context(), key, []string{"CAND_NOTE123", "CAND_NOTE456"}); err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	if res, err := h.client.Candidates.Delete(t.Context(), []CandidateKey{key}); err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	r := h.requests()
	notesPath := "/v2/atsCandidates/atsCandidateId=C1&dataProvider=ATS&integrationContext=urn:li:organization:123/notes"
	r[0].check(t, "PUT", notesPath, "ids=CAND_NOTE123", "batch_update")
	checkJSON(t, r[0].Body, `{"entities":{"CAND_NOTE123":{"atsCreatedAt":1700000000000,"note":"Great culture fit","author":{"firstName":"Angela","lastName":"Smith"}}}}`)
	r[1].check(t, "DELETE", notesPath, "ids=CAND_NOTE123&ids=CAND_NOTE456", "batch_delete")
	if len(r[1].Body) != 0 {
		t.Errorf("delete body = %s", r[1].Body)
	}
	r[2].check(t, "DELETE", "/v2/atsCandidates", "ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS&ids[0].integrationContext=urn:li:organization:123", "batch_delete")
}

// The versioned family renames the resource, key and timestamp fields and
// uses Rest.li 2.0 keys.
func TestCandidatesVersioned(t *testing.T) {
	t.Parallel()
	h := setup(t, func(w http.ResponseWriter, s seen) {
		fmt.Fprint(w, `{"results":{"(externalCandidateId:C1,integrationContext:urn%3Ali%3Aorganization%3A123)":{"status":204}},"errors":{}}`)
	}, WithVersion("202604"))
	cand := testCandidate("C1")
	res, err := h.client.Candidates.Upsert(t.Context(), []Candidate{cand})
	if err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	s := h.only()
	s.check(t, "PUT", "/rest/candidates", "ids=List((externalCandidateId:C1,integrationContext:urn%3Ali%3Aorganization%3A123))", "batch_update")
	if s.Header.Get("LinkedIn-Version") != "202604" || s.Header.Get("X-RestLi-Protocol-Version") != "2.0.0" {
		t.Errorf("headers = %v", s.Header)
	}
	body := string(s.Body)
	if !strings.Contains(body, `"(externalCandidateId:C1,integrationContext:urn%3Ali%3Aorganization%3A123)":{`) ||
		!strings.Contains(body, `"externalCreatedAt":1700000000000`) || strings.Contains(body, `"atsCreatedAt"`) {
		t.Errorf("body = %s", body)
	}
}

// A Rest.li 1.0 server may spell the keys of its answer as Java's
// URLEncoder does: a space as '+', a plus as %2B, every reserved character
// escaped. Each record still gets its own status.
func TestBatchResponseKeysURLEncoded(t *testing.T) {
	t.Parallel()
	h := setup(t, func(w http.ResponseWriter, s seen) {
		io.WriteString(w, `{"results":{`+
			`"atsCandidateId=C+1&dataProvider=ATS&integrationContext=urn%3Ali%3Aorganization%3A123":{"status":204},`+
			`"atsCandidateId=C%2B1&dataProvider=ATS&integrationContext=urn%3Ali%3Aorganization%3A123":{"status":201}},"errors":{}}`)
	})
	spaced := testCandidate("C 1")
	spaced.ExternalProfileURL = "https://ats.example.com/c/C%201"
	res, err := h.client.Candidates.Upsert(t.Context(), []Candidate{spaced, testCandidate("C+1")})
	if err != nil {
		t.Fatal(err)
	}
	got := []int{res.Items[0].Status, res.Items[1].Status}
	if d := cmp.Diff([]int{204, 201}, got); d != "" || res.Err() != nil {
		t.Errorf("statuses (-want +got):\n%s\nerr: %v", d, res.Err())
	}
}

// A response whose map key nests a few megabytes deep (a hostile or broken
// server) neither crashes the client nor matches a record.
func TestBatchResponseDeeplyNestedKey(t *testing.T) {
	t.Parallel()
	deep := "(atsCandidateId:" + strings.Repeat("List(", 1<<19) + "C1" + strings.Repeat(")", 1<<19+1)
	h := setup(t, func(w http.ResponseWriter, s seen) {
		io.WriteString(w, `{"results":{"`+deep+`":{"status":204}},"errors":{}}`)
	})
	res, err := h.client.Candidates.Upsert(t.Context(), []Candidate{testCandidate("C1")})
	if err != nil {
		t.Fatal(err)
	}
	var ee *EntityError
	if !errors.As(res.Items[0].Err, &ee) || ee.Message != "LinkedIn returned no status for this record" {
		t.Errorf("item = %+v, want no status", res.Items[0])
	}
}

// On the versioned family, notes of different candidates go in one
// batch_update of candidateNotes whose keys name each note's candidate; a
// note id may repeat under another candidate, and a candidate id under
// another integration context is another candidate.
func TestUpsertManyNotesVersionedWire(t *testing.T) {
	t.Parallel()
	h := setup(t, okBatch, WithVersion("202604"))
	res, err := h.client.Candidates.UpsertManyNotes(t.Context(), []CandidateNote{
		{Candidate: CandidateKey{IntegrationContext: org, CandidateID: "C1"}, Note: Note{ID: "N1", Note: "a"}},
		{Candidate: CandidateKey{IntegrationContext: org, CandidateID: "C2"}, Note: Note{ID: "N1", Note: "b", LastModifiedAt: 1700000000000}},
		{Candidate: CandidateKey{IntegrationContext: "urn:li:organization:999", CandidateID: "C1"}, Note: Note{ID: "N1", Note: "c"}},
	})
	if err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	s := h.only()
	s.check(t, "PUT", "/rest/candidateNotes", "ids=List("+
		"(externalCandidateId:C1,externalNoteId:N1,integrationContext:urn%3Ali%3Aorganization%3A123),"+
		"(externalCandidateId:C2,externalNoteId:N1,integrationContext:urn%3Ali%3Aorganization%3A123),"+
		"(externalCandidateId:C1,externalNoteId:N1,integrationContext:urn%3Ali%3Aorganization%3A999))", "batch_update")
	checkJSON(t, s.Body, `{"entities":{`+
		`"(externalCandidateId:C1,externalNoteId:N1,integrationContext:urn%3Ali%3Aorganization%3A123)":{"note":"a"},`+
		`"(externalCandidateId:C2,externalNoteId:N1,integrationContext:urn%3Ali%3Aorganization%3A123)":{"note":"b","externalLastModifiedAt":1700000000000},`+
		`"(externalCandidateId:C1,externalNoteId:N1,integrationContext:urn%3Ali%3Aorganization%3A999)":{"note":"c"}}}`)
}

// A 2xx answer that does not account for each record (a gateway's {}, a
// null, a 200 with no body) confirms nothing: the call fails and no record
// counts as stored. Only a 204 No Content with no body speaks for all. A
// record whose entry carries no status, or a status outside 2xx, is refused
// with an EntityError.
func TestBatchResponseWithoutPerRecordStatus(t *testing.T) {
	t.Parallel()
	const wantMsg = "rsc: PUT /atsCandidates: HTTP 200 answer holds no per-record results or errors; LinkedIn did not confirm any record"
	for _, tc := range []struct {
		name, body string
		status     int
		wantErr    string
		want       []int // each record's Status
		wantFailed int
	}{
		{name: "empty object", status: 200, body: `{}`, wantErr: wantMsg, want: []int{0, 0}, wantFailed: 2},
		{name: "null", status: 200, body: `null`, wantErr: wantMsg, want: []int{0, 0}, wantFailed: 2},
		{name: "other document", status: 200, body: `{"status":"ok","elements":[]}`, wantErr: wantMsg, want: []int{0, 0}, wantFailed: 2},
		{name: "maps null", status: 200, body: `{"results":null,"errors":null}`, wantErr: wantMsg, want: []int{0, 0}, wantFailed: 2},
		{name: "200 without body", status: 200, body: ``, wantErr: wantMsg, want: []int{0, 0}, wantFailed: 2},
		{name: "204 without body", status: 204, body: ``, want: []int{204, 204}},
		{name: "entry without status", status: 200,
			body: `{"results":{"atsCandidateId=C1&dataProvider=ATS&integrationContext=urn:li:organization:123":{},` +
				`"atsCandidateId=C2&dataProvider=ATS&integrationContext=urn:li:organization:123":{"status":204}}}`,
			want: []int{0, 204}, wantFailed: 1},
		{name: "status outside 2xx in results", status: 200,
			body: `{"results":{"atsCandidateId=C1&dataProvider=ATS&integrationContext=urn:li:organization:123":{"status":302},` +
				`"atsCandidateId=C2&dataProvider=ATS&integrationContext=urn:li:organization:123":{"status":500}}}`,
			want: []int{302, 500}, wantFailed: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, func(w http.ResponseWriter, s seen) { reply(w, tc.status, tc.body) })
			res, err := h.client.Candidates.Upsert(t.Context(), []Candidate{testCandidate("C1"), testCandidate("C2")})
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tc.wantErr {
				t.Fatalf("err = %q, want %q", gotErr, tc.wantErr)
			}
			got := []int{res.Items[0].Status, res.Items[1].Status}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("statuses (-want +got):\n%s", d)
			}
			if n := len(res.Failed()); n != tc.wantFailed || res.Succeeded() != 2-tc.wantFailed {
				t.Errorf("failed %d, succeeded %d; want %d failed", n, res.Succeeded(), tc.wantFailed)
			}
			if tc.name == "entry without status" {
				var ee *EntityError
				if !errors.As(res.Items[0].Err, &ee) || ee.Message != "LinkedIn returned no status for this record" || ee.Key != "C1" {
					t.Errorf("item 0 = %+v, want EntityError no status for C1", res.Items[0])
				}
			}
		})
	}
}

// A candidate's key travels in the path of its notes: an id of 440 CJK
// characters (4 KB percent-encoded, within LinkedIn's 4 KB path segment)
// and 97 note ids (3.98 KB of query, under the 4,000 bytes that tunnel a
// query alone) would make a URL over LinkedIn's 8 KB (docs/linkedin-api.md
// §2.2), so the query is tunnelled; one note's query fits beside the path
// and is sent as it is.
func TestLongPathTunnelsItsQuery(t *testing.T) {
	t.Parallel()
	cand := CandidateKey{IntegrationContext: org, CandidateID: strings.Repeat("候", 440)}
	for _, tc := range []struct {
		notes     int
		tunnelled bool
	}{{97, true}, {1, false}} {
		t.Run(fmt.Sprint(tc.notes, " notes"), func(t *testing.T) {
			t.Parallel()
			h := setup(t, okBatch)
			var notes []Note
			for i := range tc.notes {
				notes = append(notes, Note{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Note: "n"})
			}
			res, err := h.client.Candidates.UpsertNotes(t.Context(), cand, notes)
			if err != nil || res.Err() != nil {
				t.Fatal(err, res.Err())
			}
			s := h.only()
			if s.Tunnelled != tc.tunnelled || len(s.RawQuery) > restli.MaxQueryLength {
				t.Errorf("path %d bytes, query %d: tunnelled %v, want %v", len(s.Path), len(s.RawQuery), s.Tunnelled, tc.tunnelled)
			}
			if !tc.tunnelled && len(testBasePath)+len(s.Path)+1+len(s.RawQuery) > restli.MaxURLLength {
				t.Errorf("a URL of %d bytes was sent as it is", len(s.Path)+1+len(s.RawQuery))
			}
		})
	}
}
