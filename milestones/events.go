package milestones

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/rscgo/rscgo/internal/fsutil"
)

// Event records that a customer reached a milestone.
type Event struct {
	// Milestone is the milestone reached.
	Milestone Milestone `json:"milestone"`
	// At is when it was reached: the phase's CompletedAt (or EnabledAt for
	// milestone 1) when known, else the observing State's Now.
	At time.Time `json:"at"`
}

// EventStore persists milestone events per customer. Implementations must
// be safe for concurrent use. Append of a milestone the customer already has
// is a no-op (the first event is kept).
type EventStore interface {
	// Load returns the customer's events in the order they were appended
	// (nil, nil for an unknown customer).
	Load(ctx context.Context, customerID string) ([]Event, error)
	// Append records e for the customer durably.
	Append(ctx context.Context, customerID string, e Event) error
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
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.events[customerID]), nil
}

// Append implements EventStore.
func (m *MemoryStore) Append(ctx context.Context, customerID string, e Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !has(m.events[customerID], e.Milestone) {
		m.events[customerID] = append(m.events[customerID], e)
	}
	return nil
}

func has(evs []Event, m Milestone) bool {
	return slices.ContainsFunc(evs, func(e Event) bool { return e.Milestone == m })
}

// FileStore is an EventStore keeping one JSON file per customer in a
// directory. Each Append rewrites the file atomically (temporary file,
// fsync, rename, directory fsync) with mode 0600; the directory is created
// with mode 0700 when missing. It serialises writers within a process only;
// do not share a directory between processes writing the same customer.
type FileStore struct {
	dir string
	mu  sync.Mutex
}

// NewFileStore returns a FileStore keeping its files in dir.
func NewFileStore(dir string) *FileStore { return &FileStore{dir: dir} }

type fileDoc struct {
	CustomerID string  `json:"customerID"`
	Events     []Event `json:"events"`
}

// path maps a customer ID to a file name that is safe whatever the ID holds:
// "c-<id>.json" for IDs of [A-Za-z0-9_-], "x-<hex>.json" otherwise.
func (f *FileStore) path(customerID string) (string, error) {
	if customerID == "" {
		return "", errors.New("milestones: empty customer ID")
	}
	safe := len(customerID) <= 100
	for _, r := range customerID {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			safe = false
			break
		}
	}
	name := "c-" + customerID
	if !safe {
		name = "x-" + hex.EncodeToString([]byte(customerID))
	}
	return filepath.Join(f.dir, name+".json"), nil
}

// Load implements EventStore.
func (f *FileStore) Load(ctx context.Context, customerID string) ([]Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	doc, err := f.read(customerID)
	return doc.Events, err
}

func (f *FileStore) read(customerID string) (fileDoc, error) {
	p, err := f.path(customerID)
	if err != nil {
		return fileDoc{}, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return fileDoc{CustomerID: customerID}, nil
	}
	if err != nil {
		return fileDoc{}, fmt.Errorf("milestones: read events: %w", err)
	}
	var doc fileDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return fileDoc{}, fmt.Errorf("milestones: decode %s: %w", p, err)
	}
	if doc.CustomerID != customerID {
		return fileDoc{}, fmt.Errorf("milestones: %s belongs to customer %q, not %q", p, doc.CustomerID, customerID)
	}
	return doc, nil
}

// Append implements EventStore.
func (f *FileStore) Append(ctx context.Context, customerID string, e Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	doc, err := f.read(customerID)
	if err != nil {
		return err
	}
	if has(doc.Events, e.Milestone) {
		return nil
	}
	doc.Events = append(doc.Events, e)
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("milestones: encode events: %w", err)
	}
	p, _ := f.path(customerID)
	if err := fsutil.WriteFile(p, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("milestones: write events: %w", err)
	}
	return nil
}

// Tracker turns States into milestone events, each reported once per
// customer, persisted in an EventStore so that a restart neither replays
// nor forgets them.
type Tracker struct {
	store EventStore
	mu    sync.Mutex
}

// NewTracker returns a Tracker persisting to store.
func NewTracker(store EventStore) *Tracker { return &Tracker{store: store} }

// Events returns the customer's persisted events, sorted by milestone.
func (t *Tracker) Events(ctx context.Context, customerID string) ([]Event, error) {
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
// even if s has regressed, and is never returned again. If persisting fails
// part-way, Observe returns the events persisted so far and the error.
func (t *Tracker) Observe(ctx context.Context, customerID string, s State) ([]Event, error) {
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
	for _, e := range prev {
		floor = max(floor, e.Milestone)
	}
	s.Persisted = append(slices.Clone(s.Persisted), floor)
	h := highest(s)
	var out []Event
	for m := floor + 1; m <= h; m++ {
		e := Event{Milestone: m, At: eventTime(s, m)}
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

func eventTime(s State, m Milestone) time.Time {
	if m == IntegrationEnabled && !s.EnabledAt.IsZero() {
		return s.EnabledAt
	}
	if p, ok := m.Phase(); ok {
		if at := s.Phases[p].CompletedAt; !at.IsZero() {
			return at
		}
	}
	return s.now()
}
