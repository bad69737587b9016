package milestones

import (
	"fmt"
	"slices"
	"strings"

	rscsync "github.com/rscgo/rscgo/sync"
)

// Records the sync engine refused (the client's validation or LinkedIn said
// no) are in its dead letters (rscsync.DeadLetterStore), not on LinkedIn. A
// milestone reached with refused records says how many, and a feature's scope
// never claims them: "all jobs except 3 refused", or "no jobs" when LinkedIn
// has none of them. Engine.RetryDeadLetters resends them once the ATS data is
// fixed.

// deadLetterHint tells an admin where the refused records are.
const deadLetterHint = "see the dead letters"

// phaseRecords is the record kind of each milestone phase, in rscsync.Phases order.
var phaseRecords = [...]RecordKind{Jobs, Candidates, Applications, Activities}

// recordsOf returns the kind of record phase p syncs.
func recordsOf(p rscsync.Phase) RecordKind {
	if i := slices.Index(rscsync.Phases(), p); i >= 0 {
		return phaseRecords[i]
	}
	return "records"
}

// phaseOf returns the phase that syncs records of kind k.
func phaseOf(k RecordKind) (rscsync.Phase, bool) {
	i := slices.Index(phaseRecords[:], k)
	if i < 0 {
		return 0, false
	}
	return rscsync.Phases()[i], true
}

// count renders "1 job" or "3 jobs".
func count(n int64, k RecordKind) string {
	if n != 1 {
		return fmt.Sprintf("%d %s", n, k)
	}
	one := map[RecordKind]string{Jobs: "job", Candidates: "candidate", Applications: "shortlist record", Activities: "activity"}[k]
	if one == "" {
		one = string(k)
	}
	return "1 " + one
}

// refusedText renders a phase's refusals: "3 of 3 jobs" once it completed,
// "2 candidates" before ("" when none).
func refusedText(p rscsync.Phase, pp PhaseProgress) string {
	switch {
	case pp.DeadLettered <= 0:
		return ""
	case pp.Completed && pp.Total > 0 && pp.DeadLettered <= pp.Total:
		return fmt.Sprintf("%d of %s", pp.DeadLettered, count(pp.Total, recordsOf(p)))
	}
	return count(pp.DeadLettered, recordsOf(p))
}

// phaseSummary is progressText plus the phase's refusals.
func phaseSummary(p rscsync.Phase, pp PhaseProgress, started bool) string {
	out := progressText(pp, started)
	if r := refusedText(p, pp); r != "" {
		r += " refused"
		if !pp.Completed {
			r += " so far"
		}
		out += "; " + r + ": " + deadLetterHint
	}
	return out
}

// refusedUpTo lists the refusals of the phases of milestones up to m:
// "3 of 3 jobs and 2 of 40 candidates" ("" when none).
func refusedUpTo(s State, m Milestone) string {
	var parts []string
	for _, p := range rscsync.Phases() {
		if pm, _ := MilestoneOf(p); pm <= m {
			if r := refusedText(p, s.Phases[p]); r != "" {
				parts = append(parts, r)
			}
		}
	}
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// featureRefused returns how many records of f's kind are refused (in the
// dead letters), and whether that is every eligible record of the completed
// phase, for a feature whose scope comes from the sync (0 for the others,
// such as exporting a LinkedIn member, which works whatever the ATS sent).
func featureRefused(s State, f Feature) (refused int64, all bool) {
	if !slices.ContainsFunc(f.Steps, func(st Step) bool { return st.Milestone >= JobSyncCompleted }) {
		return 0, false
	}
	p, ok := phaseOf(f.Records)
	if !ok {
		return 0, false
	}
	pp := s.Phases[p]
	if pp.DeadLettered <= 0 {
		return 0, false
	}
	// Every eligible record is refused: LinkedIn holds none. Refused and
	// Skipped count distinct records, and so does Total (the ATS's count in
	// the window, at least the historical pass's Done); Incremental does
	// not, as it counts a refused record again each time it is re-read.
	return pp.DeadLettered, pp.Completed && pp.DeadLettered >= max(pp.Total, pp.Done)-pp.Ineligible
}

// ScopeText describes which records the feature works for, in words: the
// Scope, less the records the sync engine refused. For example "all jobs",
// "all jobs except 3 refused (see the dead letters)", "no jobs: all 3 were
// refused (see the dead letters)" or "new and updated candidates only"; "-"
// when the feature is disabled.
func (f FeatureStatus) ScopeText() string {
	switch {
	case !f.Enabled:
		return "-"
	case f.Refused <= 0:
		return f.Scope.Describe(f.Records)
	case f.AllRefused:
		return fmt.Sprintf("no %s: all %d were refused (%s)", f.Records, f.Refused, deadLetterHint)
	}
	return fmt.Sprintf("%s except %d refused (%s)", f.Scope.Describe(f.Records), f.Refused, deadLetterHint)
}

// Text describes the event: "Milestone 2: Job Sync Completed", followed by
// the records refused on the way when there were any ("; 3 of 3 jobs
// refused: see the dead letters").
func (e Event) Text() string {
	if e.Refused == "" {
		return e.Milestone.Label()
	}
	return e.Milestone.Label() + "; " + e.Refused + " refused: " + deadLetterHint
}
