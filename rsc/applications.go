package rsc

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/rscgo/rscgo/internal/restli"
)

// ApplicationsService syncs applications (placements from shortlist onwards)
// with their notes, interview feedback and stage history.
type ApplicationsService service

// Application is a job application. LinkedIn replaces the whole record on
// every upsert ("omitting a field will set it to null"), so this type has no
// optional fields: every field is always sent, and an empty string is sent as
// an explicit empty value. There is deliberately no partial-update method.
// The current stage is not a field: send the stage history with UpsertStages.
type Application struct {
	Key ApplicationKey `json:"-"`

	CandidateID    string `json:"atsCandidateId"`
	JobPostingID   string `json:"atsJobPostingId"`   // the job's externalJobPostingId
	JobPostingName string `json:"atsJobPostingName"` // the job's title
	// CandidateEmail must match X@X.X when set. It may be empty (our
	// choice; docs/linkedin-api.md §7.4 leaves "required" unconfirmed): a candidate
	// exported from LinkedIn has no email until the recruiter adds one.
	CandidateEmail    string      `json:"candidateEmail,omitempty"`
	FirstName         string      `json:"firstName"`
	LastName          string      `json:"lastName"`
	Source            string      `json:"source"`
	DispositionReason string      `json:"dispositionReason"`
	CreatedAt         EpochMillis `json:"atsCreatedAt"`
	LastModifiedAt    EpochMillis `json:"atsLastModifiedAt"`
}

func validateApplication(v *validator, a *Application) {
	if err := a.Key.check(); err != nil {
		ve := err.(*ValidationError)
		v.fail(ve.Field, ve.Rule)
		return
	}
	v.text("atsJobApplicationId", a.Key.ApplicationID, true, 255)
	v.text("atsCandidateId", a.CandidateID, false, 255)
	v.text("atsJobPostingId", a.JobPostingID, true, 200)
	v.text("atsJobPostingName", a.JobPostingName, true, 200)
	if a.CandidateEmail != "" {
		v.email("candidateEmail", a.CandidateEmail)
	}
	v.text("firstName", a.FirstName, true, 255)
	v.text("lastName", a.LastName, false, 255)
	v.text("source", a.Source, false, 255)
	v.text("dispositionReason", a.DispositionReason, false, 0)
	v.millis("atsCreatedAt", a.CreatedAt, true)
	v.millis("atsLastModifiedAt", a.LastModifiedAt, true)
	if a.LastModifiedAt < a.CreatedAt {
		v.fail("atsLastModifiedAt", "must be >= atsCreatedAt")
	}
}

// Validate checks the record against LinkedIn's documented rules.
func (s *ApplicationsService) Validate(a *Application) error {
	v := s.c.validator(resApplications.legacy, a.Key.ApplicationID)
	validateApplication(v, a)
	return v.result()
}

// Upsert creates or fully replaces applications (PUT batch_update), in
// batches of at most 100, in order. See CandidatesService.Upsert for how
// failures are reported.
func (s *ApplicationsService) Upsert(ctx context.Context, apps []Application) (*BatchResult[ApplicationKey], error) {
	c := s.c
	entries := make([]entry[ApplicationKey], len(apps))
	seen := make(map[ApplicationKey]bool, len(apps))
	for i := range apps {
		a := &apps[i]
		e := &entries[i]
		e.key, e.label = a.Key, a.Key.ApplicationID
		v := c.validator(resApplications.legacy, a.Key.ApplicationID)
		validateApplication(v, a)
		if seen[a.Key] {
			v.fail("atsJobApplicationId", "appears more than once in this call")
		}
		seen[a.Key] = true
		if e.err = v.result(); e.err != nil {
			continue
		}
		e.rkey = a.Key.restli(c.fam)
		e.body, e.err = json.Marshal(a)
	}
	return writeBatches(ctx, c, batchOp{method: http.MethodPut, restli: "batch_update",
		path: "/" + c.fam.name(resApplications), res: resApplications, records: true}, entries)
}

