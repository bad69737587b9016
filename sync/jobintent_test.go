package sync

import (
	"context"
	"errors"
	"testing"
	"time"
)

// flakyStore fails its failAt-th Save (1-based), after writing when landed.
type flakyStore struct {
	*MemoryStore
	n, failAt int
	landed    bool
}

func (s *flakyStore) Save(ctx context.Context, cust string, cp *Checkpoint) error {
	s.n++
	if s.n == s.failAt {
		if s.landed {
			s.MemoryStore.Save(ctx, cust, cp)
		}
		return errors.New("store down")
	}
	return s.MemoryStore.Save(ctx, cust, cp)
}

// A closed job whose CREATE intent was saved but never sent (Save landed
// then failed; same after a kill or a cancel there): the next Run settles
// it (UPDATE, UPDATE again, CREATE, CLOSE), not fails.
func TestClosedJobIntentNotSent(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now().Add(-time.Hour), 24*time.Hour, 4, 0, 0, 0) // J3 is closed
		src := g.materialize()
		store := &flakyStore{MemoryStore: NewMemoryStore(), failAt: 2, landed: true} // save 2: the intents
		if _, err := e.engine(t, src, WithStore(store)).Run(t.Context()); err == nil {
			t.Fatal("run 1: nil error, want the failed Save")
		}
		if _, err := e.engine(t, src, WithStore(store)).Run(t.Context()); err != nil {
			t.Fatalf("run 2: %v, want the jobs settled", err)
		}
		assertSame(t, src, time.Time{}, e.cust)
	})
}
