package rsc

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// checkCandidateJSON requires appendJSON to encode cand as json.Marshal does
// (nil lists as []), compared as decoded JSON.
func checkCandidateJSON(t *testing.T, cand Candidate) {
	t.Helper()
	got := cand.appendJSON([]byte("x"))
	if got[0] != 'x' {
		t.Fatalf("appendJSON overwrote its destination")
	}
	norm := cand
	if norm.PhoneNumbers == nil {
		norm.PhoneNumbers = []PhoneNumber{}
	}
	if norm.Addresses == nil {
		norm.Addresses = []Address{}
	}
	want, err := json.Marshal(&norm)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(got[1:], &g); err != nil {
		t.Fatalf("appendJSON wrote invalid JSON %s: %v", got[1:], err)
	}
	json.Unmarshal(want, &w)
	if d := cmp.Diff(w, g); d != "" {
		t.Errorf("appendJSON differs from json.Marshal (-want +got):\n%s", d)
	}
}

func TestCandidateAppendJSON(t *testing.T) {
	t.Parallel()
	full := testCandidate("C1")
	full.DoNotContact, full.LinkedInProfileURL = true, "https://www.linkedin.com/in/x"
	full.EmailAddresses = append(full.EmailAddresses, `q"uote\<&>@é.com`)
	for name, cand := range map[string]Candidate{
		"full":    full,
		"minimal": {FirstName: "A", ExternalProfileURL: "https://x.test/1", CreatedAt: 1, LastModifiedAt: 2},
		"zero":    {},
		"escapes": {FirstName: "tab\tnl\n\x00\u2028", LastName: "\xff", Addresses: []Address{{}, {Line1: "é"}}, PhoneNumbers: []PhoneNumber{{}}},
	} {
		t.Run(name, func(t *testing.T) { checkCandidateJSON(t, cand) })
	}
}

// FuzzCandidateAppendJSON: appendJSON and json.Marshal agree on any text.
func FuzzCandidateAppendJSON(f *testing.F) {
	f.Add("john", "", "a@b.c", "555", "Main St", int64(1700000000000), true)
	f.Add("é\"\\<", "\x00", "", "", "", int64(-1), false)
	f.Fuzz(func(t *testing.T, first, last, email, phone, line string, ms int64, dnc bool) {
		cand := Candidate{FirstName: first, LastName: last, ExternalProfileURL: line, DoNotContact: dnc,
			CreatedAt: EpochMillis(ms), LastModifiedAt: EpochMillis(ms)}
		if email != "" {
			cand.EmailAddresses = []string{email, last}
		}
		if phone != "" {
			cand.PhoneNumbers = []PhoneNumber{{Number: phone, Extension: last}}
			cand.Addresses = []Address{{Line1: line, City: first}}
		}
		checkCandidateJSON(t, cand)
	})
}

// FuzzApplicationAppendJSON: appendJSON and json.Marshal agree on any text.
func FuzzApplicationAppendJSON(f *testing.F) {
	f.Add("C1", "J1", "Engineer", "a@b.c", "Ann", "", "Referral", "", int64(1700000000000))
	f.Add("\x00", "é\"\\<&>", "\xff", "", "", "\u2028", "", "tab\t", int64(-5))
	f.Fuzz(func(t *testing.T, cand, job, name, email, first, last, source, reason string, ms int64) {
		a := Application{CandidateID: cand, JobPostingID: job, JobPostingName: name, CandidateEmail: email, FirstName: first,
			LastName: last, Source: source, DispositionReason: reason, CreatedAt: EpochMillis(ms), LastModifiedAt: EpochMillis(ms + 1)}
		got := a.appendJSON(nil)
		want, err := json.Marshal(&a)
		if err != nil {
			t.Fatal(err)
		}
		var g, w any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("appendJSON wrote invalid JSON %s: %v", got, err)
		}
		json.Unmarshal(want, &w)
		if d := cmp.Diff(w, g); d != "" {
			t.Errorf("appendJSON differs from json.Marshal (-want +got):\n%s", d)
		}
	})
}
