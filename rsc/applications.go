package rsc

import (
	"context"
	"net/http"
	"time"

	"github.com/rscgo/rscgo/internal/restli"
)

// ApplicationsService syncs applications (placements from shortlist onwards)
// with their notes, interview feedback and stage history.
type ApplicationsService service

// Application is a job application (docs/linkedin-api.md §7.4). LinkedIn
// replaces the whole record on every upsert ("omitting a field will set it
// to null"), so every field is always sent, and an empty string is sent as
// an explicit empty value, except two: an empty CandidateEmail, and an
// empty CandidateID, which are left out so that LinkedIn stores null (an
// application linked to no candidate has no candidate id, not an empty
// one). There is
// deliberately no partial-update method. The current stage is not a field:
// send the stage history with UpsertStages. The rules on each field are the
// ones Validate and Upsert check before sending ("text" as on Candidate).
type Application struct {
	// Key identifies the application: ApplicationID is a required id;
	// IntegrationContext must be urn:li:organization:{digits}.
	Key ApplicationKey `json:"-"`

	// CandidateID links the candidate: an optional id, left out of the
	// upsert when empty (LinkedIn then holds null).
	CandidateID string `json:"atsCandidateId,omitempty"`
	// JobPostingID is the job's externalJobPostingId: a required id.
	JobPostingID string `json:"atsJobPostingId"`
	// JobPostingName is the job's title: required text.
	JobPostingName string `json:"atsJobPostingName"`
	// CandidateEmail must be text matching X@X.X when set. It
	// may be empty (our choice; docs/linkedin-api.md §7.4 leaves "required"
	// unconfirmed): a candidate exported from LinkedIn has no email until the
	// recruiter adds one.
	CandidateEmail string `json:"candidateEmail,omitempty"`
	// FirstName is required text.
	FirstName string `json:"firstName"`
	// LastName and Source are optional text.
	LastName string `json:"lastName"`
	Source   string `json:"source"`
	// DispositionReason is optional text.
	DispositionReason string `json:"dispositionReason"`
	// CreatedAt is required: epoch milliseconds, > 0 and not small enough to
	// be seconds (before March 1973). It may be in the future: LinkedIn
	// documents no limit.
	CreatedAt EpochMillis `json:"atsCreatedAt"`
	// LastModifiedAt is required as CreatedAt is, and not before it.
	LastModifiedAt EpochMillis `json:"atsLastModifiedAt"`
}

func validateApplication(v *validator, a *Application) {
	if v.adopt(a.Key.check()); v.err != nil {
		return
	}
	v.text("atsJobApplicationId", a.Key.ApplicationID, true, maxIDLen)
	v.text("atsCandidateId", a.CandidateID, false, maxIDLen)
	v.text("atsJobPostingId", a.JobPostingID, true, maxIDLen)
	v.text("atsJobPostingName", a.JobPostingName, true, 0)
	if a.CandidateEmail != "" {
		v.email("candidateEmail", a.CandidateEmail)
	}
	v.text("firstName", a.FirstName, true, 0)
	v.text("lastName", a.LastName, false, 0)
	v.text("source", a.Source, false, 0)
	v.text("dispositionReason", a.DispositionReason, false, 0)
	v.createdModified(a.CreatedAt, a.LastModifiedAt)
}

// Validate checks the application against the rules documented on its
// fields, as Upsert and ApplicationsService.Validate do.
func (a *Application) Validate() error {
	return checkRecord(resApplications, a.Key.ApplicationID, time.Now(), a, validateApplication)
}

// Validate checks the record against the rules documented on its fields,
// as Upsert does before sending.
func (s *ApplicationsService) Validate(a *Application) error {
	return checkRecord(resApplications, a.Key.ApplicationID, s.c.cfg.clock.Now(), a, validateApplication)
}

// ValidateParent checks k as the calls on the application's notes,
// interview feedback and stages do before sending: Validate, then, on /v2,
// where the key is a segment of those calls' URL path, that it takes at
// most 4 KB there once encoded, LinkedIn's limit on a path segment
// (docs/linkedin-api.md §2.2). The application itself is not held to it:
// its own calls name it in the query, which a long key tunnels.
func (s *ApplicationsService) ValidateParent(k ApplicationKey) error {
	return s.c.validateParent(k, resApplications)
}

// Upsert creates or fully replaces applications (PUT batch_update), in
// batches of at most 100, in order. See CandidatesService.Upsert for how
// failures are reported.
func (s *ApplicationsService) Upsert(ctx context.Context, apps []Application) (*BatchResult[ApplicationKey], error) {
	return upsertRecords[ApplicationKey](ctx, s.c, resApplications, &s.c.scratch.applications, apps)
}

