package rsctest

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// emailRe is LinkedIn's X@X.X rule (docs/linkedin-api.md §13.5).
var emailRe = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

var personURN = regexp.MustCompile(`^urn:li:person:[A-Za-z0-9_-]+$`)

// candidateKind: atsCandidates (v2) and candidates (rest). Store key
// (integrationContext, atsCandidateId).
var candidateKind = newKind(&kind{
	table:    "candidates",
	fields:   []string{"integrationContext", "atsCandidateId"},
	validate: validateCandidate,
	render:   renderCandidate,
	schema:   candidateSchema,
})

// candidateDoc holds the candidate fields the fake validates; everything
// else is stored as sent.
type candidateDoc struct {
	AtsCreatedAt        *int64          `json:"atsCreatedAt"`
	AtsLastModifiedAt   *int64          `json:"atsLastModifiedAt"`
	EmailAddresses      []string        `json:"emailAddresses"`
	FirstName           *string         `json:"firstName"`
	Addresses           json.RawMessage `json:"addresses"`
	PhoneNumbers        json.RawMessage `json:"phoneNumbers"`
	ExternalProfileURL  *string         `json:"externalProfileUrl"`
	ManualMatchedMember *string         `json:"manualMatchedMember"`
}

const required = "field is required but not found and has no default value"

// fname returns the field name as the caller's family spells it.
func (c *call) fname(canonical string) string {
	if n, ok := c.rt.outRenames[canonical]; ok {
		return n
	}
	return canonical
}

// decodeTimed decodes a record's entity and applies the timestamp rules to
// the created and modified times stamps returns; needModified says whether
// the kind requires a modified time.
func decodeTimed[T any](c *call, r *record, needModified bool, stamps func(*T) (created, modified *int64)) (*T, *entityError) {
	d := new(T)
	if e := c.decodeDoc(r.doc, d); e != nil {
		return nil, e
	}
	created, modified := stamps(d)
	return d, c.checkTimestamps(created, modified, needModified)
}

// optionalCreated checks an optional creation time: when present it must be
// positive.
func (c *call) optionalCreated(created *int64) *entityError {
	if created != nil && *created <= 0 {
		return fieldErr(c.fname("atsCreatedAt"), "must be greater than 0")
	}
	return nil
}

// checkTimestamps applies the atsCreatedAt/atsLastModifiedAt rules.
func (c *call) checkTimestamps(created, modified *int64, needModified bool) *entityError {
	switch {
	case created == nil:
		return fieldErr(c.fname("atsCreatedAt"), required)
	case *created <= 0:
		return fieldErr(c.fname("atsCreatedAt"), "must be greater than 0")
	}
	if !needModified {
		return nil
	}
	switch {
	case modified == nil:
		return fieldErr(c.fname("atsLastModifiedAt"), required)
	case *modified <= 0:
		return fieldErr(c.fname("atsLastModifiedAt"), "must be greater than 0")
	case *modified < *created:
		return fieldErr(c.fname("atsLastModifiedAt"), "must be greater than or equal to "+c.fname("atsCreatedAt"))
	}
	return nil
}

// requiredArray refuses a field b that is absent or not a JSON array.
func requiredArray(name string, b json.RawMessage) *entityError {
	if b == nil {
		return fieldErr(name, required)
	}
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) == 0 || t[0] != '[' {
		return fieldErr(name, "must be an array")
	}
	return nil
}

func validateCandidate(c *call, r *record) *entityError {
	d, e := decodeTimed(c, r, true, func(d *candidateDoc) (*int64, *int64) { return d.AtsCreatedAt, d.AtsLastModifiedAt })
	if e != nil {
		return e
	}
	if e := minLen1("firstName", d.FirstName); e != nil {
		return e
	}
	if e := requiredArray("addresses", d.Addresses); e != nil {
		return e
	}
	if e := requiredArray("phoneNumbers", d.PhoneNumbers); e != nil {
		return e
	}
	if d.ExternalProfileURL == nil {
		return fieldErr("externalProfileUrl", required)
	}
	r.emails = r.emails[:0]
	for i, e := range d.EmailAddresses {
		if !emailRe.MatchString(e) {
			return fieldErr("emailAddresses/"+strconv.Itoa(i), "does not match pattern X@X.X")
		}
		r.emails = append(r.emails, strings.ToLower(e))
	}
	if d.ManualMatchedMember != nil {
		if !personURN.MatchString(*d.ManualMatchedMember) {
			return fieldErr("manualMatchedMember", "must be a person URN (urn:li:person:{id})")
		}
		r.manual = *d.ManualMatchedMember
	}
	return nil
}

// renderCandidate adds the LinkedIn-side match fields on read (C2).
func renderCandidate(cu *Customer, r *record, m map[string]json.RawMessage) {
	matched := cu.s.matchMembers(r.emails)
	b, _ := json.Marshal(matched)
	m["matchedMembers"] = b
	if r.manual != "" {
		b, _ := json.Marshal(r.manual)
		m["manualMatchedMember"] = b
	} else {
		delete(m, "manualMatchedMember")
	}
}
