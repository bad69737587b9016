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

// noteTarget says where the notes of one parent live in each family.
type noteTarget struct {
	res          *resource  // the notes resource (legacy sub-resource name, versioned top-level name)
	parentRes    *resource  // legacy parent collection
	parentKey    restli.Key // legacy parent key
	versionedKey func(noteID string) restli.Key
}

// NoteKey identifies a note within its parent (candidate or application).
type NoteKey struct {
	Parent string // the candidate or application id
	NoteID string
}

// writeNotes upserts notes, or deletes the notes ids when notes is nil, of
// the parent whose key check returned parentErr.
func (c *Client) writeNotes(ctx context.Context, parentErr error, t noteTarget, parent string, notes []Note, ids []string) (*BatchResult[NoteKey], error) {
	if parentErr != nil {
		return nil, parentErr
	}
	del, n := notes == nil, len(notes)
	if del {
		n = len(ids)
	}
	entries := make([]entry[NoteKey], n)
	seen := make(map[string]bool, n)
	for i := range n {
		var id string
		var note Note
		if del {
			id = ids[i]
		} else {
			note = notes[i]
			id = note.ID
		}
		e := &entries[i]
		e.key, e.label = NoteKey{Parent: parent, NoteID: id}, id
		v := c.validator(t.res.legacy, id)
		if del {
			v.text("id", id, true, 255)
		} else {
			validateNote(v, &note)
			if !c.fam.versioned {
				note.LastModifiedAt = 0
			}
		}
		if seen[id] {
			v.fail("id", "appears more than once in this call")
		}
		seen[id] = true
		if e.err = v.result(); e.err != nil {
			continue
		}
		if c.fam.versioned {
			e.rkey = t.versionedKey(id)
		} else {
			e.simple = id
		}
		if !del {
			e.body, e.err = json.Marshal(&note)
		}
	}
	path := "/" + c.fam.name(t.res)
	if !c.fam.versioned {
		path = "/" + t.parentRes.legacy + "/" + c.keyPath(t.parentKey) + "/" + t.res.legacy
	}
	method := http.MethodPut
	if del {
		method = http.MethodDelete
	}
	return writeBatches(ctx, c, c.batchOpFor(method, t.res, path), entries)
}

func candidateNotes(c *Client, k CandidateKey) noteTarget {
	return noteTarget{res: resCandidateNotes, parentRes: resCandidates, parentKey: k.restli(c.fam),
		versionedKey: func(id string) restli.Key {
			return restli.Key{{Name: "externalCandidateId", Value: k.CandidateID}, {Name: "externalNoteId", Value: id}, {Name: "integrationContext", Value: k.IntegrationContext}}
		}}
}

// UpsertNotes creates or replaces notes of one candidate (batch_update).
func (s *CandidatesService) UpsertNotes(ctx context.Context, cand CandidateKey, notes []Note) (*BatchResult[NoteKey], error) {
	return s.c.writeNotes(ctx, cand.check(), candidateNotes(s.c, cand), cand.CandidateID, notes, nil)
}

// DeleteNotes deletes notes of one candidate (batch_delete).
func (s *CandidatesService) DeleteNotes(ctx context.Context, cand CandidateKey, noteIDs []string) (*BatchResult[NoteKey], error) {
	return s.c.writeNotes(ctx, cand.check(), candidateNotes(s.c, cand), cand.CandidateID, nil, noteIDs)
}

// ValidateNote checks a candidate note against LinkedIn's documented rules
// (docs/linkedin-api.md §7.3), as UpsertNotes does before sending.
func (s *CandidatesService) ValidateNote(n *Note) error {
	return s.c.validateNoteOf(resCandidateNotes, n)
}

// ValidateNote checks an application note against LinkedIn's documented
// rules (docs/linkedin-api.md §7.5), as UpsertNotes does before sending.
func (s *ApplicationsService) ValidateNote(n *Note) error {
	return s.c.validateNoteOf(resApplicationNotes, n)
}

func (c *Client) validateNoteOf(res *resource, n *Note) error {
	return checkRecord(res, n.ID, c.cfg.clock.Now(), n, validateNote)
}
