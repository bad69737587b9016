package rsc

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// bodyKeyIDs are ids holding characters java.net.URI refuses in a query (a
// space, '{', '|', a quote), one it reads as the start of a fragment ('#'),
// and non-ASCII text (including a no-break space, which java.net.URI refuses
// raw). A Rest.li 1.0 server parses a compound key of a batch body as a URI
// query (docs/linkedin-api.md §3.2), so each such byte must be %XX.
var bodyKeyIDs = []string{"C 1", "C#1", "C{1}", "C|1", `C"1"`, "José 候选人", "a\u00a0b"}

// bodyKeyEsc is bodyKeyIDs as a 1.0 body key writes them.
var bodyKeyEsc = []string{"C%201", "C%231", "C%7B1%7D", "C%7C1", "C%221%22",
	"Jos%C3%A9%20%E5%80%99%E9%80%89%E4%BA%BA", "a%C2%A0b"}

// entityKeys returns the sorted map keys of the "entities" of a batch body.
func entityKeys(t *testing.T, body []byte) []string {
	t.Helper()
	var b struct {
		Entities map[string]json.RawMessage `json:"entities"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatalf("body: %v\n%s", err, body)
	}
	keys := make([]string, 0, len(b.Entities))
	for k := range b.Entities {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// The compound keys of a /v2 (Rest.li 1.0) batch body escape what
// java.net.URI refuses in a query, '#' and non-ASCII bytes, for candidates,
// applications, ACLs, ACL assignees and integrations.
func TestV1CompoundBodyKeysEscapeURIQueryBytes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// send writes one record per id of bodyKeyIDs in one call.
		send func(c *Client) error
		// key is the body key of the record whose id escapes to e.
		key func(e string) string
	}{
		{
			name: "candidates",
			send: func(c *Client) error {
				var cands []Candidate
				for _, id := range bodyKeyIDs {
					cand := testCandidate(id)
					cand.ExternalProfileURL = "https://ats.example.com/c/1"
					cands = append(cands, cand)
				}
				return callErr(c.Candidates.Upsert(t.Context(), cands))
			},
			key: func(e string) string {
				return "atsCandidateId=" + e + "&dataProvider=ATS&integrationContext=urn:li:organization:123"
			},
		},
		{
			name: "applications",
			send: func(c *Client) error {
				var apps []Application
				for _, id := range bodyKeyIDs {
					apps = append(apps, testApplication(id))
				}
				return callErr(c.Applications.Upsert(t.Context(), apps))
			},
			key: func(e string) string {
				return "atsJobApplicationId=" + e + "&dataProvider=ATS&integrationContext=urn:li:organization:123"
			},
		},
		{
			name: "ACLs",
			send: func(c *Client) error {
				var keys []ACLKey
				for _, id := range bodyKeyIDs {
					keys = append(keys, ACLKey{IntegrationContext: org, ACLID: "eng " + id, EntityID: "REQ" + id})
				}
				return callErr(c.ACLs.Upsert(t.Context(), keys))
			},
			key: func(e string) string {
				return "atsEntityAclId=eng%20" + e + "&dataProvider=ATS&integrationContext=urn:li:organization:123&atsEntityId=REQ" + e + "&atsEntityType=JOB_POSTING"
			},
		},
		{
			name: "ACL assignees",
			send: func(c *Client) error {
				var keys []ACLAssigneeKey
				for _, id := range bodyKeyIDs {
					keys = append(keys, ACLAssigneeKey{IntegrationContext: org, ACLID: id, Assignee: "urn:li:person:abc"})
				}
				return callErr(c.ACLs.UpsertAssignees(t.Context(), keys))
			},
			key: func(e string) string {
				return "atsEntityAclId=" + e + "&integrationContext=urn:li:organization:123&dataProvider=ATS&assignee=urn:li:person:abc&atsEntityType=JOB_POSTING"
			},
		},
		{
			name: "integrations",
			send: func(c *Client) error {
				var names []IntegrationName
				for _, id := range bodyKeyIDs {
					names = append(names, IntegrationName{Key: IntegrationKey{IntegrationContext: "urn:li:contract:9", Type: IntegrationType("CSA " + id)}, Name: "Acme"})
				}
				return callErr(c.Integrations.Name(t.Context(), names))
			},
			key: func(e string) string {
				return "integrationContext=urn:li:contract:9&integrationType=CSA%20" + e + "&tenantType=RECRUITER&dataProvider=ATS"
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, okBatch)
			if err := tc.send(h.client); err != nil {
				t.Fatal(err)
			}
			want := make([]string, 0, len(bodyKeyEsc))
			for _, e := range bodyKeyEsc {
				want = append(want, tc.key(e))
			}
			slices.Sort(want)
			if d := cmp.Diff(want, entityKeys(t, h.only().Body)); d != "" {
				t.Errorf("body keys (-want +got):\n%s", d)
			}
		})
	}
}

// callErr returns a batch call's error, else its records' first error.
func callErr[K comparable](res *BatchResult[K], err error) error {
	if err != nil {
		return err
	}
	return res.Err()
}

// Simple body keys (note, stage, feedback ids) stay as they are in both
// protocols: Rest.li takes a simple key of a batch body literally, without
// URL decoding (ArgumentBuilder.parseEntityStringKey). This pins behaviour
// the compound-key escaping must not change.
func TestSimpleBodyKeysStayRaw(t *testing.T) {
	t.Parallel()
	h := setup(t, okBatch)
	var notes []Note
	for _, id := range bodyKeyIDs {
		notes = append(notes, Note{ID: id, Note: "n"})
	}
	if res, err := h.client.Candidates.UpsertNotes(t.Context(), testCandidate("C1").Key, notes); err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	want := slices.Sorted(slices.Values(bodyKeyIDs))
	if d := cmp.Diff(want, entityKeys(t, h.only().Body)); d != "" {
		t.Errorf("body keys (-want +got):\n%s", d)
	}
}
