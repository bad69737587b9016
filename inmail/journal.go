package inmail

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/rscgo/rscgo/internal/pushq"
	"github.com/rscgo/rscgo/rsc"
)

// The export journal: every export request id LinkedIn pushes is saved in
// the CursorStore before the push is answered, and cleared only once the
// ATS holds the export (docs/linkedin-api.md §8.2). Until then RunOnce
// retries it with backoff; after the last attempt (or the last one that
// may run out of time) it becomes a dead letter that stays in the cursors
// until an operator retries or dismisses it.

// MaxPendingExports bounds the export journal. A push that would exceed
// it is refused (PushHandler answers 503, so LinkedIn redelivers it later)
// rather than acknowledged and dropped.
const MaxPendingExports = 1000

// maxReason bounds the stored text of a failure.
const maxReason = 1000

// ErrExportJournalFull means MaxPendingExports exports are pending already.
var ErrExportJournalFull = errors.New("inmail: export journal full")

// ErrNotDeadExport means RetryExport or DismissExport was given a request
// id that is not a dead letter.
var ErrNotDeadExport = errors.New("inmail: not a dead-lettered export")

// PendingExport is a journaled export the ATS does not hold yet. Times are
// epoch milliseconds.
type PendingExport struct {
	// ReceivedAt is when the request id was journaled.
	ReceivedAt int64 `json:"receivedAt"`
	// Attempts counts attempts started. An attempt interrupted by a stop
	// counts; one ended by cancellation, a spent daily quota or running
	// out of time does not.
	Attempts int `json:"attempts,omitempty"`
	// Timeouts counts attempts that ran out of time (see
	// WithExportTimeouts).
	Timeouts int `json:"timeouts,omitempty"`
	// NextAt is when RunOnce may retry it (0: at once).
	NextAt int64 `json:"nextAt,omitempty"`
	// LastError is the text of the last failed attempt ("" while an
	// attempt runs, or before the first).
	LastError string `json:"lastError,omitempty"`
	// ClaimedUntil is set while an attempt runs: until then (epoch
	// milliseconds) another Retriever over the store leaves the export to
	// that attempt, which ends by then (MaxExportAttempt). A process that
	// stopped during the attempt leaves a claim that lapses; one further
	// ahead than MaxExportAttempt (a clock that ran ahead, since set back)
	// has lapsed already.
	ClaimedUntil int64 `json:"claimedUntil,omitempty"`
}

// claimed reports whether an attempt holds p at now: its claim has not
// lapsed. A claim further ahead than MaxExportAttempt was made by a clock
// that ran ahead and has since been set back (or by a process whose clock
// runs ahead): no attempt lasts that long, so it has lapsed, lest the
// export wait for the clock to catch up.
func (p PendingExport) claimed(now time.Time) bool {
	return p.ClaimedUntil > ms(now) && p.ClaimedUntil <= ms(now.Add(MaxExportAttempt))
}

// MaxExportAttempt bounds one attempt of a journaled export: it is the
// attempt's claim on the export in the CursorStore (PendingExport.
// ClaimedUntil), and the attempt's context ends then at the latest. An
// export whose attempt a stopped process left is taken up again once the
// claim has lapsed.
const MaxExportAttempt = 5 * time.Minute

// DeadExport is an export given up on: every attempt failed or ran out of
// time, or its payload belongs to another integration context. Times are
// epoch milliseconds.
type DeadExport struct {
	// RequestID is the push event's request id of the export.
	RequestID string `json:"requestId"`
	// ReceivedAt is when the request id was journaled.
	ReceivedAt int64 `json:"receivedAt"`
	// At is when it was given up on.
	At int64 `json:"at"`
	// Attempts counts the attempts started, as PendingExport.Attempts
	// does.
	Attempts int `json:"attempts"`
	// Timeouts counts the attempts that ran out of time.
	Timeouts int `json:"timeouts,omitempty"`
	// Reason is the last attempt's error, or says that it was interrupted.
	Reason string `json:"reason"`
}

