package demo

import (
	"bytes"
	"context"
	"errors"
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
	id := held[0]
	db, err := tracker.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
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
