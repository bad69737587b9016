package rsc

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Every Limits field follows one rule: zero is LinkedIn's default, negative
// is unlimited, Disabled turns everything off.
func TestLimitsZeroNegativeDisabled(t *testing.T) {
	t.Parallel()
	def := DefaultLimits()
	for _, tc := range []struct {
		name   string
		limits Limits
		want   map[Bucket]int // the daily limit Quota reports; 0 = unlimited
	}{
		{"zero is LinkedIn's default", Limits{}, map[Bucket]int{
			BucketSync: def.SyncRequestsPerDay, BucketIntegrations: def.IntegrationRequestsPerDay,
			BucketProspect: def.ProspectRequestsPerDay, BucketJobs: def.JobPostingRequestsPerDay,
			BucketJobTasks: def.JobTaskRequestsPerDay, BucketUnmetered: 0}},
		{"negative is unlimited", Limits{SyncRequestsPerDay: -1, IntegrationRequestsPerDay: -1, ProspectRequestsPerDay: -5,
			JobPostingRequestsPerDay: -1, JobTaskRequestsPerDay: -1}, map[Bucket]int{
			BucketSync: 0, BucketIntegrations: 0, BucketProspect: 0, BucketJobs: 0, BucketJobTasks: 0, BucketUnmetered: 0}},
		{"positive is kept", Limits{SyncRequestsPerDay: 7, JobPostingRequestsPerDay: 3}, map[Bucket]int{
			BucketSync: 7, BucketIntegrations: def.IntegrationRequestsPerDay,
			BucketProspect: def.ProspectRequestsPerDay, BucketJobs: 3,
			BucketJobTasks: def.JobTaskRequestsPerDay, BucketUnmetered: 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(WithCredentials("id", "secret"), WithLimits(tc.limits))
			if err != nil {
				t.Fatal(err)
			}
			got := map[Bucket]int{}
			for b := range tc.want {
				got[b] = c.Quota(b).Limit
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("daily limits (-want +got):\n%s", d)
			}
		})
	}
	t.Run("records per minute", func(t *testing.T) {
		for _, tc := range []struct {
			in, want int
		}{{0, def.SyncRecordsPerMinute}, {-1, 0}, {MaxBatchSize, MaxBatchSize}} {
			if got := (Limits{SyncRecordsPerMinute: tc.in}).effective().SyncRecordsPerMinute; got != tc.want {
				t.Errorf("SyncRecordsPerMinute %d: effective %d, want %d", tc.in, got, tc.want)
			}
		}
	})
}

// Disabled sends past every quota; without it the same quota refuses locally.
func TestLimitsDisabled(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		limits   Limits
		wantSent int32
	}{
		{"enabled", Limits{SyncRequestsPerDay: 1}, 1},
		{"disabled", Limits{SyncRequestsPerDay: 1, Disabled: true}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, n := notesClient(t, []Option{WithLimits(tc.limits)}, 200)
			for range 3 {
				upsertNote(t.Context(), c)
			}
			if d := cmp.Diff(tc.wantSent, n.Load()); d != "" {
				t.Errorf("requests sent (-want +got):\n%s", d)
			}
		})
	}
}

// WithUserAgent sets the User-Agent of every API request.
func TestWithUserAgent(t *testing.T) {
	t.Parallel()
	c, h, _ := notesClient(t, []Option{WithUserAgent("tracker/1.2 rscgo")}, 200)
	if err := upsertNote(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff("tracker/1.2 rscgo", h.only().Header.Get("User-Agent")); d != "" {
		t.Errorf("User-Agent (-want +got):\n%s", d)
	}
}
