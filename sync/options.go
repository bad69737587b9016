package sync

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/rscgo/rscgo/internal/option"
	"github.com/rscgo/rscgo/rsc"
)

// DefaultWindow is the default historical window: two years, the minimum
// certification accepts ("at least 2 year history", RSC-201 and RSC-202,
// docs/linkedin-api.md §12), counted as 731 days so that it holds two
// calendar years even when they include a 29 February.
const DefaultWindow = 731 * 24 * time.Hour

// Option configures an Engine (NewEngine) or a Manager (NewManager).
// WithClock and WithLogger apply to both; every other option applies to one
// of them, and the other's constructor refuses it with an error.
type Option func(*config) error

type config struct {
	// Both.
	clock  rsc.Clock
	logger *slog.Logger

	// Engine.
	store        Store
	dead         DeadLetterStore
	window       time.Duration
	eligible     Eligibility
	dryRun       bool
	progress     func(Progress)
	consent      ConsentGuard
	inFlight     int
	pollInterval time.Duration
	waitParked   bool
	deleteSkew   time.Duration
	clockSkew    time.Duration
	holdings     Holdings
	freshEvery   time.Duration
	contexts     map[string]bool // WithIntegrationContexts; nil: not checked

	// Manager.
	workers      int
	quantum      int
	sliceTimeout time.Duration

	// The options given that apply only to an Engine or only to a Manager.
	engineOnly, managerOnly []string
}

func defaultConfig() config {
	return config{
		clock:        rsc.SystemClock(),
		logger:       slog.New(slog.DiscardHandler),
		window:       DefaultWindow,
		inFlight:     2,
		pollInterval: 5 * time.Minute,
		waitParked:   true,
		deleteSkew:   time.Hour,
		clockSkew:    DefaultClockSkew,
		freshEvery:   DefaultFreshLaneInterval,
		workers:      4,
		quantum:      20,
		sliceTimeout: DefaultSliceTimeout,
	}
}

// newConfig applies opts to the defaults. who is "NewEngine" or
// "NewManager"; options of the other are refused.
func newConfig(who string, opts []Option) (config, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return cfg, err
		}
	}
	wrong, owner := cfg.managerOnly, "a Manager"
	if who == "NewManager" {
		wrong, owner = cfg.engineOnly, "an Engine"
	}
	if len(wrong) > 0 {
		return cfg, fmt.Errorf("sync: %s: %s configures %s", who, wrong[0], owner)
	}
	return cfg, nil
}

// nonNegative returns the function of an option setting the duration
// field of the config to d, which must not be negative.
func nonNegative(name, what string, d time.Duration, field func(*config) *time.Duration) func(*config) error {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("sync: %s: negative %s", name, what)
		}
		*field(c) = d
		return nil
	}
}

// engineOption marks an option that only an Engine accepts.
func engineOption(name string, f func(*config) error) Option {
	return func(c *config) error {
		c.engineOnly = append(c.engineOnly, name)
		return f(c)
	}
}

// managerOption marks an option that only a Manager accepts.
func managerOption(name string, f func(*config) error) Option {
	return func(c *config) error {
		c.managerOnly = append(c.managerOnly, name)
		return f(c)
	}
}

// WithStore sets where checkpoints are kept. The default is a MemoryStore,
// which does not survive the process: use NewFileStore or your database.
// s must not be nil, nor hold a nil pointer.
func WithStore(s Store) Option {
	return engineOption("WithStore", func(c *config) error {
		if option.NonNil("sync", "WithStore", s) != nil {
			return errors.New("sync: WithStore: nil store")
		}
		c.store = s
		return nil
	})
}

// WithDeadLetters sets where refused records are kept. The default is a
// MemoryDeadLetters. s must not be nil, nor hold a nil pointer.
func WithDeadLetters(s DeadLetterStore) Option {
	return engineOption("WithDeadLetters", func(c *config) error {
		if option.NonNil("sync", "WithDeadLetters", s) != nil {
			return errors.New("sync: WithDeadLetters: nil store")
		}
		c.dead = s
		return nil
	})
}

// WithWindow sets how far back the historical sync reaches: records
// modified within d before the first run. 0 means all history. The default
// is DefaultWindow (two years); a shorter window needs LinkedIn's written
// approval. The window is fixed by the first run and kept in the checkpoint.
func WithWindow(d time.Duration) Option {
	return engineOption("WithWindow", nonNegative("WithWindow", "window", d, func(c *config) *time.Duration { return &c.window }))
}

