package rsc

import (
	"math"
	"time"
)

// ReadyAt returns the earliest time at which n more records could be sent
// to the resources of bucket b without waiting in the client's
// records-per-minute pacing (docs/linkedin-api.md §5): now when they could
// go at once. It neither waits nor charges anything, so a scheduler can
// give the worker to another customer and come back at the time returned.
// n counts records sent one batch after another (it may exceed
// MaxBatchSize). Only the sync resources are paced per minute: for every
// other bucket, with pacing disabled or unlimited, ReadyAt returns now. The
// sync resources are counted each on its own; ReadyAt answers for the
// busiest of them. A daily quota that is spent is not reported here: the
// next call returns its *RateLimitError at once.
func (c *Client) ReadyAt(b Bucket, n int) time.Time {
	return c.pacer.readyAt(b, n)
}

// readyAt is Client.ReadyAt.
func (p *pacer) readyAt(b Bucket, n int) time.Time {
	now := p.clock.Now()
	if p.limits.Disabled || n <= 0 {
		return now
	}
	limit := p.limits.SyncRecordsPerMinute
	if b != BucketSync || limit <= 0 {
		return now
	}
	m := now.UTC().Unix() / 60
	// A counter not used yet has a full bucket (one batch) and an empty
	// minute; a counter in use is never freer.
	at := readyAfter(now, m, 0, MaxBatchSize, n, limit)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.counters {
		if c.bucket != b || c.records == nil {
			continue
		}
		used := 0
		if c.minute == m {
			used = c.minUsed
		}
		if t := readyAfter(now, m, used, c.records.TokensAt(now), n, limit); t.After(at) {
			at = t
		}
	}
	return at
}

// readyAfter is when n records could go on a counter that has used records
// of the calendar minute m and holds tokens at now: the pacer's rule, which
// acquire applies to send and readyAt to estimate.
func readyAfter(now time.Time, m int64, used int, tokens float64, n, limit int) time.Time {
	at := now
	if used+n > limit {
		at = time.Unix((m+1)*60, 0) // this calendar minute cannot carry them
	}
	if tokens < float64(n) {
		secs := (float64(n) - tokens) / (float64(limit) / 60)
		if t := now.Add(time.Duration(math.Ceil(secs * 1e9))); t.After(at) {
			at = t
		}
	}
	return at
}
