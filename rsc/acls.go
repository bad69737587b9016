package rsc

import (
	"context"
	"iter"
	"net/http"

	"github.com/rscgo/rscgo/internal/restli"
)

// ACLsService syncs entity ACLs (which security groups see a job) and their
// assignees (which LinkedIn members are in a group). Only JOB_POSTING entities
// are securable. Do not assign more than 10 ACLs per user. A client pinned
// (WithVersion) to a version before 202511 sends them to /v2, where LinkedIn
// serves them until then (docs/linkedin-api.md §11).
type ACLsService service

// ACL is an entity ACL as returned by Find.
type ACL struct {
	// ACLID is the ATS's security group or role id (ACLKey.ACLID).
	ACLID string `json:"atsEntityAclId"`
	// IntegrationContext is the customer's organization URN.
	IntegrationContext string `json:"integrationContext"`
	// EntityID is the secured job's externalJobPostingId.
	EntityID string `json:"atsEntityId"`
	// EntityType is the secured entity's type: JOB_POSTING, the only
	// securable one (docs/linkedin-api.md §9).
	EntityType string `json:"atsEntityType"`
}

// ACLAssignee is an ACL assignee as returned by FindAssignees.
type ACLAssignee struct {
	// ACLID is the ATS's security group or role id the member is in.
	ACLID string `json:"atsEntityAclId"`
	// IntegrationContext is the customer's organization URN.
	IntegrationContext string `json:"integrationContext"`
	// Assignee is the member, a person URN (urn:li:person:{id}).
	Assignee string `json:"assignee"`
	// EntityType is the type of the entities the ACL secures: JOB_POSTING
	// (docs/linkedin-api.md §9).
	EntityType string `json:"atsEntityType"`
}

func checkACL(v *validator, k ACLKey) {
	v.urn("integrationContext", k.IntegrationContext, "urn:li:organization:", true)
	v.text("atsEntityAclId", k.ACLID, true, maxIDLen)
	v.text("atsEntityId", k.EntityID, true, maxIDLen)
	v.oneOf("atsEntityType", k.entityType(), EntityTypeJobPosting)
}

func checkAssignee(v *validator, k ACLAssigneeKey) {
	v.urn("integrationContext", k.IntegrationContext, "urn:li:organization:", true)
	v.text("atsEntityAclId", k.ACLID, true, maxIDLen)
	v.urn("assignee", k.Assignee, "urn:li:person:", true)
}

// Upsert creates ACLs (batch_update; the key carries everything, the value is {}).
func (s *ACLsService) Upsert(ctx context.Context, keys []ACLKey) (*BatchResult[ACLKey], error) {
	c := s.c
	return writeBatches(ctx, c, c.batchOpFor(http.MethodPut, resACLs, ""), keyEntries(c, resACLs, keys, []byte(`{}`), checkACL))
}

// Delete removes ACLs.
func (s *ACLsService) Delete(ctx context.Context, keys []ACLKey) (*BatchResult[ACLKey], error) {
	c := s.c
	return writeBatches(ctx, c, c.batchOpFor(http.MethodDelete, resACLs, ""), keyEntries(c, resACLs, keys, nil, checkACL))
}

// Find lists the ACLs of one job (finder q=criteria).
func (s *ACLsService) Find(ctx context.Context, integrationContext, entityID string) iter.Seq2[ACL, error] {
	c := s.c
	fam := c.fam.of(resACLs)
	p := fam.proto
	q := "q=criteria&" + restli.EncodeParam(p, "atsEntityId", entityID) + "&atsEntityType=" + EntityTypeJobPosting
	if !fam.versioned {
		q += "&dataProvider=ATS"
	}
	q += "&" + restli.EncodeParam(p, "integrationContext", integrationContext)
	return finder[ACL](c, resACLs, q, 100)(ctx)
}

// UpsertAssignees assigns members to ACLs.
func (s *ACLsService) UpsertAssignees(ctx context.Context, keys []ACLAssigneeKey) (*BatchResult[ACLAssigneeKey], error) {
	c := s.c
	return writeBatches(ctx, c, c.batchOpFor(http.MethodPut, resACLAssignees, ""),
		keyEntries(c, resACLAssignees, keys, []byte(`{}`), checkAssignee))
}

// DeleteAssignees removes members from ACLs.
func (s *ACLsService) DeleteAssignees(ctx context.Context, keys []ACLAssigneeKey) (*BatchResult[ACLAssigneeKey], error) {
	c := s.c
	return writeBatches(ctx, c, c.batchOpFor(http.MethodDelete, resACLAssignees, ""),
		keyEntries(c, resACLAssignees, keys, nil, checkAssignee))
}

// FindAssignees lists the ACL assignments of one member (finder q=criteria).
func (s *ACLsService) FindAssignees(ctx context.Context, integrationContext, assignee string) iter.Seq2[ACLAssignee, error] {
	c := s.c
	fam := c.fam.of(resACLAssignees)
	p := fam.proto
	q := "q=criteria&" + restli.EncodeParam(p, "assignee", assignee)
	if !fam.versioned {
		q += "&dataProvider=ATS"
	}
	q += "&" + restli.EncodeParam(p, "integrationContext", integrationContext)
	return finder[ACLAssignee](c, resACLAssignees, q, 100)(ctx)
}
