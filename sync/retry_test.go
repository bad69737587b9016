package sync

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// refusal is a dead letter's key, refused field and attempts.
type refusal struct {
	Key      string
	Field    string
	Attempts int
}

func refusals(ds []DeadLetter) []refusal {
	out := []refusal{}
	for _, d := range ds {
		out = append(out, refusal{d.Key(), d.Field, d.Attempts})
	}
	return out
}

// A deletion refused before anything is sent (an integration context that
// is not the customer's, an id that is not UTF-8) is refused the same way
// when its dead letter is retried: nothing reaches LinkedIn (which would
// refuse a foreign context's whole call), and the letter stays with one
// more attempt.
func TestRetryRefusesDeletionUpFront(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		del   func(org string) Deletion
		opts  func(org string) []Option
		want  refusal
		field string
	}{{
		name: "foreign integration context",
		del: func(string) Deletion {
			return Deletion{Kind: KindCandidate, ID: "CX", DeletedAt: time.Now(), Integration: "urn:li:organization:999999"}
		},
		opts: func(org string) []Option { return []Option{WithIntegrationContexts(org)} },
		want: refusal{"delete:candidate//CX", "integrationContext", 2},
	}, {
		name: "id not UTF-8",
		del: func(org string) Deletion {
			return Deletion{Kind: KindCandidate, ID: "C\xffX", DeletedAt: time.Now(), Integration: org}
		},
		opts: func(string) []Option { return nil },
		want: refusal{"delete:escaped:candidate//C%FFX", "id", 2},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T, e *env) {
				org := e.cust.Organization
				src := NewSliceSource().PutCandidates(edgeCand(org, "C1", time.Now().Add(-time.Hour)))
				eng, _ := e.ran(t, src, tc.opts(org)...)
				time.Sleep(time.Minute)
				src.Delete(tc.del(org))
				time.Sleep(time.Minute)
				_, err := eng.Run(t.Context())
				must(t, err)
				first := tc.want
				first.Attempts = 1
				if d := cmp.Diff([]refusal{first}, refusals(deadLetters(t, eng.DeadLetters(), "c1"))); d != "" {
					t.Fatalf("dead letters after the run (-want +got):\n%s", d)
				}
				before := e.cust.Counters().Requests
				rep, err := eng.RetryDeadLetters(t.Context())
				must(t, err)
				if n := e.cust.Counters().Requests - before; n != 0 {
					t.Errorf("the retry sent %d requests", n)
				}
				if d := cmp.Diff(PhaseReport{Read: 1, Sent: 1, Refused: 1, Batches: 1}, *rep.Phases[PhaseDeletions]); d != "" {
					t.Errorf("deletions of the retry (-want +got):\n%s", d)
				}
				if d := cmp.Diff([]refusal{tc.want}, refusals(deadLetters(t, eng.DeadLetters(), "c1"))); d != "" {
					t.Errorf("dead letters after the retry (-want +got):\n%s", d)
				}
			})
		})
	}
}
