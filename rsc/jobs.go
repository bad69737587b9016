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
// LinkedIn's two schemas differ (docs/linkedin-api.md §7.1): the versioned
// API (a client made WithVersion) takes an externalJobPostingId of at most
// 75 characters, not 200, and no longer takes the Recruiter System Connect
// extension (availability PRIVATE_TO_ATS_INTEGRATION, accessRestricted and
// the requisition owner's fields). JobsService.Validate and Submit apply the
// rules of the client's family; JobPosting.Validate, which knows no family,
// applies those of /v2.
//
// A CLOSE only names the posting: it is checked for ExternalJobPostingID,
// OperationType and IntegrationContext (and Availability's enum when it is
// set; on /v2 a CLOSE carrying AvailabilityPrivate needs IntegrationContext
// as any RSC job does), and carries only the fields that are set. Every field the
// other operations require is left out of the JSON when empty, so a bare
// CLOSE sends no empty title, location or availability (LinkedIn answers an
// empty enum value 422).
type JobPosting struct {
	// ExternalJobPostingID is the ATS's job id: required text, unique within
	// one call, of at most 200 characters on /v2 and at most 75 on the
	// versioned API (LinkedIn's versioned job posting schema).
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
	// PosterEmail is the email address of the job's poster, its owner in the
	// ATS: required, in the X@X.X form, on both families. LinkedIn requires
	// the job poster's email on every job since June 2025 (job posting
	// release notes, docs/linkedin-api.md §7.1). For a promoted job it must
	// be the primary email of a seat holder of the customer's contract.
	PosterEmail string `json:"posterEmail,omitempty"`
	// Availability is required: AvailabilityPublic, AvailabilityPrivate or
	// INTERNAL. Without the customer's explicit choice, always
	// AvailabilityPrivate (RSC-102). AvailabilityPrivate belongs to the
	// Recruiter System Connect extension, which the versioned API does not
	// take: a versioned client refuses such a job, except a CLOSE, from which
	// it leaves the availability out (docs/linkedin-api.md §7.1).
	Availability Availability `json:"availability,omitempty"`
	// AccessRestricted limits who sees the job in Recruiter to the users its
	// ACLs name (docs/linkedin-api.md §9). It is part of the Recruiter System
	// Connect extension: a versioned client refuses a job that sets it,
	// except a CLOSE, from which it leaves it out, since sending the job
	// without it would show it to every recruiter.
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
	// EmploymentStatus is optional. LinkedIn documents FULL_TIME, PART_TIME,
	// CONTRACT, INTERNSHIP, TEMPORARY and VOLUNTEER and maps any other value
	// to the closest of them, so it is not checked.
	EmploymentStatus string `json:"employmentStatus,omitempty"`
	// ExperienceLevel is optional. LinkedIn documents ENTRY_LEVEL,
	// MID_SENIOR_LEVEL, DIRECTOR, EXECUTIVE, INTERNSHIP, ASSOCIATE and
	// NOT_APPLICABLE and maps any other value to the closest of them, so it
	// is not checked.
	ExperienceLevel string `json:"experienceLevel,omitempty"`
	// Industries are urn:li:industry:{id} URNs.
	Industries []string `json:"industries,omitempty"`
	// ExpireAt is optional epoch milliseconds (not seconds).
	ExpireAt EpochMillis `json:"expireAt,omitempty"`
	// RequisitionOwnerEmail, RequisitionOwnerFirstName and
	// RequisitionOwnerLastName name the job's hiring owner (optional). They
	// are part of the Recruiter System Connect extension, which the versioned
	// API does not take: a versioned client leaves them out.
	RequisitionOwnerEmail     string `json:"requisitionOwnerEmail,omitempty"`
	RequisitionOwnerFirstName string `json:"requisitionOwnerFirstName,omitempty"`
	RequisitionOwnerLastName  string `json:"requisitionOwnerLastName,omitempty"`
	// Compensation is passed through as JSON (docs/linkedin-api.md §7.1 gives
	// its shape): an object with a list {"compensations": [...]} whose
	// entries each have a value, a period (YEARLY, MONTHLY, SEMIMONTHLY,
	// BIWEEKLY, WEEKLY, DAILY, HOURLY) and a type (BASE_SALARY, TIPS,
	// COMMISSION, PROFIT_SHARING, STOCK_OPTIONS, STOCK, BONUS, SIGN_ON_BONUS,
	// OVER_TIME, OTHER); each amount of a value (value.exactAmount,
	// value.range.start, value.range.end) that is present has an amount and a
	// currencyCode, both JSON strings: {"amount": "100000", "currencyCode":
	// "USD"}.
	Compensation json.RawMessage `json:"compensation,omitempty"`
}

