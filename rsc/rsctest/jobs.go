package rsctest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/rscgo/rscgo/internal/restli"
)

// Job states as LinkedIn holds them.
const (
	JobListed = "LISTED"
	JobClosed = "CLOSED"
)

// Task statuses.
const (
	TaskInProgress = "IN_PROGRESS"
	TaskSucceeded  = "SUCCEEDED"
	TaskFailed     = "FAILED"
)

type job struct {
	externalID       string
	context          string
	urn              string
	state            string
	availability     string
	accessRestricted bool
	title            string
	doc              json.RawMessage
	created, updated time.Time
}

type task struct {
	id         string
	externalID string
	outcome    string // SUCCEEDED or FAILED
	jobURN     string
	errMsg     string
	op         string
	polls      int
	created    time.Time
}

type jobDoc struct {
	IntegrationContext      *string   `json:"integrationContext"`
	CompanyName             *string   `json:"companyName"`
	CompanyPageURL          *string   `json:"companyPageUrl"`
	CompanyApplyURL         *string   `json:"companyApplyUrl"`
	ExternalJobPostingID    *string   `json:"externalJobPostingId"`
	JobPostingOperationType *string   `json:"jobPostingOperationType"`
	State                   *string   `json:"state"`
	Title                   *string   `json:"title"`
	Description             *string   `json:"description"`
	ListedAt                *int64    `json:"listedAt"`
	Location                *string   `json:"location"`
	AlternateLocations      []string  `json:"alternateLocations"`
	Categories              []string  `json:"categories"`
	SkillsDescription       *string   `json:"skillsDescription"`
	WorkplaceTypes          *[]string `json:"workplaceTypes"`
	EmploymentStatus        *string   `json:"employmentStatus"`
	ExperienceLevel         *string   `json:"experienceLevel"`
	ListingType             *string   `json:"listingType"`
	PosterEmail             *string   `json:"posterEmail"`
	Availability            *string   `json:"availability"`
	AccessRestricted        *bool     `json:"accessRestricted"`
	Industries              []string  `json:"industries"`
	Compensation            *struct {
		Compensations *[]json.RawMessage `json:"compensations"`
	} `json:"compensation"`
}

// compensationDoc is one element of a job's compensation.compensations.
type compensationDoc struct {
	Period *string `json:"period"`
	Type   *string `json:"type"`
	Value  *struct {
		ExactAmount *moneyDoc `json:"exactAmount"`
		Range       *struct {
			Start *moneyDoc `json:"start"`
			End   *moneyDoc `json:"end"`
		} `json:"range"`
	} `json:"value"`
}

// pathMoney is an amount of a compensation's value and its path there.
type pathMoney struct {
	path string
	m    *moneyDoc
}

// moneyDoc is an amount of a compensation: both fields are strings.
type moneyDoc struct {
	Amount       *string `json:"amount"`
	CurrencyCode *string `json:"currencyCode"`
}

var (
	opTypes        = set("CREATE", "UPDATE", "RENEW", "CLOSE")
	availabilities = set("PUBLIC", "PRIVATE_TO_ATS_INTEGRATION", "INTERNAL")
	// versionedAvailabilities are those of the versioned API:
	// PRIVATE_TO_ATS_INTEGRATION is the Recruiter System Connect
	// extension's, which it no longer takes (docs/linkedin-api.md §7.1).
	versionedAvailabilities = set("PUBLIC", "INTERNAL")
	listingTypes            = set("BASIC", "PREMIUM")
	// workplaceTypes are the spellings LinkedIn documents: its schema's
	// and its samples' (docs/linkedin-api.md §7.1).
	workplaceTypes = set("On-site", "Hybrid", "Remote", "on-site", "hybrid", "remote")
	// The compensation enums of LinkedIn's job posting schema
	// (docs/linkedin-api.md §7.1).
	compensationPeriods = set("YEARLY", "MONTHLY", "SEMIMONTHLY", "BIWEEKLY", "WEEKLY", "DAILY", "HOURLY")
	compensationTypes   = set("BASE_SALARY", "TIPS", "COMMISSION", "PROFIT_SHARING", "STOCK_OPTIONS", "STOCK", "BONUS",
		"SIGN_ON_BONUS", "OVER_TIME", "OTHER")
	industryURN = regexp.MustCompile(`^urn:li:industry:[0-9]+$`)
	taskURN     = regexp.MustCompile(`^urn:li:simpleJobPostingTask:[0-9A-Za-z-]+$`)
)

