// Package storetest holds conformance tests for implementations of rscgo's
// five store interfaces: sync.Store, sync.DeadLetterStore,
// onboarding.StateStore, inmail.CursorStore and milestones.EventStore. The
// same tests run against the memory, file and PostgreSQL stores; run them
// against yours:
//
//	func TestMyStore(t *testing.T) {
//		storetest.Checkpoints(t, func(t *testing.T) *MyStore { return newMyStore(t) })
//	}
//
// Each function calls newStore for an empty store, once per subtest or more.
package storetest

import (
	"context"
	"fmt"
	"slices"
	gosync "sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/inmail"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	rscsync "github.com/rscgo/rscgo/sync"
)

// at is a fixed instant, in UTC (stores keep instants, not zones).
var at = time.Date(2026, 11, 30, 8, 0, 0, 123456000, time.UTC)

// checkpoint returns a checkpoint with every phase and map filled, as
// Load returns them, and n jobs.
func checkpoint(customerID string, n int) *rscsync.Checkpoint {
	cp := &rscsync.Checkpoint{
		Version: 1, CustomerID: customerID, StartedAt: at, UpdatedAt: at.Add(time.Minute), Runs: 2,
		Phases: map[rscsync.Phase]*rscsync.PhaseCheckpoint{},
		Jobs:   map[string]rscsync.JobState{},
		Tasks:  map[string]rscsync.PendingTask{"urn:li:task:1": {JobID: "j0", Op: "CREATE", At: at, Prev: "failed"}},
	}
	for _, p := range append(rscsync.Phases(), rscsync.PhaseDeletions) {
		cp.Phases[p] = &rscsync.PhaseCheckpoint{Cursor: rscsync.Cursor{ModifiedAt: at, ID: "c" + p.String()}, Done: int64(p) + 1}
	}
	cp.Phases[rscsync.PhaseJobs].Completed = true
	cp.Phases[rscsync.PhaseJobs].CompletedAt = at
	cp.SweptAt = at
	cp.Clearing = []string{"candidate//C1", "escaped:candidate//C%00-2"}
	cp.Phases[rscsync.PhaseCandidates].Fresh = &rscsync.FreshLane{From: rscsync.Cursor{ModifiedAt: at.Add(-time.Hour)},
		Cursor:  rscsync.Cursor{ModifiedAt: at, ID: "C\x00-fresh"},
		Held:    &rscsync.HeldRun{Pos: rscsync.Cursor{ModifiedAt: at, ID: "C\xe9"}, Done: []string{"0123456789abcdef0123456789abcdef"}},
		Counted: []string{"fedcba9876543210fedcba9876543210"}}
	for i := range n {
		cp.Jobs[fmt.Sprintf("j%d", i)] = rscsync.JobState{State: "posted", Held: true}
	}
	return cp
}

