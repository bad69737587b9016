package rsctest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rscgo/rscgo/rsc/rsctest"
)

func TestRule09_RecordsPerMinuteFixedUTCWindow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rsctest.WithLimits(rsctest.Limits{SyncRecordsPerMinute: 3}))
	e.clock.Set(time.Date(2025, 3, 10, 12, 0, 50, 0, time.UTC))
	q := "/v2/atsCandidates?" + candIDsN([]string{"A", "B"})
	e.req("GET", q, nil).want(t, 200) // 2 records
	r := e.req("GET", q, nil).want(t, 429)
	if r.header.Get("X-Li-Throttle-Window") != "MINUTE" || r.header.Get("Retry-After") != "10" ||
		r.body["message"] != "Resource level throttle limit for calls to this resource is reached." || r.body["serviceErrorCode"] != float64(429) {
		t.Fatalf("%v %s", r.header, r.raw)
	}
	e.clock.Advance(10 * time.Second) // 12:01:00, a new fixed window
	e.req("GET", q, nil).want(t, 200)
	c := e.cust.Counters()
	if c.Requests != 2 || c.Records != 4 || c.Throttled429Minute != 1 || c.Throttled429Day != 0 {
		t.Fatalf("%+v", c)
	}
}

func TestRule09_DailyResetsAtUTCMidnight(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rsctest.WithLimits(rsctest.Limits{SyncRequestsPerDay: 2, IntegrationRequestsPerDay: 1}))
	e.clock.Set(time.Date(2025, 3, 10, 23, 59, 0, 0, time.UTC))
	e.tok = e.token("cid", "csecret")
	q := "/v2/atsCandidates?" + candIDsN([]string{"A"})
	e.req("GET", q, nil).want(t, 200)
	e.req("GET", q, nil).want(t, 200)
	r := e.req("GET", q, nil).want(t, 429)
	if r.header.Get("X-Li-Throttle-Window") != "DAY" || r.header.Get("Retry-After") != "" {
		t.Fatal(r.header)
	}
	// Other resources have their own buckets.
	e.req("GET", "/v2/atsApplications?"+appIDs("A"), nil).want(t, 200)
	integ := "/v2/atsIntegrations?ids[0].integrationContext=" + org + "&ids[0].integrationType=ONE_CLICK_EXPORT&ids[0].tenantType=RECRUITER&ids[0].dataProvider=ATS"
	e.req("GET", integ, nil).want(t, 200)
	e.req("GET", integ, nil).want(t, 429)
	e.clock.Advance(60 * time.Second) // 00:00 UTC
	e.req("GET", q, nil).want(t, 200)
	e.req("GET", integ, nil).want(t, 200)
	if c := e.cust.Counters(); c.Throttled429Day != 2 {
		t.Fatalf("%+v", c)
	}
}

func TestRule09_ProspectInteractionsCombined(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rsctest.WithLimits(rsctest.Limits{ProspectRequestsPerDay: 3}))
	_, seat := e.seat(rsctest.MemberSpec{FirstName: "R"})
	e.req("GET", "/v2/seatsV2?q=attributes&contracts="+contract+"&start=0", nil).want(t, 200)
	e.req("GET", "/v2/conversationEvents?q=criteria&viewer="+seat.URN, nil).want(t, 200)
	e.req("GET", "/v2/mailStubs?q=contract&contract="+contract, nil).want(t, 200)
	e.req("GET", "/v2/prospectNotes?q=criteria&contract="+contract, nil).want(t, 429)
	// Sync is unaffected.
	e.req("GET", "/v2/atsCandidates?"+candIDsN([]string{"A"}), nil).want(t, 200)
}

func TestRule09_JobTasksPerDay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rsctest.WithLimits(rsctest.Limits{JobTaskRequestsPerDay: 1}))
	id := "urn:li:simpleJobPostingTask:0"
	e.req("GET", "/v2/simpleJobPostingTasks?ids="+id, nil).want(t, 200)
	e.req("GET", "/v2/simpleJobPostingTasks?ids="+id, nil).want(t, 429)
}

func TestRule09_ExportsPerSeatPerMonth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rsctest.WithLimits(rsctest.Limits{ExportsPerSeatPerMonth: 2}))
	e.cust.EnableAll()
	e.clock.Set(time.Date(2025, 3, 31, 23, 0, 0, 0, time.UTC))
	e.tok = e.token("cid", "csecret")
	e.postJobs(jobElem("J1", "CREATE")).want(t, 200)
	_, seat := e.seat(rsctest.MemberSpec{FirstName: "R"})
	m := e.srv.AddMember(rsctest.MemberSpec{FirstName: "M"})
	for range 2 {
		if _, err := e.cust.Export(seat.URN, m.Person, "J1"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.cust.Export(seat.URN, m.Person, "J1"); err != rsctest.ErrExportQuota {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour) // April
	if _, err := e.cust.Export(seat.URN, m.Person, "J1"); err != nil {
		t.Fatal(err)
	}
}

func TestRule09_DefaultLimitsAndDisabled(t *testing.T) {
	t.Parallel()
	l := rsctest.NewServer(rsctest.WithoutListener()).Limits()
	if l.SyncRequestsPerDay != 100_000 || l.SyncRecordsPerMinute != 10_000 || l.IntegrationRequestsPerDay != 5_000 ||
		l.ProspectRequestsPerDay != 100_000 || l.JobTaskRequestsPerDay != 300_000 || l.ExportsPerSeatPerMonth != 300 || l.MaxBatch != 100 {
		t.Fatalf("%+v", l)
	}
	e := newEnv(t, rsctest.WithLimits(rsctest.Limits{Disabled: true, SyncRecordsPerMinute: 1}))
	for range 3 {
		e.req("GET", "/v2/atsCandidates?"+candIDsN([]string{"A", "B"}), nil).want(t, 200)
	}
}

func TestRule09_TenThousandRecordsPerMinuteDefault(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var ids []string
	for i := range 100 {
		ids = append(ids, fmt.Sprint("C", i))
	}
	body := "ids[0]" // tunnel a 100-key batch_get 100 times = 10,000 records
	_ = body
	q := candIDsN(ids)
	for range 100 {
		e.req("POST", "/v2/atsCandidates", q, "X-HTTP-Method-Override: GET", "Content-Type: application/x-www-form-urlencoded").want(t, 200)
	}
	r := e.req("POST", "/v2/atsCandidates", strings.Replace(q, "&ids[1]", "&ids[1]", 1), "X-HTTP-Method-Override: GET", "Content-Type: application/x-www-form-urlencoded")
	r.want(t, 429)
}
