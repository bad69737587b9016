package rsc

import "context"

// Stage is one stage transition of an application ("Phone Screen",
// "Offer Extended", "Hired", ...). Send the whole history, one record per
// transition; offers, placements and hires are stages too.
type Stage struct {
	ID        string      `json:"-"`
	Stage     string      `json:"stage"`
	CreatedAt EpochMillis `json:"atsCreatedAt"`
}

func (s Stage) subID() string { return s.ID }

func (s Stage) validate(v *validator) {
	v.text("stage", s.Stage, true, 255)
	if s.Stage == "Not Available" {
		v.fail("stage", `must not be "Not Available"`)
	}
	v.millis("atsCreatedAt", s.CreatedAt, true)
}

// UpsertStages creates or replaces stage records of one application.
func (s *ApplicationsService) UpsertStages(ctx context.Context, app ApplicationKey, stages []Stage) (*BatchResult[NoteKey], error) {
	return writeSub(ctx, s.c, resStages, app, stages, false, nil)
}

// DeleteStages deletes stage records of one application.
func (s *ApplicationsService) DeleteStages(ctx context.Context, app ApplicationKey, ids []string) (*BatchResult[NoteKey], error) {
	return writeSub[Stage](ctx, s.c, resStages, app, nil, true, ids)
}

// ValidateStage checks a stage record against LinkedIn's documented rules
// (docs/linkedin-api.md §7.6), as UpsertStages does before sending.
func (s *ApplicationsService) ValidateStage(st *Stage) error {
	return validateSub(s.c, resStages, st)
}
