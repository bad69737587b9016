package sync

import (
	"context"
	"errors"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// crashDeadLetters fails every Delete after the first n, like a process
// dying.
type crashDeadLetters struct {
	DeadLetterStore
	n atomic.Int64
}

func (s *crashDeadLetters) Delete(ctx context.Context, customerID, key string) error {
	if s.n.Add(-1) < 0 {
		return errCrash
	}
	return s.DeadLetterStore.Delete(ctx, customerID, key)
}

// A batch that LinkedIn accepts with two records it refused before
// clears their dead letters and counts them acknowledged. The process
// dies at each step of that commit (the checkpoint's save, each letter's
// deletion, the save after them); restarted, the run ends with the counts
// and dead letters of a run that did not die.
func TestCrashWhileClearingDeadLetters(t *testing.T) {
	t.Parallel()
	const all = math.MaxInt64
	for _, tc := range []struct {
		name           string
		saves, deletes int64 // allowed before the crash
		left           int   // dead letters left after the crash
		// dryRetry is the candidates' report of a dry retry after the
		// crash: it passes over the letters the commit cleared.
		dryRetry PhaseReport
	}{
		{"at the commit's save", 0, all, 2, PhaseReport{Read: 2, Sent: 2, Batches: 1}},
		{"at the first deletion", all, 0, 2, PhaseReport{}},
		{"at the second deletion", all, 1, 1, PhaseReport{}},
		{"at the save after the deletions", 1, all, 0, PhaseReport{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T, e *env) {
				src, store, dead := fixedRefusals(t, e)
				cs, cd := &crashStore{Store: store}, &crashDeadLetters{DeadLetterStore: dead}
				cs.n.Store(tc.saves)
				cd.n.Store(tc.deletes)
				_, err := e.engine(t, src, WithStore(cs), WithDeadLetters(cd)).Run(t.Context())
				if !errors.Is(err, errCrash) {
					t.Fatalf("err = %v, want the crash", err)
				}
				if n := len(deadLetters(t, dead, "c1")); n != tc.left {
					t.Fatalf("%d dead letters after the crash, want %d", n, tc.left)
				}
				dry, err := e.engine(t, src, WithStore(store), WithDeadLetters(dead), WithDryRun(true)).RetryDeadLetters(t.Context())
				must(t, err)
				if d := cmp.Diff(tc.dryRetry, *dry.Phases[PhaseCandidates]); d != "" {
					t.Errorf("candidates of a dry retry after the crash (-want +got):\n%s", d)
				}
				rep, err := e.engine(t, src, WithStore(store), WithDeadLetters(dead)).Run(t.Context())
				must(t, err)
				want := Reconciliation{Phase: PhaseCandidates, ATSTotal: 10, Acknowledged: 10}
				if d := cmp.Diff(want, rep.Reconciliation[PhaseCandidates]); d != "" {
					t.Errorf("reconciliation after the restart (-want +got):\n%s", d)
				}
				if dl := deadLetters(t, dead, "c1"); len(dl) != 0 {
					t.Errorf("dead letters after the restart:\n%s", describeDL(dl))
				}
				cp, err := store.Load(t.Context(), "c1")
				must(t, err)
				if len(cp.Clearing) != 0 {
					t.Errorf("Clearing = %q after the restart, want none", cp.Clearing)
				}
			})
		})
	}
}

// Resync of a record whose dead letter a stopped run cleared but did not
// delete (Checkpoint.Clearing) sends the record, as it does without the
// stop: it finishes the deletes first, so that RequestResync stores a
// request rather than taking the old letter for a refusal.
func TestResyncAfterCrashBeforeClearing(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		src, store, dead := fixedRefusals(t, e)
		cd := &crashDeadLetters{DeadLetterStore: dead} // dies at the first deletion
		_, err := e.engine(t, src, WithStore(store), WithDeadLetters(cd)).Run(t.Context())
		if !errors.Is(err, errCrash) {
			t.Fatalf("err = %v, want the crash", err)
		}
		key := dlKey(KindCandidate, "", candID(4))
		rep, err := e.engine(t, src, WithStore(store), WithDeadLetters(dead)).Resync(t.Context(), key)
		if err != nil {
			t.Fatalf("Resync(%q) after the crash: %v", key, err)
		}
		if pr := rep.Phases[PhaseCandidates]; pr == nil || pr.Sent != 1 {
			t.Errorf("Resync sent %+v, want the candidate sent", pr)
		}
	})
}

// fixedRefusals runs a sync of ten candidates two of which (4 and 6) are
// refused, then fixes those two in the ATS an hour later: the next run
// clears their dead letters.
func fixedRefusals(t *testing.T, e *env) (*SliceSource, *MemoryStore, *MemoryDeadLetters) {
	t.Helper()
	g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 10, 0, 0)
	src := g.materialize()
	src.PutCandidates(g.badEmail(4), g.badEmail(6))
	store := NewMemoryStore()
	dead := NewMemoryDeadLetters()
	_, err := e.engine(t, src, WithStore(store), WithDeadLetters(dead)).Run(t.Context())
	must(t, err)
	time.Sleep(time.Hour)
	for _, i := range []int{4, 6} { // fixed
		c := g.cand(i)
		c.ModifiedAt = time.Now().Add(-time.Minute)
		src.PutCandidates(c)
	}
	return src, store, dead
}
