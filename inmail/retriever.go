package inmail

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/time/rate"

	"github.com/rscgo/rscgo/internal/option"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/rsc"
)

// StateFunc returns the customer's live milestones state (onboarding status,
// product settings, sync checkpoints). It is called at the start of every
// flow, so a flow always sees the current gates.
type StateFunc func(ctx context.Context) (milestones.State, error)

// Defaults of Config's tunables.
const (
	DefaultLookback         = 30 * 24 * time.Hour
	DefaultLag              = time.Minute
	DefaultPendingTTL       = 30 * 24 * time.Hour
	DefaultRecordsPerMinute = 12
	DefaultMaxWindows       = 120
	DefaultSeatRefresh      = 24 * time.Hour
	DefaultDeletionInterval = 24 * time.Hour
	// MaxDeletionInterval is LinkedIn's rule: query closed profiles at least every 30 days.
	MaxDeletionInterval  = 30 * 24 * time.Hour
	DefaultExportTimeout = 2 * time.Minute
	// DefaultExportAttempts is how often a journaled export is attempted
	// before it becomes a dead letter (WithExportRetry).
	DefaultExportAttempts = 10
	// DefaultExportTimeouts is how many attempts of a journaled export
	// may run out of time before it becomes a dead letter
	// (WithExportTimeouts): with the default backoff, nearly two days of a
	// slow ATS.
	DefaultExportTimeouts = 48
	// DefaultExportBackoff and DefaultMaxExportBackoff bound the wait
	// before a failed export is retried (WithExportRetry).
	DefaultExportBackoff    = time.Minute
	DefaultMaxExportBackoff = time.Hour
	// DefaultRecordAttempts is in how many polls in a row the write of an
	// InMail message, note or stub profile may fail before it becomes a
	// dead letter (WithRecordAttempts).
	DefaultRecordAttempts = 10
	// DefaultClockSkew is how far before now minus the lag a position
	// found ahead of the clock is brought back (WithClockSkew).
	DefaultClockSkew = time.Hour
)

// Config is what a Retriever must know about its customer. Everything
// with a default is an Option instead.
type Config struct {
	// CustomerID names the customer in the CursorStore (required).
	CustomerID string
	// Client is the customer's (child application) client (required).
	Client *rsc.Client
	// Organization is the customer's integration context (required):
	// urn:li:organization: and 1 to 19 decimal digits, as
	// rsc.IsOrganizationURN checks.
	Organization string
	// Contracts are the customer's Recruiter contract URNs,
	// urn:li:contract:{id} with an id of valid UTF-8 without white space
	// or control characters (needed for seats, stubs and notes).
	Contracts []string
	// Sink is the ATS side (required: not nil, nor an interface holding a
	// nil pointer).
	Sink Sink
	// State provides the live milestones state (required).
	State StateFunc
}

// DefaultProfileURL returns https://www.linkedin.com/in/{id} for
// urn:li:person:{id}, or "" for anything else. LinkedIn documents no
// URN-to-URL rule; exports carry the real profileUrl, which is preferred.
func DefaultProfileURL(person string) string {
	id, ok := strings.CutPrefix(person, "urn:li:person:")
	if !ok || id == "" {
		return ""
	}
	return "https://www.linkedin.com/in/" + url.PathEscape(id)
}

// UnavailableError says a feature is gated off by the milestones engine.
type UnavailableError struct {
	Feature milestones.FeatureID // the feature gated off
	Reason  string               // the milestones engine's reason
}

// Error implements error.
func (e *UnavailableError) Error() string {
	return fmt.Sprintf("inmail: %s not available: %s", e.Feature, e.Reason)
}

