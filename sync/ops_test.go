package sync

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// deadSummary is a dead letter without its times.
type deadSummary struct {
	Key       string
	Reason    string
	Attempts  int
	Requested bool
}

func summarize(ds []DeadLetter) []deadSummary {
	out := []deadSummary{}
	for _, d := range ds {
		out = append(out, deadSummary{d.Key(), d.Reason, d.Attempts, d.Requested})
	}
	return out
}

// events collects the progress events of the given kinds.
type events struct{ got []Progress }

func (ev *events) of(kinds ...ProgressKind) func(Progress) {
	return func(p Progress) {
		for _, k := range kinds {
			if p.Kind == k {
				ev.got = append(ev.got, p)
			}
		}
	}
}

const (
	badEmail = "invalid emailAddresses[0]: must match X@X.X"
	badURL   = "invalid externalProfileUrl: must be an absolute http(s) URL"
)

// RetryDeadLetters with keys sends exactly those records again: the one
// LinkedIn now accepts leaves the store, the one refused again keeps its
// letter with the new reason and one more attempt, the others are not
// touched. Each refusal and each re-sent batch is an event.
func TestRetryDeadLettersByKey(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 0, 20, 0, 0)
		src := g.materialize()
		src.PutCandidates(g.badEmail(3), g.badEmail(5), g.badEmail(7))
		var ev events
		eng := e.engine(t, src, WithProgress(ev.of(ProgressDeadLetter, ProgressResent)))
		_, err := eng.Run(t.Context())
		must(t, err)
		ev.got = nil
		src.PutCandidates(g.cand(3)) // fixed
		broken := g.cand(5)          // another mistake
		broken.Record.ExternalProfileURL = "nowhere"
		src.PutCandidates(broken)
		rep, err := eng.RetryDeadLetters(t.Context(), "candidate//"+candID(3), "candidate//"+candID(5))
		must(t, err)
		want := []deadSummary{
			{"candidate//" + candID(5), badURL, 2, false},
			{"candidate//" + candID(7), badEmail, 1, false},
		}
		if d := cmp.Diff(want, summarize(deadLetters(t, eng.DeadLetters(), "c1"))); d != "" {
			t.Errorf("dead letters (-want +got):\n%s", d)
		}
		if d := cmp.Diff(PhaseReport{Read: 2, Sent: 2, Acknowledged: 1, Refused: 1, Batches: 1},
			*rep.Phases[PhaseCandidates], cmpopts.IgnoreFields(PhaseReport{}, "SkipReasons")); d != "" {
			t.Errorf("report (-want +got):\n%s", d)
		}
		type event struct {
			Kind   ProgressKind
			Phase  Phase
			Key    string
			Reason string
			Resent int64
		}
		var got []event
		for _, p := range ev.got {
			x := event{Kind: p.Kind, Phase: p.Phase, Resent: p.Resent}
			if p.DeadLetter != nil {
				x.Key, x.Reason = p.DeadLetter.Key(), p.DeadLetter.Reason
			}
			got = append(got, x)
		}
		wantEv := []event{
			{ProgressDeadLetter, PhaseCandidates, "candidate//" + candID(5), badURL, 0},
			{ProgressResent, PhaseCandidates, "", "", 2},
		}
		if d := cmp.Diff(wantEv, got); d != "" {
			t.Errorf("events (-want +got):\n%s", d)
		}
		wantDeadLettered(t, eng, PhaseCandidates, 2)
	})
}

// A dead letter whose record the ATS no longer holds, or which is now
// ineligible, leaves the store on retry and shows in the report as read and
// skipped with its reason: nothing leaves the store unreported.
func TestRetryDeadLettersOfGoneAndIneligibleRecords(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 0, 10, 0, 0)
		src := g.materialize()
		src.PutCandidates(g.badEmail(2), g.badEmail(4), g.badEmail(6))
		hidden := map[string]bool{}
		eng := e.engine(t, src, WithEligibility(func(_ context.Context, r Record) (bool, string) {
			if r.Candidate != nil && hidden[r.Candidate.Record.Key.CandidateID] {
				return false, "private candidate"
			}
			return true, ""
		}))
		_, err := eng.Run(t.Context())
		must(t, err)
		src.Delete(Deletion{Kind: KindCandidate, ID: candID(2), DeletedAt: time.Now()})
		hidden[candID(4)] = true
		rep, err := eng.RetryDeadLetters(t.Context())
		must(t, err)
		want := PhaseReport{Read: 3, Sent: 1, Refused: 1, Skipped: 2, Batches: 1,
			SkipReasons: map[string]int64{SkipGone: 1, "private candidate": 1}}
		if d := cmp.Diff(want, *rep.Phases[PhaseCandidates]); d != "" {
			t.Errorf("report (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]deadSummary{{"candidate//" + candID(6), badEmail, 2, false}},
			summarize(deadLetters(t, eng.DeadLetters(), "c1"))); d != "" {
			t.Errorf("dead letters (-want +got):\n%s", d)
		}
		wantDeadLettered(t, eng, PhaseCandidates, 1)
	})
}

