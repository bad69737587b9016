package rsc

import (
	"strings"
	"testing"
	"time"
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
