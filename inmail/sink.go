package inmail

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrCandidateNotFound is returned by Sink.Candidate for an unknown id.
var ErrCandidateNotFound = errors.New("inmail: candidate not found")

// errNilContext is what every call of the package given a nil context
// returns, before doing anything.
var errNilContext = errors.New("inmail: nil context")

// ctxErr is errNilContext for a nil ctx, else ctx.Err(): nil while ctx may
// still be used.
func ctxErr(ctx context.Context) error {
	if ctx == nil {
		return errNilContext
	}
	return ctx.Err()
}

// Candidate is the ATS side of a candidate as the retrieval flows need it.
type Candidate struct {
	// ID is the ATS candidate id (the atsCandidateId synced to LinkedIn).
	ID string
	// Person is the LinkedIn person URN stored on the record, "" if none.
	Person string
	// ProfileURL is the LinkedIn profile link stored on the record.
	ProfileURL string
	// FirstName and LastName are the candidate's names in the ATS.
	FirstName string
	LastName  string
	// Emails are the candidate's email addresses; FindMatch compares them
	// with an email case-insensitively, white space trimmed.
	Emails []string
	// UpdatedAt is the record's last modification in the ATS. It decides
	// the tie-break between several matches (most recent wins) and, with the
	// milestones engine, whether a record counts as "newly created or updated".
	UpdatedAt time.Time
}

// Origin says which LinkedIn flow created a candidate or an application.
type Origin string

// The origins.
const (
	// OriginInMailStub: a member replied to an InMail and shared contact information.
	OriginInMailStub Origin = "linkedin_inmail_stub"
	// OriginExport: a recruiter used 1-Click Export ("Export to ATS").
	OriginExport Origin = "linkedin_export"
)

// NewCandidate is a candidate to create from LinkedIn data.
type NewCandidate struct {
	Person string // person URN, always set
	// FirstName and LastName are the member's names as LinkedIn gives
	// them.
	FirstName string
	LastName  string
	// Headline and Location come from an export; a stub profile carries
	// none.
	Headline string
	Location string
	// ProfileURL links to the member's LinkedIn profile: an export's
	// profileUrl, or else the one WithProfileURL derives from Person.
	ProfileURL string
	Email      string // only from a stub profile; an export carries none
	Phone      string // only from a stub profile, like Email
	// Origin is the flow creating the candidate.
	Origin Origin
	// Owner is the ATS user mapped to the seat that exported or owns the stub ("" if unmapped).
	Owner string
	// At is when LinkedIn produced the data (stub creation or export time).
	At time.Time
}

// Message is one InMail message attached to a candidate.
type Message struct {
	ID           string    // LinkedIn's event id; AttachMessage must be idempotent on it
	Conversation string    // the conversation's URN
	Seat         string    // the recruiter's seat URN
	User         string    // the ATS user mapped to Seat, "" if unmapped
	Member       string    // the prospect's person URN
	FromMember   bool      // written by the member (a reply), not the recruiter
	Subject      string    // the message's subject
	Body         string    // the message's text
	At           time.Time // the event's creation time on LinkedIn
	// ContactInfoShared: the member shared contact information with this reply.
	ContactInfoShared bool
}

// Note is a Recruiter prospect note attached to a candidate.
type Note struct {
	ID        string    // LinkedIn's note id; UpsertNote must be idempotent on it
	Seat      string    // the seat URN of the note's author
	User      string    // the ATS user mapped to Seat, "" if unmapped
	Member    string    // the prospect's person URN
	Text      string    // the note's text
	CreatedAt time.Time // LinkedIn's created time
	UpdatedAt time.Time // LinkedIn's lastModified time
}

// NoticeKind classifies the notices this package records on candidates:
// events that happened on LinkedIn. It is not rscsync.EntityKind, the
// kind of an ATS record the sync package sends to LinkedIn.
type NoticeKind string

// The notice kinds.
const (
	// NoticeContactShared: a member replied to an InMail and shared contact information.
	NoticeContactShared NoticeKind = "linkedin_contact_shared"
	// NoticeExported: a recruiter exported the member to a job with 1-Click Export.
	NoticeExported NoticeKind = "linkedin_exported"
	// NoticeMemberDeleted: the member closed their LinkedIn account; the
	// customer decides whether to delete the LinkedIn-sourced data.
	NoticeMemberDeleted NoticeKind = "linkedin_member_deleted"
)

