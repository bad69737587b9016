package sync

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Clone copies every map and phase: changing the original afterwards
// changes nothing in the copy, and the copy encodes as the original did.
func TestCheckpointClone(t *testing.T) {
	t.Parallel()
	cp := newCheckpoint("c1")
	cp.Phases[PhaseCandidates].Cursor = Cursor{ModifiedAt: time.Unix(100, 0).UTC(), ID: "C1"}
	cp.Phases[PhaseDeletions].Held = &HeldRun{Pos: Cursor{ModifiedAt: time.Unix(200, 0).UTC(), ID: "stage:1"}, Done: []string{"d1"}}
	cp.Phases[PhaseApplications].Fresh = &FreshLane{From: Cursor{ModifiedAt: time.Unix(300, 0).UTC()},
		Held: &HeldRun{Pos: Cursor{ModifiedAt: time.Unix(400, 0).UTC(), ID: "A1"}, Done: []string{"a1"}}, Counted: []string{"c1"}}
	cp.Jobs["J1"] = JobState{State: jobPosted, Held: true}
	cp.Tasks["urn:li:simpleJobPostingTask:1"] = PendingTask{JobID: "J1", Op: "CREATE", At: time.Unix(50, 0).UTC()}
	cp.Clearing = []string{"candidate//C1"}
	before, err := json.Marshal(cp)
	must(t, err)
	c := cp.Clone()
	cp.Phases[PhaseCandidates].Cursor.ID = "C2"
	cp.Phases[PhaseDeletions].Held.Done[0] = "d2"
	cp.Phases[PhaseDeletions].Held.Pos.ID = "stage:2"
	cp.Phases[PhaseApplications].Fresh.Cursor.ID = "A0"
	cp.Phases[PhaseApplications].Fresh.Held.Done[0] = "a2"
	cp.Phases[PhaseApplications].Fresh.Counted[0] = "c2"
	cp.Jobs["J1"] = JobState{State: jobClosed}
	cp.Jobs["J2"] = JobState{State: jobPending}
	cp.Tasks["urn:li:simpleJobPostingTask:2"] = PendingTask{JobID: "J2"}
	cp.Clearing[0] = "candidate//C2"
	after, err := json.Marshal(c)
	must(t, err)
	if diff := cmp.Diff(string(before), string(after)); diff != "" {
		t.Errorf("the copy changed with the original (-before +after):\n%s", diff)
	}
	empty := (&Checkpoint{}).Clone()
	if empty.Jobs == nil || empty.Tasks == nil || empty.Phases[PhaseJobs] == nil {
		t.Errorf("a clone of an empty checkpoint is not filled: %+v", empty)
	}
}

// Clone knows every field of a checkpoint that refers to memory: a field
// of a map, slice or pointer type added to Checkpoint, or any such field in
// the types it holds, must be copied by Clone and listed here.
func TestCheckpointCloneCoversEveryReference(t *testing.T) {
	t.Parallel()
	cloned := map[string]bool{"Checkpoint.Phases": true, "Checkpoint.Jobs": true, "Checkpoint.Tasks": true,
		"PhaseCheckpoint.Held": true, "HeldRun.Done": true, "PhaseCheckpoint.Fresh": true, "FreshLane.Held": true, "FreshLane.Counted": true,
		"Checkpoint.Clearing": true}
	var walk func(typ reflect.Type)
	walk = func(typ reflect.Type) {
		if typ == reflect.TypeFor[time.Time]() {
			return // its *Location is shared and never changed
		}
		for f := range typ.Fields() {
			at := typ.Name() + "." + f.Name
			switch k := f.Type.Kind(); k {
			case reflect.Map, reflect.Slice, reflect.Pointer, reflect.Chan, reflect.Interface, reflect.Func:
				if !cloned[at] {
					t.Errorf("%s (%s) refers to memory that Clone does not copy", at, f.Type)
				}
				if k == reflect.Interface || k == reflect.Func {
					continue
				}
				et := f.Type.Elem()
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				if et.Kind() == reflect.Struct {
					walk(et)
				}
			case reflect.Struct:
				walk(f.Type)
			}
		}
	}
	walk(reflect.TypeFor[Checkpoint]())
}