// DeadLetterError reports an export given up on (see DeadExport): RunOnce
// and HandleExport return it, usable with errors.As.
type DeadLetterError struct {
	// DeadExport is the dead letter.
	DeadExport
	// Err is the last attempt's error when it failed in this process (nil
	// for a dead letter read back from the cursors).
	Err error
}

// Error implements error.
func (e *DeadLetterError) Error() string {
	n := fmt.Sprintf("%d attempt(s)", e.Attempts)
	if e.Timeouts > 0 {
		n += fmt.Sprintf(" and %d that ran out of time", e.Timeouts)
	}
	return fmt.Sprintf("inmail: export %s is a dead letter after %s: %s", e.RequestID, n, e.Reason)
}

// Unwrap returns the underlying error.
func (e *DeadLetterError) Unwrap() error { return e.Err }

// exportState is where a request id stands in the journal.
type exportState uint8

const (
	exportNew     exportState = iota // unknown: to journal
	exportPending                    // journaled, the ATS does not hold it yet
	exportDone                       // the ATS holds it
	exportDead                       // given up on
	exportClaimed                    // an attempt of another Retriever runs (PendingExport.ClaimedUntil)
)

func (c *Cursors) exportState(id string) (exportState, DeadExport) {
	if slices.Contains(c.Exports, id) {
		return exportDone, DeadExport{}
	}
	if d, ok := c.DeadExports[id]; ok {
		return exportDead, d
	}
	if _, ok := c.PendingExports[id]; ok {
		return exportPending, DeadExport{}
	}
	return exportNew, DeadExport{}
}

// AcceptExport journals an export request id durably in the CursorStore
// (a no-op for an id journaled, handled or dead-lettered already) and
// returns once it is saved. PushHandler calls it before answering a push;
// a handler of LinkedIn's pushes that calls HandleExport in the background
// must call it before answering too, and answer 5xx when it fails. Once
// journaled, an export is retried by RunOnce until the ATS holds it or it
// becomes a dead letter. It fails with ErrExportJournalFull when
// MaxPendingExports are pending.
func (r *Retriever) AcceptExport(ctx context.Context, requestID string) error {
	if ctx == nil {
		return errNilContext
	}
	_, _, err := r.acceptExport(ctx, requestID)
	return err
}

func (r *Retriever) acceptExport(ctx context.Context, id string) (st exportState, dead DeadExport, err error) {
	if id == "" || !pushq.ValidID(id) {
		return exportNew, dead, errors.New("inmail: export request id is empty or not a LinkedIn id")
	}
	full := false
	err = r.updateIf(ctx, func(c *Cursors) bool {
		full = false
		if st, dead = c.exportState(id); st != exportNew {
			return false
		}
		if full = len(c.PendingExports) >= MaxPendingExports; full {
			return false
		}
		if c.PendingExports == nil {
			c.PendingExports = map[string]PendingExport{}
		}
		c.PendingExports[id] = PendingExport{ReceivedAt: ms(r.now())}
		return true
	})
	if err == nil && full {
		err = ErrExportJournalFull
	}
	return st, dead, err
}

// claimExport marks id as being processed in this process; it reports
// false when it is already.
func (r *Retriever) claimExport(id string) bool {
	r.expMu.Lock()
	defer r.expMu.Unlock()
	if r.exporting[id] {
		return false
	}
	r.exporting[id] = true
	return true
}

// attemptClaimed attempts the journaled export id unless another attempt,
// of this Retriever or of another over the store, holds it (claimed false), releasing the claim however the attempt
// returns, a panic of the Sink included.
func (r *Retriever) attemptClaimed(ctx context.Context, id string) (claimed bool, err error) {
	if !r.claimExport(id) {
		return false, nil
	}
	defer r.releaseExport(id)
	res, err := r.attemptExport(ctx, id)
	return !res.InProgress, err
}