// Notice is a LinkedIn event recorded on a candidate.
type Notice struct {
	// ID is a stable key; RecordNotice must be idempotent on it.
	ID     string
	Kind   NoticeKind // what happened
	At     time.Time  // when it happened on LinkedIn
	Text   string     // a short human summary (no message bodies)
	Member string     // person URN
	Seat   string     // the seat URN that exported the member or owns the stub, if any
	User   string     // the ATS user mapped to Seat, "" if unmapped
	JobID  string     // for NoticeExported
	// Email and Phone are the contact information a member shared (NoticeContactShared).
	Email string
	Phone string
}

// Profile is the LinkedIn identity stored on a candidate record.
type Profile struct {
	Person string // urn:li:person:{id}
	URL    string // link to the member's LinkedIn profile
}

// Sink is the ATS side of the retrieval flows. Every method must be safe
// for concurrent use, and every write must be idempotent on its key (a flow
// interrupted after a write replays it on the next run).
//
// The package never asks the Sink to merge or update candidate fields from
// LinkedIn: the ATS stays the system of record. Shared contact details reach
// the record as a NoticeContactShared notice.
type Sink interface {
	// CandidatesByPerson returns the candidates whose stored person URN is person.
	CandidatesByPerson(ctx context.Context, person string) ([]Candidate, error)
	// CandidatesByEmail returns the candidates having email, compared
	// case-insensitively.
	CandidatesByEmail(ctx context.Context, email string) ([]Candidate, error)
	// Candidate returns one candidate, or an error wrapping ErrCandidateNotFound.
	Candidate(ctx context.Context, id string) (Candidate, error)
	// CreateCandidate creates a candidate and returns its ATS id.
	CreateCandidate(ctx context.Context, c NewCandidate) (string, error)
	// EnsureApplication creates an application of the candidate on the job
	// (the externalJobPostingId) unless one exists; created reports which.
	EnsureApplication(ctx context.Context, candidateID, jobID string, origin Origin) (created bool, err error)
	// AttachMessage adds (or replaces) an InMail message on the candidate.
	AttachMessage(ctx context.Context, candidateID string, m Message) error
	// UpsertNote adds or replaces a prospect note on the candidate.
	UpsertNote(ctx context.Context, candidateID string, n Note) error
	// DeleteNote removes a prospect note; deleting an absent note is not an error.
	DeleteNote(ctx context.Context, candidateID, noteID string) error
	// RecordNotice adds (or replaces) a notice on the candidate.
	RecordNotice(ctx context.Context, candidateID string, a Notice) error
	// SetLinkedInProfile stores the person URN and profile link on the candidate.
	SetLinkedInProfile(ctx context.Context, candidateID string, p Profile) error
}

// Users maps Recruiter seat holders to ATS users. The optional
// WithUsers provides it; MemorySink implements it.
type Users interface {
	// UserByPerson returns the ATS user whose LinkedIn person URN is person.
	UserByPerson(ctx context.Context, person string) (userID string, ok bool, err error)
}

// FindMatch applies the matching rules shared by every flow that may create
// a candidate, so that none creates a duplicate:
//
//  1. candidates whose stored person URN equals person;
//  2. otherwise candidates having email (case-insensitive), if email is set,
//     and not bound to another person URN (a shared family or team address
//     is not another member's identity).
//
// When a rule matches several candidates the most recently updated wins
// (Bullhorn's tie-break; equal times fall back to the smallest id, for
// determinism). found is false when nothing matches.
func FindMatch(ctx context.Context, s Sink, person, email string) (c Candidate, found bool, err error) {
	if ctx == nil {
		return Candidate{}, false, errNilContext
	}
	if person != "" {
		cs, err := s.CandidatesByPerson(ctx, person)
		if err != nil {
			return Candidate{}, false, fmt.Errorf("inmail: candidates by person: %w", err)
		}
		cs = slices.DeleteFunc(cs, func(c Candidate) bool { return c.Person != person })
		if len(cs) > 0 {
			return newest(cs), true, nil
		}
	}
	if email = strings.TrimSpace(email); email != "" {
		cs, err := s.CandidatesByEmail(ctx, email)
		if err != nil {
			return Candidate{}, false, fmt.Errorf("inmail: candidates by email: %w", err)
		}
		cs = slices.DeleteFunc(cs, func(c Candidate) bool {
			if person != "" && c.Person != "" && c.Person != person {
				return true // another LinkedIn member's candidate
			}
			return !slices.ContainsFunc(c.Emails, func(e string) bool { return strings.EqualFold(strings.TrimSpace(e), email) })
		})
		if len(cs) > 0 {
			return newest(cs), true, nil
		}
	}
	return Candidate{}, false, nil
}

