package rsc

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func testJob(id string) JobPosting {
	return JobPosting{
		ExternalJobPostingID: id, OperationType: JobCreate, IntegrationContext: org,
		CompanyApplyURL: "https://ats.example.com/jobs/" + id + "/apply", Title: "Software Engineer",
		Description: strings.Repeat("Build great things. ", 6), ListedAt: 1700000000000,
		Location: "San Francisco, CA, US", PosterEmail: "recruiter@example.com", Availability: AvailabilityPrivate, WorkplaceTypes: []string{"Hybrid"},
		EmploymentStatus: "FULL_TIME", ExperienceLevel: "MID_SENIOR_LEVEL",
	}
}

func TestJobsSubmitWire(t *testing.T) {
	t.Parallel()
	h := setup(t, func(w http.ResponseWriter, s seen) {
		fmt.Fprint(w, `{"elements":[{"id":"urn:li:simpleJobPostingTask:1","status":202},
			{"status":422,"error":{"status":422,"message":"ERROR :: /title :: field is required but not found and has no default value\n"}}]}`)
	})
	bad := testJob("J3")
	bad.Description = "too short"
	res, err := h.client.Jobs.Submit(t.Context(), []JobPosting{testJob("J1"), testJob("J2"), bad})
	if err != nil {
		t.Fatal(err)
	}
	if it := res.Items[0]; !it.OK() || it.ID != "urn:li:simpleJobPostingTask:1" || it.Status != 202 {
		t.Errorf("J1 = %+v", it)
	}
	var ee *EntityError
	if !errors.As(res.Items[1].Err, &ee) || ee.Status != 422 || !strings.Contains(ee.Message, "/title") {
		t.Errorf("J2 = %+v", res.Items[1])
	}
	var ve *ValidationError
	if !errors.As(res.Items[2].Err, &ve) || ve.Field != "description" {
		t.Errorf("J3 = %+v", res.Items[2])
	}
	s := h.only()
	s.check(t, "POST", "/v2/simpleJobPostings", "", "batch_create")
	if n := strings.Count(string(s.Body), `"externalJobPostingId"`); n != 2 {
		t.Errorf("sent %d jobs, want 2: %s", n, s.Body)
	}
	if !strings.Contains(string(s.Body), `"jobPostingOperationType":"CREATE"`) || !strings.Contains(string(s.Body), `"availability":"PRIVATE_TO_ATS_INTEGRATION"`) {
		t.Errorf("body = %s", s.Body)
	}
}

// An element of the batch_create answer that carries no status, or a 2xx
// without a task id, confirms nothing: the job gets an EntityError. An
// answer with fewer or more elements than jobs sent cannot be matched to
// them by position: every job's outcome is unknown (no status), and no
// job takes another's task or refusal.
func TestJobsSubmitIncompleteAnswer(t *testing.T) {
	t.Parallel()
	const unknown = "LinkedIn answered %d elements for %d jobs: the outcome of each is unknown"
	for _, tc := range []struct {
		name, answer string
		jobs         int
		want         []string
	}{
		{"an element without status, one without task", `{"elements":[{"id":"urn:li:simpleJobPostingTask:1","status":202},{"id":"urn:li:simpleJobPostingTask:2"},{"status":202}]}`, 3,
			[]string{"ok", "J2 0: LinkedIn returned no status for this job", "J3 202: LinkedIn returned no task for this job"}},
		{"one element missing at the end", `{"elements":[{"id":"urn:li:simpleJobPostingTask:1","status":202},{"id":"urn:li:simpleJobPostingTask:2","status":202}]}`, 3,
			[]string{"J1 0: " + fmt.Sprintf(unknown, 2, 3), "J2 0: " + fmt.Sprintf(unknown, 2, 3), "J3 0: " + fmt.Sprintf(unknown, 2, 3)}},
		{"the first element missing, a refusal shifted", `{"elements":[{"status":422,"error":{"status":422,"message":"ERROR :: /title :: refused"}},{"id":"urn:li:simpleJobPostingTask:3","status":202}]}`, 3,
			[]string{"J1 0: " + fmt.Sprintf(unknown, 2, 3), "J2 0: " + fmt.Sprintf(unknown, 2, 3), "J3 0: " + fmt.Sprintf(unknown, 2, 3)}},
		{"one element too many", `{"elements":[{"id":"urn:li:simpleJobPostingTask:1","status":202},{"id":"urn:li:simpleJobPostingTask:2","status":202}]}`, 1,
			[]string{"J1 0: " + fmt.Sprintf(unknown, 2, 1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, func(w http.ResponseWriter, s seen) { fmt.Fprint(w, tc.answer) })
			var jobs []JobPosting
			for i := range tc.jobs {
				jobs = append(jobs, testJob(fmt.Sprintf("J%d", i+1)))
			}
			res, err := h.client.Jobs.Submit(t.Context(), jobs)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range res.Items {
				msg := "ok"
				var ee *EntityError
				if errors.As(it.Err, &ee) {
					msg = fmt.Sprintf("%s %d: %s", ee.Key, ee.Status, ee.Message)
				}
				got = append(got, msg)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("items (-want +got):\n%s", d)
			}
		})
	}
}