// WithClock injects the clock (Engine and Manager). An Engine uses it for
// the window, the watermark's skew limit, parking until the daily quota
// resets, task polling and progress rates; a Manager for parked customers
// and failure backoff. Pass the same clock as the client's. clk must not
// be nil, nor hold a nil pointer (a nil *rsctest.FakeClock).
func WithClock(clk rsc.Clock) Option {
	return func(c *config) error {
		if option.NonNil("sync", "WithClock", clk) != nil {
			return errors.New("sync: WithClock: nil clock")
		}
		c.clock = clk
		return nil
	}
}

// WithEligibility installs a per-record eligibility hook (consent,
// confidential jobs, private candidates...).
func WithEligibility(f Eligibility) Option {
	return engineOption("WithEligibility", func(c *config) error { c.eligible = f; return nil })
}

// WithIntegrationContexts names the customer's integration contexts (the
// organization URNs onboarding recorded, urn:li:organization:{digits};
// at least one). A record whose key names another one (a job's
// integrationContext when set, a candidate's, an application's, an
// activity's, a deletion's Integration) is refused before it is sent, as a
// dead letter saying so, and the rest goes on. Without it such a record
// reaches LinkedIn, which refuses its whole batch (403), and the run stops
// there every time: a Source missing its tenant filter would block the
// customer's sync. sync/sourcetest's option of the same name checks a
// Source for it.
func WithIntegrationContexts(urns ...string) Option {
	return engineOption("WithIntegrationContexts", func(c *config) error {
		if len(urns) == 0 {
			return errors.New("sync: WithIntegrationContexts: no integration context")
		}
		c.contexts = make(map[string]bool, len(urns))
		for _, u := range urns {
			if !rsc.IsOrganizationURN(u) {
				return fmt.Errorf("sync: WithIntegrationContexts: %q is not urn:li:organization:{digits}", u)
			}
			c.contexts[u] = true
		}
		return nil
	})
}

// WithDryRun makes Run read the Source, apply eligibility and validation,
// and report what would be sent and rejected, without sending anything or
// touching the stores. RetryDeadLetters and Resync then do the same for
// the records they would send again: they only check them and report, and
// a dry Resync stores no request.
func WithDryRun(dry bool) Option {
	return engineOption("WithDryRun", func(c *config) error { c.dryRun = dry; return nil })
}

// WithProgress installs a progress callback (see Progress and
// ProgressKind): after every committed batch, at phase boundaries, when the
// customer is parked, for every record refused, batch re-sent and job task
// finished, and before every wait of two seconds or more (job tasks, the
// daily quota, LinkedIn's per-minute throttle, the client's per-minute
// pacing). It is called one event at a time, from the Run goroutine except
// for throttle and pacing waits, which a batch's goroutine announces. It
// must be fast.
func WithProgress(f func(Progress)) Option {
	return engineOption("WithProgress", func(c *config) error { c.progress = f; return nil })
}

// WithConsent installs a consent guard (see ConsentGuard). g must not be
// nil, nor hold a nil pointer or func (a nil *onboarding.ConsentRegistry).
func WithConsent(g ConsentGuard) Option {
	return engineOption("WithConsent", func(c *config) error {
		if option.NonNil("sync", "WithConsent", g) != nil {
			return errors.New("sync: WithConsent: nil guard")
		}
		c.consent = g
		return nil
	})
}

// WithInFlight sets how many batches may be uncommitted at once (default 2,
// at most 64): while one batch waits for LinkedIn's answer the next is
// already paced and sent, so the per-minute quota is used to the full. The
// client's pacer still guarantees the quota is never exceeded. 1 sends
// strictly one batch after the other.
//
// A batch is uncommitted from the moment it is sent until the checkpoint
// holds it; a batch acknowledged while an earlier one is still out counts
// too. This is the re-send bound: a run killed at any point makes the next
// run send again at most n batches (n × 100 records, an application with
// its stages) of the phase it stopped in, plus, for jobs (always one batch
// at a time), the one job batch being submitted.
func WithInFlight(n int) Option {
	return engineOption("WithInFlight", func(c *config) error {
		if n < 1 || n > 64 {
			return errors.New("sync: WithInFlight: n must be in [1, 64]")
		}
		c.inFlight = n
		return nil
	})
}