// A key the store does not hold fails the retry before anything is sent.
func TestRetryDeadLettersUnknownKey(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 0, 3, 0, 0)
		_, _, eng, _ := e.synced(t, g)
		before := e.cust.Counters().Requests
		_, err := eng.RetryDeadLetters(t.Context(), "candidate//nope", "candidate//"+candID(1))
		var nf *DeadLetterNotFoundError
		if !errors.As(err, &nf) {
			t.Fatalf("err = %v, want a *DeadLetterNotFoundError", err)
		}
		if d := cmp.Diff(&DeadLetterNotFoundError{CustomerID: "c1", Keys: []string{"candidate//nope", "candidate//" + candID(1)}}, nf); d != "" {
			t.Errorf("error (-want +got):\n%s", d)
		}
		if after := e.cust.Counters().Requests; after != before {
			t.Errorf("%d requests sent", after-before)
		}
	})
}

// Resync sends one record again, read again from the Source, although its
// modification time did not move; LinkedIn's copy changes, the counts do
// not, and no dead letter is left.
func TestResyncSendsOneRecord(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 0, 5, 0, 0)
		src := g.materialize()
		var ev events
		eng := e.engine(t, src, WithProgress(ev.of(ProgressResent)))
		_, err := eng.Run(t.Context())
		must(t, err)
		c := g.cand(2)
		c.Record.FirstName = "Zoe"
		src.PutCandidates(c)
		key := "candidate//" + candID(2)
		_, err = RequestResync(t.Context(), eng.DeadLetters(), "c1", time.Now(), key)
		must(t, err)
		// A queued record is no refusal: the reconciliations count it held
		// and check its content.
		rep, err := eng.Run(t.Context())
		must(t, err)
		if x := rep.Reconciliation[PhaseCandidates]; x.DeadLettered != 0 || x.Missing != 0 {
			t.Errorf("candidates' reconciliation with a resync queued: %+v", x)
		}
		content, err := eng.ReconcileContent(t.Context(), 0)
		must(t, err)
		if d := cmp.Diff([]Stale{{Key: key, Fields: []string{"firstName"}}}, content.Kinds[0].StaleRecords); d != "" {
			t.Errorf("stale before the resync (-want +got):\n%s", d)
		}
		_, err = eng.Resync(t.Context(), key)
		must(t, err)
		names := map[string]string{}
		for _, x := range e.cust.Candidates() {
			names[x.ID], _ = x.Fields["firstName"].(string)
		}
		want := map[string]string{candID(0): "Ann", candID(1): "Ann", candID(2): "Zoe", candID(3): "Ann", candID(4): "Ann"}
		if d := cmp.Diff(want, names); d != "" {
			t.Errorf("LinkedIn's first names (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]deadSummary{}, summarize(deadLetters(t, eng.DeadLetters(), "c1"))); d != "" {
			t.Errorf("dead letters (-want +got):\n%s", d)
		}
		if d := cmp.Diff(phaseCounts{Done: 5, Acknowledged: 5}, countsOf(t, eng, PhaseCandidates)); d != "" {
			t.Errorf("candidates' counts (-want +got):\n%s", d)
		}
		if len(ev.got) != 1 || ev.got[0].Resent != 1 {
			t.Errorf("resent events %+v, want one of 1 record", ev.got)
		}
	})
}

// phaseCounts are a phase checkpoint's counts.
type phaseCounts struct{ Done, Incremental, Acknowledged, DeadLettered, Ineligible int64 }

