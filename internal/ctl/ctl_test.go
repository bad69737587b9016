package ctl

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/internal/mustopen"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	rscsync "github.com/rscgo/rscgo/sync"
)

var t0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// dataDir lays out a data directory as the Tracker demo does: customer
// acme onboarded, its jobs synced, its candidates half-way with two dead
// letters; customer beta only onboarding.
func dataDir(t *testing.T) (string, *rscsync.FileDeadLetters) {
	t.Helper()
	ctx, dir := t.Context(), t.TempDir()
	cps := mustopen.Dir(t, rscsync.NewFileStore, filepath.Join(dir, CheckpointsDir))
	cp := &rscsync.Checkpoint{Version: 1, CustomerID: "acme", StartedAt: t0.Add(-time.Hour), UpdatedAt: t0, Runs: 1,
		Phases: map[rscsync.Phase]*rscsync.PhaseCheckpoint{
			rscsync.PhaseJobs:       {Completed: true, CompletedAt: t0.Add(-30 * time.Minute), Done: 3, Total: 3, Acknowledged: 3, Cursor: rscsync.Cursor{ModifiedAt: t0.Add(-2 * time.Hour), ID: "J3"}},
			rscsync.PhaseCandidates: {Done: 40, Total: 100, Acknowledged: 38, DeadLettered: 2, Cursor: rscsync.Cursor{ModifiedAt: t0.Add(-90 * time.Minute), ID: "C40"}},
		}}
	if err := cps.Save(ctx, "acme", cp); err != nil {
		t.Fatal(err)
	}
	dead := mustopen.Dir(t, rscsync.NewFileDeadLetters, filepath.Join(dir, DeadLettersDir))
	for _, d := range []rscsync.DeadLetter{
		{Kind: rscsync.KindCandidate, ID: "C7", Reason: "invalid emailAddresses[0]: must match X@X.X", Field: "emailAddresses[0]", Attempts: 1, FirstFailedAt: t0, LastFailedAt: t0},
		{Kind: rscsync.KindCandidate, ID: "C9", Reason: "LinkedIn refused the record\n(status 422)", Status: 422, Attempts: 2, FirstFailedAt: t0, LastFailedAt: t0.Add(time.Minute)},
	} {
		if err := dead.Put(ctx, "acme", d); err != nil {
			t.Fatal(err)
		}
	}
	flows := mustopen.Dir(t, onboarding.NewFileStore, filepath.Join(dir, OnboardingDir))
	main := "main"
	for _, st := range []*onboarding.FlowState{
		{CustomerID: "acme", CustomerName: "Acme", Step: onboarding.StepEnabled, Active: &main,
			Contracts: []onboarding.Contract{{Label: "main", Status: onboarding.Status{State: onboarding.StateBothEnabled}}}},
		{CustomerID: "beta", Step: onboarding.StepSignIn},
	} {
		if err := flows.SaveState(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	evs := mustopen.Dir(t, milestones.NewFileStore, filepath.Join(dir, MilestonesDir))
	for _, m := range []milestones.Milestone{milestones.JobSyncCompleted, milestones.IntegrationEnabled} {
		if err := evs.Append(ctx, "acme", milestones.Event{Milestone: m, At: t0}); err != nil {
			t.Fatal(err)
		}
	}
	return dir, dead
}

// files is rscctl over the file stores, as cmd/rscctl runs it.
func files(stdout, stderr *bytes.Buffer) Config {
	return Config{StoreFlag: "data", StoreArg: "DIR", Open: OpenFiles, Getenv: os.Getenv, Stdout: stdout, Stderr: stderr,
		Clock: fixedClock{t0}}
}

// usage is the file stores' usage text.
var usage = (&Config{StoreFlag: "data", StoreArg: "DIR"}).Usage()

// fixedClock is a clock that stands still.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time                                   { return c.t }
func (c fixedClock) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// rscctl runs the command in-process over the file stores.
func rscctl(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(t.Context(), files(&out, &errb), args)
	return code, out.String(), errb.String()
}

// cmdCase is a command line and what it must print and exit with.
type cmdCase struct {
	name string
	args []string
	code int
	out  string
	err  string
}

func TestCommands(t *testing.T) {
	dir, _ := dataDir(t)
	tests := []cmdCase{
		{name: "status", args: []string{"-data", dir, "status"}, out: `CUSTOMER  STEP     INTEGRATION  MILESTONES  JOBS      CANDIDATES  APPLICATIONS  ACTIVITIES  DELETIONS  DEAD
acme      enabled  enabled      2/5         3/3 done  40/100      0/0           0/0         0/0        2
beta      sign_in  -            0/5         0/0       0/0         0/0           0/0         0/0        0
`},
		{name: "status of one", args: []string{"status", "beta", "-data", dir}, out: `CUSTOMER  STEP     INTEGRATION  MILESTONES  JOBS  CANDIDATES  APPLICATIONS  ACTIVITIES  DELETIONS  DEAD
beta      sign_in  -            0/5         0/0   0/0         0/0           0/0         0/0        0
`},
		{name: "status of nobody", args: []string{"-data", dir, "status", "nobody"}, code: 3, err: "rscctl: no customer \"nobody\" in " + dir + "\n"},
		{name: "checkpoint", args: []string{"-data", dir, "checkpoint", "acme"}, out: `customer acme: started 2026-11-30T08:00:00Z, updated 2026-11-30T09:00:00Z, 1 complete runs, 0 jobs known, 0 job tasks pending
PHASE             DONE  TOTAL  INCREMENTAL  ACKNOWLEDGED  DEAD  INELIGIBLE  COMPLETED             CURSOR
Job Sync          3     3      0            3             0     0           2026-11-30T08:30:00Z  2026-11-30T07:00:00Z J3
Candidate Sync    40    100    0            38            2     0           -                     2026-11-30T07:30:00Z C40
Application Sync  0     0      0            0             0     0           -                     - 
Activity Sync     0     0      0            0             0     0           -                     - 
Deletion Sync     0     0      0            0             0     0           -                     - 
`},
		{name: "no checkpoint", args: []string{"-data", dir, "checkpoint", "beta"}, code: 3, err: "rscctl: no checkpoint of customer \"beta\" in " + dir + "\n"},
		{name: "dead list", args: []string{"-data", dir, "dead", "list", "acme"}, out: `KEY            ATTEMPTS  LAST FAILED           REASON
candidate//C7  1         2026-11-30T09:00:00Z  invalid emailAddresses[0]: must match X@X.X
candidate//C9  2         2026-11-30T09:01:00Z  LinkedIn refused the record (status 422)
`},
		{name: "dead list of nobody", args: []string{"-data", dir, "dead", "list", "nobody"}, code: 3, err: "rscctl: no customer \"nobody\" in " + dir + "\n"},
		{name: "reset without -yes", args: []string{"-data", dir, "reset", "acme"}, code: 2, err: "rscctl: reset deletes the customer's checkpoint and dead letters: add -yes\n" + usage + "\n"},
		{name: "retry without console", args: []string{"-data", dir, "dead", "retry", "acme"}, code: 2,
			err: "rscctl: dead retry needs -console URL (or $RSCCTL_CONSOLE): it reads records from the ATS, which only the service that runs the sync can do\n" + usage + "\n"},
		{name: "no command", args: []string{"-data", dir}, code: 2, err: "rscctl: no command\n" + usage + "\n"},
		{name: "unknown command", args: []string{"-data", dir, "frobnicate"}, code: 2, err: "rscctl: unknown command \"frobnicate\"\n" + usage + "\n"},
		{name: "dead without subcommand", args: []string{"-data", dir, "dead"}, code: 2, err: "rscctl: dead needs list, export, retry or dismiss\n" + usage + "\n"},
		{name: "unknown flag", args: []string{"-data", dir, "-verbose", "status"}, code: 2, err: "rscctl: flag provided but not defined: -verbose\n" + usage + "\n"},
		{name: "no data", args: []string{"status"}, code: 2, err: "rscctl: -data is required\n" + usage + "\n"},
		{name: "missing data", args: []string{"-data", filepath.Join(dir, "nope"), "status"}, code: 1,
			err: "rscctl: the data directory " + filepath.Join(dir, "nope") + ": not a readable directory\n"},
		{name: "too many customers", args: []string{"-data", dir, "checkpoint", "acme", "beta"}, code: 2, err: "rscctl: checkpoint needs one CUSTOMER\n" + usage + "\n"},
		{name: "help", args: []string{"-h"}, out: usage + "\n"},
		{name: "blank customer", args: []string{"-data", dir, "checkpoint", " "}, code: 2, err: "rscctl: checkpoint: CUSTOMER is blank\n" + usage + "\n"},
		{name: "empty customer", args: []string{"-data", dir, "dead", "list", ""}, code: 2, err: "rscctl: dead list: CUSTOMER is blank\n" + usage + "\n"},
		{name: "blank key to retry", args: []string{"-data", dir, "dead", "retry", "acme", "candidate//C7", " "}, code: 2, err: "rscctl: dead retry: a KEY is blank\n" + usage + "\n"},
		{name: "blank key to resync", args: []string{"-data", dir, "resync", "acme", "candidates", ""}, code: 2, err: "rscctl: resync: a KEY is blank\n" + usage + "\n"},
		{name: "long customer", args: []string{"-data", dir, "status", strings.Repeat("é", 2000)}, code: 3,
			err: "rscctl: no customer \"" + strings.Repeat("é", 50) + "\"… (4000 bytes) in " + dir + "\n"},
		{name: "long customer cut at a character", args: []string{"-data", dir, "checkpoint", "x" + strings.Repeat("é", 2000)}, code: 3,
			err: "rscctl: no checkpoint of customer \"x" + strings.Repeat("é", 49) + "\"… (4001 bytes) in " + dir + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := rscctl(t, tt.args...)
			expect(t, code, out, errs, tt.code, tt.out, tt.err)
		})
	}
}

// decodeLines decodes JSON lines into values of type T.
func decodeLines[T any](t *testing.T, s string) []T {
	t.Helper()
	var out []T
	dec := json.NewDecoder(strings.NewReader(s))
	for dec.More() {
		var v T
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%v in\n%s", err, s)
		}
		out = append(out, v)
	}
	return out
}