// WithTaskPollInterval sets how often job tasks are polled (default five
// minutes, as LinkedIn advises; use less against rsctest). A job phase
// completes only once every task is terminal, so against LinkedIn the first
// sync waits at least one interval; each wait is announced with a
// ProgressWaiting event and an Info log line saying until when. A slice
// (RunSlice with a budget) does not wait: it ends with a *YieldError, and
// the next slice polls again.
func WithTaskPollInterval(d time.Duration) Option {
	return engineOption("WithTaskPollInterval", func(c *config) error {
		if d <= 0 {
			return errors.New("sync: WithTaskPollInterval: interval must be positive")
		}
		c.pollInterval = d
		return nil
	})
}

// WithLogger sets a structured logger (Engine and Manager; default:
// discard). They log phases, counts and errors, never record contents or
// secrets. nil means discard.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			l = slog.New(slog.DiscardHandler)
		}
		c.logger = l
		return nil
	}
}

// DefaultClockSkew is the default of WithClockSkew.
const DefaultClockSkew = 5 * time.Minute

// WithClockSkew sets how far in the future (by the engine's clock) a
// record's ModifiedAt (a deletion's DeletedAt) may lie before it counts as
// dated in the future (default DefaultClockSkew; d must not be negative).
// A record dated later (clock skew between the ATS and the engine, a bad
// import, the year 9999) is sent, but the watermark stays at the last
// record before it, so that it is read and sent again on every pass until
// its time comes; it is reported in PhaseReport.Future and progress
// events. One bad date can neither make the engine skip later changes nor
// hold it back.
func WithClockSkew(d time.Duration) Option {
	return engineOption("WithClockSkew", nonNegative("WithClockSkew", "allowance", d, func(c *config) *time.Duration { return &c.clockSkew }))
}

// WithFreshLane sets how often, while a phase's historical pass runs, the
// records created or changed since the pass began are sent ahead of the
// rest of the backlog (default DefaultFreshLaneInterval; every must not be
// negative): at the start of every Run and RunSlice, and every interval
// during a long backlog. 0 turns the fresh lanes off: each phase is then
// read to the end of its stream in one order, and a record changed after
// the pass began reaches LinkedIn only after every older one (see the
// package documentation).
func WithFreshLane(every time.Duration) Option {
	return engineOption("WithFreshLane", nonNegative("WithFreshLane", "interval", every, func(c *config) *time.Duration { return &c.freshEvery }))
}

// WithWaitWhenParked says whether Run waits for the daily quota to reset
// (true, the default) or returns a *ParkedError at once.
func WithWaitWhenParked(wait bool) Option {
	return engineOption("WithWaitWhenParked", func(c *config) error { c.waitParked = wait; return nil })
}

// WithWorkers sets how many customer slices a Manager runs at once
// (default 4). n must be at least 1.
func WithWorkers(n int) Option {
	return managerOption("WithWorkers", func(c *config) error {
		if n < 1 {
			return errors.New("sync: WithWorkers: n must be at least 1")
		}
		c.workers = n
		return nil
	})
}

// WithSliceBatches sets how many batches a Manager lets one customer send
// per turn (default 20, about 2,000 records). n must be at least 1.
func WithSliceBatches(n int) Option {
	return managerOption("WithSliceBatches", func(c *config) error {
		if n < 1 {
			return errors.New("sync: WithSliceBatches: n must be at least 1")
		}
		c.quantum = n
		return nil
	})
}

// DefaultSliceTimeout is how long a Manager lets one customer's slice run
// by default (WithSliceTimeout).
const DefaultSliceTimeout = 5 * time.Minute

// WithSliceTimeout bounds how long a Manager lets one customer's slice run
// (default DefaultSliceTimeout; d must not be negative; 0: no bound). A
// slice still running then has its context cancelled, with the cause
// ErrSliceTimeout, so that a Source whose queries hang (an ATS database
// that stopped answering) does not hold a worker, and with it every other
// customer, for ever. What the slice committed stays committed: a slice
// cut after at least one batch runs again at the back of the queue; one
// cut before any is a failure of its customer, backed off and given up on
// like any other, its CustomerResult.Err matching ErrSliceTimeout. A Source
// must pass its context to its queries for the bound to reach them.
// Slices are short (they end at every wait, see Manager), so the bound
// only has to exceed the slowest batch: a Source read plus LinkedIn's
// answers and their retries. The bound is real time, as a request's time
// limit is, not WithClock's clock: a fake clock does not advance while a
// Source hangs.
func WithSliceTimeout(d time.Duration) Option {
	return managerOption("WithSliceTimeout", nonNegative("WithSliceTimeout", "timeout", d, func(c *config) *time.Duration { return &c.sliceTimeout }))
}
