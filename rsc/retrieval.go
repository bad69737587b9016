package rsc

import (
	"context"
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/rscgo/rscgo/internal/restli"
)

// ExportsService reads 1-Click Export payloads (exportedCandidates).
type ExportsService service

// ExportedCandidate is what a recruiter exported from LinkedIn to the ATS
// (docs/linkedin-api.md §8.2). LinkedIn shares no email or phone.
type ExportedCandidate struct {
	RequestID            string      `json:"requestId"`
	IntegrationContext   string      `json:"integrationContext"`
	ExternalJobPostingID string      `json:"externalJobPostingId"`
	Exporter             string      `json:"exporter"` // urn:li:seat:{id}
	ExportedAt           EpochMillis `json:"exportedAt"`
	Candidate            StubProfile `json:"candidate"`
}

// StubProfile is the LinkedIn side of an exported member.
type StubProfile struct {
	Person     string `json:"person"` // urn:li:person:{id}
	FirstName  string `json:"firstName"`
	LastName   string `json:"lastName"`
	Headline   string `json:"headline,omitempty"`
	Location   string `json:"location,omitempty"`
	ProfileURL string `json:"profileUrl,omitempty"`
}

// Get fetches the payload of an EXPORT_CANDIDATE_PROFILE push event (finder
// q=request). Check IntegrationContext against the customer whose callback
// received the event.
func (s *ExportsService) Get(ctx context.Context, requestID string) ([]ExportedCandidate, error) {
	return byRequest[ExportedCandidate](ctx, s.c, resExports, requestID)
}

// SeatsService lists Recruiter seat holders (seatsV2).
type SeatsService service

// Seat is a Recruiter seat holder.
type Seat struct {
	ID        int64    `json:"id"`
	FirstName string   `json:"firstName"`
	LastName  string   `json:"lastName"`
	Email     string   `json:"email,omitempty"`
	Contract  string   `json:"contract"`
	Member    string   `json:"member"` // person URN: map ATS users by it
	State     string   `json:"state"`
	SeatRoles []string `json:"seatRoles,omitempty"`
}

// URN returns the seat's URN, urn:li:seat:{id}.
func (s Seat) URN() string { return "urn:li:seat:" + strconv.FormatInt(s.ID, 10) }

// List iterates over the seats of contracts in the given states (ACTIVE when
// none are given).
func (s *SeatsService) List(ctx context.Context, contracts []string, states ...string) iter.Seq2[Seat, error] {
	c := s.c
	if len(states) == 0 {
		states = []string{"ACTIVE"}
	}
	var q strings.Builder
	q.WriteString("q=attributes")
	for _, ct := range contracts {
		q.WriteString("&" + restli.EncodeParam(restli.Protocol1, "contracts", ct))
	}
	for _, st := range states {
		q.WriteString("&" + restli.EncodeParam(restli.Protocol1, "states", st))
	}
	return finder[Seat](c, resSeats, q.String(), 100)(ctx)
}

// InMailService reads InMail history (conversationEvents).
type InMailService service

// ConversationEvent is one InMail message (docs/linkedin-api.md §8.4).
type ConversationEvent struct {
	ID                string      `json:"id"`
	Conversation      string      `json:"conversation"`
	Viewer            string      `json:"viewer"` // seat URN
	Member            string      `json:"member"` // the prospect's person URN
	Author            string      `json:"author"` // seat or person URN
	CreatedAt         EpochMillis `json:"createdAt"`
	Subject           string      `json:"subject,omitempty"`
	Body              string      `json:"body,omitempty"`
	ContactInfoShared bool        `json:"contactInfoShared,omitempty"`
}

// FromMember reports whether the member (not the recruiter) wrote the message.
func (e ConversationEvent) FromMember() bool { return strings.HasPrefix(e.Author, "urn:li:person:") }

// MaxInMailWindow is the longest time range LinkedIn serves in one query.
const MaxInMailWindow = 12 * 60 * 60 * 1000 // milliseconds

// Events iterates over one seat's conversation events created in
// [start, end). The window must not exceed 12 hours.
func (s *InMailService) Events(ctx context.Context, seat string, start, end EpochMillis) iter.Seq2[ConversationEvent, error] {
	c := s.c
	if end-start > MaxInMailWindow || end < start {
		return func(yield func(ConversationEvent, error) bool) {
			yield(ConversationEvent{}, fmt.Errorf("rsc: conversationEvents window [%d, %d) must be 0..12 hours", start, end))
		}
	}
	q := "q=criteria&" + restli.EncodeParam(restli.Protocol1, "viewer", seat) +
		"&timeRange.start=" + strconv.FormatInt(int64(start), 10) + "&timeRange.end=" + strconv.FormatInt(int64(end), 10)
	return finder[ConversationEvent](c, resConversations, q, 50)(ctx)
}

