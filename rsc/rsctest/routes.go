package rsctest

import (
	"strings"
)

// route binds one path of one endpoint family (/v2 or /rest) to a handler.
// The handlers are shared between families; a route only carries the small
// table of name differences (docs/linkedin-api.md §11): key field renames, entity field
// renames and whether dataProvider is part of the key.
type route struct {
	name       string // resource name as it appears in the path (messages)
	canonical  string // canonical (v2) resource name: throttle bucket, fault matching
	rest       bool
	class      class
	kind       *kind // generic keyed entity kind, or the key rules of a custom handler
	handle     func(*call)
	parentOnly bool // only the partner token may call it
	// since is the first LinkedIn-Version (YYYYMM) that serves a /rest
	// route, when it came later than the others (docs/linkedin-api.md §11).
	since      string
	entityPath bool // accepts /name/{key}
	sub        bool // addressed as /parent/{key}/sub?ids=simpleId
	parent     *route
	requireDP  bool              // v2 compound keys carry dataProvider=ATS
	keyNames   map[string]string // request key field → canonical field
	docRenames map[string]string // request entity field → canonical field
	outRenames map[string]string // canonical entity field → response field
	extra      schema            // fields of this family's entity beyond the kind's, canonical names
	schema     schema            // the entity's fields as this family names them (set by init)
}