// Delete removes applications. LinkedIn also deletes their notes, interview
// feedback and stages.
func (s *ApplicationsService) Delete(ctx context.Context, keys []ApplicationKey) (*BatchResult[ApplicationKey], error) {
	return writeBatches(ctx, s.c, s.c.batchOpFor(http.MethodDelete, resApplications, ""),
		keyEntries(s.c, resApplications, keys, nil, func(v *validator, k ApplicationKey) { v.adopt(k.check()) }))
}

// UpsertNotes creates or replaces notes of one application.
func (s *ApplicationsService) UpsertNotes(ctx context.Context, app ApplicationKey, notes []Note) (*BatchResult[NoteKey], error) {
	return s.c.writeNotes(ctx, app, notes, nil)
}

// ApplicationNote is a note with the application it belongs to
// (ApplicationsService.UpsertManyNotes).
type ApplicationNote struct {
	// Application is the note's application; see ApplicationKey for its
	// rules. A note whose key breaks them is refused alone.
	Application ApplicationKey
	// Note is the note; see Note for its rules.
	Note Note
}

// UpsertManyNotes creates or replaces notes of any number of applications
// (batch_update), as CandidatesService.UpsertManyNotes does for candidates:
// on the versioned endpoints up to 100 notes of different applications in
// one call, on /v2 one call per application. A note id may appear once per
// application; a note whose application key is invalid is refused alone.
func (s *ApplicationsService) UpsertManyNotes(ctx context.Context, notes []ApplicationNote) (*BatchResult[NoteKey], error) {
	return writeManyNotes(ctx, s.c, notes, applicationNote, false)
}

// DeleteManyNotes deletes notes of any number of applications
// (batch_delete), as CandidatesService.DeleteManyNotes does for
// candidates. Only each note's ID is read.
func (s *ApplicationsService) DeleteManyNotes(ctx context.Context, notes []ApplicationNote) (*BatchResult[NoteKey], error) {
	return writeManyNotes(ctx, s.c, notes, applicationNote, true)
}

func applicationNote(n *ApplicationNote) (ApplicationKey, Note) { return n.Application, n.Note }

// ValidateNote checks an application note against LinkedIn's documented
// rules (docs/linkedin-api.md §7.5), as UpsertNotes does before sending.
func (s *ApplicationsService) ValidateNote(n *Note) error {
	return s.c.validateNoteOf(resApplicationNotes, n)
}

// WireNote returns an application note as this client sends it: what
// LinkedIn can hold of it, for comparisons such as a content
// reconciliation (Note.LastModifiedAt).
func (s *ApplicationsService) WireNote(n Note) Note { return s.c.noteWire(resApplicationNotes, n) }

// DeleteNotes deletes notes of one application.
func (s *ApplicationsService) DeleteNotes(ctx context.Context, app ApplicationKey, noteIDs []string) (*BatchResult[NoteKey], error) {
	return s.c.writeNotes(ctx, app, nil, noteIDs)
}

// subEntity is a record of an application sub-resource keyed by a simple id.
type subEntity interface {
	subID() string
	validate(v *validator)
}

// validateSub checks one sub-resource record at time now, as writeSub does.
func validateSub[T subEntity](now time.Time, res *resource, rec T) error {
	id := rec.subID()
	v := &validator{res: res.legacy, key: id, now: now}
	v.text("id", id, true, maxIDLen)
	rec.validate(v)
	return v.result()
}

// recordIDs returns the id of each record, as id gives it.
func recordIDs[T any](recs []T, id func(T) string) []string {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = id(r)
	}
	return ids
}

// writeSub upserts (or deletes, when del) records of an application
// sub-resource (interviewFeedback, stages) of one application: on /v2 a
// sub-resource of the application's key, keyed by simple ids; on /rest a
// resource of its own keyed by application, integration context and record
// id (docs/linkedin-api.md §11).
func writeSub[T subEntity](ctx context.Context, c *Client, res *resource, app ApplicationKey, recs []T, del bool, ids []string) (*BatchResult[NoteKey], error) {
	path := "/" + c.fam.name(res)
	if !c.subVersioned(res) {
		var err error
		if path, err = c.parentPath(app, c.fam.name(resApplications), res.legacy); err != nil {
			return nil, err
		}
	} else if err := app.check(); err != nil {
		return nil, err
	}
	if !del {
		ids = recordIDs(recs, T.subID)
	}
	entries := make([]entry[NoteKey], len(ids))
	seen := make(map[noteID]bool, len(ids))
	for i, id := range ids {
		var rec *T
		if !del {
			rec = &recs[i]
		}
		entries[i] = subEntry(c, res, app, rec, id, seen)
	}
	return writeBatches(ctx, c, c.batchOpFor(writeMethod(del), res, path), entries)
}

