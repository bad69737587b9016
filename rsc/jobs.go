package rsc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"
)

// JobsService posts jobs (simpleJobPostings batch_create, asynchronous) and
// reads their tasks (simpleJobPostingTasks).
type JobsService service

// JobOperation is a simpleJobPostings operation.
type JobOperation string

// The job operations.
const (
	JobCreate JobOperation = "CREATE"
	JobUpdate JobOperation = "UPDATE"
	JobRenew  JobOperation = "RENEW"
	JobClose  JobOperation = "CLOSE"
)

// Availability says who sees a job on LinkedIn. RSC-102: without the
// customer's explicit choice, always PRIVATE_TO_ATS_INTEGRATION.
type Availability string

// The availabilities.
const (
	AvailabilityPublic  Availability = "PUBLIC"
	AvailabilityPrivate Availability = "PRIVATE_TO_ATS_INTEGRATION"
)

// JobPosting is a job as simpleJobPostings takes it (docs/linkedin-api.md
// §7.1). The rules on each field are the ones Validate and Submit check
// before sending ("text" as on Candidate). The fields marked required are
// required by every operation but CLOSE.
//
// A CLOSE only names the posting: it is checked for ExternalJobPostingID,
// OperationType and IntegrationContext (and Availability's enum when it is
// set; a CLOSE carrying AvailabilityPrivate needs IntegrationContext as any
// RSC job does), and carries only the fields that are set. Every field the
// other operations require is left out of the JSON when empty, so a bare
// CLOSE sends no empty title, location or availability (LinkedIn answers an
// empty enum value 422).
type JobPosting struct {
	// ExternalJobPostingID is the ATS's job id: required text of at most 200
	// characters, unique within one call.
	ExternalJobPostingID string `json:"externalJobPostingId"`
	// OperationType is one of JobCreate, JobUpdate, JobRenew, JobClose.
	OperationType JobOperation `json:"jobPostingOperationType"`
	// IntegrationContext is urn:li:organization:{id}. It is required on a
	// job whose Availability is AvailabilityPrivate (an RSC job, every
	// operation); on other jobs CompanyName or CompanyPageURL may name the
	// company instead.
	IntegrationContext string `json:"integrationContext,omitempty"`
	// CompanyName names the company when there is no IntegrationContext
	// (never on an AvailabilityPrivate job).
	CompanyName string `json:"companyName,omitempty"`
	// CompanyPageURL is the company's LinkedIn page, naming the company when
	// there is no IntegrationContext (never on an AvailabilityPrivate job).
	CompanyPageURL string `json:"companyPageUrl,omitempty"`
	// CompanyApplyURL is required: an absolute http(s) URL.
	CompanyApplyURL string `json:"companyApplyUrl,omitempty"`
	// Title is required text of at most 200 characters.
	Title string `json:"title,omitempty"`
	// Description is required text of at least 100 and at most 25,000
	// characters (LinkedIn accepts a small HTML subset).
	Description string `json:"description,omitempty"`
	// ListedAt is required: epoch milliseconds, > 0 and not small enough to
	// be seconds (before March 1973), and not in the future (LinkedIn's
	// rule), judged with an hour's tolerance for clock skew. It is the only
	// timestamp checked against the clock.
	ListedAt EpochMillis `json:"listedAt,omitempty"`
	// Location is required text.
	Location string `json:"location,omitempty"`
	// Availability is required: AvailabilityPublic, AvailabilityPrivate or
	// INTERNAL. Without the customer's explicit choice, always
	// AvailabilityPrivate (RSC-102).
	Availability Availability `json:"availability,omitempty"`
	// AccessRestricted limits who sees the job in Recruiter to the users its
	// ACLs name (docs/linkedin-api.md §9).
	AccessRestricted bool `json:"accessRestricted,omitempty"`
	// Categories has at most 3 entries.
	Categories []string `json:"categories,omitempty"`
	// SkillsDescription is optional text of at most 4,000 characters.
	SkillsDescription string `json:"skillsDescription,omitempty"`
	// CompanyJobCode is the company's own code for the job (optional).
	CompanyJobCode string `json:"companyJobCode,omitempty"`
	// WorkplaceTypes is optional; when set it has exactly one entry:
	// On-site, Hybrid or Remote (any of those in lower case too).
	WorkplaceTypes []string `json:"workplaceTypes,omitempty"`
	// EmploymentStatus is one of FULL_TIME, PART_TIME, CONTRACT, INTERNSHIP,
	// TEMPORARY, VOLUNTEER, OTHER when set.
	EmploymentStatus string `json:"employmentStatus,omitempty"`
	// ExperienceLevel is one of ENTRY_LEVEL, MID_SENIOR_LEVEL, DIRECTOR,
	// EXECUTIVE, INTERNSHIP, ASSOCIATE, NOT_APPLICABLE when set.
	ExperienceLevel string `json:"experienceLevel,omitempty"`
	// Industries are urn:li:industry:{id} URNs.
	Industries []string `json:"industries,omitempty"`
	// ExpireAt is optional epoch milliseconds (not seconds).
	ExpireAt EpochMillis `json:"expireAt,omitempty"`
	// RequisitionOwnerEmail, RequisitionOwnerFirstName and
	// RequisitionOwnerLastName name the job's hiring owner (optional).
	RequisitionOwnerEmail     string `json:"requisitionOwnerEmail,omitempty"`
	RequisitionOwnerFirstName string `json:"requisitionOwnerFirstName,omitempty"`
	RequisitionOwnerLastName  string `json:"requisitionOwnerLastName,omitempty"`
	// Compensation is passed through as JSON (docs/linkedin-api.md §7.1 gives
	// its shape): an object {"compensations": [...]} whose entries' period
	// (YEARLY, MONTHLY, SEMIMONTHLY, BIWEEKLY, WEEKLY, DAILY, HOURLY) and type
	// (BASE_SALARY, TIPS, COMMISSION, PROFIT_SHARING, STOCK_OPTIONS, STOCK,
	// BONUS, SIGN_ON_BONUS, OVER_TIME, OTHER) are checked when present, and
	// whose value's amounts (value.exactAmount, value.range.start,
	// value.range.end) have an amount and a currencyCode that are JSON
	// strings when present: {"amount": "100000", "currencyCode": "USD"}.
	Compensation json.RawMessage `json:"compensation,omitempty"`
}

