package rsc

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/internal/restli"
)

// appendJSONString writes a JSON string that decodes to its input, for keys
// with and without characters JSON escapes.
func TestAppendJSONString(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "atsCandidateId=C1&dataProvider=ATS", "(a:b%20c)", `q"uote`, `back\slash`, "tab\t", "é", "<&>", "\x00", "\u2028"} {
		got := appendJSONString([]byte("x"), s)
		var back string
		if err := json.Unmarshal(got[1:], &back); err != nil || back != s || got[0] != 'x' {
			t.Errorf("appendJSONString(%q) = %s, decodes to %q (%v)", s, got, back, err)
		}
	}
}

// scanResults agrees with encoding/json on every body it accepts, and
// accepts the common shapes.
func TestScanResults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body   string
		accept bool
	}{
		{`{"results":{"a=1&b=2":{"status":204},"(k:v)":{"status":201}},"errors":{}}`, true},
		{` { "errors" : { } , "results" : { "x" : { "status" : 422 } } } `, true},
		{`{"results":{}}`, true},
		{`{}`, true},
		{`{"results":{"x":{"status":204}},"errors":{"y":{"status":422,"message":"bad"}}}`, false},
		{`{"results":{"x":{"status":204,"extra":1}}}`, false},
		{`{"results":{"x\"y":{"status":204}}}`, false},
		{`{"results":{"é":{"status":204}}}`, false},
		{`{"results":{"x":{"status":0204}}}`, false},
		{`{"results":{"x":{"status":204}},}`, false},
		{`{"results":{"x":{"status":204}}} x`, false},
		{`{"results":{"x":{"status":-1}}}`, false},
		{`{"statuses":{}}`, false},
		{`{,}`, false},
		{``, false},
	} {
		t.Run(tc.body, func(t *testing.T) {
			got, ok := scanResults([]byte(tc.body), nil)
			if ok != tc.accept {
				t.Fatalf("accepted %v, want %v", ok, tc.accept)
			}
			if ok {
				checkScanAgainstJSON(t, tc.body, got)
			}
		})
	}
}

// checkScanAgainstJSON requires encoding/json to read body as scanResults did.
func checkScanAgainstJSON(t *testing.T, body string, got []keyStatus) {
	t.Helper()
	var br batchResponse
	if err := json.Unmarshal([]byte(body), &br); err != nil {
		t.Fatalf("scanResults accepted %q, which encoding/json refuses: %v", body, err)
	}
	want := map[string]int{}
	for k, st := range br.Results {
		want[k] = st.Status
	}
	have := map[string]int{}
	for _, ks := range got {
		have[string(ks.key)] = ks.status // the last of duplicate keys wins, as in encoding/json
	}
	if len(br.Errors) != 0 || fmt.Sprint(want) != fmt.Sprint(have) {
		t.Fatalf("body %q: scanResults read %v, encoding/json %v (errors %v)", body, have, want, br.Errors)
	}
}

// FuzzScanResults: whatever scanResults accepts, encoding/json reads the same.
func FuzzScanResults(f *testing.F) {
	f.Add(`{"results":{"a=1&b=2":{"status":204}},"errors":{}}`)
	f.Add(`{"errors":{},"results":{"x":{"status":422},"x":{"status":201}}}`)
	f.Add(`{"results":{"x":{"status":99}}}`)
	f.Fuzz(func(t *testing.T, body string) {
		if got, ok := scanResults([]byte(body), nil); ok {
			checkScanAgainstJSON(t, body, got)
		}
	})
}

// outcomes returns, per item of res, "ok" or its error: a *ValidationError
// as "resource key field: rule", anything else as its text.
func outcomes[K comparable](res *BatchResult[K], err error) []string {
	if err != nil {
		return []string{"call failed: " + err.Error()}
	}
	out := make([]string, len(res.Items))
	for i, it := range res.Items {
		var ve *ValidationError
		switch {
		case it.Err == nil:
			out[i] = "ok"
		case errors.As(it.Err, &ve):
			out[i] = fmt.Sprintf("%s %s %s: %s", ve.Resource, ve.Key, ve.Field, ve.Rule)
		default:
			out[i] = it.Err.Error()
		}
	}
	return out
}

// sentKeys returns how many keys a batch write carried: its body's
// entities, or else its query's ids.
func sentKeys(t *testing.T, s seen) int {
	t.Helper()
	if len(s.Body) > 0 {
		var b struct {
			Entities map[string]json.RawMessage `json:"entities"`
		}
		if err := json.Unmarshal(s.Body, &b); err != nil {
			t.Fatalf("body: %v", err)
		}
		return len(b.Entities)
	}
	q, err := restli.ParseQuery(s.RawQuery)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	return len(q.SimpleIDs) + len(q.Keys)
}

