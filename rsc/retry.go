package rsc

import (
	"context"
	"crypto/x509"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// RetryPolicy says which failures are retried and for how long.
//
// Only safe operations are retried: reads (GET), upserts (PUT batch_update),
// deletes and $set partial updates. Creating POSTs (batch_create of jobs,
// provisioning) are never retried unless RetryCreates is set, because a
// request that timed out may still have been applied. Retried failures:
// transport errors, attempts that ran past the attempt timeout
// (ErrAttemptTimeout; the caller's own deadline ends the call instead),
// per-minute 429s and HTTP 500, 502, 503 and 504. A daily
// 429 is never retried. In the answer of a batch write, a record with a
// per-entity 429 or 5xx (LinkedIn's failure, not the record's) is sent
// again, with the others so answered, in a call of their own, under the
// same policy; a record still failing keeps its *EntityError. An answer whose body is cut off after its headers
// fails the call (the sync engine sends the batch again on its next run). Retry-After is honoured; otherwise the wait grows
// exponentially from MinWait to MaxWait, drawn at random between MinWait/2
// and that ceiling (jitter). Waits run on the
// client's Clock. With the default Clock, a wait that would reach the
// caller's context deadline is not taken: the call returns the failure it
// has at once (for a 429, the *RateLimitError with RetryAfter and
// ResetAt), rather than sleeping into the deadline.
type RetryPolicy struct {
	MaxAttempts int           // attempts including the first; 1 disables retries
	MinWait     time.Duration // first backoff; 0 retries at once unless Retry-After says otherwise
	// MaxWait caps every wait, Retry-After included; 0 means
	// DefaultRetryPolicy's 30 s, never no cap, so that a server's
	// Retry-After cannot hold a call for hours.
	MaxWait time.Duration
	// MaxElapsed bounds a call's retries: no attempt starts later than this
	// after the call began, so a retry whose wait would end later is not
	// taken. It is measured on the client's Clock, which the waits also
	// run on (WithClock). 0 = no cap; negative is refused.
	MaxElapsed   time.Duration
	RetryCreates bool // also retry creating POSTs (risks duplicates)
}

// DefaultRetryPolicy returns 4 attempts, 500ms..30s backoff, 2 minutes in all.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 4, MinWait: 500 * time.Millisecond, MaxWait: 30 * time.Second, MaxElapsed: 2 * time.Minute}
}

// maxWait returns the cap on every wait: MaxWait, or DefaultRetryPolicy's
// when it is 0.
func (p RetryPolicy) maxWait() time.Duration {
	if p.MaxWait == 0 {
		return DefaultRetryPolicy().MaxWait
	}
	return p.MaxWait
}

// checkRetry implements retryablehttp.CheckRetry. The request itself is not
// available when the transport failed, so the decision comes from the
// callInfo carried in ctx.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	ci := callFrom(ctx)
	if ci == nil {
		return false, nil
	}
	retry := false
	status := 0
	switch {
	case err != nil:
		retry = retryableTransportError(err)
	case resp.StatusCode == http.StatusTooManyRequests:
		status = resp.StatusCode
		retry = !isDailyThrottle(resp)
	case resp.StatusCode == 500, resp.StatusCode == 502, resp.StatusCode == 503, resp.StatusCode == 504:
		status = resp.StatusCode
		retry = true
	}
	if !retry {
		return false, nil
	}
	var ae *AuthError
	sentNothing := err != nil && errors.As(err, &ae) // no token, so the request never left
	if !ci.idempotent && !c.cfg.retry.RetryCreates && !sentNothing {
		return false, nil
	}
	wait, ok := c.retryWait(ctx, ci.attempts, ci.start, resp)
	if !ok {
		return false, nil
	}
	ci.wait = wait
	if c.cfg.hooks.OnRetry != nil {
		c.cfg.hooks.OnRetry(RetryInfo{Method: ci.method, Path: ci.path, Attempt: ci.attempts, StatusCode: status, Err: c.red.Error(err)})
	}
	c.cfg.logger.LogAttrs(ctx, slog.LevelDebug, "rsc: retrying", slog.String("method", ci.method), slog.String("path", ci.path),
		slog.Int("attempt", ci.attempts), slog.Int("status", status))
	return true, nil
}

