package rsc

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Bucket names a LinkedIn quota that several resources share.
type Bucket string

// The quota buckets (rsc-api.md §5).
const (
	BucketSync         Bucket = "sync"         // candidates, notes, applications, feedback, stages, ACLs
	BucketIntegrations Bucket = "integrations" // atsIntegrations and their configurations
	BucketProspect     Bucket = "prospect"     // seats, conversationEvents, mailStubs, prospectNotes
	BucketJobs         Bucket = "jobs"         // simpleJobPostings
	BucketJobTasks     Bucket = "jobTasks"     // simpleJobPostingTasks
	BucketUnmetered    Bucket = "unmetered"    // provisioning, exports, closed profiles
)

// Limits are the client-side pacing limits of one application. LinkedIn
// counts quotas per application, so every customer client has its own. A
// zero field means "no limit". The defaults are LinkedIn's documented values.
type Limits struct {
	SyncRequestsPerDay        int // 100,000
	SyncRecordsPerMinute      int // 10,000 records a minute, charged by batch size
	IntegrationRequestsPerDay int // 5,000
	ProspectRequestsPerDay    int // 100,000 combined
	JobRequestsPerDay         int // unconfirmed at LinkedIn; default 100,000
	JobTaskRequestsPerDay     int // 300,000
	// Disabled turns client-side pacing off entirely (for benchmarks against
	// a fake with throttles off). LinkedIn's 429s are still handled.
	Disabled bool
}

// DefaultLimits returns LinkedIn's documented limits.
func DefaultLimits() Limits {
	return Limits{
		SyncRequestsPerDay:        100_000,
		SyncRecordsPerMinute:      10_000,
		IntegrationRequestsPerDay: 5_000,
		ProspectRequestsPerDay:    100_000,
		JobRequestsPerDay:         100_000,
		JobTaskRequestsPerDay:     300_000,
	}
}

func (l Limits) validate() error {
	for _, v := range []int{l.SyncRequestsPerDay, l.SyncRecordsPerMinute, l.IntegrationRequestsPerDay,
		l.ProspectRequestsPerDay, l.JobRequestsPerDay, l.JobTaskRequestsPerDay} {
		if v < 0 {
			return errors.New("rsc: WithLimits: negative limit")
		}
	}
	if l.SyncRecordsPerMinute != 0 && l.SyncRecordsPerMinute < MaxBatchSize {
		return errors.New("rsc: WithLimits: SyncRecordsPerMinute must be at least one batch (100)")
	}
	return nil
}

func (l Limits) perDay(b Bucket) int {
	switch b {
	case BucketSync:
		return l.SyncRequestsPerDay
	case BucketIntegrations:
		return l.IntegrationRequestsPerDay
	case BucketProspect:
		return l.ProspectRequestsPerDay
	case BucketJobs:
		return l.JobRequestsPerDay
	case BucketJobTasks:
		return l.JobTaskRequestsPerDay
	}
	return 0
}

// Quota is a snapshot of one bucket's daily use as the client counts it.
type Quota struct {
	Bucket    Bucket
	Used      int       // requests sent this UTC day (every attempt counts)
	Limit     int       // 0 = unlimited
	Remaining int       // Limit-Used, or -1 when unlimited
	ResetAt   time.Time // next UTC midnight
}

// pacer enforces one application's limits: a daily request counter per
// bucket (fixed UTC days, as LinkedIn counts them) and, for the sync bucket,
// a records-per-minute token bucket (x/time/rate, burst one batch) guarded by
// a fixed UTC-minute window so no calendar minute ever exceeds the limit.
type pacer struct {
	limits Limits
	clock  Clock

	mu        sync.Mutex
	day       int64 // UTC day number of the counters
	used      map[Bucket]int
	exhausted map[Bucket]bool // LinkedIn said DAY 429 for this bucket today
	minute    int64           // UTC minute of minuteUsed
	minUsed   int
	records   *rate.Limiter
}

