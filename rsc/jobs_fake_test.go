package rsc_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// Against the fake, in both families: a bare CLOSE is accepted and closes
// the job, and WaitTasks returns as soon as every task is terminal, a task
// LinkedIn does not know (404, its key spelt escaped under Rest.li 2.0)
// included (docs/linkedin-api.md §7.1, §13.7).
func TestJobsCloseAndTasksAgainstFake(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"", "202604"} {
		t.Run("version="+version, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			fake := rsctest.NewFakeClock(time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC))
			clock := rsc.SleepBudget(fake, 20, cancel)
			srv := rsctest.NewServer(rsctest.WithClock(fake), rsctest.WithoutListener(), rsctest.WithJobTaskLatency(1))
			t.Cleanup(srv.Close)
			cust := srv.AddCustomer(rsctest.CustomerSpec{})
			opts := []rsc.Option{rsc.WithClock(clock)}
			if version != "" {
				opts = append(opts, rsc.WithVersion(version))
			}
			c, err := srv.CustomerClient(cust, opts...)
			if err != nil {
				t.Fatal(err)
			}
			org := cust.Organization
			now := clock.Now()
			availability := rsc.AvailabilityPrivate // the versioned API takes no private job (docs/linkedin-api.md §7.1)
			if version != "" {
				availability = rsc.AvailabilityPublic
			}
			create := rsc.JobPosting{ExternalJobPostingID: "J1", OperationType: rsc.JobCreate, IntegrationContext: org,
				CompanyApplyURL: "https://ats.example.com/j/J1", Title: "Engineer", Description: strings.Repeat("Build things well. ", 8),
				ListedAt: rsc.Millis(now.Add(-time.Hour)), Location: "Austin, TX, US", PosterEmail: "recruiter@example.com", Availability: availability}
			bareClose := rsc.JobPosting{ExternalJobPostingID: "J1", OperationType: rsc.JobClose, IntegrationContext: org}
			var tasks []string
			for _, job := range []rsc.JobPosting{create, bareClose} {
				res, err := c.Jobs.Submit(ctx, []rsc.JobPosting{job})
				if err != nil || res.Err() != nil {
					t.Fatalf("Submit %s: %v %v", job.OperationType, err, res.Err())
				}
				tasks = append(tasks, res.Items[0].ID)
			}
			const unknown = "urn:li:simpleJobPostingTask:00000000-0000-4000-a000-000000000000"
			got, err := c.Jobs.WaitTasks(ctx, append(tasks, unknown), time.Minute)
			if err != nil {
				t.Fatalf("WaitTasks: %v (a task never became terminal)", err)
			}
			var states []string
			for _, u := range append(tasks, unknown) {
				states = append(states, string(got[u].Status))
			}
			if d := cmp.Diff([]string{"SUCCEEDED", "SUCCEEDED", "FAILED"}, states); d != "" {
				t.Errorf("task states (-want +got):\n%s", d)
			}
			if st := got[unknown].HTTPStatus; st != 404 {
				t.Errorf("unknown task: HTTPStatus %d, want 404", st)
			}
			if job, ok := cust.Job("J1"); !ok || job.State != rsctest.JobClosed {
				t.Errorf("J1 = %+v, want closed", job)
			}
			// A CLOSE with an availability LinkedIn does not know is refused
			// before it is sent.
			bad := bareClose
			bad.Availability = "SECRET"
			res, err := c.Jobs.Submit(ctx, []rsc.JobPosting{bad})
			var ve *rsc.ValidationError
			if err != nil || !errors.As(res.Items[0].Err, &ve) || ve.Field != "availability" {
				t.Errorf("CLOSE with a bad availability: %v %+v", err, res.Items[0])
			}
		})
	}
}