func (r *Retriever) releaseExport(id string) {
	r.expMu.Lock()
	delete(r.exporting, id)
	r.expMu.Unlock()
}

func (r *Retriever) exportBusy(id string) bool {
	r.expMu.Lock()
	defer r.expMu.Unlock()
	return r.exporting[id]
}

// exportBackoff is the wait after the n-th attempt: lo×2^(n-1), at most hi.
func (r *Retriever) exportBackoff(n int) time.Duration {
	lo, hi := r.opt.exportBackoff[0], r.opt.exportBackoff[1]
	d := lo
	for i := 1; i < n && d < hi; i++ {
		d *= 2
	}
	return min(d, hi)
}

// beginAttempt counts an attempt of a journaled export before it starts,
// so that a stop during it counts too, and claims the export in the store
// until claim, when the attempt must have ended. It reports the id's state
// when it is no longer pending (handled or dead-lettered meanwhile) or
// another Retriever's attempt holds it (exportClaimed), and a dead letter
// when the attempts are spent already: the last one was interrupted.
func (r *Retriever) beginAttempt(ctx context.Context, id string, claim time.Time) (exportState, error) {
	st := exportPending
	var dead *DeadLetterError
	var buried DeadExport // the dead letter when id was buried elsewhere
	err := r.updateIf(ctx, func(c *Cursors) bool {
		st, dead = exportPending, nil
		p, ok := c.PendingExports[id]
		if !ok {
			st, buried = c.exportState(id)
			return false
		}
		now := r.now()
		if p.claimed(now) {
			st = exportClaimed
			return false
		}
		if p.Attempts >= r.opt.exportAttempts {
			reason := cmp.Or(p.LastError, fmt.Sprintf("attempt %d did not finish (the process stopped during it)", p.Attempts))
			dead = &DeadLetterError{DeadExport: c.bury(id, p, now, reason)}
			return true
		}
		p.Attempts++
		p.NextAt, p.LastError, p.ClaimedUntil = ms(now.Add(r.exportBackoff(p.Attempts))), "", ms(claim)
		c.PendingExports[id] = p
		return true
	})
	if err != nil {
		return st, err
	}
	if dead != nil {
		return exportDead, dead
	}
	if st == exportDead {
		return st, &DeadLetterError{DeadExport: buried}
	}
	return st, nil
}

// bury moves a pending export to the dead letters.
func (c *Cursors) bury(id string, p PendingExport, now time.Time, reason string) DeadExport {
	d := DeadExport{RequestID: id, ReceivedAt: p.ReceivedAt, At: ms(now), Attempts: p.Attempts, Timeouts: p.Timeouts, Reason: reason}
	delete(c.PendingExports, id)
	if c.DeadExports == nil {
		c.DeadExports = map[string]DeadExport{}
	}
	c.DeadExports[id] = d
	return d
}

// finishExport clears a journaled export the ATS now holds and remembers
// its id as handled.
func (r *Retriever) finishExport(ctx context.Context, id string) error {
	return r.update(ctx, func(c *Cursors) {
		delete(c.PendingExports, id)
		if !slices.Contains(c.Exports, id) {
			c.Exports = append(c.Exports, id)
			if n := len(c.Exports) - maxExportIDs; n > 0 {
				c.Exports = slices.Delete(c.Exports, 0, n)
			}
		}
	})
}

