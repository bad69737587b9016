package milestones

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/rscgo/rscgo/internal/nilctx"
)

// countingStore counts the calls that reach an EventAppender.
type countingStore struct {
	*MemoryStore
	calls atomic.Int64
}

func (s *countingStore) Load(ctx context.Context, id string) ([]Event, error) {
	s.calls.Add(1)
	return s.MemoryStore.Load(ctx, id)
}

func (s *countingStore) Append(ctx context.Context, id string, e Event) error {
	s.calls.Add(1)
	return s.MemoryStore.Append(ctx, id, e)
}

func (s *countingStore) AppendNew(ctx context.Context, id string, evs []Event) ([]Event, error) {
	s.calls.Add(1)
	return s.MemoryStore.AppendNew(ctx, id, evs)
}

// Every method of the package that takes a context refuses a nil one with
// "milestones: nil context" before reading or writing a store.
func TestNilContext(t *testing.T) {
	t.Parallel()
	one := func(_ any, err error) error { return err }
	two := func(_, _ any, err error) error { return err }
	reached := State{Enabled: true, EnabledAt: testNow, Access: Access{CompanyLevel: true}}
	ev := Event{Milestone: 2, At: testNow}
	type fixture struct {
		counted *countingStore
		fs      *FileStore
		tr      *Tracker
	}
	for _, tc := range []struct {
		name string
		call func(ctx context.Context, fx *fixture) error
	}{
		{"Tracker.Events", func(ctx context.Context, fx *fixture) error { return one(fx.tr.Events(ctx, "c1")) }},
		{"Tracker.Observe", func(ctx context.Context, fx *fixture) error { return one(fx.tr.Observe(ctx, "c1", reached)) }},
		{"Tracker.Report", func(ctx context.Context, fx *fixture) error { return two(fx.tr.Report(ctx, "c1", reached)) }},
		{"MemoryStore.Load", func(ctx context.Context, fx *fixture) error {
			return one(fx.counted.MemoryStore.Load(ctx, "c1"))
		}},
		{"MemoryStore.Append", func(ctx context.Context, fx *fixture) error {
			return fx.counted.MemoryStore.Append(ctx, "c1", ev)
		}},
		{"MemoryStore.AppendNew", func(ctx context.Context, fx *fixture) error {
			return one(fx.counted.MemoryStore.AppendNew(ctx, "c1", []Event{ev}))
		}},
		{"FileStore.Load", func(ctx context.Context, fx *fixture) error { return one(fx.fs.Load(ctx, "c1")) }},
		{"FileStore.Append", func(ctx context.Context, fx *fixture) error { return fx.fs.Append(ctx, "c1", ev) }},
		{"FileStore.AppendNew", func(ctx context.Context, fx *fixture) error {
			return one(fx.fs.AppendNew(ctx, "c2", []Event{ev}))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			fx := &fixture{counted: &countingStore{MemoryStore: NewMemoryStore()}, fs: newFileStore(t, dir)}
			fx.tr = newTracker(t, fx.counted)
			first := Event{Milestone: 1, At: testNow}
			if err := fx.counted.MemoryStore.Append(t.Context(), "c1", first); err != nil {
				t.Fatal(err)
			}
			if err := fx.fs.Append(t.Context(), "c1", first); err != nil {
				t.Fatal(err)
			}
			snapshot := func() string {
				evs, err := fx.counted.MemoryStore.Load(t.Context(), "c1")
				if err != nil {
					t.Fatal(err)
				}
				s := fmt.Sprintf("store calls %d, events %s", fx.counted.calls.Load(), nilctx.JSON(t, evs))
				for _, f := range nilctx.Files(t, dir) {
					s += "\n" + f
				}
				return s
			}
			nilctx.Check(t, "milestones: nil context", snapshot, func(ctx context.Context) error { return tc.call(ctx, fx) })
		})
	}
}
