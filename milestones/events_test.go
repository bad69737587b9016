package milestones

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// fixedClock is an rsc.Clock standing still at testNow.
type fixedClock struct{}

func (fixedClock) Now() time.Time                                   { return testNow }
func (fixedClock) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

func newTracker(t *testing.T, store EventStore) *Tracker {
	t.Helper()
	tr, err := NewTracker(store, WithClock(fixedClock{}))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func newFileStore(t *testing.T, dir string) *FileStore {
	t.Helper()
	fs, err := NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestTrackerOptions(t *testing.T) {
	for _, store := range []EventStore{nil, (*MemoryStore)(nil)} {
		if _, err := NewTracker(store); err == nil || err.Error() != "milestones: NewTracker: nil EventStore" {
			t.Errorf("NewTracker(%#v) error = %v", store, err)
		}
	}
	for _, tc := range []struct {
		name string
		opts []Option
		want string // "" for accepted
	}{
		{"nil clock", []Option{WithClock(nil)}, "milestones: WithClock: nil clock"},
		{"typed nil clock", []Option{WithClock((*rsctest.FakeClock)(nil))}, "milestones: WithClock: nil clock"},
		{"nil option skipped", []Option{nil, WithClock(fixedClock{}), nil}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if _, err := NewTracker(NewMemoryStore(), tc.opts...); err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("NewTracker error (-want +got):\n%s", diff)
			}
		})
	}
}

// MemoryStore refuses an event whose milestone is no milestone, as
// FileStore does, and stores none of a batch holding one.
func TestMemoryStoreRefusesInvalidMilestone(t *testing.T) {
	ctx := t.Context()
	ok := Event{Milestone: IntegrationEnabled, At: testNow}
	for _, tc := range []struct {
		name   string
		append func(*MemoryStore) error
		want   string
	}{
		{"Append 42", func(m *MemoryStore) error { return m.Append(ctx, "c", Event{Milestone: 42, At: testNow}) },
			"milestones: invalid milestone 42"},
		{"Append -1", func(m *MemoryStore) error { return m.Append(ctx, "c", Event{Milestone: -1, At: testNow}) },
			"milestones: invalid milestone -1"},
		{"AppendNew with one bad", func(m *MemoryStore) error {
			_, err := m.AppendNew(ctx, "c", []Event{ok, {Milestone: 6, At: testNow}})
			return err
		}, "milestones: invalid milestone 6"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMemoryStore()
			err := tc.append(m)
			if err == nil || err.Error() != tc.want {
				t.Errorf("err = %v, want %s", err, tc.want)
			}
			evs, err := m.Load(ctx, "c")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]Event(nil), evs); diff != "" {
				t.Errorf("stored (-want +got):\n%s", diff)
			}
		})
	}
}

// junkStore is a MemoryStore whose Load also returns junk, as a store
// of another implementation might.
type junkStore struct {
	*MemoryStore
	junk []Event
}

func (j junkStore) Load(ctx context.Context, customerID string) ([]Event, error) {
	evs, err := j.MemoryStore.Load(ctx, customerID)
	return append(slices.Clone(j.junk), evs...), err
}

