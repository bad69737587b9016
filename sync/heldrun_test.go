package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
)

// Held runs (PhaseCheckpoint.Held) with the eligibility hook, rewinds,
// failed batches and failed saves.

// candNoteRun puts n candidate notes with one id ("1") on n candidates,
// all modified at one instant: a run of n records at one position.
func candNoteRun(t *testing.T, e *env, n int) *SliceSource {
	org := e.cust.Organization
	g := newGen(org, time.Now().Add(-2*time.Hour), time.Hour, 1, n, 0, 0)
	src := g.materialize()
	at := time.Now().Add(-30 * time.Minute).Truncate(time.Millisecond)
	for i := range n {
		src.PutActivities(Activity{Kind: KindCandidateNote, Candidate: rsc.CandidateKey{IntegrationContext: org, CandidateID: candID(i)},
			Note: rsc.Note{ID: "1", Note: "called", CreatedAt: rsc.Millis(at)}, ModifiedAt: at})
	}
	return src
}

// Records the eligibility hook skips in a held run are named in Held too,
// so the checkpoint counts each record of the run once, sent or skipped.
func TestHeldRunWithIneligibleRecords(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		src := candNoteRun(t, e, 150)
		eng := e.engine(t, src, WithEligibility(func(_ context.Context, r Record) (bool, string) {
			if r.Kind == KindCandidateNote {
				var i int
				fmt.Sscanf(r.Parent, "C%d", &i)
				if i%10 == 0 {
					return false, "private candidate"
				}
			}
			return true, ""
		}))
		sliced(t, eng)
		st, err := eng.State(t.Context())
		must(t, err)
		if a := st[PhaseActivities]; a.Done != 150 || a.Ineligible != 15 {
			t.Errorf("activities: Done %d, Ineligible %d; want Done 150, Ineligible 15 (150 notes, 15 ineligible)", a.Done, a.Ineligible)
		}
	})
}

// A run of more ineligible records at one position than a batch reads
// (maxReadPerBatch), sent one batch per slice: the held batches send
// nothing, but name the skipped records in Held, so the slices get through
// the run to the eligible note after it.
func TestHeldRunOfIneligibleRecords(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		g := newGen(org, time.Now().Add(-2*time.Hour), time.Hour, 1, 1, 0, 0)
		src := g.materialize()
		at := time.Now().Add(-30 * time.Minute).Truncate(time.Millisecond)
		for i := range maxReadPerBatch + 1 {
			src.PutActivities(Activity{Kind: KindCandidateNote, Candidate: rsc.CandidateKey{IntegrationContext: org, CandidateID: fmt.Sprintf("P%05d", i)},
				Note: rsc.Note{ID: "1", Note: "called", CreatedAt: rsc.Millis(at)}, ModifiedAt: at})
		}
		later := at.Add(time.Minute)
		src.PutActivities(Activity{Kind: KindCandidateNote, Candidate: rsc.CandidateKey{IntegrationContext: org, CandidateID: candID(0)},
			Note: rsc.Note{ID: "2", Note: "called", CreatedAt: rsc.Millis(later)}, ModifiedAt: later})
		eng := e.engine(t, src, WithEligibility(func(_ context.Context, r Record) (bool, string) {
			if strings.HasPrefix(r.Parent, "P") {
				return false, "private candidate"
			}
			return true, ""
		}))
		sliced(t, eng)
		if got := fakeState(e.cust).CandNotes; !slices.Equal(got, []string{candID(0) + "/2"}) {
			t.Errorf("LinkedIn holds candidate notes %v, want the eligible note 2 only", got)
		}
	})
}

// RewindPhase clears PhaseCheckpoint.Held: the rewound pass sends every
// record of a held run again.
func TestRewindClearsHeld(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		src := candNoteRun(t, e, 150)
		eng := e.engine(t, src)
		for n := 0; ; n++ {
			if n == 50 {
				t.Fatal("no held run")
			}
			_, err := eng.RunSlice(t.Context(), 1)
			var y *YieldError
			if errors.As(err, &y) {
				time.Sleep(time.Until(y.Until) + time.Millisecond)
			} else if !errors.Is(err, ErrYield) {
				t.Fatalf("RunSlice: %v", err)
			}
			cp, err := eng.cfg.store.Load(t.Context(), "c1")
			must(t, err)
			if cp.Phases[PhaseActivities].Held != nil {
				break
			}
		}
		if _, err := eng.RewindPhase(t.Context(), PhaseActivities); err != nil {
			t.Fatal(err)
		}
		rep, err := eng.Run(t.Context())
		must(t, err)
		if p := rep.Phases[PhaseActivities]; p.Read != 150 || p.Sent != 150 {
			t.Errorf("activities after RewindPhase: read %d, sent %d; want all 150 sent again", p.Read, p.Sent)
		}
	})
}

// A save that fails at any point of a pass through a held run (101 notes
// at one position, one more than a batch), or of the next run, which
// sends a candidate's edit and the deletions of a note of the run and of
// its candidate: once runs go on until one succeeds, LinkedIn holds what
// the ATS holds, and the reconciliation counts every record once.
func TestSaveFailureAroundHeldRun(t *testing.T) {
	t.Parallel()
	var total int64
	t.Run("baseline", func(t *testing.T) { total = heldRunSaveFailure(t, 0) })
	for n := int64(1); n <= total; n++ {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			heldRunSaveFailure(t, n)
		})
	}
}

// heldRunSaveFailure is TestSaveFailureAroundHeldRun with its nth save
// failing (0: none). It returns the number of saves.
func heldRunSaveFailure(t *testing.T, n int64) int64 {
	var saves int64
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, envOpt{})
		org := e.cust.Organization
		src := candNoteRun(t, e, 101)
		st := &failingStore{MemoryStore: NewMemoryStore()}
		st.n.Store(n)
		eng := e.engine(t, src, WithStore(st), WithInFlight(2))
		run := func() {
			t.Helper()
			for range 5 {
				_, err := eng.Run(t.Context())
				if err == nil {
					return
				}
				if !errors.Is(err, errInjected) {
					t.Fatal(err)
				}
			}
			t.Fatal("never finished")
		}
		run()
		time.Sleep(time.Minute)
		c, _, err := src.LookupCandidate(t.Context(), candID(7))
		must(t, err)
		c.ModifiedAt, c.Record.FirstName = time.Now(), "Edited"
		src.PutCandidates(c)
		src.Delete(Deletion{Kind: KindCandidateNote, ID: "1", Parent: candID(4), DeletedAt: time.Now(), Integration: org})
		src.Delete(Deletion{Kind: KindCandidate, ID: candID(4), DeletedAt: time.Now(), Integration: org})
		time.Sleep(time.Minute)
		run()
		saves = st.saves.Load()
		if n > 0 && !st.failed.Load() {
			return
		}
		rep, err := eng.Run(t.Context())
		must(t, err)
		assertSame(t, src, time.Time{}, e.cust)
		want := []Reconciliation{{Phase: PhaseJobs, ATSTotal: 1, Acknowledged: 1},
			{Phase: PhaseCandidates, ATSTotal: 100, Acknowledged: 100}, {Phase: PhaseApplications},
			{Phase: PhaseActivities, ATSTotal: 100, Acknowledged: 100}}
		if d := cmp.Diff(want, rep.Reconciliation); d != "" {
			t.Errorf("reconciliation (-want +got):\n%s", d)
		}
	})
	return saves
}
