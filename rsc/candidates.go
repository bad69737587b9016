package rsc

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// CandidatesService syncs candidates (atsCandidates; versioned: candidates)
// and their notes.
type CandidatesService service

// Candidate is an ATS candidate as LinkedIn stores it (docs/linkedin-api.md §7.2).
// Upserts replace the whole record. The rules on each field are the ones
// Validate and Upsert check before sending. "Text" means valid UTF-8 without
// control characters other than tab and line breaks; "required" text has at
// least one character, white space included (LinkedIn's "min length 1").
// Text has no length limit unless its field names one of LinkedIn's, except
// two guards of ours (docs/linkedin-api.md §7): any text is at most 262,144
// characters, and an "id" (the ATS's own id of a record) at most 512.
type Candidate struct {
	// Key identifies the candidate: CandidateID is a required id;
	// IntegrationContext must be urn:li:organization:{digits}.
	Key CandidateKey `json:"-"`

	// FirstName is required text.
	FirstName string `json:"firstName"`
	// LastName, MiddleInitial, Prefix and Suffix are optional text.
	LastName      string `json:"lastName,omitempty"`
	MiddleInitial string `json:"middleInitial,omitempty"`
	Prefix        string `json:"prefix,omitempty"`
	Suffix        string `json:"suffix,omitempty"`
	// EmailAddresses are required unless the candidate has a person URN
	// attached; each must be text matching X@X.X. Only the format is
	// checked: the person URN is attached separately
	// (AttachPerson), so the client cannot know whether an empty list is
	// allowed, and the fake accepts it too.
	EmailAddresses []string `json:"emailAddresses,omitempty"`
	// PhoneNumbers is sent as [] when empty; see PhoneNumber for the rules.
	PhoneNumbers []PhoneNumber `json:"phoneNumbers"`
	// Addresses is sent as [] when empty; see Address for the rules.
	Addresses []Address `json:"addresses"`
	// CurrentCompanyName and CurrentJobTitle are optional text; sending them
	// improves LinkedIn's member matching.
	CurrentCompanyName string `json:"currentCompanyName,omitempty"`
	CurrentJobTitle    string `json:"currentJobTitle,omitempty"`
	// ExternalProfileURL links to the candidate in the ATS: required, an
	// absolute http(s) URL.
	ExternalProfileURL string `json:"externalProfileUrl"`
	// LinkedInProfileURL is the member's public LinkedIn URL, if known: an
	// absolute http(s) URL when set.
	LinkedInProfileURL string `json:"linkedInProfileUrl,omitempty"`
	// DoNotContact is the ATS's do-not-contact flag (docs/linkedin-api.md
	// §7.2). It is sent only when true.
	DoNotContact bool `json:"doNotContact,omitempty"`
	// CreatedAt is required: epoch milliseconds, > 0 and not small enough to
	// be seconds (before March 1973). It may be in the future: LinkedIn
	// documents no limit.
	CreatedAt EpochMillis `json:"atsCreatedAt"`
	// LastModifiedAt is required as CreatedAt is, and not before it.
	LastModifiedAt EpochMillis `json:"atsLastModifiedAt"`
}

// Address is a candidate's postal address. Every field is optional text
// ("text" as on Candidate).
type Address struct {
	// Line1, Line2, Line3 and Line4 are the street address lines: optional
	// text.
	Line1 string `json:"line1,omitempty"`
	Line2 string `json:"line2,omitempty"`
	Line3 string `json:"line3,omitempty"`
	Line4 string `json:"line4,omitempty"`
	// City is optional text.
	City string `json:"city,omitempty"`
	// GeographicArea is the state or province: optional text.
	GeographicArea string `json:"geographicArea,omitempty"`
	// GeographicAreaType is STATE or PROVINCE when set.
	GeographicAreaType string `json:"geographicAreaType,omitempty"`
	// PostalCode is optional text.
	PostalCode string `json:"postalCode,omitempty"`
	// Country is optional text; it is not checked against a list of
	// country names or codes.
	Country string `json:"country,omitempty"`
}

// PhoneNumber is a candidate's phone number ("text" as on Candidate).
type PhoneNumber struct {
	// Number is required text.
	Number string `json:"number"`
	// Extension is optional text.
	Extension string `json:"extension,omitempty"`
}

// Validate checks the candidate against the rules documented on its fields,
// as Upsert and CandidatesService.Validate do.
func (cand *Candidate) Validate() error {
	return checkRecord(resCandidates, cand.Key.CandidateID, time.Now(), cand, validateCandidate)
}

// Validate checks the record against the rules documented on its fields,
// as Upsert does before sending.
func (s *CandidatesService) Validate(cand *Candidate) error {
	return checkRecord(resCandidates, cand.Key.CandidateID, s.c.cfg.clock.Now(), cand, validateCandidate)
}

// ValidateParent checks k as the calls on the candidate's notes do before
// sending: Validate, then, on /v2, where the key is a segment of those
// calls' URL path, that it takes at most 4 KB there once encoded,
// LinkedIn's limit on a path segment (docs/linkedin-api.md §2.2). The
// candidate itself is not held to it: its own calls name it in the query,
// which a long key tunnels.
func (s *CandidatesService) ValidateParent(k CandidateKey) error {
	return s.c.validateParent(k, resCandidates)
}

