package sync

import (
	"context"
	"fmt"
	"iter"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rscgo/rscgo/internal/nilctx"
)

// countingStore counts the calls that reach a Store and a DeadLetterStore.
type countingStore struct {
	Store
	DeadLetterStore
	calls atomic.Int64
}

func (s *countingStore) Load(ctx context.Context, id string) (*Checkpoint, error) {
	s.calls.Add(1)
	return s.Store.Load(ctx, id)
}

func (s *countingStore) Save(ctx context.Context, id string, cp *Checkpoint) error {
	s.calls.Add(1)
	return s.Store.Save(ctx, id, cp)
}

func (s *countingStore) Put(ctx context.Context, id string, d DeadLetter) error {
	s.calls.Add(1)
	return s.DeadLetterStore.Put(ctx, id, d)
}

func (s *countingStore) List(ctx context.Context, id string) iter.Seq2[DeadLetter, error] {
	s.calls.Add(1)
	return s.DeadLetterStore.List(ctx, id)
}

func (s *countingStore) Delete(ctx context.Context, id, key string) error {
	s.calls.Add(1)
	return s.DeadLetterStore.Delete(ctx, id, key)
}

// nilFixture is what the calls of TestNilContext are made on: an engine
// and a manager over counting stores, and stores of each kind, each
// holding one checkpoint or dead letter of customer c1.
type nilFixture struct {
	e       *env
	counted *countingStore
	eng     *Engine
	mgr     *Manager
	ms      *MemoryStore
	md      *MemoryDeadLetters
	fs      *FileStore
	fd      *FileDeadLetters
	src     *SliceSource
	dir     string
}

func newNilFixture(t *testing.T, e *env) *nilFixture {
	t.Helper()
	ctx := t.Context()
	fx := &nilFixture{e: e, ms: NewMemoryStore(), md: NewMemoryDeadLetters(), dir: t.TempDir()}
	var err error
	fx.fs, err = NewFileStore(filepath.Join(fx.dir, "checkpoints"))
	must(t, err)
	fx.fd, err = NewFileDeadLetters(filepath.Join(fx.dir, "dead"))
	must(t, err)
	cp := newCheckpoint("c1")
	dl := DeadLetter{Kind: KindCandidate, ID: "x1", Reason: "refused", Attempts: 1}
	must(t, fx.ms.Save(ctx, "c1", cp))
	must(t, fx.fs.Save(ctx, "c1", cp))
	must(t, fx.md.Put(ctx, "c1", dl))
	must(t, fx.fd.Put(ctx, "c1", dl))
	fx.src = NewSliceSource()
	fx.counted = &countingStore{Store: fx.ms, DeadLetterStore: fx.md}
	fx.eng = e.engine(t, fx.src, WithStore(fx.counted), WithDeadLetters(fx.counted))
	fx.mgr, err = NewManager(WithWorkers(1))
	must(t, err)
	must(t, fx.mgr.Add(fx.eng))
	return fx
}

// nilSnapshot is everything a call could have touched.
type nilSnapshot struct {
	StoreCalls int64
	Requests   int
	Checkpoint string
	Dead       []string
	Files      []string
}

func (fx *nilFixture) snapshot(t *testing.T) nilSnapshot {
	t.Helper()
	ctx := t.Context()
	s := nilSnapshot{StoreCalls: fx.counted.calls.Load(), Requests: len(fx.e.srv.Requests())}
	cp, err := fx.ms.Load(ctx, "c1")
	must(t, err)
	s.Checkpoint = nilctx.JSON(t, cp)
	for d, err := range fx.md.List(ctx, "c1") {
		must(t, err)
		s.Dead = append(s.Dead, d.Key())
	}
	s.Files = nilctx.Files(t, fx.dir)
	return s
}

// drainSeq returns the first error seq yields.
func drainSeq[T any](seq iter.Seq2[T, error]) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