// Checkpoints tests a sync.Store.
func Checkpoints[S rscsync.Store](t *testing.T, newStore func(t *testing.T) S) {
	ctx := context.Background()
	load := func(t *testing.T, s rscsync.Store, cust string) *rscsync.Checkpoint {
		t.Helper()
		cp, err := s.Load(ctx, cust)
		if err != nil {
			t.Fatalf("Load(%q): %v", cust, err)
		}
		return cp
	}
	save := func(t *testing.T, s rscsync.Store, cust string, cp *rscsync.Checkpoint) {
		t.Helper()
		if err := s.Save(ctx, cust, cp); err != nil {
			t.Fatalf("Save(%q): %v", cust, err)
		}
	}
	t.Run("unknown customer", func(t *testing.T) {
		if cp := load(t, newStore(t), "nobody"); cp != nil {
			t.Errorf("Load of an unknown customer = %+v, want nil", cp)
		}
	})
	t.Run("round trip", func(t *testing.T) {
		s := newStore(t)
		want := checkpoint("a", 3)
		save(t, s, "a", want)
		if diff := cmp.Diff(want, load(t, s, "a")); diff != "" {
			t.Errorf("Load after Save (-saved +loaded):\n%s", diff)
		}
	})
	t.Run("save replaces", func(t *testing.T) {
		s := newStore(t)
		save(t, s, "a", checkpoint("a", 5))
		want := checkpoint("a", 1)
		want.Runs = 9
		save(t, s, "a", want)
		if diff := cmp.Diff(want, load(t, s, "a")); diff != "" {
			t.Errorf("Load after two saves (-second +loaded):\n%s", diff)
		}
	})
	t.Run("store keeps no reference", func(t *testing.T) {
		s := newStore(t)
		cp := checkpoint("a", 1)
		save(t, s, "a", cp)
		cp.Jobs["late"] = rscsync.JobState{State: "intent"}
		cp.Phases[rscsync.PhaseJobs].Done = 99
		if diff := cmp.Diff(checkpoint("a", 1), load(t, s, "a")); diff != "" {
			t.Errorf("a change after Save reached the store (-saved +loaded):\n%s", diff)
		}
	})
	t.Run("cursor ids of any bytes", func(t *testing.T) {
		// A record id need not be valid UTF-8 nor free of NUL, which JSON
		// alters and PostgreSQL refuses: the engine refuses such records,
		// but its watermark passes them, and comes back as it was.
		s := newStore(t)
		want := checkpoint("a", 1)
		want.Phases[rscsync.PhaseCandidates].Cursor.ID = "C\xe9te-1"
		want.Phases[rscsync.PhaseCandidates].PassFrom = rscsync.Cursor{ModifiedAt: at, ID: "C\x00-1"}
		want.Phases[rscsync.PhaseApplications].Cursor.ID = "A%E9/\xff"
		save(t, s, "a", want)
		if diff := cmp.Diff(want, load(t, s, "a")); diff != "" {
			t.Errorf("Load after Save (-saved +loaded):\n%s", diff)
		}
	})
	t.Run("customers are separate and concurrent", func(t *testing.T) {
		s := newStore(t)
		var wg gosync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				cust := fmt.Sprintf("c%d", i)
				if err := s.Save(ctx, cust, checkpoint(cust, i)); err != nil {
					t.Errorf("Save(%q): %v", cust, err)
				}
			})
		}
		wg.Wait()
		want := map[string]*rscsync.Checkpoint{}
		for i := range 8 {
			cust := fmt.Sprintf("c%d", i)
			want[cust] = checkpoint(cust, i)
		}
		checkLoads(t, s.Load, want)
	})
}

