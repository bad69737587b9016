package rsc

import (
	"context"
	"fmt"
)

// InterviewFeedback is one interview's feedback on an application.
type InterviewFeedback struct {
	ID            string       `json:"-"`
	Interviewer   *Actor       `json:"interviewer,omitempty"`
	Evaluations   []Evaluation `json:"evaluations,omitempty"`
	Feedback      string       `json:"feedback,omitempty"`
	InterviewType string       `json:"interviewType,omitempty"` // PHONE_SCREEN or ONSITE
	CreatedAt     EpochMillis  `json:"atsCreatedAt,omitempty"`
}

// Evaluation is one rated attribute, e.g. {"Verbal Communication", "4/5"}.
type Evaluation struct {
	Attribute string `json:"attribute"`
	Result    string `json:"result"`
}

func (f InterviewFeedback) subID() string { return f.ID }

func (f InterviewFeedback) validate(v *validator) {
	if f.Interviewer != nil {
		v.text("interviewer.firstName", f.Interviewer.FirstName, false, 255)
		v.text("interviewer.lastName", f.Interviewer.LastName, false, 255)
	}
	for i, e := range f.Evaluations {
		v.text(fmt.Sprintf("evaluations[%d].attribute", i), e.Attribute, true, 255)
		v.text(fmt.Sprintf("evaluations[%d].result", i), e.Result, false, 255)
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

// DeleteFeedback deletes interview feedback of one application.
func (s *ApplicationsService) DeleteFeedback(ctx context.Context, app ApplicationKey, ids []string) (*BatchResult[NoteKey], error) {
	return writeSub[InterviewFeedback](ctx, s.c, resInterviewFeedback, app, nil, true, ids)
}

// ValidateFeedback checks an interview feedback record against LinkedIn's
// documented rules, as UpsertFeedback does before sending.
func (s *ApplicationsService) ValidateFeedback(f *InterviewFeedback) error {
	return validateSub(s.c, resInterviewFeedback, f)
}
