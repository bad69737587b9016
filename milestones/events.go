package milestones

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/rscgo/rscgo/internal/fsutil"
	"github.com/rscgo/rscgo/internal/option"
	"github.com/rscgo/rscgo/rsc"
)

// errNilContext is what every call of the package given a nil context
// returns, before doing anything.
var errNilContext = errors.New("milestones: nil context")

// usable is what a store checks of ctx before it starts: errNilContext for
// a nil ctx, else ctx.Err().
func usable(ctx context.Context) error {
	if ctx == nil {
		return errNilContext
	}
	return ctx.Err()
}

// Event records that a customer reached a milestone.
type Event struct {
	// Milestone is the milestone reached.
	Milestone Milestone `json:"milestone"`
	// At is when it was reached: the phase's CompletedAt (or EnabledAt for
	// milestone 1) when known, else the Tracker's clock when it observed it;
	// but never before the At of the milestone before it, which it needs (a
	// phase may complete before the previous milestone is reached).
	At time.Time `json:"at"`
	// Refused lists the records refused by the phases up to this milestone
	// when it was reached, e.g. "3 of 3 jobs" ("" when none): they are in the
	// sync engine's dead letters, not on LinkedIn. Text includes it.
	Refused string `json:"refused,omitempty"`
}

// EventStore persists milestone events per customer. Implementations must
// be safe for concurrent use. Append of a milestone the customer already has
// is a no-op (the first event is kept).
//
// A store that can also say which events it newly stored implements
// EventAppender; without it, Trackers sharing the store may each report the
// same event (see Tracker).
type EventStore interface {
	// Load returns the customer's events in the order they were appended
	// (nil, nil for an unknown customer).
	Load(ctx context.Context, customerID string) ([]Event, error)
	// Append records e for the customer durably.
	Append(ctx context.Context, customerID string, e Event) error
}

// EventAppender is an EventStore that tells which events it newly stored,
// so that Trackers sharing it (in one process or several, as far as the
// store is shared) report each event once: a Tracker whose store implements
// it reports the events its own AppendNew stored, and no others. MemoryStore,
// FileStore and the PostgreSQL store of rscgo's fleet module implement it.
type EventAppender interface {
	EventStore
	// AppendNew records durably, in order, each of evs whose milestone the
	// customer does not have yet (nor an earlier event of evs), and returns
	// those it recorded, in the order of evs. Of concurrent calls recording
	// the same customer's milestone, exactly one returns its event. With an
	// error it returns the events it recorded nonetheless (none when it
	// writes them all at once, as rscgo's stores do).
	AppendNew(ctx context.Context, customerID string, evs []Event) ([]Event, error)
}

// MemoryStore is an in-memory EventStore, for tests and single-process use.
type MemoryStore struct {
	mu     sync.Mutex
	events map[string][]Event
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{events: map[string][]Event{}} }

// Load implements EventStore.
func (m *MemoryStore) Load(ctx context.Context, customerID string) ([]Event, error) {
	if err := usable(ctx); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.events[customerID]), nil
}

// Append implements EventStore. Like FileStore, it refuses an event whose
// milestone is not 0 to LastMilestone.
func (m *MemoryStore) Append(ctx context.Context, customerID string, e Event) error {
	return appendOne(ctx, m, customerID, e)
}

