package milestones

import (
	"time"

	"github.com/rscgo/rscgo/onboarding"
	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// This file adapts the onboarding status and the sync engine's checkpoints
// into a State. Package milestones depends on onboarding and sync, never the
// other way round: they hand their answers to callers, who build a State
// here.

// PhasesFromSync converts the sync engine's persisted phase states (from
// sync.PhaseStatus or Engine.State) into the engine's input. The deletions
// phase is not a milestone and is ignored.
func PhasesFromSync(ps map[rscsync.Phase]rscsync.PhaseState) map[rscsync.Phase]PhaseProgress {
	out := make(map[rscsync.Phase]PhaseProgress, len(ps))
	for p, s := range ps {
		if _, ok := MilestoneOf(p); ok {
			out[p] = PhaseProgress{
				Done:             s.Done,
				Total:            s.Total,
				RecordsPerMinute: s.RecordsPerMinute,
				Completed:        s.Completed,
				CompletedAt:      s.CompletedAt,
				DeadLettered:     s.DeadLettered,
				Ineligible:       s.Ineligible,
				Incremental:      s.Incremental,
			}
		}
	}
	return out
}

// PhaseFromProgress converts one live sync.Progress event, for callers that
// update a State from the engine's WithProgress callback. ok is false for
// the deletions phase.
func PhaseFromProgress(p rscsync.Progress) (pp PhaseProgress, ok bool) {
	if _, ok := MilestoneOf(p.Phase); !ok {
		return PhaseProgress{}, false
	}
	return PhaseProgress{
		Done:             p.Done,
		Total:            p.Total,
		RecordsPerMinute: p.RecordsPerMinute,
		Completed:        p.Completed,
		CompletedAt:      p.CompletedAt,
		DeadLettered:     p.DeadLettered,
		Ineligible:       p.Ineligible,
		Incremental:      p.Incremental,
	}, true
}

// AccessFromStatus reads the access levels and product settings from an
// onboarding status. Unknown product settings count as LinkedIn's defaults
// (all on), as onboarding.Status.Features does.
func AccessFromStatus(st onboarding.Status) (Access, rsc.ProductSettings) {
	a := Access{
		CompanyLevel:  st.Company == rsc.StatusEnabled,
		ContractLevel: st.Contract == rsc.StatusEnabled,
	}
	ps := AllSettings()
	if st.Settings != nil {
		ps = *st.Settings
	}
	return a, ps
}

// StateFrom builds a State from the onboarding status, the time the
// integration was enabled and the sync engine's phase states. enabledAt is
// the caller's record of when the status first became enabled (for example
// the time of the IntegrationEnabled event in the onboarding event history,
// or the status's UpdatedAt when it was first seen enabled); records modified
// at or after it count as "newly created and updated". State.WindowFrom is
// the phases' historical window. Set State.Persisted from an EventStore so
// milestones never go backwards.
func StateFrom(st onboarding.Status, enabledAt time.Time, phases map[rscsync.Phase]rscsync.PhaseState) State {
	access, settings := AccessFromStatus(st)
	s := State{
		Enabled:   st.State.Enabled(),
		EnabledAt: enabledAt,
		Access:    access,
		Settings:  settings,
		Phases:    PhasesFromSync(phases),
	}
	for _, ps := range phases {
		s.WindowFrom = ps.WindowFrom // the same in every phase
	}
	return s
}
