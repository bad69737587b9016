package rsctest_test

import (
	"net/url"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// aclQuery is the 1.0 ids query of one ACL of the customer's organization.
func aclQuery(aclID, entityID string) string {
	e := url.PathEscape
	return "?ids[0].atsEntityAclId=" + e(aclID) + "&ids[0].dataProvider=ATS&ids[0].integrationContext=" + org +
		"&ids[0].atsEntityId=" + e(entityID) + "&ids[0].atsEntityType=JOB_POSTING"
}

// aclBodyKey is a 1.0 ACL key of a batch body with the given spelling of
// its id fields.
func aclBodyKey(aclID, entityID string) string {
	return "atsEntityAclId=" + aclID + "&dataProvider=ATS&integrationContext=" + org +
		"&atsEntityId=" + entityID + "&atsEntityType=JOB_POSTING"
}

// Under Rest.li 1.0 (/v2) a compound key of a batch body is parsed as a URI
// query, UriComponent.decodeQuery(URI.create("?" + key), true)
// (docs/linkedin-api.md §3.2): a byte java.net.URI refuses there makes
// Rest.li answer 400 "Invalid key: '<key>'", a '#' cuts the key, and %XX
// escapes are decoded before the key is matched against the query's ids.
func TestFakeV1BodyKeyParsedAsURIQuery(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		aclID, raw string // the id, and its spelling in the body key
		status     int
		invalidKey bool // 400 "Invalid key: '<key>'"
	}{
		{"raw space", "eng managers", "eng managers", 400, true},
		{"raw brace", "eng{1}", "eng{1}", 400, true},
		{"raw pipe", "eng|1", "eng|1", 400, true},
		{"raw quote", `eng"1"`, `eng"1"`, 400, true},
		{"raw no-break space", "eng\u00a0m", "eng\u00a0m", 400, true},
		{"raw hash cuts the key", "eng#1", "eng#1", 400, false},
		{"malformed escape", "eng%zz", "eng%zz", 400, true},
		{"escaped space", "eng managers", "eng%20managers", 200, false},
		{"escaped brace pipe quote hash", `e{|"#`, "e%7B%7C%22%23", 200, false},
		{"escaped unicode", "José 候选人", "Jos%C3%A9%20%E5%80%99%E9%80%89%E4%BA%BA", 200, false},
		{"raw visible unicode", "José", "José", 200, false},
		{"plus is a space", "eng managers", "eng+managers", 200, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			key := aclBodyKey(tc.raw, "JOBP123")
			r := e.req("PUT", "/v2/atsEntityAcls"+aclQuery(tc.aclID, "JOBP123"),
				map[string]any{"entities": map[string]any{key: map[string]any{}}}, "x-restli-method: batch_update")
			if r.status != tc.status {
				t.Fatalf("status %d, want %d; body %s", r.status, tc.status, r.raw)
			}
			if tc.invalidKey {
				if d := cmp.Diff("Invalid key: '"+key+"'", r.body["message"]); d != "" {
					t.Errorf("message (-want +got):\n%s", d)
				}
			}
			var ids []string
			for _, a := range e.cust.ACLs() {
				ids = append(ids, a.Key["atsEntityAclId"])
			}
			var want []string
			if tc.status == 200 {
				want = []string{tc.aclID}
			}
			if d := cmp.Diff(want, ids); d != "" {
				t.Errorf("ACL ids stored (-want +got):\n%s", d)
			}
		})
	}
}

// The same holds for candidates and for batch_partial_update, and a body
// key whose decoded fields name another id than the query is a mismatch.
func TestFakeV1BodyKeyDecodedBeforeMatching(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q := "/v2/atsCandidates?ids[0].atsCandidateId=C%201&ids[0].dataProvider=ATS&ids[0].integrationContext=" + org
	e.req("PUT", q, map[string]any{"entities": map[string]any{candKey("C 1"): candidate("john")}},
		"x-restli-method: batch_update").want(t, 400)
	e.req("PUT", q, map[string]any{"entities": map[string]any{candKey("C%25201"): candidate("john")}},
		"x-restli-method: batch_update").want(t, 400) // the id C%201, not C 1
	e.req("PUT", q, map[string]any{"entities": map[string]any{candKey("C%201"): candidate("john")}},
		"x-restli-method: batch_update").want(t, 200)
	e.req("POST", q, map[string]any{"entities": map[string]any{candKey("C 1"): map[string]any{"patch": map[string]any{"$set": map[string]any{"firstName": "jo"}}}}},
		"x-restli-method: batch_partial_update").want(t, 400)
	e.req("POST", q, map[string]any{"entities": map[string]any{candKey("C%201"): map[string]any{"patch": map[string]any{"$set": map[string]any{"firstName": "jo"}}}}},
		"x-restli-method: batch_partial_update").want(t, 200)
	var ids []string
	for _, c := range e.cust.Candidates() {
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	if d := cmp.Diff([]string{"C 1"}, ids); d != "" {
		t.Errorf("candidate ids stored (-want +got):\n%s", d)
	}
}
