package rsc

import (
	"context"
	"time"
)

// InterviewFeedback is one interview's feedback on an application
// (docs/linkedin-api.md §7.5). The rules on each field are the ones Validate
// and UpsertFeedback check before sending ("text" as on Candidate).
type InterviewFeedback struct {
	// ID is the ATS's feedback id (the batch key): a required id, unique
	// within one call.
	ID string `json:"-"`
	// Interviewer's first and last names are optional text.
	Interviewer *Actor `json:"interviewer,omitempty"`
	// Evaluations are the rated attributes; see Evaluation.
	Evaluations []Evaluation `json:"evaluations,omitempty"`
	// Feedback is optional text.
	Feedback string `json:"feedback,omitempty"`
	// InterviewType is PHONE_SCREEN or ONSITE when set.
	InterviewType string `json:"interviewType,omitempty"`
	// CreatedAt is optional: when set, epoch milliseconds, > 0 and not small
	// enough to be seconds (before March 1973); it may be in the future.
	CreatedAt EpochMillis `json:"atsCreatedAt,omitempty"`
}

// Evaluation is one rated attribute, e.g. {"Verbal Communication", "4/5"}
// ("text" as on Candidate).
type Evaluation struct {
	// Attribute is required text.
	Attribute string `json:"attribute"`
	// Result is optional text, left out of the body when empty.
	Result string `json:"result,omitempty"`
}

// Validate checks the feedback against the rules documented on its fields,
// as UpsertFeedback and ApplicationsService.ValidateFeedback do.
func (f *InterviewFeedback) Validate() error {
	return validateSub(time.Now(), resInterviewFeedback, f)
}

func (f InterviewFeedback) subID() string { return f.ID }

func (f InterviewFeedback) validate(v *validator) {
	if f.Interviewer != nil {
		v.text("interviewer.firstName", f.Interviewer.FirstName, false, 0)
		v.text("interviewer.lastName", f.Interviewer.LastName, false, 0)
	}
	for i, e := range f.Evaluations {
		v.failAt("evaluations[%d].attribute", i, textRule(e.Attribute, true, 0))
		v.failAt("evaluations[%d].result", i, textRule(e.Result, false, 0))
	}
	v.text("feedback", f.Feedback, false, 0)
	if f.InterviewType != "" {
		v.oneOf("interviewType", f.InterviewType, "PHONE_SCREEN", "ONSITE")
	}
	v.millis("atsCreatedAt", f.CreatedAt, false)
}

// UpsertFeedback creates or replaces interview feedback of one application.
func (s *ApplicationsService) UpsertFeedback(ctx context.Context, app ApplicationKey, fb []InterviewFeedback) (*BatchResult[NoteKey], error) {
	return writeSub(ctx, s.c, resInterviewFeedback, app, fb, false, nil)
}

// ApplicationFeedback is interview feedback with the application it
// belongs to (ApplicationsService.UpsertManyFeedback).
type ApplicationFeedback struct {
	// Application is the feedback's application; see ApplicationKey for
	// its rules. A record whose key breaks them is refused alone.
	Application ApplicationKey
	// Feedback is the feedback; see InterviewFeedback for its rules.
	Feedback InterviewFeedback
}

// UpsertManyFeedback creates or replaces interview feedback of any number
// of applications (batch_update). On the versioned endpoints (WithVersion)
// up to 100 records of different applications go in one call, which spares
// the daily request quota; on /v2 each application's feedback goes in a
// call of its own. A feedback id may appear once per application. A record
// whose application key is invalid is refused alone, with a
// *ValidationError; the others are sent. Items are in input order; after a
// failed call (the error returned), the records not sent yet keep Status 0.
func (s *ApplicationsService) UpsertManyFeedback(ctx context.Context, fb []ApplicationFeedback) (*BatchResult[NoteKey], error) {
	return writeManySub(ctx, s.c, resInterviewFeedback, fb, applicationFeedback, false)
}

// DeleteManyFeedback deletes interview feedback of any number of
// applications (batch_delete), as UpsertManyFeedback sends it: on the
// versioned endpoints up to 100 in one call, on /v2 one call per
// application. Only each record's Feedback.ID is read.
func (s *ApplicationsService) DeleteManyFeedback(ctx context.Context, fb []ApplicationFeedback) (*BatchResult[NoteKey], error) {
	return writeManySub(ctx, s.c, resInterviewFeedback, fb, applicationFeedback, true)
}

func applicationFeedback(f *ApplicationFeedback) (ApplicationKey, InterviewFeedback) {
	return f.Application, f.Feedback
}

// DeleteFeedback deletes interview feedback of one application.
func (s *ApplicationsService) DeleteFeedback(ctx context.Context, app ApplicationKey, ids []string) (*BatchResult[NoteKey], error) {
	return writeSub[InterviewFeedback](ctx, s.c, resInterviewFeedback, app, nil, true, ids)
}

// ValidateFeedback checks an interview feedback record against LinkedIn's
// documented rules, as UpsertFeedback does before sending.
func (s *ApplicationsService) ValidateFeedback(f *InterviewFeedback) error {
	return validateSub(s.c.cfg.clock.Now(), resInterviewFeedback, f)
}
