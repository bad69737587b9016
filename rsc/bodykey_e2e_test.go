package rsc_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// uriRefusedIDs hold characters a Rest.li 1.0 server cannot take raw in a
// compound key of a batch body, which it parses as a URI query (a space,
// '#', '{', '|', a quote, a no-break space), and visible non-ASCII text.
var uriRefusedIDs = []string{"C 1", "C#1", "C{1}", "C|1", `C"1"`, "José 候选人", "a\u00a0b"}

// Records keyed by such ids are stored under the ids themselves, in both
// families: on /v2 the fake answers a raw body key 400 "Invalid key" as
// Rest.li does, so this fails if the client sends them unescaped.
func TestURIRefusedIDsStoredDecoded(t *testing.T) {
	t.Parallel()
	eachCustomer(t, func(t *testing.T, srv *rsctest.Server, cust *rsctest.Customer, c *rsc.Client) {
		ctx := t.Context()
		org, now := cust.Organization, srv.Now()
		want := slices.Sorted(slices.Values(uriRefusedIDs))

		var cands []rsc.Candidate
		var apps []rsc.Application
		var acls []rsc.ACLKey
		for i, id := range uriRefusedIDs {
			cands = append(cands, candidate(org, id, fmt.Sprintf("c%d@example.com", i), now))
			apps = append(apps, rsc.Application{Key: rsc.ApplicationKey{IntegrationContext: org, ApplicationID: id},
				CandidateID: id, JobPostingID: "J1", JobPostingName: "Engineer", CandidateEmail: fmt.Sprintf("c%d@example.com", i),
				FirstName: "Ann", LastName: "Lee", CreatedAt: rsc.Millis(now.Add(-2 * time.Hour)), LastModifiedAt: rsc.Millis(now.Add(-time.Hour))})
			acls = append(acls, rsc.ACLKey{IntegrationContext: org, ACLID: id, EntityID: "J" + id})
		}
		if res, err := c.Candidates.Upsert(ctx, cands); err != nil || res.Err() != nil {
			t.Fatalf("Candidates.Upsert: %v %v", err, res.Err())
		}
		if res, err := c.Applications.Upsert(ctx, apps); err != nil || res.Err() != nil {
			t.Fatalf("Applications.Upsert: %v %v", err, res.Err())
		}
		if res, err := c.ACLs.Upsert(ctx, acls); err != nil || res.Err() != nil {
			t.Fatalf("ACLs.Upsert: %v %v", err, res.Err())
		}

		var got []string
		for _, r := range cust.Candidates() {
			got = append(got, r.ID)
		}
		slices.Sort(got)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("candidate ids LinkedIn holds (-want +got):\n%s", d)
		}
		got = got[:0]
		for _, r := range cust.Applications() {
			got = append(got, r.Key["atsJobApplicationId"])
		}
		slices.Sort(got)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("application ids LinkedIn holds (-want +got):\n%s", d)
		}
		got = got[:0]
		var entities []string
		for _, r := range cust.ACLs() {
			got = append(got, r.Key["atsEntityAclId"])
			entities = append(entities, r.Key["atsEntityId"])
		}
		slices.Sort(got)
		slices.Sort(entities)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("ACL ids LinkedIn holds (-want +got):\n%s", d)
		}
		var wantEntities []string
		for _, id := range want {
			wantEntities = append(wantEntities, "J"+id)
		}
		if d := cmp.Diff(wantEntities, entities); d != "" {
			t.Errorf("ACL entity ids LinkedIn holds (-want +got):\n%s", d)
		}

		// A delete (ids in the query only) finds the same records.
		if res, err := c.Candidates.Delete(ctx, keysOf(cands)); err != nil || res.Err() != nil {
			t.Fatalf("Candidates.Delete: %v %v", err, res.Err())
		}
		if n := len(cust.Candidates()); n != 0 {
			t.Errorf("after delete LinkedIn holds %d candidates", n)
		}
	})
}

func keysOf(cands []rsc.Candidate) []rsc.CandidateKey {
	keys := make([]rsc.CandidateKey, len(cands))
	for i, c := range cands {
		keys[i] = c.Key
	}
	return keys
}
