package rsc

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// Every record type has a Validate method that applies the rules its
// fields document, and reports the first broken one by JSON field name.
func TestRecordValidate(t *testing.T) {
	t.Parallel()
	now := time.Now()
	job := testJob("J1")
	job.ListedAt = Millis(now.Add(-time.Hour))
	shortDesc := job
	shortDesc.Description = strings.Repeat("x", 99)
	cand := Candidate{Key: CandidateKey{IntegrationContext: org, CandidateID: "C1"}, FirstName: "Ann",
		ExternalProfileURL: "https://ats.example.com/c/1", CreatedAt: Millis(now.Add(-time.Hour)), LastModifiedAt: Millis(now)}
	badEmail := cand
	badEmail.EmailAddresses = []string{"ann.example.com"}
	app := Application{Key: ApplicationKey{IntegrationContext: org, ApplicationID: "A1"}, JobPostingID: "J1",
		JobPostingName: "Engineer", FirstName: "Ann", CreatedAt: Millis(now.Add(-time.Hour)), LastModifiedAt: Millis(now)}
	olderModified := app
	olderModified.LastModifiedAt = app.CreatedAt - 1
	for _, tc := range []struct {
		name      string
		validate  func() error
		wantField string // "" = valid
	}{
		{"job", job.Validate, ""},
		{"job description under 100 characters", shortDesc.Validate, "description"},
		{"candidate", cand.Validate, ""},
		{"candidate email", badEmail.Validate, "emailAddresses[0]"},
		{"application", app.Validate, ""},
		{"application modified before created", olderModified.Validate, "atsLastModifiedAt"},
		{"note", (&Note{ID: "N1", Note: "hi"}).Validate, ""},
		{"note author without last name", (&Note{ID: "N1", Author: &Actor{FirstName: "A"}}).Validate, "author.lastName"},
		{"stage", (&Stage{ID: "S1", Stage: "Hired", CreatedAt: Millis(now)}).Validate, ""},
		{"stage Not Available", (&Stage{ID: "S1", Stage: "Not Available", CreatedAt: Millis(now)}).Validate, "stage"},
		{"feedback", (&InterviewFeedback{ID: "F1", InterviewType: "ONSITE"}).Validate, ""},
		{"feedback type", (&InterviewFeedback{ID: "F1", InterviewType: "VIDEO"}).Validate, "interviewType"},
		{"feedback without id", (&InterviewFeedback{}).Validate, "id"},
		{"provision request name", (&ProvisionRequest{UniqueForeignID: "u", Name: "LinkedIn thing", Description: "d"}).Validate, "name"},
	} {
		wantField(t, tc.name, tc.validate(), tc.wantField)
	}
}

// isEmailShape accepts exactly what the X@X.X regular expression accepts.
func TestEmailShapeMatchesRegexp(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	for _, s := range []string{"a@b.c", "john@example.com", "a@b", "@b.c", "a@.c", "a@b.", "a@@b.c", "a@b@c.d", "a b@c.d",
		"a@b.c\n", "a\t@b.c", "a@b..c", "a.b@c.d.e", "a@.b.c", "é@ü.de", "a@b.c ", "", "@", "a@", "a@b\f.c", "a@b\v.c", "x@y.z.", "x@.y.z"} {
		if got, want := isEmailShape(s), re.MatchString(s); got != want {
			t.Errorf("isEmailShape(%q) = %v, the X@X.X regexp says %v", s, got, want)
		}
	}
}

// FuzzEmailShape compares isEmailShape with the X@X.X regexp on any input.
func FuzzEmailShape(f *testing.F) {
	re := regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	for _, s := range []string{"a@b.c", "a@b", "a b@c.d", "a@.c."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isEmailShape(s), re.MatchString(s); got != want {
			t.Fatalf("isEmailShape(%q) = %v, regexp %v", s, got, want)
		}
	})
}

