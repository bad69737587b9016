package sync

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
)

// A deletion refused before anything is sent (an integration context that
// is not the customer's, an id that is not UTF-8) is refused the same way
// when its dead letter is retried: nothing reaches LinkedIn (which would
// refuse a foreign context's whole call), and the letter stays with one
// more attempt.
func TestRetryRefusesDeletionUpFront(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		del  func(org string) Deletion
		opts func(org string) []Option
		want deadSummary
	}{{
		name: "foreign integration context",
		del: func(string) Deletion {
			return Deletion{Kind: KindCandidate, ID: "CX", DeletedAt: time.Now(), Integration: "urn:li:organization:999999"}
		},
		opts: func(org string) []Option { return []Option{WithIntegrationContexts(org)} },
		want: deadSummary{"delete:candidate//CX", "invalid integrationContext: " + foreignRule, 2, false},
	}, {
		name: "id not UTF-8",
		del: func(org string) Deletion {
			return Deletion{Kind: KindCandidate, ID: "C\xffX", DeletedAt: time.Now(), Integration: org}
		},
		opts: func(string) []Option { return nil },
		want: deadSummary{"delete:escaped:candidate//C%FFX", "invalid id: " + unstorableRule, 2, false},
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
				if d := cmp.Diff([]deadSummary{first}, summarize(deadLetters(t, eng.DeadLetters(), "c1"))); d != "" {
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
				if d := cmp.Diff([]deadSummary{tc.want}, summarize(deadLetters(t, eng.DeadLetters(), "c1"))); d != "" {
					t.Errorf("dead letters after the retry (-want +got):\n%s", d)
				}
			})
		})
	}
}

// The consent guard is asked before every batch a retry sends (the ops
// console's "retry all" may send many): revoked after the first, the retry
// stops with ErrNoConsent, the first batch committed and the other dead
// letters kept.
func TestRetryStopsWhenConsentRevoked(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 300, 0, 0)
		src := g.materialize()
		for i := range 300 {
			src.PutCandidates(g.badEmail(i))
		}
		dead := NewMemoryDeadLetters()
		_, err := e.engine(t, src, WithDeadLetters(dead)).Run(t.Context())
		must(t, err)
		if n := len(deadLetters(t, dead, "c1")); n != 300 {
			t.Fatalf("%d dead letters, want 300", n)
		}
		for i := range 300 {
			src.PutCandidates(g.cand(i)) // fixed
		}
		revoked := errors.New("integration disabled")
		var calls atomic.Int64
		eng := e.engine(t, src, WithDeadLetters(dead), WithConsent(ConsentFunc(func(context.Context, string) error {
			if calls.Add(1) > 2 { // the start check and the first batch
				return revoked
			}
			return nil
		})))
		rep, err := eng.RetryDeadLetters(t.Context())
		if !errors.Is(err, ErrNoConsent) || !errors.Is(err, revoked) {
			t.Fatalf("err = %v, want ErrNoConsent", err)
		}
		if n := calls.Load(); n != 3 {
			t.Errorf("consent asked %d times, want 3 (the start and each of two batches)", n)
		}
		if n := len(e.cust.Candidates()); n != 100 {
			t.Errorf("%d candidates on LinkedIn, want the first batch's 100", n)
		}
		if d := cmp.Diff(PhaseReport{Read: 100, Sent: 100, Acknowledged: 100, Batches: 1}, *rep.Phases[PhaseCandidates]); d != "" {
			t.Errorf("candidates of the retry (-want +got):\n%s", d)
		}
		if n := len(deadLetters(t, dead, "c1")); n != 200 {
			t.Errorf("%d dead letters, want the 200 not retried", n)
		}
	})
}

