package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/internal/ctl"
	rscsync "github.com/rscgo/rscgo/sync"
)

// rscctl is wired to the file stores under -data and has no sync engine:
// reconcile without -console is a usage error. The commands themselves
// are tested in internal/ctl.
func TestRscctl(t *testing.T) {
	dir := t.TempDir()
	cps, err := rscsync.NewFileStore(filepath.Join(dir, ctl.CheckpointsDir))
	if err != nil {
		t.Fatal(err)
	}
	if err := cps.Save(t.Context(), "acme", &rscsync.Checkpoint{Version: 1, CustomerID: "acme"}); err != nil {
		t.Fatal(err)
	}
	usage := (&ctl.Config{StoreFlag: "data", StoreArg: "DIR"}).Usage()
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		out, err string
	}{
		{name: "help", args: []string{"-h"}, out: usage + "\n"},
		{name: "status", args: []string{"-data", dir, "-json", "status"},
			out: `{"customer":"acme","milestones":[],"phases":{"activities":{"done":0,"total":0,"recordsPerMinute":0,"completed":false,"deadLettered":0,"ineligible":0,"incremental":0,"cursor":{"modifiedAt":"0001-01-01T00:00:00Z"}},"applications":{"done":0,"total":0,"recordsPerMinute":0,"completed":false,"deadLettered":0,"ineligible":0,"incremental":0,"cursor":{"modifiedAt":"0001-01-01T00:00:00Z"}},"candidates":{"done":0,"total":0,"recordsPerMinute":0,"completed":false,"deadLettered":0,"ineligible":0,"incremental":0,"cursor":{"modifiedAt":"0001-01-01T00:00:00Z"}},"deletions":{"done":0,"total":0,"recordsPerMinute":0,"completed":false,"deadLettered":0,"ineligible":0,"incremental":0,"cursor":{"modifiedAt":"0001-01-01T00:00:00Z"}},"jobs":{"done":0,"total":0,"recordsPerMinute":0,"completed":false,"deadLettered":0,"ineligible":0,"incremental":0,"cursor":{"modifiedAt":"0001-01-01T00:00:00Z"}}},"deadLetters":0}` + "\n"},
		{name: "reconcile", args: []string{"-data", dir, "reconcile", "acme"}, code: 2,
			err: "rscctl: reconcile needs -console URL (or $RSCCTL_CONSOLE): it reads records from the ATS, which only the service that runs the sync can do\n" + usage + "\n"},
		{name: "no -data", args: []string{"status"}, code: 2, err: "rscctl: -data is required\n" + usage + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("RSCCTL_CONSOLE", "")
			var out, errb bytes.Buffer
			c := config()
			c.Stdout, c.Stderr = &out, &errb
			code := ctl.Run(t.Context(), c, tc.args)
			if code != tc.code {
				t.Errorf("exit code %d, want %d", code, tc.code)
			}
			if d := cmp.Diff(tc.out, out.String()); d != "" {
				t.Errorf("stdout (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.err, errb.String()); d != "" {
				t.Errorf("stderr (-want +got):\n%s", d)
			}
		})
	}
	if c := config(); c.Stdout != os.Stdout || c.Stderr != os.Stderr {
		t.Error("rscctl does not print to the standard output and error")
	}
}
