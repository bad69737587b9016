package rsc

import (
	"strings"

	"github.com/rscgo/rscgo/internal/restli"
)

// CandidateKey identifies a candidate: the ATS's candidate id within a
// customer's integration context (docs/linkedin-api.md §3.1).
type CandidateKey struct {
	// IntegrationContext must be urn:li:organization:{digits}.
	IntegrationContext string
	// CandidateID is required text of at most 512 characters, a guard of
	// ours: LinkedIn documents no length (docs/linkedin-api.md §7). Unlike
	// other required text it must not be blank: white space alone is
	// refused as an id. On /v2 the candidate's notes are refused when its
	// key takes over 4 KB once URL-encoded, as an id of more than about
	// 440 CJK characters does: see CandidatesService.ValidateParent.
	CandidateID string
}

// String implements fmt.Stringer.
func (k CandidateKey) String() string { return k.CandidateID }

func (k CandidateKey) restli(f family) restli.Key {
	return syncKey(f, "atsCandidateId", "externalCandidateId", k.CandidateID, k.IntegrationContext)
}

func (k CandidateKey) notes() (res, parentRes *resource, id, versionedField string) {
	return resCandidateNotes, resCandidates, k.CandidateID, "externalCandidateId"
}

func (k CandidateKey) integrationContext() string { return k.IntegrationContext }

// Validate checks the key as every call that sends it does: a candidate id
// that is not blank and an integration context urn:li:organization:{digits}.
func (k CandidateKey) Validate() error { return k.check() }

func (k CandidateKey) check() error {
	return checkKeyParts("atsCandidates", k.idField(), k.CandidateID, k.IntegrationContext)
}

func (CandidateKey) idField() string { return "atsCandidateId" }

// ApplicationKey identifies an application (a placement in Tracker's words):
// the ATS's application id within the integration context.
type ApplicationKey struct {
	// IntegrationContext must be urn:li:organization:{digits}.
	IntegrationContext string
	// ApplicationID is required text of at most 512 characters, a guard of
	// ours: LinkedIn documents no length (docs/linkedin-api.md §7). Unlike
	// other required text it must not be blank: white space alone is
	// refused as an id. On /v2 the application's notes, interview feedback
	// and stages are refused when its key takes over 4 KB once URL-encoded,
	// as an id of more than about 440 CJK characters does: see
	// ApplicationsService.ValidateParent.
	ApplicationID string
}

// String implements fmt.Stringer.
func (k ApplicationKey) String() string { return k.ApplicationID }

func (k ApplicationKey) restli(f family) restli.Key {
	return syncKey(f, "atsJobApplicationId", "atsJobApplicationId", k.ApplicationID, k.IntegrationContext)
}

// syncKey is the key of a candidate or an application: the id under its
// field name in family f, the legacy dataProvider, and the integration
// context (docs/linkedin-api.md §3.1).
func syncKey(f family, legacyField, versionedField, id, integrationContext string) restli.Key {
	if f.versioned {
		return restli.Key{{Name: versionedField, Value: id}, {Name: "integrationContext", Value: integrationContext}}
	}
	return restli.Key{{Name: legacyField, Value: id}, {Name: "dataProvider", Value: dataProviderATS},
		{Name: "integrationContext", Value: integrationContext}}
}

func (k ApplicationKey) notes() (res, parentRes *resource, id, versionedField string) {
	return resApplicationNotes, resApplications, k.ApplicationID, "externalJobApplicationId"
}

func (k ApplicationKey) integrationContext() string { return k.IntegrationContext }

// Validate checks the key as every call that sends it does: an
// application id that is not blank and an integration context
// urn:li:organization:{digits}.
func (k ApplicationKey) Validate() error { return k.check() }

func (k ApplicationKey) check() error {
	return checkKeyParts("atsApplications", k.idField(), k.ApplicationID, k.IntegrationContext)
}

func (ApplicationKey) idField() string { return "atsJobApplicationId" }

// IntegrationType is an RSC integration type (docs/linkedin-api.md §6.3).
type IntegrationType string

// The RSC integration types.
const (
	OneClickExport IntegrationType = "ONE_CLICK_EXPORT" // organization URN
	InATSIndicator IntegrationType = "IN_ATS_INDICATOR" // organization URN
	ProfilePlugin  IntegrationType = "PROFILE_PLUGIN"   // organization URN
	CSAAPI         IntegrationType = "CSA_API"          // contract URN: seats, InMail, notes, stubs
)

// ContractLevel reports whether t is enabled with contract-level access (its
// integration context is a contract URN).
func (t IntegrationType) ContractLevel() bool { return t == CSAAPI }