// Validate checks the job against the rules documented on its fields,
// judging timestamps by the system clock. It knows no client, so it applies
// the rules of LinkedIn's /v2 schema; Submit and JobsService.Validate run
// the checks of the client's family with the client's Clock.
func (j *JobPosting) Validate() error {
	return checkRecord(resJobs, j.ExternalJobPostingID, time.Now(), j, legacyFamily.validateJob)
}

var (
	workplaceTypes = []string{"On-site", "Hybrid", "Remote", "on-site", "hybrid", "remote"}
	availabilities = []string{string(AvailabilityPublic), string(AvailabilityPrivate), "INTERNAL"}
	// versionedAvailabilities are the availabilities the versioned API
	// takes: PRIVATE_TO_ATS_INTEGRATION is the Recruiter System Connect
	// extension's (docs/linkedin-api.md §7.1).
	versionedAvailabilities = []string{string(AvailabilityPublic), "INTERNAL"}
)

// Limits of externalJobPostingId in LinkedIn's two schemas
// (docs/linkedin-api.md §7.1).
const (
	maxJobIDLen          = 200
	maxVersionedJobIDLen = 75
)

// ruleRecruiterExtension is the rule a versioned client's job breaks when it
// sets a field of the Recruiter System Connect extension that cannot be left
// out without changing who sees the job.
const ruleRecruiterExtension = "is part of LinkedIn's Recruiter System Connect job extension, which the versioned API " +
	"no longer takes (docs/linkedin-api.md §7.1); send the job through a /v2 client"