// Retriever runs the LinkedIn → ATS flows of one customer: seats, InMail
// history, stub profiles, prospect notes, 1-Click Export, profile links and
// member deletions. It is safe for concurrent use: polls are serialised,
// and pushes may be handled while a poll runs. A poll (RunOnce, PollStubs,
// PollInMail, PollNotes, PollDeletions, RetryRecord) waiting for another
// returns its context's error, having done nothing, when the context ends
// first.
//
// Several Retrievers may serve one customer over one CursorStore (the
// webhook's beside the scheduler's, replicas of a service, a restarted
// one while the old one finishes) when the store is a CursorUpdater: each
// change, such as a journaled export, an owed attach, a dead letter or a
// stream's position, is applied atomically to the cursors as the store
// holds them, and the other Retrievers' changes are kept. Over a plain
// CursorStore each change is a Load and then a Save, and a change another
// Retriever saves in between is lost: keep to one Retriever per customer.
// Cursors, Seats, DeadExports, RetryPendingExports and the start of
// RunOnce read the store; the polls decide (stream positions, seats, owed
// attaches) on the latest cursors the Retriever read or wrote. A stream is
// saved whole by the poll that reads it, so polls of one customer in two
// Retrievers at once may read records twice (Sink writes are idempotent);
// run one poller per customer (a lease) to avoid it.
type Retriever struct {
	cfg Config
	opt *config
	log *slog.Logger

	run     chan struct{} // one poll at a time: lockRun sends its token, unlockRun takes it
	matchMu sync.Mutex    // find-or-create is atomic within the process

	curMu  sync.Mutex
	cur    Cursors
	loaded bool

	limMu    sync.Mutex
	limiters map[string]*rate.Limiter

	linkMu    sync.Mutex
	linkQueue map[string]bool

	expMu     sync.Mutex
	exporting map[string]bool // export request ids being processed
}

// New validates cfg and returns a Retriever. It does no I/O. Its options
// are WithClock, WithLogger, WithCursorStore, WithUsers, WithResync,
// WithLookback, WithLag, WithClockSkew, WithPendingTTL, WithSeatRefresh,
// WithDeletionInterval, WithRecordsPerMinute, WithMaxWindows,
// WithProfileURL, WithExportRetry, WithExportTimeouts and
// WithRecordAttempts.
func New(cfg Config, opts ...Option) (*Retriever, error) {
	switch {
	case cfg.CustomerID == "":
		return nil, errors.New("inmail: Config.CustomerID is required")
	case cfg.Client == nil:
		return nil, errors.New("inmail: Config.Client is required")
	case !rsc.IsOrganizationURN(cfg.Organization):
		return nil, fmt.Errorf("inmail: Config.Organization %q is not urn:li:organization:{digits}", cfg.Organization)
	case option.NonNil("inmail", "Config.Sink", cfg.Sink) != nil: // a nil *MemorySink too
		return nil, errors.New("inmail: Config.Sink is required")
	case cfg.State == nil:
		return nil, errors.New("inmail: Config.State is required")
	}
	for _, c := range cfg.Contracts {
		if !isContractURN(c) {
			return nil, fmt.Errorf("inmail: Config.Contracts: %q is not urn:li:contract:{id} with an id of valid UTF-8 without white space or control characters", c)
		}
	}
	c, err := newConfig(forRetriever, opts)
	if err != nil {
		return nil, err
	}
	c.cursors = cmp.Or[CursorStore](c.cursors, NewMemoryCursors())
	if u, ok := cfg.Sink.(Users); ok && c.users == nil {
		c.users = u
	}
	return &Retriever{cfg: cfg, opt: c, log: c.logger.With("customer", cfg.CustomerID), run: make(chan struct{}, 1), limiters: map[string]*rate.Limiter{},
		linkQueue: map[string]bool{}, exporting: map[string]bool{}}, nil
}

// isContractURN reports whether s is urn:li:contract:{id}, the id valid
// UTF-8 without white space or control characters.
func isContractURN(s string) bool {
	id, ok := strings.CutPrefix(s, "urn:li:contract:")
	return ok && id != "" && utf8.ValidString(id) &&
		!strings.ContainsFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
}

// CustomerID returns the customer the Retriever serves.
func (r *Retriever) CustomerID() string { return r.cfg.CustomerID }

func (r *Retriever) now() time.Time { return r.opt.clock.Now() }

// onLinkedIn returns local, a reading of the Retriever's clock, moved back
// by as much as LinkedIn's clock reads behind it now, by the client's
// estimate (rsc.Client.LinkedInNow, docs/linkedin-api.md §2.5); local as
// it is when LinkedIn's clock reads ahead or is not known yet. Bounds on
// records LinkedIn stamps with its own clock (the end of a window, the age
// of a closure) are taken on it: a host clock that runs ahead would put
// them in LinkedIn's future, and the records LinkedIn stamps before them
// but lists later would be passed over; one that runs behind is the safe
// side already.
func (r *Retriever) onLinkedIn(local time.Time) time.Time {
	return local.Add(-r.cfg.Client.ClockBehind())
}