func validateCandidate(v *validator, cand *Candidate) {
	if v.adopt(cand.Key.check()); v.err != nil {
		return
	}
	v.text("atsCandidateId", cand.Key.CandidateID, true, maxIDLen)
	v.text("firstName", cand.FirstName, true, 0)
	for _, f := range [...]struct{ name, val string }{{"lastName", cand.LastName}, {"middleInitial", cand.MiddleInitial},
		{"prefix", cand.Prefix}, {"suffix", cand.Suffix}, {"currentCompanyName", cand.CurrentCompanyName}, {"currentJobTitle", cand.CurrentJobTitle}} {
		v.text(f.name, f.val, false, 0)
	}
	for i, e := range cand.EmailAddresses {
		v.failAt("emailAddresses[%d]", i, emailRule(e))
	}
	for i, p := range cand.PhoneNumbers {
		v.failAt("phoneNumbers[%d].number", i, textRule(p.Number, true, 0))
		v.failAt("phoneNumbers[%d].extension", i, textRule(p.Extension, false, 0))
	}
	for i := range cand.Addresses {
		a := &cand.Addresses[i]
		for _, f := range [...]struct{ name, val string }{{"line1", a.Line1}, {"line2", a.Line2}, {"line3", a.Line3}, {"line4", a.Line4},
			{"city", a.City}, {"geographicArea", a.GeographicArea}, {"postalCode", a.PostalCode}, {"country", a.Country}} {
			if r := textRule(f.val, false, 0); r != "" {
				v.fail(fmt.Sprintf("addresses[%d].%s", i, f.name), r)
			}
		}
		if a.GeographicAreaType != "" {
			v.failAt("addresses[%d].geographicAreaType", i, oneOfRule(a.GeographicAreaType, "STATE", "PROVINCE"))
		}
	}
	v.url("externalProfileUrl", cand.ExternalProfileURL, true)
	v.url("linkedInProfileUrl", cand.LinkedInProfileURL, false)
	v.createdModified(cand.CreatedAt, cand.LastModifiedAt)
}

// Upsert creates or replaces candidates (PUT batch_update). Records that fail
// validation are reported in the result and not sent; the others go in
// batches of at most 100, in order. A nil error does not mean every record
// was stored: LinkedIn reports per-record failures with HTTP 200, so check
// result.Failed(). On a whole-call failure the result says which records
// were acknowledged before it.
func (s *CandidatesService) Upsert(ctx context.Context, cands []Candidate) (*BatchResult[CandidateKey], error) {
	return upsertRecords[CandidateKey](ctx, s.c, resCandidates, &s.c.scratch.candidates, cands)
}

// CandidateRecord is a candidate read back from LinkedIn, with its member
// matches.
type CandidateRecord struct {
	// Candidate holds the fields LinkedIn returned (those of the
	// projection, when Get was given one); Get sets its Key to the key
	// asked for.
	Candidate
	// MatchedMembers are LinkedIn's algorithmic matches (person URNs).
	MatchedMembers []string `json:"matchedMembers,omitempty"`
	// ManualMatchedMember is the person URN a user linked by hand, or that
	// the ATS attached after a 1-Click Export.
	ManualMatchedMember string `json:"manualMatchedMember,omitempty"`
}

// Person returns the best person URN for the candidate: the manual match, or
// the first algorithmic one.
func (r *CandidateRecord) Person() string {
	if r.ManualMatchedMember != "" {
		return r.ManualMatchedMember
	}
	if len(r.MatchedMembers) > 0 {
		return r.MatchedMembers[0]
	}
	return ""
}

// Get reads candidates (batch_get), returning the ones LinkedIn holds keyed
// by CandidateKey. fields, if given, is a projection such as
// "matchedMembers", "manualMatchedMember". A key LinkedIn answers 404 is
// missing from the map; any other per-key error status returns a
// *BatchGetError, with the records that were found.
func (s *CandidatesService) Get(ctx context.Context, keys []CandidateKey, fields ...string) (map[CandidateKey]*CandidateRecord, error) {
	q := ""
	if len(fields) > 0 {
		q = "fields=" + strings.Join(fields, ",")
	}
	out, err := batchGet[CandidateKey, CandidateRecord](ctx, s.c, resCandidates, keys, q, CandidateKey.check)
	for k, rec := range out {
		rec.Key = k
	}
	return out, err
}

// PersonLink attaches a LinkedIn member to a candidate.
type PersonLink struct {
	// Key is the candidate; see CandidateKey for its rules.
	Key CandidateKey
	// Person is the member: urn:li:person:{id}.
	Person string
}

// AttachPerson sets manualMatchedMember on candidates (batch_partial_update
// with $set), as after a 1-Click Export or a profile-plugin link.
func (s *CandidatesService) AttachPerson(ctx context.Context, links []PersonLink) (*BatchResult[CandidateKey], error) {
	return setField(ctx, s.c, resCandidates, "manualMatchedMember", links, func(l PersonLink) (CandidateKey, any) {
		return l.Key, l.Person
	}, func(v *validator, l PersonLink) {
		if v.adopt(l.Key.check()); v.err == nil {
			v.urn("manualMatchedMember", l.Person, "urn:li:person:", true)
		}
	})
}

// Delete removes candidates (batch_delete). Delete their notes first:
// whether LinkedIn cascades candidate deletes to notes is unconfirmed.
func (s *CandidatesService) Delete(ctx context.Context, keys []CandidateKey) (*BatchResult[CandidateKey], error) {
	return writeBatches(ctx, s.c, s.c.batchOpFor(http.MethodDelete, resCandidates, ""),
		keyEntries(s.c, resCandidates, keys, nil, func(v *validator, k CandidateKey) { v.adopt(k.check()) }))
}
