package rscotel_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// candidate is candidate i of the organization, its email valid or not.
func candidate(org string, i int, valid bool, at time.Time) rscsync.Candidate {
	email := fmt.Sprintf("c%d@example.com", i)
	if !valid {
		email = "not-an-email"
	}
	return rscsync.Candidate{ModifiedAt: at.Add(time.Duration(i) * time.Second), Record: rsc.Candidate{
		Key:       rsc.CandidateKey{IntegrationContext: org, CandidateID: fmt.Sprintf("C%03d", i)},
		FirstName: "Ann", EmailAddresses: []string{email}, ExternalProfileURL: "https://ats.example.com/c",
		CreatedAt: rsc.Millis(at), LastModifiedAt: rsc.Millis(at)}}
}

// A full sync with a job whose task LinkedIn finishes on the second poll
// and a refused candidate, then a retry that is refused again and one that
// succeeds once the ATS is fixed: refusals, re-sends, the job task's
// latency and the quota used are metrics, and the phase spans carry the
// events, without record ids.
func TestOperationsTelemetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tel := newTelemetry(t)
		cust, client, src, now := tel.withJob(t, rsctest.WithJobTaskLatency(1))
		stop, err := tel.in.ObserveQuota("customer-42", client)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 150 {
			src.PutCandidates(candidate(cust.Organization, i, i != 7, now.Add(-time.Hour)))
		}
		eng, err := rscsync.NewEngine(client, "customer-42", src, rscsync.WithProgress(tel.in.Progress(nil)),
			rscsync.WithTaskPollInterval(10*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for i, step := range []func() error{
			func() error { _, err := tel.in.Run(ctx, eng); return err },
			func() error { _, err := tel.in.Retry(ctx, eng, "candidate//C007"); return err }, // still invalid
			func() error {
				src.PutCandidates(candidate(cust.Organization, 7, true, now.Add(-time.Hour)))
				_, err := tel.in.Retry(ctx, eng)
				return err
			},
		} {
			if err := step(); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
		}
		checkOperationsMetrics(t, tel)
		checkOperationsSpans(t, tel)
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		if got := tel.gauges(t, "rsc.quota.used"); len(got) != 0 {
			t.Errorf("after stop, rsc.quota.used = %v", got)
		}
	})
}

func checkOperationsMetrics(t *testing.T, tel *telemetry) {
	t.Helper()
	tel.wantSums(t, "rscsync.dead_letters", map[string]int64{
		"rscsync.again=false,rscsync.kind=candidate,rscsync.phase=Candidate Sync": 1,
		"rscsync.again=true,rscsync.kind=candidate,rscsync.phase=Candidate Sync":  1,
	})
	if got := tel.sums(t, "rscsync.records")["rscsync.outcome=resent,rscsync.phase=Candidate Sync"]; got != 2 {
		t.Errorf("records resent: %d, want 2 (one per retry)", got)
	}
	type hist struct {
		Count uint64
		Sum   float64
	}
	lat := map[string]hist{}
	for _, m := range tel.metrics(t) {
		if h, ok := m.Data.(metricdata.Histogram[float64]); ok && m.Name == "rscsync.job_task.latency" {
			for _, dp := range h.DataPoints {
				lat[attrs(dp.Attributes.ToSlice())] = hist{dp.Count, dp.Sum}
			}
		}
	}
	if d := cmp.Diff(map[string]hist{"rscsync.job_task.operation=CREATE,rscsync.job_task.status=SUCCEEDED": {1, 10}}, lat); d != "" {
		t.Errorf("rscsync.job_task.latency (-want +got):\n%s", d)
	}
	// Two candidate batches, then one retry that reached LinkedIn (the
	// first was refused by the client's validation); the job's create and
	// its task's two polls.
	const c = "rsc.bucket=%s,rsc.customer=customer-42,rsc.quota.counter=%s"
	if d := cmp.Diff(map[string]int64{
		fmt.Sprintf(c, "sync", "atsCandidates"):             3,
		fmt.Sprintf(c, "jobs", "simpleJobPostings"):         1,
		fmt.Sprintf(c, "jobTasks", "simpleJobPostingTasks"): 2,
	}, tel.gauges(t, "rsc.quota.used")); d != "" {
		t.Errorf("rsc.quota.used (-want +got):\n%s", d)
	}
	if got := tel.gauges(t, "rsc.quota.limit")[fmt.Sprintf(c, "sync", "atsCandidates")]; got != 100_000 {
		t.Errorf("rsc.quota.limit of atsCandidates = %d, want LinkedIn's 100,000", got)
	}
}