func set(v ...string) map[string]bool {
	m := make(map[string]bool, len(v))
	for _, s := range v {
		m[s] = true
	}
	return m
}

type jobErr struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

type createElem struct {
	ID     string  `json:"id,omitempty"`
	Status int     `json:"status"`
	Error  *jobErr `json:"error,omitempty"`
}

func jobFieldErr(status int, field, rule string) *jobErr {
	return &jobErr{Status: status, Message: "ERROR :: /" + field + " :: " + rule + "\n"}
}

func enumErr(field, v string) *jobErr {
	return jobFieldErr(422, field, fmt.Sprintf("%q is not an enum symbol", v))
}

// asJobErr is a record's error as a batch_create element reports it: a
// field's 422 message ends its line, as LinkedIn's job answers do.
func asJobErr(e *entityError) *jobErr {
	if e == nil {
		return nil
	}
	msg := e.Message
	if e.Status == 422 {
		msg += "\n"
	}
	return &jobErr{Status: e.Status, Message: msg}
}

// availabilities returns the availabilities of the request's family.
func (c *call) availabilities() map[string]bool {
	if c.rt.rest {
		return versionedAvailabilities
	}
	return availabilities
}

// Limits of externalJobPostingId in LinkedIn's /v2 and versioned schemas
// (docs/linkedin-api.md §7.1).
const (
	maxJobIDLen          = 200
	maxVersionedJobIDLen = 75
)

// validateJob applies docs/linkedin-api.md §7.1 as the request's family
// has it. It returns the operation.
func validateJob(c *call, d *jobDoc) (string, *jobErr) {
	if d.ExternalJobPostingID == nil {
		return "", jobFieldErr(422, "externalJobPostingId", required)
	}
	maxID := maxJobIDLen
	if c.rt.rest {
		maxID = maxVersionedJobIDLen
	}
	if n := utf8.RuneCountInString(*d.ExternalJobPostingID); n == 0 || n > maxID {
		return "", jobFieldErr(422, "externalJobPostingId", fmt.Sprintf("length must be between 1 and %d", maxID))
	}
	op := ""
	switch {
	case d.JobPostingOperationType != nil:
		op = *d.JobPostingOperationType
		if !opTypes[op] {
			return "", enumErr("jobPostingOperationType", op)
		}
	case d.State != nil:
		switch *d.State {
		case "LISTED":
			op = "UPSERT"
		case "CLOSED":
			op = "CLOSE"
		default:
			return "", enumErr("state", *d.State)
		}
	default:
		return "", jobFieldErr(422, "jobPostingOperationType", required)
	}
	if d.IntegrationContext != nil && !c.cust.owns(*d.IntegrationContext) {
		return "", &jobErr{Status: 403, Message: "Not enough permissions to access integrationContext " + *d.IntegrationContext}
	}
	if op == "CLOSE" {
		// A CLOSE needs nothing but the posting's id, but an enum it
		// carries is still read: "" or an availability the family does not
		// know is LinkedIn's 422 (docs/linkedin-api.md §7.1, §13.7).
		if d.Availability != nil && !c.availabilities()[*d.Availability] {
			return op, enumErr("availability", *d.Availability)
		}
		return op, nil
	}
	return op, validateListing(c, d)
}