func TestJSON(t *testing.T) {
	dir, _ := dataDir(t)
	code, out, _ := rscctl(t, "-data", dir, "--json", "status")
	if code != 0 {
		t.Fatalf("exit code %d", code)
	}
	got := decodeLines[customerStatus](t, out)
	if len(got) != 2 || len(got[0].Phases) != 5 {
		t.Fatalf("status: %s", out)
	}
	got[0].Phases, got[1].Phases = nil, nil
	want := []customerStatus{
		{Customer: "acme", Name: "Acme", Step: onboarding.StepEnabled, Integration: onboarding.StateBothEnabled,
			Milestones: []milestones.Milestone{milestones.IntegrationEnabled, milestones.JobSyncCompleted}, DeadLetters: 2},
		{Customer: "beta", Step: onboarding.StepSignIn, Milestones: []milestones.Milestone{}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status --json (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(out, `{"customer":"acme","name":"Acme","step":"enabled","integration":"enabled","milestones":["integration_enabled","job_sync_completed"],"phases":{"activities":`) ||
		!strings.Contains(out, `"jobs":{"done":3,"total":3,"recordsPerMinute":0,"completed":true,"completedAt":"2026-11-30T08:30:00Z",`) {
		t.Errorf("status --json:\n%s", out)
	}

	for _, args := range [][]string{{"dead", "export", "acme"}, {"dead", "list", "acme", "-json"}} {
		code, out, _ = rscctl(t, append([]string{"-data", dir}, args...)...)
		dls := decodeLines[deadLine](t, out)
		var keys []string
		for _, d := range dls {
			keys = append(keys, d.Key+" "+d.Reason)
		}
		if diff := cmp.Diff([]string{"candidate//C7 invalid emailAddresses[0]: must match X@X.X", "candidate//C9 LinkedIn refused the record\n(status 422)"}, keys); code != 0 || diff != "" {
			t.Errorf("%v: exit code %d (-want +got):\n%s", args, code, diff)
		}
	}

	code, out, _ = rscctl(t, "-data", dir, "-json", "checkpoint", "acme")
	cps := decodeLines[rscsync.Checkpoint](t, out)
	if code != 0 || len(cps) != 1 || cps[0].Phases[rscsync.PhaseCandidates].Done != 40 {
		t.Errorf("checkpoint -json: exit code %d\n%s", code, out)
	}
}

func TestReset(t *testing.T) {
	dir, dead := dataDir(t)
	if err := dead.Put(t.Context(), "acme", rscsync.DeadLetter{Kind: rscsync.KindCandidate, ID: "C11", Requested: true, Reason: "resync requested"}); err != nil {
		t.Fatal(err)
	}
	code, out, errs := rscctl(t, "-data", dir, "reset", "-yes", "acme")
	if code != 0 || out != "customer acme reset: checkpoint, 2 dead letters and 1 resync request deleted; the next sync starts the historical sync again\n" {
		t.Fatalf("exit code %d\n%s%s", code, out, errs)
	}
	for d, err := range dead.List(t.Context(), "acme") {
		t.Errorf("after the reset the store holds %+v (%v)", d, err)
	}
	if code, _, _ := rscctl(t, "-data", dir, "checkpoint", "acme"); code != 3 {
		t.Errorf("after the reset, checkpoint exits %d, want 3", code)
	}
	if code, out, _ := rscctl(t, "-data", dir, "status", "acme"); code != 0 || !strings.Contains(out, "acme      enabled  enabled      2/5         0/0   0/0") {
		t.Errorf("after the reset, status exits %d:\n%s", code, out)
	}
}

// Without an engine, resync rewinds a phase in the checkpoint store and
// queues records as resync requests; each case starts from a fresh
// directory.
func TestResyncWithoutEngine(t *testing.T) {
	email := "invalid emailAddresses[0]: must match X@X.X"
	tests := []struct {
		cmdCase
		phase rscsync.Phase            // whose checkpoint to check
		want  *rscsync.PhaseCheckpoint // nil: unchanged
		dead  []string                 // keys and reasons after
	}{
		{cmdCase: cmdCase{name: "a phase in its pass", args: []string{"resync", "acme", "candidates"},
			out: "customer acme: the next sync sends Candidate Sync again from the start of the history; the other phases are unchanged\n"},
			phase: rscsync.PhaseCandidates, want: &rscsync.PhaseCheckpoint{DeadLettered: 2, Total: 100}},
		{cmdCase: cmdCase{name: "a completed phase, as JSON", args: []string{"--json", "resync", "acme", "jobs"},
			out: `{"customer":"acme","from":"0001-01-01T00:00:00Z","phase":"jobs","rewound":true}` + "\n"},
			phase: rscsync.PhaseJobs, want: &rscsync.PhaseCheckpoint{Completed: true, CompletedAt: t0.Add(-30 * time.Minute), Done: 3, Total: 3, Acknowledged: 3,
				PassFrom: rscsync.Cursor{ModifiedAt: t0.Add(-2 * time.Hour), ID: "J3"}, InPass: true}},
		{cmdCase: cmdCase{name: "records queued", args: []string{"resync", "acme", "candidates", "C11", "candidate//C7"},
			out: "KEY             OUTCOME  REASON\ncandidate//C11  queued   -\ncandidate//C7   queued   " + email + "\n"},
			dead: []string{"candidate//C11 resync requested by an operator", "candidate//C7 " + email, "candidate//C9 LinkedIn refused the record\n(status 422)"}},
		{cmdCase: cmdCase{name: "records, a -console not a URL", args: []string{"-console", "ops.example.com/ops", "resync", "acme", "candidates", "C11"}, code: 2,
			err: "rscctl: -console \"ops.example.com/ops\" is not an http(s) URL\n" + usage + "\n"}},
		{cmdCase: cmdCase{name: "deletions", args: []string{"resync", "acme", "deletions"}, code: 2,
			err: "rscctl: resync: \"deletions\" is not a phase (jobs, candidates, applications or activities)\n" + usage + "\n"}},
		{cmdCase: cmdCase{name: "no checkpoint", args: []string{"resync", "beta", "candidates"}, code: 3,
			err: "rscctl: no checkpoint of customer \"beta\" in DIR\n"}},
		{cmdCase: cmdCase{name: "no customer", args: []string{"resync", "nobody", "candidates", "C1"}, code: 3,
			err: "rscctl: no customer \"nobody\" in DIR\n"}},
		{cmdCase: cmdCase{name: "no phase", args: []string{"resync", "acme"}, code: 2,
			err: "rscctl: resync needs a CUSTOMER and a PHASE\n" + usage + "\n"}},
		{cmdCase: cmdCase{name: "an activity by id", args: []string{"resync", "acme", "activities", "N1"}, code: 2,
			err: "rscctl: resync: \"N1\": an activity's KEY is kind/parent/id (candidateNote/C7/N1)\n" + usage + "\n"}},
		{cmdCase: cmdCase{name: "another phase's key", args: []string{"resync", "acme", "candidates", "stage/A1/S1"}, code: 2,
			err: "rscctl: resync: KEY \"stage/A1/S1\": a stage is not a record of Candidate Sync\n" + usage + "\n"}},
		{cmdCase: cmdCase{name: "a bad key", args: []string{"resync", "acme", "activities", "note/C1/N1"}, code: 2,
			err: "rscctl: resync: KEY \"note/C1/N1\": sync: \"note/C1/N1\" is not a dead-letter key (kind/parent/id, such as candidate//c1 or stage/a1/s1)\n" + usage + "\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, dead := dataDir(t)
			cps := mustopen.Dir(t, rscsync.NewFileStore, filepath.Join(dir, CheckpointsDir))
			before, err := cps.Load(t.Context(), "acme")
			if err != nil {
				t.Fatal(err)
			}
			code, out, errs := rscctl(t, append([]string{"-data", dir}, tt.args...)...)
			expect(t, code, out, strings.ReplaceAll(errs, dir, "DIR"), tt.code, tt.out, tt.err)
			after, err := cps.Load(t.Context(), "acme")
			if err != nil {
				t.Fatal(err)
			}
			want := before
			if tt.want != nil {
				want.Phases[tt.phase] = tt.want
			}
			if diff := cmp.Diff(want, after); diff != "" {
				t.Errorf("checkpoint (-want +got):\n%s", diff)
			}
			if tt.dead == nil {
				tt.dead = []string{"candidate//C7 " + email, "candidate//C9 LinkedIn refused the record\n(status 422)"}
			}
			var got []string
			for d, err := range dead.List(t.Context(), "acme") {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, d.Key()+" "+d.Reason)
			}
			if diff := cmp.Diff(tt.dead, got); diff != "" {
				t.Errorf("dead letters (-want +got):\n%s", diff)
			}
		})
	}
}

// expect checks a command's exit code and output.
func expect(t *testing.T, code int, out, errs string, wantCode int, wantOut, wantErr string) {
	t.Helper()
	if code != wantCode {
		t.Errorf("exit code %d, want %d", code, wantCode)
	}
	if diff := cmp.Diff(wantOut, out); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantErr, errs); diff != "" {
		t.Errorf("stderr (-want +got):\n%s", diff)
	}
}

// A resync request queued in the dead-letter store is no refusal
// (sync.DeadLetter.Requested): status's DEAD counts the refusals only, as
// the checkpoint's DeadLettered does.
func TestStatusCountsNoResyncRequest(t *testing.T) {
	dir, _ := dataDir(t)
	if code, _, errs := rscctl(t, "-data", dir, "resync", "acme", "candidates", "C11"); code != 0 {
		t.Fatalf("resync: exit %d: %s", code, errs)
	}
	code, out, errs := rscctl(t, "-data", dir, "status", "acme")
	expect(t, code, out, errs, 0, `CUSTOMER  STEP     INTEGRATION  MILESTONES  JOBS      CANDIDATES  APPLICATIONS  ACTIVITIES  DELETIONS  DEAD
acme      enabled  enabled      2/5         3/3 done  40/100      0/0           0/0         0/0        2
`, "")
}
