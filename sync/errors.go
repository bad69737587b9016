package sync

import (
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"
)

// errNilContext is what every call of the package given a nil context
// returns (an iterator yields it), before doing anything.
var errNilContext = errors.New("sync: nil context")

// nilContextSeq is what an iterator given a nil context returns: it yields
// errNilContext once.
func nilContextSeq[T any]() iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, errNilContext)
	}
}

// ErrYield is returned by RunSlice when the slice's batch budget is spent
// before the customer is caught up. The checkpoint is saved: call RunSlice
// again (now, or after other customers had their turn) to continue.
var ErrYield = errors.New("sync: slice budget spent, more work remains")

// ErrSliceTimeout is the cause with which a Manager cancels a slice that
// ran past its bound (WithSliceTimeout), and what the error of a customer
// whose slice it cut before any batch was committed matches.
var ErrSliceTimeout = errors.New("sync: the slice ran past the Manager's slice timeout")

// YieldError is returned by RunSlice with a batch budget (maxBatches > 0)
// when the slice could go on only at Until: the customer's
// records-per-minute quota (rsc.Client.ReadyAt) lets the next batch go only
// then, or the slice would wait for something else (Waiting says what):
// job tasks LinkedIn has not finished (polled every WithTaskPollInterval),
// LinkedIn's per-minute throttle (a 429 the client's retries outlasted),
// a job LinkedIn may still be creating. The slice ends instead of waiting,
// so the worker can serve another customer. errors.Is(err, ErrYield)
// holds. What was done is saved (a batch the throttle refused is sent
// again): call RunSlice again at Until (a job queue schedules the next
// slice for then; the Manager does so by itself).
type YieldError struct {
	CustomerID string
	Until      time.Time
	// Waiting says what the slice would have waited for; "" means its
	// per-minute quota.
	Waiting string
}

// Error implements error.
func (e *YieldError) Error() string {
	what := e.Waiting
	if what == "" {
		what = perMinuteQuota
	}
	return fmt.Sprintf("sync: customer %s yields until %s: waiting for %s", e.CustomerID, e.Until.UTC().Format(time.RFC3339Nano), what)
}

// perMinuteQuota is what a slice that yields to the client's pacing waits
// for.
const perMinuteQuota = "its per-minute quota"

// Is reports whether target is ErrYield.
func (e *YieldError) Is(target error) bool { return target == ErrYield }

// ErrNoConsent wraps the error of a ConsentGuard that refused the sync.
var ErrNoConsent = errors.New("sync: customer consent missing or revoked")

// ParkedError says LinkedIn's daily quota of the customer is spent. Nothing
// more can be sent before Until (the next UTC midnight). The checkpoint is
// saved; Run waits by itself, RunSlice and the Manager return or reschedule.
type ParkedError struct {
	CustomerID string
	Until      time.Time
	Err        error // the *rsc.RateLimitError

	phase Phase // the phase the quota stopped
}

// Error implements error.
func (e *ParkedError) Error() string {
	return fmt.Sprintf("sync: customer %s parked until %s: daily quota spent", e.CustomerID, e.Until.UTC().Format(time.RFC3339))
}

// Unwrap returns the rate-limit error.
func (e *ParkedError) Unwrap() error { return e.Err }

// consentError wraps a guard's refusal so that errors.Is(err, ErrNoConsent)
// holds while the guard's own error stays reachable.
type consentError struct{ err error }

func (e *consentError) Error() string   { return "sync: consent check failed: " + e.err.Error() }
func (e *consentError) Unwrap() []error { return []error{ErrNoConsent, e.err} }

// PanicError is a panic the Manager recovered from while it ran one
// customer's slice (in the customer's Source, say), so that its other
// customers go on. The Manager counts it as a failure of that customer:
// its slices are tried again after the failure backoff, and given up
// after five failures in a row (CustomerResult.Err). The checkpoint keeps
// what was committed before the panic; batches in flight then are sent
// again by the next slice.
type PanicError struct {
	CustomerID string
	Value      any    // what was passed to panic
	Stack      []byte // the goroutine's stack where it was recovered
}

// Error implements error. It leaves the stack out.
func (e *PanicError) Error() string {
	return fmt.Sprintf("sync: customer %s: panic: %v", e.CustomerID, e.Value)
}

// SourceError is a failure of the customer's Source in a phase: reading its
// stream failed (Err is the Source's error), or the Source broke its
// contract (Err wraps ErrOutOfOrder). The run stops with it, keeping every
// batch committed before; the next run reads again from the checkpoint.
// Use errors.As to tell the ATS's failures from LinkedIn's.
type SourceError struct {
	Phase Phase
	Err   error
}

// Error implements error.
func (e *SourceError) Error() string {
	if errors.Is(e.Err, ErrOutOfOrder) {
		return "sync: the Source yielded " + phaseKeys[e.Phase] + " out of order: " + strings.TrimPrefix(e.Err.Error(), ErrOutOfOrder.Error()+": ")
	}
	return "sync: reading " + phaseKeys[e.Phase] + " from the source: " + e.Err.Error()
}

// Unwrap returns Err.
func (e *SourceError) Unwrap() error { return e.Err }

// ErrOutOfOrder says a Source yielded a record before one it follows in
// (modification time, id) order, which the watermark relies on: the next
// pass would pass the record over. A *SourceError wraps it.
var ErrOutOfOrder = errors.New("records out of order")
