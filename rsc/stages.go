package rsc

import (
	"context"
	"time"
)

// Stage is one stage transition of an application ("Phone Screen",
// "Offer Extended", "Hired", ...) (docs/linkedin-api.md §7.6). Send the
// whole history, one record per transition; offers, placements and hires are
// stages too. The rules on each field are the ones Validate and UpsertStages
// check before sending ("text" as on Candidate).
type Stage struct {
	// ID is the ATS's stage record id (the batch key): a required id,
	// unique within one call.
	ID string `json:"-"`
	// Stage is the stage's name: required text, never the literal
	// "Not Available".
	Stage string `json:"stage"`
	// CreatedAt is when the application entered the stage: required, epoch
	// milliseconds, > 0 and not small enough to be seconds (before March
	// 1973); it may be in the future.
	CreatedAt EpochMillis `json:"atsCreatedAt"`
}

// Validate checks the stage against the rules documented on its fields, as
// UpsertStages and ApplicationsService.ValidateStage do.
func (s *Stage) Validate() error { return validateSub(time.Now(), resStages, s) }

func (s Stage) subID() string { return s.ID }

func (s Stage) validate(v *validator) {
	v.text("stage", s.Stage, true, 0)
	if s.Stage == "Not Available" {
		v.fail("stage", `must not be "Not Available"`)
	}
	v.millis("atsCreatedAt", s.CreatedAt, true)
}

// UpsertStages creates or replaces stage records of one application.
func (s *ApplicationsService) UpsertStages(ctx context.Context, app ApplicationKey, stages []Stage) (*BatchResult[NoteKey], error) {
	return writeSub(ctx, s.c, resStages, app, stages, false, nil)
}

// ApplicationStage is a stage record with the application it belongs to
// (ApplicationsService.UpsertManyStages).
type ApplicationStage struct {
	// Application is the stage's application; see ApplicationKey for its
	// rules. A record whose key breaks them is refused alone.
	Application ApplicationKey
	// Stage is the stage record; see Stage for its rules.
	Stage Stage
}

// UpsertManyStages creates or replaces stage records of any number of
// applications (batch_update), as UpsertManyFeedback sends feedback: on the
// versioned endpoints (WithVersion) up to 100 records of different
// applications go in one call, whose keys name each record's application;
// on /v2 each application's stages go in a call of their own. A stage id
// may appear once per application. A record whose application key is
// invalid is refused alone, with a *ValidationError; the others are sent.
// Items are in input order; after a failed call (the error returned), the
// records not sent yet keep Status 0.
func (s *ApplicationsService) UpsertManyStages(ctx context.Context, stages []ApplicationStage) (*BatchResult[NoteKey], error) {
	return writeManySub(ctx, s.c, resStages, stages, applicationStage, false)
}

// DeleteManyStages deletes stage records of any number of applications
// (batch_delete), grouped as UpsertManyStages groups them. Only each
// record's Stage.ID is read.
func (s *ApplicationsService) DeleteManyStages(ctx context.Context, stages []ApplicationStage) (*BatchResult[NoteKey], error) {
	return writeManySub(ctx, s.c, resStages, stages, applicationStage, true)
}

func applicationStage(s *ApplicationStage) (ApplicationKey, Stage) { return s.Application, s.Stage }

// ValidateStage checks a stage record against LinkedIn's documented rules
// (docs/linkedin-api.md §7.6), as UpsertStages does before sending.
func (s *ApplicationsService) ValidateStage(st *Stage) error {
	return validateSub(s.c.cfg.clock.Now(), resStages, st)
}

// DeleteStages deletes stage records of one application.
func (s *ApplicationsService) DeleteStages(ctx context.Context, app ApplicationKey, ids []string) (*BatchResult[NoteKey], error) {
	return writeSub[Stage](ctx, s.c, resStages, app, nil, true, ids)
}