// windowEnd is where the windows of a poll end (epoch milliseconds): now
// minus the lag (WithLag), by the earlier of the Retriever's clock and
// LinkedIn's (onLinkedIn).
func (r *Retriever) windowEnd() int64 { return ms(r.onLinkedIn(r.now()).Add(-r.opt.lag)) }

// state returns the live milestones state.
func (r *Retriever) state(ctx context.Context) (milestones.State, error) {
	st, err := r.cfg.State(ctx)
	if err != nil {
		return st, fmt.Errorf("inmail: milestones state: %w", err)
	}
	return st, nil
}

// gate is how every poll starts: it reads the milestones state, checks
// feature id (skipped is the reason when it is off) and loads the seats.
func (r *Retriever) gate(ctx context.Context, id milestones.FeatureID) (st milestones.State, seats []SeatHolder, skipped string, err error) {
	if st, err = r.state(ctx); err != nil {
		return st, nil, "", err
	}
	if on, why := featureOn(st, id); !on {
		return st, nil, why, nil
	}
	if seats, err = r.seats(ctx); err != nil {
		return st, nil, "", err
	}
	seats, err = r.withRetiring(ctx, seats)
	return st, seats, "", err
}

// lockRun takes the Retriever's poll lock: at once when it is free
// (whatever ctx's state), else when the poll holding it ends, or it returns
// ctx's error if ctx ends first. unlockRun releases it.
func (r *Retriever) lockRun(ctx context.Context) error {
	select {
	case r.run <- struct{}{}:
		return nil
	default:
	}
	select {
	case r.run <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// unlockRun releases the poll lock lockRun took.
func (r *Retriever) unlockRun() { <-r.run }

// locked runs poll alone: polls of a Retriever are serialised. While
// another poll runs it waits, and returns ctx's error if ctx ends first.
// A nil ctx is errNilContext, before anything is done.
func locked[R any](r *Retriever, ctx context.Context, poll func(context.Context) (R, error)) (R, error) {
	var zero R
	if ctx == nil {
		return zero, errNilContext
	}
	if err := r.lockRun(ctx); err != nil {
		return zero, err
	}
	defer r.unlockRun()
	return poll(ctx)
}

// contractPoll is what a per-contract poll gets: the milestones state, the
// seats, the contract and its seat holders, the contract's stream and the
// end of the window.
type contractPoll struct {
	st       milestones.State
	seats    []SeatHolder
	contract string
	key      string // the stream's key: the contract, or its new seats' backfill
	owners   []string
	cur      *Stream
	end      int64
}

// eachContract gates feature (skipped is the reason when it is off), then
// polls every contract that has a stored seat (no seat, no one to ask for:
// its cursor stays where it is) from its stream of kind up to now minus the
// lag, collecting errors and stopping at the first fatal one.
func (r *Retriever) eachContract(ctx context.Context, feature milestones.FeatureID, kind streamKind, skipped *string, poll func(contractPoll) error) error {
	st, seats, why, err := r.gate(ctx, feature)
	if err != nil || why != "" {
		*skipped = why
		return err
	}
	end := r.windowEnd()
	own := owners(seats)
	var errs []error
	for _, contract := range r.cfg.Contracts {
		if len(own[contract]) == 0 {
			continue
		}
		cur, err := r.stream(ctx, kind, contract, end)
		if err == nil {
			err = r.backfillSeats(ctx, kind, contractPoll{st, seats, contract, contract, own[contract], cur, end}, poll)
		}
		if err == nil {
			cur.Owners = own[contract]
			err = poll(contractPoll{st, seats, contract, contract, own[contract], cur, end})
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("contract %s: %w", contract, err))
			if fatal(ctx, err) {
				break
			}
		}
	}
	return errors.Join(errs...)
}

// backfillSeats reads, for the seats of p's contract that its stream has
// not read yet (a seat assigned since, or one the stored seat list did not
// have yet), their records up to the stream's position, from the lookback
// on: as the stream reads only its owners' records, theirs would otherwise
// be passed over for good. The backfill is a stream of its own, saved as it
// goes, and merged into p.cur once done. A stream that names no owners
// (its first poll, or saved by an earlier version) has read everyone's.
func (r *Retriever) backfillSeats(ctx context.Context, kind streamKind, p contractPoll, poll func(contractPoll) error) error {
	if p.cur.Owners == nil {
		return nil
	}
	var added []string
	for _, o := range p.owners {
		if !slices.Contains(p.cur.Owners, o) {
			added = append(added, o)
		}
	}
	if len(added) == 0 {
		return nil
	}
	key := p.contract + "\x00new seats"
	bf, err := r.stream(ctx, kind, key, p.cur.Next)
	if err != nil {
		return err
	}
	if !slices.Equal(bf.Owners, added) { // new, or more seats joined meanwhile
		bf = &Stream{Next: min(bf.Next, p.cur.Next-r.opt.lookback.Milliseconds()), Owners: added}
	}
	if err := poll(contractPoll{p.st, p.seats, p.contract, key, added, bf, p.cur.Next}); err != nil {
		return err
	}
	p.cur.mergePending(bf)
	p.cur.Owners = append(slices.Clone(p.cur.Owners), added...)
	if err := r.saveStream(ctx, kind, p.contract, p.cur); err != nil {
		return err
	}
	return r.update(ctx, func(c *Cursors) { delete(*c.streams(kind), key) })
}

// featureOn reports whether the feature works for some records, and why not.
func featureOn(st milestones.State, id milestones.FeatureID) (bool, string) {
	fs, ok := milestones.Evaluate(st).Feature(id)
	if !ok {
		return false, "unknown feature " + string(id)
	}
	return fs.Enabled, fs.Reason
}

// allowedMatch finds the candidate of person and reports whether the
// feature covers it now.
func (r *Retriever) allowedMatch(ctx context.Context, st milestones.State, id milestones.FeatureID, person string) (Candidate, bool, error) {
	c, found, err := FindMatch(ctx, r.cfg.Sink, person, "")
	if err != nil || !found {
		return c, false, err
	}
	ok, _ := milestones.Available(st, id, c.UpdatedAt)
	return c, ok, nil
}

// Cursors returns a copy of the customer's cursors as the CursorStore
// holds them now, changes of other Retrievers of the customer included.
func (r *Retriever) Cursors(ctx context.Context) (Cursors, error) {
	if ctx == nil {
		return Cursors{}, errNilContext
	}
	r.curMu.Lock()
	defer r.curMu.Unlock()
	c, err := r.opt.cursors.Load(ctx, r.cfg.CustomerID)
	if err != nil {
		return Cursors{}, fmt.Errorf("inmail: load cursors: %w", err)
	}
	r.cur, r.loaded = c, true
	return c.Clone(), nil
}

// cached returns a copy of the latest cursors the Retriever read or wrote
// (reading them the first time): what its polls decide on (positions,
// seats, owed attaches), as fresh as its last read or change.
func (r *Retriever) cached(ctx context.Context) (Cursors, error) {
	r.curMu.Lock()
	loaded, c := r.loaded, r.cur.Clone()
	r.curMu.Unlock()
	if loaded {
		return c, nil
	}
	return r.Cursors(ctx)
}

// update applies f to the cursors and saves them.
func (r *Retriever) update(ctx context.Context, f func(c *Cursors)) error {
	return r.updateIf(ctx, func(c *Cursors) bool { f(c); return true })
}

// updateIf applies f to the cursors as the store holds them now, never to
// the Retriever's copy, and saves the result when f reports a change: with
// the store's Update when it is a CursorUpdater (f may then run more than
// once, so it sets its results anew on each call), else by a Load and a
// Save under curMu. The result becomes the Retriever's copy.
func (r *Retriever) updateIf(ctx context.Context, f func(c *Cursors) bool) error {
	r.curMu.Lock()
	defer r.curMu.Unlock()
	// Write even if ctx was cancelled: progress already applied to the Sink
	// should not be redone needlessly.
	ctx = context.WithoutCancel(ctx)
	if u, ok := r.opt.cursors.(CursorUpdater); ok {
		c, err := u.Update(ctx, r.cfg.CustomerID, f)
		if err != nil {
			return fmt.Errorf("inmail: update cursors: %w", err)
		}
		r.cur, r.loaded = c, true
		return nil
	}
	c, err := r.opt.cursors.Load(ctx, r.cfg.CustomerID)
	if err != nil {
		return fmt.Errorf("inmail: load cursors: %w", err)
	}
	r.cur, r.loaded = c, true
	next := c.Clone()
	if !f(&next) {
		return nil
	}
	if err := r.opt.cursors.Save(ctx, r.cfg.CustomerID, next); err != nil {
		return fmt.Errorf("inmail: save cursors: %w", err)
	}
	r.cur = next
	return nil
}

// stream returns a copy of the stream of key in the map chosen by kind;
// an absent stream starts the lookback before end. A stream past end was
// saved while the clock ran ahead: it is brought back (aheadOf).
func (r *Retriever) stream(ctx context.Context, kind streamKind, key string, end int64) (*Stream, error) {
	c, err := r.cached(ctx)
	if err != nil {
		return nil, err
	}
	if s := (*c.streams(kind))[key]; s != nil {
		s.Next = r.aheadOf(ctx, key, s.Next, end)
		return s, nil
	}
	return &Stream{Next: end - r.opt.lookback.Milliseconds()}, nil
}

// aheadOf returns the position next of the stream of key, read up to end
// at most. A poll never moves a stream past the end of its window (now
// minus the lag, or for closed profiles now minus their overlap), so a
// position later than end was saved while the machine's clock ran ahead
// and has since been set back; left there, the records LinkedIn creates
// until the clock catches up, dated before it, would never be read. Like
// the sync package's watermarks, it is brought back, to the clock skew
// allowance before end (WithClockSkew): records are read again rather
// than passed over, and every Sink write is idempotent.
func (r *Retriever) aheadOf(ctx context.Context, key string, next, end int64) int64 {
	if next <= end {
		return next
	}
	back := end - r.opt.clockSkew.Milliseconds()
	r.log.WarnContext(ctx, "position ahead of the clock brought back", "stream", key, "position", next, "to", back)
	return back
}

func (r *Retriever) saveStream(ctx context.Context, kind streamKind, key string, s *Stream) error {
	return r.update(ctx, func(c *Cursors) { putStream(c, kind, key, s) })
}

// putStream sets a copy of s as the stream of key in c.
func putStream(c *Cursors, kind streamKind, key string, s *Stream) {
	m := c.streams(kind)
	if *m == nil {
		*m = map[string]*Stream{}
	}
	(*m)[key] = s.clone()
}

// errSplit, from a window's read, asks advance to read the window again in
// two halves: it holds more records than LinkedIn lists for one query.
var errSplit = errors.New("inmail: window too full to list whole")

// advance reads the stream cur of key on up to end, in windows of at most
// width milliseconds and at most maxWindows (WithMaxWindows) windows a
// poll, and saves the stream after each window, so that an interrupted
// poll resumes after the last window read. A window whose read returns
// errSplit is read again as two halves (each halved again as needed, down
// to one millisecond; these retries do not count as windows), and the
// width grows back after each window read whole. The stream never moves
// past the window end by LinkedIn's clock as the read's answers tell it
// (windowEnd): end was set before them, and on a client's first poll
// without it, so a host clock that runs ahead could have put end in
// LinkedIn's future; the records read past that are read again next poll.
func (r *Retriever) advance(ctx context.Context, kind streamKind, key string, cur *Stream, end, width int64, read func(from, to int64) error) error {
	w := width
	for i := 0; cur.Next < end && i < r.opt.maxWindows; {
		from, to := cur.Next, min(cur.Next+w, end)
		err := read(from, to)
		if errors.Is(err, errSplit) && to-cur.Next > 1 {
			w = (to - cur.Next) / 2
			continue
		}
		if err != nil {
			return err
		}
		if f := cur.Failing; f != nil && f.At >= from && f.At < to {
			cur.Failing = nil // read whole across the record's time: it went, or LinkedIn moved it
		}
		end = min(end, r.windowEnd())
		cur.Next = max(from, min(to, end)) // never back past the window just read
		if err := r.saveStream(ctx, kind, key, cur); err != nil {
			return err
		}
		i++
		w = min(2*w, width)
	}
	return nil
}

// fatal reports errors that should stop a flow at once: the end of the
// flow's own context ctx, and a spent daily quota. A Sink's own timeout or
// cancellation (its HTTP client's deadline) while ctx goes on is not: it
// is that record's failure, counted as any other (WithRecordAttempts), so
// that one record the ATS never takes in time does not stop every flow.
func fatal(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return true
	}
	var rl *rsc.RateLimitError
	return errors.As(err, &rl) && rl.Daily
}

func ms(t time.Time) int64 { return int64(rsc.Millis(t)) }

func maxWindow(a, b int64) int64 { return min(a+rsc.MaxInMailWindow, b) }