// failAttempt records a failed attempt of a journaled export and returns
// the error to report: cause, or a *DeadLetterError wrapping it once the
// attempts are spent or the failure is permanent (ErrWrongContext). An
// attempt ended by cancellation or a spent daily quota is not counted;
// after a spent quota the export waits for the quota's reset. An attempt
// that ran out of time (timedOut) is counted among the timeouts instead
// of the attempts (WithExportTimeouts), and waits the backoff of every
// attempt made.
func (r *Retriever) failAttempt(ctx context.Context, id string, cause error) error {
	var rl *rsc.RateLimitError
	daily := errors.As(cause, &rl) && rl.Daily
	refund := daily || errors.Is(cause, context.Canceled)
	slow := !refund && timedOut(cause)
	var dead *DeadLetterError
	err := r.updateIf(ctx, func(c *Cursors) bool {
		dead = nil
		p, ok := c.PendingExports[id]
		if !ok {
			return false
		}
		p.LastError, p.ClaimedUntil = reason(cause), 0
		switch {
		case refund:
			p.Attempts = max(0, p.Attempts-1)
			if daily && !rl.ResetAt.IsZero() {
				p.NextAt = max(p.NextAt, ms(rl.ResetAt))
			}
		case slow:
			p.Attempts, p.Timeouts = max(0, p.Attempts-1), p.Timeouts+1
			if p.Timeouts >= r.opt.exportTimeouts {
				dead = &DeadLetterError{DeadExport: c.bury(id, p, r.now(), p.LastError), Err: cause}
				return true
			}
			p.NextAt = ms(r.now().Add(r.exportBackoff(p.Attempts + p.Timeouts)))
		case p.Attempts >= r.opt.exportAttempts || errors.Is(cause, ErrWrongContext):
			dead = &DeadLetterError{DeadExport: c.bury(id, p, r.now(), p.LastError), Err: cause}
			return true
		}
		c.PendingExports[id] = p
		return true
	})
	switch {
	case err != nil:
		return errors.Join(cause, err)
	case dead != nil:
		return dead
	}
	return cause
}

// timedOut reports whether an attempt's failure is running out of time:
// every error err joins (per exported member) is context.DeadlineExceeded,
// from the attempt's own deadline or one inside the Sink, or
// rsc.ErrAttemptTimeout, a request to LinkedIn that outlasted the client's
// attempt timeout. A failure of another kind among them makes the attempt
// a failed one.
func timedOut(err error) bool {
	for err != nil {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs := j.Unwrap()
			for _, e := range errs {
				if !timedOut(e) {
					return false
				}
			}
			return len(errs) > 0
		}
		if err == context.DeadlineExceeded || err == rsc.ErrAttemptTimeout {
			return true
		}
		if x, ok := err.(interface{ Is(error) bool }); ok && (x.Is(context.DeadlineExceeded) || x.Is(rsc.ErrAttemptTimeout)) {
			return true
		}
		err = errors.Unwrap(err)
	}
	return false
}

// reason is the stored text of err, at most maxReason bytes of valid UTF-8.
func reason(err error) string {
	// Kept in the cursors: JSON would replace bytes that are not UTF-8
	// (and the file store refuses them), and PostgreSQL's jsonb refuses
	// NUL; an ATS's error may hold either. Replaced before the cut, so
	// that the bound holds.
	s := strings.ReplaceAll(strings.ToValidUTF8(err.Error(), "\uFFFD"), "\x00", "\uFFFD")
	if len(s) > maxReason {
		s = strings.ToValidUTF8(s[:maxReason], "") + "…"
	}
	return s
}

// RetryPendingExports attempts every journaled export whose retry is due
// (see WithExportRetry), oldest first, skipping those being processed
// already (by a push). It reads the journal from the CursorStore, so it
// retries the exports other Retrievers of the customer journaled too. A
// retry scheduled further ahead than any wait (by a clock that ran ahead
// and was set back, see WithClockSkew) is due. RunOnce calls it. The
// errors of failed attempts are joined; an export given up on this run is
// a *DeadLetterError.
func (r *Retriever) RetryPendingExports(ctx context.Context) (ExportRetryReport, error) {
	if ctx == nil {
		return ExportRetryReport{}, errNilContext
	}
	return r.retryPendingExports(ctx, r.Cursors)
}

