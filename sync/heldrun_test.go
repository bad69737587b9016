package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// Held runs (PhaseCheckpoint.Held) with the eligibility hook, rewinds and
// failed batches.

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