// Delete removes applications. LinkedIn also deletes their notes, interview
// feedback and stages.
func (s *ApplicationsService) Delete(ctx context.Context, keys []ApplicationKey) (*BatchResult[ApplicationKey], error) {
	c := s.c
	entries := make([]entry[ApplicationKey], len(keys))
	for i, k := range keys {
		entries[i] = entry[ApplicationKey]{key: k, label: k.ApplicationID, err: k.check()}
		if entries[i].err == nil {
			entries[i].rkey = k.restli(c.fam)
		}
	}
	return writeBatches(ctx, c, batchOp{method: http.MethodDelete, restli: "batch_delete",
		path: "/" + c.fam.name(resApplications), res: resApplications, records: true}, entries)
}

func applicationNotes(c *Client, k ApplicationKey) noteTarget {
	return noteTarget{res: resApplicationNotes, parentRes: resApplications, parentKey: k.restli(c.fam),
		versionedKey: func(id string) restli.Key {
			return restli.Key{{Name: "externalJobApplicationId", Value: k.ApplicationID}, {Name: "externalNoteId", Value: id}, {Name: "integrationContext", Value: k.IntegrationContext}}
		}}
}

// UpsertNotes creates or replaces notes of one application.
func (s *ApplicationsService) UpsertNotes(ctx context.Context, app ApplicationKey, notes []Note) (*BatchResult[NoteKey], error) {
	c := s.c
	if err := app.check(); err != nil {
		return nil, err
	}
	return c.writeNotes(ctx, applicationNotes(c, app), app.ApplicationID, notes, false, nil)
}

// DeleteNotes deletes notes of one application.
func (s *ApplicationsService) DeleteNotes(ctx context.Context, app ApplicationKey, noteIDs []string) (*BatchResult[NoteKey], error) {
	c := s.c
	if err := app.check(); err != nil {
		return nil, err
	}
	return c.writeNotes(ctx, applicationNotes(c, app), app.ApplicationID, nil, true, noteIDs)
}

// subEntity is a record of an application sub-resource keyed by a simple id.
type subEntity interface {
	subID() string
	validate(v *validator)
}

// validateSub checks one sub-resource record as writeSub does.
func validateSub[T subEntity](c *Client, res *resource, rec T) error {
	id := rec.subID()
	v := c.validator(res.legacy, id)
	v.text("id", id, true, 255)
	rec.validate(v)
	return v.result()
}

// writeSub upserts (or deletes, when del) records of an application
// sub-resource (interviewFeedback, stages) keyed by simple ids.
func writeSub[T subEntity](ctx context.Context, c *Client, res *resource, app ApplicationKey, recs []T, del bool, ids []string) (*BatchResult[NoteKey], error) {
	if err := app.check(); err != nil {
		return nil, err
	}
	n := len(recs)
	if del {
		n = len(ids)
	}
	entries := make([]entry[NoteKey], n)
	seen := make(map[string]bool, n)
	for i := range n {
		var id string
		if del {
			id = ids[i]
		} else {
			id = recs[i].subID()
		}
		e := &entries[i]
		e.key, e.label, e.simple = NoteKey{Parent: app.ApplicationID, NoteID: id}, id, id
		v := c.validator(res.legacy, id)
		v.text("id", id, true, 255)
		if !del {
			recs[i].validate(v)
		}
		if seen[id] {
			v.fail("id", "appears more than once in this call")
		}
		seen[id] = true
		if e.err = v.result(); e.err != nil || del {
			continue
		}
		e.body, e.err = json.Marshal(recs[i])
	}
	path := "/" + c.fam.name(resApplications) + "/" + c.keyPath(app.restli(c.fam)) + "/" + res.legacy
	op := batchOp{method: http.MethodPut, restli: "batch_update", path: path, res: res, records: true}
	if del {
		op.method, op.restli = http.MethodDelete, "batch_delete"
	}
	return writeBatches(ctx, c, op, entries)
}
