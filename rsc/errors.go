package rsc

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors matched by [APIError.Is], for use with errors.Is.
var (
	ErrUnauthorized = errors.New("rsc: unauthorized")
	ErrForbidden    = errors.New("rsc: forbidden")
	ErrNotFound     = errors.New("rsc: not found")
	ErrConflict     = errors.New("rsc: conflict")
	ErrRateLimited  = errors.New("rsc: rate limited")
)

// ErrAttemptTimeout is matched, with errors.Is, by the error of an attempt
// that its own time limit ended while the caller's context was still live:
// the client's attempt timeout (WithHTTPClient's Timeout, 60 s by default)
// or the token request's 30 s. A safe call retries such an attempt as it
// does a transport error (RetryPolicy); when the token request timed out
// the error is an *AuthError. It never matches context.DeadlineExceeded,
// which the client keeps for the caller's own deadline.
var ErrAttemptTimeout = errors.New("rsc: attempt timed out")

// attemptTimeout is an attempt ended by its own time limit, after.
type attemptTimeout struct{ after time.Duration }

func (e *attemptTimeout) Error() string { return "attempt timed out after " + e.after.String() }

// Is makes errors.Is(err, ErrAttemptTimeout) true.
func (e *attemptTimeout) Is(target error) bool { return target == ErrAttemptTimeout }

// Timeout reports true, as a net.Error that timed out does.
func (e *attemptTimeout) Timeout() bool { return true }

// maxErrorBody is how much of an error response body an APIError keeps.
const maxErrorBody = 4 << 10

// APIError is a non-2xx answer from LinkedIn. It never holds a request
// header, and every credential the client knows (its client secret and its
// access tokens, raw, URL-encoded, form-decoded or JSON-encoded) is replaced by
// "[REDACTED]" in Message, RequestID and Body, so that a server or proxy
// echoing the Authorization header cannot put a token into error text,
// logs or hook payloads.
type APIError struct {
	StatusCode       int    // HTTP status
	ServiceErrorCode int    // LinkedIn's serviceErrorCode, 0 if absent
	Message          string // LinkedIn's message
	RequestID        string // x-li-uuid (or x-li-request-id) response header
	Method           string // the logical method (GET, PUT, ...), before any tunnelling
	Path             string // the request path, without host or query
	Body             []byte // the response body, truncated to 4 KiB
}

// Error implements error.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rsc: %s %s: %d %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.ServiceErrorCode != 0 {
		fmt.Fprintf(&b, " (serviceErrorCode %d)", e.ServiceErrorCode)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request id %s]", e.RequestID)
	}
	return b.String()
}

// Is reports whether e matches one of the sentinel errors by status code.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	}
	return false
}

// RateLimitError says a throttle stopped a call: either LinkedIn answered 429,
// or the client's own pacer refused to send because the daily quota of the
// bucket is spent (Local). Daily limits are never retried; ResetAt is the next
// UTC midnight. A per-minute 429 that survived every retry has Daily false and
// RetryAfter set.
type RateLimitError struct {
	Bucket     Bucket        // which quota
	Daily      bool          // the per-UTC-day quota is spent
	Local      bool          // refused by the client-side pacer, nothing was sent
	ResetAt    time.Time     // when the quota resets (UTC midnight for daily limits)
	RetryAfter time.Duration // server's Retry-After, if any, at most a day
	Err        *APIError     // LinkedIn's answer, nil when Local
}

// Error implements error.
func (e *RateLimitError) Error() string {
	window := "per-minute"
	if e.Daily {
		window = "daily"
	}
	src := "LinkedIn answered 429"
	if e.Local {
		src = "client-side pacer refused to send"
	}
	s := fmt.Sprintf("rsc: %s %s quota exhausted (%s)", e.Bucket, window, src)
	if !e.ResetAt.IsZero() {
		s += "; resets at " + e.ResetAt.UTC().Format(time.RFC3339)
	}
	return s
}

// Unwrap returns the underlying APIError, if any.
func (e *RateLimitError) Unwrap() error {
	if e.Err == nil {
		return nil
	}
	return e.Err
}