// validateListing applies the field rules of docs/linkedin-api.md §7.1 that
// every operation but CLOSE needs; the first rule broken is reported.
func validateListing(c *call, d *jobDoc) *jobErr {
	if d.IntegrationContext == nil && d.CompanyName == nil && d.CompanyPageURL == nil {
		return jobFieldErr(422, "integrationContext", required)
	}
	for _, f := range []struct {
		name string
		ok   bool
	}{
		{"companyApplyUrl", d.CompanyApplyURL != nil}, {"title", d.Title != nil}, {"description", d.Description != nil},
		{"listedAt", d.ListedAt != nil}, {"location", d.Location != nil}, {"posterEmail", d.PosterEmail != nil},
		{"availability", d.Availability != nil},
	} {
		if !f.ok {
			return jobFieldErr(422, f.name, required)
		}
	}
	if u, err := url.Parse(*d.CompanyApplyURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return &jobErr{Status: 400, Message: "Invalid company apply url: " + *d.CompanyApplyURL}
	}
	if n := utf8.RuneCountInString(*d.Title); n == 0 || n > 200 {
		return jobFieldErr(422, "title", "length must be between 1 and 200")
	}
	if n := utf8.RuneCountInString(*d.Description); n < 100 || n > 25000 {
		return jobFieldErr(422, "description", "length must be between 100 and 25000")
	}
	if *d.ListedAt > c.now.UnixMilli() {
		return jobFieldErr(422, "listedAt", "must not be in the future")
	}
	if *d.Location == "" {
		return jobFieldErr(422, "location", "length must be at least 1")
	}
	// LinkedIn requires the job poster's email on every job since June 2025
	// (docs/linkedin-api.md §7.1); an address follows X@X.X (§13.5).
	if !emailRe.MatchString(*d.PosterEmail) {
		return jobFieldErr(422, "posterEmail", "does not match pattern X@X.X")
	}
	if !c.availabilities()[*d.Availability] {
		return enumErr("availability", *d.Availability)
	}
	// An RSC job names the customer's organization (RSC required fields,
	// docs/linkedin-api.md §7.1): a company name does not do.
	if *d.Availability == "PRIVATE_TO_ATS_INTEGRATION" && d.IntegrationContext == nil {
		return jobFieldErr(422, "integrationContext", required)
	}
	if len(d.AlternateLocations) > 7 {
		return jobFieldErr(422, "alternateLocations", "at most 7 alternate locations are allowed")
	}
	if len(d.Categories) > 3 {
		return jobFieldErr(422, "categories", "at most 3 categories are allowed")
	}
	if d.SkillsDescription != nil && utf8.RuneCountInString(*d.SkillsDescription) > 4000 {
		return jobFieldErr(422, "skillsDescription", "length must be at most 4000")
	}
	if d.WorkplaceTypes != nil {
		if len(*d.WorkplaceTypes) != 1 {
			return jobFieldErr(400, "workplaceTypes", "exactly one workplace type is required")
		}
		if w := (*d.WorkplaceTypes)[0]; !workplaceTypes[w] {
			return enumErr("workplaceTypes/0", w)
		}
	}
	// employmentStatus and experienceLevel are not enums: LinkedIn maps a
	// value it does not list to the closest one it does (docs/linkedin-api.md
	// §7.1).
	if d.ListingType != nil && !listingTypes[*d.ListingType] {
		return enumErr("listingType", *d.ListingType)
	}
	for i, u := range d.Industries {
		if !industryURN.MatchString(u) {
			return jobFieldErr(422, "industries/"+strconv.Itoa(i), fmt.Sprintf("%q is not an industry URN (urn:li:industry:{id})", u))
		}
	}
	return validateCompensation(c, d)
}

// validateCompensation checks the job's compensation against the schema
// (docs/linkedin-api.md §7.1): its compensations list; in each element a
// value, and a period and a type of their enums; in each amount present,
// an amount and a currencyCode (their string type is the decoder's). Each
// violation is named by its path.
func validateCompensation(c *call, d *jobDoc) *jobErr {
	if d.Compensation == nil {
		return nil
	}
	if d.Compensation.Compensations == nil {
		return jobFieldErr(422, "compensation/compensations", required)
	}
	for i, raw := range *d.Compensation.Compensations {
		path := "compensation/compensations/" + strconv.Itoa(i)
		var x compensationDoc
		if e := c.decodeAt(raw, &x, path); e != nil {
			return asJobErr(e)
		}
		switch {
		case x.Value == nil:
			return jobFieldErr(422, path+"/value", required)
		case x.Period == nil:
			return jobFieldErr(422, path+"/period", required)
		case x.Type == nil:
			return jobFieldErr(422, path+"/type", required)
		case !compensationPeriods[*x.Period]:
			return enumErr(path+"/period", *x.Period)
		case !compensationTypes[*x.Type]:
			return enumErr(path+"/type", *x.Type)
		}
		amounts := []pathMoney{{"exactAmount", x.Value.ExactAmount}}
		if r := x.Value.Range; r != nil {
			amounts = append(amounts, pathMoney{"range/start", r.Start}, pathMoney{"range/end", r.End})
		}
		for _, a := range amounts {
			switch {
			case a.m == nil:
			case a.m.Amount == nil:
				return jobFieldErr(422, path+"/value/"+a.path+"/amount", required)
			case a.m.CurrencyCode == nil:
				return jobFieldErr(422, path+"/value/"+a.path+"/currencyCode", required)
			}
		}
	}
	return nil
}

