package rsc

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Bucket names a LinkedIn quota that several resources share.
type Bucket string

// The quota buckets (docs/linkedin-api.md §5).
const (
	BucketSync         Bucket = "sync"         // candidates, notes, applications, feedback, stages, ACLs
	BucketIntegrations Bucket = "integrations" // atsIntegrations and their configurations
	BucketProspect     Bucket = "prospect"     // seats, conversationEvents, mailStubs, prospectNotes
	BucketJobs         Bucket = "jobs"         // simpleJobPostings
	BucketJobTasks     Bucket = "jobTasks"     // simpleJobPostingTasks
	BucketUnmetered    Bucket = "unmetered"    // provisioning, exports, closed profiles
)

// Limits are the client-side pacing limits of one application. LinkedIn
// counts quotas per application, so every customer client has its own
// (docs/linkedin-api.md §5). Every quota field follows one rule, the same as
// the field of rsctest.Limits that has its name, with the same default:
// zero means LinkedIn's default (the value DefaultLimits returns), a
// negative value means unlimited, and Disabled turns all client-side pacing
// off. LinkedIn's own 429s are handled either way.
type Limits struct {
	// SyncRequestsPerDay limits requests per UTC day to each sync resource
	// (atsCandidates, their notes, atsApplications and their notes,
	// interview feedback and stages, ACLs and ACL assignees). Zero means
	// 100,000, LinkedIn's; negative means unlimited.
	SyncRequestsPerDay int
	// SyncRecordsPerMinute limits records (keys in a batch) per fixed UTC
	// minute to each sync resource. Zero means 10,000, LinkedIn's; negative
	// means unlimited. A positive value must be at least MaxBatchSize, so
	// that one full batch fits in a minute.
	SyncRecordsPerMinute int
	// IntegrationRequestsPerDay limits requests per UTC day to atsIntegrations
	// and to their configurations, each on its own. Zero means 5,000,
	// LinkedIn's; negative means unlimited.
	IntegrationRequestsPerDay int
	// ProspectRequestsPerDay limits seatsV2, conversationEvents, mailStubs and
	// prospectNotes requests per UTC day, all four together. Zero means
	// 100,000, LinkedIn's; negative means unlimited.
	ProspectRequestsPerDay int
	// JobPostingRequestsPerDay limits simpleJobPostings requests per UTC day.
	// LinkedIn publishes no number for it (docs/linkedin-api.md §5), so zero
	// means 100,000, the daily quota LinkedIn documents for the sync and
	// prospect resources: our choice, and rsctest.Limits's, so that the
	// client and the fake agree. Negative means unlimited.
	JobPostingRequestsPerDay int
	// JobTaskRequestsPerDay limits simpleJobPostingTasks requests per UTC
	// day. Zero means 300,000, LinkedIn's; negative means unlimited.
	JobTaskRequestsPerDay int
	// Disabled turns client-side pacing off entirely (for benchmarks against
	// a fake with throttles off), whatever the other fields say.
	Disabled bool
}

// DefaultLimits returns LinkedIn's documented limits: what a zero Limits
// means.
func DefaultLimits() Limits {
	return Limits{
		SyncRequestsPerDay:        100_000,
		SyncRecordsPerMinute:      10_000,
		IntegrationRequestsPerDay: 5_000,
		ProspectRequestsPerDay:    100_000,
		JobPostingRequestsPerDay:  100_000,
		JobTaskRequestsPerDay:     300_000,
	}
}

func (l Limits) validate() error {
	if l.SyncRecordsPerMinute > 0 && l.SyncRecordsPerMinute < MaxBatchSize {
		return fmt.Errorf("rsc: WithLimits: SyncRecordsPerMinute must be at least one batch (%d), or negative for unlimited", MaxBatchSize)
	}
	return nil
}

// effective returns l with zero fields replaced by LinkedIn's defaults and
// negative (unlimited) fields as 0, the pacer's "no limit".
func (l Limits) effective() Limits {
	d := DefaultLimits()
	pick := func(v, def int) int {
		switch {
		case v == 0:
			return def
		case v < 0:
			return 0
		}
		return v
	}
	return Limits{
		SyncRequestsPerDay:        pick(l.SyncRequestsPerDay, d.SyncRequestsPerDay),
		SyncRecordsPerMinute:      pick(l.SyncRecordsPerMinute, d.SyncRecordsPerMinute),
		IntegrationRequestsPerDay: pick(l.IntegrationRequestsPerDay, d.IntegrationRequestsPerDay),
		ProspectRequestsPerDay:    pick(l.ProspectRequestsPerDay, d.ProspectRequestsPerDay),
		JobPostingRequestsPerDay:  pick(l.JobPostingRequestsPerDay, d.JobPostingRequestsPerDay),
		JobTaskRequestsPerDay:     pick(l.JobTaskRequestsPerDay, d.JobTaskRequestsPerDay),
		Disabled:                  l.Disabled,
	}
}

// perDay returns the daily limit of bucket b in effective limits, 0 for none.
func (l Limits) perDay(b Bucket) int {
	switch b {
	case BucketSync:
		return l.SyncRequestsPerDay
	case BucketIntegrations:
		return l.IntegrationRequestsPerDay
	case BucketProspect:
		return l.ProspectRequestsPerDay
	case BucketJobs:
		return l.JobPostingRequestsPerDay
	case BucketJobTasks:
		return l.JobTaskRequestsPerDay
	}
	return 0
}

