package inmail

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/rscgo/rscgo/internal/option"
	"github.com/rscgo/rscgo/rsc"
)

// Option configures New, Retriever.PushHandler or NewScheduler. Options
// validate their input, and each says which constructors it applies to: a
// constructor given an option that does not apply to it returns an error,
// so a misplaced option is never silently ignored.
type Option func(*config) error

// The constructors options apply to.
const (
	forRetriever uint8 = 1 << iota
	forPush
	forScheduler
)

var constructors = map[uint8]string{forRetriever: "New", forPush: "Retriever.PushHandler", forScheduler: "NewScheduler"}

type config struct {
	option.Base
	clock  rsc.Clock
	logger *slog.Logger

	// Retriever.
	cursors          CursorStore
	users            Users
	resync           func(ctx context.Context, candidateID string) error
	lookback         time.Duration
	lag              time.Duration
	pendingTTL       time.Duration
	recordsPerMinute int
	maxWindows       int
	seatRefresh      time.Duration
	deletionInterval time.Duration
	profileURL       func(person string) string
	exportAttempts   int
	recordAttempts   int
	exportTimeouts   int
	exportBackoff    [2]time.Duration // min, max
	clockSkew        time.Duration
	stubLimit        int // LinkedIn's stub search limit; tests lower it

	// PushHandler.
	onExportError func(requestID string, err error)
	exportTimeout time.Duration
	workers       int
	queueSize     int
	unsigned      bool

	// Scheduler.
	interval               time.Duration
	jitter                 float64
	minBackoff, maxBackoff time.Duration
	rand                   *rand.Rand
	onRun                  func(customerID string, rep RunReport, err error)
}

