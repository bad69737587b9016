package rsc

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/internal/restli"
)

// batch_get reads the errors and statuses maps of its answer: a per-key 404
// means absent, any other per-key error reaches the caller as a
// *BatchGetError naming each key and status, in the order the keys were
// given, with the records that were found (docs/linkedin-api.md §3.4).
func TestBatchGetPerKeyErrors(t *testing.T) {
	t.Parallel()
	key := func(id string) CandidateKey { return CandidateKey{IntegrationContext: org, CandidateID: id} }
	keys := []CandidateKey{key("C1"), key("C2"), key("C3"), key("C4"), key("C5")}
	for _, version := range []string{"", "202604"} {
		t.Run("version="+version, func(t *testing.T) {
			t.Parallel()
			var opts []Option
			fam := newFamily(version)
			if version != "" {
				opts = append(opts, WithVersion(version))
			}
			// The server spells its keys as Rest.li does (fields sorted, escaped).
			spell := func(id string) string { return restli.EncodeServerBodyKey(fam.proto, key(id).restli(fam)) }
			h := setup(t, func(w http.ResponseWriter, s seen) {
				fmt.Fprintf(w, `{"results":{%q:{"firstName":"Ann"}},
					"statuses":{%q:200,%q:503},
					"errors":{%q:{"status":500,"serviceErrorCode":65600,"message":"Internal error"},%q:{"status":404,"message":"Entity does not exist"}}}`,
					spell("C1"), spell("C1"), spell("C4"), spell("C2"), spell("C3"))
			}, opts...)
			got, err := h.client.Candidates.Get(t.Context(), keys)
			if d := cmp.Diff([]CandidateKey{key("C1")}, mapKeys(got)); d != "" {
				t.Errorf("records found (-want +got):\n%s", d)
			}
			if got[key("C1")] == nil || got[key("C1")].FirstName != "Ann" || got[key("C1")].Key != key("C1") {
				t.Errorf("C1 = %+v", got[key("C1")])
			}
			var bge *BatchGetError
			if !errors.As(err, &bge) {
				t.Fatalf("err = %v, want a *BatchGetError", err)
			}
			want := &BatchGetError{Resource: "atsCandidates", Errors: []*EntityError{
				{Resource: "atsCandidates", Key: "C2", Status: 500, ServiceErrorCode: 65600, Message: "Internal error"},
				{Resource: "atsCandidates", Key: "C4", Status: 503},
			}}
			if d := cmp.Diff(want, bge); d != "" {
				t.Errorf("error (-want +got):\n%s", d)
			}
			if d := cmp.Diff(`rsc: atsCandidates batch_get: LinkedIn could not read 2 record(s): "C2": 500 Internal error; "C4": 503`, err.Error()); d != "" {
				t.Errorf("message (-want +got):\n%s", d)
			}
			var ee *EntityError
			if !errors.As(err, &ee) || ee.Key != "C2" {
				t.Errorf("errors.As *EntityError = %+v", ee)
			}
		})
	}
	t.Run("only 404s", func(t *testing.T) {
		t.Parallel()
		h := setup(t, func(w http.ResponseWriter, s seen) {
			fmt.Fprint(w, `{"results":{},"statuses":{"integrationContext=urn%3Ali%3Aorganization%3A123&integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER&dataProvider=ATS":404},
				"errors":{"integrationContext=urn%3Ali%3Aorganization%3A123&integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER&dataProvider=ATS":{"status":404}}}`)
		})
		got, err := h.client.Integrations.Get(t.Context(), []IntegrationKey{{IntegrationContext: org, Type: OneClickExport}})
		if err != nil || len(got) != 0 {
			t.Errorf("Get = %v, %v; want nothing and no error", got, err)
		}
	})
	t.Run("integrations", func(t *testing.T) {
		t.Parallel()
		ik := IntegrationKey{IntegrationContext: org, Type: OneClickExport}
		h := setup(t, func(w http.ResponseWriter, s seen) {
			fmt.Fprint(w, `{"errors":{"integrationContext=urn%3Ali%3Aorganization%3A123&integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER&dataProvider=ATS":{"status":403,"message":"Not enough permissions"}}}`)
		})
		_, err := h.client.Integrations.Get(t.Context(), []IntegrationKey{ik})
		var bge *BatchGetError
		if !errors.As(err, &bge) {
			t.Fatalf("err = %v", err)
		}
		want := []*EntityError{{Resource: "atsIntegrations", Key: ik.String(), Status: 403, Message: "Not enough permissions"}}
		if d := cmp.Diff(want, bge.Errors); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
}

// mapKeys returns m's keys sorted by their String form.
func mapKeys[K interface {
	comparable
	String() string
}, V any](m map[K]V) []K {
	var out []K
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b K) int { return strings.Compare(a.String(), b.String()) })
	return out
}
