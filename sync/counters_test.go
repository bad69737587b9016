package sync

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A phase's progress events and its report count the same things with the
// same words; stages are not application records; the completion of a
// phase is announced once, however many runs follow.
func TestCountersAddUp(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, envOpt{})
		g := newGen(e.cust.Organization, time.Now(), 24*time.Hour, 5, 120, 40, 60)
		src := g.materialize()
		bad := g.cand(7)
		bad.Record.FirstName = ""
		src.PutCandidates(bad)
		var last map[Phase]Progress
		completed := map[Phase]int{}
		eng := e.engine(t, src, WithProgress(func(p Progress) {
			last[p.Phase] = p
			if p.Kind == ProgressCompleted {
				completed[p.Phase]++
			}
		}))
		for run := range 2 {
			last = map[Phase]Progress{}
			rep, err := eng.Run(t.Context())
			must(t, err)
			for p, pr := range rep.Phases {
				if diff := cmp.Diff(*pr, last[p].Run); diff != "" {
					t.Errorf("run %d, %v: report and last progress event differ (-report +progress):\n%s", run, p, diff)
				}
			}
			if run == 0 {
				if got := rep.Phases[PhaseApplications].Sent; got != 40 {
					t.Errorf("applications sent = %d, want 40 (stages are not application records)", got)
				}
				if got := *rep.Phases[PhaseCandidates]; got.Read != 120 || got.Sent != 120 || got.Acknowledged != 119 || got.Refused != 1 {
					t.Errorf("candidates = %+v", got)
				}
			}
		}
		for _, p := range allPhases {
			if completed[p] != 1 {
				t.Errorf("%v: %d completion events over two runs, want 1", p, completed[p])
			}
		}
	})
}

// Every report type marshals with lower-case JSON names.
func TestReportTypesHaveJSONTags(t *testing.T) {
	for _, v := range []any{Report{}, PhaseReport{}, Reconciliation{}, Rejection{}, Progress{}, PhaseState{}, CustomerResult{}} {
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			f := typ.Field(i)
			tag := f.Tag.Get("json")
			if tag == "" || tag != "-" && strings.ToLower(tag[:1]) != tag[:1] {
				t.Errorf("%s.%s has JSON tag %q", typ.Name(), f.Name, tag)
			}
		}
		if _, err := json.Marshal(v); err != nil {
			t.Errorf("%s: %v", typ.Name(), err)
		}
	}
}

// An id, kind or reason holding a newline (or another character that is
// not printable) cannot forge a line of the text report.
func TestReportTextEscapesValues(t *testing.T) {
	rep := newReport("cust\nsync for customer evil (caught up: true)", false, time.Time{})
	rep.Rejections = []Rejection{
		{Kind: KindCandidate, ID: "C1\nrejected candidate C2: forged", Reason: "bad\r\nreconcile Job Sync: forged"},
		{Kind: "x\u2028y", ID: "", Reason: "plain reason"},
	}
	var b strings.Builder
	must(t, rep.WriteText(&b))
	want := []string{
		`sync for customer "cust\nsync for customer evil (caught up: true)" (caught up: false)`,
		`rejected candidate "C1\nrejected candidate C2: forged": "bad\r\nreconcile Job Sync: forged"`,
		`rejected "x\u2028y" "": plain reason`,
	}
	lines := strings.Split(b.String(), "\n")
	if len(lines) != 9 { // header, five phases, two rejections, final newline
		t.Fatalf("%d lines:\n%s", len(lines), b.String())
	}
	if diff := cmp.Diff(want, []string{lines[0], lines[6], lines[7]}); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}
