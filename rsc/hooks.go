package rsc

import (
	"context"
	"time"
)

// Hooks receive metrics events. Every field is optional. Hooks run on the
// request goroutine and must be fast and safe for concurrent use. The info
// structs never contain headers or bodies, and the client's tokens and
// secret are redacted from their errors and request ids.
type Hooks struct {
	// OnRequest is called as each attempt is sent, after any pacing wait.
	OnRequest func(RequestInfo)
	// OnResponse is called when each attempt's response headers arrive or
	// its transport fails.
	OnResponse func(ResponseInfo)
	// OnRetry is called when a failed attempt will be retried, before the
	// wait for the next one.
	OnRetry func(RetryInfo)
	// OnThrottled is called when the client's pacer waited for a quota or
	// refused a call because a daily quota is spent, and when LinkedIn
	// answered 429.
	OnThrottled func(ThrottleInfo)
}

// RequestInfo describes one attempt about to be sent.
type RequestInfo struct {
	Method  string // logical method (before tunnelling)
	Path    string // path without host or query
	Bucket  Bucket // the quota the call counts against
	Records int    // records in the batch, 0 for non-batch calls
	Attempt int    // 1 for the first attempt
}

// ResponseInfo describes one attempt's outcome.
type ResponseInfo struct {
	RequestInfo               // the attempt, as OnRequest saw it
	StatusCode  int           // 0 when the transport failed
	Duration    time.Duration // from sending to the response headers (or the failure)
	RequestID   string        // x-li-uuid (or x-li-request-id) response header
	Err         error         // transport error, if any
}

// RetryInfo describes a retry decision.
type RetryInfo struct {
	Method     string // logical method (before tunnelling)
	Path       string // path without host or query
	Attempt    int    // the attempt that failed
	StatusCode int    // 0 for transport errors
	Err        error  // the transport error, nil when a status is retried
}

// ThrottleInfo describes a wait or refusal caused by a quota.
type ThrottleInfo struct {
	Bucket  Bucket        // which quota
	Wait    time.Duration // how long the pacer waited, 0 when refused or on a server 429
	Daily   bool          // the per-UTC-day quota is spent
	Local   bool          // client-side pacer (true) or LinkedIn's 429 (false)
	ResetAt time.Time     // when a spent daily quota resets (next UTC midnight); zero otherwise
}

// PacingWait describes a wait of the client's own pacing, announced before
// the caller sleeps (WithPacingNotice): the records of a call to a sync
// resource do not fit LinkedIn's records-per-minute quota yet
// (docs/linkedin-api.md §5).
type PacingWait struct {
	Bucket  Bucket        // which quota
	Counter string        // the resource charged, e.g. "atsCandidates"
	Records int           // records of the call that waits
	Wait    time.Duration // how long the caller is about to sleep
	Until   time.Time     // when the sleep ends (the clock's time)
}

type pacingNoticeKey struct{}

// WithPacingNotice returns a context whose API calls report each wait of
// the client's per-minute pacing to f before sleeping, so a caller such as
// the sync engine can tell its user what it waits for instead of going
// silent. f runs on the calling goroutine and must be fast. A later
// WithPacingNotice replaces f.
func WithPacingNotice(ctx context.Context, f func(PacingWait)) context.Context {
	return context.WithValue(ctx, pacingNoticeKey{}, f)
}

// pacingNotice returns the notice function of ctx, or nil.
func pacingNotice(ctx context.Context) func(PacingWait) {
	f, _ := ctx.Value(pacingNoticeKey{}).(func(PacingWait))
	return f
}
