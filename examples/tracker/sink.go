package tracker

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rscgo/rscgo/inmail"
)

// Sink is Tracker's side of what comes back from LinkedIn: InMail
// messages, prospect notes and notices become activities on the candidate
// (kinds inmail, prospect_note and linkedin_notice, which the Source never
// sends back); stub profiles and 1-Click Exports create candidates and
// placements; profile links store the person URN and profile URL.
//
// It implements inmail.Sink and inmail.Users. Every write is idempotent on
// its key (LinkedIn's message, note or activity id) and safe for concurrent
// use: each runs in one IMMEDIATE transaction.
type Sink struct {
	db *DB
}

var (
	_ inmail.Sink  = (*Sink)(nil)
	_ inmail.Users = (*Sink)(nil)
)

// NewSink returns a Sink writing to db, which must not be nil.
func NewSink(db *DB) (*Sink, error) {
	if db == nil {
		return nil, errors.New("tracker: NewSink: nil DB")
	}
	return &Sink{db: db}, nil
}

const sinkCandidateColumns = `id, COALESCE(linkedin_person_urn, ''), COALESCE(linkedin_profile_url, ''),
	first_name, last_name, email, modified_at`

func scanSinkCandidate(rows *sql.Rows) (inmail.Candidate, error) {
	var c inmail.Candidate
	var email string
	var modified int64
	if err := rows.Scan(&c.ID, &c.Person, &c.ProfileURL, &c.FirstName, &c.LastName, &email, &modified); err != nil {
		return c, err
	}
	if email != "" {
		c.Emails = []string{email}
	}
	c.UpdatedAt = fromMS(modified)
	return c, nil
}

func (s *Sink) candidates(ctx context.Context, where string, args ...any) ([]inmail.Candidate, error) {
	rows, err := s.db.sql.QueryContext(ctx, `SELECT `+sinkCandidateColumns+` FROM candidates WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("tracker: find candidates: %w", err)
	}
	defer rows.Close()
	var out []inmail.Candidate
	for rows.Next() {
		c, err := scanSinkCandidate(rows)
		if err != nil {
			return nil, fmt.Errorf("tracker: find candidates: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tracker: find candidates: %w", err)
	}
	return out, nil
}

// CandidatesByPerson returns the candidates whose stored LinkedIn person URN
// is person.
func (s *Sink) CandidatesByPerson(ctx context.Context, person string) ([]inmail.Candidate, error) {
	if person == "" {
		return nil, nil
	}
	return s.candidates(ctx, `linkedin_person_urn = ?`, person)
}

// CandidatesByEmail returns the candidates having email, compared
// case-insensitively.
func (s *Sink) CandidatesByEmail(ctx context.Context, email string) ([]inmail.Candidate, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return nil, nil
	}
	return s.candidates(ctx, `email = ? COLLATE NOCASE`, email)
}

// Candidate returns one candidate, or an error wrapping
// inmail.ErrCandidateNotFound.
func (s *Sink) Candidate(ctx context.Context, id string) (inmail.Candidate, error) {
	cs, err := s.candidates(ctx, `id = ?`, id)
	if err != nil {
		return inmail.Candidate{}, err
	}
	if len(cs) == 0 {
		return inmail.Candidate{}, fmt.Errorf("tracker: %w: %q", inmail.ErrCandidateNotFound, id)
	}
	return cs[0], nil
}

// CreateCandidate creates a candidate from a stub profile or an export and
// returns its id. A candidate already holding c.Person is returned instead
// of creating a second one, so a replayed flow creates no duplicate.
func (s *Sink) CreateCandidate(ctx context.Context, c inmail.NewCandidate) (string, error) {
	var id string
	err := s.db.withTx(ctx, func(tx *sql.Tx) error {
		if c.Person != "" {
			err := tx.QueryRowContext(ctx, `SELECT id FROM candidates WHERE linkedin_person_urn = ? ORDER BY id LIMIT 1`, c.Person).Scan(&id)
			if err == nil {
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		var err error
		if id, err = nextID(ctx, tx, "candidates", prefixCandidate); err != nil {
			return err
		}
		now := ms(s.db.now())
		city, _, _ := strings.Cut(c.Location, ",")
		first := c.FirstName
		if first == "" {
			first = "Unknown" // Tracker (and LinkedIn) require a first name
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO candidates (id, first_name, last_name, email, phone, city,
			current_title, source, owner_id, linkedin_person_urn, linkedin_profile_url, linkedin_linked_at,
			created_at, modified_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT id FROM users WHERE id = ?), ?, NULLIF(?, ''), ?, ?, ?)`,
			id, first, c.LastName, strings.TrimSpace(c.Email), c.Phone, strings.TrimSpace(city),
			c.Headline, originSource(c.Origin), c.Owner, c.Person, c.ProfileURL, now, now, now)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("tracker: create candidate: %w", err)
	}
	return id, nil
}

