package sync

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// DefaultWindow is the default historical window: two years, the minimum
// certification accepts.
const DefaultWindow = 2 * 365 * 24 * time.Hour

// Option configures an Engine.
type Option func(*config) error

type config struct {
	store        Store
	dead         DeadLetterStore
	window       time.Duration
	clock        rsc.Clock
	eligible     Eligibility
	dryRun       bool
	progress     func(Progress)
	consent      ConsentGuard
	inFlight     int
	pollInterval time.Duration
	logger       *slog.Logger
	waitParked   bool
	deleteSkew   time.Duration
}

func defaultConfig() config {
	return config{
		window:       DefaultWindow,
		clock:        rsc.SystemClock(),
		inFlight:     2,
		pollInterval: 5 * time.Minute,
		logger:       slog.New(slog.DiscardHandler),
		waitParked:   true,
		deleteSkew:   time.Hour,
	}
}

// WithStore sets where checkpoints are kept. The default is a MemoryStore,
// which does not survive the process: use NewFileStore or your database.
func WithStore(s Store) Option {
	return func(c *config) error {
		if s == nil {
			return errors.New("sync: WithStore: nil store")
		}
		c.store = s
		return nil
	}
}

// WithDeadLetters sets where refused records are kept. The default is a
// MemoryDeadLetters.
func WithDeadLetters(s DeadLetterStore) Option {
	return func(c *config) error {
		if s == nil {
			return errors.New("sync: WithDeadLetters: nil store")
		}
		c.dead = s
		return nil
	}
}

// WithWindow sets how far back the historical sync reaches: records
// modified within d before the first run. 0 means all history. The default
// is DefaultWindow (two years); a shorter window needs LinkedIn's written
// approval. The window is fixed by the first run and kept in the checkpoint.
func WithWindow(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return errors.New("sync: WithWindow: negative window")
		}
		c.window = d
		return nil
	}
}

// WithClock injects the clock used for the window, parking until the daily
// quota resets, task polling and progress rates. Pass the same clock as the
// client's.
func WithClock(clk rsc.Clock) Option {
	return func(c *config) error {
		if clk == nil {
			return errors.New("sync: WithClock: nil clock")
		}
		c.clock = clk
		return nil
	}
}

// WithNow is WithClock for a plain time function; waits use real timers.
func WithNow(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("sync: WithNow: nil func")
		}
		c.clock = nowClock(now)
		return nil
	}
}

// WithEligibility installs a per-record eligibility hook (consent,
// confidential jobs, private candidates...).
func WithEligibility(f Eligibility) Option {
	return func(c *config) error { c.eligible = f; return nil }
}

// WithDryRun makes Run read the Source, apply eligibility and validation,
// and report what would be sent and rejected, without sending anything or
// touching the stores.
func WithDryRun(dry bool) Option {
	return func(c *config) error { c.dryRun = dry; return nil }
}

// WithProgress installs a progress callback, called from the Run goroutine
// after every acknowledged batch and at phase boundaries. It must be fast.
func WithProgress(f func(Progress)) Option {
	return func(c *config) error { c.progress = f; return nil }
}

// WithConsent installs a consent guard (see ConsentGuard).
func WithConsent(g ConsentGuard) Option {
	return func(c *config) error { c.consent = g; return nil }
}

// WithInFlight sets how many batches may be in flight at once (default 2):
// while one batch waits for LinkedIn's answer the next is already paced and
// sent, so the per-minute quota is used to the full. The client's pacer
// still guarantees the quota is never exceeded. 1 sends strictly one batch
// after the other.
func WithInFlight(n int) Option {
	return func(c *config) error {
		if n < 1 || n > 64 {
			return errors.New("sync: WithInFlight: n must be in [1, 64]")
		}
		c.inFlight = n
		return nil
	}
}

// WithTaskPollInterval sets how often job tasks are polled (default five
// minutes, as LinkedIn advises; use less against rsctest).
func WithTaskPollInterval(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return errors.New("sync: WithTaskPollInterval: interval must be positive")
		}
		c.pollInterval = d
		return nil
	}
}

// WithLogger sets a structured logger (default: discard). The engine logs
// phases, counts and errors, never record contents or secrets.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			l = slog.New(slog.DiscardHandler)
		}
		c.logger = l
		return nil
	}
}

// WithWaitWhenParked says whether Run waits for the daily quota to reset
// (true, the default) or returns a *ParkedError at once.
func WithWaitWhenParked(wait bool) Option {
	return func(c *config) error { c.waitParked = wait; return nil }
}

// nowClock is a Clock with an injected Now (WithNow); it sleeps on real
// timers.
type nowClock func() time.Time

func (f nowClock) Now() time.Time { return f() }

func (nowClock) Sleep(ctx context.Context, d time.Duration) error {
	return rsc.SystemClock().Sleep(ctx, d)
}