func TestJobValidation(t *testing.T) {
	t.Parallel()
	c, _ := NewClient(WithCredentials("a", "b"))
	checkMutations(t, func() JobPosting { return testJob("J1") }, c.Jobs.Validate, map[string]mutation[JobPosting]{
		"title long":    {func(j *JobPosting) { j.Title = strings.Repeat("t", 201) }, "title"},
		"desc long":     {func(j *JobPosting) { j.Description = strings.Repeat("d", 25001) }, "description"},
		"id long":       {func(j *JobPosting) { j.ExternalJobPostingID = strings.Repeat("i", 201) }, "externalJobPostingId"},
		"two workplace": {func(j *JobPosting) { j.WorkplaceTypes = []string{"Remote", "Hybrid"} }, "workplaceTypes"},
		"bad op":        {func(j *JobPosting) { j.OperationType = "DELETE" }, "jobPostingOperationType"},
		"no avail":      {func(j *JobPosting) { j.Availability = "" }, "availability"},
		"bad apply url": {func(j *JobPosting) { j.CompanyApplyURL = "nope" }, "companyApplyUrl"},
		"seconds":       {func(j *JobPosting) { j.ListedAt = 1700000000 }, "listedAt"},
	})
}

func TestJobTasksWait(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	polls := 0
	h := setupInProcess(t, func(w http.ResponseWriter, s seen) {
		polls++
		status := "IN_PROGRESS"
		if polls >= 3 {
			status = "SUCCEEDED"
		}
		fmt.Fprintf(w, `{"results":{"urn:li:simpleJobPostingTask:1":{"id":"urn:li:simpleJobPostingTask:1","status":%q,"jobPosting":"urn:li:jobPosting:9"},
			"urn:li:simpleJobPostingTask:2":{"id":"urn:li:simpleJobPostingTask:2","status":"FAILED","errorMessage":"Cannot close job"}},"statuses":{},"errors":{}}`, status)
	}, WithClock(clk))
	start := clk.Now()
	got, err := h.client.Jobs.WaitTasks(t.Context(), []string{"urn:li:simpleJobPostingTask:1", "urn:li:simpleJobPostingTask:2"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if got["urn:li:simpleJobPostingTask:1"].JobPosting != "urn:li:jobPosting:9" || got["urn:li:simpleJobPostingTask:2"].Status != TaskFailed {
		t.Errorf("got %+v", got)
	}
	if polls != 3 || clk.Now().Sub(start) != 2*time.Minute {
		t.Errorf("polls = %d, waited %v", polls, clk.Now().Sub(start))
	}
	r := h.requests()
	r[0].check(t, "GET", "/v2/simpleJobPostingTasks", "ids=urn:li:simpleJobPostingTask:1&ids=urn:li:simpleJobPostingTask:2", "")
	// Terminal tasks are not asked for again.
	if r[1].RawQuery != "ids=urn:li:simpleJobPostingTask:1" {
		t.Errorf("second poll query = %s", r[1].RawQuery)
	}
}

// A CLOSE names the posting; the rest of the record is not checked, so an
// ATS can close a job whose other fields no longer validate.
func TestJobCloseValidation(t *testing.T) {
	t.Parallel()
	c, _ := NewClient(WithCredentials("a", "b"))
	closing := JobPosting{ExternalJobPostingID: "J1", OperationType: JobClose, IntegrationContext: org}
	if err := c.Jobs.Validate(&closing); err != nil {
		t.Errorf("bare CLOSE: %v", err)
	}
	for name, tc := range map[string]struct {
		job   JobPosting
		field string
	}{
		"no id":      {JobPosting{OperationType: JobClose, IntegrationContext: org}, "externalJobPostingId"},
		"bad urn":    {JobPosting{ExternalJobPostingID: "J1", OperationType: JobClose, IntegrationContext: "urn:li:company:1"}, "integrationContext"},
		"no context": {JobPosting{ExternalJobPostingID: "J1", OperationType: JobClose}, "integrationContext"},
		"bad availability": {JobPosting{ExternalJobPostingID: "J1", OperationType: JobClose, IntegrationContext: org,
			Availability: "SECRET"}, "availability"},
		"known availability": {JobPosting{ExternalJobPostingID: "J1", OperationType: JobClose, IntegrationContext: org,
			Availability: AvailabilityPublic}, ""},
	} {
		wantField(t, name, c.Jobs.Validate(&tc.job), tc.field)
	}
	update := closing
	update.OperationType = JobUpdate
	if err := c.Jobs.Validate(&update); err == nil {
		t.Error("bare UPDATE accepted")
	}
}

func TestSubRecordValidators(t *testing.T) {
	t.Parallel()
	c, _ := NewClient(WithCredentials("a", "b"))
	for name, tc := range map[string]struct {
		err   error
		field string
	}{
		"stage not available": {c.Applications.ValidateStage(&Stage{ID: "S1", Stage: "Not Available", CreatedAt: 1700000000000}), "stage"},
		"stage seconds":       {c.Applications.ValidateStage(&Stage{ID: "S1", Stage: "Hired", CreatedAt: 1700000000}), "atsCreatedAt"},
		"stage no id":         {c.Applications.ValidateStage(&Stage{Stage: "Hired", CreatedAt: 1700000000000}), "id"},
		"feedback type":       {c.Applications.ValidateFeedback(&InterviewFeedback{ID: "F1", InterviewType: "DINNER"}), "interviewType"},
		"cand note no id":     {c.Candidates.ValidateNote(&Note{Note: "x"}), "id"},
		"app note seconds":    {c.Applications.ValidateNote(&Note{ID: "N1", CreatedAt: 1700000000}), "atsCreatedAt"},
		"good stage":          {c.Applications.ValidateStage(&Stage{ID: "S1", Stage: "Hired", CreatedAt: 1700000000000}), ""},
		"good note":           {c.Candidates.ValidateNote(&Note{ID: "N1", Note: "called", CreatedAt: 1700000000000}), ""},
	} {
		wantField(t, name, tc.err, tc.field)
	}
}

// A CLOSE carries only the fields that are set: no empty title, apply URL,
// location or availability, and no zero listedAt, which LinkedIn would read
// as values (an empty availability is a 422). The other operations send
// every required field, which validation guarantees are set
// (docs/linkedin-api.md §7.1).
func TestJobCloseWire(t *testing.T) {
	t.Parallel()
	withAvailability := JobPosting{ExternalJobPostingID: "J2", OperationType: JobClose, IntegrationContext: org, Availability: AvailabilityPublic}
	for _, tc := range []struct {
		name string
		job  JobPosting
		want string
	}{
		{"bare close", JobPosting{ExternalJobPostingID: "J1", OperationType: JobClose, IntegrationContext: org},
			`{"elements":[{"externalJobPostingId":"J1","jobPostingOperationType":"CLOSE","integrationContext":"` + org + `"}]}`},
		{"close with an availability", withAvailability,
			`{"elements":[{"externalJobPostingId":"J2","jobPostingOperationType":"CLOSE","integrationContext":"` + org + `","availability":"PUBLIC"}]}`},
		{"create", testJob("J3"), `{"elements":[{"externalJobPostingId":"J3","jobPostingOperationType":"CREATE","integrationContext":"` + org + `",
			"companyApplyUrl":"https://ats.example.com/jobs/J3/apply","title":"Software Engineer","description":"` + strings.Repeat("Build great things. ", 6) + `",
			"listedAt":1700000000000,"location":"San Francisco, CA, US","posterEmail":"recruiter@example.com","availability":"PRIVATE_TO_ATS_INTEGRATION","workplaceTypes":["Hybrid"],
			"employmentStatus":"FULL_TIME","experienceLevel":"MID_SENIOR_LEVEL"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, func(w http.ResponseWriter, s seen) {
				fmt.Fprint(w, `{"elements":[{"id":"urn:li:simpleJobPostingTask:1","status":202}]}`)
			})
			res, err := h.client.Jobs.Submit(t.Context(), []JobPosting{tc.job})
			if err != nil || res.Err() != nil {
				t.Fatalf("Submit: %v %v", err, res.Err())
			}
			checkJSON(t, h.only().Body, tc.want)
		})
	}
}

// LinkedIn's job posting schema gives a compensation amount and its
// currencyCode as strings (docs/linkedin-api.md §7.1): a JSON number in
// either, in an exact amount or either end of a range, is refused.
func TestJobCompensationAmounts(t *testing.T) {
	t.Parallel()
	c := validatingClient(t)
	for _, tc := range []struct {
		name  string
		value string // the "value" of the one compensation
		field string // "" = valid
	}{
		{"exact amount string", `{"exactAmount":{"amount":"100000","currencyCode":"USD"}}`, ""},
		{"range strings", `{"range":{"start":{"amount":"90000.50","currencyCode":"USD"},"end":{"amount":"120000","currencyCode":"USD"}}}`, ""},
		{"exact amount number", `{"exactAmount":{"amount":100000,"currencyCode":"USD"}}`,
			"compensation.compensations[0].value.exactAmount.amount"},
		{"exact currency number", `{"exactAmount":{"amount":"100000","currencyCode":840}}`,
			"compensation.compensations[0].value.exactAmount.currencyCode"},
		{"range start number", `{"range":{"start":{"amount":90000,"currencyCode":"USD"},"end":{"amount":"120000","currencyCode":"USD"}}}`,
			"compensation.compensations[0].value.range.start.amount"},
		{"range end number", `{"range":{"start":{"amount":"90000","currencyCode":"USD"},"end":{"amount":120000,"currencyCode":"USD"}}}`,
			"compensation.compensations[0].value.range.end.amount"},
		{"range end currency boolean", `{"range":{"start":{"amount":"90000","currencyCode":"USD"},"end":{"amount":"120000","currencyCode":true}}}`,
			"compensation.compensations[0].value.range.end.currencyCode"},
	} {
		j := testJob("J1")
		j.Compensation = []byte(`{"compensations":[{"value":` + tc.value + `,"period":"YEARLY","type":"BASE_SALARY"}]}`)
		wantField(t, tc.name, c.Jobs.Validate(&j), tc.field)
	}
}

// An RSC job (PRIVATE_TO_ATS_INTEGRATION) needs its integrationContext:
// LinkedIn's RSC required-fields page lists it as required for synced jobs
// (docs/linkedin-api.md §7.1). companyName or companyPageUrl stands in for
// it only on other jobs, as the job posting schema allows.
func TestRSCJobNeedsIntegrationContext(t *testing.T) {
	t.Parallel()
	c := validatingClient(t)
	byName := func(a Availability, op JobOperation) *JobPosting {
		j := testJob("J1")
		j.IntegrationContext, j.CompanyName, j.Availability, j.OperationType = "", "Acme", a, op
		return &j
	}
	byPage := byName(AvailabilityPrivate, JobCreate)
	byPage.CompanyName, byPage.CompanyPageURL = "", "https://www.linkedin.com/company/acme"
	withContext := testJob("J1")
	checkFields(t, []fieldCase{
		{"RSC job named by companyName", c.Jobs.Validate(byName(AvailabilityPrivate, JobCreate)), "integrationContext"},
		{"RSC job named by companyPageUrl", c.Jobs.Validate(byPage), "integrationContext"},
		{"RSC job update named by companyName", c.Jobs.Validate(byName(AvailabilityPrivate, JobUpdate)), "integrationContext"},
		{"RSC job close named by companyName", c.Jobs.Validate(byName(AvailabilityPrivate, JobClose)), "integrationContext"},
		{"public job named by companyName", c.Jobs.Validate(byName(AvailabilityPublic, JobCreate)), ""},
		{"RSC job with its context", c.Jobs.Validate(&withContext), ""},
	})
}

// Since June 2025 every job LinkedIn takes, on /v2 and on the versioned
// API, carries its poster's email (docs/linkedin-api.md §7.1): a CREATE,
// UPDATE or RENEW without posterEmail, or with one not of the X@X.X form,
// is refused in both families; a CLOSE, which only names its job, needs
// none.
func TestJobPosterEmail(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"", "202604"} {
		var opts []Option
		if version != "" {
			opts = append(opts, WithVersion(version))
		}
		c := validatingClient(t, opts...)
		job := func(op JobOperation, email string) *JobPosting {
			j := testJob("J1")
			j.OperationType, j.PosterEmail, j.Availability = op, email, AvailabilityPublic
			return &j
		}
		bareClose := JobPosting{ExternalJobPostingID: "J1", OperationType: JobClose, IntegrationContext: org}
		checkFields(t, []fieldCase{
			{"v=" + version + " create without", c.Jobs.Validate(job(JobCreate, "")), "posterEmail"},
			{"v=" + version + " update without", c.Jobs.Validate(job(JobUpdate, "")), "posterEmail"},
			{"v=" + version + " renew without", c.Jobs.Validate(job(JobRenew, "")), "posterEmail"},
			{"v=" + version + " no @", c.Jobs.Validate(job(JobCreate, "recruiter.example.com")), "posterEmail"},
			{"v=" + version + " no dot", c.Jobs.Validate(job(JobCreate, "recruiter@example")), "posterEmail"},
			{"v=" + version + " space", c.Jobs.Validate(job(JobCreate, "re cruiter@example.com")), "posterEmail"},
			{"v=" + version + " valid", c.Jobs.Validate(job(JobCreate, "recruiter@example.com")), ""},
			{"v=" + version + " close without", c.Jobs.Validate(&bareClose), ""},
		})
	}
}

// The rules that differ between LinkedIn's /v2 and versioned job schemas
// (docs/linkedin-api.md §7.1) apply to the client's family: an
// externalJobPostingId of at most 200 characters on /v2 and 75 on the
// versioned API; the Recruiter System Connect extension
// (PRIVATE_TO_ATS_INTEGRATION, accessRestricted) refused on a versioned
// listing but not on a versioned CLOSE. JobPosting.Validate, which knows no
// family, applies the /v2 rules. employmentStatus and experienceLevel are
// not enums: LinkedIn maps values it does not list.
func TestJobFamilyValidation(t *testing.T) {
	t.Parallel()
	v2, rest := validatingClient(t), validatingClient(t, WithVersion("202604"))
	job := func(f func(j *JobPosting)) *JobPosting {
		j := testJob("J1")
		j.Availability = AvailabilityPublic
		f(&j)
		return &j
	}
	id := func(n int) func(j *JobPosting) {
		return func(j *JobPosting) { j.ExternalJobPostingID = strings.Repeat("i", n) }
	}
	private := func(j *JobPosting) { j.Availability = AvailabilityPrivate }
	restricted := func(j *JobPosting) { j.AccessRestricted = true }
	internal := func(j *JobPosting) { j.Availability = "INTERNAL" }
	owner := func(j *JobPosting) {
		j.RequisitionOwnerEmail, j.RequisitionOwnerFirstName, j.RequisitionOwnerLastName = "o@example.com", "O", "Wner"
	}
	unlisted := func(j *JobPosting) { j.EmploymentStatus, j.ExperienceLevel = "SEASONAL", "SENIOR" }
	closing := func(f func(j *JobPosting)) func(j *JobPosting) {
		return func(j *JobPosting) { f(j); j.OperationType = JobClose }
	}
	rows := map[string]struct {
		mut           func(j *JobPosting)
		v2, versioned string // the failing field, "" when valid
	}{
		"id of 75":                 {id(75), "", ""},
		"id of 76":                 {id(76), "", "externalJobPostingId"},
		"id of 200":                {id(200), "", "externalJobPostingId"},
		"id of 201":                {id(201), "externalJobPostingId", "externalJobPostingId"},
		"private":                  {private, "", "availability"},
		"access restricted":        {restricted, "", "accessRestricted"},
		"internal":                 {internal, "", ""},
		"requisition owner":        {owner, "", ""},
		"unlisted employment":      {unlisted, "", ""},
		"private close":            {closing(private), "", ""},
		"restricted private close": {closing(func(j *JobPosting) { private(j); restricted(j) }), "", ""},
	}
	got := map[string][2]string{}
	want := map[string][2]string{}
	fieldOf := func(err error) string {
		var ve *ValidationError
		if errors.As(err, &ve) {
			return ve.Field
		}
		if err != nil {
			return err.Error()
		}
		return ""
	}
	for name, r := range rows {
		want[name] = [2]string{r.v2, r.versioned}
		got[name] = [2]string{fieldOf(v2.Jobs.Validate(job(r.mut))), fieldOf(rest.Jobs.Validate(job(r.mut)))}
		if f := fieldOf(job(r.mut).Validate()); f != r.v2 {
			t.Errorf("%s: JobPosting.Validate failed on %q, want the /v2 rules' %q", name, f, r.v2)
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("failing field [v2, versioned] (-want +got):\n%s", d)
	}
}

// The exact job a client sends in each family (docs/linkedin-api.md §7.1):
// /v2 carries the Recruiter System Connect extension as set; the versioned
// API, which no longer takes it, gets the job without the requisition
// owner's fields, and a CLOSE without its PRIVATE availability and
// accessRestricted. posterEmail goes in both.
func TestJobWirePerFamily(t *testing.T) {
	t.Parallel()
	withOwner := func(j JobPosting) JobPosting {
		j.RequisitionOwnerEmail, j.RequisitionOwnerFirstName, j.RequisitionOwnerLastName = "o@example.com", "O", "Wner"
		return j
	}
	public := testJob("J1")
	public.Availability = AvailabilityPublic
	restrictedClose := JobPosting{ExternalJobPostingID: "J2", OperationType: JobClose, IntegrationContext: org,
		Availability: AvailabilityPrivate, AccessRestricted: true, RequisitionOwnerEmail: "o@example.com"}
	publicClose := JobPosting{ExternalJobPostingID: "J3", OperationType: JobClose, IntegrationContext: org, Availability: AvailabilityPublic}
	body := func(availability, extra string) string {
		return `{"externalJobPostingId":"J1","jobPostingOperationType":"CREATE","integrationContext":"` + org + `",
			"companyApplyUrl":"https://ats.example.com/jobs/J1/apply","title":"Software Engineer","description":"` + strings.Repeat("Build great things. ", 6) + `",
			"listedAt":1700000000000,"location":"San Francisco, CA, US","posterEmail":"recruiter@example.com","availability":"` + availability + `",
			"workplaceTypes":["Hybrid"],"employmentStatus":"FULL_TIME","experienceLevel":"MID_SENIOR_LEVEL"` + extra + `}`
	}
	owner := `,"requisitionOwnerEmail":"o@example.com","requisitionOwnerFirstName":"O","requisitionOwnerLastName":"Wner"`
	for _, tc := range []struct {
		name, version, path string
		jobs                []JobPosting
		want                string
	}{
		{"v2", "", "/v2/simpleJobPostings", []JobPosting{withOwner(testJob("J1")), restrictedClose, publicClose},
			`{"elements":[` + body("PRIVATE_TO_ATS_INTEGRATION", owner) + `,
			{"externalJobPostingId":"J2","jobPostingOperationType":"CLOSE","integrationContext":"` + org + `","availability":"PRIVATE_TO_ATS_INTEGRATION",
			 "accessRestricted":true,"requisitionOwnerEmail":"o@example.com"},
			{"externalJobPostingId":"J3","jobPostingOperationType":"CLOSE","integrationContext":"` + org + `","availability":"PUBLIC"}]}`},
		{"versioned", "202604", "/rest/simpleJobPostings", []JobPosting{withOwner(public), restrictedClose, publicClose},
			`{"elements":[` + body("PUBLIC", "") + `,
			{"externalJobPostingId":"J2","jobPostingOperationType":"CLOSE","integrationContext":"` + org + `"},
			{"externalJobPostingId":"J3","jobPostingOperationType":"CLOSE","integrationContext":"` + org + `","availability":"PUBLIC"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var opts []Option
			if tc.version != "" {
				opts = append(opts, WithVersion(tc.version))
			}
			h := setup(t, func(w http.ResponseWriter, s seen) {
				fmt.Fprint(w, `{"elements":[{"id":"urn:li:simpleJobPostingTask:1","status":202},{"id":"urn:li:simpleJobPostingTask:2","status":202},
					{"id":"urn:li:simpleJobPostingTask:3","status":202}]}`)
			}, opts...)
			res, err := h.client.Jobs.Submit(t.Context(), tc.jobs)
			if err != nil || res.Err() != nil {
				t.Fatalf("Submit: %v %v", err, res.Err())
			}
			s := h.only()
			s.check(t, "POST", tc.path, "", "batch_create")
			if got := s.Header.Get("LinkedIn-Version"); got != tc.version {
				t.Errorf("LinkedIn-Version = %q, want %q", got, tc.version)
			}
			checkJSON(t, s.Body, tc.want)
			if tc.jobs[0].RequisitionOwnerEmail == "" || tc.jobs[1].Availability != AvailabilityPrivate {
				t.Error("Submit changed the caller's jobs")
			}
		})
	}
}

// LinkedIn's compensation schema (docs/linkedin-api.md §7.1) requires the
// compensations list; in each compensation a value, a period and a type;
// in each amount given an amount and a currencyCode. A range may be open.
func TestJobCompensationRequiredFields(t *testing.T) {
	t.Parallel()
	c := validatingClient(t)
	const money = `{"amount":"1","currencyCode":"USD"}`
	for _, tc := range []struct{ name, comp, field string }{
		{"no compensations", `{}`, "compensation.compensations"},
		{"null compensations", `{"compensations":null}`, "compensation.compensations"},
		{"no value", `{"compensations":[{"period":"YEARLY","type":"BASE_SALARY"}]}`, "compensation.compensations[0].value"},
		{"no period", `{"compensations":[{"type":"BASE_SALARY","value":{"exactAmount":` + money + `}}]}`, "compensation.compensations[0].period"},
		{"no type", `{"compensations":[{"period":"YEARLY","value":{"exactAmount":` + money + `}}]}`, "compensation.compensations[0].type"},
		{"no amount", `{"compensations":[{"period":"YEARLY","type":"BASE_SALARY","value":{"exactAmount":{"currencyCode":"USD"}}}]}`,
			"compensation.compensations[0].value.exactAmount.amount"},
		{"null currency", `{"compensations":[{"period":"YEARLY","type":"BASE_SALARY","value":{"range":{"start":` + money + `,"end":{"amount":"2","currencyCode":null}}}}]}`,
			"compensation.compensations[0].value.range.end.currencyCode"},
		{"open range", `{"compensations":[{"period":"YEARLY","type":"BASE_SALARY","value":{"range":{"start":` + money + `}}}]}`, ""},
		{"empty list", `{"compensations":[]}`, ""},
		{"JSON null (a nil pointer marshalled)", `null`, ""},
	} {
		j := testJob("J1")
		j.Compensation = []byte(tc.comp)
		wantField(t, tc.name, c.Jobs.Validate(&j), tc.field)
	}
}