func originSource(o inmail.Origin) string {
	switch o {
	case inmail.OriginExport:
		return "LinkedIn 1-Click Export"
	case inmail.OriginInMailStub:
		return "LinkedIn InMail"
	}
	return "LinkedIn"
}

// EnsureApplication shortlists the candidate on the job (Tracker's job id,
// which is the externalJobPostingId) unless a placement already exists;
// created reports whether it made one. The new placement starts at stage
// "Shortlisted".
func (s *Sink) EnsureApplication(ctx context.Context, candidateID, jobID string, origin inmail.Origin) (created bool, err error) {
	err = s.db.withTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM placements WHERE candidate_id = ? AND job_id = ?`,
			candidateID, jobID).Scan(&n); err != nil || n > 0 {
			return err
		}
		id, err := newID(ctx, tx, "placements", prefixPlacement, ref{"candidates", candidateID}, ref{"jobs", jobID})
		if err != nil {
			return err
		}
		now := ms(s.db.now())
		if _, err := tx.ExecContext(ctx, `INSERT INTO placements (id, candidate_id, job_id, source, current_stage,
			created_at, modified_at) VALUES (?, ?, ?, ?, 'Shortlisted', ?, ?)`,
			id, candidateID, jobID, originSource(origin), now, now); err != nil {
			return err
		}
		if err := addStage(ctx, tx, id, "Shortlisted", now); err != nil {
			return err
		}
		created = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("tracker: ensure placement of %s on %s: %w", candidateID, jobID, err)
	}
	return created, nil
}

// AttachMessage stores an InMail message as an "inmail" activity on the
// candidate, replacing an earlier copy of the same message.
func (s *Sink) AttachMessage(ctx context.Context, candidateID string, m inmail.Message) error {
	meta := map[string]any{"conversation": m.Conversation, "seat": m.Seat, "member": m.Member,
		"fromMember": m.FromMember, "contactInfoShared": m.ContactInfoShared}
	return s.upsertActivity(ctx, "inmail", candidateID, m.ID, m.User, m.Subject, m.Body, meta, m.At)
}

// UpsertNote stores a Recruiter prospect note as a "prospect_note" activity
// on the candidate, replacing an earlier version of the same note.
func (s *Sink) UpsertNote(ctx context.Context, candidateID string, n inmail.Note) error {
	meta := map[string]any{"seat": n.Seat, "member": n.Member, "updatedAt": n.UpdatedAt.UnixMilli()}
	return s.upsertActivity(ctx, "prospect_note", candidateID, n.ID, n.User, "LinkedIn Recruiter note", n.Text, meta, n.CreatedAt)
}

// DeleteNote removes a prospect note. Deleting an absent note is not an
// error.
func (s *Sink) DeleteNote(ctx context.Context, candidateID, noteID string) error {
	_, err := s.db.sql.ExecContext(ctx, `DELETE FROM activities WHERE kind = 'prospect_note' AND candidate_id = ? AND external_id = ?`,
		candidateID, noteID)
	if err != nil {
		return fmt.Errorf("tracker: delete prospect note %s: %w", noteID, err)
	}
	return nil
}

// RecordNotice stores a LinkedIn event (contact shared, exported, member
// deleted their profile) as a "linkedin_notice" activity on the candidate.
func (s *Sink) RecordNotice(ctx context.Context, candidateID string, a inmail.Notice) error {
	meta := map[string]any{"kind": a.Kind, "member": a.Member, "seat": a.Seat, "jobId": a.JobID,
		"email": a.Email, "phone": a.Phone}
	return s.upsertActivity(ctx, "linkedin_notice", candidateID, a.ID, a.User, noticeSubject(a.Kind), a.Text, meta, a.At)
}

func noticeSubject(k inmail.NoticeKind) string {
	subject := map[inmail.NoticeKind]string{
		inmail.NoticeContactShared: "Shared contact information on LinkedIn",
		inmail.NoticeExported:      "Exported from LinkedIn Recruiter",
		inmail.NoticeMemberDeleted: "LinkedIn member deleted their profile",
	}[k]
	return cmp.Or(subject, string(k))
}

// SetLinkedInProfile stores the person URN and profile link on the
// candidate. A change bumps the candidate's modified_at, so the next sync
// sends the profile URL to LinkedIn (it helps matching).
func (s *Sink) SetLinkedInProfile(ctx context.Context, candidateID string, p inmail.Profile) error {
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		if err := exists(ctx, tx, "candidates", candidateID); err != nil {
			return fmt.Errorf("tracker: set LinkedIn profile: %w", err)
		}
		now := ms(s.db.now())
		_, err := tx.ExecContext(ctx, `UPDATE candidates
			SET linkedin_person_urn = NULLIF(?, ''), linkedin_profile_url = NULLIF(?, ''),
			    linkedin_linked_at = ?, modified_at = MAX(modified_at, ?)
			WHERE id = ? AND (linkedin_person_urn IS NOT NULLIF(?, '') OR linkedin_profile_url IS NOT NULLIF(?, ''))`,
			p.Person, p.URL, now, now, candidateID, p.Person, p.URL)
		if err != nil {
			return fmt.Errorf("tracker: set LinkedIn profile of %s: %w", candidateID, err)
		}
		return nil
	})
}

// UserByPerson returns the Tracker user whose LinkedIn person URN is person
// (seat mapping: Recruiter seats carry the holder's person URN).
func (s *Sink) UserByPerson(ctx context.Context, person string) (string, bool, error) {
	var id string
	err := s.db.sql.QueryRowContext(ctx, `SELECT id FROM users WHERE linkedin_person_urn = ? ORDER BY id LIMIT 1`, person).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) || person == "" {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("tracker: user by person: %w", err)
	}
	return id, true, nil
}

// upsertActivity inserts or replaces the activity (kind, externalID) on a
// candidate.
func (s *Sink) upsertActivity(ctx context.Context, kind, candidateID, externalID, user, subject, body string,
	meta map[string]any, at time.Time) error {
	if externalID == "" {
		return fmt.Errorf("tracker: %s activity without an id", kind)
	}
	b, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	err = s.db.withTx(ctx, func(tx *sql.Tx) error {
		id, err := newID(ctx, tx, "activities", prefixActivity, ref{"candidates", candidateID})
		if err != nil {
			return err
		}
		now := ms(s.db.now())
		created := ms(at)
		if created == 0 {
			created = now
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO activities (id, kind, candidate_id, author_id, subject, body, meta,
			external_id, created_at, modified_at)
			VALUES (?, ?, ?, (SELECT id FROM users WHERE id = ?), ?, ?, ?, ?, ?, ?)
			ON CONFLICT (kind, external_id) WHERE external_id IS NOT NULL DO UPDATE SET
				candidate_id = excluded.candidate_id, author_id = excluded.author_id, subject = excluded.subject,
				body = excluded.body, meta = excluded.meta, created_at = excluded.created_at,
				modified_at = excluded.modified_at`,
			id, kind, candidateID, user, subject, body, string(b), externalID, created, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("tracker: store %s %s on %s: %w", kind, externalID, candidateID, err)
	}
	return nil
}

// exists returns an error wrapping ErrNotFound (and, for candidates,
// inmail.ErrCandidateNotFound) when table has no row id.
func exists(ctx context.Context, q querier, table, id string) error {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM `+table+` WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		if table == "candidates" {
			return fmt.Errorf("%w: %w: candidate %q", ErrNotFound, inmail.ErrCandidateNotFound, id)
		}
		return fmt.Errorf("%w: %s %q", ErrNotFound, strings.TrimSuffix(table, "s"), id)
	}
	return err
}