// Validate checks the job against the rules documented on its fields,
// judging timestamps by the system clock. Submit and JobsService.Validate
// run the same checks with the client's Clock.
func (j *JobPosting) Validate() error {
	return checkRecord(resJobs, j.ExternalJobPostingID, time.Now(), j, validateJob)
}

var (
	employmentStatuses = []string{"FULL_TIME", "PART_TIME", "CONTRACT", "INTERNSHIP", "TEMPORARY", "VOLUNTEER", "OTHER"}
	experienceLevels   = []string{"ENTRY_LEVEL", "MID_SENIOR_LEVEL", "DIRECTOR", "EXECUTIVE", "INTERNSHIP", "ASSOCIATE", "NOT_APPLICABLE"}
	workplaceTypes     = []string{"On-site", "Hybrid", "Remote", "on-site", "hybrid", "remote"}
	availabilities     = []string{string(AvailabilityPublic), string(AvailabilityPrivate), "INTERNAL"}
)

func validateJob(v *validator, j *JobPosting) {
	v.text("externalJobPostingId", j.ExternalJobPostingID, true, 200)
	v.oneOf("jobPostingOperationType", string(j.OperationType), "CREATE", "UPDATE", "RENEW", "CLOSE")
	switch {
	case j.IntegrationContext != "":
	case j.Availability == AvailabilityPrivate:
		v.fail("integrationContext", "is required for a PRIVATE_TO_ATS_INTEGRATION job")
	case j.CompanyName == "" && j.CompanyPageURL == "":
		v.fail("integrationContext", "is required (or companyName / companyPageUrl)")
	}
	v.urn("integrationContext", j.IntegrationContext, "urn:li:organization:", false)
	if j.OperationType == JobClose {
		// Our choice: a CLOSE only names the posting (docs/linkedin-api.md
		// §7.1 lists no other rule for it); an availability it carries must
		// still be one LinkedIn knows.
		if j.Availability != "" {
			v.oneOf("availability", string(j.Availability), availabilities...)
		}
		return
	}
	v.url("companyApplyUrl", j.CompanyApplyURL, true)
	v.text("title", j.Title, true, 200)
	v.text("description", j.Description, true, 25000)
	if v.err == nil && utf8.RuneCountInString(j.Description) < 100 {
		v.fail("description", "must be at least 100 characters")
	}
	v.millis("listedAt", j.ListedAt, true)
	v.notFuture("listedAt", j.ListedAt)
	v.text("location", j.Location, true, 0)
	v.oneOf("availability", string(j.Availability), availabilities...)
	if len(j.Categories) > 3 {
		v.fail("categories", "must have at most 3 entries")
	}
	v.text("skillsDescription", j.SkillsDescription, false, 4000)
	if len(j.WorkplaceTypes) > 1 {
		v.fail("workplaceTypes", "must have exactly one entry when set")
	}
	for _, w := range j.WorkplaceTypes {
		v.oneOf("workplaceTypes[0]", w, workplaceTypes...)
	}
	if j.EmploymentStatus != "" {
		v.oneOf("employmentStatus", j.EmploymentStatus, employmentStatuses...)
	}
	if j.ExperienceLevel != "" {
		v.oneOf("experienceLevel", j.ExperienceLevel, experienceLevels...)
	}
	for i, ind := range j.Industries {
		v.failAt("industries[%d]", i, urnRule(ind, "urn:li:industry:"))
	}
	validateCompensation(v, j.Compensation)
	if j.ExpireAt != 0 && j.ExpireAt < minPlausibleMillis {
		v.fail("expireAt", "looks like seconds, not epoch milliseconds")
	}
}