func newest(cs []Candidate) Candidate {
	return slices.MaxFunc(cs, func(a, b Candidate) int {
		if c := a.UpdatedAt.Compare(b.UpdatedAt); c != 0 {
			return c
		}
		return -cmp.Compare(a.ID, b.ID) // smaller id wins a tie
	})
}

// Application is an application held by MemorySink.
type Application struct {
	JobID  string // the job's externalJobPostingId
	Origin Origin // the flow that created the application
}

// SinkCandidate is everything MemorySink holds for one candidate.
type SinkCandidate struct {
	Candidate // the candidate as Sink reads return it
	// Headline, Location and Phone are as CreateCandidate was given them.
	Headline string
	Location string
	Phone    string
	Origin   Origin // "" for candidates added with AddCandidate
	// Owner is the NewCandidate.Owner CreateCandidate was given.
	Owner        string
	Applications []Application // in creation order
	Messages     []Message     // sorted by time, then id
	Notes        []Note        // sorted by id
	Notices      []Notice      // sorted by time, then id
}

func (c *SinkCandidate) clone() SinkCandidate {
	out := *c
	out.Emails = slices.Clone(c.Emails)
	out.Applications = slices.Clone(c.Applications)
	out.Messages = slices.Clone(c.Messages)
	out.Notes = slices.Clone(c.Notes)
	out.Notices = slices.Clone(c.Notices)
	return out
}

// MemorySink is an in-memory Sink (and Users) for tests, demos and as a
// reference implementation. It is safe for concurrent use. Writes do not
// change a candidate's UpdatedAt except CreateCandidate, which sets it.
type MemorySink struct {
	mu    sync.Mutex
	next  int
	cands map[string]*SinkCandidate
	order []string
	users map[string]string // person URN -> user id
}

// NewMemorySink returns an empty MemorySink.
func NewMemorySink() *MemorySink {
	return &MemorySink{cands: map[string]*SinkCandidate{}, users: map[string]string{}}
}

// AddCandidate seeds an existing ATS candidate and returns its id (c.ID, or
// a generated "C<n>" when empty).
func (m *MemorySink) AddCandidate(c Candidate) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.add(&SinkCandidate{Candidate: c})
}

func (m *MemorySink) add(c *SinkCandidate) string {
	if c.ID == "" {
		for {
			m.next++
			c.ID = "C" + strconv.Itoa(m.next)
			if _, dup := m.cands[c.ID]; !dup {
				break
			}
		}
	}
	c.Emails = slices.Clone(c.Emails)
	if _, dup := m.cands[c.ID]; !dup {
		m.order = append(m.order, c.ID)
	}
	m.cands[c.ID] = c
	return c.ID
}

// AddUser maps an ATS user to a LinkedIn person URN (for seat mapping).
func (m *MemorySink) AddUser(userID, person string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.users[person] = userID
}

// UserByPerson implements Users.
func (m *MemorySink) UserByPerson(ctx context.Context, person string) (string, bool, error) {
	if ctx == nil {
		return "", false, errNilContext
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[person]
	return u, ok, nil
}

// Candidates returns a copy of every candidate, in creation order.
func (m *MemorySink) Candidates() []SinkCandidate {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]SinkCandidate, 0, len(m.order))
	for _, id := range m.order {
		out = append(out, m.cands[id].clone())
	}
	return out
}

// Get returns a copy of one candidate.
func (m *MemorySink) Get(id string) (SinkCandidate, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.cands[id]
	if !ok {
		return SinkCandidate{}, false
	}
	return c.clone(), true
}

func (m *MemorySink) find(pred func(*SinkCandidate) bool) []Candidate {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Candidate
	for _, id := range m.order {
		if c := m.cands[id]; pred(c) {
			cc := c.Candidate
			cc.Emails = slices.Clone(cc.Emails)
			out = append(out, cc)
		}
	}
	return out
}

// CandidatesByPerson implements Sink.
func (m *MemorySink) CandidatesByPerson(ctx context.Context, person string) ([]Candidate, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	return m.find(func(c *SinkCandidate) bool { return person != "" && c.Person == person }), nil
}

// CandidatesByEmail implements Sink.
func (m *MemorySink) CandidatesByEmail(ctx context.Context, email string) ([]Candidate, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	email = strings.TrimSpace(email)
	return m.find(func(c *SinkCandidate) bool {
		return email != "" && slices.ContainsFunc(c.Emails, func(e string) bool { return strings.EqualFold(strings.TrimSpace(e), email) })
	}), nil
}

