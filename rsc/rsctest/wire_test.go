package rsctest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/internal/restli"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

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
				"ids=List(a%2541,aA,N%201%2B%25)", []string{"a%41", "aA", "N 1+%"}, 200, []string{"N 1+%", "a%41", "aA"}},
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