// Retrying a refused stage sends its application again, which LinkedIn
// held already (only the stage was refused): once the stage is fixed, or
// removed from the application in the ATS, the retry clears its dead
// letter and counts no new application. A stage the application no longer
// lists is no longer in the ATS: read and skipped (SkipGone).
func TestRetryOfRefusedStage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		fix   func(a *Application)
		retry PhaseReport
	}{{
		name:  "stage fixed",
		fix:   func(a *Application) { a.Stages[1].Stage = "Phone Screen" },
		retry: PhaseReport{Read: 1, Sent: 1, Acknowledged: 1, Batches: 1},
	}, {
		name: "stage removed",
		fix:  func(a *Application) { a.Stages = a.Stages[:1] },
		retry: PhaseReport{Read: 2, Sent: 1, Acknowledged: 1, Skipped: 1, Batches: 1,
			SkipReasons: map[string]int64{SkipGone: 1}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T, e *env) {
				g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 0, 3, 0)
				src := g.materialize()
				a := g.place(1)
				a.Stages[1].Stage = "Not Available" // refused
				src.PutApplications(a)
				eng, _ := e.ran(t, src)
				want := []deadSummary{{"stage/" + appID(1) + "/" + a.Stages[1].ID, `invalid stage: must not be "Not Available"`, 1, false}}
				if d := cmp.Diff(want, summarize(deadLetters(t, eng.DeadLetters(), "c1"))); d != "" {
					t.Fatalf("dead letters after the run (-want +got):\n%s", d)
				}
				tc.fix(&a)
				src.PutApplications(a)
				rep, err := eng.RetryDeadLetters(t.Context())
				must(t, err)
				if d := cmp.Diff(tc.retry, *rep.Phases[PhaseApplications]); d != "" {
					t.Errorf("applications of the retry (-want +got):\n%s", d)
				}
				if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) != 0 {
					t.Errorf("dead letters after the retry:\n%s", describeDL(dl))
				}
				recon := Reconciliation{Phase: PhaseApplications, ATSTotal: 3, Acknowledged: 3}
				if d := cmp.Diff(recon, rep.Reconciliation[PhaseApplications]); d != "" {
					t.Errorf("reconciliation after the retry (-want +got):\n%s", d)
				}
				assertSame(t, src, time.Time{}, e.cust)
			})
		})
	}
}

// A refused record that became ineligible leaves the dead letters when
// retried, and counts as ineligible in the reconciliation, as a run that
// reads it counts it, not as missing; a process dying before the retry's
// save loses neither. A record only asked for again (resync) that became
// ineligible was acknowledged already, and stays counted so.
func TestRetryOfNowIneligibleRecord(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		bad   bool // the record was refused
		crash bool // the first retry dies at its save
		recon Reconciliation
	}{
		{"refused", true, false, Reconciliation{ATSTotal: 10, Acknowledged: 9, Ineligible: 1}},
		{"refused, crash at the save", true, true, Reconciliation{ATSTotal: 10, Acknowledged: 9, Ineligible: 1}},
		{"resync requested", false, false, Reconciliation{ATSTotal: 10, Acknowledged: 10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T, e *env) {
				g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 10, 0, 0)
				src := g.materialize()
				if tc.bad {
					src.PutCandidates(g.badEmail(4))
				}
				hidden := map[string]bool{}
				eligibility := WithEligibility(func(_ context.Context, r Record) (bool, string) {
					if r.Candidate != nil && hidden[r.Candidate.Record.Key.CandidateID] {
						return false, "private candidate"
					}
					return true, ""
				})
				store, dead := NewMemoryStore(), NewMemoryDeadLetters()
				eng := e.engine(t, src, WithStore(store), WithDeadLetters(dead), eligibility)
				_, err := eng.Run(t.Context())
				must(t, err)
				if !tc.bad {
					_, err := RequestResync(t.Context(), dead, "c1", time.Now(), "candidate//"+candID(4))
					must(t, err)
				}
				hidden[candID(4)] = true
				if tc.crash {
					cs := &crashStore{Store: store}
					_, err := e.engine(t, src, WithStore(cs), WithDeadLetters(dead), eligibility).RetryDeadLetters(t.Context())
					if !errors.Is(err, errCrash) {
						t.Fatalf("err = %v, want the crash", err)
					}
					if n := len(deadLetters(t, dead, "c1")); n != 1 {
						t.Fatalf("%d dead letters after the crash, want the one", n)
					}
				}
				rep, err := eng.RetryDeadLetters(t.Context())
				must(t, err)
				want := PhaseReport{Read: 1, Skipped: 1, SkipReasons: map[string]int64{"private candidate": 1}}
				if d := cmp.Diff(want, *rep.Phases[PhaseCandidates]); d != "" {
					t.Errorf("candidates of the retry (-want +got):\n%s", d)
				}
				if dl := deadLetters(t, dead, "c1"); len(dl) != 0 {
					t.Errorf("dead letters after the retry:\n%s", describeDL(dl))
				}
				tc.recon.Phase = PhaseCandidates
				if d := cmp.Diff(tc.recon, rep.Reconciliation[PhaseCandidates]); d != "" {
					t.Errorf("reconciliation after the retry (-want +got):\n%s", d)
				}
			})
		})
	}
}

