package rsc

import (
	"bytes"

	"github.com/rscgo/rscgo/internal/restli"
)

// family hides the difference between LinkedIn's legacy /v2 endpoints and the
// versioned /rest endpoints (docs/linkedin-api.md §11): resource names, key field
// names, the dataProvider key field, entity field names and the Rest.li
// protocol (1.0 keys on /v2 as in LinkedIn's docs and Postman collection; 2.0
// on /rest as LinkedIn's official clients send).
type family struct {
	versioned bool
	proto     restli.Protocol
	// version is the LinkedIn-Version of the versioned family, YYYYMM with
	// an optional patch (".NN"); "" for the legacy family.
	version string
}

func newFamily(version string) family {
	if version != "" {
		return family{versioned: true, proto: restli.Protocol2, version: version}
	}
	return family{proto: restli.Protocol1}
}

// resource names a Rest.li resource in both families.
type resource struct {
	legacy, versioned string
	bucket            Bucket
	// renames maps legacy entity field names to versioned ones.
	renames [][2]string
	// quota names the throttle counter the resource is charged to. LinkedIn
	// counts the sync and integration resources each on its own ("100,000
	// requests a day per application" per resource); the four
	// prospect-interaction resources share one counter.
	quota string
	// subKey names, on /rest, the key fields of a versioned application
	// sub-resource: the application's id and the record's own id
	// (docs/linkedin-api.md §11).
	subKey [2]string
	// v2Only pins the resource to the legacy family whatever the client's:
	// the /v2 path, Rest.li 1.0 and no LinkedIn-Version or protocol header.
	// LinkedIn publishes the Provisioning API only under /v2
	// (docs/linkedin-api.md §6.1).
	v2Only bool
	// since is the first LinkedIn-Version (YYYYMM) with the resource under
	// /rest, when it came later than the others: a client pinned to an
	// earlier version sends it in the legacy family, where LinkedIn still
	// serves it (docs/linkedin-api.md §11).
	since string
}

// legacyFamily is the family of the legacy /v2 endpoints.
var legacyFamily = newFamily("")

// of returns the family r is sent in by a client of family f: f itself,
// or the legacy family for a resource pinned to /v2 or not yet under /rest
// in f's version.
func (f family) of(r *resource) family {
	if r != nil && (r.v2Only || f.versioned && f.version[:len("YYYYMM")] < r.since) {
		return legacyFamily
	}
	return f
}

func (f family) name(r *resource) string {
	if f.versioned && r.versioned != "" {
		return r.versioned
	}
	return r.legacy
}

// entity rewrites a legacy-named JSON entity for the versioned family. Field
// names are matched with their quotes and colon, which cannot occur inside a
// JSON string value (quotes there are escaped).
func (f family) entity(r *resource, js []byte) []byte { return f.rename(r, js, 0, 1) }

// unentity is the inverse of entity, for responses.
func (f family) unentity(r *resource, js []byte) []byte { return f.rename(r, js, 1, 0) }

// rename replaces each of r's field names at index from of its rename pair
// by the one at index to, on the versioned family only.
func (f family) rename(r *resource, js []byte, from, to int) []byte {
	if !f.versioned {
		return js
	}
	for _, rn := range r.renames {
		js = bytes.ReplaceAll(js, []byte(`"`+rn[from]+`":`), []byte(`"`+rn[to]+`":`))
	}
	return js
}

var (
	resCandidates = &resource{legacy: "atsCandidates", versioned: "candidates", bucket: BucketSync, quota: "atsCandidates",
		renames: [][2]string{{"atsCreatedAt", "externalCreatedAt"}, {"atsLastModifiedAt", "externalLastModifiedAt"}}}
	resCandidateNotes = &resource{legacy: "notes", versioned: "candidateNotes", bucket: BucketSync, quota: "atsCandidates/notes",
		renames: [][2]string{{"atsCreatedAt", "externalCreatedAt"}, {"atsLastModifiedAt", "externalLastModifiedAt"}}}
	resApplications      = &resource{legacy: "atsApplications", versioned: "atsApplications", bucket: BucketSync, quota: "atsApplications"}
	resApplicationNotes  = &resource{legacy: "notes", versioned: "applicationNotes", bucket: BucketSync, quota: "atsApplications/notes"}
	resInterviewFeedback = &resource{legacy: "interviewFeedback", versioned: "applicationInterviewFeedbacks", bucket: BucketSync, quota: "atsApplications/interviewFeedback",
		subKey: [2]string{"jobApplicationId", "interviewFeedbackId"}}
	resStages = &resource{legacy: "stages", versioned: "applicationStage", bucket: BucketSync, quota: "atsApplications/stages",
		subKey: [2]string{"jobApplicationId", "jobApplicationStageId"}}
	resACLs              = &resource{legacy: "atsEntityAcls", versioned: "entityAcls", bucket: BucketSync, quota: "atsEntityAcls", since: "202511"}
	resACLAssignees      = &resource{legacy: "atsEntityAclAssignees", versioned: "entityAclAssignees", bucket: BucketSync, quota: "atsEntityAclAssignees", since: "202511"}
	resIntegrations      = &resource{legacy: "atsIntegrations", versioned: "integrations", bucket: BucketIntegrations, quota: "atsIntegrations"}
	resIntegrationConfig = &resource{legacy: "configurations", versioned: "integrationConfigurations", bucket: BucketIntegrations, quota: "atsIntegrations/configurations"}
	resJobs              = &resource{legacy: "simpleJobPostings", versioned: "simpleJobPostings", bucket: BucketJobs, quota: "simpleJobPostings"}
	resJobTasks          = &resource{legacy: "simpleJobPostingTasks", versioned: "simpleJobPostingTasks", bucket: BucketJobTasks, quota: "simpleJobPostingTasks"}
	resProvisioning      = &resource{legacy: "provisionedApplications", bucket: BucketUnmetered, quota: "provisionedApplications", v2Only: true}
	resExports           = &resource{legacy: "exportedCandidates", versioned: "exportedCandidates", bucket: BucketUnmetered, quota: "exportedCandidates"}
	resSeats             = &resource{legacy: "seatsV2", versioned: "seatsV2", bucket: BucketProspect, quota: "prospect"} // Seat reads id and seatId itself
	// LinkedIn publishes InMail history, stub profiles and prospect notes
	// only under /v2 and lists no versioned name for them
	// (docs/linkedin-api.md §11): they stay there whatever the client's family.
	resConversations  = &resource{legacy: "conversationEvents", bucket: BucketProspect, quota: "prospect", v2Only: true}
	resMailStubs      = &resource{legacy: "mailStubs", bucket: BucketProspect, quota: "prospect", v2Only: true}
	resProspectNotes  = &resource{legacy: "prospectNotes", bucket: BucketProspect, quota: "prospect", v2Only: true}
	resClosedProfiles = &resource{legacy: "atsPurgedExportedCandidates", bucket: BucketUnmetered, quota: "atsPurgedExportedCandidates"}
)

// dataProviderATS is the constant dataProvider key field of legacy keys.
const dataProviderATS = "ATS"
