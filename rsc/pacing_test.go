package rsc

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
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

// A call whose context has ended sends nothing, so the pacer charges it
// nothing: neither a request of the daily quota nor records of the minute.
func TestPacerChargesNoCancelledCall(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{now: time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)}
	p := newPacer(Limits{}, clk)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for range 3 {
		if err := p.acquire(ctx, resCandidates, MaxBatchSize, &Hooks{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("acquire with a cancelled context: %v, want context.Canceled", err)
		}
	}
	if d := cmp.Diff([]Quota(nil), p.quotas(), cmpopts.EquateEmpty()); d != "" {
		t.Errorf("quotas charged (-want +got):\n%s", d)
	}
	if err := p.acquire(t.Context(), resCandidates, p.limits.SyncRecordsPerMinute, &Hooks{}); err != nil || !clk.Now().Equal(time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("a full minute's records after the cancelled calls: %v, at %s; want sent at once", err, clk.Now())
	}
}

// scriptClock answers its first Now calls with the times of steps; a
// step with hold set closes entered and blocks until hold is closed, as
// a goroutine preempted between reading the clock and taking the pacer's
// lock. After the steps, Now is cur, which Sleep advances.
type scriptClock struct {
	mu    sync.Mutex
	steps []clockStep
	cur   time.Time
	last  time.Time // the last time Now returned
}

type clockStep struct {
	t             time.Time
	entered, hold chan struct{}
}

func (c *scriptClock) Now() time.Time {
	c.mu.Lock()
	if len(c.steps) == 0 {
		c.last = c.cur
		c.mu.Unlock()
		return c.last
	}
	s := c.steps[0]
	c.steps = c.steps[1:]
	c.mu.Unlock()
	if s.hold != nil {
		close(s.entered)
		<-s.hold
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = s.t
	return s.t
}

func (c *scriptClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cur = c.cur.Add(d)
	return ctx.Err()
}

// No calendar minute carries more than SyncRecordsPerMinute, even when a
// call reads the clock just before a minute ends and takes the pacer's
// lock only after another call charged the whole next minute: A reads
// 11:59:59.9 and is preempted, B charges 100 records at 12:00:00.1, then
// A's older reading must not move the count back to 11:59, which would
// make minute 12:00 look fresh once A's wait ends there.
func TestPacerMinuteNeverGoesBack(t *testing.T) {
	t.Parallel()
	noon := time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)
	before, after := noon.Add(-100*time.Millisecond), noon.Add(100*time.Millisecond)
	entered, hold := make(chan struct{}), make(chan struct{})
	clk := &scriptClock{cur: before, steps: []clockStep{
		{t: before}, // A: the daily count
		{t: before, entered: entered, hold: hold}, // A: the minute, preempted
		{t: after}, {t: after}, // B: the daily count, the minute
	}}
	p := newPacer(Limits{SyncRecordsPerMinute: 100}, clk)
	aDone := make(chan error, 1)
	go func() { aDone <- p.acquire(context.Background(), resCandidates, 50, &Hooks{}) }()
	<-entered
	if err := p.acquire(context.Background(), resCandidates, 100, &Hooks{}); err != nil { // B
		t.Fatal(err)
	}
	close(hold)
	if err := <-aDone; err != nil {
		t.Fatal(err)
	}
	if got, want := clk.last.Truncate(time.Minute), noon.Add(time.Minute); got.Before(want) {
		t.Errorf("A's 50 records went at %s, in the minute where B's 100 went at %s (limit 100); want at %s or later",
			clk.last.Format("15:04:05.000"), after.Format("15:04:05.000"), want.Format("15:04"))
	}
}