// handleJobs serves J1: POST simpleJobPostings, X-RestLi-Method batch_create.
func handleJobs(c *call) {
	if c.method != http.MethodPost {
		c.methodNotAllowed()
		return
	}
	if c.rmethod != "batch_create" {
		c.fail(http.StatusForbidden, "Unpermitted fields present in REQUEST_BODY: Data Processing Exception while processing fields [/elements]")
		return
	}
	var body struct {
		Elements []json.RawMessage `json:"elements"`
	}
	if !c.decodeBody(&body) {
		return
	}
	if len(body.Elements) == 0 {
		c.fail(http.StatusBadRequest, "elements are required")
		return
	}
	if m := c.s.limits.MaxBatch; m > 0 && len(body.Elements) > m {
		c.fail(http.StatusBadRequest, fmt.Sprintf("Batch size %d exceeds the maximum of %d elements", len(body.Elements), m))
		return
	}
	out := make([]createElem, len(body.Elements))
	docs := make([]*jobDoc, len(body.Elements))
	ops := make([]string, len(body.Elements))
	seen := map[string]bool{}
	for i, raw := range body.Elements {
		d, op, e := c.readJob(raw)
		if e == nil && seen[*d.ExternalJobPostingID] {
			e = jobFieldErr(422, "externalJobPostingId", "duplicate externalJobPostingId in one request")
		}
		if e != nil {
			out[i] = createElem{Status: e.Status, Error: e}
			continue
		}
		seen[*d.ExternalJobPostingID] = true
		docs[i], ops[i] = d, op
	}
	cu := c.cust
	cu.mu.Lock()
	for i, d := range docs {
		if d == nil {
			continue
		}
		t, e := cu.applyJob(c, d, ops[i], body.Elements[i])
		if e != nil {
			out[i] = createElem{Status: e.Status, Error: e}
			continue
		}
		out[i] = createElem{ID: t.id, Status: 202}
	}
	cu.mu.Unlock()
	writeJSON(c.w, http.StatusOK, map[string]any{"elements": out})
}

// readJob decodes and validates one element of a batch_create: its fields
// against the job posting schema, their types, then the rules of
// validateJob. It returns the job and its operation.
func (c *call) readJob(raw json.RawMessage) (*jobDoc, string, *jobErr) {
	sch := jobSchema
	if c.rt.rest {
		sch = versionedJobSchema
	}
	if e := c.unpermitted(sch, raw); e != nil {
		return nil, "", asJobErr(e)
	}
	d := &jobDoc{}
	if e := c.decodeDoc(raw, d); e != nil {
		return nil, "", asJobErr(e)
	}
	op, e := validateJob(c, d)
	return d, op, e
}

// closeConflict is LinkedIn's answer to closing a job it does not hold
// open (create-jobs page, docs/linkedin-api.md §7.1).
var closeConflict = jobErr{Status: http.StatusConflict, Message: "Cannot close job which is already closed or does not exist"}