// DeadLetters tests a sync.DeadLetterStore.
func DeadLetters[S rscsync.DeadLetterStore](t *testing.T, newStore func(t *testing.T) S) {
	ctx := context.Background()
	letter := func(kind rscsync.EntityKind, id string, attempts int) rscsync.DeadLetter {
		return rscsync.DeadLetter{Kind: kind, ID: id, Reason: "refused", Field: "title", Status: 422,
			Attempts: attempts, FirstFailedAt: at, LastFailedAt: at.Add(time.Hour)}
	}
	list := func(t *testing.T, s rscsync.DeadLetterStore, cust string) []rscsync.DeadLetter {
		t.Helper()
		var out []rscsync.DeadLetter
		for d, err := range s.List(ctx, cust) {
			if err != nil {
				t.Fatalf("List(%q): %v", cust, err)
			}
			out = append(out, d)
		}
		return out
	}
	put := func(t *testing.T, s rscsync.DeadLetterStore, cust string, ds ...rscsync.DeadLetter) {
		t.Helper()
		for _, d := range ds {
			if err := s.Put(ctx, cust, d); err != nil {
				t.Fatalf("Put(%q, %s): %v", cust, d.Key(), err)
			}
		}
	}
	t.Run("unknown customer", func(t *testing.T) {
		if got := list(t, newStore(t), "nobody"); len(got) != 0 {
			t.Errorf("List of an unknown customer = %v, want none", got)
		}
		if err := newStore(t).Delete(ctx, "nobody", "job//x"); err != nil {
			t.Errorf("Delete of an unknown dead letter: %v", err)
		}
	})
	t.Run("key order, replace, delete", func(t *testing.T) {
		s := newStore(t)
		jb, ja, cz := letter(rscsync.KindJob, "b", 1), letter(rscsync.KindJob, "a", 1), letter(rscsync.KindCandidate, "Z", 1)
		del := letter(rscsync.KindJob, "a", 1)
		del.Delete, del.Integration = true, "urn:li:integration:1"
		put(t, s, "a", jb, ja, cz, del)
		put(t, s, "b", letter(rscsync.KindJob, "other", 1))
		ja.Attempts = 2
		put(t, s, "a", ja)
		want := []rscsync.DeadLetter{cz, del, ja, jb} // byte order of Key
		if diff := cmp.Diff(want, list(t, s, "a")); diff != "" {
			t.Errorf("List (-want +got):\n%s", diff)
		}
		if err := s.Delete(ctx, "a", jb.Key()); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want[:3], list(t, s, "a")); diff != "" {
			t.Errorf("List after Delete (-want +got):\n%s", diff)
		}
	})
	t.Run("escaped ids", func(t *testing.T) {
		// The dead letters of records whose ids are not valid UTF-8 or
		// hold NUL, escaped as the engine stores them, beside the dead
		// letter of a record whose id is the escaped text of one.
		s := newStore(t)
		latin1 := letter(rscsync.KindCandidate, "C\xe9te-1", 1).Escape()
		nul := letter(rscsync.KindCandidate, "C\x00-1", 1).Escape()
		note := letter(rscsync.KindCandidateNote, "N1", 1)
		note.Parent = "C\xe9te-1"
		note = note.Escape()
		twin := letter(rscsync.KindCandidate, "C%E9te-1", 1)
		put(t, s, "a", latin1, nul, note, twin)
		want := []rscsync.DeadLetter{twin, nul, latin1, note} // byte order of Key
		got := list(t, s, "a")
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("List (-want +got):\n%s", diff)
		}
		var ids []string
		for _, d := range got {
			d = d.Unescape()
			ids = append(ids, d.Parent+"/"+d.ID)
		}
		if diff := cmp.Diff([]string{"/C%E9te-1", "/C\x00-1", "/C\xe9te-1", "C\xe9te-1/N1"}, ids); diff != "" {
			t.Errorf("ids unescaped (-want +got):\n%s", diff)
		}
		for _, d := range []rscsync.DeadLetter{latin1, nul} {
			if err := s.Delete(ctx, "a", d.Key()); err != nil {
				t.Fatal(err)
			}
		}
		if diff := cmp.Diff([]rscsync.DeadLetter{twin, note}, list(t, s, "a")); diff != "" {
			t.Errorf("List after Delete (-want +got):\n%s", diff)
		}
	})
	t.Run("break stops the iteration", func(t *testing.T) {
		s := newStore(t)
		put(t, s, "a", letter(rscsync.KindJob, "1", 1), letter(rscsync.KindJob, "2", 1))
		n := 0
		for range s.List(ctx, "a") {
			n++
			break
		}
		if n != 1 {
			t.Errorf("iterations after break = %d, want 1", n)
		}
	})
}