// Candidate implements Sink.
func (m *MemorySink) Candidate(ctx context.Context, id string) (Candidate, error) {
	if err := ctxErr(ctx); err != nil {
		return Candidate{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.cands[id]
	if !ok {
		return Candidate{}, fmt.Errorf("%w: %q", ErrCandidateNotFound, id)
	}
	cc := c.Candidate
	cc.Emails = slices.Clone(cc.Emails)
	return cc, nil
}

// CreateCandidate implements Sink.
func (m *MemorySink) CreateCandidate(ctx context.Context, n NewCandidate) (string, error) {
	if err := ctxErr(ctx); err != nil {
		return "", err
	}
	c := &SinkCandidate{
		Candidate: Candidate{Person: n.Person, ProfileURL: n.ProfileURL, FirstName: n.FirstName, LastName: n.LastName, UpdatedAt: n.At},
		Headline:  n.Headline, Location: n.Location, Phone: n.Phone, Origin: n.Origin, Owner: n.Owner,
	}
	if n.Email != "" {
		c.Emails = []string{n.Email}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.add(c), nil
}

// with runs f on the candidate id under m's lock. It fails, without
// running f, for a nil or done ctx and with ErrCandidateNotFound for an
// unknown id.
func (m *MemorySink) with(ctx context.Context, id string, f func(c *SinkCandidate)) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.cands[id]
	if !ok {
		return fmt.Errorf("%w: %q", ErrCandidateNotFound, id)
	}
	f(c)
	return nil
}

// EnsureApplication implements Sink.
func (m *MemorySink) EnsureApplication(ctx context.Context, candidateID, jobID string, origin Origin) (created bool, err error) {
	err = m.with(ctx, candidateID, func(c *SinkCandidate) {
		if !slices.ContainsFunc(c.Applications, func(a Application) bool { return a.JobID == jobID }) {
			c.Applications = append(c.Applications, Application{JobID: jobID, Origin: origin})
			created = true
		}
	})
	return created, err
}

// AttachMessage implements Sink.
func (m *MemorySink) AttachMessage(ctx context.Context, candidateID string, msg Message) error {
	return m.with(ctx, candidateID, func(c *SinkCandidate) {
		c.Messages = upsertByTime(c.Messages, msg, func(x Message) (time.Time, string) { return x.At, x.ID })
	})
}

// UpsertNote implements Sink.
func (m *MemorySink) UpsertNote(ctx context.Context, candidateID string, n Note) error {
	return m.with(ctx, candidateID, func(c *SinkCandidate) {
		c.Notes = upsert(c.Notes, n, func(x Note) string { return x.ID })
		slices.SortFunc(c.Notes, func(a, b Note) int { return cmp.Compare(a.ID, b.ID) })
	})
}

// DeleteNote implements Sink.
func (m *MemorySink) DeleteNote(ctx context.Context, candidateID, noteID string) error {
	return m.with(ctx, candidateID, func(c *SinkCandidate) {
		c.Notes = slices.DeleteFunc(c.Notes, func(n Note) bool { return n.ID == noteID })
	})
}

// RecordNotice implements Sink.
func (m *MemorySink) RecordNotice(ctx context.Context, candidateID string, a Notice) error {
	return m.with(ctx, candidateID, func(c *SinkCandidate) {
		c.Notices = upsertByTime(c.Notices, a, func(x Notice) (time.Time, string) { return x.At, x.ID })
	})
}

// SetLinkedInProfile implements Sink.
func (m *MemorySink) SetLinkedInProfile(ctx context.Context, candidateID string, p Profile) error {
	return m.with(ctx, candidateID, func(c *SinkCandidate) {
		c.Person, c.ProfileURL = p.Person, p.URL
	})
}

// upsertByTime upserts v by id and keeps s sorted by time, then id.
func upsertByTime[T any](s []T, v T, key func(T) (time.Time, string)) []T {
	s = upsert(s, v, func(x T) string { _, id := key(x); return id })
	slices.SortStableFunc(s, func(a, b T) int {
		at, aid := key(a)
		bt, bid := key(b)
		return cmp.Or(at.Compare(bt), cmp.Compare(aid, bid))
	})
	return s
}

func upsert[T any](s []T, v T, key func(T) string) []T {
	if i := slices.IndexFunc(s, func(x T) bool { return key(x) == key(v) }); i >= 0 {
		s[i] = v
		return s
	}
	return append(s, v)
}
