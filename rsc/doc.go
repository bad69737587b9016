// Package rsc is the core client for LinkedIn Recruiter System Connect (RSC):
// the API an applicant-tracking system (ATS) uses to send its jobs,
// candidates, applications and activities to LinkedIn Recruiter and to bring
// InMail, notes and 1-Click Exports back.
//
// # Authentication and tenancy
//
// A partner has one parent application and one child application per
// customer instance. The parent's token is only for provisioning; everything
// else uses the customer's token. Create the partner client with
// NewClient and a customer client with ForCustomer: customer clients share the
// partner's connection pool but each has its own token and quota counters.
//
//	partner, err := rsc.NewClient(rsc.WithCredentials(parentID, parentSecret))
//	acme, err := partner.ForCustomer(childID, childSecret)
//	res, err := acme.Candidates.Upsert(ctx, candidates)
//
// Tokens come from the 2-legged client-credentials flow, are reused until a
// minute before they expire (LinkedIn issues 30-minute tokens), and are
// fetched again once when LinkedIn answers 401.
//
// # Endpoint families
//
// LinkedIn is moving RSC from the legacy /v2/ats* endpoints to versioned
// /rest endpoints (LinkedIn-Version: YYYYMM). WithVersion switches a client
// to the versioned family; the Go types stay the same and the client renames
// resources, key fields and timestamp fields. The legacy family sends Rest.li
// 1.0 keys exactly as LinkedIn's docs and Postman collection show them; the
// versioned family sends Rest.li 2.0 keys. Query strings over 4,000
// characters are tunnelled (POST with X-HTTP-Method-Override).
//
// # Batches and partial failure
//
// Batch methods take any number of records, check each against LinkedIn's
// documented validation rules, and send the valid ones in order in batches of
// at most 100. They return a *BatchResult with one Item per input record:
// a *ValidationError for a record refused before sending (it breaks a rule,
// or repeats the key of an earlier record of the call), an *EntityError
// for a record LinkedIn rejected inside an HTTP 200 answer, or success. A
// nil error from the method does not mean every record was stored.
//
// # Errors
//
// Non-2xx answers become *APIError (status, serviceErrorCode, message,
// request id), matched by ErrNotFound, ErrUnauthorized, ErrForbidden and
// ErrConflict with errors.Is. Throttles become *RateLimitError. Token
// failures become *AuthError. An attempt that ran past its own timeout
// (WithHTTPClient) matches ErrAttemptTimeout; context.DeadlineExceeded
// means the caller's context ended. No error, log record or hook payload ever
// contains a token, a client secret or a request header.
//
//	var rl *rsc.RateLimitError
//	if errors.As(err, &rl) && rl.Daily {
//		// park this customer until rl.ResetAt (UTC midnight)
//	}
//
// # Retries and idempotency
//
// Only safe calls are retried: reads, batch_update upserts, deletes and $set
// partial updates. Creating calls (jobs batch_create, provisioning) are never
// retried unless RetryPolicy.RetryCreates is set, because a call that timed
// out may have been applied. Transport errors, attempts that timed out,
// per-minute 429s and 500, 502, 503 and 504 are retried with backoff,
// honouring Retry-After. A daily 429 is never retried.
//
// # Pacing
//
// Each client paces itself under LinkedIn's throttles (Limits): requests per
// UTC day per resource (the prospect-interaction resources share one
// count), and 10,000 records a minute for the sync
// resources, charged by batch size. A spent daily quota makes calls fail fast
// with a local *RateLimitError until UTC midnight. Quota reports the count.
//
// # Testing
//
// Package rsc/rsctest is a fake RSC server for tests and demos.
package rsc