// Is makes errors.Is(err, ErrRateLimited) true for every RateLimitError.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// ValidationError is a record that failed a documented LinkedIn validation
// rule before it was sent. The rest of its batch is still sent.
type ValidationError struct {
	Resource string // e.g. "atsCandidates"
	Key      string // the record's key, e.g. "C1" or the job's externalJobPostingId
	Field    string // the JSON field name, e.g. "emailAddresses[1]"
	Rule     string // the rule broken, e.g. "must match X@X.X"
}

// Error implements error.
func (e *ValidationError) Error() string {
	return fmt.Sprintf("rsc: invalid %s record %q: field %s %s", e.Resource, e.Key, e.Field, e.Rule)
}

// EntityError is LinkedIn's per-entity error inside a batch answered with
// HTTP 200 (the errors map of a batch response, or a failed batch_create
// element). Message has the client's credentials redacted, as APIError's.
type EntityError struct {
	Resource         string // the /v2 resource name, e.g. "atsCandidates", on either family
	Key              string // the record's key, e.g. "C1" or the job's externalJobPostingId
	Status           int    // the record's HTTP status, 0 when LinkedIn gave none
	ServiceErrorCode int    // LinkedIn's serviceErrorCode, 0 if absent
	// Message is LinkedIn's message, if any, or the client's own when
	// LinkedIn gave no status, element or task for the record.
	Message string
}

// Error implements error.
func (e *EntityError) Error() string {
	return fmt.Sprintf("rsc: %s record %q rejected by LinkedIn: %d %s", e.Resource, e.Key, e.Status, strings.TrimSpace(e.Message))
}

// AuthError is a failure to obtain an access token, or to introspect one
// (Client.IntrospectToken). It carries the OAuth endpoint's status and
// OAuth error code (with the client's credentials redacted) but never its
// body or the secret.
type AuthError struct {
	// StatusCode is the OAuth endpoint's HTTP status, 0 when no answer came.
	StatusCode int
	// Code is the token endpoint's OAuth error code, such as
	// "invalid_client" (RFC 6749 §5.2): kept only when it is one word of
	// lower-case letters, digits, "_", "." and "-", at most 64 bytes, and
	// otherwise "unrecognised error code", as a server may echo the
	// credentials there in a form no redaction knows (Basic's base64).
	Code string
	Err  error // why no answer came: a transport error, a timeout (ErrAttemptTimeout) or the context's end
	// Op is what failed: "" for fetching the access token, or
	// "introspecting access token".
	Op string
}

// introspecting is AuthError.Op for Client.IntrospectToken.
const introspecting = "introspecting access token"

// Error implements error.
func (e *AuthError) Error() string {
	op := cmp.Or(e.Op, "fetching access token")
	if e.Err != nil {
		return "rsc: " + op + ": " + e.Err.Error()
	}
	s := fmt.Sprintf("rsc: %s: %d %s", op, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	return s
}

// Unwrap returns the transport error, if any.
func (e *AuthError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrUnauthorized) true when the token endpoint
// refused the credentials (400, 401 or 403: invalid, revoked or
// rotated-out client credentials). A token request that got no answer (a
// transport failure, a timeout, the context's end), was throttled (429),
// timed out at the server (408) or got a 5xx is an *AuthError too, but not
// ErrUnauthorized: the credentials may be fine.
func (e *AuthError) Is(target error) bool {
	if target != ErrUnauthorized || e.Err != nil {
		return false
	}
	switch e.StatusCode {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
		return true
	}
	return false
}

// MissingTasksError names the job tasks that JobsService.WaitTasks gave up
// on because LinkedIn's answers stopped mentioning them: 3 polls in a row
// had no entry for them in results, errors or statuses. A task URN that is
// lost or mistyped, or one LinkedIn dropped without answering 404, ends so.
// Whether its operation took effect is unknown. The tasks WaitTasks could
// read come back with the error. Use errors.As to get it from the error
// WaitTasks returns.
type MissingTasksError struct {
	// URNs are the task URNs given up on, in the order they were given.
	URNs []string
	// Polls is how many answers in a row did not mention each of them.
	Polls int
}

// Error implements error.
func (e *MissingTasksError) Error() string {
	return fmt.Sprintf("rsc: LinkedIn did not mention %d job task(s) in %d answers in a row: %s",
		len(e.URNs), e.Polls, strings.Join(e.URNs, ", "))
}