// A key given twice in one call of a batch write that takes keys (deletes,
// ACLs, $set updates, configuration deletes) is refused before sending, as
// the upserts refuse theirs: sent twice, it would get one answer, credited
// to the first item, while LinkedIn may keep the second. Keys equal but for
// their integration context are two keys.
func TestRepeatedKeysRefused(t *testing.T) {
	t.Parallel()
	cand := func(ctx, id string) CandidateKey { return CandidateKey{IntegrationContext: ctx, CandidateID: id} }
	app := ApplicationKey{IntegrationContext: org, ApplicationID: "A1"}
	acl := func(id string) ACLKey { return ACLKey{IntegrationContext: org, ACLID: id, EntityID: "J1"} }
	as := func(id string) ACLAssigneeKey {
		return ACLAssigneeKey{IntegrationContext: org, ACLID: "G1", Assignee: "urn:li:person:" + id}
	}
	ik := IntegrationKey{IntegrationContext: org, Type: OneClickExport}
	repeated := func(res *resource, key, field string) string {
		return fmt.Sprintf("%s %s %s: %s", res.legacy, key, field, RuleRepeated)
	}
	for _, tc := range []struct {
		name string
		call func(c *Client) []string
		sent int // keys in the one request
		want []string
	}{
		{"Candidates.Delete", func(c *Client) []string {
			return outcomes(c.Candidates.Delete(t.Context(), []CandidateKey{cand(org, "A"), cand(org, "B"), cand(org, "A")}))
		}, 2, []string{"ok", "ok", repeated(resCandidates, "A", "key")}},
		{"Candidates.Delete, one id in two contexts", func(c *Client) []string {
			return outcomes(c.Candidates.Delete(t.Context(), []CandidateKey{cand(org, "A"), cand("urn:li:organization:456", "A")}))
		}, 2, []string{"ok", "ok"}},
		{"Candidates.AttachPerson", func(c *Client) []string {
			return outcomes(c.Candidates.AttachPerson(t.Context(), []PersonLink{{cand(org, "B"), "urn:li:person:1"}, {cand(org, "B"), "urn:li:person:2"}}))
		}, 1, []string{"ok", repeated(resCandidates, "B", "key")}},
		{"Applications.Delete", func(c *Client) []string {
			return outcomes(c.Applications.Delete(t.Context(), []ApplicationKey{app, app}))
		}, 1, []string{"ok", repeated(resApplications, "A1", "key")}},
		{"ACLs.Upsert", func(c *Client) []string {
			return outcomes(c.ACLs.Upsert(t.Context(), []ACLKey{acl("G1"), acl("G2"), acl("G1")}))
		}, 2, []string{"ok", "ok", repeated(resACLs, "G1/J1", "key")}},
		{"ACLs.Delete", func(c *Client) []string {
			return outcomes(c.ACLs.Delete(t.Context(), []ACLKey{acl("G1"), acl("G1")}))
		}, 1, []string{"ok", repeated(resACLs, "G1/J1", "key")}},
		{"ACLs.UpsertAssignees", func(c *Client) []string {
			return outcomes(c.ACLs.UpsertAssignees(t.Context(), []ACLAssigneeKey{as("1"), as("1")}))
		}, 1, []string{"ok", repeated(resACLAssignees, "G1/urn:li:person:1", "key")}},
		{"ACLs.DeleteAssignees", func(c *Client) []string {
			return outcomes(c.ACLs.DeleteAssignees(t.Context(), []ACLAssigneeKey{as("1"), as("2"), as("1")}))
		}, 2, []string{"ok", "ok", repeated(resACLAssignees, "G1/urn:li:person:1", "key")}},
		{"Integrations.Name", func(c *Client) []string {
			return outcomes(c.Integrations.Name(t.Context(), []IntegrationName{{ik, "one"}, {ik, "two"}}))
		}, 1, []string{"ok", repeated(resIntegrations, ik.String(), "key")}},
		{"Integrations.DeleteConfig", func(c *Client) []string {
			return outcomes(c.Integrations.DeleteConfig(t.Context(), ik, ConfigCallbackURL, ConfigAppViewers, ConfigCallbackURL))
		}, 2, []string{"ok", "ok", repeated(resIntegrationConfig, string(ConfigCallbackURL), "configurationKey")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, okBatch)
			got := tc.call(h.client)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("items (-want +got):\n%s", d)
			}
			if n := sentKeys(t, h.only()); n != tc.sent {
				t.Errorf("sent %d keys, want %d", n, tc.sent)
			}
		})
	}
}

// TestTransientEntity covers the per-entity refusals a batch sends again
// and checks that an accepted record (nil error), the common case on the
// hot path, costs no allocation.
func TestTransientEntity(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"accepted", nil, false},
		{"429", &EntityError{Status: http.StatusTooManyRequests}, true},
		{"500", &EntityError{Status: http.StatusInternalServerError}, true},
		{"400", &EntityError{Status: http.StatusBadRequest}, false},
		{"wrapped 503", fmt.Errorf("x: %w", &EntityError{Status: http.StatusServiceUnavailable}), true},
		{"other error", errors.New("x"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := transientEntity(tc.err); got != tc.want {
				t.Errorf("transientEntity(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
	if n := testing.AllocsPerRun(100, func() { transientEntity(nil) }); n != 0 {
		t.Errorf("transientEntity(nil) allocates %v times, want 0", n)
	}
}