// validateJob checks j against the rules of LinkedIn's schema for family f
// (docs/linkedin-api.md §7.1).
func (f family) validateJob(v *validator, j *JobPosting) {
	maxID := maxJobIDLen
	if f.versioned {
		maxID = maxVersionedJobIDLen
	}
	v.text("externalJobPostingId", j.ExternalJobPostingID, true, maxID)
	v.oneOf("jobPostingOperationType", string(j.OperationType), "CREATE", "UPDATE", "RENEW", "CLOSE")
	switch {
	case j.IntegrationContext != "":
	case j.Availability == AvailabilityPrivate && !(f.versioned && j.OperationType == JobClose):
		v.fail("integrationContext", "is required for a PRIVATE_TO_ATS_INTEGRATION job")
	case j.CompanyName == "" && j.CompanyPageURL == "":
		v.fail("integrationContext", "is required (or companyName / companyPageUrl)")
	}
	v.urn("integrationContext", j.IntegrationContext, "urn:li:organization:", false)
	if j.OperationType == JobClose {
		// Our choice: a CLOSE only names the posting (docs/linkedin-api.md
		// §7.1 lists no other rule for it); an availability it carries must
		// still be one LinkedIn knows. A versioned client leaves the
		// Recruiter extension out of a CLOSE (jobWire).
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
	v.email("posterEmail", j.PosterEmail)
	switch {
	case f.versioned && j.Availability == AvailabilityPrivate:
		v.fail("availability", "PRIVATE_TO_ATS_INTEGRATION "+ruleRecruiterExtension)
	case f.versioned:
		v.oneOf("availability", string(j.Availability), versionedAvailabilities...)
	default:
		v.oneOf("availability", string(j.Availability), availabilities...)
	}
	if f.versioned && j.AccessRestricted {
		v.fail("accessRestricted", ruleRecruiterExtension)
	}
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
	for i, ind := range j.Industries {
		v.failAt("industries[%d]", i, urnRule(ind, "urn:li:industry:"))
	}
	validateCompensation(v, j.Compensation)
	if j.ExpireAt != 0 && j.ExpireAt < minPlausibleMillis {
		v.fail("expireAt", "looks like seconds, not epoch milliseconds")
	}
}

// Wire returns j as this client sends it (docs/linkedin-api.md §7.1): a
// versioned client leaves out the Recruiter System Connect fields the
// versioned API does not take. It is what LinkedIn can hold of j, for
// comparisons such as a content reconciliation.
func (s *JobsService) Wire(j JobPosting) JobPosting { return *s.c.fam.jobWire(&j) }

// jobWire is the job as family f sends it: a versioned client leaves out
// the fields of the Recruiter System Connect extension that validation let
// through, the requisition owner's and, on a CLOSE, a PRIVATE availability
// and accessRestricted (docs/linkedin-api.md §7.1). A /v2 client sends j
// itself; a versioned one a copy, leaving the caller's job as it was.
func (f family) jobWire(j *JobPosting) *JobPosting {
	if !f.versioned {
		return j
	}
	w := *j
	w.RequisitionOwnerEmail, w.RequisitionOwnerFirstName, w.RequisitionOwnerLastName = "", "", ""
	if w.OperationType == JobClose {
		w.AccessRestricted = false
		if w.Availability == AvailabilityPrivate {
			w.Availability = ""
		}
	}
	return &w
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

// validateCompensation checks the pass-through compensation JSON against
// the schema of docs/linkedin-api.md §7.1: valid JSON with a compensations
// list; in each entry a value, and a period and a type of the schema's
// enums; in an exact amount or either end of a range that is present, an
// amount and a currencyCode that are JSON strings.
func validateCompensation(v *validator, raw json.RawMessage) {
	if isJSONNull(raw) { // absent, or JSON null (a nil pointer marshalled)
		return
	}
	var c struct {
		Compensations *[]struct {
			Period *string `json:"period"`
			Type   *string `json:"type"`
			Value  *struct {
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
	if c.Compensations == nil {
		v.fail("compensation.compensations", "is required")
		return
	}
	for i, x := range *c.Compensations {
		switch {
		case x.Value == nil:
			v.failAt("compensation.compensations[%d].value", i, "is required")
			continue
		case x.Period == nil:
			v.failAt("compensation.compensations[%d].period", i, "is required")
		case x.Type == nil:
			v.failAt("compensation.compensations[%d].type", i, "is required")
		}
		if x.Period != nil {
			v.failAt("compensation.compensations[%d].period", i, oneOfRule(*x.Period, compensationPeriods...))
		}
		if x.Type != nil {
			v.failAt("compensation.compensations[%d].type", i, oneOfRule(*x.Type, compensationTypes...))
		}
		for _, m := range [...]struct {
			path string
			m    *money
		}{{"exactAmount", x.Value.ExactAmount}, {"range.start", x.Value.Range.Start}, {"range.end", x.Value.Range.End}} {
			if m.m == nil {
				continue
			}
			for _, f := range [...]struct {
				name string
				raw  json.RawMessage
			}{{"amount", m.m.Amount}, {"currencyCode", m.m.CurrencyCode}} {
				path := "compensation.compensations[%d].value." + m.path + "." + f.name
				switch {
				case isJSONNull(f.raw):
					v.failAt(path, i, "is required")
				case f.raw[0] != '"':
					v.failAt(path, i, "must be a JSON string")
				}
			}
		}
	}
}

// isJSONNull reports whether raw, a JSON value, is absent or null.
func isJSONNull(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

// Validate checks the job against the rules documented on its fields, those
// of the client's family, with the client's Clock, as Submit does before
// sending.
func (s *JobsService) Validate(j *JobPosting) error {
	return checkRecord(resJobs, j.ExternalJobPostingID, s.c.cfg.clock.Now(), j, s.c.fam.validateJob)
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
		c.fam.validateJob(v, j)
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
		js, err := marshalBody(c.fam.jobWire(&jobs[i]))
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
		err = c.red.Error(fmt.Errorf("rsc: decoding simpleJobPostings response: %w", err))
		for _, i := range idx {
			res.Items[i].Err = err
		}
		return err
	}
	if len(br.Elements) != len(idx) {
		// The elements answer the jobs by position: with one missing or
		// one too many, no element can be told to be any job's (one job's
		// task or refusal would be taken for another's). Each job's
		// outcome is unknown, with no status, as a lost task's.
		msg := fmt.Sprintf("LinkedIn answered %d elements for %d jobs: the outcome of each is unknown", len(br.Elements), len(idx))
		for _, i := range idx {
			res.Items[i].Err = &EntityError{Resource: resJobs.legacy, Key: res.Items[i].Key, Message: msg}
		}
		return nil
	}
	for n, i := range idx {
		it := &res.Items[i]
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
