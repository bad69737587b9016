package rsc

import (
	"context"
	"encoding/json"
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
	// RequestID is the push event's id the export was read by.
	RequestID string `json:"requestId"`
	// IntegrationContext is the organization URN of the customer the
	// export is for: check it against the customer whose callback received
	// the event.
	IntegrationContext string `json:"integrationContext"`
	// ExternalJobPostingID is the ATS's id of the job the member was
	// exported to.
	ExternalJobPostingID string `json:"externalJobPostingId"`
	Exporter             string `json:"exporter"` // urn:li:seat:{id}
	// ExportedAt is when the recruiter exported the member, in epoch
	// milliseconds.
	ExportedAt EpochMillis `json:"exportedAt"`
	// Candidate is the exported member.
	Candidate StubProfile `json:"candidate"`
}

// StubProfile is the LinkedIn side of an exported member.
type StubProfile struct {
	Person string `json:"person"` // urn:li:person:{id}
	// FirstName and LastName are the member's names.
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	// Headline and Location are the member's LinkedIn headline and
	// location, as free text, when LinkedIn sends them.
	Headline string `json:"headline,omitempty"`
	Location string `json:"location,omitempty"`
	// ProfileURL is the member's LinkedIn profile URL, when LinkedIn
	// sends it.
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

// Seat is a Recruiter seat holder. It decodes both families' answers: the
// seat id as "id" (/v2) or "seatId" (/rest, docs/linkedin-api.md §11), each
// as a JSON number or a urn:li:seat:{number} string, since LinkedIn does not
// publish its type. Seat exposes no creation time, so the versioned
// createdAt (a number, or an object {actor, time}) is ignored whatever its
// shape.
type Seat struct {
	// ID is the seat's number; URN gives urn:li:seat:{ID}.
	ID int64 `json:"id"`
	// FirstName, LastName and Email are the seat holder's names and email
	// address.
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Email     string `json:"email,omitempty"`
	// Contract is the contract URN the seat belongs to.
	Contract string `json:"contract"`
	Member   string `json:"member"` // person URN: map ATS users by it
	// State is the seat's state, such as ACTIVE.
	State string `json:"state"`
	// SeatRoles are the seat's roles, such as RECRUITER_SEAT.
	SeatRoles []string `json:"seatRoles,omitempty"`
}

// URN returns the seat's URN, urn:li:seat:{id}.
func (s Seat) URN() string { return seatURNPrefix + strconv.FormatInt(s.ID, 10) }

// seatURNPrefix starts a seat URN.
const seatURNPrefix = "urn:li:seat:"

// UnmarshalJSON decodes a seatsV2 element of either family (see Seat).
func (s *Seat) UnmarshalJSON(b []byte) error {
	type fields Seat // without this method
	var w struct {
		fields
		ID     json.RawMessage `json:"id"`
		SeatID json.RawMessage `json:"seatId"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = Seat(w.fields)
	raw := w.SeatID
	if len(raw) == 0 || string(raw) == "null" {
		raw = w.ID
	}
	id, err := seatID(raw)
	if err != nil {
		return err
	}
	s.ID = id
	return nil
}

// seatID reads a seat id given as a JSON number, a urn:li:seat:{number}
// string or a decimal string; absent or null is 0.
func seatID(raw json.RawMessage) (int64, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	var str string
	if raw[0] != '"' {
		str = string(raw)
	} else if err := json.Unmarshal(raw, &str); err != nil {
		return 0, fmt.Errorf("rsc: seat id %s: %w", raw, err)
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(str, seatURNPrefix), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("rsc: seat id %s is neither a number nor urn:li:seat:{number}", raw)
	}
	return n, nil
}

// List iterates over the seats of contracts in the given states (ACTIVE when
// none are given): ACTIVE, INACTIVE, INVITED or PARKED, the states
// LinkedIn's seatsV2 takes (docs/linkedin-api.md §8.3); another is an
// error before anything is sent.
func (s *SeatsService) List(ctx context.Context, contracts []string, states ...string) iter.Seq2[Seat, error] {
	c := s.c
	if len(states) == 0 {
		states = []string{"ACTIVE"}
	}
	for _, st := range states {
		switch st {
		case "ACTIVE", "INACTIVE", "INVITED", "PARKED":
		default:
			return func(yield func(Seat, error) bool) {
				yield(Seat{}, fmt.Errorf("rsc: seatsV2 state %q: not ACTIVE, INACTIVE, INVITED or PARKED", st))
			}
		}
	}
	var q strings.Builder
	q.WriteString("q=attributes")
	writeListParam(&q, c.fam.proto, "contracts", contracts)
	writeListParam(&q, c.fam.proto, "states", states)
	return finder[Seat](c, resSeats, q.String(), 100)(ctx)
}

// writeListParam writes a finder's list parameter, with a leading '&', in
// the syntax of protocol p: name=v1&name=v2 under Rest.li 1.0 (the form of
// LinkedIn's Postman collection), name=List(v1,v2) with 2.0-escaped values
// under 2.0 (docs/linkedin-api.md §3.2). It writes nothing for no values.
func writeListParam(b *strings.Builder, p restli.Protocol, name string, values []string) {
	if len(values) == 0 {
		return
	}
	if p == restli.Protocol2 {
		b.WriteString("&" + name + "=" + restli.Encode(values))
		return
	}
	for _, v := range values {
		b.WriteString("&" + restli.EncodeParam(p, name, v))
	}
}

// InMailService reads InMail history (conversationEvents).
type InMailService service

// ConversationEvent is one InMail message (docs/linkedin-api.md §8.4).
type ConversationEvent struct {
	// ID is the event's id.
	ID string `json:"id"`
	// Conversation is the URN of the conversation the message is in.
	Conversation string `json:"conversation"`
	Viewer       string `json:"viewer"` // seat URN
	Member       string `json:"member"` // the prospect's person URN
	Author       string `json:"author"` // seat or person URN
	// CreatedAt is when the event was created, in epoch milliseconds: the
	// time Events' range applies to.
	CreatedAt EpochMillis `json:"createdAt"`
	// Subject and Body are the message's subject and text.
	Subject string `json:"subject,omitempty"`
	Body    string `json:"body,omitempty"`
	// ContactInfoShared is LinkedIn's flag saying whether the member
	// shared their contact information.
	ContactInfoShared bool `json:"contactInfoShared,omitempty"`
}

// FromMember reports whether the member (not the recruiter) wrote the message.
func (e ConversationEvent) FromMember() bool { return strings.HasPrefix(e.Author, "urn:li:person:") }

// MaxInMailWindow is the longest time range, in milliseconds, that LinkedIn
// asks callers to read in one conversationEvents call (docs/linkedin-api.md
// §8.4). InMailService.Events splits a longer range into consecutive windows
// of at most this length.
const MaxInMailWindow = 12 * 60 * 60 * 1000 // milliseconds

// Events iterates over one seat's conversation events created in
// [start, end). LinkedIn asks for at most 12 hours a call, so a longer range
// is read as consecutive windows of at most MaxInMailWindow, oldest first,
// each paged to its end before the next is asked for: a caller may ask for a
// day or more in one iteration. end must not precede start. The iteration
// yields one error and stops on the first failed call.
func (s *InMailService) Events(ctx context.Context, seat string, start, end EpochMillis) iter.Seq2[ConversationEvent, error] {
	c := s.c
	if end < start {
		return func(yield func(ConversationEvent, error) bool) {
			yield(ConversationEvent{}, fmt.Errorf("rsc: conversationEvents window [%d, %d): end precedes start", start, end))
		}
	}
	return inWindows(start, end, MaxInMailWindow, func(from, to EpochMillis) iter.Seq2[ConversationEvent, error] {
		return finder[ConversationEvent](c, resConversations, eventsQuery(c.fam.of(resConversations).proto, seat, from, to), 50)(ctx)
	})
}

// inWindows yields what read yields for consecutive windows (from, to) of
// at most width, oldest first, each read to its end before the next is
// asked for, until the windows reach end; it stops at the first error and
// when the consumer stops.
func inWindows[T any](start, end, width EpochMillis, read func(from, to EpochMillis) iter.Seq2[T, error]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for from := start; ; {
			to := end
			if d := end - from; d < 0 || d > width { // d < 0: the difference overflowed
				to = from + width
			}
			for v, err := range read(from, to) {
				if !yield(v, err) || err != nil {
					return
				}
			}
			if to >= end {
				return
			}
			from = to
		}
	}
}

// eventsQuery is the conversationEvents query of one seat's window
// [start, end) in protocol p: viewer=urn:li:seat:1&timeRange.start=…&timeRange.end=…
// under Rest.li 1.0 (the form of LinkedIn's Postman collection), and
// viewer=urn%3Ali%3Aseat%3A1&timeRange=(start:…,end:…) under 2.0, where
// a record parameter is one value (docs/linkedin-api.md §3.2).
func eventsQuery(p restli.Protocol, seat string, start, end EpochMillis) string {
	return "q=criteria&" + restli.EncodeParam(p, "viewer", seat) + timeRangeParam(p, start, end)
}

// timeRangeParam is a finder's timeRange record parameter, with a leading
// '&', in the syntax of protocol p: &timeRange.start=…&timeRange.end=…
// under Rest.li 1.0 (the form of LinkedIn's Postman requests), and
// &timeRange=(start:…,end:…) under 2.0, where a record parameter is one
// value (docs/linkedin-api.md §3.2).
func timeRangeParam(p restli.Protocol, start, end EpochMillis) string {
	from, to := strconv.FormatInt(int64(start), 10), strconv.FormatInt(int64(end), 10)
	if p == restli.Protocol2 {
		return "&timeRange=" + restli.Encode(restli.Key{{Name: "start", Value: from}, {Name: "end", Value: to}})
	}
	return "&timeRange.start=" + from + "&timeRange.end=" + to
}

// MailStubsService reads InMail stub profiles (mailStubs): members who shared
// their contact information when replying.
type MailStubsService service

// MailStub is an InMail stub profile.
type MailStub struct {
	// ID is the stub's id.
	ID string `json:"id"`
	// Contract is the contract URN the stub belongs to.
	Contract string `json:"contract"`
	Owner    string `json:"owner"`  // seat URN
	Member   string `json:"member"` // person URN
	// FirstName and LastName are the member's names.
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	// EmailAddress (one address, docs/linkedin-api.md §8.5) and
	// PhoneNumber are the contact details the member shared, when given.
	EmailAddress string `json:"emailAddress,omitempty"`
	PhoneNumber  string `json:"phoneNumber,omitempty"`
	// CreatedAt is when the stub was created, in epoch milliseconds: the
	// time List's range applies to.
	CreatedAt EpochMillis `json:"createdAt"`
}

// List iterates over stubs of a contract owned by the given seats, created in
// [start, end) (zero bounds are omitted; end must not precede start). Always
// pass owners: LinkedIn searches less without them.
func (s *MailStubsService) List(ctx context.Context, contract string, owners []string, start, end EpochMillis) iter.Seq2[MailStub, error] {
	if start > 0 && end > 0 && end < start {
		return func(yield func(MailStub, error) bool) {
			yield(MailStub{}, fmt.Errorf("rsc: mailStubs range [%d, %d): createdDateEnd precedes createdDateStart", start, end))
		}
	}
	q := contractQuery(s.c.fam.of(resMailStubs).proto, "contract", contract, owners, "createdDateStart", start, "createdDateEnd", end)
	return finder[MailStub](s.c, resMailStubs, q, 50)(ctx)
}

// ProspectNotesService reads Recruiter prospect notes (prospectNotes).
type ProspectNotesService service

// ProspectNote is a recruiter's note on a prospect (docs/linkedin-api.md
// §8.6). Inactive notes were deleted on LinkedIn and must be deleted in the
// ATS.
//
// Its JSON is the element of LinkedIn's sample response: the id is a JSON
// number, which ID holds as its decimal string (an id sent as a JSON string
// is read as it is), and the timestamps are "created" and "lastModified".
// The names createdAt and lastModifiedAt, which rscgo used before it
// followed that sample, are not read: no LinkedIn page shows them, and
// reading them would let a fake that serves them pass the very tests that
// are there to catch it. Owner, Member and Note keep our names: LinkedIn's
// sample, as far as we could read it, does not show them
// (docs/wire-model.md, prospectNotes).
type ProspectNote struct {
	// ID is the note's id, a JSON number on the wire, in decimal.
	ID       string `json:"id"`
	Contract string `json:"contract"` // the contract URN the note belongs to
	Owner    string `json:"owner"`    // seat URN of the note's author
	Member   string `json:"member"`   // the prospect's person URN
	Note     string `json:"note"`     // the note's text
	// Active is false for a note deleted on LinkedIn, which the ATS must
	// delete too.
	Active bool `json:"active"`
	// CreatedAt is LinkedIn's "created".
	CreatedAt EpochMillis `json:"created"`
	// LastModifiedAt is LinkedIn's "lastModified", the time List's bounds
	// apply to.
	LastModifiedAt EpochMillis `json:"lastModified"`
}

// prospectNoteJSON is a ProspectNote with its id as raw JSON: a number, or
// a string. ID comes first so that it shadows the id of the embedded
// fields, and so that it is written first.
type prospectNoteJSON struct {
	ID json.RawMessage `json:"id"`
	prospectNoteFields
}

// prospectNoteFields is ProspectNote without its JSON methods.
type prospectNoteFields ProspectNote

// UnmarshalJSON decodes a prospectNotes element (see ProspectNote).
func (n *ProspectNote) UnmarshalJSON(b []byte) error {
	var w prospectNoteJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	id, err := prospectNoteID(w.ID)
	if err != nil {
		return err
	}
	*n = ProspectNote(w.prospectNoteFields)
	n.ID = id
	return nil
}

// MarshalJSON encodes the note as LinkedIn sends it: a decimal ID as a
// JSON number (any other ID, which LinkedIn does not send, as a string),
// the timestamps as "created" and "lastModified".
func (n ProspectNote) MarshalJSON() ([]byte, error) {
	id, err := json.Marshal(n.ID)
	if v, perr := strconv.ParseInt(n.ID, 10, 64); perr == nil && strconv.FormatInt(v, 10) == n.ID {
		id, err = []byte(n.ID), nil
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(prospectNoteJSON{ID: id, prospectNoteFields: prospectNoteFields(n)})
}

// prospectNoteID reads a prospect note id given as a JSON integer or a string;
// absent or null is "".
func prospectNoteID(raw json.RawMessage) (string, error) {
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", nil
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("rsc: prospect note id %s: %w", raw, err)
		}
		return s, nil
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return "", fmt.Errorf("rsc: prospect note id %s is neither an integer nor a string", raw)
	}
	return strconv.FormatInt(v, 10), nil
}

// MaxProspectNotesWindow is the longest (cutoffDate, beforeDate] window, in
// milliseconds, that LinkedIn reads in one prospectNotes call
// (docs/linkedin-api.md §8.6). ProspectNotesService.List splits a longer
// one into consecutive windows of at most this length.
const MaxProspectNotesWindow = 12 * 60 * 60 * 1000 // milliseconds

// List iterates over notes of a contract whose last update is in
// (cutoff, before]: LinkedIn documents cutoffDate as a non-inclusive lower
// bound and beforeDate as an inclusive upper one (docs/linkedin-api.md
// §8.6). LinkedIn reads at most 12 hours a call, so a longer range is read
// as consecutive windows (a, b], (b, c], ... of at most
// MaxProspectNotesWindow, oldest first, each paged to its end before the
// next is asked for. before must not precede cutoff. A zero bound is
// omitted (the range is then sent in one call, as it is). A caller reading
// consecutive ranges must pass the previous range's end, its before, as
// the next cutoff: the ranges (a, b] and (b, c] read every millisecond
// once, and a note last updated at exactly b in the first. The iteration
// yields one error and stops on the first failed call.
func (s *ProspectNotesService) List(ctx context.Context, contract string, owners []string, cutoff, before EpochMillis) iter.Seq2[ProspectNote, error] {
	c := s.c
	if cutoff > 0 && before > 0 && before < cutoff {
		return func(yield func(ProspectNote, error) bool) {
			yield(ProspectNote{}, fmt.Errorf("rsc: prospectNotes window (%d, %d]: beforeDate precedes cutoffDate", cutoff, before))
		}
	}
	p := c.fam.of(resProspectNotes).proto
	read := func(lo, hi EpochMillis) iter.Seq2[ProspectNote, error] {
		return finder[ProspectNote](c, resProspectNotes, contractQuery(p, "criteria", contract, owners, "cutoffDate", lo, "beforeDate", hi), 100)(ctx)
	}
	if cutoff <= 0 || before <= 0 { // an open range: one call
		return read(cutoff, before)
	}
	return inWindows(cutoff, before, MaxProspectNotesWindow, read)
}

// contractQuery is the query, in protocol p, of finder q over one
// contract's records owned by owners, with the bounds lo and hi under their
// names (a zero bound is omitted).
func contractQuery(p restli.Protocol, q, contract string, owners []string, loName string, lo EpochMillis, hiName string, hi EpochMillis) string {
	var b strings.Builder
	b.WriteString("q=" + q + "&" + restli.EncodeParam(p, "contract", contract))
	writeListParam(&b, p, "owners", owners)
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

// ClosedProfilesService reads LinkedIn's 1-Click Export deletion notices:
// the members exported to the ATS who have since deleted or closed their
// LinkedIn account (GET atsPurgedExportedCandidates, docs/linkedin-api.md
// §8.7). Partners must read them at least every 30 days and tell the
// customer, who decides what to delete.
type ClosedProfilesService service

// ClosedProfile is a member who closed their account. LinkedIn publishes
// no response fields for atsPurgedExportedCandidates: these JSON names are
// rscgo's own (docs/wire-model.md, closed profiles).
type ClosedProfile struct {
	// Member is the person URN of the member who closed their account.
	Member string `json:"member"`
	// ATSCandidateIDs are the ATS's ids of the candidates linked to the
	// member.
	ATSCandidateIDs []string `json:"atsCandidateIds,omitempty"`
	// ClosedAt is when the account was closed, in epoch milliseconds.
	ClosedAt EpochMillis `json:"closedAt"`
}

// oneClickExport is the exportType of the deletion notices: the members a
// recruiter exported with 1-Click Export (docs/linkedin-api.md §8.7).
const oneClickExport = "ONE_CLICK_EXPORT"

// ListRange iterates over the deletion notices of the time range
// [start, end): q=criteria with the range as the finder's timeRange (in
// the client's Rest.li syntax, as conversationEvents takes it) and
// exportType=ONE_CLICK_EXPORT. LinkedIn's request names no customer: the
// child application's token does. end must not precede start. Whether
// LinkedIn's end is inclusive, and what the range bounds (the closure, or
// the purge), are not published; consecutive ranges [a, b) and [b, c)
// leave no gap either way.
func (s *ClosedProfilesService) ListRange(ctx context.Context, start, end EpochMillis) iter.Seq2[ClosedProfile, error] {
	c := s.c
	if end < start {
		return func(yield func(ClosedProfile, error) bool) {
			yield(ClosedProfile{}, fmt.Errorf("rsc: atsPurgedExportedCandidates range [%d, %d): end precedes start", start, end))
		}
	}
	q := "q=criteria" + timeRangeParam(c.fam.proto, start, end) + "&exportType=" + oneClickExport
	return finder[ClosedProfile](c, resClosedProfiles, q, 100)(ctx)
}

// List iterates over the deletion notices from since up to now, both
// included: ListRange of [since, now+1ms), now read from the client's
// clock (WithClock) when the iteration starts, or of the empty range
// [since, since) when since lies ahead of it. LinkedIn's request names no
// customer: the child application's token does.
func (s *ClosedProfilesService) List(ctx context.Context, since EpochMillis) iter.Seq2[ClosedProfile, error] {
	return func(yield func(ClosedProfile, error) bool) {
		end := max(EpochMillis(s.c.cfg.clock.Now().UnixMilli())+1, since)
		for p, err := range s.ListRange(ctx, since, end) {
			if !yield(p, err) || err != nil {
				return
			}
		}
	}
}