// MailStubsService reads InMail stub profiles (mailStubs): members who shared
// their contact information when replying.
type MailStubsService service

// MailStub is an InMail stub profile.
type MailStub struct {
	ID           string      `json:"id"`
	Contract     string      `json:"contract"`
	Owner        string      `json:"owner"`  // seat URN
	Member       string      `json:"member"` // person URN
	FirstName    string      `json:"firstName"`
	LastName     string      `json:"lastName"`
	EmailAddress string      `json:"emailAddress,omitempty"`
	PhoneNumber  string      `json:"phoneNumber,omitempty"`
	CreatedAt    EpochMillis `json:"createdAt"`
}

// List iterates over stubs of a contract owned by the given seats, created in
// [start, end) (zero bounds are omitted). Always pass owners: LinkedIn
// searches less without them.
func (s *MailStubsService) List(ctx context.Context, contract string, owners []string, start, end EpochMillis) iter.Seq2[MailStub, error] {
	q := contractQuery("contract", contract, owners, "createdDateStart", start, "createdDateEnd", end)
	return finder[MailStub](s.c, resMailStubs, q, 50)(ctx)
}

// ProspectNotesService reads Recruiter prospect notes (prospectNotes).
type ProspectNotesService service

// ProspectNote is a recruiter's note on a prospect. Inactive notes were
// deleted on LinkedIn and must be deleted in the ATS.
type ProspectNote struct {
	ID             string      `json:"id"`
	Contract       string      `json:"contract"`
	Owner          string      `json:"owner"`
	Member         string      `json:"member"`
	Note           string      `json:"note"`
	Active         bool        `json:"active"`
	CreatedAt      EpochMillis `json:"createdAt"`
	LastModifiedAt EpochMillis `json:"lastModifiedAt"`
}

// List iterates over notes of a contract whose last update is in
// [cutoff, before] (zero bounds are omitted).
func (s *ProspectNotesService) List(ctx context.Context, contract string, owners []string, cutoff, before EpochMillis) iter.Seq2[ProspectNote, error] {
	q := contractQuery("criteria", contract, owners, "cutoffDate", cutoff, "beforeDate", before)
	return finder[ProspectNote](s.c, resProspectNotes, q, 100)(ctx)
}

// contractQuery is the query of finder q over one contract's records owned
// by owners, with the bounds lo and hi under their names (a zero bound is
// omitted).
func contractQuery(q, contract string, owners []string, loName string, lo EpochMillis, hiName string, hi EpochMillis) string {
	var b strings.Builder
	b.WriteString("q=" + q + "&" + restli.EncodeParam(restli.Protocol1, "contract", contract))
	for _, o := range owners {
		b.WriteString("&" + restli.EncodeParam(restli.Protocol1, "owners", o))
	}
	for _, bound := range [...]struct {
		name string
		v    EpochMillis
	}{{loName, lo}, {hiName, hi}} {
		if bound.v > 0 {
			b.WriteString("&" + bound.name + "=" + strconv.FormatInt(int64(bound.v), 10))
		}
	}
	return b.String()
}

// ClosedProfilesService lists members who closed their LinkedIn account
// after their data reached the ATS (our model of LinkedIn's unconfirmed
// "1-Click Export Deletion" endpoint, docs/linkedin-api.md §8.7). Query it at least
// every 30 days.
type ClosedProfilesService service

// ClosedProfile is a member who closed their account.
type ClosedProfile struct {
	Member          string      `json:"member"`
	ATSCandidateIDs []string    `json:"atsCandidateIds,omitempty"`
	ClosedAt        EpochMillis `json:"closedAt"`
}

// List iterates over members of the integration context whose accounts
// closed at or after since.
func (s *ClosedProfilesService) List(ctx context.Context, integrationContext string, since EpochMillis) iter.Seq2[ClosedProfile, error] {
	c := s.c
	q := "q=integrationContext&" + restli.EncodeParam(restli.Protocol1, "integrationContext", integrationContext) +
		"&closedSince=" + strconv.FormatInt(int64(since), 10)
	return finder[ClosedProfile](c, resClosedProfiles, q, 100)(ctx)
}