// applyJob performs a job operation and records its task. A CLOSE of a job
// that is not listed is refused at once, with no task. Caller holds cu.mu.
func (cu *Customer) applyJob(c *call, d *jobDoc, op string, raw json.RawMessage) (*task, *jobErr) {
	id := *d.ExternalJobPostingID
	j := cu.jobs[id]
	if op == "CLOSE" && (j == nil || j.state == JobClosed) {
		e := closeConflict
		return nil, &e
	}
	t := &task{id: "urn:li:simpleJobPostingTask:" + cu.s.uuid(), externalID: id, op: op, created: c.now}
	cu.tasks[t.id] = t
	if op != "CREATE" {
		delete(cu.resyncOwed, id) // sent again, as SendJobResync asked
	}
	fail := func(msg string) (*task, *jobErr) { t.outcome, t.errMsg = TaskFailed, msg; return t, nil }
	if op == "UPSERT" {
		op = "CREATE"
		if j != nil {
			op = "UPDATE"
		}
	}
	switch op {
	case "CREATE":
		if j != nil && j.state == JobListed {
			return fail("Job posting with externalJobPostingId " + id + " already exists; use UPDATE")
		}
		if j == nil {
			j = &job{externalID: id, urn: fmt.Sprintf("urn:li:jobPosting:%d", cu.s.nextID()), created: c.now}
			cu.jobs[id] = j
		}
	case "UPDATE", "RENEW":
		if j == nil {
			return fail("Job posting with externalJobPostingId " + id + " does not exist")
		}
	case "CLOSE":
		j.state, j.updated = JobClosed, c.now
		t.outcome, t.jobURN = TaskSucceeded, j.urn
		return t, nil
	}
	j.state, j.updated = JobListed, c.now
	j.doc = bytes.Clone(raw)
	j.context = "" // a PUBLIC job may name its company instead
	if d.IntegrationContext != nil {
		j.context = *d.IntegrationContext
	}
	j.availability = *d.Availability
	j.accessRestricted = d.AccessRestricted != nil && *d.AccessRestricted
	j.title = *d.Title
	t.outcome, t.jobURN = TaskSucceeded, j.urn
	return t, nil
}

type taskView struct {
	ID                   string `json:"id"`
	Status               string `json:"status"`
	ExternalJobPostingID string `json:"externalJobPostingId,omitempty"`
	JobPosting           string `json:"jobPosting,omitempty"`
	ErrorMessage         string `json:"errorMessage,omitempty"`
}

func (t *task) view(s *Server, now time.Time) taskView {
	v := taskView{ID: t.id, ExternalJobPostingID: t.externalID, Status: TaskInProgress}
	if t.polls > s.cfg.taskPolls && !now.Before(t.created.Add(s.cfg.taskDelay)) {
		v.Status = t.outcome
		if t.outcome == TaskSucceeded {
			v.JobPosting = t.jobURN
		} else {
			v.ErrorMessage = t.errMsg
		}
	}
	return v
}

// handleTasks serves J2: GET simpleJobPostingTasks?ids=... The keys of its
// answer are spelt as a Rest.li server of the request's protocol spells
// them: the URN as it is under 1.0, its colons escaped under 2.0
// (urn%3Ali%3AsimpleJobPostingTask%3A…), as compound keys are
// (docs/linkedin-api.md §3.4, §13.3).
func handleTasks(c *call) {
	if c.method != http.MethodGet {
		c.methodNotAllowed()
		return
	}
	if len(c.q.SimpleIDs) == 0 {
		c.fail(http.StatusBadRequest, "ids are required")
		return
	}
	for _, id := range c.q.SimpleIDs {
		if !taskURN.MatchString(id) {
			c.fail(http.StatusBadRequest, "Batch key parameter value is invalid: "+id)
			return
		}
	}
	res := batchGetResult{Errors: map[string]*entityError{}, Results: map[string]json.RawMessage{}, Statuses: map[string]int{}}
	cu := c.cust
	cu.mu.Lock()
	seen := map[string]bool{}
	for _, id := range c.q.SimpleIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		key := restli.EncodeServerSimpleBodyKey(c.proto, id)
		t := cu.tasks[id]
		if t == nil {
			res.Errors[key] = statusErr(404, "Task "+id+" does not exist")
			continue
		}
		t.polls++
		b, _ := json.Marshal(t.view(c.s, c.now))
		res.Results[key] = b
		res.Statuses[key] = 200
	}
	cu.mu.Unlock()
	writeJSON(c.w, http.StatusOK, res)
}
