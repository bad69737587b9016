package rsc

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/rscgo/rscgo/internal/restli"
)

// Actor is a person named on a note or feedback. The rules on its names
// are on the field that holds it (Note.Author, InterviewFeedback.Interviewer).
type Actor struct {
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

// Note is a candidate note or an application note (docs/linkedin-api.md
// §7.3, §7.5). The rules on each field are the ones Validate and UpsertNotes
// check before sending ("text" as on Candidate).
type Note struct {
	// ID is the ATS's note id (the batch key): required text of at most 255
	// characters, unique within one call.
	ID string `json:"-"`
	// Note is optional text of at most 32,768 characters.
	Note string `json:"note,omitempty"`
	// Author is optional; when set, its first and last names are required
	// text of at most 255 characters each.
	Author *Actor `json:"author,omitempty"`
	// CreatedAt is optional: when set, epoch milliseconds (not seconds), not
	// more than an hour in the future.
	CreatedAt EpochMillis `json:"atsCreatedAt,omitempty"`
	// LastModifiedAt follows CreatedAt's rules. It is sent on the versioned
	// endpoints only.
	LastModifiedAt EpochMillis `json:"atsLastModifiedAt,omitempty"`
}

// Validate checks the note against the rules documented on its fields,
// judging timestamps by the system clock. UpsertNotes and the services'
// ValidateNote use the client's Clock.
func (n *Note) Validate() error {
	return checkRecord(resCandidateNotes, n.ID, time.Now(), n, validateNote)
}

func validateNote(v *validator, n *Note) {
	v.text("id", n.ID, true, 255)
	v.text("note", n.Note, false, 0)
	if n.Author != nil {
		v.text("author.firstName", n.Author.FirstName, true, 255)
		v.text("author.lastName", n.Author.LastName, true, 255)
	}
	v.millis("atsCreatedAt", n.CreatedAt, false)
	v.millis("atsLastModifiedAt", n.LastModifiedAt, false)
}

// noteParent is the key of a record that has notes (a candidate or an
// application).
type noteParent interface {
	check() error
	restli(family) restli.Key
	// notes returns the notes resource, the parent's resource, the parent's
	// id, and the name of the parent's id field in a versioned note key.
	notes() (res, parentRes *resource, id, versionedField string)
	integrationContext() string
}

// NoteKey identifies a note within its parent (candidate or application).
type NoteKey struct {
	Parent string // the candidate or application id
	NoteID string
}

// writeNotes upserts notes, or deletes the notes ids when notes is nil, of
// one candidate or application: a sub-resource of the parent's key on /v2,
// a resource of its own keyed by parent and note on /rest.
func (c *Client) writeNotes(ctx context.Context, pk noteParent, notes []Note, ids []string) (*BatchResult[NoteKey], error) {
	if err := pk.check(); err != nil {
		return nil, err
	}
	res, parentRes, parent, versionedField := pk.notes()
	del := notes == nil
	if !del {
		ids = recordIDs(notes, func(n Note) string { return n.ID })
	}
	entries := make([]entry[NoteKey], len(ids))
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		var note Note
		e := &entries[i]
		e.key, e.label = NoteKey{Parent: parent, NoteID: id}, id
		v := c.validator(res.legacy, id)
		if del {
			v.text("id", id, true, 255)
		} else {
			note = notes[i]
			validateNote(v, &note)
			if !c.fam.versioned {
				note.LastModifiedAt = 0
			}
		}
		v.unique("id", seen, id)
		if e.err = v.result(); e.err != nil {
			continue
		}
		if c.fam.versioned {
			e.rkey = restli.Key{{Name: versionedField, Value: parent}, {Name: "externalNoteId", Value: id},
				{Name: "integrationContext", Value: pk.integrationContext()}}
		} else {
			e.simple = id
		}
		if !del {
			e.body, e.err = json.Marshal(&note)
		}
	}
	path := "/" + c.fam.name(res)
	if !c.fam.versioned {
		path = "/" + parentRes.legacy + "/" + c.keyPath(pk.restli(c.fam)) + "/" + res.legacy
	}
	method := http.MethodPut
	if del {
		method = http.MethodDelete
	}
	return writeBatches(ctx, c, c.batchOpFor(method, res, path), entries)
}

// UpsertNotes creates or replaces notes of one candidate (batch_update).
func (s *CandidatesService) UpsertNotes(ctx context.Context, cand CandidateKey, notes []Note) (*BatchResult[NoteKey], error) {
	return s.c.writeNotes(ctx, cand, notes, nil)
}

// DeleteNotes deletes notes of one candidate (batch_delete).
func (s *CandidatesService) DeleteNotes(ctx context.Context, cand CandidateKey, noteIDs []string) (*BatchResult[NoteKey], error) {
	return s.c.writeNotes(ctx, cand, nil, noteIDs)
}

// ValidateNote checks a candidate note against LinkedIn's documented rules
// (docs/linkedin-api.md §7.3), as UpsertNotes does before sending.
func (s *CandidatesService) ValidateNote(n *Note) error {
	return s.c.validateNoteOf(resCandidateNotes, n)
}

func (c *Client) validateNoteOf(res *resource, n *Note) error {
	return checkRecord(res, n.ID, c.cfg.clock.Now(), n, validateNote)
}
