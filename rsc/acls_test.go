package rsc

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Postman "Upsert Entity ACLs", "Upsert Entity ACL Assignees" and the finders.
func TestACLsWire(t *testing.T) {
	t.Parallel()
	h := setup(t, func(w http.ResponseWriter, s seen) {
		if s.Method == "GET" {
			fmt.Fprint(w, `{"elements":[{"atsEntityAclId":"eng_managers","integrationContext":"urn:li:organization:1000","atsEntityId":"JOBP123","atsEntityType":"JOB_POSTING"}],"paging":{"start":0,"count":100,"total":1}}`)
			return
		}
		okBatch(w, s)
	})
	ctx := t.Context()
	acl := ACLKey{IntegrationContext: "urn:li:organization:1000", ACLID: "eng_managers", EntityID: "JOBP123"}
	if res, err := h.client.ACLs.Upsert(ctx, []ACLKey{acl}); err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	as := ACLAssigneeKey{IntegrationContext: "urn:li:organization:1000", ACLID: "eng_managers", Assignee: "urn:li:person:abc"}
	if res, err := h.client.ACLs.UpsertAssignees(ctx, []ACLAssigneeKey{as}); err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	var found []ACL
	for a, err := range h.client.ACLs.Find(ctx, "urn:li:organization:1000", "JOBP123") {
		if err != nil {
			t.Fatal(err)
		}
		found = append(found, a)
	}
	if len(found) != 1 || found[0].ACLID != "eng_managers" {
		t.Errorf("found %+v", found)
	}
	r := h.requests()
	r[0].check(t, "PUT", "/v2/atsEntityAcls", "ids[0].atsEntityAclId=eng_managers&ids[0].dataProvider=ATS&ids[0].integrationContext=urn:li:organization:1000&ids[0].atsEntityId=JOBP123&ids[0].atsEntityType=JOB_POSTING", "batch_update")
	checkJSON(t, r[0].Body, `{"entities":{"atsEntityAclId=eng_managers&dataProvider=ATS&integrationContext=urn:li:organization:1000&atsEntityId=JOBP123&atsEntityType=JOB_POSTING":{}}}`)
	r[1].check(t, "PUT", "/v2/atsEntityAclAssignees", "ids[0].atsEntityAclId=eng_managers&ids[0].integrationContext=urn:li:organization:1000&ids[0].dataProvider=ATS&ids[0].assignee=urn:li:person:abc&ids[0].atsEntityType=JOB_POSTING", "batch_update")
	r[2].check(t, "GET", "/v2/atsEntityAcls", "q=criteria&atsEntityId=JOBP123&atsEntityType=JOB_POSTING&dataProvider=ATS&integrationContext=urn:li:organization:1000&start=0&count=100", "")
}

// LinkedIn serves the ACL resources under /rest from version 202511 on
// (docs/linkedin-api.md §11): a client pinned to an earlier version sends
// them to /v2, in Rest.li 1.0 with dataProvider and no version header.
func TestACLsFamilyByVersion(t *testing.T) {
	t.Parallel()
	type wire struct {
		Path, RawQuery, Version, Protocol string
	}
	v2Upsert := wire{"/v2/atsEntityAcls", "ids[0].atsEntityAclId=eng_managers&ids[0].dataProvider=ATS&ids[0].integrationContext=urn:li:organization:1000&ids[0].atsEntityId=JOBP123&ids[0].atsEntityType=JOB_POSTING", "", ""}
	v2Assignee := wire{"/v2/atsEntityAclAssignees", "ids[0].atsEntityAclId=eng_managers&ids[0].integrationContext=urn:li:organization:1000&ids[0].dataProvider=ATS&ids[0].assignee=urn:li:person:abc&ids[0].atsEntityType=JOB_POSTING", "", ""}
	v2Find := wire{"/v2/atsEntityAcls", "q=criteria&atsEntityId=JOBP123&atsEntityType=JOB_POSTING&dataProvider=ATS&integrationContext=urn:li:organization:1000&start=0&count=100", "", ""}
	for _, tc := range []struct {
		version string
		want    []wire
	}{
		{"", []wire{v2Upsert, v2Assignee, v2Find}},
		{"202510", []wire{v2Upsert, v2Assignee, v2Find}},
		{"202510.02", []wire{v2Upsert, v2Assignee, v2Find}},
		{"202511", []wire{
			{"/rest/entityAcls", "ids=List((atsEntityAclId:eng_managers,integrationContext:urn%3Ali%3Aorganization%3A1000,atsEntityId:JOBP123,atsEntityType:JOB_POSTING))", "202511", "2.0.0"},
			{"/rest/entityAclAssignees", "ids=List((atsEntityAclId:eng_managers,integrationContext:urn%3Ali%3Aorganization%3A1000,assignee:urn%3Ali%3Aperson%3Aabc,atsEntityType:JOB_POSTING))", "202511", "2.0.0"},
			{"/rest/entityAcls", "q=criteria&atsEntityId=JOBP123&atsEntityType=JOB_POSTING&integrationContext=urn%3Ali%3Aorganization%3A1000&start=0&count=100", "202511", "2.0.0"},
		}},
	} {
		t.Run("version="+tc.version, func(t *testing.T) {
			t.Parallel()
			var opts []Option
			if tc.version != "" {
				opts = append(opts, WithVersion(tc.version))
			}
			h := setup(t, func(w http.ResponseWriter, s seen) {
				if s.Method == "GET" {
					fmt.Fprint(w, `{"elements":[],"paging":{"start":0,"count":100,"total":0}}`)
					return
				}
				okBatch(w, s)
			}, opts...)
			ctx := t.Context()
			if res, err := h.client.ACLs.Upsert(ctx, []ACLKey{{IntegrationContext: "urn:li:organization:1000", ACLID: "eng_managers", EntityID: "JOBP123"}}); err != nil || res.Err() != nil {
				t.Fatal(err, res.Err())
			}
			if res, err := h.client.ACLs.UpsertAssignees(ctx, []ACLAssigneeKey{{IntegrationContext: "urn:li:organization:1000", ACLID: "eng_managers", Assignee: "urn:li:person:abc"}}); err != nil || res.Err() != nil {
				t.Fatal(err, res.Err())
			}
			for _, err := range h.client.ACLs.Find(ctx, "urn:li:organization:1000", "JOBP123") {
				if err != nil {
					t.Fatal(err)
				}
			}
			var got []wire
			for _, s := range h.requests() {
				got = append(got, wire{s.Path, s.RawQuery, s.Header.Get("LinkedIn-Version"), s.Header.Get("X-RestLi-Protocol-Version")})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}