// Quota is a snapshot of one throttle counter's daily use as the client
// counts it. LinkedIn counts each sync and integration resource on its own
// and the prospect-interaction resources together.
type Quota struct {
	Bucket    Bucket    // which quota
	Counter   string    // the resource (or shared counter) charged, e.g. "atsCandidates"
	Used      int       // requests sent this UTC day (every attempt counts)
	Limit     int       // 0 = unlimited (or pacing disabled)
	Remaining int       // Limit-Used, 0 once LinkedIn answered a daily 429, or -1 when unlimited
	ResetAt   time.Time // next UTC midnight
}

// pacer enforces one application's limits: a daily request counter per
// throttle counter (fixed UTC days, as LinkedIn counts them) and, for the
// sync resources, a records-per-minute token bucket (x/time/rate, burst one
// batch) guarded by a fixed UTC-minute window so that no calendar minute ever
// carries more than the limit.
type pacer struct {
	limits Limits
	clock  Clock

	mu       sync.Mutex
	day      int64 // UTC day number of the counters
	counters map[string]*counter
}

type counter struct {
	bucket    Bucket
	used      int
	exhausted bool // LinkedIn answered a daily 429 today
	minute    int64
	minUsed   int
	records   *rate.Limiter
}

func newPacer(l Limits, clk Clock) *pacer {
	return &pacer{limits: l.effective(), clock: clk, counters: map[string]*counter{}}
}

func dayOf(t time.Time) int64 { return int64(math.Floor(float64(t.UTC().Unix()) / 86400)) }

func nextMidnight(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
}

// counterLocked returns res's counter, resetting daily use at UTC midnight.
func (p *pacer) counterLocked(res *resource, now time.Time) *counter {
	if d := dayOf(now); d != p.day {
		p.day = d
		for _, c := range p.counters {
			c.used, c.exhausted = 0, false
		}
	}
	c := p.counters[res.quota]
	if c == nil {
		c = &counter{bucket: res.bucket}
		if res.bucket == BucketSync && p.limits.SyncRecordsPerMinute > 0 {
			c.records = rate.NewLimiter(rate.Limit(float64(p.limits.SyncRecordsPerMinute)/60), MaxBatchSize)
		}
		p.counters[res.quota] = c
	}
	return c
}

// acquire waits until a request to res carrying n records may be sent, and
// charges it. It returns a *RateLimitError when today's quota is spent.
func (p *pacer) acquire(ctx context.Context, res *resource, n int, hooks *Hooks) error {
	if p.limits.Disabled || res == nil {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err // nothing will be sent: nothing is charged
	}
	now := p.clock.Now()
	p.mu.Lock()
	c := p.counterLocked(res, now)
	limit := p.limits.perDay(res.bucket)
	if c.exhausted || (limit > 0 && c.used >= limit) {
		p.mu.Unlock()
		e := &RateLimitError{Bucket: res.bucket, Daily: true, Local: true, ResetAt: nextMidnight(now)}
		if hooks.OnThrottled != nil {
			hooks.OnThrottled(ThrottleInfo{Bucket: res.bucket, Daily: true, Local: true, ResetAt: e.ResetAt})
		}
		return e
	}
	c.used++
	p.mu.Unlock()

	if c.records == nil || n <= 0 {
		return nil
	}
	n = min(n, MaxBatchSize)
	var waited time.Duration
	for {
		now = p.clock.Now()
		p.mu.Lock()
		m := now.UTC().Unix() / 60
		switch {
		case m > c.minute:
			c.minute, c.minUsed = m, 0
		case m < c.minute:
			// A reading taken before another call charged a later minute
			// (this goroutine was preempted between the two): the minute
			// never goes back, or the later one would be counted afresh.
			m = c.minute
		}
		// The rule ReadyAt estimates with: the calendar minute must carry
		// the records and the token bucket hold them.
		wait := readyAfter(now, m, c.minUsed, c.records.TokensAt(now), n, p.limits.SyncRecordsPerMinute).Sub(now)
		if wait <= 0 {
			c.records.ReserveN(now, n) // the bucket holds n: no delay
			c.minUsed += n
		}
		p.mu.Unlock()
		if wait <= 0 {
			break
		}
		waited += wait
		if f := pacingNotice(ctx); f != nil {
			f(PacingWait{Bucket: res.bucket, Counter: res.quota, Records: n, Wait: wait, Until: now.Add(wait)})
		}
		if err := p.clock.Sleep(ctx, wait); err != nil {
			p.mu.Lock()
			c.used = max(c.used-1, 0)
			p.mu.Unlock()
			return err
		}
	}
	if waited > 0 && hooks.OnThrottled != nil {
		hooks.OnThrottled(ThrottleInfo{Bucket: res.bucket, Wait: waited, Local: true})
	}
	return nil
}

// markExhausted records a daily 429 from LinkedIn, so the client stops
// sending to res's counter until UTC midnight.
func (p *pacer) markExhausted(res *resource) time.Time {
	now := p.clock.Now()
	p.mu.Lock()
	p.counterLocked(res, now).exhausted = true
	p.mu.Unlock()
	return nextMidnight(now)
}

// quotas returns a snapshot of every counter used today, sorted by name.
func (p *pacer) quotas() []Quota {
	now := p.clock.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if d := dayOf(now); d != p.day {
		p.day = d
		for _, c := range p.counters {
			c.used, c.exhausted = 0, false
		}
	}
	out := make([]Quota, 0, len(p.counters))
	for name, c := range p.counters {
		q := Quota{Bucket: c.bucket, Counter: name, Used: c.used, Limit: p.limits.perDay(c.bucket), ResetAt: nextMidnight(now), Remaining: -1}
		if q.Limit > 0 {
			q.Remaining = max(q.Limit-q.Used, 0)
		}
		if c.exhausted {
			q.Remaining = 0
		}
		out = append(out, q)
	}
	slices.SortFunc(out, func(a, b Quota) int { return strings.Compare(a.Counter, b.Counter) })
	return out
}
