package rsc

import (
	"context"
	"encoding/json"
	"strings"
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

// FuzzAppendJSONString: the append-style encoders write each string (or
// bytes, as a batch body's keys) byte for byte as marshalBody does.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "R&D <team>", "José Müller", "tab\t", `q"uote\`, "\x00", "\xff", "a\u2028b\u2029", "\xed\xa0\x80", "日本語"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := marshalBody(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Errorf("appendJSONString(%q) = %s, marshalBody writes %s", s, got, want)
		}
		if got := appendJSONString(nil, []byte(s)); string(got) != string(want) {
			t.Errorf("appendJSONString([]byte(%q)) = %s, marshalBody writes %s", s, got, want)
		}
	})
}

// Request bodies keep '&', '<' and '>' as they are, as LinkedIn's sample
// requests write them, in every body the client builds: the append-style
// encoders, the reflection-based ones and the $set patches, with and
// without non-ASCII text.
func TestBodiesKeepHTMLCharacters(t *testing.T) {
	t.Parallel()
	const text = "R&D <team> é"
	app := ApplicationKey{IntegrationContext: org, ApplicationID: "APP1"}
	upsertNamed := func(first string) func(ctx context.Context, c *Client) {
		return func(ctx context.Context, c *Client) {
			cand := testCandidate("C1")
			cand.FirstName = first
			c.Candidates.Upsert(ctx, []Candidate{cand})
		}
	}
	for _, tc := range []struct {
		name string
		call func(ctx context.Context, c *Client)
		want string // in the body, as it is
	}{
		{"Candidates.Upsert", upsertNamed(text), `"firstName":"R&D <team> é"`},
		{"Candidates.Upsert ASCII", upsertNamed("R&D <team>"), `"firstName":"R&D <team>"`},
		{"Applications.Upsert", func(ctx context.Context, c *Client) {
			a := testApplication("A1")
			a.JobPostingName = text
			c.Applications.Upsert(ctx, []Application{a})
		}, `"atsJobPostingName":"R&D <team> é"`},
		{"Applications.UpsertStages", func(ctx context.Context, c *Client) {
			c.Applications.UpsertStages(ctx, app, []Stage{{ID: "S1", Stage: text, CreatedAt: 1700000000000}})
		}, `"stage":"R&D <team> é"`},
		{"Applications.UpsertFeedback", func(ctx context.Context, c *Client) {
			c.Applications.UpsertFeedback(ctx, app, []InterviewFeedback{{ID: "F1", Interviewer: &Actor{FirstName: "Ann", LastName: "Lee"},
				Feedback: text, InterviewType: "ONSITE", CreatedAt: 1700000000000}})
		}, `"feedback":"R&D <team> é"`},
		{"Applications.UpsertNotes", func(ctx context.Context, c *Client) {
			c.Applications.UpsertNotes(ctx, app, []Note{{ID: "N1", Note: text}})
		}, `"note":"R&D <team> é"`},
		{"Jobs.Submit", func(ctx context.Context, c *Client) {
			j := testJob("J1")
			j.Title = text
			c.Jobs.Submit(ctx, []JobPosting{j})
		}, `"title":"R&D <team> é"`},
		{"Integrations.Name", func(ctx context.Context, c *Client) {
			c.Integrations.Name(ctx, []IntegrationName{{Key: IntegrationKey{IntegrationContext: org, Type: OneClickExport}, Name: text}})
		}, `"integrationName":"R&D <team> é"`},
		{"Integrations.SetConfig", func(ctx context.Context, c *Client) {
			c.Integrations.SetConfig(ctx, IntegrationKey{IntegrationContext: org, Type: OneClickExport},
				map[ConfigKey]string{ConfigCallbackURL: "https://ats.example.com/push?a=1&b=2"})
		}, `"string":"https://ats.example.com/push?a=1&b=2"`},
		{"Provisioning.Create", func(ctx context.Context, c *Client) {
			c.Provisioning.Create(ctx, ProvisionRequest{UniqueForeignID: "acme", Name: "R&D <team>", Description: text})
		}, `"description":"R&D <team> é"`},
		{"Provisioning.UpdateCallbackURLs", func(ctx context.Context, c *Client) {
			c.Provisioning.UpdateCallbackURLs(ctx, "urn:li:developerApplication:1", []string{"https://ats.example.com/cb?a=1&b=2"})
		}, `"oauth2AuthorizedCallbackUrls":["https://ats.example.com/cb?a=1&b=2"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, okBatch)
			tc.call(t.Context(), h.client)
			r := h.requests()
			if len(r) == 0 {
				t.Fatal("nothing sent")
			}
			body := string(r[0].Body) // Create reads the application back after it

			if !strings.Contains(body, tc.want) || strings.Contains(body, `\u00`) {
				t.Errorf("body %s\nwant it to hold %s, with no \\u00XX escape", body, tc.want)
			}
		})
	}
}