func newConfig(t uint8, opts []Option) (*config, error) {
	c := &config{
		Base:             option.Base{Pkg: "inmail", Target: t, Names: constructors},
		clock:            rsc.SystemClock(),
		logger:           slog.New(slog.DiscardHandler),
		lookback:         DefaultLookback,
		lag:              DefaultLag,
		pendingTTL:       DefaultPendingTTL,
		recordsPerMinute: DefaultRecordsPerMinute,
		maxWindows:       DefaultMaxWindows,
		seatRefresh:      DefaultSeatRefresh,
		deletionInterval: DefaultDeletionInterval,
		profileURL:       DefaultProfileURL,
		exportAttempts:   DefaultExportAttempts,
		recordAttempts:   DefaultRecordAttempts,
		exportTimeouts:   DefaultExportTimeouts,
		clockSkew:        DefaultClockSkew,
		stubLimit:        stubSearchLimit,
		exportBackoff:    [2]time.Duration{DefaultExportBackoff, DefaultMaxExportBackoff},
		exportTimeout:    DefaultExportTimeout,
		workers:          2,
		queueSize:        64,
		interval:         30 * time.Minute,
		jitter:           0.1,
		minBackoff:       time.Minute,
		maxBackoff:       time.Hour,
	}
	if err := option.Apply(c, opts); err != nil {
		return nil, err
	}
	if c.rand == nil {
		c.rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	return c, nil
}

// positive is the body of the duration options: d must be in (0, limit]
// (no limit when limit is 0).
func (c *config) positive(name string, ts uint8, dst *time.Duration, d, limit time.Duration) error {
	if err := c.Only(name, ts); err != nil {
		return err
	}
	if d <= 0 {
		return fmt.Errorf("inmail: %s(%s): must be positive", name, d)
	}
	if limit > 0 && d > limit {
		return fmt.Errorf("inmail: %s(%s): must be at most %s", name, d, limit)
	}
	*dst = d
	return nil
}

// count is the body of the Retriever's count options: n must be positive.
func (c *config) count(name string, dst *int, n int) error {
	if err := c.Only(name, forRetriever); err != nil {
		return err
	}
	if n <= 0 {
		return fmt.Errorf("inmail: %s(%d): must be positive", name, n)
	}
	*dst = n
	return nil
}

// WithClock sets the clock that paces, timestamps and waits (default
// rsc.SystemClock). It applies to every constructor.
func WithClock(clk rsc.Clock) Option {
	return option.With("WithClock", forRetriever|forPush|forScheduler, clk, func(c *config, clk rsc.Clock) { c.clock = clk })
}

// WithLogger sets the logger of New and Retriever.PushHandler. Nothing is
// logged by default, and then only ids and counts: never message bodies,
// notes, emails or secrets.
func WithLogger(l *slog.Logger) Option {
	return option.With("WithLogger", forRetriever|forPush, l, func(c *config, l *slog.Logger) { c.logger = l })
}

// WithCursorStore sets where New keeps the customer's positions (default
// MemoryCursors, lost when the process ends).
func WithCursorStore(s CursorStore) Option {
	return option.With("WithCursorStore", forRetriever, s, func(c *config, s CursorStore) { c.cursors = s })
}

// WithUsers maps seat holders to ATS users (default the Sink, when it
// implements Users; otherwise seats stay unmapped).
func WithUsers(u Users) Option {
	return option.With("WithUsers", forRetriever, u, func(c *config, u Users) { c.users = u })
}

// WithResync sets a function that syncs a candidate (and its applications)
// to LinkedIn at once; the export flow calls it before attaching the person
// URN. Plug the sync package in here.
func WithResync(f func(ctx context.Context, candidateID string) error) Option {
	return option.With("WithResync", forRetriever, f, func(c *config, f func(ctx context.Context, candidateID string) error) { c.resync = f })
}

// WithLookback sets how much history the first run of the InMail, stub and
// note pollers reads (default 30 days).
func WithLookback(d time.Duration) Option {
	return func(c *config) error { return c.positive("WithLookback", forRetriever, &c.lookback, d, 0) }
}

// WithLag keeps windows this far behind now, for records LinkedIn indexes
// late (default 1 minute). Now is the earlier of the injected clock and
// LinkedIn's as the client knows it (rsc.Client.LinkedInNow), so that a
// host clock that runs ahead does not end a window in LinkedIn's future.
func WithLag(d time.Duration) Option {
	return func(c *config) error { return c.positive("WithLag", forRetriever, &c.lag, d, 0) }
}

// WithPendingTTL sets how long records of an unmatched member are kept for
// a later match (default 30 days).
func WithPendingTTL(d time.Duration) Option {
	return func(c *config) error { return c.positive("WithPendingTTL", forRetriever, &c.pendingTTL, d, 0) }
}

// WithSeatRefresh sets how often RunOnce refreshes seats (default 24 h).
func WithSeatRefresh(d time.Duration) Option {
	return func(c *config) error { return c.positive("WithSeatRefresh", forRetriever, &c.seatRefresh, d, 0) }
}

// WithDeletionInterval sets how often RunOnce polls closed profiles
// (default 24 h; at most 30 days, LinkedIn's rule, docs/linkedin-api.md
// §8.7).
func WithDeletionInterval(d time.Duration) Option {
	return func(c *config) error {
		return c.positive("WithDeletionInterval", forRetriever, &c.deletionInterval, d, MaxDeletionInterval)
	}
}

// WithRecordsPerMinute paces conversationEvents records per seat (default
// 12, LinkedIn's limit per member per minute, docs/linkedin-api.md §5).
func WithRecordsPerMinute(n int) Option {
	return func(c *config) error { return c.count("WithRecordsPerMinute", &c.recordsPerMinute, n) }
}

// WithMaxWindows bounds the 12-hour windows read per seat or contract in
// one run (default 120); the next run continues.
func WithMaxWindows(n int) Option {
	return func(c *config) error { return c.count("WithMaxWindows", &c.maxWindows, n) }
}

// WithProfileURL builds a profile link from a person URN when LinkedIn
// gave none (default DefaultProfileURL).
func WithProfileURL(f func(person string) string) Option {
	return option.With("WithProfileURL", forRetriever, f, func(c *config, f func(person string) string) { c.profileURL = f })
}

// WithExportRetry sets how often a journaled export is attempted before it
// becomes a dead letter (default DefaultExportAttempts, 10) and the wait
// before each retry, doubling from lo after each attempt up to hi
// (defaults DefaultExportBackoff, 1 minute, and DefaultMaxExportBackoff, 1
// hour), on the injected clock. RunOnce retries the exports that are due;
// see AcceptExport.
func WithExportRetry(attempts int, lo, hi time.Duration) Option {
	return func(c *config) error {
		if err := c.Only("WithExportRetry", forRetriever); err != nil {
			return err
		}
		if attempts <= 0 || lo <= 0 || hi < lo {
			return fmt.Errorf("inmail: WithExportRetry(%d, %s, %s): need attempts > 0 and 0 < lo <= hi", attempts, lo, hi)
		}
		c.exportAttempts, c.exportBackoff = attempts, [2]time.Duration{lo, hi}
		return nil
	}
}

// WithExportTimeouts sets how many attempts of a journaled export may run
// out of time before it becomes a dead letter (default
// DefaultExportTimeouts, 48). An attempt runs out of time when its
// failures are all context.DeadlineExceeded (the deadline of the attempt's
// context, WithExportTimeout for a push, the caller's for RunOnce and
// HandleExport, or one inside the Sink passed) or rsc.ErrAttemptTimeout (a
// request to LinkedIn outlasted the client's attempt timeout). Such an
// attempt is not counted against WithExportRetry's attempts: the ATS (or
// LinkedIn) was slow, not the export wrong, and a member's export should
// not be given up on for that. It is retried with the same backoff,
// doubling over every attempt made; the limit keeps an ATS that never
// answers in time from being retried for ever.
func WithExportTimeouts(n int) Option {
	return func(c *config) error { return c.count("WithExportTimeouts", &c.exportTimeouts, n) }
}

// WithRecordAttempts sets in how many polls in a row the write of one
// InMail message, note or stub profile may fail before the record becomes
// a dead letter and its stream goes on past it (default
// DefaultRecordAttempts, 10; see DeadRecords). A failure of cancellation
// or a spent daily quota is not counted. An ATS that is down for that many
// polls makes the record each stream stopped at a dead letter: RetryRecord
// writes it once the ATS is back.
func WithRecordAttempts(n int) Option {
	return func(c *config) error { return c.count("WithRecordAttempts", &c.recordAttempts, n) }
}

// WithClockSkew sets how far a position found ahead of the clock is
// brought back behind it (default DefaultClockSkew, 1 hour). No poll saves
// a position past the end of its window (now minus the lag; for closed
// profiles, now minus their 24-hour overlap), so one found past it was
// saved while the machine's clock ran ahead and has since been set back.
// Left there, the records LinkedIn creates before the clock catches up
// would never be read, being dated before it. It is brought back to d
// before the end of the window instead: those records are read, and some
// read already are read again (every Sink write is idempotent). d should
// cover the time between two runs (the Scheduler's interval), as the
// records created between the last run made while the clock was ahead and
// the first one after it was set right are read only as far back as d
// reaches. Likewise a journaled export whose retry lies further ahead
// than any wait is retried at once, and closed profiles last polled
// seemingly in the future are polled.
func WithClockSkew(d time.Duration) Option {
	return func(c *config) error { return c.positive("WithClockSkew", forRetriever, &c.clockSkew, d, 0) }
}

// WithExportErrors sets a function that receives the failures of pushes
// Retriever.PushHandler processes in the background (the request id and
// the error).
func WithExportErrors(f func(requestID string, err error)) Option {
	return option.With("WithExportErrors", forPush, f, func(c *config, f func(requestID string, err error)) { c.onExportError = f })
}

// WithExportTimeout bounds the background processing of one push by
// Retriever.PushHandler (default 2 minutes).
func WithExportTimeout(d time.Duration) Option {
	return func(c *config) error { return c.positive("WithExportTimeout", forPush, &c.exportTimeout, d, 0) }
}

// WithPushWorkers sets how many exports Retriever.PushHandler processes at
// once (default 2) and how many may wait (default 64). An export that finds
// the queue full is acknowledged all the same, since it is journaled, and
// left to RunOnce.
func WithPushWorkers(workers, queue int) Option {
	return option.Check("WithPushWorkers", forPush, [2]int{workers, queue}, option.Pool,
		func(c *config, p [2]int) { c.workers, c.queueSize = p[0], p[1] })
}

// WithUnsignedPushes makes Retriever.PushHandler accept pushes without an
// X-LI-Signature header. LinkedIn does not document whether RSC pushes are
// signed (docs/linkedin-api.md §8.1); signatures are required by default,
// so that a stranger's POST cannot make the handler call LinkedIn. Use it
// only if LinkedIn's pushes to you arrive unsigned; a signature header that
// is present, even empty, is still checked and verified.
func WithUnsignedPushes() Option {
	return option.With("WithUnsignedPushes", forPush, true, func(c *config, on bool) { c.unsigned = on })
}

// WithInterval sets the Scheduler's time between successful runs of a
// customer (default 30 minutes).
func WithInterval(d time.Duration) Option {
	return func(c *config) error { return c.positive("WithInterval", forScheduler, &c.interval, d, 0) }
}

// WithJitter sets the fraction of the interval the Scheduler adds or
// removes at random (default 0.1): a number in [0, 1], never NaN. The
// first run of each customer is delayed by up to jitter×interval so
// customers spread out. r draws the jitter (nil: a randomly seeded source).
func WithJitter(f float64, r *rand.Rand) Option {
	return func(c *config) error {
		if err := c.Only("WithJitter", forScheduler); err != nil {
			return err
		}
		if !(f >= 0 && f <= 1) { // refuses NaN too
			return fmt.Errorf("inmail: WithJitter(%g): must be in [0, 1]", f)
		}
		c.jitter, c.rand = f, r
		return nil
	}
}

// WithBackoff bounds the Scheduler's exponential backoff after a failed run
// (defaults 1 minute and 1 hour). A spent daily quota waits for its reset
// instead.
func WithBackoff(lo, hi time.Duration) Option {
	return option.Check("WithBackoff", forScheduler, [2]time.Duration{lo, hi}, func(b [2]time.Duration) string {
		if b[0] <= 0 || b[1] < b[0] {
			return fmt.Sprintf("min %s, max %s: need 0 < min <= max", b[0], b[1])
		}
		return ""
	}, func(c *config, b [2]time.Duration) { c.minBackoff, c.maxBackoff = b[0], b[1] })
}

// WithRunReports sets a function that receives every run's outcome (from
// the customer's goroutine).
func WithRunReports(f func(customerID string, rep RunReport, err error)) Option {
	return option.With("WithRunReports", forScheduler, f, func(c *config, f func(customerID string, rep RunReport, err error)) { c.onRun = f })
}