// Only a job's listedAt must not be in the future (docs/linkedin-api.md
// §7.1), with an hour's tolerance for clock skew; LinkedIn documents no
// such rule for the other timestamps (> 0, and atsLastModifiedAt not
// before atsCreatedAt), so an ATS whose clock runs ahead, or that stores
// local times as UTC, still syncs them.
func TestFutureOnlyForListedAt(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	c := validatingClient(t, WithClock(&fakeClock{now: now}))
	ahead := Millis(now.Add(30 * 24 * time.Hour))
	cand := testCandidate("C1")
	cand.CreatedAt, cand.LastModifiedAt = ahead, ahead
	app := testApplication("A1")
	app.CreatedAt, app.LastModifiedAt = ahead, ahead
	job := testJob("J1")
	job.ListedAt = Millis(now.Add(2 * time.Hour))
	skewed := testJob("J2")
	skewed.ListedAt = Millis(now.Add(59 * time.Minute))
	checkFields(t, []fieldCase{
		{"candidate created and modified ahead", c.Candidates.Validate(&cand), ""},
		{"application created and modified ahead", c.Applications.Validate(&app), ""},
		{"candidate note ahead", c.Candidates.ValidateNote(&Note{ID: "N1", CreatedAt: ahead, LastModifiedAt: ahead}), ""},
		{"application note ahead", c.Applications.ValidateNote(&Note{ID: "N1", CreatedAt: ahead, LastModifiedAt: ahead}), ""},
		{"stage ahead", c.Applications.ValidateStage(&Stage{ID: "S1", Stage: "Hired", CreatedAt: ahead}), ""},
		{"feedback ahead", c.Applications.ValidateFeedback(&InterviewFeedback{ID: "F1", CreatedAt: ahead}), ""},
		{"job listedAt two hours ahead", c.Jobs.Validate(&job), "listedAt"},
		{"job listedAt within the skew tolerance", c.Jobs.Validate(&skewed), ""},
	})
}

// Required text needs at least one character, as LinkedIn's "min length 1"
// says (docs/linkedin-api.md §7.2, §7.4, §7.6): white space counts, so a
// value of spaces is valid, and only "" is refused.
func TestRequiredTextIsOneCharacter(t *testing.T) {
	t.Parallel()
	c := validatingClient(t)
	spaced := testCandidate("C1")
	spaced.FirstName = " "
	empty := testCandidate("C1")
	empty.FirstName = ""
	app := testApplication("A1")
	app.FirstName, app.JobPostingName = " \t", " "
	checkFields(t, []fieldCase{
		{"candidate firstName of one space", c.Candidates.Validate(&spaced), ""},
		{"candidate firstName empty", c.Candidates.Validate(&empty), "firstName"},
		{"application firstName and atsJobPostingName blank", c.Applications.Validate(&app), ""},
		{"stage of one space", c.Applications.ValidateStage(&Stage{ID: "S1", Stage: " ", CreatedAt: 1700000000000}), ""},
		{"note author names blank", c.Candidates.ValidateNote(&Note{ID: "N1", Author: &Actor{FirstName: " ", LastName: "\t"}}), ""},
		{"evaluation attribute blank", c.Applications.ValidateFeedback(&InterviewFeedback{ID: "F1",
			Evaluations: []Evaluation{{Attribute: " "}}}), ""},
		{"evaluation attribute empty", c.Applications.ValidateFeedback(&InterviewFeedback{ID: "F1",
			Evaluations: []Evaluation{{Attribute: ""}}}), "evaluations[0].attribute"},
	})
}

