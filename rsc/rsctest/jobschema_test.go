package rsctest_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// postJobsIn posts a batch_create of elems to the simpleJobPostings of one
// family: /v2, or /rest with a LinkedIn-Version and Rest.li 2.0.
func (e *env) postJobsIn(rest bool, elems ...map[string]any) resp {
	e.t.Helper()
	if !rest {
		return e.postJobs(elems...)
	}
	return e.req("POST", "/rest/simpleJobPostings", map[string]any{"elements": elems},
		"X-RestLi-Method: batch_create", "X-RestLi-Protocol-Version: 2.0.0", "LinkedIn-Version: 202604")
}

// jobUnpermitted is a batch_create element refused for fields the job
// posting schema of its family does not have.
func jobUnpermitted(paths string) map[string]any {
	return jobRefused(403, "Unpermitted fields present in REQUEST_BODY: Data Processing Exception while processing fields ["+paths+"]")
}

// Since June 2025 LinkedIn's job posting schema, unversioned and versioned,
// requires the job poster's email on every job (docs/linkedin-api.md §7.1):
// a listing without posterEmail, or with one not of the X@X.X form, is a
// 422; a CLOSE, which only names its job, needs none.
func TestRule07_JobPosterEmailRequired(t *testing.T) {
	t.Parallel()
	for _, rest := range []bool{false, true} {
		t.Run(map[bool]string{false: "v2", true: "rest"}[rest], func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			job := func(id, op string, f func(m map[string]any)) map[string]any {
				return edited(jobElem(id, op), func(m map[string]any) { m["availability"] = "PUBLIC"; f(m) })
			}
			r := e.postJobsIn(rest,
				job("J-none", "CREATE", func(m map[string]any) { delete(m, "posterEmail") }),
				job("J-bad", "CREATE", func(m map[string]any) { m["posterEmail"] = "recruiter.example.com" }),
				job("J-ok", "CREATE", func(m map[string]any) {}),
			).want(t, 200)
			want := []any{
				jobRefused(422, "ERROR :: /posterEmail :: field is required but not found and has no default value\n"),
				jobRefused(422, "ERROR :: /posterEmail :: does not match pattern X@X.X\n"),
				jobAccepted,
			}
			if d := cmp.Diff(want, jobAnswers(r)); d != "" {
				t.Errorf("create (-want +got):\n%s", d)
			}
			r = e.postJobsIn(rest,
				job("J-ok", "UPDATE", func(m map[string]any) { delete(m, "posterEmail") }),
				map[string]any{"externalJobPostingId": "J-ok", "jobPostingOperationType": "CLOSE", "integrationContext": org},
			).want(t, 200)
			want = []any{
				jobRefused(422, "ERROR :: /posterEmail :: field is required but not found and has no default value\n"),
				jobAccepted,
			}
			if d := cmp.Diff(want, jobAnswers(r)); d != "" {
				t.Errorf("update, close (-want +got):\n%s", d)
			}
		})
	}
}