// LinkedIn keeps the version it holds of a record whose update it
// refuses (DeadLetter.Held), and the record counts once in Acknowledged:
// not again once LinkedIn accepts it fixed, whether the next run or a
// retry sends it, and no longer once the ATS deletes it. Meanwhile it
// counts in DeadLettered too.
func TestRefusedUpdateOfHeldRecordCountsOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// then follows the refusal; created is when C1 was created.
		then func(t *testing.T, eng *Engine, src *SliceSource, org string, created time.Time)
		want Reconciliation
	}{{
		name: "fixed, next run",
		then: func(t *testing.T, eng *Engine, src *SliceSource, org string, created time.Time) {
			src.PutCandidates(editedCand(org, "C1", created, time.Now()))
		},
		want: Reconciliation{Phase: PhaseCandidates, ATSTotal: 2, Acknowledged: 2},
	}, {
		name: "fixed, retried",
		then: func(t *testing.T, eng *Engine, src *SliceSource, org string, created time.Time) {
			src.PutCandidates(editedCand(org, "C1", created, time.Now()))
			rep, err := eng.RetryDeadLetters(t.Context())
			must(t, err)
			want := Reconciliation{Phase: PhaseCandidates, ATSTotal: 2, Acknowledged: 2}
			if d := cmp.Diff(want, rep.Reconciliation[PhaseCandidates]); d != "" {
				t.Errorf("reconciliation after the retry (-want +got):\n%s", d)
			}
		},
		want: Reconciliation{Phase: PhaseCandidates, ATSTotal: 2, Acknowledged: 2},
	}, {
		name: "deleted",
		then: func(t *testing.T, eng *Engine, src *SliceSource, org string, _ time.Time) {
			src.Delete(Deletion{Kind: KindCandidate, ID: "C1", DeletedAt: time.Now(), Integration: org})
		},
		want: Reconciliation{Phase: PhaseCandidates, ATSTotal: 1, Acknowledged: 1},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T, e *env) {
				org := e.cust.Organization
				created := time.Now().Add(-time.Hour)
				src := NewSliceSource().PutCandidates(editedCand(org, "C1", created, created), editedCand(org, "C2", created, created))
				eng, _ := e.ran(t, src)
				time.Sleep(time.Minute)
				bad := editedCand(org, "C1", created, time.Now())
				bad.Record.FirstName = "" // refused: LinkedIn keeps the version it holds
				src.PutCandidates(bad)
				time.Sleep(time.Minute)
				rep, err := eng.Run(t.Context())
				must(t, err)
				refused := Reconciliation{Phase: PhaseCandidates, ATSTotal: 2, Acknowledged: 2, DeadLettered: 1}
				if d := cmp.Diff(refused, rep.Reconciliation[PhaseCandidates]); d != "" {
					t.Errorf("reconciliation after the refusal (-want +got):\n%s", d)
				}
				if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) != 1 || !dl[0].Held {
					t.Errorf("dead letters %+v, want C1's, Held", dl)
				}
				time.Sleep(time.Minute)
				tc.then(t, eng, src, org, created)
				time.Sleep(time.Minute)
				rep, err = eng.Run(t.Context())
				must(t, err)
				if d := cmp.Diff(tc.want, rep.Reconciliation[PhaseCandidates]); d != "" {
					t.Errorf("reconciliation (-want +got):\n%s", d)
				}
				if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) != 0 {
					t.Errorf("dead letters left:\n%s", describeDL(dl))
				}
			})
		})
	}
}

// A record LinkedIn never held, refused by the historical pass and refused
// again after an edit (by a pass that no longer counts it as new), counts
// once LinkedIn accepts it: the second refusal keeps the first one's
// DeadLetter.Held.
func TestRecordRefusedTwiceCountsWhenFixed(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		created := time.Now().Add(-time.Hour)
		bad := func(at time.Time) Candidate {
			c := editedCand(org, "C2", created, at)
			c.Record.FirstName = ""
			return c
		}
		src := NewSliceSource().PutCandidates(editedCand(org, "C1", created, created), bad(created))
		eng, _ := e.ran(t, src)
		time.Sleep(time.Minute)
		src.PutCandidates(bad(time.Now())) // edited, refused again
		time.Sleep(time.Minute)
		_, err := eng.Run(t.Context())
		must(t, err)
		if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) != 1 || dl[0].Held || dl[0].Attempts != 2 {
			t.Errorf("dead letters %+v, want C2's, two attempts, not Held", dl)
		}
		time.Sleep(time.Minute)
		src.PutCandidates(editedCand(org, "C2", created, time.Now())) // fixed
		time.Sleep(time.Minute)
		rep, err := eng.Run(t.Context())
		must(t, err)
		want := Reconciliation{Phase: PhaseCandidates, ATSTotal: 2, Acknowledged: 2}
		if d := cmp.Diff(want, rep.Reconciliation[PhaseCandidates]); d != "" {
			t.Errorf("reconciliation (-want +got):\n%s", d)
		}
	})
}

