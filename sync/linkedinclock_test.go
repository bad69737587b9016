package sync

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
)

// skewedClock reads the real clock (the synctest bubble's, which the fake
// LinkedIn and the ATS keep) plus a skew: an engine host's clock set
// wrong.
type skewedClock struct{ skew time.Duration }

func (c skewedClock) Now() time.Time { return time.Now().Add(c.skew) }
func (c skewedClock) Sleep(ctx context.Context, d time.Duration) error {
	return rsc.SystemClock().Sleep(ctx, d)
}

// firstSave is a Store that keeps the deletions stream's position of the
// first checkpoint saved: the one a first run saves before it reads
// anything.
type firstSave struct {
	Store
	first *Cursor
}

func (s *firstSave) Save(ctx context.Context, id string, cp *Checkpoint) error {
	if s.first == nil {
		c := cp.Phases[PhaseDeletions].Cursor
		s.first = &c
	}
	return s.Store.Save(ctx, id, cp)
}

// TestFirstRunDeletionsStartOnLinkedInClock: a first run starts the
// deletions stream an hour before its start on the earlier of the
// engine's clock and LinkedIn's, whether the client knew LinkedIn's time
// as the run began or learns it from the run's first answers; so on an
// engine clock three hours ahead a candidate the ATS deletes ten minutes
// after the real start is still deleted from LinkedIn. A clock behind
// LinkedIn's stays the bound.
func TestFirstRunDeletionsStartOnLinkedInClock(t *testing.T) {
	for _, tc := range []struct {
		name      string
		skew      time.Duration
		warm      bool          // the client had an answer before the first run
		wantFirst time.Duration // the deletions stream's start as the first run began, from the real start
		wantStart time.Duration // and after the first run
	}{
		{"engine 3 hours ahead, told by the run", 3 * time.Hour, false, 2 * time.Hour, -time.Hour},
		{"engine 3 hours ahead, LinkedIn's time known", 3 * time.Hour, true, -time.Hour, -time.Hour},
		{"engine on time", 0, false, -time.Hour, -time.Hour},
		{"engine 3 hours behind", -3 * time.Hour, true, -4 * time.Hour, -4 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := skewedClock{tc.skew}
			inBubbleWith(t, envOpt{client: []rsc.Option{rsc.WithClock(clk)}}, func(t *testing.T, e *env) {
				ctx := t.Context()
				org := e.cust.Organization
				start := time.Now()
				if tc.warm {
					for _, err := range e.client.ClosedProfiles.List(ctx, rsc.Millis(start.Add(-time.Hour))) {
						must(t, err)
					}
				}
				src := NewSliceSource().PutCandidates(recreatedCand(org, "C1", start.Add(-4*time.Hour)))
				store := &firstSave{Store: NewMemoryStore()}
				eng, _ := e.ran(t, src, WithClock(clk), WithStore(store))
				cp, err := eng.Store().Load(ctx, "c1")
				must(t, err)
				if d := cmp.Diff(&Cursor{ModifiedAt: start.Add(tc.wantFirst)}, store.first); d != "" {
					t.Errorf("deletions start as the first run began, the real start %v (-want +got):\n%s", start.UTC(), d)
				}
				if d := cmp.Diff(Cursor{ModifiedAt: start.Add(tc.wantStart)}, cp.Phases[PhaseDeletions].Cursor); d != "" {
					t.Errorf("deletions start after the first run, the real start %v (-want +got):\n%s", start.UTC(), d)
				}
				time.Sleep(10 * time.Minute)
				src.Delete(Deletion{Kind: KindCandidate, ID: "C1", DeletedAt: time.Now(), Integration: org})
				time.Sleep(10 * time.Minute)
				rep, err := eng.Run(ctx)
				must(t, err)
				if _, ok := e.cust.Candidate("C1"); ok {
					t.Errorf("LinkedIn still holds C1, deleted in the ATS after the first run began; deletions: %+v", *rep.Phases[PhaseDeletions])
				}
			})
		})
	}
}