// IntegrationKey identifies one integration of a customer.
type IntegrationKey struct {
	// IntegrationContext is the organization URN, or the contract URN for
	// CSA_API: a URN (urn:li:...) when naming an integration.
	IntegrationContext string
	// Type is required text of at most 64 characters when naming an
	// integration.
	Type       IntegrationType
	TenantType string // "RECRUITER" when empty
}

func (k IntegrationKey) tenant() string {
	if k.TenantType == "" {
		return "RECRUITER"
	}
	return k.TenantType
}

func (k IntegrationKey) restli(f family) restli.Key {
	key := restli.Key{{Name: "integrationContext", Value: k.IntegrationContext}, {Name: "integrationType", Value: string(k.Type)}, {Name: "tenantType", Value: k.tenant()}}
	if !f.versioned {
		key = append(key, restli.Field{Name: "dataProvider", Value: dataProviderATS})
	}
	return key
}

// String implements fmt.Stringer.
func (k IntegrationKey) String() string { return string(k.Type) + "@" + k.IntegrationContext }

// EntityTypeJobPosting is the only securable entity type of ACLs.
const EntityTypeJobPosting = "JOB_POSTING"

// ACLKey identifies an entity ACL: a security group (ACL id) on a job
// (docs/linkedin-api.md §9). Upsert and Delete check the rules on its fields.
type ACLKey struct {
	// IntegrationContext must be urn:li:organization:{id}.
	IntegrationContext string
	// ACLID is the ATS's security group or role id: required text of at
	// most 512 characters, a guard of ours (docs/linkedin-api.md §7).
	ACLID string
	// EntityID is the job's externalJobPostingId: required text of at most
	// 512 characters, the same guard.
	EntityID string
	// EntityType is EntityTypeJobPosting, the only securable type; empty
	// means EntityTypeJobPosting.
	EntityType string
}

func (k ACLKey) entityType() string {
	if k.EntityType == "" {
		return EntityTypeJobPosting
	}
	return k.EntityType
}

func (k ACLKey) restli(f family) restli.Key {
	key := restli.Key{{Name: "atsEntityAclId", Value: k.ACLID}}
	if !f.versioned {
		key = append(key, restli.Field{Name: "dataProvider", Value: dataProviderATS})
	}
	return append(key, restli.Field{Name: "integrationContext", Value: k.IntegrationContext},
		restli.Field{Name: "atsEntityId", Value: k.EntityID}, restli.Field{Name: "atsEntityType", Value: k.entityType()})
}

// String implements fmt.Stringer.
func (k ACLKey) String() string { return k.ACLID + "/" + k.EntityID }

// ACLAssigneeKey assigns a LinkedIn member (person URN) to an ACL
// (docs/linkedin-api.md §9). UpsertAssignees and DeleteAssignees check the
// rules on its fields.
type ACLAssigneeKey struct {
	// IntegrationContext must be urn:li:organization:{id}.
	IntegrationContext string
	// ACLID is required text of at most 512 characters, a guard of ours
	// (docs/linkedin-api.md §7).
	ACLID string
	// Assignee is the member: urn:li:person:{id}.
	Assignee string
	// EntityType is EntityTypeJobPosting when empty.
	EntityType string
}

func (k ACLAssigneeKey) restli(f family) restli.Key {
	et := k.EntityType
	if et == "" {
		et = EntityTypeJobPosting
	}
	key := restli.Key{{Name: "atsEntityAclId", Value: k.ACLID}, {Name: "integrationContext", Value: k.IntegrationContext}}
	if !f.versioned {
		key = append(key, restli.Field{Name: "dataProvider", Value: dataProviderATS})
	}
	return append(key, restli.Field{Name: "assignee", Value: k.Assignee}, restli.Field{Name: "atsEntityType", Value: et})
}

// String implements fmt.Stringer.
func (k ACLAssigneeKey) String() string { return k.ACLID + "/" + k.Assignee }

func checkKeyParts(res, idField, id, ctx string) error {
	if id == "" {
		return &ValidationError{Resource: res, Key: id, Field: idField, Rule: "must not be empty"}
	}
	if strings.TrimSpace(id) == "" {
		return &ValidationError{Resource: res, Key: id, Field: idField, Rule: "must not be blank"}
	}
	if !IsOrganizationURN(ctx) {
		return &ValidationError{Resource: res, Key: id, Field: "integrationContext", Rule: "must be urn:li:organization:{numeric id}"}
	}
	return nil
}

// IsOrganizationURN reports whether s is urn:li:organization: followed by 1
// to 19 decimal digits, the only integration context the keys of synced
// records take (docs/linkedin-api.md §7): the rule Validate applies to
// every record key's IntegrationContext.
func IsOrganizationURN(s string) bool {
	id, ok := strings.CutPrefix(s, "urn:li:organization:")
	if !ok || id == "" || len(id) > 19 {
		return false
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