// Text has only the length limits LinkedIn documents (a job's id and title,
// 200; description, 25,000; skillsDescription, 4,000) and two guards of
// ours (docs/linkedin-api.md §7): any other text at most 262,144
// characters, and an ATS id at most 512. Names, titles, addresses, phone
// numbers, stages, evaluations and URLs longer than the 255, 64 or 2,048
// characters the client used to impose are valid.
func TestLengthLimits(t *testing.T) {
	t.Parallel()
	c := validatingClient(t)
	long, id512, id513 := strings.Repeat("x", 1000), strings.Repeat("i", 512), strings.Repeat("i", 513)
	huge, tooHuge := strings.Repeat("n", 262144), strings.Repeat("n", 262145)
	longURL := "https://ats.example.com/c/" + strings.Repeat("p", 3000)

	cand := testCandidate(id512)
	cand.FirstName, cand.LastName, cand.MiddleInitial, cand.Prefix, cand.Suffix = long, long, long, long, long
	cand.CurrentCompanyName, cand.CurrentJobTitle = long, long
	cand.EmailAddresses = []string{strings.Repeat("e", 400) + "@example.com"}
	cand.PhoneNumbers = []PhoneNumber{{Number: strings.Repeat("5", 100), Extension: strings.Repeat("1", 100)}}
	cand.Addresses = []Address{{Line1: long, Line2: long, Line3: long, Line4: long, City: long, GeographicArea: long,
		PostalCode: long, Country: long}}
	cand.ExternalProfileURL, cand.LinkedInProfileURL = longURL, longURL
	candLongID := testCandidate(id513)
	candHugeName := testCandidate("C1")
	candHugeName.LastName = tooHuge

	app := testApplication(id512)
	app.CandidateID, app.JobPostingID, app.JobPostingName = id512, strings.Repeat("j", 300), strings.Repeat("t", 300)
	app.FirstName, app.LastName, app.Source, app.DispositionReason = long, long, long, huge
	appHugeReason := testApplication("A1")
	appHugeReason.DispositionReason = tooHuge

	job := testJob("J1")
	job.Location, job.CompanyApplyURL = long, longURL

	fb := InterviewFeedback{ID: id512, Interviewer: &Actor{FirstName: long, LastName: long},
		Evaluations: []Evaluation{{Attribute: long, Result: long}}, Feedback: huge}
	acl := func(k ACLKey) error {
		v := &validator{res: resACLs.legacy, key: k.ACLID}
		checkACL(v, k)
		return v.result()
	}
	for _, tc := range []struct {
		name string
		err  error
		want *ValidationError // nil = valid
	}{
		{"candidate with long text and a 512-character id", c.Candidates.Validate(&cand), nil},
		{"candidate id of 513 characters", c.Candidates.Validate(&candLongID),
			&ValidationError{Resource: "atsCandidates", Key: id513, Field: "atsCandidateId", Rule: "must be at most 512 characters (has 513)"}},
		{"candidate lastName over the text guard", c.Candidates.Validate(&candHugeName),
			&ValidationError{Resource: "atsCandidates", Key: "C1", Field: "lastName", Rule: "must be at most 262144 characters (has 262145)"}},
		{"application with long text", c.Applications.Validate(&app), nil},
		{"application dispositionReason over the text guard", c.Applications.Validate(&appHugeReason),
			&ValidationError{Resource: "atsApplications", Key: "A1", Field: "dispositionReason", Rule: "must be at most 262144 characters (has 262145)"}},
		{"job with a long location and apply URL", c.Jobs.Validate(&job), nil},
		{"note of 262,144 characters", c.Candidates.ValidateNote(&Note{ID: id512, Note: huge, Author: &Actor{FirstName: long, LastName: long}}), nil},
		{"note over the text guard", c.Applications.ValidateNote(&Note{ID: "N1", Note: tooHuge}),
			&ValidationError{Resource: "notes", Key: "N1", Field: "note", Rule: "must be at most 262144 characters (has 262145)"}},
		{"stage with a long name", c.Applications.ValidateStage(&Stage{ID: id512, Stage: long, CreatedAt: 1700000000000}), nil},
		{"stage id of 513 characters", c.Applications.ValidateStage(&Stage{ID: id513, Stage: "Hired", CreatedAt: 1700000000000}),
			&ValidationError{Resource: "stages", Key: id513, Field: "id", Rule: "must be at most 512 characters (has 513)"}},
		{"feedback with long text", c.Applications.ValidateFeedback(&fb), nil},
		{"ACL with 512-character ids", acl(ACLKey{IntegrationContext: org, ACLID: id512, EntityID: id512}), nil},
		{"ACL id of 513 characters", acl(ACLKey{IntegrationContext: org, ACLID: id513, EntityID: "J1"}),
			&ValidationError{Resource: "atsEntityAcls", Key: id513, Field: "atsEntityAclId", Rule: "must be at most 512 characters (has 513)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got *ValidationError
			if tc.err != nil && !errors.As(tc.err, &got) {
				t.Fatalf("err = %v, want a *ValidationError", tc.err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("validation error (-want +got):\n%s", d)
			}
		})
	}
}

// validatingClient is a client for validation tests, built with opts.
func validatingClient(t *testing.T, opts ...Option) *Client {
	t.Helper()
	c, err := NewClient(append([]Option{WithCredentials("a", "b")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fieldCase is one row of a validation table: err must be a
// *ValidationError on field, or nil when field is "".
type fieldCase struct {
	name  string
	err   error
	field string
}

// checkFields runs each row as a subtest (wantField).
func checkFields(t *testing.T, rows []fieldCase) {
	t.Helper()
	for _, r := range rows {
		wantField(t, r.name, r.err, r.field)
	}
}

// textRule refuses exactly the control characters other than tab and
// newlines (C0, DEL and C1), invalid UTF-8 and text past its length,
// counted in characters: each ASCII byte, a few characters of other
// scripts and some edge cases.
func TestTextRule(t *testing.T) {
	t.Parallel()
	control := func(r rune) string { return fmt.Sprintf("must not contain control character %U", r) }
	type row struct {
		s      string
		maxLen int
		want   string
	}
	var rows []row
	for c := range rune(utf8.RuneSelf) {
		want := ""
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			want = control(c)
		}
		rows = append(rows, row{"a" + string(c) + "b", 0, want})
	}
	rows = append(rows,
		row{"José 日本語 🙂", 0, ""},
		row{"a\u0085b", 0, control(0x85)},
		row{"a\u009fb", 0, control(0x9f)},
		row{"a\xffb", 0, "must be valid UTF-8"},
		row{"a\xc3", 0, "must be valid UTF-8"},
		row{"日本語", 3, ""},
		row{"日本語x", 3, "must be at most 3 characters (has 4)"},
		row{"\t\n\r", 3, ""},
		row{strings.Repeat("x", maxTextLen), 0, ""},
		row{strings.Repeat("x", maxTextLen+1), 0, fmt.Sprintf("must be at most %d characters (has %d)", maxTextLen, maxTextLen+1)},
	)
	for _, r := range rows {
		if got := textRule(r.s, false, r.maxLen); got != r.want {
			t.Errorf("textRule(%q, %d) = %q, want %q", r.s, r.maxLen, got, r.want)
		}
	}
	if got := textRule("", true, 0); got == "" {
		t.Error(`textRule("", required) accepts the empty string`)
	}
}

// isAbsHTTPURL agrees with its definition in terms of package strings on
// any input.
func FuzzAbsHTTPURL(f *testing.F) {
	for _, s := range []string{"https://ats.example.com/c/1", "http://h", "https://", "https://:80/x", "https://@h", "https://h x", "ftp://h",
		"https://h?q#f", "https://h\t/", "http://h/\n", "https://h\f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := false
		if rest, ok := strings.CutPrefix(s, "https://"); ok || strings.HasPrefix(s, "http://") {
			if !ok {
				rest = strings.TrimPrefix(s, "http://")
			}
			host := rest
			if k := strings.IndexAny(rest, "/?#"); k >= 0 {
				host = rest[:k]
			}
			want = host != "" && !strings.ContainsAny(s, " \t\r\n") && !strings.HasPrefix(host, ":") && !strings.HasPrefix(host, "@")
		}
		if got := isAbsHTTPURL(s); got != want {
			t.Errorf("isAbsHTTPURL(%q) = %v, want %v", s, got, want)
		}
	})
}
