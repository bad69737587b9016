package sync

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// Source is what an ATS implements so the engine can stream its records to
// LinkedIn. Every stream yields records in ascending Cursor order (last
// modified time, then id) strictly after since, reading lazily (stream rows
// from a database cursor; never load a table into memory), honouring ctx,
// and returning as soon as the consumer stops (yield returned false). A
// stream that fails yields one non-nil error and stops. Ids compare in
// byte order (Go's string order; in SQL, a binary collation such as
// COLLATE "C"). The engine stops a run with an error when a stream yields
// a record before one it follows. Records may share a position: a note and
// an interview feedback with one id (from two tables) modified at one
// instant, or stages of two applications with one id deleted together.
// The engine sends each of them, and never places its watermark between
// two records of one position, so a stop between them loses neither.
//
// The engine's watermark trusts that order in time too: a record whose
// ModifiedAt (a deletion's DeletedAt) lies before a position the engine
// already read is never read, nor one at that time whose id sorts before
// it. So a write must not become visible after later-stamped ones, nor
// after a read that saw another write of the same stamp: stamp ModifiedAt
// when the change commits (a database trigger, or the commit's time), and
// yield only records stamped before the current instant of the stamps'
// clock (two writes may share its current millisecond, the second
// committing after a read); where long transactions commit out of order,
// yield only records older than the longest transaction (hold back the
// last seconds; the next run reads them). An id used again after
// its deletion is fine: the engine skips a deletion older than the record
// the Source holds under that id (SkipRecreated).
//
// The zero Cursor means "from the beginning". The engine passes the window
// start (two years back by default) as the first cursor of a historical sync.
//
// Implementing it over SQL, for example candidates:
//
//	func (s *mySource) Candidates(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Candidate, error] {
//		return func(yield func(rscsync.Candidate, error) bool) {
//			rows, err := s.db.QueryContext(ctx, `SELECT id, first_name, ..., modified_at FROM candidates
//				WHERE (modified_at, id) > (?, ?) ORDER BY modified_at, id`, since.ModifiedAt, since.ID)
//			if err != nil {
//				yield(rscsync.Candidate{}, err)
//				return
//			}
//			defer rows.Close()
//			for rows.Next() {
//				var c rscsync.Candidate
//				// ... rows.Scan into c ...
//				if !yield(c, nil) {
//					return
//				}
//			}
//			if err := rows.Err(); err != nil {
//				yield(rscsync.Candidate{}, err)
//			}
//		}
//	}
type Source interface {
	// Jobs yields job postings, closed ones included.
	Jobs(ctx context.Context, since Cursor) iter.Seq2[Job, error]
	// Candidates yields candidates.
	Candidates(ctx context.Context, since Cursor) iter.Seq2[Candidate, error]
	// Applications yields applications (LinkedIn's atsApplications: a
	// candidate placed on a job, from shortlist onwards), each with its full
	// stage history (LinkedIn replaces applications whole).
	Applications(ctx context.Context, since Cursor) iter.Seq2[Application, error]
	// Activities yields candidate notes, application notes and interview feedback.
	Activities(ctx context.Context, since Cursor) iter.Seq2[Activity, error]
	// Deletions yields records deleted in the ATS, ordered by
	// (DeletedAt, Deletion.CursorID()); the cursor's ID is a CursorID.
	// Each should give its record's last ModifiedAt where the ATS keeps
	// it (Deletion.ModifiedAt), for the reconciliation.
	Deletions(ctx context.Context, since Cursor) iter.Seq2[Deletion, error]
	// Totals counts the records a sync from since would cover, for progress
	// and reconciliation.
	Totals(ctx context.Context, since time.Time) (Totals, error)
}

// Cursor is a position in a stream: records modified after ModifiedAt, or
// at ModifiedAt with an id greater than ID. Streams are ordered by
// (ModifiedAt, ID), which makes cursors stable.
type Cursor struct {
	ModifiedAt time.Time `json:"modifiedAt"`
	ID         string    `json:"id,omitempty"`
}

// cursorJSON is a Cursor as JSON. IDEscaped says that ID is escaped (as
// DeadLetter.Escape escapes ids): the cursor's id is not valid UTF-8 or
// holds NUL, which JSON would replace and PostgreSQL refuses.
type cursorJSON struct {
	ModifiedAt time.Time `json:"modifiedAt"`
	ID         string    `json:"id,omitempty"`
	IDEscaped  bool      `json:"idEscaped,omitempty"`
}

// MarshalJSON implements json.Marshaler: {"modifiedAt":…,"id":…}, the id
// escaped with "idEscaped":true when it is not valid UTF-8 or holds NUL,
// so that a checkpoint stored as JSON gives back the same position, in
// any store, rather than one moved to another id.
func (c Cursor) MarshalJSON() ([]byte, error) {
	v := cursorJSON{ModifiedAt: c.ModifiedAt, ID: c.ID}
	if !storable(c.ID) {
		v.ID, v.IDEscaped = escapeID(c.ID), true
	}
	return json.Marshal(v)
}

