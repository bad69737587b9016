package rsctest

import (
	"net/http"
	"strconv"
)

// applicationKind: atsApplications (both families). Deleting an application
// deletes its notes, interview feedback and stages (docs/linkedin-api.md §10).
var applicationKind = newKind(&kind{
	table:    "applications",
	fields:   applicationKey,
	validate: validateApplication,
	schema:   applicationSchema,
	children: []*kind{applicationNoteKind, feedbackKind, stageKind},
})

// applicationKey are the key fields of an application, the parent of notes,
// feedback and stages.
var applicationKey = []string{"integrationContext", "atsJobApplicationId"}

// feedbackKind: atsApplications/{key}/interviewFeedback?ids=... Feedback
// needs its application: LinkedIn evaluates an interview of an application
// it holds.
var feedbackKind = withCheck(newSubKind("interviewFeedback", applicationKey, "feedbackId", feedbackSchema, validateFeedback), checkApplicationHeld)

func withCheck(k *kind, check func(cu *Customer, r *record) *entityError) *kind {
	k.check = check
	return k
}

// checkApplicationHeld refuses a child record of an application LinkedIn
// does not hold. Caller holds cu.mu.
func checkApplicationHeld(cu *Customer, r *record) *entityError {
	if cu.tables["applications"].recs[recKey(r.fields, applicationKey)] == nil {
		return statusErr(http.StatusNotFound, "Application "+r.fields.get("atsJobApplicationId")+" does not exist")
	}
	return nil
}

// stageKind: atsApplications/{key}/stages?ids=...
var stageKind = newSubKind("stages", applicationKey, "stageId", stageSchema, validateStage)

type applicationDoc struct {
	AtsCreatedAt      *int64  `json:"atsCreatedAt"`
	AtsLastModifiedAt *int64  `json:"atsLastModifiedAt"`
	AtsJobPostingID   *string `json:"atsJobPostingId"`
	AtsJobPostingName *string `json:"atsJobPostingName"`
	FirstName         *string `json:"firstName"`
	CandidateEmail    *string `json:"candidateEmail"`
}

func minLen1(name string, v *string) *entityError {
	if v == nil {
		return fieldErr(name, required)
	}
	if *v == "" {
		return fieldErr(name, "length must be at least 1")
	}
	return nil
}

func validateApplication(c *call, r *record) *entityError {
	d, e := decodeTimed(c, r, true, func(d *applicationDoc) (*int64, *int64) { return d.AtsCreatedAt, d.AtsLastModifiedAt })
	if e != nil {
		return e
	}
	if e := minLen1("atsJobPostingId", d.AtsJobPostingID); e != nil {
		return e
	}
	if e := minLen1("atsJobPostingName", d.AtsJobPostingName); e != nil {
		return e
	}
	if e := minLen1("firstName", d.FirstName); e != nil {
		return e
	}
	// candidateEmail is optional (docs/linkedin-api.md §7.4: UNCONFIRMED; see
	// docs/wire-model.md), but must match X@X.X when present.
	if d.CandidateEmail != nil && *d.CandidateEmail != "" && !emailRe.MatchString(*d.CandidateEmail) {
		return fieldErr("candidateEmail", "does not match pattern X@X.X")
	}
	return nil
}

type stageDoc struct {
	AtsCreatedAt *int64  `json:"atsCreatedAt"`
	Stage        *string `json:"stage"`
}

func validateStage(c *call, r *record) *entityError {
	d, e := decodeTimed(c, r, false, func(d *stageDoc) (*int64, *int64) { return d.AtsCreatedAt, nil })
	if e != nil {
		return e
	}
	if e := minLen1("stage", d.Stage); e != nil {
		return e
	}
	if *d.Stage == "Not Available" {
		return fieldErr("stage", `must not be "Not Available"`)
	}
	return nil
}

type actor struct {
	FirstName *string `json:"firstName"`
	LastName  *string `json:"lastName"`
}

func checkActor(name string, a *actor) *entityError {
	if a == nil {
		return nil
	}
	if a.FirstName == nil {
		return fieldErr(name+"/firstName", required)
	}
	if a.LastName == nil {
		return fieldErr(name+"/lastName", required)
	}
	return nil
}

// decodeActed decodes a note or interview feedback: its atsCreatedAt is
// optional but positive when present, and its actor (the author or the
// interviewer, under name) complete when present. parts returns the two.
func decodeActed[T any](c *call, r *record, name string, parts func(*T) (created *int64, a *actor)) (*T, *entityError) {
	d := new(T)
	if e := c.decodeDoc(r.doc, d); e != nil {
		return nil, e
	}
	created, a := parts(d)
	if e := c.optionalCreated(created); e != nil {
		return nil, e
	}
	return d, checkActor(name, a)
}

type feedbackDoc struct {
	AtsCreatedAt  *int64  `json:"atsCreatedAt"`
	Interviewer   *actor  `json:"interviewer"`
	InterviewType *string `json:"interviewType"`
	Evaluations   []struct {
		Attribute *string `json:"attribute"`
		Result    *string `json:"result"`
	} `json:"evaluations"`
}

func validateFeedback(c *call, r *record) *entityError {
	d, e := decodeActed(c, r, "interviewer", func(d *feedbackDoc) (*int64, *actor) { return d.AtsCreatedAt, d.Interviewer })
	if e != nil {
		return e
	}
	if t := d.InterviewType; t != nil && *t != "PHONE_SCREEN" && *t != "ONSITE" {
		// Optional, but an explicit "" is no enum symbol either.
		return fieldErr("interviewType", `"`+*t+`" is not an enum symbol (PHONE_SCREEN, ONSITE)`)
	}
	for i, ev := range d.Evaluations { // an evaluation's attribute is required, its result not (docs/linkedin-api.md §7.5)
		if e := minLen1("evaluations/"+strconv.Itoa(i)+"/attribute", ev.Attribute); e != nil {
			return e
		}
	}
	return nil
}