var (
	compensationPeriods = []string{"YEARLY", "MONTHLY", "SEMIMONTHLY", "BIWEEKLY", "WEEKLY", "DAILY", "HOURLY"}
	compensationTypes   = []string{"BASE_SALARY", "TIPS", "COMMISSION", "PROFIT_SHARING", "STOCK_OPTIONS", "STOCK", "BONUS",
		"SIGN_ON_BONUS", "OVER_TIME", "OTHER"}
)

// money is an amount of a compensation's value, its fields kept as raw
// JSON so that their type can be checked.
type money struct {
	Amount       json.RawMessage `json:"amount"`
	CurrencyCode json.RawMessage `json:"currencyCode"`
}

// validateCompensation checks the pass-through compensation JSON: valid
// JSON, the period and type enums of docs/linkedin-api.md §7.1 where
// present, and, in an exact amount or either end of a range, an amount and
// currencyCode that are JSON strings when present (the schema gives both
// as strings).
func validateCompensation(v *validator, raw json.RawMessage) {
	if len(raw) == 0 {
		return
	}
	var c struct {
		Compensations []struct {
			Period string `json:"period"`
			Type   string `json:"type"`
			Value  struct {
				ExactAmount *money `json:"exactAmount"`
				Range       struct {
					Start *money `json:"start"`
					End   *money `json:"end"`
				} `json:"range"`
			} `json:"value"`
		} `json:"compensations"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		v.fail("compensation", "must be a JSON object {compensations:[...]}")
		return
	}
	for i, x := range c.Compensations {
		if x.Period != "" {
			v.failAt("compensation.compensations[%d].period", i, oneOfRule(x.Period, compensationPeriods...))
		}
		if x.Type != "" {
			v.failAt("compensation.compensations[%d].type", i, oneOfRule(x.Type, compensationTypes...))
		}
		for _, m := range [...]struct {
			path string
			m    *money
		}{{"exactAmount", x.Value.ExactAmount}, {"range.start", x.Value.Range.Start}, {"range.end", x.Value.Range.End}} {
			if m.m == nil {
				continue
			}
			if !isJSONString(m.m.Amount) {
				v.failAt("compensation.compensations[%d].value."+m.path+".amount", i, "must be a JSON string")
			}
			if !isJSONString(m.m.CurrencyCode) {
				v.failAt("compensation.compensations[%d].value."+m.path+".currencyCode", i, "must be a JSON string")
			}
		}
	}
}

// isJSONString reports whether raw, a JSON value, is a string; an absent
// value or null passes.
func isJSONString(raw json.RawMessage) bool {
	return len(raw) == 0 || raw[0] == '"' || string(raw) == "null"
}

// Validate checks the job against the rules documented on its fields, with
// the client's Clock, as Submit does before sending.
func (s *JobsService) Validate(j *JobPosting) error {
	return checkRecord(resJobs, j.ExternalJobPostingID, s.c.cfg.clock.Now(), j, validateJob)
}

type batchCreateResponse struct {
	Elements []struct {
		ID     string   `json:"id"`
		Status int      `json:"status"`
		Error  batchErr `json:"error"`
	} `json:"elements"`
}

// Submit sends job operations (POST batch_create) in batches of at most 100,
// in order. Each accepted job gets a task URN in Item.ID (status 202): job
// processing is asynchronous, so wait for the tasks with WaitTasks.
//
// batch_create is not idempotent: it is never retried automatically (unless
// RetryPolicy.RetryCreates), because a timed-out call may have been applied.
// Resending CREATE for an existing job fails at LinkedIn; resend as UPDATE.
func (s *JobsService) Submit(ctx context.Context, jobs []JobPosting) (*BatchResult[string], error) {
	c := s.c
	res := &BatchResult[string]{Items: make([]Item[string], len(jobs))}
	valid := make([]int, 0, MaxBatchSize)
	seen := make(map[string]bool, len(jobs))
	flush := func() error {
		if len(valid) == 0 {
			return nil
		}
		err := s.submitBatch(ctx, jobs, valid, res)
		valid = valid[:0]
		return err
	}
	for i := range jobs {
		j := &jobs[i]
		res.Items[i].Key = j.ExternalJobPostingID
		v := c.validator(resJobs.legacy, j.ExternalJobPostingID)
		validateJob(v, j)
		unique(v, "externalJobPostingId", seen, j.ExternalJobPostingID)
		if err := v.result(); err != nil {
			res.Items[i].Err = err
			continue
		}
		valid = append(valid, i)
		if len(valid) == MaxBatchSize {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	return res, flush()
}

func (s *JobsService) submitBatch(ctx context.Context, jobs []JobPosting, idx []int, res *BatchResult[string]) error {
	c := s.c
	var b bytes.Buffer
	b.WriteString(`{"elements":[`)
	for n, i := range idx {
		if n > 0 {
			b.WriteByte(',')
		}
		js, err := marshalBody(&jobs[i])
		if err != nil {
			return err
		}
		b.Write(js)
	}
	b.WriteString(`]}`)
	resp, err := c.do(ctx, &call{method: http.MethodPost, restli: "batch_create", path: "/" + c.fam.name(resJobs),
		body: b.Bytes(), res: resJobs, idempotent: false})
	if err != nil {
		for _, i := range idx {
			res.Items[i].Err = err
		}
		return err
	}
	var br batchCreateResponse
	if err := json.Unmarshal(resp.body, &br); err != nil {
		err = fmt.Errorf("rsc: decoding simpleJobPostings response: %w", err)
		for _, i := range idx {
			res.Items[i].Err = err
		}
		return err
	}
	for n, i := range idx {
		it := &res.Items[i]
		if n >= len(br.Elements) {
			it.Err = &EntityError{Resource: resJobs.legacy, Key: it.Key, Message: "LinkedIn returned no element for this job"}
			continue
		}
		el := br.Elements[n]
		it.Status, it.ID = el.Status, el.ID
		switch {
		case el.Status >= 300 || el.Error.Status >= 300:
			if el.Status < 300 { // the error's status is the element's
				it.Status = el.Error.Status
			}
			it.Err = &EntityError{Resource: resJobs.legacy, Key: it.Key, Status: it.Status,
				ServiceErrorCode: el.Error.ServiceErrorCode, Message: c.red.String(el.Error.Message)}
		case el.Status < 200:
			it.Err = &EntityError{Resource: resJobs.legacy, Key: it.Key, Status: el.Status,
				Message: "LinkedIn returned no status for this job"}
		case el.ID == "":
			it.Err = &EntityError{Resource: resJobs.legacy, Key: it.Key, Status: el.Status,
				Message: "LinkedIn returned no task for this job"}
		}
	}
	return nil
}
