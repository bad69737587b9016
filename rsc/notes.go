package rsc

import (
	"context"
	"time"

	"github.com/rscgo/rscgo/internal/restli"
)

// Actor is a person named on a note or feedback. The rules on its names
// are on the field that holds it (Note.Author, InterviewFeedback.Interviewer).
type Actor struct {
	// FirstName and LastName are the person's names: text, required on
	// Note.Author and optional on InterviewFeedback.Interviewer.
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

// Note is a candidate note or an application note (docs/linkedin-api.md
// §7.3, §7.5). The rules on each field are the ones Validate and UpsertNotes
// check before sending ("text" as on Candidate).
type Note struct {
	// ID is the ATS's note id (the batch key): a required id, unique within
	// one call.
	ID string `json:"-"`
	// Note is optional text.
	Note string `json:"note,omitempty"`
	// Author is optional; when set, its first and last names are required
	// text.
	Author *Actor `json:"author,omitempty"`
	// CreatedAt is optional: when set, epoch milliseconds, > 0 and not small
	// enough to be seconds (before March 1973); it may be in the future.
	CreatedAt EpochMillis `json:"atsCreatedAt,omitempty"`
	// LastModifiedAt follows CreatedAt's rules. It is sent on versioned
	// candidate notes only: LinkedIn's /v2 notes and versioned application
	// notes have no such field (docs/linkedin-api.md §11).
	LastModifiedAt EpochMillis `json:"atsLastModifiedAt,omitempty"`
}

// Validate checks the note against the rules documented on its fields, as
// UpsertNotes and the services' ValidateNote do.
func (n *Note) Validate() error {
	return checkRecord(resCandidateNotes, n.ID, time.Now(), n, validateNote)
}

func validateNote(v *validator, n *Note) {
	v.text("id", n.ID, true, maxIDLen)
	v.text("note", n.Note, false, 0)
	if n.Author != nil {
		v.text("author.firstName", n.Author.FirstName, true, 0)
		v.text("author.lastName", n.Author.LastName, true, 0)
	}
	v.millis("atsCreatedAt", n.CreatedAt, false)
	v.millis("atsLastModifiedAt", n.LastModifiedAt, false)
}

// noteParent is the key of a record that has notes (a candidate or an
// application).
type noteParent interface {
	check() error
	idField() string // the parent's id field on /v2
	restli(family) restli.Key
	// notes returns the notes resource, the parent's resource, the parent's
	// id, and the name of the parent's id field in a versioned note key.
	notes() (res, parentRes *resource, id, versionedField string)
	integrationContext() string
}

// noteID is a note's full identity within one call: an id may appear once
// per parent, and a parent id once per integration context.
type noteID struct{ integration, parent, id string }

// NoteKey identifies a note within its parent (candidate or application).
type NoteKey struct {
	Parent string // the candidate or application id
	NoteID string // the record's id: Note.ID, InterviewFeedback.ID or Stage.ID
}

// writeNotes upserts notes, or deletes the notes ids when notes is nil, of
// one candidate or application: a sub-resource of the parent's key on /v2,
// a resource of its own keyed by parent and note on /rest.
func (c *Client) writeNotes(ctx context.Context, pk noteParent, notes []Note, ids []string) (*BatchResult[NoteKey], error) {
	res, parentRes, _, _ := pk.notes()
	path := "/" + c.fam.name(res)
	if !c.fam.versioned {
		var err error
		if path, err = c.parentPath(pk, parentRes.legacy, res.legacy); err != nil {
			return nil, err
		}
	} else if err := pk.check(); err != nil {
		return nil, err
	}
	del := notes == nil
	n := len(notes)
	if del {
		n = len(ids)
	}
	entries := make([]entry[NoteKey], n)
	seen := make(map[noteID]bool, n)
	for i := range entries {
		if del {
			entries[i] = c.noteEntry(pk, nil, ids[i], seen)
		} else {
			entries[i] = c.noteEntry(pk, &notes[i], notes[i].ID, seen)
		}
	}
	return writeBatches(ctx, c, c.batchOpFor(writeMethod(del), res, path), entries)
}

// noteEntry validates and encodes note id of parent pk: the note itself,
// or nothing for a delete (note nil). seen holds the full keys of the
// call's notes so far: an id may appear once per parent.
func (c *Client) noteEntry(pk noteParent, note *Note, id string, seen map[noteID]bool) entry[NoteKey] {
	res, _, parent, versionedField := pk.notes()
	e := entry[NoteKey]{key: NoteKey{Parent: parent, NoteID: id}, label: id}
	v := c.validator(res.legacy, id)
	var n Note
	if note == nil {
		v.text("id", id, true, maxIDLen)
	} else {
		n = *note
		validateNote(v, &n)
		n = c.noteWire(res, n)
	}
	unique(v, "id", seen, noteID{pk.integrationContext(), parent, id})
	if e.err = v.result(); e.err != nil {
		return e
	}
	if c.fam.versioned {
		e.rkey = restli.Key{{Name: versionedField, Value: parent}, {Name: "externalNoteId", Value: id},
			{Name: "integrationContext", Value: pk.integrationContext()}}
	} else {
		e.simple = id
	}
	if note != nil {
		e.body, e.err = marshalBody(&n)
	}
	return e
}

// writeManyNotes upserts the notes of items, each with its parent (of
// returns both), or deletes them when del is set (only their ids are
// read), parents of one kind in any number and order. On /rest a note's
// key names its parent, so the notes go in batches of up to 100 in input
// order whatever their parents; on /v2 the path names the parent, so they
// go in one call per parent, in the order the parents first appear. A note
// whose parent key is invalid is refused alone. Items are in input order;
// after a failed call, the notes not sent yet keep Status 0.
func writeManyNotes[T any, P interface {
	noteParent
	comparable
}](ctx context.Context, c *Client, items []T, of func(*T) (P, Note), del bool) (*BatchResult[NoteKey], error) {
	if len(items) == 0 {
		return &BatchResult[NoteKey]{}, nil
	}
	parents, notes := make([]P, len(items)), make([]Note, len(items))
	for i := range items {
		parents[i], notes[i] = of(&items[i])
	}
	if c.fam.versioned {
		entries := make([]entry[NoteKey], len(notes))
		seen := make(map[noteID]bool, len(notes))
		for i := range notes {
			note := &notes[i]
			if del {
				note = nil
			}
			if err := parents[i].check(); err != nil {
				_, _, parent, _ := parents[i].notes()
				entries[i] = entry[NoteKey]{key: NoteKey{Parent: parent, NoteID: notes[i].ID}, label: notes[i].ID, err: err}
				continue
			}
			entries[i] = c.noteEntry(parents[i], note, notes[i].ID, seen)
		}
		res, _, _, _ := parents[0].notes()
		return writeBatches(ctx, c, c.batchOpFor(writeMethod(del), res, "/"+c.fam.name(res)), entries)
	}
	return perParent(len(notes), func(i int) P { return parents[i] },
		func(i int) NoteKey {
			_, _, parent, _ := parents[i].notes()
			return NoteKey{Parent: parent, NoteID: notes[i].ID}
		},
		func(p P, idx []int) (*BatchResult[NoteKey], error) {
			group, ids := make([]Note, len(idx)), make([]string, len(idx))
			for j, i := range idx {
				group[j], ids[j] = notes[i], notes[i].ID
			}
			if del {
				group = nil
			}
			return c.writeNotes(ctx, p, group, ids)
		})
}

// CandidateNote is a note with the candidate it belongs to
// (CandidatesService.UpsertManyNotes).
type CandidateNote struct {
	// Candidate is the note's candidate; see CandidateKey for its rules. A
	// note whose key breaks them is refused alone.
	Candidate CandidateKey
	// Note is the note; see Note for its rules.
	Note Note
}

// UpsertManyNotes creates or replaces notes of any number of candidates
// (batch_update). On the versioned endpoints (WithVersion) up to 100 notes
// of different candidates go in one call, which spares the daily request
// quota; on /v2 each candidate's notes go in a call of their own. A note
// id may appear once per candidate. A note whose candidate key is invalid
// is refused alone, with a *ValidationError; the others are sent. Items
// are in input order; after a failed call (the error returned), the notes
// not sent yet keep Status 0.
func (s *CandidatesService) UpsertManyNotes(ctx context.Context, notes []CandidateNote) (*BatchResult[NoteKey], error) {
	return writeManyNotes(ctx, s.c, notes, candidateNote, false)
}

// DeleteManyNotes deletes notes of any number of candidates
// (batch_delete), as UpsertManyNotes sends them: on the versioned
// endpoints up to 100 in one call, on /v2 one call per candidate. Only
// each note's ID is read.
func (s *CandidatesService) DeleteManyNotes(ctx context.Context, notes []CandidateNote) (*BatchResult[NoteKey], error) {
	return writeManyNotes(ctx, s.c, notes, candidateNote, true)
}

func candidateNote(n *CandidateNote) (CandidateKey, Note) { return n.Candidate, n.Note }

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

// noteWire returns n as the client sends a note of res: LastModifiedAt
// only on versioned candidate notes, the one note resource that has a
// modified time (docs/linkedin-api.md §11).
func (c *Client) noteWire(res *resource, n Note) Note {
	if !c.fam.versioned || res != resCandidateNotes {
		n.LastModifiedAt = 0
	}
	return n
}

// WireNote returns a candidate note as this client sends it: what
// LinkedIn can hold of it, for comparisons such as a content
// reconciliation (Note.LastModifiedAt).
func (s *CandidatesService) WireNote(n Note) Note { return s.c.noteWire(resCandidateNotes, n) }

func (c *Client) validateNoteOf(res *resource, n *Note) error {
	return checkRecord(res, n.ID, c.cfg.clock.Now(), n, validateNote)
}