func invert(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

var routesV2, routesRest map[string]*route

// candidateRest are the entity field renames of versioned candidates and
// candidate notes (docs/linkedin-api.md §11).
var candidateRest = map[string]string{"externalCreatedAt": "atsCreatedAt", "externalLastModifiedAt": "atsLastModifiedAt"}

// versionedNote is what a versioned candidate note has beyond a /v2 one: a
// modified time (externalLastModifiedAt, docs/linkedin-api.md §11).
// Versioned application notes have none.
var versionedNote = schema{"atsLastModifiedAt": nil}

func init() {
	v2 := func(r *route) *route { r.requireDP = r.kind != nil && !r.sub; return r }
	rest := func(r *route) *route { r.rest = true; r.outRenames = invert(r.docRenames); return r }
	// restNote is rest for a candidate-note route: its entity has
	// versionedNote too.
	restNote := func(r *route) *route { r.extra = versionedNote; return rest(r) }

	integ := &route{name: "atsIntegrations", canonical: "atsIntegrations", class: classIntegrations, kind: integrationKind, handle: handleIntegrations}
	integR := &route{name: "integrations", canonical: "atsIntegrations", class: classIntegrations, kind: integrationKind, handle: handleIntegrations}
	cand := &route{name: "atsCandidates", canonical: "atsCandidates", class: classSync, kind: candidateKind, handle: handleEntities}
	candR := &route{name: "candidates", canonical: "atsCandidates", class: classSync, kind: candidateKind, handle: handleEntities,
		keyNames: map[string]string{"externalCandidateId": "atsCandidateId"}, docRenames: candidateRest}
	app := &route{name: "atsApplications", canonical: "atsApplications", class: classSync, kind: applicationKind, handle: handleEntities}
	appR := &route{name: "atsApplications", canonical: "atsApplications", class: classSync, kind: applicationKind, handle: handleEntities}

	sub := func(parent *route, name, canonical string, k *kind, cl class) *route {
		return &route{name: parent.name + "/" + name, canonical: canonical, class: cl, kind: k, handle: handleEntities, sub: true, parent: parent,
			docRenames: parent.docRenames}
	}
	jobs := func(r bool) []*route {
		return []*route{
			{name: "simpleJobPostings", canonical: "simpleJobPostings", class: classJobs, handle: handleJobs, rest: r},
			{name: "simpleJobPostingTasks", canonical: "simpleJobPostingTasks", class: classJobTasks, handle: handleTasks, rest: r},
			{name: "exportedCandidates", canonical: "exportedCandidates", handle: handleExportedCandidates, rest: r},
			{name: "seatsV2", canonical: "seatsV2", class: classProspect, handle: handleSeatsV2, rest: r},
			{name: "conversationEvents", canonical: "conversationEvents", class: classProspect, handle: handleConversationEvents, rest: r},
			{name: "mailStubs", canonical: "mailStubs", class: classProspect, handle: handleMailStubs, rest: r},
			{name: "prospectNotes", canonical: "prospectNotes", class: classProspect, handle: handleProspectNotes, rest: r},
			// LinkedIn's deletion notices (docs/linkedin-api.md §8.7); the
			// path rscgo used before it knew LinkedIn's,
			// closedCandidateProfiles, is a 404 like any unknown resource.
			{name: "atsPurgedExportedCandidates", canonical: "atsPurgedExportedCandidates", handle: handlePurgedExportedCandidates, rest: r},
		}
	}

	routesV2 = map[string]*route{}
	for _, r := range []*route{
		v2(integ), v2(cand), v2(app),
		sub(integ, "configurations", "atsIntegrationConfigurations", configKind, classIntegrations),
		sub(cand, "notes", "candidateNotes", candidateNoteKind, classSync),
		sub(app, "notes", "applicationNotes", applicationNoteKind, classSync),
		sub(app, "interviewFeedback", "interviewFeedback", feedbackKind, classSync),
		sub(app, "stages", "stages", stageKind, classSync),
		v2(&route{name: "atsEntityAcls", canonical: "atsEntityAcls", class: classSync, kind: aclKind, handle: handleEntities}),
		v2(&route{name: "atsEntityAclAssignees", canonical: "atsEntityAclAssignees", class: classSync, kind: assigneeKind, handle: handleEntities}),
		{name: "seats", canonical: "seats", class: classProspect, handle: handleSeats},
	} {
		routesV2[r.name] = r
	}
	for _, r := range jobs(false) {
		routesV2[r.name] = r
	}
	// LinkedIn publishes the Provisioning API only under /v2
	// (docs/linkedin-api.md §6.1): /rest/provisionedApplications is a 404.
	routesV2["provisionedApplications"] = &route{name: "provisionedApplications", canonical: "provisionedApplications",
		handle: handleProvisioning, parentOnly: true, entityPath: true}

	routesRest = map[string]*route{}
	for _, r := range []*route{
		rest(integR), rest(candR), rest(appR),
		rest(&route{name: "integrationConfigurations", canonical: "atsIntegrationConfigurations", class: classIntegrations, kind: configKind, handle: handleEntities,
			keyNames: map[string]string{"configurationKey": "configurationType"}}),
		rest(sub(integR, "configurations", "atsIntegrationConfigurations", configKind, classIntegrations)),
		restNote(&route{name: "candidateNotes", canonical: "candidateNotes", class: classSync, kind: candidateNoteKind, handle: handleEntities,
			keyNames: map[string]string{"externalCandidateId": "atsCandidateId", "externalNoteId": "noteId"}, docRenames: candidateRest}),
		restNote(sub(candR, "notes", "candidateNotes", candidateNoteKind, classSync)),
		// LinkedIn renames the keys of versioned application notes, not
		// their fields (docs/linkedin-api.md §11).
		rest(&route{name: "applicationNotes", canonical: "applicationNotes", class: classSync, kind: applicationNoteKind, handle: handleEntities,
			keyNames: map[string]string{"externalJobApplicationId": "atsJobApplicationId", "externalNoteId": "noteId"}}),
		rest(sub(appR, "notes", "applicationNotes", applicationNoteKind, classSync)),
		// Versioned feedback and stages are resources of their own, keyed by
		// application, integration context and record id
		// (docs/linkedin-api.md §11).
		rest(&route{name: "applicationInterviewFeedbacks", canonical: "interviewFeedback", class: classSync, kind: feedbackKind, handle: handleEntities,
			keyNames: map[string]string{"jobApplicationId": "atsJobApplicationId", "interviewFeedbackId": "feedbackId"}}),
		rest(&route{name: "applicationStage", canonical: "stages", class: classSync, kind: stageKind, handle: handleEntities,
			keyNames: map[string]string{"jobApplicationId": "atsJobApplicationId", "jobApplicationStageId": "stageId"}}),
		rest(&route{name: "entityAcls", canonical: "atsEntityAcls", class: classSync, kind: aclKind, handle: handleEntities, since: "202511"}),
		rest(&route{name: "entityAclAssignees", canonical: "atsEntityAclAssignees", class: classSync, kind: assigneeKind, handle: handleEntities, since: "202511"}),
	} {
		routesRest[r.name] = r
	}
	for _, r := range jobs(true) {
		routesRest[r.name] = r
	}
	for _, table := range []map[string]*route{routesV2, routesRest} {
		for _, r := range table {
			if r.kind != nil && r.kind.schema != nil {
				r.schema = r.kind.schema.with(r.extra).renamed(r.outRenames)
			}
		}
	}
}

// resolveRoute maps the escaped path after /v2/ or /rest/ to a route and the
// raw key path segment, if any.
func resolveRoute(rest bool, tail string) (*route, string, bool) {
	table := routesV2
	if rest {
		table = routesRest
	}
	tail = strings.TrimSuffix(tail, "/")
	first, more, _ := strings.Cut(tail, "/")
	if more == "" {
		r, ok := table[first]
		if !ok || r.sub {
			return nil, "", false
		}
		return r, "", true
	}
	key, subName, hasSub := strings.Cut(more, "/")
	if !hasSub {
		r, ok := table[first]
		if !ok || !r.entityPath || key == "" {
			return nil, "", false
		}
		return r, key, true
	}
	r, ok := table[first+"/"+subName]
	if !ok || key == "" {
		return nil, "", false
	}
	return r, key, true
}