// editedCand is a candidate created at created and last modified at t: an
// edit moves its ModifiedAt, not its CreatedAt.
func editedCand(org, id string, created, t time.Time) Candidate {
	c := recreatedCand(org, id, t)
	c.Record.CreatedAt = rsc.Millis(created)
	return c
}

// Every event of a run carries its RunID and that run's own counts: the
// first event of a RetryDeadLetters (a refusal, which reports no progress
// of its own) does not carry the previous run's counts under the retry's
// RunID, so that summing each run's last counts gives the reports' sum.
func TestProgressCountsAreTheRunsOwn(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		hour := time.Now().Add(-time.Hour)
		src := NewSliceSource()
		for i := range 10 {
			c := recreatedCand(org, fmt.Sprintf("C%d", i), hour)
			if i == 0 {
				c.Record.FirstName = "" // refused, and again by the retry
			}
			src.PutCandidates(c)
		}
		read := map[string]int64{} // each run's largest Run.Read
		eng := e.engine(t, src, WithProgress(func(p Progress) {
			if p.Phase == PhaseCandidates {
				read[p.RunID] = max(read[p.RunID], p.Run.Read)
			}
		}))
		first, err := eng.Run(t.Context())
		must(t, err)
		retry, err := eng.RetryDeadLetters(t.Context())
		must(t, err)
		var sum int64
		for _, n := range read {
			sum += n
		}
		if want := first.Phases[PhaseCandidates].Read + retry.Phases[PhaseCandidates].Read; sum != want || len(read) != 2 {
			t.Errorf("runs' Run.Read %v sum to %d, the reports to %d", read, sum, want)
		}
	})
}

// An application that lists one stage id twice (a Source breaking its
// contract) has the second refused as the client refuses a key repeated in
// a call, also when the two would go in different calls (the 100th and
// 101st stage): the dry run says so as the run does, and a retry, which
// sends the first again and has the second refused again, keeps the dead
// letter instead of clearing it for the first's success. In both families.
func TestRepeatedStageIDKeepsDeadLetter(t *testing.T) {
	long := make([]string, 99, 101)
	for i := range long {
		long[i] = fmt.Sprintf("S%02d", i)
	}
	for _, tc := range []struct {
		name   string
		stages []string
		dup    string
	}{
		{"in one call", []string{"S1", "S1"}, "S1"},
		{"across calls", append(long, "DUP", "DUP"), "DUP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inFamilies(t, func(t *testing.T, e *env, _ bool) {
				src := NewSliceSource().PutApplications(recreatedApp(e.cust.Organization, "A1", time.Now().Add(-time.Hour), tc.stages...))
				want := []Rejection{{Kind: KindStage, ID: tc.dup, Parent: "A1", Reason: "invalid id: " + rsc.RuleRepeated}}
				_, dry := e.ran(t, src, WithDryRun(true))
				if d := cmp.Diff(want, dry.Rejections); d != "" {
					t.Errorf("dry run's rejections (-want +got):\n%s", d)
				}
				eng, rep := e.ran(t, src)
				if d := cmp.Diff(want, rep.Rejections); d != "" {
					t.Errorf("run's rejections (-want +got):\n%s", d)
				}
				if got := len(e.cust.Stages()); got != len(tc.stages)-1 {
					t.Errorf("LinkedIn holds %d stages, want %d", got, len(tc.stages)-1)
				}
				type letter struct {
					Key      string
					Attempts int
				}
				letters := func() (out []letter) {
					for _, d := range deadLetters(t, eng.DeadLetters(), "c1") {
						out = append(out, letter{d.Key(), d.Attempts})
					}
					return out
				}
				if d := cmp.Diff([]letter{{"stage/A1/" + tc.dup, 1}}, letters()); d != "" {
					t.Errorf("dead letters after the run (-want +got):\n%s", d)
				}
				retry, err := eng.RetryDeadLetters(t.Context())
				must(t, err)
				if d := cmp.Diff(want, retry.Rejections); d != "" {
					t.Errorf("retry's rejections (-want +got):\n%s", d)
				}
				if d := cmp.Diff([]letter{{"stage/A1/" + tc.dup, 2}}, letters()); d != "" {
					t.Errorf("dead letters after the retry (-want +got):\n%s", d)
				}
			})
		})
	}
}