// Every function and method of the package that takes a context refuses a
// nil one with "sync: nil context" (an iterator yields it) before touching
// a store, the Source's snapshot or LinkedIn.
func TestNilContext(t *testing.T) {
	t.Parallel()
	one := func(_ any, err error) error { return err }
	two := func(_, _ any, err error) error { return err }
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	dl := DeadLetter{Kind: KindCandidate, ID: "x2", Reason: "refused", Attempts: 1}
	for _, tc := range []struct {
		name string
		call func(ctx context.Context, fx *nilFixture) error
	}{
		{"Engine.State", func(ctx context.Context, fx *nilFixture) error { return one(fx.eng.State(ctx)) }},
		{"Engine.Run", func(ctx context.Context, fx *nilFixture) error { return one(fx.eng.Run(ctx)) }},
		{"Engine.RunSlice", func(ctx context.Context, fx *nilFixture) error { return one(fx.eng.RunSlice(ctx, 1)) }},
		{"Engine.RunSlice/WithYieldWhen", func(ctx context.Context, fx *nilFixture) error {
			yctx := WithYieldWhen(ctx, func() bool { return false })
			if yctx != nil {
				return fmt.Errorf("WithYieldWhen(nil) = %v, want nil", yctx)
			}
			return one(fx.eng.RunSlice(yctx, 1))
		}},
		{"Engine.ReconcileContent", func(ctx context.Context, fx *nilFixture) error { return one(fx.eng.ReconcileContent(ctx, 0)) }},
		{"Engine.RetryDeadLetters", func(ctx context.Context, fx *nilFixture) error { return one(fx.eng.RetryDeadLetters(ctx)) }},
		{"Engine.Resync", func(ctx context.Context, fx *nilFixture) error {
			return one(fx.eng.Resync(ctx, "candidate//k1"))
		}},
		{"Engine.RewindPhase", func(ctx context.Context, fx *nilFixture) error {
			return one(fx.eng.RewindPhase(ctx, PhaseCandidates))
		}},
		{"Manager.Run", func(ctx context.Context, fx *nilFixture) error { return one(fx.mgr.Run(ctx)) }},
		{"PhaseStatus", func(ctx context.Context, fx *nilFixture) error { return one(PhaseStatus(ctx, fx.counted, "c1")) }},
		{"RewindPhase", func(ctx context.Context, fx *nilFixture) error {
			return one(RewindPhase(ctx, fx.counted, "c1", PhaseCandidates))
		}},
		{"RequestResync", func(ctx context.Context, fx *nilFixture) error {
			return one(RequestResync(ctx, fx.counted, "c1", now, "candidate//k1"))
		}},
		{"ConsentFunc.CheckConsent", func(ctx context.Context, fx *nilFixture) error {
			return ConsentFunc(func(context.Context, string) error {
				fx.counted.calls.Add(1)
				return nil
			}).CheckConsent(ctx, "c1")
		}},
		{"MemoryStore.Load", func(ctx context.Context, fx *nilFixture) error { return one(fx.ms.Load(ctx, "c1")) }},
		{"MemoryStore.Save", func(ctx context.Context, fx *nilFixture) error {
			return fx.ms.Save(ctx, "c1", newCheckpoint("c1"))
		}},
		{"FileStore.Load", func(ctx context.Context, fx *nilFixture) error { return one(fx.fs.Load(ctx, "c1")) }},
		{"FileStore.Save", func(ctx context.Context, fx *nilFixture) error {
			return fx.fs.Save(ctx, "c2", newCheckpoint("c2"))
		}},
		{"MemoryDeadLetters.Put", func(ctx context.Context, fx *nilFixture) error { return fx.md.Put(ctx, "c1", dl) }},
		{"MemoryDeadLetters.List", func(ctx context.Context, fx *nilFixture) error { return drainSeq(fx.md.List(ctx, "c1")) }},
		{"MemoryDeadLetters.Delete", func(ctx context.Context, fx *nilFixture) error {
			return fx.md.Delete(ctx, "c1", "candidate//x1")
		}},
		{"FileDeadLetters.Put", func(ctx context.Context, fx *nilFixture) error { return fx.fd.Put(ctx, "c2", dl) }},
		{"FileDeadLetters.List", func(ctx context.Context, fx *nilFixture) error { return drainSeq(fx.fd.List(ctx, "c1")) }},
		{"FileDeadLetters.Delete", func(ctx context.Context, fx *nilFixture) error {
			return fx.fd.Delete(ctx, "c1", "candidate//x1")
		}},
		{"SliceSource.Jobs", func(ctx context.Context, fx *nilFixture) error { return drainSeq(fx.src.Jobs(ctx, Cursor{})) }},
		{"SliceSource.Candidates", func(ctx context.Context, fx *nilFixture) error {
			return drainSeq(fx.src.Candidates(ctx, Cursor{}))
		}},
		{"SliceSource.Applications", func(ctx context.Context, fx *nilFixture) error {
			return drainSeq(fx.src.Applications(ctx, Cursor{}))
		}},
		{"SliceSource.Activities", func(ctx context.Context, fx *nilFixture) error {
			return drainSeq(fx.src.Activities(ctx, Cursor{}))
		}},
		{"SliceSource.Deletions", func(ctx context.Context, fx *nilFixture) error {
			return drainSeq(fx.src.Deletions(ctx, Cursor{}))
		}},
		{"SliceSource.Totals", func(ctx context.Context, fx *nilFixture) error { return one(fx.src.Totals(ctx, time.Time{})) }},
		{"SliceSource.LookupJob", func(ctx context.Context, fx *nilFixture) error { return two(fx.src.LookupJob(ctx, "j1")) }},
		{"SliceSource.LookupCandidate", func(ctx context.Context, fx *nilFixture) error {
			return two(fx.src.LookupCandidate(ctx, "k1"))
		}},
		{"SliceSource.LookupApplication", func(ctx context.Context, fx *nilFixture) error {
			return two(fx.src.LookupApplication(ctx, "a1"))
		}},
		{"SliceSource.LookupActivity", func(ctx context.Context, fx *nilFixture) error {
			return two(fx.src.LookupActivity(ctx, KindCandidateNote, "k1", "n1"))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T, e *env) {
				fx := newNilFixture(t, e)
				nilctx.Check(t, "sync: nil context", func() nilSnapshot { return fx.snapshot(t) }, func(ctx context.Context) error { return tc.call(ctx, fx) })
			})
		})
	}
}
