package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/examples/tracker"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// halfCandidates stops a run once half the candidates are sent.
func halfCandidates(p rscsync.Progress) bool {
	return p.Phase == rscsync.PhaseCandidates && p.Done >= p.Total/2
}

// interruptedRun runs the demo with 400 candidates in dir and cancels it
// at the first progress event stop accepts. It returns the configuration
// (without the progress hook), the output and the interrupted run's result.
func interruptedRun(t *testing.T, dir string, stop func(rscsync.Progress) bool) (Config, *bytes.Buffer, *Result) {
	t.Helper()
	cfg, out := testConfig(t, dir, 400)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg.OnProgress = func(p rscsync.Progress) {
		if stop(p) {
			cancel()
		}
	}
	res, err := Run(ctx, cfg)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v\n%s", err, out)
	}
	cfg.OnProgress = nil
	return cfg, out, res
}

// heldCandidates returns the ids of the candidates the demo's fake holds
// in dir, replaying its journal.
func heldCandidates(t *testing.T, dir string) []string {
	t.Helper()
	srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithLimits(rsctest.Limits{Disabled: true}))
	defer srv.Close()
	j, _, err := openJournal(filepath.Join(dir, journalFile), srv)
	if err != nil {
		t.Fatal(err)
	}
	j.close()
	var ids []string
	for _, cu := range srv.Customers() {
		for _, c := range cu.Candidates() {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// olderCandidate reports whether candidate a comes before b in the order
// the sync sends them (modified_at, then id).
func olderCandidate(t *testing.T, db *tracker.DB, a, b string) bool {
	t.Helper()
	var older bool
	err := db.SQL().QueryRow(`SELECT (SELECT modified_at FROM candidates WHERE id = ?1) < (SELECT modified_at FROM candidates WHERE id = ?2)
		OR ((SELECT modified_at FROM candidates WHERE id = ?1) = (SELECT modified_at FROM candidates WHERE id = ?2) AND ?1 < ?2)`, a, b).Scan(&older)
	if err != nil {
		t.Fatal(err)
	}
	return older
}

// A Tracker edit that does not move modified_at is never sent: the counts
// stay equal, but the table shows the stale candidate, field by field, and
// does not say "equal".
func TestContentDifferenceShows(t *testing.T) {
	dir := t.TempDir()
	cfg, out, _ := interruptedRun(t, dir, halfCandidates)
	held := heldCandidates(t, dir)
	if len(held) == 0 {
		t.Fatal("the interrupted run sent no candidate")
	}
	db, err := tracker.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	// The oldest candidate LinkedIn holds was in the first batch, which the
	// checkpoint holds (half the candidates were): the resumed run does not
	// send it again. (The last batches before the kill may be re-sent.)
	var id string
	for _, h := range held {
		if id == "" || olderCandidate(t, db, h, id) {
			id = h
		}
	}
	if _, err := db.SQL().Exec(`UPDATE candidates SET last_name = 'Planted' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	db.Close()

	out.Reset()
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("resumed run: %v\n%s", err, out)
	}
	var cands rscsync.KindContent
	for _, k := range res.Content.Kinds {
		if k.Kind == rscsync.KindCandidate {
			cands = k
		} else if k.Unchecked != "" || k.Missing+k.Stale+k.Extra > 0 {
			t.Errorf("%s: %+v", k.Kind, k)
		}
	}
	want := []rscsync.Stale{{Key: "candidate//" + id, Fields: []string{"lastName"}}}
	if diff := cmp.Diff(want, cands.StaleRecords); diff != "" || cands.Stale != 1 || cands.Missing+cands.Extra != 0 {
		t.Errorf("candidates %+v (-want +got stale):\n%s", cands, diff)
	}
	for _, x := range res.Reconciliation {
		if want := x.Entity == "candidates"; x.Balanced() == want || (x.ContentDiffers == 1) != want {
			t.Errorf("%s: balanced %v, content differs %d", x.Entity, x.Balanced(), x.ContentDiffers)
		}
	}
	text := out.String()
	for _, line := range []string{"1 stale                ✗ MISMATCH\n", "stale on LinkedIn: candidate//" + id + " (lastName)\n"} {
		if !strings.Contains(text, line) {
			t.Errorf("the output lacks %q:\n%s", line, text)
		}
	}
	if n := strings.Count(text, "same fields            ✓ equal\n"); n != 3 {
		t.Errorf("%d entities equal, want 3:\n%s", n, text)
	}
}

// A demo whose sync is killed again and again, each run resuming from the
// last one's checkpoints, ends with LinkedIn holding exactly Tracker's
// content: no record missing, extra or stale, in any kind. The short run
// kills a 400-candidate demo 4 times; RSCGO_CHAOS_LONG=1 kills a
// 20,000-candidate demo 25 times. The kills are spread over the sync's
// progress events (about one per 40 candidates, counted across runs), each
// at a random point of its share, so that they reach every phase; the
// first kill is at the first event, in the job sync.
func TestKilledRepeatedlyEndsWithSameContent(t *testing.T) {
	candidates, kills := 400, 4
	if os.Getenv("RSCGO_CHAOS_LONG") == "1" {
		candidates, kills = 20000, 25
	}
	share := (10 + candidates/40) / (kills + 1) // progress events between two kills
	rng := rand.New(rand.NewPCG(7, uint64(candidates)))
	targets := make([]int, kills)
	for k := range targets {
		targets[k] = (k+1)*share + rng.IntN(max(share/2, 1))
	}
	targets[0] = 1 // the first kill in the job sync
	cfg, out := testConfig(t, t.TempDir(), candidates)
	events, killed := 0, 0
	var res *Result
	for run := 0; res == nil; run++ {
		if run > kills {
			t.Fatalf("%d runs, %d kills, and the sync has not finished", run, killed)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cfg.OnProgress = func(p rscsync.Progress) {
			if events++; killed < kills && events >= targets[killed] && ctx.Err() == nil {
				t.Logf("run %d killed in %s at %d of %d", run, p.Phase, p.Done, p.Total)
				cancel()
			}
		}
		out.Reset()
		r, err := Run(ctx, cfg)
		cancel()
		switch {
		case errors.Is(err, context.Canceled):
			killed++
		case err != nil:
			t.Fatalf("run %d: %v\n%s", run, err, out)
		default:
			res = r
		}
	}
	if killed < max(kills/2, 1) || res.Start != StartResumed {
		t.Errorf("%d kills of %d, the last run started %q: want most kills and a resumed run", killed, kills, res.Start)
	}
	if res.Content == nil {
		t.Fatalf("no content reconciliation:\n%s", out)
	}
	for _, k := range res.Content.Kinds {
		if k.Unchecked != "" || k.Checked == 0 || k.Missing+k.Stale+k.Extra != 0 || k.Equal != k.Checked {
			t.Errorf("%s after %d kills: %+v", k.Kind, killed, k)
		}
	}
	for _, x := range res.Reconciliation {
		if !x.Balanced() {
			t.Errorf("%s: %+v", x.Entity, x)
		}
	}
	if t.Failed() {
		t.Logf("output of the last run:\n%s", out)
	}
}

// The printed differences list the first keys of each kind and outcome,
// with exact counts, and leave the report itself whole.
func TestShortContent(t *testing.T) {
	var keys []string
	var stale []rscsync.Stale
	for i := range shownKeys + 2 {
		keys = append(keys, fmt.Sprintf("candidate//C%d", i))
		stale = append(stale, rscsync.Stale{Key: keys[i], Fields: []string{"lastName"}})
	}
	rep := &rscsync.ContentReport{Kinds: []rscsync.KindContent{
		{Kind: rscsync.KindCandidate, Checked: 30, Equal: 6, Missing: 8, MissingKeys: keys, Stale: 8, StaleRecords: stale, Extra: 8, ExtraKeys: keys},
		{Kind: rscsync.KindJob, Checked: 1, Equal: 1},
	}}
	want := &rscsync.ContentReport{Kinds: []rscsync.KindContent{
		{Kind: rscsync.KindCandidate, Checked: 30, Equal: 6, Missing: 8, MissingKeys: keys[:shownKeys], Stale: 8,
			StaleRecords: stale[:shownKeys], Extra: 8, ExtraKeys: keys[:shownKeys]},
		{Kind: rscsync.KindJob, Checked: 1, Equal: 1},
	}}
	if diff := cmp.Diff(want, shortContent(rep)); diff != "" {
		t.Errorf("short (-want +got):\n%s", diff)
	}
	if len(rep.Kinds[0].MissingKeys) != shownKeys+2 || len(rep.Kinds[0].StaleRecords) != shownKeys+2 {
		t.Errorf("the report itself was cut: %+v", rep.Kinds[0])
	}
}

// cancelAt is the demo's output, which cancels the run when a line starts
// with prefix.
type cancelAt struct {
	out    *bytes.Buffer
	prefix string
	cancel context.CancelFunc
}

func (w *cancelAt) Write(p []byte) (int, error) {
	if strings.HasPrefix(string(p), w.prefix) {
		w.cancel()
	}
	return w.out.Write(p)
}

// A demo stopped during the LinkedIn admin's set-up steps, after the
// widget's post-back, resumes from there: it does not post the widget
// again (LinkedIn holds the integrations, and the flow refuses a second
// post-back with ErrEnabled), and the run completes.
func TestResumesAfterAStopInRecruiterSetUp(t *testing.T) {
	for _, step := range []string{" 10. ", " 13. ", " 14. ", " 15. "} {
		t.Run(strings.TrimSpace(step), func(t *testing.T) {
			cfg, out := testConfig(t, t.TempDir(), 60)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cfg.Out = &cancelAt{out: out, prefix: step, cancel: cancel}
			if _, err := Run(ctx, cfg); !errors.Is(err, context.Canceled) {
				t.Fatalf("the stopped run: %v, want context.Canceled\n%s", err, out)
			}
			cfg.Out = out
			out.Reset()
			res, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatalf("the run after the stop: %v\n%s", err, out)
			}
			if strings.Contains(out.String(), "Set-up in Tracker (an ATS admin)") || res.Content == nil {
				t.Errorf("the run after the stop did not resume the set-up:\n%s", out)
			}
		})
	}
}