// OnboardingStates tests an onboarding.StateStore.
func OnboardingStates[S onboarding.StateStore](t *testing.T, newStore func(t *testing.T) S) {
	ctx := context.Background()
	active := "default"
	state := func(cust string, step onboarding.Step) *onboarding.FlowState {
		return &onboarding.FlowState{CustomerID: cust, CustomerName: "Acme", ToggledOn: true, Active: &active,
			Contracts: []onboarding.Contract{{Label: "default", ContractURN: "urn:li:contract:1", SavedAt: at}},
			Step:      step, UpdatedAt: at}
	}
	t.Run("unknown customer", func(t *testing.T) {
		checkLoads(t, newStore(t).LoadState, map[string]*onboarding.FlowState{"nobody": nil})
	})
	t.Run("round trip, replace, separate customers", func(t *testing.T) {
		s := newStore(t)
		for _, st := range []*onboarding.FlowState{state("a", onboarding.StepToggleOn), state("b", onboarding.StepSignIn), state("a", onboarding.StepChooseContract)} {
			if err := s.SaveState(ctx, st); err != nil {
				t.Fatal(err)
			}
		}
		checkLoads(t, s.LoadState, map[string]*onboarding.FlowState{
			"a": state("a", onboarding.StepChooseContract), "b": state("b", onboarding.StepSignIn)})
	})
}

// InMailCursors tests an inmail.CursorStore.
func InMailCursors[S inmail.CursorStore](t *testing.T, newStore func(t *testing.T) S) {
	ctx := context.Background()
	cursors := func(next int64) inmail.Cursors {
		return inmail.Cursors{
			Seats:   []inmail.SeatHolder{{Seat: "urn:li:seat:1", Contract: "urn:li:contract:1", Member: "urn:li:person:1"}},
			SeatsAt: next,
			InMail:  map[string]*inmail.Stream{"urn:li:seat:1": {Next: next, Pending: map[string]int64{"urn:li:person:2": 5}}},
			Closed:  &inmail.Stream{Next: next + 1},
			Exports: []string{"e1", "e2"},
		}
	}
	t.Run("unknown customer", func(t *testing.T) {
		checkLoads(t, newStore(t).Load, map[string]inmail.Cursors{"nobody": {}})
	})
	t.Run("round trip, replace, separate customers", func(t *testing.T) {
		s := newStore(t)
		for _, c := range []struct {
			cust string
			next int64
		}{{"a", 1}, {"b", 2}, {"a", 3}} {
			if err := s.Save(ctx, c.cust, cursors(c.next)); err != nil {
				t.Fatal(err)
			}
		}
		checkLoads(t, s.Load, map[string]inmail.Cursors{"a": cursors(3), "b": cursors(2)})
	})
	if _, ok := any(newStore(t)).(inmail.CursorUpdater); ok {
		t.Run("update", func(t *testing.T) { inMailUpdates(t, any(newStore(t)).(inmail.CursorUpdater), cursors(1)) })
		t.Run("concurrent updates", func(t *testing.T) {
			s := any(newStore(t)).(inmail.CursorUpdater)
			InMailConcurrentUpdates(t, s, s, s, s)
		})
	}
}

// inMailUpdates tests the Update of an inmail.CursorUpdater: f gets the
// stored cursors, a change is saved and returned, no change saves
// nothing, and other customers are left alone.
func inMailUpdates(t *testing.T, s inmail.CursorUpdater, saved inmail.Cursors) {
	ctx := context.Background()
	update := func(cust string, f func(*inmail.Cursors) bool) inmail.Cursors {
		t.Helper()
		c, err := s.Update(ctx, cust, f)
		if err != nil {
			t.Fatalf("Update(%q): %v", cust, err)
		}
		return c
	}
	if c := update("a", func(*inmail.Cursors) bool { return false }); !cmp.Equal(c, inmail.Cursors{}) {
		t.Errorf("Update of an unknown customer without a change = %+v, want the zero Cursors", c)
	}
	if err := s.Save(ctx, "b", saved); err != nil {
		t.Fatal(err)
	}
	var seen inmail.Cursors
	want := saved.Clone()
	want.Exports = append(want.Exports, "e3")
	got := update("b", func(c *inmail.Cursors) bool {
		seen = c.Clone()
		c.Exports = append(c.Exports, "e3")
		return true
	})
	if diff := cmp.Diff(saved, seen); diff != "" {
		t.Errorf("Update's f got (-saved +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Update returned (-want +got):\n%s", diff)
	}
	got = update("b", func(c *inmail.Cursors) bool { c.Exports = nil; return false })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Update without a change returned (-stored +got):\n%s", diff)
	}
	added := inmail.Cursors{Attaches: map[string]string{"C1": "urn:li:person:1"}}
	update("c", func(c *inmail.Cursors) bool { c.Attaches = added.Clone().Attaches; return true })
	checkLoads(t, s.Load, map[string]inmail.Cursors{"a": {}, "b": want, "c": added})
}