func newPacer(l Limits, clk Clock) *pacer {
	p := &pacer{limits: l, clock: clk, used: map[Bucket]int{}, exhausted: map[Bucket]bool{}}
	if l.SyncRecordsPerMinute > 0 && !l.Disabled {
		p.records = rate.NewLimiter(rate.Limit(float64(l.SyncRecordsPerMinute)/60), MaxBatchSize)
	}
	return p
}

func dayOf(t time.Time) int64 { return int64(math.Floor(float64(t.UTC().Unix()) / 86400)) }

func nextMidnight(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
}

func (p *pacer) rollLocked(now time.Time) {
	if d := dayOf(now); d != p.day {
		p.day = d
		clear(p.used)
		clear(p.exhausted)
	}
}

// acquire waits until a request of bucket b carrying n records may be sent,
// and charges it. It returns a *RateLimitError when today's quota is spent.
func (p *pacer) acquire(ctx context.Context, b Bucket, n int, hooks *Hooks) error {
	if p.limits.Disabled {
		return nil
	}
	now := p.clock.Now()
	p.mu.Lock()
	p.rollLocked(now)
	limit := p.limits.perDay(b)
	if p.exhausted[b] || (limit > 0 && p.used[b] >= limit) {
		p.mu.Unlock()
		e := &RateLimitError{Bucket: b, Daily: true, Local: true, ResetAt: nextMidnight(now)}
		if hooks.OnThrottled != nil {
			hooks.OnThrottled(ThrottleInfo{Bucket: b, Daily: true, Local: true, ResetAt: e.ResetAt})
		}
		return e
	}
	p.used[b]++
	p.mu.Unlock()

	if b != BucketSync || p.records == nil || n <= 0 {
		return nil
	}
	if n > MaxBatchSize {
		n = MaxBatchSize
	}
	var waited time.Duration
	for {
		now = p.clock.Now()
		p.mu.Lock()
		m := now.UTC().Unix() / 60
		if m != p.minute {
			p.minute, p.minUsed = m, 0
		}
		var wait time.Duration
		if p.minUsed+n > p.limits.SyncRecordsPerMinute {
			// This calendar minute is full: wait for the next one.
			wait = time.Unix((m+1)*60, 0).Sub(now)
		} else {
			r := p.records.ReserveN(now, n)
			if d := r.DelayFrom(now); d > 0 {
				r.CancelAt(now)
				wait = d
			} else {
				p.minUsed += n
			}
		}
		p.mu.Unlock()
		if wait <= 0 {
			break
		}
		waited += wait
		if err := p.clock.Sleep(ctx, wait); err != nil {
			p.refund(b)
			return err
		}
	}
	if waited > 0 && hooks.OnThrottled != nil {
		hooks.OnThrottled(ThrottleInfo{Bucket: b, Wait: waited, Local: true})
	}
	return nil
}

func (p *pacer) refund(b Bucket) {
	p.mu.Lock()
	if p.used[b] > 0 {
		p.used[b]--
	}
	p.mu.Unlock()
}

// markExhausted records a daily 429 from LinkedIn, so the client stops
// sending in that bucket until UTC midnight.
func (p *pacer) markExhausted(b Bucket) time.Time {
	now := p.clock.Now()
	p.mu.Lock()
	p.rollLocked(now)
	p.exhausted[b] = true
	p.mu.Unlock()
	return nextMidnight(now)
}

func (p *pacer) quota(b Bucket) Quota {
	now := p.clock.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rollLocked(now)
	q := Quota{Bucket: b, Used: p.used[b], Limit: p.limits.perDay(b), ResetAt: nextMidnight(now)}
	q.Remaining = -1
	if q.Limit > 0 {
		q.Remaining = max(q.Limit-q.Used, 0)
		if p.exhausted[b] {
			q.Remaining = 0
		}
	}
	return q
}