// UnmarshalJSON implements json.Unmarshaler, the inverse of MarshalJSON.
func (c *Cursor) UnmarshalJSON(b []byte) error {
	var v cursorJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if v.IDEscaped {
		id, ok := unescapeID(v.ID)
		if !ok {
			return fmt.Errorf("sync: cursor id %q is not escaped", v.ID)
		}
		v.ID = id
	}
	*c = Cursor{ModifiedAt: v.ModifiedAt, ID: v.ID}
	return nil
}

// After reports whether the position (t, id) lies after c.
func (c Cursor) After(t time.Time, id string) bool {
	return t.After(c.ModifiedAt) || t.Equal(c.ModifiedAt) && id > c.ID
}

// at reports whether (t, id) is the position c.
func (c Cursor) at(t time.Time, id string) bool {
	return t.Equal(c.ModifiedAt) && id == c.ID
}

// Job is a job posting in the ATS.
type Job struct {
	Posting rsc.JobPosting // OperationType is set by the engine (CREATE, UPDATE or CLOSE)
	// Closed jobs are synced too (certification needs closed jobs of the last two years).
	Closed     bool
	ModifiedAt time.Time
}

// Candidate is a candidate in the ATS.
type Candidate struct {
	Record     rsc.Candidate
	ModifiedAt time.Time
}

// Application is an application in the ATS (a candidate placed on a job,
// from shortlist onwards) with its stage history. See the glossary in the
// package documentation.
type Application struct {
	Record     rsc.Application
	Stages     []rsc.Stage // the whole history, one record per transition
	ModifiedAt time.Time
}

// Activity is a note or interview feedback.
type Activity struct {
	// Kind is KindCandidateNote, KindApplicationNote or
	// KindInterviewFeedback; it says which of Note and Feedback is set.
	Kind        EntityKind
	Candidate   rsc.CandidateKey   // for KindCandidateNote
	Application rsc.ApplicationKey // for KindApplicationNote and KindInterviewFeedback
	Note        rsc.Note           // for KindCandidateNote and KindApplicationNote
	Feedback    rsc.InterviewFeedback
	ModifiedAt  time.Time
}

// ID returns the activity's own id (note or feedback id).
func (a Activity) ID() string {
	if a.Kind == KindInterviewFeedback {
		return a.Feedback.ID
	}
	return a.Note.ID
}

// EntityKind names a kind of record: of activities, deletions, dead
// letters and reports.
type EntityKind string

// The entity kinds.
const (
	KindJob               EntityKind = "job"
	KindCandidate         EntityKind = "candidate"
	KindApplication       EntityKind = "application"
	KindCandidateNote     EntityKind = "candidateNote"
	KindApplicationNote   EntityKind = "applicationNote"
	KindInterviewFeedback EntityKind = "interviewFeedback"
	KindStage             EntityKind = "stage"
)

// Deletion is a record deleted in the ATS. LinkedIn has no job delete: a
// job's deletion closes the job, named by ID and Integration alone, so the
// Source need not keep a deleted job's row (docs/linkedin-api.md §7.1).
type Deletion struct {
	// Kind is the deleted record's kind, one of the Kind constants: a
	// deletion of another kind is dead-lettered.
	Kind EntityKind
	// ID is the deleted record's id (job, candidate, application, note,
	// feedback or stage id).
	ID string
	// Parent is the candidate or application id for notes, feedback and stages.
	Parent string
	// DeletedAt is when the ATS deleted the record: the deletion's
	// position in the Deletions stream, with CursorID.
	DeletedAt time.Time
	// ModifiedAt is the ModifiedAt the record had when it was deleted,
	// its last position in its stream (a deletions table can copy it from
	// the row it records), not the deletion's time; zero when the ATS does
	// not know it. With it the engine tells a record modified before the
	// window, which it never read, from one it may have sent, whose
	// deletions LinkedIn answers alike: only the latter leaves
	// Reconciliation.Acknowledged. Jobs and stages need none.
	ModifiedAt time.Time
	// Integration is the record's integration context (organization URN),
	// part of its key on LinkedIn: a deletion without it is refused and
	// dead-lettered.
	Integration string
}

// CursorID is the deletion's id within the Deletions stream: its kind and
// id joined by a colon, for example "candidateNote:42". Ids of different
// kinds may be equal, so the kind is part of it. Sources order deletions by
// (DeletedAt, CursorID()) and the engine stores it as Cursor.ID.
func (d Deletion) CursorID() string { return string(d.Kind) + ":" + d.ID }

// Totals counts records per kind.
type Totals struct {
	Jobs         int64 `json:"jobs"`
	Candidates   int64 `json:"candidates"`
	Applications int64 `json:"applications"`
	Activities   int64 `json:"activities"`
}
