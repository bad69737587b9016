package sync

import (
	"strconv"

	"github.com/rscgo/rscgo/internal/textenum"
)

// Phase is a step of a sync pass. Phases run in milestone order: jobs,
// candidates, applications, activities, then deletions. The
// milestones package uses it for its milestones.
type Phase int

// The phases. PhaseDeletions is not a milestone: it sends the ATS's deletions
// once the four record phases are caught up.
const (
	PhaseJobs Phase = iota
	PhaseCandidates
	PhaseApplications
	PhaseActivities
	PhaseDeletions
)

// Phases returns the four milestone phases in order.
func Phases() []Phase {
	return []Phase{PhaseJobs, PhaseCandidates, PhaseApplications, PhaseActivities}
}

// allPhases includes PhaseDeletions.
var allPhases = []Phase{PhaseJobs, PhaseCandidates, PhaseApplications, PhaseActivities, PhaseDeletions}

var (
	phaseNames = [...]string{"Job Sync", "Candidate Sync", "Application Sync", "Activity Sync", "Deletion Sync"}
	phaseKeys  = [...]string{"jobs", "candidates", "applications", "activities", "deletions"}
)

func (p Phase) valid() bool { return p >= PhaseJobs && p <= PhaseDeletions }

// String returns "Job Sync", "Candidate Sync", "Application Sync",
// "Activity Sync" or "Deletion Sync".
func (p Phase) String() string {
	if !p.valid() {
		return "Phase(" + strconv.Itoa(int(p)) + ")"
	}
	return phaseNames[p]
}

// MarshalText encodes p as "jobs", "candidates", "applications", "activities"
// or "deletions" (checkpoint files use it as a map key).
func (p Phase) MarshalText() ([]byte, error) {
	return textenum.Marshal("sync", "phase", phaseKeys[:], int(p))
}

// UnmarshalText is the inverse of MarshalText.
func (p *Phase) UnmarshalText(b []byte) error {
	i, err := textenum.Unmarshal("sync", "phase", phaseKeys[:], b)
	if err == nil {
		*p = Phase(i)
	}
	return err
}
