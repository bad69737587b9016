package rsctest

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// schema names the fields of a record LinkedIn's schema has, canonical
// (v2) names. A field's value is the schema of the record it holds (or of
// each element of the array it holds) when that record's fields are
// checked too, nil when they are not: a scalar, or a record whose schema
// LinkedIn does not publish (addresses, phone numbers).
type schema map[string]schema

// actorSchema is the Actor record of notes and interview feedback.
var actorSchema = schema{"firstName": nil, "lastName": nil}

// moneySchema is an amount of a job's compensation.
var moneySchema = schema{"amount": nil, "currencyCode": nil}

// The record schemas of docs/linkedin-api.md §7 (sync) and §6.5
// (configurations), as LinkedIn's field tables and samples give them.
var (
	candidateSchema = schema{
		"addresses": nil, "atsCreatedAt": nil, "atsLastModifiedAt": nil, "currentCompanyName": nil, "currentJobTitle": nil,
		"doNotContact": nil, "emailAddresses": nil, "externalProfileUrl": nil, "firstName": nil, "lastName": nil,
		"linkedInProfileUrl": nil, "middleInitial": nil, "prefix": nil, "suffix": nil, "phoneNumbers": nil,
		"manualMatchedMember": nil, "matchedMembers": nil,
	}
	applicationSchema = schema{
		"atsCandidateId": nil, "atsCreatedAt": nil, "atsLastModifiedAt": nil, "atsJobPostingId": nil, "atsJobPostingName": nil,
		"candidateEmail": nil, "firstName": nil, "lastName": nil, "source": nil, "dispositionReason": nil,
	}
	noteSchema     = schema{"atsCreatedAt": nil, "author": actorSchema, "note": nil}
	feedbackSchema = schema{"atsCreatedAt": nil, "interviewer": actorSchema, "evaluations": {"attribute": nil, "result": nil},
		"feedback": nil, "interviewType": nil}
	stageSchema  = schema{"atsCreatedAt": nil, "stage": nil}
	configSchema = schema{"configurationValue": {"string": nil}}
	// integrationSchema is what a partial update of an integration may name.
	integrationSchema = schema{"integrationContext": nil, "integrationType": nil, "tenantType": nil, "integrationName": nil,
		"status": nil, "productSettings": nil}
	// jobSchema is the /v2 job posting schema with its RSC and premium
	// extensions and the legacy fields LinkedIn still lists (§7.1);
	// Apply Connect's onsiteApplyConfiguration is not checked inside.
	jobSchema = schema{
		"integrationContext": nil, "companyName": nil, "companyPageUrl": nil, "companyApplyUrl": nil,
		"externalJobPostingId": nil, "jobPostingOperationType": nil, "title": nil, "description": nil, "listedAt": nil,
		"location": nil, "alternateLocations": nil, "categories": nil, "skillsDescription": nil, "companyJobCode": nil,
		"workplaceTypes": nil, "industries": nil, "employmentStatus": nil, "experienceLevel": nil, "trackingPixelUrl": nil,
		"expireAt": nil, "listingType": nil, "availability": nil, "accessRestricted": nil,
		"requisitionOwnerEmail": nil, "requisitionOwnerFirstName": nil, "requisitionOwnerLastName": nil,
		"contract": nil, "posterEmail": nil, "showPosterInfo": nil, "onsiteApplyConfiguration": nil,
		"state": nil, "countryCode": nil, "postalCode": nil,
		"compensation": {"compensations": {"period": nil, "type": nil,
			"value": {"exactAmount": moneySchema, "range": {"start": moneySchema, "end": moneySchema}}}},
	}
	// versionedJobSchema is jobSchema without the fields of the Recruiter
	// System Connect extension that the versioned API no longer takes
	// (docs/linkedin-api.md §7.1): accessRestricted and the requisition
	// owner's. Its availability stays, with PUBLIC and INTERNAL only
	// (versionedAvailabilities).
	versionedJobSchema = without(jobSchema, "accessRestricted",
		"requisitionOwnerEmail", "requisitionOwnerFirstName", "requisitionOwnerLastName")
)

// without returns a copy of s without the named fields.
func without(s schema, names ...string) schema {
	out := maps.Clone(s)
	for _, n := range names {
		delete(out, n)
	}
	return out
}

// with returns a copy of s with the fields of more added.
func (s schema) with(more schema) schema {
	out := maps.Clone(s)
	maps.Copy(out, more)
	return out
}

// renamed returns s with its top-level fields named as a request family
// names them (outRenames: canonical → request name); nil for nil.
func (s schema) renamed(outRenames map[string]string) schema {
	if s == nil || len(outRenames) == 0 {
		return s
	}
	out := make(schema, len(s))
	for name, sub := range s {
		if n, ok := outRenames[name]; ok {
			name = n
		}
		out[name] = sub
	}
	return out
}

// unknownFields appends to out the paths of the fields of doc, at path,
// that s does not have, depth first in name order. A value that is not a
// JSON object (or an array of them) has no fields; its type is judged by
// the record's validation.
func (s schema) unknownFields(doc json.RawMessage, path string, out []string) []string {
	doc = bytes.TrimLeft(doc, " \t\r\n")
	if len(doc) > 0 && doc[0] == '[' {
		var elems []json.RawMessage
		if json.Unmarshal(doc, &elems) != nil {
			return out
		}
		for i, el := range elems {
			out = s.unknownFields(el, path+"/"+strconv.Itoa(i), out)
		}
		return out
	}
	var m map[string]json.RawMessage
	if len(doc) == 0 || doc[0] != '{' || json.Unmarshal(doc, &m) != nil {
		return out
	}
	for _, name := range slices.Sorted(maps.Keys(m)) {
		sub, ok := s[name]
		switch {
		case !ok:
			out = append(out, path+"/"+name)
		case sub != nil:
			out = sub.unknownFields(m[name], path+"/"+name, out)
		}
	}
	return out
}

// unpermittedMsg is LinkedIn's message for fields not in the schema, as
// its create-jobs page shows it for the request body:
// "Unpermitted fields present in REQUEST_BODY: Data Processing Exception
// while processing fields [/elements]".
func unpermittedMsg(paths []string) string {
	return "Unpermitted fields present in REQUEST_BODY: Data Processing Exception while processing fields [" + strings.Join(paths, ", ") + "]"
}

// unpermitted returns LinkedIn's 403 for the fields of doc that s does
// not have, or nil when it has them all or the server takes any field
// (WithLenientFields).
func (c *call) unpermitted(s schema, doc json.RawMessage) *entityError {
	if c.s.cfg.lenientFields || s == nil {
		return nil
	}
	if paths := s.unknownFields(doc, "", nil); len(paths) > 0 {
		return statusErr(http.StatusForbidden, unpermittedMsg(paths))
	}
	return nil
}

// unpermittedPatch is unpermitted for a partial update: the fields it sets
// (and the records inside them) and the fields it deletes.
func (c *call) unpermittedPatch(s schema, p patch) *entityError {
	named := maps.Clone(p.Set)
	if named == nil {
		named = map[string]json.RawMessage{}
	}
	for _, name := range p.Delete {
		if _, ok := named[name]; !ok {
			named[name] = json.RawMessage("null")
		}
	}
	doc, _ := json.Marshal(named)
	return c.unpermitted(s, doc)
}