// An event with an invalid milestone that a store returns is no floor:
// the milestones the state reaches are still reported.
func TestTrackerIgnoresInvalidPersistedMilestone(t *testing.T) {
	tr := newTracker(t, junkStore{NewMemoryStore(), []Event{{Milestone: 42, At: testNow.Add(time.Hour)}}})
	s := stateAt(JobSyncCompleted, Access{CompanyLevel: true}, AllSettings())
	evs, err := tr.Observe(t.Context(), "c", s)
	if err != nil {
		t.Fatal(err)
	}
	want := []Event{{Milestone: IntegrationEnabled, At: enabledAt}, {Milestone: JobSyncCompleted, At: s.Phases[rscsync.PhaseJobs].CompletedAt}}
	if diff := cmp.Diff(want, evs); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestTrackerFileStoreSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "events") // created on first Append
	const cust = "acme-1"
	tr := newTracker(t, newFileStore(t, dir))

	s := stateAt(0, Access{CompanyLevel: true, ContractLevel: true}, AllSettings())
	s.Phases = map[rscsync.Phase]PhaseProgress{}
	if evs, err := tr.Observe(ctx, cust, s); err != nil || len(evs) != 0 {
		t.Fatalf("before enablement: %v %v", evs, err)
	}

	// Enablement: milestone 1 at EnabledAt.
	s.Enabled = true
	evs, err := tr.Observe(ctx, cust, s)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]Event{{Milestone: IntegrationEnabled, At: enabledAt}}, evs); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	// The same state again reports nothing.
	if evs, err := tr.Observe(ctx, cust, s); err != nil || len(evs) != 0 {
		t.Fatalf("repeat: %v %v", evs, err)
	}

	// Job sync completes at a known time.
	jobsDone := enabledAt.Add(30 * time.Minute)
	s.Phases[rscsync.PhaseJobs] = PhaseProgress{Done: 5, Total: 5, Completed: true, CompletedAt: jobsDone}
	evs, err = tr.Observe(ctx, cust, s)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]Event{{Milestone: JobSyncCompleted, At: jobsDone}}, evs); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}

	// Restart: a new Tracker on the same directory replays nothing.
	tr = newTracker(t, newFileStore(t, dir))
	if evs, err := tr.Observe(ctx, cust, s); err != nil || len(evs) != 0 {
		t.Fatalf("after restart: %v %v", evs, err)
	}

	// Everything else completes at once; CompletedAt unknown for shortlists: the tracker's clock.
	s.Phases[rscsync.PhaseCandidates] = PhaseProgress{Completed: true, CompletedAt: jobsDone.Add(time.Hour)}
	s.Phases[rscsync.PhaseApplications] = PhaseProgress{Completed: true}
	s.Phases[rscsync.PhaseActivities] = PhaseProgress{Completed: true, CompletedAt: jobsDone.Add(3 * time.Hour)}
	evs, err = tr.Observe(ctx, cust, s)
	if err != nil {
		t.Fatal(err)
	}
	want := []Event{
		{Milestone: CandidateSyncCompleted, At: jobsDone.Add(time.Hour)},
		{Milestone: ShortlistSyncCompleted, At: testNow},
		{Milestone: ActivitySyncCompleted, At: jobsDone.Add(3 * time.Hour)},
	}
	if d := cmp.Diff(want, evs); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}

	// A regressed state (counters reset, integration toggled off) forgets nothing.
	tr = newTracker(t, newFileStore(t, dir))
	regressed := s
	regressed.Enabled = false
	regressed.Phases = nil
	if evs, err := tr.Observe(ctx, cust, regressed); err != nil || len(evs) != 0 {
		t.Fatalf("regressed: %v %v", evs, err)
	}
	all, err := tr.Events(ctx, cust)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(append([]Event{{Milestone: IntegrationEnabled, At: enabledAt}, {Milestone: JobSyncCompleted, At: jobsDone}}, want...), all); d != "" {
		t.Fatalf("persisted (-want +got):\n%s", d)
	}
	// Re-enabled with fresh counters: still at milestone 5 via the store.
	regressed.Enabled = true
	r, evs, err := tr.Report(ctx, cust, regressed)
	if err != nil || len(evs) != 0 {
		t.Fatalf("Report: %v %v", evs, err)
	}
	if r.Milestone != ActivitySyncCompleted {
		t.Fatalf("Report milestone = %v", r.Milestone)
	}
	for _, f := range r.Features {
		if !f.Enabled || f.Scope != ScopeAll {
			t.Errorf("%s: %v %v %q", f.Feature, f.Enabled, f.Scope, f.Reason)
		}
	}

	// One file, mode 0600, directory 0700.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "c-acme-1.json" {
		t.Fatalf("files: %v", entries)
	}
	fi, _ := entries[0].Info()
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v", fi.Mode().Perm())
	}
	if di, _ := os.Stat(dir); di.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v", di.Mode().Perm())
	}
	b, _ := os.ReadFile(filepath.Join(dir, "c-acme-1.json"))
	var doc struct {
		Key    string `json:"key"`
		Events []struct {
			Milestone string    `json:"milestone"`
			At        time.Time `json:"at"`
		} `json:"value"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || doc.Key != cust || len(doc.Events) != 5 || doc.Events[0].Milestone != "integration_enabled" {
		t.Fatalf("file %s: %+v %v", b, doc, err)
	}
}

func TestFileStoreCustomerIDs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	fs := newFileStore(t, dir)
	ids := []string{"../evil", "a/b", "x-41", "A", "ünï", "c-x"}
	for i, id := range ids {
		if err := fs.Append(ctx, id, Event{Milestone: Milestone(i%5 + 1), At: testNow}); err != nil {
			t.Fatal(err)
		}
	}
	for i, id := range ids {
		evs, err := fs.Load(ctx, id)
		if err != nil || len(evs) != 1 || evs[0].Milestone != Milestone(i%5+1) {
			t.Errorf("%q: %v %v", id, evs, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(ids) {
		t.Errorf("%d files for %d customers", len(entries), len(ids))
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "evil.json")); err == nil {
		t.Error("escaped the directory")
	}
	if err := fs.Append(ctx, "", Event{Milestone: 1}); err == nil {
		t.Error("empty customer ID accepted")
	}
	if evs, err := fs.Load(ctx, "unknown"); err != nil || evs != nil {
		t.Errorf("unknown customer: %v %v", evs, err)
	}
	// Appending a milestone twice keeps the first.
	_ = fs.Append(ctx, "A", Event{Milestone: 4, At: testNow.Add(time.Hour)})
	if evs, _ := fs.Load(ctx, "A"); len(evs) != 1 || !evs[0].At.Equal(testNow) {
		t.Errorf("duplicate append: %v", evs)
	}
	// A corrupt file is an error, not an empty history.
	os.WriteFile(filepath.Join(dir, "c-bad.json"), []byte("{"), 0o600)
	if _, err := fs.Load(ctx, "bad"); err == nil {
		t.Error("corrupt file loaded")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := fs.Load(cctx, "A"); err == nil {
		t.Error("cancelled context ignored")
	}
}

// TestEventTimesFollowMilestoneOrder: a milestone is reached when its phase
// has completed and the milestone before it is reached, so an event never
// dates before the one it follows, stored or new, whatever the phases'
// completion times say.
func TestEventTimesFollowMilestoneOrder(t *testing.T) {
	completed := func(at time.Time) PhaseProgress {
		return PhaseProgress{Done: 1, Total: 1, Completed: true, CompletedAt: at}
	}
	state := func(enabledAt time.Time, phases map[rscsync.Phase]PhaseProgress) State {
		return State{Enabled: true, EnabledAt: enabledAt, Access: Access{CompanyLevel: true}, Settings: AllSettings(), Phases: phases}
	}
	cases := map[string]struct {
		stored []Event
		s      State
		want   []Event
	}{
		// The enablement was seen late (EnabledAt is the status's UpdatedAt
		// when first seen enabled), after the job sync had completed.
		"enablement seen late": {
			s: state(enabledAt.Add(10*time.Minute), map[rscsync.Phase]PhaseProgress{rscsync.PhaseJobs: completed(enabledAt.Add(5 * time.Minute))}),
			want: []Event{
				{Milestone: IntegrationEnabled, At: enabledAt.Add(10 * time.Minute)},
				{Milestone: JobSyncCompleted, At: enabledAt.Add(10 * time.Minute)},
			},
		},
		// The application sync completed before the candidate sync.
		"phases out of order": {
			s: state(enabledAt, map[rscsync.Phase]PhaseProgress{
				rscsync.PhaseJobs:         completed(enabledAt.Add(time.Hour)),
				rscsync.PhaseCandidates:   completed(enabledAt.Add(3 * time.Hour)),
				rscsync.PhaseApplications: completed(enabledAt.Add(2 * time.Hour)),
			}),
			want: []Event{
				{Milestone: IntegrationEnabled, At: enabledAt},
				{Milestone: JobSyncCompleted, At: enabledAt.Add(time.Hour)},
				{Milestone: CandidateSyncCompleted, At: enabledAt.Add(3 * time.Hour)},
				{Milestone: ShortlistSyncCompleted, At: enabledAt.Add(3 * time.Hour)},
			},
		},
		// Milestone 1 is stored later than the job sync completed.
		"after a stored event": {
			stored: []Event{{Milestone: IntegrationEnabled, At: enabledAt.Add(time.Hour)}},
			s:      state(enabledAt, map[rscsync.Phase]PhaseProgress{rscsync.PhaseJobs: completed(enabledAt.Add(time.Minute))}),
			want:   []Event{{Milestone: JobSyncCompleted, At: enabledAt.Add(time.Hour)}},
		},
		// A phase completed at an unknown time is dated by the clock
		// (testNow), which the next milestone's completion may precede.
		"after the clock's time": {
			s: state(enabledAt, map[rscsync.Phase]PhaseProgress{
				rscsync.PhaseJobs:       {Completed: true},
				rscsync.PhaseCandidates: completed(enabledAt.Add(time.Hour)),
			}),
			want: []Event{
				{Milestone: IntegrationEnabled, At: enabledAt},
				{Milestone: JobSyncCompleted, At: testNow},
				{Milestone: CandidateSyncCompleted, At: testNow},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			store := NewMemoryStore()
			for _, e := range tc.stored {
				if err := store.Append(t.Context(), "c", e); err != nil {
					t.Fatal(err)
				}
			}
			evs, err := newTracker(t, store).Observe(t.Context(), "c", tc.s)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, evs); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

// TestConcurrentObserveReportsEachEventOnce: goroutines observe the same
// customer reach every milestone at once, through one Tracker or a Tracker
// each sharing one store; every milestone is reported once, in order.
func TestConcurrentObserveReportsEachEventOnce(t *testing.T) {
	ctx := context.Background()
	s := stateAt(ActivitySyncCompleted, Access{CompanyLevel: true}, AllSettings())
	want := []Milestone{1, 2, 3, 4, 5}
	cases := map[string]struct {
		store      func(t *testing.T) EventStore
		oneTracker bool
	}{
		"one Tracker, memory":             {func(*testing.T) EventStore { return NewMemoryStore() }, true},
		"a Tracker per goroutine, memory": {func(*testing.T) EventStore { return NewMemoryStore() }, false},
		"a Tracker per goroutine, file":   {func(t *testing.T) EventStore { return newFileStore(t, t.TempDir()) }, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			store := tc.store(t)
			shared := newTracker(t, store)
			var mu sync.Mutex
			var got []Milestone
			var wg sync.WaitGroup
			for range 8 {
				tr := shared
				if !tc.oneTracker {
					tr = newTracker(t, store)
				}
				wg.Go(func() {
					evs, err := tr.Observe(ctx, "c", s)
					if err != nil {
						t.Error(err)
					}
					mu.Lock()
					defer mu.Unlock()
					for _, e := range evs {
						got = append(got, e.Milestone)
					}
				})
			}
			wg.Wait()
			// Goroutines may interleave their events: each milestone once
			// is what counts, and the store's order.
			if diff := cmp.Diff(want, slices.Sorted(slices.Values(got))); diff != "" {
				t.Errorf("milestones reported (-once each +got):\n%s", diff)
			}
			all, err := store.Load(ctx, "c")
			if err != nil {
				t.Fatal(err)
			}
			var stored []Milestone
			for _, e := range all {
				stored = append(stored, e.Milestone)
			}
			if diff := cmp.Diff(want, stored); diff != "" {
				t.Errorf("milestones stored (-want +got):\n%s", diff)
			}
			if evs, err := shared.Observe(ctx, "other", stateAt(0, Access{}, rsc.ProductSettings{})); err != nil || len(evs) != 0 {
				t.Errorf("other customer: %v, %v", evs, err)
			}
		})
	}
}

// TestSimulatedSync drives a State through a whole sync, as the sync engine
// would, and checks the milestones arrive in order with the scope changes.
func TestSimulatedSync(t *testing.T) {
	ctx := context.Background()
	tr := newTracker(t, NewMemoryStore())
	s := State{Enabled: true, EnabledAt: enabledAt, Access: Access{CompanyLevel: true, ContractLevel: true},
		Settings: AllSettings(), Phases: map[rscsync.Phase]PhaseProgress{}}
	now := enabledAt
	var seen []Milestone
	scopes := map[FeatureID][]Scope{}
	record := func(evs []Event) {
		for _, e := range evs {
			seen = append(seen, e.Milestone)
			r := Evaluate(s)
			for _, f := range r.Features {
				scopes[f.Feature] = append(scopes[f.Feature], f.Scope)
			}
		}
	}
	evs, err := tr.Observe(ctx, "c", s)
	if err != nil {
		t.Fatal(err)
	}
	record(evs)
	for _, p := range rscsync.Phases() {
		for done := int64(0); done <= 100; done += 25 {
			now = now.Add(time.Minute)
			s.Phases[p] = PhaseProgress{Done: done, Total: 100, RecordsPerMinute: 25, Completed: done == 100, CompletedAt: map[bool]time.Time{true: now}[done == 100]}
			evs, err := tr.Observe(ctx, "c", s)
			if err != nil {
				t.Fatal(err)
			}
			record(evs)
		}
	}
	if !cmp.Equal(seen, []Milestone{1, 2, 3, 4, 5}) {
		t.Fatalf("milestones %v", seen)
	}
	for id, e := range expected {
		if d := cmp.Diff(e.scopes[1:], scopes[id]); d != "" {
			t.Errorf("%s scopes (-want +got):\n%s", id, d)
		}
	}
}