// InMailConcurrentUpdates has one goroutine per store in stores add its
// own pending exports to customer "a", who has no cursors yet, each
// through Update, and checks that none is lost. The stores hold the same
// cursors: one store given several times, or one per connection pool, as
// separate processes would have.
func InMailConcurrentUpdates(t *testing.T, stores ...inmail.CursorUpdater) {
	const each = 50
	want := map[string]inmail.PendingExport{}
	var wg gosync.WaitGroup
	for w, s := range stores {
		for i := range each {
			want[fmt.Sprintf("w%d-%d", w, i)] = inmail.PendingExport{ReceivedAt: int64(i)}
		}
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("w%d-%d", w, i)
				c, err := s.Update(context.Background(), "a", func(c *inmail.Cursors) bool {
					if c.PendingExports == nil {
						c.PendingExports = map[string]inmail.PendingExport{}
					}
					c.PendingExports[id] = inmail.PendingExport{ReceivedAt: int64(i)}
					return true
				})
				if err != nil {
					t.Errorf("Update adding %s: %v", id, err)
					return
				}
				if _, ok := c.PendingExports[id]; !ok {
					t.Errorf("Update adding %s returned cursors without it", id)
				}
			}
		})
	}
	wg.Wait()
	checkLoads(t, stores[0].Load, map[string]inmail.Cursors{"a": {PendingExports: want}})
}

// MilestoneEvents tests a milestones.EventStore.
func MilestoneEvents[S milestones.EventStore](t *testing.T, newStore func(t *testing.T) S) {
	ctx := context.Background()
	ev := func(m milestones.Milestone, refused string) milestones.Event {
		return milestones.Event{Milestone: m, At: at.Add(time.Duration(m) * time.Hour), Refused: refused}
	}
	t.Run("unknown customer", func(t *testing.T) {
		checkLoads(t, newStore(t).Load, map[string][]milestones.Event{"nobody": nil})
	})
	t.Run("append order, first event kept, separate customers", func(t *testing.T) {
		s := newStore(t)
		appends := []struct {
			cust string
			e    milestones.Event
		}{
			{"a", ev(milestones.JobSyncCompleted, "")},
			{"a", ev(milestones.IntegrationEnabled, "")},
			{"b", ev(milestones.IntegrationEnabled, "")},
			{"a", ev(milestones.JobSyncCompleted, "3 of 3 jobs")}, // already there: a no-op
		}
		for _, a := range appends {
			if err := s.Append(ctx, a.cust, a.e); err != nil {
				t.Fatal(err)
			}
		}
		checkLoads(t, s.Load, map[string][]milestones.Event{
			"a": {ev(milestones.JobSyncCompleted, ""), ev(milestones.IntegrationEnabled, "")},
			"b": {ev(milestones.IntegrationEnabled, "")},
		})
	})
	if _, ok := any(newStore(t)).(milestones.EventAppender); !ok {
		return
	}
	t.Run("AppendNew returns the events it recorded", func(t *testing.T) {
		s := any(newStore(t)).(milestones.EventAppender)
		steps := []struct {
			name string
			evs  []milestones.Event
			want []milestones.Event
		}{
			{"none", nil, nil},
			{"into an empty history", []milestones.Event{ev(1, ""), ev(2, "")}, []milestones.Event{ev(1, ""), ev(2, "")}},
			{"all known", []milestones.Event{ev(2, "1 job"), ev(1, "")}, nil},
			{"known ones skipped, the first of a milestone given twice kept",
				[]milestones.Event{ev(2, "1 job"), ev(3, "2 jobs"), ev(4, ""), ev(3, "")},
				[]milestones.Event{ev(3, "2 jobs"), ev(4, "")}},
		}
		for _, st := range steps {
			got, err := s.AppendNew(ctx, "a", st.evs)
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if diff := cmp.Diff(st.want, got); diff != "" {
				t.Errorf("%s: AppendNew returned (-want +got):\n%s", st.name, diff)
			}
		}
		checkLoads(t, s.Load, map[string][]milestones.Event{
			"a": {ev(1, ""), ev(2, ""), ev(3, "2 jobs"), ev(4, "")},
			"b": nil,
		})
	})
	t.Run("Trackers sharing the store report each event once", func(t *testing.T) {
		s := newStore(t)
		MilestoneTrackersConcurrent(t, s, s, s, s)
	})
}