func countsOf(t testing.TB, eng *Engine, p Phase) phaseCounts {
	t.Helper()
	cp, err := eng.Store().Load(t.Context(), eng.CustomerID())
	must(t, err)
	pc := cp.Phases[p]
	return phaseCounts{pc.Done, pc.Incremental, pc.Acknowledged, pc.DeadLettered, pc.Ineligible}
}

// RewindPhase sends one phase again from the window's start on the next
// run, keeping the other phases; the records sent again are not counted
// twice. Deletions cannot be rewound, nor a customer that never ran.
func TestRewindPhase(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 2, 5, 3, 0)
		_, src, eng, _ := e.synced(t, g)
		before, err := eng.Store().Load(t.Context(), "c1")
		must(t, err)
		c := g.cand(4)
		c.Record.FirstName = "Zoe" // its modification time does not move
		src.PutCandidates(c)
		cp, err := eng.RewindPhase(t.Context(), PhaseCandidates)
		must(t, err)
		want := *before.Phases[PhaseCandidates]
		want.Cursor, want.PassFrom, want.InPass = Cursor{ModifiedAt: before.WindowFrom}, before.Phases[PhaseCandidates].Cursor, true
		if d := cmp.Diff(want, *cp.Phases[PhaseCandidates]); d != "" {
			t.Errorf("rewound phase (-want +got):\n%s", d)
		}
		for _, p := range []Phase{PhaseJobs, PhaseApplications, PhaseActivities, PhaseDeletions} {
			if d := cmp.Diff(before.Phases[p], cp.Phases[p]); d != "" {
				t.Errorf("%s changed (-want +got):\n%s", p, d)
			}
		}
		rep, err := eng.Run(t.Context())
		must(t, err)
		if got := rep.Phases[PhaseCandidates].Sent; got != 5 {
			t.Errorf("%d candidates sent again, want 5", got)
		}
		if got := rep.Phases[PhaseApplications].Sent; got != 0 {
			t.Errorf("%d applications sent again, want 0", got)
		}
		for _, x := range e.cust.Candidates() {
			if x.ID == candID(4) && x.Fields["firstName"] != "Zoe" {
				t.Errorf("LinkedIn's %s is named %v, want Zoe", x.ID, x.Fields["firstName"])
			}
		}
		if d := cmp.Diff(phaseCounts{Done: 5, Incremental: 5, Acknowledged: 5}, countsOf(t, eng, PhaseCandidates)); d != "" {
			t.Errorf("candidates' counts (-want +got):\n%s", d)
		}
		if _, err := RewindPhase(t.Context(), eng.Store(), "c1", PhaseDeletions); err == nil {
			t.Error("deletions rewound")
		}
		if _, err := RewindPhase(t.Context(), eng.Store(), "nobody", PhaseJobs); !errors.Is(err, ErrNoCheckpoint) {
			t.Errorf("a customer without checkpoint: %v, want ErrNoCheckpoint", err)
		}
	})
}

// A wait in the client's per-minute pacing is announced before it starts:
// what the engine waits for (the resource's quota) and until when, as a
// progress event and an Info log line.
func TestPacingWaitsAreAnnounced(t *testing.T) {
	inBubbleWith(t, envOpt{client: []rsc.Option{rsc.WithLimits(rsc.Limits{SyncRecordsPerMinute: 200})}}, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 300, 0, 0)
		start := time.Now()
		type wait struct {
			What        string
			Phase       Phase
			After       time.Duration // WaitUntil after the start
			Done, Total int64         // the phase's counts at its previous event
		}
		var waits []wait
		var log bytes.Buffer
		eng := e.engine(t, g.materialize(), WithInFlight(1), WithLogger(slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{
			ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			}}))),
			WithProgress(func(p Progress) {
				if p.Kind == ProgressWaiting {
					waits = append(waits, wait{p.Waiting, p.Phase, p.WaitUntil.Sub(start), p.Done, p.Total})
				}
			}))
		_, err := eng.Run(t.Context())
		must(t, err)
		what := "LinkedIn's per-minute quota of atsCandidates (100 records), paced by the client"
		want := []wait{{what, PhaseCandidates, 30 * time.Second, 100, 300}, {what, PhaseCandidates, time.Minute, 200, 300}}
		if d := cmp.Diff(want, waits); d != "" {
			t.Errorf("waits announced (-want +got):\n%s", d)
		}
		line := `level=INFO msg="sync: waiting" customer=c1 phase="Candidate Sync" for="` + what + `" until=2000-01-01T00:00:30.000Z`
		if !strings.Contains(log.String(), line) {
			t.Errorf("log lacks %s:\n%s", line, log.String())
		}
	})
}

