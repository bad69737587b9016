package rsc

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode"
)

// The transport stack, outermost first:
//
//	retryablehttp (retry policy, backoff)
//	  paceTransport   (client-side quotas; every attempt spends quota)
//	    authTransport (bearer token; one refresh and resend on 401)
//	      observeTransport (hooks, debug logging, never headers or bodies;
//	                        the Date of 2xx answers, for LinkedInNow)
//	        base transport (shared connection pool)

type paceTransport struct {
	c    *Client
	next http.RoundTripper
}

func (t *paceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ci := callFrom(req.Context())
	if ci == nil {
		return t.send(req)
	}
	ci.attempts++
	if err := t.c.pacer.acquire(req.Context(), ci.res, ci.records, &t.c.cfg.hooks); err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := t.send(req)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		markWindowFromBody(resp)
		info := ThrottleInfo{Bucket: ci.res.bucket}
		if isDailyThrottle(resp) {
			info.Daily = true
			info.ResetAt = t.c.pacer.markExhausted(ci.res)
		}
		if h := t.c.cfg.hooks.OnThrottled; h != nil {
			h(info)
		}
	}
	return resp, err
}

// send sends one attempt under the client's attempt timeout, which starts
// here, once the pacer has let the attempt go: a wait for LinkedIn's
// per-minute quota (as long as a minute at the lowest limits) is not the
// server being slow, and must not time the attempt out before it is sent.
// The timeout covers reading the response body too, as http.Client's
// Timeout would. An attempt it ends fails with ErrAttemptTimeout, which the
// retry policy tells from the caller's own deadline.
func (t *paceTransport) send(req *http.Request) (*http.Response, error) {
	if t.c.timeout <= 0 {
		return t.next.RoundTrip(req)
	}
	parent := req.Context()
	ctx, cancel := context.WithTimeout(parent, t.c.timeout)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil || resp.Body == nil {
		cancel()
		return resp, attemptError(parent, ctx, t.c.timeout, err)
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel, parent: parent, attempt: ctx, timeout: t.c.timeout}
	return resp, nil
}

// attemptError returns err, the failure of an attempt sent under attempt (a
// context of parent that ends after timeout), as an *attemptTimeout when
// that timeout ended the attempt while parent, the caller's context, is
// still live; an *AuthError stays one, so that a token fetch the timeout
// cut short reads as a token failure, and one carrying the token
// endpoint's answer is kept as it is. Otherwise it returns err unchanged.
func attemptError(parent, attempt context.Context, timeout time.Duration, err error) error {
	if err == nil || parent.Err() != nil || !errors.Is(attempt.Err(), context.DeadlineExceeded) {
		return err
	}
	var ae *AuthError
	if errors.As(err, &ae) {
		if ae.Err == nil {
			return err // the endpoint answered before the timeout
		}
		return &AuthError{Err: &attemptTimeout{after: timeout}}
	}
	return &attemptTimeout{after: timeout}
}

// cancelOnClose releases an attempt's timeout when its body is closed, and
// reports a read the timeout cut short as the attempt timing out.
type cancelOnClose struct {
	io.ReadCloser
	cancel          context.CancelFunc
	parent, attempt context.Context
	timeout         time.Duration
}

func (b *cancelOnClose) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = attemptError(b.parent, b.attempt, b.timeout, err)
	}
	return n, err
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// markWindowFromBody classifies a 429 that has no X-Li-Throttle-Window
// header by its message (docs/linkedin-api.md §5): LinkedIn's per-day throttle
// says "DAY" ("... APPLICATION DAY limit ...") or "daily". It reads at most
// maxErrorBody bytes, puts them back in front of the rest of the body, and
// records the answer as the header so every later check agrees.
func markWindowFromBody(resp *http.Response) {
	if resp.Header.Get("X-Li-Throttle-Window") != "" || resp.Body == nil {
		return
	}
	peek, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(peek), resp.Body), resp.Body}
	if mentionsDay(string(peek)) {
		if resp.Header == nil {
			resp.Header = http.Header{}
		}
		resp.Header.Set("X-Li-Throttle-Window", "DAY")
	}
}

// mentionsDay reports whether s has the word "day" or "daily" (any case).
func mentionsDay(s string) bool {
	s = strings.ToLower(s)
	if strings.Contains(s, "daily") {
		return true
	}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if f == "day" || f == "days" {
			return true
		}
	}
	return false
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

type authTransport struct {
	c    *Client
	next http.RoundTripper
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.c.tokens.get(req.Context())
	if err != nil {
		closeBody(req)
		return nil, err
	}
	r2 := req.Clone(req.Context())
	r2.Header.Set("Authorization", "Bearer "+tok)
	resp, err := t.next.RoundTrip(r2)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || req.GetBody == nil && req.Body != nil && req.Body != http.NoBody {
		return resp, err
	}
	ci := callFrom(req.Context())
	if ci != nil {
		if ci.refreshed {
			return resp, nil
		}
		ci.refreshed = true
	}
	// The token was refused (revoked, expired early, or not yet known to
	// LinkedIn when this call fetched it): fetch a new one and resend, once
	// per call (docs/linkedin-api.md §4), so that a 401 never loops.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	t.c.tokens.invalidate(tok)
	tok, err = t.c.tokens.get(req.Context())
	if err != nil {
		return nil, err
	}
	r3 := req.Clone(req.Context())
	if req.GetBody != nil {
		if r3.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	r3.Header.Set("Authorization", "Bearer "+tok)
	return t.next.RoundTrip(r3)
}

type observeTransport struct {
	c    *Client
	next http.RoundTripper
}

func (t *observeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ci := callFrom(req.Context())
	info := RequestInfo{Method: req.Method, Path: req.URL.Path}
	if ci != nil {
		info = RequestInfo{Method: ci.method, Path: ci.path, Bucket: ci.res.bucket, Records: ci.records, Attempt: ci.attempts}
	}
	h := &t.c.cfg.hooks
	if h.OnRequest != nil {
		h.OnRequest(info)
	}
	// The attempt's Duration is the time it really took, on the monotonic
	// clock: a latency, which an injected Clock (a test's, standing still)
	// would not measure.
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	dur := time.Since(start)
	if resp != nil && resp.StatusCode >= 200 && resp.StatusCode < 300 {
		t.c.linkedIn.observe(resp.Header, t.c.cfg.clock.Now())
	}
	ri := ResponseInfo{RequestInfo: info, Duration: dur, Err: t.c.red.Error(err)}
	if resp != nil {
		ri.StatusCode = resp.StatusCode
		ri.RequestID = t.c.red.String(requestID(resp.Header))
	}
	if h.OnResponse != nil {
		h.OnResponse(ri)
	}
	lg := t.c.cfg.logger
	if lg.Enabled(req.Context(), slog.LevelDebug) {
		attrs := []slog.Attr{slog.String("method", info.Method), slog.String("path", info.Path),
			slog.Int("attempt", info.Attempt), slog.Int("status", ri.StatusCode), slog.Duration("duration", dur)}
		if ri.RequestID != "" {
			attrs = append(attrs, slog.String("request_id", ri.RequestID))
		}
		if ri.Err != nil {
			attrs = append(attrs, slog.String("error", ri.Err.Error()))
		}
		lg.LogAttrs(req.Context(), slog.LevelDebug, "rsc: http", attrs...)
	}
	return resp, err
}
