package sync

import (
	"context"
	"iter"
	"net/http"
	"testing"
	"testing/synctest"
	"time"
)

// changingSource is a SliceSource whose Candidates stream, after the
// snapshot it read, yields changed again at its new position: the record
// changed in the ATS while the stream was being read, as a Source reading
// page by page sees it.
type changingSource struct {
	*SliceSource
	changed Candidate
}

func (s *changingSource) Candidates(ctx context.Context, since Cursor) iter.Seq2[Candidate, error] {
	return func(yield func(Candidate, error) bool) {
		for c, err := range s.SliceSource.Candidates(ctx, since) {
			if !yield(c, err) || err != nil {
				return
			}
		}
		if since.After(s.changed.ModifiedAt, s.changed.Record.Key.CandidateID) {
			yield(s.changed, nil)
		}
	}
}

// slowBatchOf delays the candidate write holding id by d (the bubble's
// clock), as a retried 503 would: the next batch, in flight beside it,
// could otherwise be answered first.
func slowBatchOf(id string, d time.Duration) envOpt {
	return envOpt{wrap: func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(r *http.Request) (*http.Response, error) {
			if isWrite(r, "atsCandidates") && hasQueryID(r, id) {
				time.Sleep(d)
			}
			return next.RoundTrip(r)
		})
	}}
}

// A record the Source yields again in a later batch (it changed while being
// read) waits for the batch holding its earlier version, however slow
// that batch's answer, so that the versions reach LinkedIn in stream order
// (WithInFlight(2)): the newer one is what LinkedIn keeps, and a refusal of
// the earlier version is settled before the newer version's answer clears
// it.
func TestRecordYieldedAgainLandsInOrder(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// first is the version the snapshot holds (c0 is a valid one).
		first func(g *genSource) Candidate
	}{
		{"valid then changed", func(g *genSource) Candidate { return g.cand(0) }},
		{"refused then fixed", func(g *genSource) Candidate { return g.noFirstName(0) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, slowBatchOf(candID(1), 20*time.Second))
				g := newGen(e.cust.Organization, time.Now().Add(-2*time.Hour), time.Hour, 0, 150, 0, 0)
				src := g.materialize()
				src.PutCandidates(tc.first(g))
				changed := g.cand(0)
				changed.Record.LastName = "Changed"
				changed.ModifiedAt = time.Now().Add(-time.Minute).Truncate(time.Millisecond)
				eng := e.engine(t, &changingSource{SliceSource: src, changed: changed}, WithInFlight(2), WithFreshLane(0))
				_, err := eng.Run(t.Context())
				must(t, err)
				last := ""
				for _, c := range e.cust.Candidates() {
					if c.ID == candID(0) {
						last, _ = c.Fields["lastName"].(string)
					}
				}
				if last != "Changed" {
					t.Errorf("LinkedIn holds %s with lastName %q, want the version read last, %q", candID(0), last, "Changed")
				}
				if dls := deadLetters(t, eng.DeadLetters(), "c1"); len(dls) != 0 {
					t.Errorf("dead letters left: %s", describeDL(dls))
				}
				wantDeadLettered(t, eng, PhaseCandidates, 0)
			})
		})
	}
}
