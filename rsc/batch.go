package rsc

import (
	"fmt"
)

// MaxBatchSize is LinkedIn's limit on records in one batch call. Service
// methods split larger inputs into batches of at most this many, in order.
const MaxBatchSize = 100

// Item is the outcome of one record of a batch call.
type Item[K comparable] struct {
	// Key identifies the record.
	Key    K
	Status int    // the per-entity HTTP status LinkedIn reported (204, 202, 422, ...); 0 if not sent
	ID     string // a server-assigned id, e.g. the job task URN of a batch_create
	// Err is nil on success, a *ValidationError when the record was refused
	// before sending, or an *EntityError when LinkedIn rejected it.
	Err error
}

// OK reports whether the record was accepted.
func (it Item[K]) OK() bool { return it.Err == nil && it.Status != 0 }

// BatchResult holds the outcome of every record passed to a batch method, in
// input order. LinkedIn answers HTTP 200 when single entities fail, so a nil
// error from the method does not mean every record was stored: check Failed.
type BatchResult[K comparable] struct {
	// Items holds one Item per record passed, in input order.
	Items []Item[K]
}

// Succeeded returns how many records were accepted.
func (r *BatchResult[K]) Succeeded() int {
	n := 0
	for _, it := range r.Items {
		if it.OK() {
			n++
		}
	}
	return n
}

// Failed returns the records that were refused or rejected.
func (r *BatchResult[K]) Failed() []Item[K] {
	var out []Item[K]
	for _, it := range r.Items {
		if it.Err != nil {
			out = append(out, it)
		}
	}
	return out
}

// Err returns a *BatchError if any record failed, else nil.
func (r *BatchResult[K]) Err() error {
	f := r.Failed()
	if len(f) == 0 {
		return nil
	}
	be := &BatchError{Total: len(r.Items)}
	for _, it := range f {
		be.Errs = append(be.Errs, it.Err)
	}
	return be
}

// BatchError summarises the failed records of a batch. errors.As finds any
// *ValidationError or *EntityError inside it.
type BatchError struct {
	Total int     // the records passed, failed or not
	Errs  []error // the failed records' errors, in input order
}

// Error implements error.
func (e *BatchError) Error() string {
	if len(e.Errs) == 1 {
		return fmt.Sprintf("rsc: 1 of %d records failed: %v", e.Total, e.Errs[0])
	}
	return fmt.Sprintf("rsc: %d of %d records failed; first: %v", len(e.Errs), e.Total, e.Errs[0])
}

// Unwrap exposes the per-record errors to errors.Is and errors.As.
func (e *BatchError) Unwrap() []error { return e.Errs }
