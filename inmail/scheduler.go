package inmail

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// RunOnce reads the customer's cursors from the CursorStore (so it sees
// what other Retrievers of the customer saved, such as journaled exports),
// then runs every poll of the customer once, in an order that lets
// each step use the previous one's results: seats (when older than
// the seat refresh interval), journaled exports whose retry is due
// (RetryPendingExports), stub profiles (which create candidates), InMail history and
// notes (which attach to them), queued profile links, pending person URN
// attachments of exports, and closed profiles
// (when the deletion interval has passed). A failing step does not stop the
// others, except on cancellation; the errors are joined. A spent daily
// quota stops the step that met it only: LinkedIn counts the quotas per
// resource (docs/linkedin-api.md §5), and the closed profiles, which
// LinkedIn requires read every 30 days, must not wait for InMail's
// quota. Polls of a Retriever are serialised: while another poll runs
// (the webhook's, an operator's), RunOnce waits for it, and returns ctx's
// error, having done nothing, if ctx ends first.
func (r *Retriever) RunOnce(ctx context.Context) (RunReport, error) {
	return locked(r, ctx, r.runOnce)
}

// runOnce is RunOnce's run, with the Retriever's poll lock held.
func (r *Retriever) runOnce(ctx context.Context) (RunReport, error) {
	var rep RunReport
	var errs []error
	step := func(name string, f func() error) bool {
		if err := f(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
		return ctx.Err() == nil
	}
	c, err := r.Cursors(ctx)
	if err != nil {
		return rep, err
	}
	ok := step("seats", func() (err error) {
		age := r.now().Sub(time.UnixMilli(c.SeatsAt))
		if c.SeatsAt == 0 || age >= r.opt.seatRefresh || age < 0 {
			rep.Seats, err = r.RefreshSeats(ctx)
		} else {
			rep.Seats.Seats = c.Seats
		}
		return err
	}) &&
		step("exports", func() (err error) { rep.Exports, err = r.retryPendingExports(ctx, r.cached); return }) &&
		step("stubs", func() (err error) { rep.Stubs, err = r.pollStubs(ctx); return }) &&
		step("inmail", func() (err error) { rep.InMail, err = r.pollInMail(ctx); return }) &&
		step("notes", func() (err error) { rep.Notes, err = r.pollNotes(ctx); return }) &&
		step("links", func() (err error) { rep.Links, err = r.RefreshQueuedLinks(ctx); return }) &&
		step("attach", func() (err error) { rep.Attached, err = r.AttachPending(ctx); return })
	if ok {
		c, err := r.cached(ctx)
		if err == nil && r.deletionsDue(c) {
			rep.DeletionsRun = true
			step("deletions", func() (err error) { rep.Deletions, err = r.pollDeletions(ctx); return })
		} else if err != nil {
			errs = append(errs, err)
		}
	}
	if c, err := r.cached(ctx); err == nil {
		rep.DeadRecords = c.deadRecords()
	}
	return rep, errors.Join(errs...)
}

// Scheduler runs RunOnce for many customers, each in its own goroutine,
// with jitter and backoff. It is safe for concurrent use.
type Scheduler struct {
	cfg *config

	mu      sync.Mutex
	randMu  sync.Mutex
	ctx     context.Context // set while Run is running
	entries map[string]*entry
	wg      sync.WaitGroup
}

type entry struct {
	r      *Retriever
	cancel context.CancelFunc
}

// NewScheduler returns a Scheduler. Its options are WithClock,
// WithInterval, WithJitter, WithBackoff and WithRunReports.
func NewScheduler(opts ...Option) (*Scheduler, error) {
	c, err := newConfig(forScheduler, opts)
	if err != nil {
		return nil, err
	}
	return &Scheduler{cfg: c, entries: map[string]*entry{}}, nil
}

// Add schedules a customer. It fails if r is nil or its customer is
// already scheduled. Customers added while Run is running start at once.
func (s *Scheduler) Add(r *Retriever) error {
	if r == nil {
		return errors.New("inmail: Scheduler.Add: nil Retriever")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.CustomerID()
	if _, dup := s.entries[id]; dup {
		return fmt.Errorf("inmail: customer %q already scheduled", id)
	}
	e := &entry{r: r}
	s.entries[id] = e
	if s.ctx != nil {
		s.startLocked(e)
	}
	return nil
}

// Remove stops and forgets a customer (its current run is cancelled).
func (s *Scheduler) Remove(customerID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[customerID]; ok {
		if e.cancel != nil {
			e.cancel()
		}
		delete(s.entries, customerID)
	}
}

// Run runs every customer until ctx is done, then waits for their
// goroutines and returns ctx's error.
func (s *Scheduler) Run(ctx context.Context) error {
	if ctx == nil {
		return errNilContext
	}
	s.mu.Lock()
	if s.ctx != nil {
		s.mu.Unlock()
		return errors.New("inmail: scheduler already running")
	}
	s.ctx = ctx
	for _, e := range s.entries {
		s.startLocked(e)
	}
	s.mu.Unlock()
	<-ctx.Done()
	s.wg.Wait()
	s.mu.Lock()
	s.ctx = nil
	for _, e := range s.entries {
		e.cancel = nil
	}
	s.mu.Unlock()
	return ctx.Err()
}

func (s *Scheduler) startLocked(e *entry) {
	ctx, cancel := context.WithCancel(s.ctx)
	e.cancel = cancel
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer cancel()
		s.loop(ctx, e.r)
	}()
}

func (s *Scheduler) loop(ctx context.Context, r *Retriever) {
	if s.sleep(ctx, s.spread()) != nil {
		return
	}
	failures := 0
	for {
		rep, err := r.RunOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if s.cfg.onRun != nil {
			s.cfg.onRun(r.CustomerID(), rep, err)
		}
		var wait time.Duration
		if err == nil {
			failures = 0
			wait = s.jittered(s.cfg.interval)
		} else {
			failures++
			wait = s.backoff(failures, err)
		}
		if s.sleep(ctx, wait) != nil {
			return
		}
	}
}

func (s *Scheduler) sleep(ctx context.Context, d time.Duration) error {
	return s.cfg.clock.Sleep(ctx, d)
}

func (s *Scheduler) float() float64 {
	s.randMu.Lock()
	defer s.randMu.Unlock()
	return s.cfg.rand.Float64()
}

// spread is the first run's delay: [0, Jitter×Interval).
func (s *Scheduler) spread() time.Duration {
	return time.Duration(s.float() * s.cfg.jitter * float64(s.cfg.interval))
}

// jittered returns d ± Jitter×d.
func (s *Scheduler) jittered(d time.Duration) time.Duration {
	f := 1 + s.cfg.jitter*(2*s.float()-1)
	return time.Duration(f * float64(d))
}

// backoff is the wait after the n-th consecutive failure: a spent daily
// quota waits for its reset; otherwise WithBackoff's lower bound
// ×2^(n-1), capped at its upper bound, with jitter.
func (s *Scheduler) backoff(n int, err error) time.Duration {
	var rl *rsc.RateLimitError
	if errors.As(err, &rl) && rl.Daily && !rl.ResetAt.IsZero() {
		if d := rl.ResetAt.Sub(s.cfg.clock.Now()); d > 0 {
			return d + s.spread()
		}
	}
	d := s.cfg.minBackoff
	for i := 1; i < n && d < s.cfg.maxBackoff; i++ {
		d *= 2
	}
	return min(s.jittered(min(d, s.cfg.maxBackoff)), s.cfg.maxBackoff)
}
