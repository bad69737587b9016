package rsc

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/rscgo/rscgo/internal/restli"
)

// Actor is a person named on a note or feedback.
type Actor struct {
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

// Note is a candidate note or an application note (docs/linkedin-api.md §7.3, §7.5).
type Note struct {
	ID             string      `json:"-"` // the ATS's note id (the batch key)
	Note           string      `json:"note,omitempty"`
	Author         *Actor      `json:"author,omitempty"`
	CreatedAt      EpochMillis `json:"atsCreatedAt,omitempty"`
	LastModifiedAt EpochMillis `json:"atsLastModifiedAt,omitempty"` // sent on the versioned endpoints only
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

func (c *Client) writeNotes(ctx context.Context, t noteTarget, parent string, notes []Note, del bool, ids []string) (*BatchResult[NoteKey], error) {
	n := len(notes)
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
	op := batchOp{method: http.MethodPut, restli: "batch_update", path: path, res: t.res, records: true}
	if del {
		op.method, op.restli = http.MethodDelete, "batch_delete"
	}
	return writeBatches(ctx, c, op, entries)
}

func candidateNotes(c *Client, k CandidateKey) noteTarget {
	return noteTarget{res: resCandidateNotes, parentRes: resCandidates, parentKey: k.restli(c.fam),
		versionedKey: func(id string) restli.Key {
			return restli.Key{{Name: "externalCandidateId", Value: k.CandidateID}, {Name: "externalNoteId", Value: id}, {Name: "integrationContext", Value: k.IntegrationContext}}
		}}
}

// UpsertNotes creates or replaces notes of one candidate (batch_update).
func (s *CandidatesService) UpsertNotes(ctx context.Context, cand CandidateKey, notes []Note) (*BatchResult[NoteKey], error) {
	c := s.c
	if err := cand.check(); err != nil {
		return nil, err
	}
	return c.writeNotes(ctx, candidateNotes(c, cand), cand.CandidateID, notes, false, nil)
}

// DeleteNotes deletes notes of one candidate (batch_delete).
func (s *CandidatesService) DeleteNotes(ctx context.Context, cand CandidateKey, noteIDs []string) (*BatchResult[NoteKey], error) {
	c := s.c
	if err := cand.check(); err != nil {
		return nil, err
	}
	return c.writeNotes(ctx, candidateNotes(c, cand), cand.CandidateID, nil, true, noteIDs)
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
	v := c.validator(res.legacy, n.ID)
	validateNote(v, n)
	return v.result()
}
