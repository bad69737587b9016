package rsc

import (
	"fmt"
	"net/http"
	"testing"
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
