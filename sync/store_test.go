package sync

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/internal/fsutil"
)

// A crash between writing the new checkpoint and renaming it leaves the
// previous checkpoint in place.
func TestFileStoreCrashBeforeRename(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := NewFileStore(dir)
	must(t, err)
	ctx := context.Background()
	cp := newCheckpoint("cust/1")
	cp.Phases[PhaseCandidates].Cursor = Cursor{ModifiedAt: time.Unix(100, 0).UTC(), ID: "C1"}
	must(t, s.Save(ctx, "cust/1", cp))

	cp.Phases[PhaseCandidates].Cursor = Cursor{ModifiedAt: time.Unix(200, 0).UTC(), ID: "C2"}
	crash := errors.New("killed")
	s.dir.BeforeRename = func(tmp string) error {
		if _, err := os.Stat(tmp); err != nil {
			t.Errorf("temporary file missing: %v", err)
		}
		return crash
	}
	if err := s.Save(ctx, "cust/1", cp); !errors.Is(err, crash) {
		t.Fatalf("save: %v", err)
	}
	s.dir.BeforeRename = nil
	got, err := s.Load(ctx, "cust/1")
	must(t, err)
	if got.Phases[PhaseCandidates].Cursor.ID != "C1" {
		t.Fatalf("cursor %+v, want the previous checkpoint", got.Phases[PhaseCandidates].Cursor)
	}
	// A leftover temporary file (the process died before cleaning up) is ignored.
	must(t, os.WriteFile(filepath.Join(dir, ".tmp-leftover"), []byte("{garbage"), 0o600))
	must(t, s.Save(ctx, "cust/1", cp))
	got, err = s.Load(ctx, "cust/1")
	must(t, err)
	if got.Phases[PhaseCandidates].Cursor.ID != "C2" {
		t.Fatalf("cursor %+v", got.Phases[PhaseCandidates].Cursor)
	}
	fi, err := os.Stat(filepath.Join(dir, fsutil.FileName("cust/1")))
	must(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	if cp, err := s.Load(ctx, "unknown"); cp != nil || err != nil {
		t.Fatalf("unknown customer: %v %v", cp, err)
	}
}

func TestDeadLetterStores(t *testing.T) {
	t.Parallel()
	fs, err := NewFileDeadLetters(t.TempDir())
	must(t, err)
	for name, s := range map[string]DeadLetterStore{"memory": NewMemoryDeadLetters(), "file": fs} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			d := DeadLetter{Kind: KindCandidate, ID: "C1", Reason: "bad", Attempts: 1}
			must(t, s.Put(ctx, "c", d))
			d.Attempts, d.Held = 2, true
			must(t, s.Put(ctx, "c", d))
			must(t, s.Put(ctx, "c", DeadLetter{Kind: KindStage, ID: "S1", Parent: "A1", Reason: "x"}))
			got := deadLetters(t, s, "c")
			if len(got) != 2 || got[0] != d {
				t.Fatalf("%+v", got)
			}
			must(t, s.Delete(ctx, "c", d.Key()))
			if got := deadLetters(t, s, "c"); len(got) != 1 || got[0].ID != "S1" {
				t.Fatalf("%+v", got)
			}
			if got := deadLetters(t, s, "other"); len(got) != 0 {
				t.Fatalf("%+v", got)
			}
		})
	}
}

func TestPhaseText(t *testing.T) {
	t.Parallel()
	for _, p := range allPhases {
		b, err := p.MarshalText()
		must(t, err)
		var q Phase
		must(t, q.UnmarshalText(b))
		if q != p {
			t.Fatalf("%v round-trips to %v", p, q)
		}
	}
	if PhaseApplications.String() != "Application Sync" {
		t.Fatal(PhaseApplications.String())
	}
}

// On a file system that ignores case, customers Acme and acme open one
// dead-letter directory (simulated: Acme's directory and its owner
// document are moved to acme's names, as the file system would open
// them): acme's Put is refused and Acme's dead letter stays whole. Where
// case matters, each keeps a directory of its own.
func TestFileDeadLettersOfCustomersDifferingInCase(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	s, err := NewFileDeadLetters(root)
	must(t, err)
	d := DeadLetter{Kind: KindCandidate, ID: "C1", Reason: "Acme's refusal"}
	must(t, s.Put(t.Context(), "Acme", d))
	path := func(c string) string { return filepath.Join(root, "c-"+c) }
	must(t, os.Rename(path("Acme"), path("acme")))
	must(t, os.Rename(path("Acme")+".json", path("acme")+".json"))
	again, err := NewFileDeadLetters(root) // another process, or a restart
	must(t, err)
	other := d
	other.Reason = "acme's refusal"
	want := `sync: storing a dead letter: sync: dead letters of "acme": c-acme.json holds key "Acme", not "acme"`
	if err := again.Put(t.Context(), "acme", other); err == nil || err.Error() != want {
		t.Errorf("Put(acme) = %v, want %q", err, want)
	}
	must(t, os.Rename(path("acme"), path("Acme")))
	must(t, os.Rename(path("acme")+".json", path("Acme")+".json"))
	if d := cmp.Diff([]string{"Acme's refusal"}, reasons(deadLetters(t, s, "Acme"))); d != "" {
		t.Errorf("Acme's dead letters (-want +got):\n%s", d)
	}
	must(t, again.Put(t.Context(), "acme", other)) // a directory of its own where case matters
	if d := cmp.Diff([]string{"acme's refusal"}, reasons(deadLetters(t, again, "acme"))); d != "" {
		t.Errorf("acme's dead letters (-want +got):\n%s", d)
	}
}

// reasons returns the reasons of ds, in order.
func reasons(ds []DeadLetter) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Reason)
	}
	return out
}