// subVersioned reports whether res, an application sub-resource, is a
// resource of its own keyed by its application (on /rest).
func (c *Client) subVersioned(res *resource) bool { return c.fam.versioned && res.versioned != "" }

// writeMethod is the HTTP method of a batch upsert, or of a batch delete.
func writeMethod(del bool) string {
	if del {
		return http.MethodDelete
	}
	return http.MethodPut
}

// subEntry validates and encodes record id of application app: the record
// itself, or nothing for a delete (rec nil). seen holds the full keys of
// the call's records so far: an id may appear once per application.
func subEntry[T subEntity](c *Client, res *resource, app ApplicationKey, rec *T, id string, seen map[noteID]bool) entry[NoteKey] {
	e := entry[NoteKey]{key: NoteKey{Parent: app.ApplicationID, NoteID: id}, label: id}
	if c.subVersioned(res) {
		e.rkey = restli.Key{{Name: res.subKey[0], Value: app.ApplicationID},
			{Name: "integrationContext", Value: app.IntegrationContext}, {Name: res.subKey[1], Value: id}}
	} else {
		e.simple = id
	}
	v := c.validator(res.legacy, id)
	v.text("id", id, true, maxIDLen)
	if rec != nil {
		(*rec).validate(v)
	}
	unique(v, "id", seen, noteID{app.IntegrationContext, app.ApplicationID, id})
	if e.err = v.result(); e.err == nil && rec != nil {
		e.body, e.err = marshalBody(*rec)
	}
	return e
}

// writeManySub upserts the records of items, each with its application (of
// returns both), or deletes them when del is set (only their ids are
// read), of any number of applications. On /rest a record's key names its
// application, so the records go in batches of up to 100 in input order;
// on /v2 the path names the application, so they go in one call per
// application (perParent). A record whose application key is invalid is
// refused alone.
func writeManySub[T any, R subEntity](ctx context.Context, c *Client, res *resource, items []T, of func(*T) (ApplicationKey, R), del bool) (*BatchResult[NoteKey], error) {
	apps, recs := make([]ApplicationKey, len(items)), make([]R, len(items))
	for i := range items {
		apps[i], recs[i] = of(&items[i])
	}
	if !c.subVersioned(res) {
		return perParent(len(items), func(i int) ApplicationKey { return apps[i] },
			func(i int) NoteKey { return NoteKey{Parent: apps[i].ApplicationID, NoteID: recs[i].subID()} },
			func(app ApplicationKey, idx []int) (*BatchResult[NoteKey], error) {
				group, ids := make([]R, len(idx)), make([]string, len(idx))
				for j, i := range idx {
					group[j], ids[j] = recs[i], recs[i].subID()
				}
				return writeSub(ctx, c, res, app, group, del, ids)
			})
	}
	entries := make([]entry[NoteKey], len(items))
	seen := make(map[noteID]bool, len(items))
	for i := range items {
		rec := &recs[i]
		if del {
			rec = nil
		}
		if err := apps[i].check(); err != nil {
			entries[i] = entry[NoteKey]{key: NoteKey{Parent: apps[i].ApplicationID, NoteID: recs[i].subID()}, label: recs[i].subID(), err: err}
			continue
		}
		entries[i] = subEntry(c, res, apps[i], rec, recs[i].subID(), seen)
	}
	return writeBatches(ctx, c, c.batchOpFor(writeMethod(del), res, "/"+c.fam.name(res)), entries)
}

// perParent sends n records in one call per parent, in the order the
// parents first appear: send gets a parent and the indexes of its records
// and returns their results in that order, or nil and the error when the
// parent's key is invalid (nothing was sent). Items are in input order;
// after a failed call, the records not sent yet keep Status 0.
func perParent[P comparable](n int, parentOf func(int) P, keyOf func(int) NoteKey,
	send func(P, []int) (*BatchResult[NoteKey], error)) (*BatchResult[NoteKey], error) {
	out := &BatchResult[NoteKey]{Items: make([]Item[NoteKey], n)}
	var order []P
	byParent := map[P][]int{}
	for i := range n {
		p := parentOf(i)
		out.Items[i].Key = keyOf(i)
		if byParent[p] == nil {
			order = append(order, p)
		}
		byParent[p] = append(byParent[p], i)
	}
	for _, p := range order {
		idx := byParent[p]
		res, err := send(p, idx)
		if res == nil { // the parent's key is invalid: nothing was sent
			for _, i := range idx {
				out.Items[i].Err = err
			}
			continue
		}
		for j, i := range idx {
			out.Items[i] = res.Items[j]
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