// AppendNew implements EventAppender. Like FileStore, it refuses evs,
// storing none, when one's milestone is not 0 to LastMilestone.
func (m *MemoryStore) AppendNew(ctx context.Context, customerID string, evs []Event) ([]Event, error) {
	if err := usable(ctx); err != nil {
		return nil, err
	}
	for _, e := range evs {
		if _, err := e.Milestone.MarshalText(); err != nil { // FileStore's rule
			return nil, err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	added := newEvents(m.events[customerID], evs)
	m.events[customerID] = append(m.events[customerID], added...)
	return added, nil
}

// appendOne is Append of a store whose AppendNew does the work: it
// appends e alone.
func appendOne(ctx context.Context, a EventAppender, customerID string, e Event) error {
	if ctx == nil {
		return errNilContext
	}
	_, err := a.AppendNew(ctx, customerID, []Event{e})
	return err
}

// newEvents returns the events of evs whose milestone is neither in have
// nor in an earlier event of evs, in order.
func newEvents(have, evs []Event) []Event {
	var out []Event
	for _, e := range evs {
		if !has(have, e.Milestone) && !has(out, e.Milestone) {
			out = append(out, e)
		}
	}
	return out
}

func has(evs []Event, m Milestone) bool {
	return slices.ContainsFunc(evs, func(e Event) bool { return e.Milestone == m })
}

// FileStore is an EventStore keeping one JSON document per customer in a
// directory (the files are mode 0600, the directory 0700). Each Append
// rewrites the customer's document crash-safely: a crash leaves the events
// before or after it, never a torn file. It serialises the writers of one
// FileStore only: share one FileStore between the goroutines and Trackers of
// a process rather than opening the directory twice, and do not share a
// directory between processes writing the same customer.
type FileStore struct {
	dir *fsutil.Dir
	mu  sync.Mutex
}

// NewFileStore returns a FileStore keeping its files in dir, creating the
// directory when missing.
func NewFileStore(dir string) (*FileStore, error) {
	d, err := fsutil.OpenDir(dir)
	if err != nil {
		return nil, fmt.Errorf("milestones: %w", err)
	}
	return &FileStore{dir: d}, nil
}

// Load implements EventStore.
func (f *FileStore) Load(ctx context.Context, customerID string) ([]Event, error) {
	if err := usable(ctx); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.read(customerID)
}

func (f *FileStore) read(customerID string) ([]Event, error) {
	if customerID == "" {
		return nil, errors.New("milestones: empty customer ID")
	}
	var evs []Event
	if _, err := f.dir.Load(customerID, &evs); err != nil {
		return nil, fmt.Errorf("milestones: read events: %w", err)
	}
	return evs, nil
}

// Append implements EventStore.
func (f *FileStore) Append(ctx context.Context, customerID string, e Event) error {
	return appendOne(ctx, f, customerID, e)
}

// AppendNew implements EventAppender, rewriting the customer's document
// once for all of evs.
func (f *FileStore) AppendNew(ctx context.Context, customerID string, evs []Event) ([]Event, error) {
	if err := usable(ctx); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	have, err := f.read(customerID)
	if err != nil {
		return nil, err
	}
	added := newEvents(have, evs)
	if len(added) == 0 {
		return nil, nil
	}
	if err := f.dir.Save(customerID, append(have, added...)); err != nil {
		return nil, fmt.Errorf("milestones: write events: %w", err)
	}
	return added, nil
}

// Tracker turns States into milestone events, each reported once per
// customer, persisted in an EventStore so that a restart neither replays
// nor forgets them.
//
// Once per customer holds for every Tracker sharing a store that implements
// EventAppender, as far as the store is shared: one MemoryStore or FileStore
// value within a process, PostgreSQL across any number of processes. With
// any other EventStore it holds for one Tracker at a time only: Trackers
// sharing such a store may each report an event the other stored meanwhile.
type Tracker struct {
	store EventStore
	clock rsc.Clock
	mu    sync.Mutex
}

// Option configures a Tracker (NewTracker).
type Option func(*Tracker) error

// WithClock sets the clock that dates an event whose milestone has no time
// of its own (a phase completed at an unknown time). The default is
// rsc.SystemClock(). The clock must not be nil, nor hold a nil pointer
// (a nil *rsctest.FakeClock).
func WithClock(c rsc.Clock) Option {
	return func(t *Tracker) error { t.clock = c; return nil }
}

// NewTracker returns a Tracker persisting to store, which must not be nil
// nor hold a nil pointer. Nil options are skipped.
func NewTracker(store EventStore, opts ...Option) (*Tracker, error) {
	if option.NonNil("milestones", "NewTracker", store) != nil {
		return nil, errors.New("milestones: NewTracker: nil EventStore")
	}
	t := &Tracker{store: store, clock: rsc.SystemClock()}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(t); err != nil {
			return nil, err
		}
	}
	if option.NonNil("milestones", "WithClock", t.clock) != nil {
		return nil, errors.New("milestones: WithClock: nil clock")
	}
	return t, nil
}

// Events returns the customer's persisted events, sorted by milestone.
func (t *Tracker) Events(ctx context.Context, customerID string) ([]Event, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	evs, err := t.store.Load(ctx, customerID)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(evs, func(a, b Event) int { return int(a.Milestone - b.Milestone) })
	return evs, nil
}

// Observe returns the milestones s reaches that the customer had not
// reached before, in order 1..5, after persisting each. Milestones are
// monotonic: a persisted milestone (and every one before it) stays reached
// even if s has regressed, and is never returned again (not even by another
// Tracker, when the store is an EventAppender). If persisting fails
// part-way, Observe returns the events persisted so far and the error.
func (t *Tracker) Observe(ctx context.Context, customerID string, s State) ([]Event, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.observe(ctx, customerID, s)
}

func (t *Tracker) observe(ctx context.Context, customerID string, s State) ([]Event, error) {
	prev, err := t.store.Load(ctx, customerID)
	if err != nil {
		return nil, err
	}
	floor := Milestone(0)
	var after time.Time // the latest At of the milestones reached
	for _, e := range prev {
		if !e.Milestone.valid() {
			continue // a store's junk; highest ignores it too
		}
		floor = max(floor, e.Milestone)
		after = later(after, e.At)
	}
	s.Persisted = append(slices.Clone(s.Persisted), floor)
	h := highest(s)
	var evs []Event
	for m := floor + 1; m <= h; m++ {
		after = later(after, t.eventTime(s, m))
		evs = append(evs, Event{Milestone: m, At: after, Refused: refusedUpTo(s, m)})
	}
	if len(evs) == 0 {
		return nil, nil
	}
	if a, ok := t.store.(EventAppender); ok {
		// Another Tracker may have stored some of them since the Load:
		// they are its to report.
		return a.AppendNew(ctx, customerID, evs)
	}
	var out []Event
	for _, e := range evs {
		if err := t.store.Append(ctx, customerID, e); err != nil {
			return out, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Report observes s like Observe, then evaluates it with the customer's
// persisted milestones as a floor (State.Persisted), returning the report
// and the newly reached events.
func (t *Tracker) Report(ctx context.Context, customerID string, s State) (Report, []Event, error) {
	if ctx == nil {
		return Report{}, nil, errNilContext
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	evs, err := t.observe(ctx, customerID, s)
	if err != nil {
		return Report{}, evs, err
	}
	all, err := t.store.Load(ctx, customerID)
	if err != nil {
		return Report{}, evs, err
	}
	s.Persisted = slices.Clone(s.Persisted)
	for _, e := range all {
		s.Persisted = append(s.Persisted, e.Milestone)
	}
	return Evaluate(s), evs, nil
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// eventTime is the phase's CompletedAt (EnabledAt for milestone 1) when
// known, else the tracker's clock. observe keeps an event from dating
// before the milestone it follows.
func (t *Tracker) eventTime(s State, m Milestone) time.Time {
	if m == IntegrationEnabled && !s.EnabledAt.IsZero() {
		return s.EnabledAt
	}
	if p, ok := m.Phase(); ok {
		if at := s.Phases[p].CompletedAt; !at.IsZero() {
			return at
		}
	}
	return t.clock.Now()
}