// Each job task LinkedIn finishes is an event with its operation, status
// and the time from its submission to the poll that saw it finished.
func TestJobTaskEvents(t *testing.T) {
	inBubbleWith(t, envOpt{server: []rsctest.Option{rsctest.WithJobTaskLatency(2)}}, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 3, 0, 0, 0)
		var ev events
		eng := e.engine(t, g.materialize(), WithTaskPollInterval(10*time.Second), WithProgress(ev.of(ProgressJobTask)))
		_, err := eng.Run(t.Context())
		must(t, err)
		var got []JobTaskDone
		for _, p := range ev.got {
			if p.Phase != PhaseJobs || p.CustomerID != "c1" {
				t.Errorf("event %+v", p)
			}
			got = append(got, *p.JobTask)
		}
		done := JobTaskDone{Op: "CREATE", Status: "SUCCEEDED", Latency: 20 * time.Second} // two polls answer "in progress"
		if d := cmp.Diff([]JobTaskDone{done, done, done}, got); d != "" {
			t.Errorf("job tasks (-want +got):\n%s", d)
		}
	})
}

// ParseDeadLetterKey is the inverse of DeadLetter.Key and refuses what is
// not a key.
func TestParseDeadLetterKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		key     string
		want    DeadLetter
		wantErr bool
	}{
		{key: "candidate//c1", want: DeadLetter{Kind: KindCandidate, ID: "c1"}},
		{key: "stage/a1/s1", want: DeadLetter{Kind: KindStage, Parent: "a1", ID: "s1"}},
		{key: "candidateNote/c1/n/1", want: DeadLetter{Kind: KindCandidateNote, Parent: "c1", ID: "n/1"}},
		{key: "delete:job//j1", want: DeadLetter{Kind: KindJob, ID: "j1", Delete: true}},
		{key: "c1", wantErr: true},
		{key: "candidate//", wantErr: true},
		{key: "person//p1", wantErr: true},
		{key: "candidate/x/c1", wantErr: true},
		{key: "stage//s1", wantErr: true},
	} {
		t.Run(tc.key, func(t *testing.T) {
			got, err := ParseDeadLetterKey(tc.key)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if err == nil && got.Key() != tc.key {
				t.Errorf("Key() = %q, want %q", got.Key(), tc.key)
			}
		})
	}
}

// A run counts the dead letters from the store when it starts: a process
// that stopped between a dead-letter write and the checkpoint's commit
// leaves no lasting error in DeadLettered.
func TestDeadLetteredRecountedFromTheStore(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 0, 10, 0, 0)
		src := g.materialize()
		src.PutCandidates(g.badEmail(2), g.badEmail(4))
		eng, _ := e.ran(t, src)
		wantDeadLettered(t, eng, PhaseCandidates, 2)
		// As if a process died after clearing a dead letter, before its
		// checkpoint said so.
		must(t, eng.DeadLetters().Delete(t.Context(), "c1", "candidate//"+candID(2)))
		_, err := eng.Run(t.Context())
		must(t, err)
		wantDeadLettered(t, eng, PhaseCandidates, 1)
	})
}

// A refused record deleted in the ATS leaves the dead-letter store and its
// phase's count in the same run.
func TestDeletingARefusedRecordClearsItsCount(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 0, 10, 0, 0)
		src := g.materialize()
		src.PutCandidates(g.badEmail(3))
		eng, _ := e.ran(t, src)
		time.Sleep(time.Minute)
		src.Delete(Deletion{Kind: KindCandidate, ID: candID(3), Integration: e.cust.Organization, DeletedAt: time.Now()})
		time.Sleep(time.Minute)
		_, err := eng.Run(t.Context())
		must(t, err)
		if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) != 0 {
			t.Errorf("dead letters left:\n%s", describeDL(dl))
		}
		wantDeadLettered(t, eng, PhaseCandidates, 0)
		wantDeadLettered(t, eng, PhaseDeletions, 0)
	})
}