func checkOperationsSpans(t *testing.T, tel *telemetry) {
	t.Helper()
	var events []string
	for _, s := range tel.spans.Ended() {
		for _, e := range s.Events() {
			events = append(events, s.Name()+": "+e.Name+" "+attrs(e.Attributes))
		}
		if s.Name() == "rscsync.retry" && s.Parent().IsValid() {
			t.Errorf("a retry span has a parent")
		}
		checkNoIDs(t, s)
	}
	want := []string{
		`rscsync.phase Job Sync: rscsync.waiting rscsync.waiting_for=1 job task(s) LinkedIn has not finished,rscsync.wait_until=2000-01-01T00:00:10Z`,
		`rscsync.phase Job Sync: rscsync.job_task rscsync.job_task.operation=CREATE,rscsync.job_task.status=SUCCEEDED,rscsync.job_task.latency=10`,
		`rscsync.phase Candidate Sync: rscsync.dead_letter rscsync.kind=candidate,rscsync.field=emailAddresses[0],rscsync.status=0,rscsync.attempts=1`,
		`rscsync.phase Candidate Sync: rscsync.dead_letter rscsync.kind=candidate,rscsync.field=emailAddresses[0],rscsync.status=0,rscsync.attempts=2`,
	}
	if d := cmp.Diff(want, events); d != "" {
		t.Errorf("span events (-want +got):\n%s", d)
	}
}

// checkNoIDs fails when a span, its status or its events carry a record id
// or email.
func checkNoIDs(t *testing.T, s sdktrace.ReadOnlySpan) {
	t.Helper()
	all := attrs(s.Attributes()) + " " + s.Status().Description
	for _, e := range s.Events() {
		all += " " + e.Name + " " + attrs(e.Attributes)
	}
	if strings.Contains(all, "C00") || strings.Contains(all, "@example.com") || strings.Contains(all, "J1") {
		t.Errorf("span %q carries an id or an email: %s", s.Name(), all)
	}
}

// A progress event without the run's counts (a wait announced from a
// batch's goroutine, a refusal) between two batches does not make the
// second batch count from zero.
func TestCountlessEventsKeepCounts(t *testing.T) {
	tel := newTelemetry(t)
	progress := tel.in.Progress(nil)
	batch := func(read int64) rscsync.Progress {
		return rscsync.Progress{Kind: rscsync.ProgressBatch, CustomerID: "c", Phase: rscsync.PhaseCandidates, Run: rscsync.PhaseReport{Read: read}}
	}
	progress(batch(100))
	progress(rscsync.Progress{Kind: rscsync.ProgressWaiting, CustomerID: "c", Phase: rscsync.PhaseCandidates, Waiting: "LinkedIn's per-minute throttle"})
	progress(rscsync.Progress{Kind: rscsync.ProgressDeadLetter, CustomerID: "c", Phase: rscsync.PhaseCandidates,
		DeadLetter: &rscsync.DeadLetter{Kind: rscsync.KindCandidate, ID: "C1", Attempts: 1}})
	progress(batch(200))
	tel.wantSums(t, "rscsync.records", map[string]int64{"rscsync.outcome=read,rscsync.phase=Candidate Sync": 200})
}

// A failed retry's span says what failed by the error's type and a fixed
// status, never by the error's text, which names the keys retried.
func TestRetryErrorCarriesNoKeys(t *testing.T) {
	tel := newTelemetry(t)
	_, client, src, _ := tel.withJob(t)
	eng, err := rscsync.NewEngine(client, "customer-42", src, rscsync.WithProgress(tel.in.Progress(nil)))
	if err != nil {
		t.Fatal(err)
	}
	_, rerr := tel.in.Retry(context.Background(), eng, "candidate//C0042-ann@example.com")
	if rerr == nil {
		t.Fatal("a retry of a key with no dead letter succeeded")
	}
	type got struct{ Status, ErrorType string }
	var retries []got
	for _, s := range tel.spans.Ended() {
		checkNoIDs(t, s)
		if s.Name() == "rscsync.retry" {
			retries = append(retries, got{s.Status().Description, attr(s, "error.type")})
		}
	}
	want := []got{{"sync failed", fmt.Sprintf("%T", rerr)}}
	if d := cmp.Diff(want, retries); d != "" {
		t.Errorf("rscsync.retry spans (-want +got):\n%s", d)
	}
}
