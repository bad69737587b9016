package sync

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// One record dated in the future (clock skew, a bad import) must not hold
// the watermark there: it is sent, sent again on every pass until its time
// is no longer ahead, and reported; later changes are not skipped.
func TestFutureRecordDoesNotHideLaterChanges(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, envOpt{})
		now := time.Now()
		g := newGen(e.cust.Organization, now.Add(-time.Minute), time.Hour, 0, 10, 0, 0)
		src := g.materialize()
		future := g.cand(9)
		future.ModifiedAt = now.Add(48 * time.Hour)
		src.PutCandidates(future)
		var warned []Progress
		eng := e.engine(t, src, WithClockSkew(time.Minute), WithProgress(func(p Progress) {
			if p.Phase == PhaseCandidates && p.Run.Future > 0 {
				warned = append(warned, p)
			}
		}))
		rep, err := eng.Run(t.Context())
		must(t, err)
		if got := rep.Phases[PhaseCandidates]; got.Future != 1 || got.FutureExample != candID(9) {
			t.Errorf("first run: candidates %+v, want 1 future record (%s)", got, candID(9))
		}
		if len(warned) == 0 {
			t.Error("no progress event reported the future record")
		}
		st, err := eng.State(t.Context())
		must(t, err)
		if c := st[PhaseCandidates].Cursor; c.ModifiedAt.After(time.Now().Add(time.Minute)) {
			t.Fatalf("watermark %v is more than the skew allowance ahead of now", c)
		}

		time.Sleep(time.Hour)
		edited := g.cand(3)
		edited.ModifiedAt = time.Now()
		edited.Record.FirstName = "Edited"
		added := g.cand(42)
		added.ModifiedAt = time.Now()
		added.Record.CreatedAt, added.Record.LastModifiedAt = rsc.Millis(time.Now()), rsc.Millis(time.Now())
		src.PutCandidates(edited, added)
		rep, err = eng.Run(t.Context())
		must(t, err)
		if got := rep.Phases[PhaseCandidates]; got.Read != 3 || got.Future != 1 {
			t.Errorf("second run: candidates %+v, want the edit, the new record and the future record read", got)
		}
		held := map[string]any{}
		for _, c := range e.cust.Candidates() {
			held[c.ID] = c.Fields["firstName"]
		}
		if held[candID(3)] != "Edited" || held[candID(42)] == nil {
			t.Errorf("LinkedIn holds %s=%v and %s=%v: the later changes were skipped", candID(3), held[candID(3)], candID(42), held[candID(42)])
		}
	})
}