// The versioned job posting schema no longer takes the Recruiter System
// Connect extension (docs/linkedin-api.md §7.1): on /rest, accessRestricted
// and the requisition owner's fields are unpermitted fields (403) and
// availability knows PUBLIC and INTERNAL only; /v2 takes all of them. An
// externalJobPostingId is at most 75 characters on /rest, 200 on /v2.
func TestRule07_JobVersionedSchema(t *testing.T) {
	t.Parallel()
	job := func(id string, f func(m map[string]any)) map[string]any {
		return edited(jobElem(id, "CREATE"), func(m map[string]any) { m["availability"] = "PUBLIC"; f(m) })
	}
	elems := func() []map[string]any {
		return []map[string]any{
			job("J-restricted", func(m map[string]any) { m["accessRestricted"] = true }),
			job("J-owner", func(m map[string]any) {
				m["requisitionOwnerEmail"], m["requisitionOwnerFirstName"], m["requisitionOwnerLastName"] = "o@example.com", "O", "Wner"
			}),
			job("J-private", func(m map[string]any) { m["availability"] = "PRIVATE_TO_ATS_INTEGRATION" }),
			job("J-internal", func(m map[string]any) { m["availability"] = "INTERNAL" }),
			job(strings.Repeat("i", 75), func(m map[string]any) {}),
			job(strings.Repeat("j", 76), func(m map[string]any) {}),
			job(strings.Repeat("k", 201), func(m map[string]any) {}),
		}
	}
	for _, tc := range []struct {
		name string
		rest bool
		want []any
	}{
		{"v2", false, []any{jobAccepted, jobAccepted, jobAccepted, jobAccepted, jobAccepted, jobAccepted,
			jobRefused(422, "ERROR :: /externalJobPostingId :: length must be between 1 and 200\n")}},
		{"rest", true, []any{
			jobUnpermitted("/accessRestricted"),
			jobUnpermitted("/requisitionOwnerEmail, /requisitionOwnerFirstName, /requisitionOwnerLastName"),
			jobRefused(422, "ERROR :: /availability :: \"PRIVATE_TO_ATS_INTEGRATION\" is not an enum symbol\n"),
			jobAccepted, jobAccepted,
			jobRefused(422, "ERROR :: /externalJobPostingId :: length must be between 1 and 75\n"),
			jobRefused(422, "ERROR :: /externalJobPostingId :: length must be between 1 and 75\n"),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			r := e.postJobsIn(tc.rest, elems()...).want(t, 200)
			if d := cmp.Diff(tc.want, jobAnswers(r)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// LinkedIn maps an employmentStatus or experienceLevel it does not list to
// the closest value it does (docs/linkedin-api.md §7.1): neither is an enum
// the fake refuses.
func TestRule07_JobUnlistedEmploymentAndExperience(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.postJobs(edited(jobElem("J1", "CREATE"), func(m map[string]any) {
		m["employmentStatus"], m["experienceLevel"] = "SEASONAL", "SENIOR"
	})).want(t, 200)
	if d := cmp.Diff([]any{jobAccepted}, jobAnswers(r)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// The compensation schema's required fields (docs/linkedin-api.md §7.1):
// the compensations list; in each compensation a value, a period and a
// type; in each amount present an amount and a currencyCode. A missing one
// is a 422 naming its path.
func TestRule07_JobCompensationRequiredFields(t *testing.T) {
	t.Parallel()
	money := map[string]any{"amount": "1", "currencyCode": "USD"}
	entry := func(f func(c map[string]any)) map[string]any {
		c := map[string]any{"period": "YEARLY", "type": "BASE_SALARY", "value": map[string]any{"exactAmount": money}}
		f(c)
		return map[string]any{"compensations": []any{c}}
	}
	cases := []struct {
		name string
		comp map[string]any
		want map[string]any
	}{
		{"no compensations", map[string]any{}, jobRefused(422, "ERROR :: /compensation/compensations :: field is required but not found and has no default value\n")},
		{"no value", entry(func(c map[string]any) { delete(c, "value") }),
			jobRefused(422, "ERROR :: /compensation/compensations/0/value :: field is required but not found and has no default value\n")},
		{"no period", entry(func(c map[string]any) { delete(c, "period") }),
			jobRefused(422, "ERROR :: /compensation/compensations/0/period :: field is required but not found and has no default value\n")},
		{"no type", entry(func(c map[string]any) { delete(c, "type") }),
			jobRefused(422, "ERROR :: /compensation/compensations/0/type :: field is required but not found and has no default value\n")},
		{"no amount", entry(func(c map[string]any) {
			c["value"] = map[string]any{"exactAmount": map[string]any{"currencyCode": "USD"}}
		}),
			jobRefused(422, "ERROR :: /compensation/compensations/0/value/exactAmount/amount :: field is required but not found and has no default value\n")},
		{"no currency at a range end", entry(func(c map[string]any) {
			c["value"] = map[string]any{"range": map[string]any{"start": money, "end": map[string]any{"amount": "2"}}}
		}), jobRefused(422, "ERROR :: /compensation/compensations/0/value/range/end/currencyCode :: field is required but not found and has no default value\n")},
		{"open range", entry(func(c map[string]any) { c["value"] = map[string]any{"range": map[string]any{"start": money}} }), jobAccepted},
	}
	e := newEnv(t)
	var elems []map[string]any
	var want []any
	for i, tc := range cases {
		elems = append(elems, edited(jobElem("J"+string(rune('a'+i)), "CREATE"), func(m map[string]any) { m["compensation"] = tc.comp }))
		want = append(want, tc.want)
	}
	r := e.postJobs(elems...).want(t, 200)
	if d := cmp.Diff(want, jobAnswers(r)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