func retryableTransportError(err error) bool {
	var ue *url.Error
	if errors.As(err, &ue) {
		var uae x509.UnknownAuthorityError
		var ce *x509.CertificateInvalidError
		if errors.As(ue.Err, &uae) || errors.As(ue.Err, &ce) {
			return false
		}
	}
	var ae *AuthError
	if errors.As(err, &ae) && ae.Err == nil && ae.StatusCode < 500 && ae.StatusCode != http.StatusTooManyRequests {
		return false // the token endpoint said no; retrying will not help
	}
	var rl *RateLimitError
	if errors.As(err, &rl) {
		return false
	}
	// The caller's context is live (checkRetry looked first), so a context
	// error here is no attempt's timeout, which arrives as an
	// *attemptTimeout (paceTransport.send, tokenCache.sanitize) and is
	// retried as any transport error is.
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return true
}

// retryWait returns the wait before the attempt after attempt (1 for the
// first) of a call that started at start, resp the failed attempt's answer
// (nil: none), and whether the policy allows that attempt at all: within
// MaxAttempts, starting within MaxElapsed, and not waiting into ctx's
// deadline (the failure at hand, a 429's *RateLimitError say, is then
// returned at once).
func (c *Client) retryWait(ctx context.Context, attempt int, start time.Time, resp *http.Response) (time.Duration, bool) {
	if attempt >= c.cfg.retry.MaxAttempts {
		return 0, false
	}
	wait := c.backoff(attempt, resp)
	if m := c.cfg.retry.MaxElapsed; m > 0 && c.cfg.clock.Now().Sub(start)+wait > m {
		return 0, false
	}
	return wait, !c.outlastsDeadline(ctx, wait)
}

// outlastsDeadline reports whether a wait of d would reach ctx's deadline,
// so that the attempt after it could not be sent. A context's deadline is
// on the time package's clock, so only the system Clock (the default,
// testing/synctest's fake time included) can tell: an injected clock's
// Sleep need not take that time.
func (c *Client) outlastsDeadline(ctx context.Context, d time.Duration) bool {
	if _, system := c.cfg.clock.(realClock); !system || d <= 0 {
		return false
	}
	dl, ok := ctx.Deadline()
	return ok && time.Until(dl) <= d
}

// waitRetry implements retryablehttp.PrepareRetry: it sleeps, on the
// client's Clock, the wait checkRetry chose before the next attempt.
// retryablehttp's own wait, on the wall clock, is always 0 (noBackoff).
func (c *Client) waitRetry(req *http.Request) error {
	ci := callFrom(req.Context())
	if ci == nil || ci.wait <= 0 {
		return nil
	}
	return c.cfg.clock.Sleep(req.Context(), ci.wait)
}

// noBackoff implements retryablehttp.Backoff: the wait is waitRetry's.
func noBackoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 }

// backoff returns the wait after the failed attempt number attempt (1 for
// the first) that answered resp (nil for a transport error): Retry-After
// when present, else a random wait between minWait/2 and an exponential
// ceiling.
func (c *Client) backoff(attempt int, resp *http.Response) time.Duration {
	minWait, maxWait := c.cfg.retry.MinWait, c.cfg.retry.maxWait()
	if resp != nil {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), c.cfg.clock.Now()); ok {
			return min(d, maxWait)
		}
	}
	if minWait <= 0 {
		return 0
	}
	ceil := minWait << min(attempt-1, 20)
	if ceil > maxWait || ceil <= 0 {
		ceil = maxWait
	}
	// Jitter in [minWait/2, ceil].
	lo := minWait / 2
	return lo + rand.N(ceil-lo+1)
}

// maxRetryAfter caps a Retry-After. LinkedIn's longest throttle window is
// a UTC day (docs/linkedin-api.md §5), so a longer one is no real answer;
// capping it also keeps a number of seconds too large for a time.Duration
// from wrapping around to a negative wait.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads a Retry-After header, seconds or an HTTP date
// (read against now), as a wait of 0 to maxRetryAfter. It reports false
// when there is no header or it is neither.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	// A number of seconds too large for an int64 is read as the largest.
	if s, err := strconv.ParseInt(v, 10, 64); (err == nil || errors.Is(err, strconv.ErrRange)) && s >= 0 {
		return time.Duration(min(s, int64(maxRetryAfter/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter), true
	}
	return 0, false
}