// retryPendingExports is RetryPendingExports on the journal read returns:
// the store's (RetryPendingExports), or the Retriever's copy within
// RunOnce, which read it from the store as it started.
func (r *Retriever) retryPendingExports(ctx context.Context, read func(context.Context) (Cursors, error)) (ExportRetryReport, error) {
	var rep ExportRetryReport
	c, err := read(ctx)
	if err != nil {
		return rep, err
	}
	now := r.now()
	// No retry waits longer than the backoff's cap or a daily quota's reset
	// (the next UTC midnight): one due later was scheduled by a clock that
	// ran ahead and has since been set back, and is due now.
	ahead := ms(now.Add(max(r.opt.exportBackoff[1], 24*time.Hour)))
	var due []string
	for id, p := range c.PendingExports {
		if (p.NextAt <= ms(now) || p.NextAt > ahead) && !p.claimed(now) {
			due = append(due, id)
		}
	}
	slices.SortFunc(due, func(a, b string) int {
		return cmp.Or(cmp.Compare(c.PendingExports[a].ReceivedAt, c.PendingExports[b].ReceivedAt), strings.Compare(a, b))
	})
	var errs []error
	for _, id := range due {
		claimed, err := r.attemptClaimed(ctx, id)
		if !claimed {
			continue
		}
		rep.Due++
		var dl *DeadLetterError
		switch {
		case err == nil:
			rep.Completed++
		case errors.As(err, &dl):
			rep.DeadLettered++
		default:
			rep.Failed++
		}
		if err != nil {
			errs = append(errs, err)
			if fatal(ctx, err) {
				break
			}
		}
	}
	if c, err = r.cached(ctx); err != nil {
		return rep, errors.Join(append(errs, err)...)
	}
	rep.Pending = len(c.PendingExports)
	rep.DeadLetters = c.deadExports()
	return rep, errors.Join(errs...)
}

func (c *Cursors) deadExports() []DeadExport {
	return slices.SortedFunc(maps.Values(c.DeadExports), func(a, b DeadExport) int {
		return cmp.Or(cmp.Compare(a.At, b.At), strings.Compare(a.RequestID, b.RequestID))
	})
}

// DeadExports returns the exports given up on, oldest first. Each stays
// until RetryExport or DismissExport; RunOnce lists them in its report.
func (r *Retriever) DeadExports(ctx context.Context) ([]DeadExport, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	c, err := r.Cursors(ctx)
	return c.deadExports(), err
}

// RetryExport journals a dead-lettered export again with fresh attempts,
// for the next RunOnce (or call HandleExport). It fails with
// ErrNotDeadExport for an id that is not a dead letter, and with
// ErrExportJournalFull while MaxPendingExports exports are pending (the
// dead letter stays).
func (r *Retriever) RetryExport(ctx context.Context, requestID string) error {
	if ctx == nil {
		return errNilContext
	}
	return r.undead(ctx, requestID, true)
}

// DismissExport forgets a dead-lettered export: the operator has handled
// it. A later push of the same id is journaled anew. It fails with
// ErrNotDeadExport for an id that is not a dead letter.
func (r *Retriever) DismissExport(ctx context.Context, requestID string) error {
	if ctx == nil {
		return errNilContext
	}
	return r.undead(ctx, requestID, false)
}

func (r *Retriever) undead(ctx context.Context, id string, retry bool) error {
	found, full := false, false
	err := r.updateIf(ctx, func(c *Cursors) bool {
		full = false
		d, ok := c.DeadExports[id]
		if found = ok; !ok {
			return false
		}
		if full = retry && len(c.PendingExports) >= MaxPendingExports; full {
			return false
		}
		delete(c.DeadExports, id)
		if retry {
			if c.PendingExports == nil {
				c.PendingExports = map[string]PendingExport{}
			}
			c.PendingExports[id] = PendingExport{ReceivedAt: d.ReceivedAt}
		}
		return true
	})
	switch {
	case err != nil:
	case !found:
		err = fmt.Errorf("%w: %q", ErrNotDeadExport, id)
	case full:
		err = ErrExportJournalFull
	}
	return err
}