// MilestoneTrackersConcurrent has one milestones.Tracker per store in
// stores observe, all at once, the same customers reach milestones 1 to 5,
// and checks that each customer's milestone is reported by one Tracker
// only, and stored once, in order. The stores hold the same events: one
// store given several times, or one per connection pool, as separate
// processes would have. Each must be an EventAppender: with a plain
// EventStore, Trackers sharing it may report an event twice.
func MilestoneTrackersConcurrent(t *testing.T, stores ...milestones.EventStore) {
	ctx := context.Background()
	s := milestones.State{Enabled: true, EnabledAt: at, Access: milestones.Access{CompanyLevel: true},
		Settings: milestones.AllSettings(), Phases: map[rscsync.Phase]milestones.PhaseProgress{}}
	var want []milestones.Event
	want = append(want, milestones.Event{Milestone: milestones.IntegrationEnabled, At: at})
	for i, p := range rscsync.Phases() {
		s.Phases[p] = milestones.PhaseProgress{Done: 1, Total: 1, Completed: true, CompletedAt: at.Add(time.Duration(i+1) * time.Hour)}
		m, _ := milestones.MilestoneOf(p)
		want = append(want, milestones.Event{Milestone: m, At: s.Phases[p].CompletedAt})
	}
	var trackers []*milestones.Tracker
	for _, st := range stores {
		tr, err := milestones.NewTracker(st)
		if err != nil {
			t.Fatal(err)
		}
		trackers = append(trackers, tr)
	}
	const customers = 20
	var mu gosync.Mutex
	reported := map[string][]milestones.Event{}
	var wg gosync.WaitGroup
	for _, tr := range trackers {
		wg.Go(func() {
			for c := range customers {
				cust := fmt.Sprintf("c%d", c)
				evs, err := tr.Observe(ctx, cust, s)
				if err != nil {
					t.Errorf("Observe %s: %v", cust, err)
					return
				}
				mu.Lock()
				reported[cust] = append(reported[cust], evs...)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for c := range customers {
		cust := fmt.Sprintf("c%d", c)
		got := slices.SortedFunc(slices.Values(reported[cust]), func(a, b milestones.Event) int { return int(a.Milestone - b.Milestone) })
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("customer %s: reported by all the Trackers (-once each +got):\n%s", cust, diff)
		}
		checkLoads(t, stores[0].Load, map[string][]milestones.Event{cust: want})
	}
}

// checkLoads checks that load returns want[c] for every customer c.
func checkLoads[V any](t *testing.T, load func(context.Context, string) (V, error), want map[string]V) {
	t.Helper()
	for cust, w := range want {
		got, err := load(context.Background(), cust)
		if err != nil {
			t.Fatalf("loading customer %s: %v", cust, err)
		}
		if diff := cmp.Diff(w, got); diff != "" {
			t.Errorf("customer %s (-saved +loaded):\n%s", cust, diff)
		}
	}
}
