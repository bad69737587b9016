package milestones

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// Report is the evaluation of a State: the milestones reached, the sync
// progress and every feature's status. It marshals to JSON with stable
// field names; milestones, phases and scopes are strings.
type Report struct {
	// Milestone is the highest milestone reached (0, "none", if none).
	Milestone Milestone `json:"milestone"`
	// Refused lists the records refused by the phases of the milestones
	// reached, e.g. "3 of 3 jobs and 2 of 40 candidates" ("" when none): the
	// milestones were reached, but these records are in the sync engine's
	// dead letters, not on LinkedIn.
	Refused string `json:"refused,omitempty"`
	// Reached lists the milestones reached, in order.
	Reached []Milestone `json:"reached"`
	// Integration is the onboarding status the report was computed from.
	Integration IntegrationStatus `json:"integration"`
	// Settings is the product settings the report was computed from.
	Settings rsc.ProductSettings `json:"settings"`
	// Sync is the progress of each sync phase, in order.
	Sync []PhaseStatus `json:"sync"`
	// Features is every catalogue feature, in catalogue order.
	Features []FeatureStatus `json:"features"`
}

// IntegrationStatus is the onboarding part of a Report.
type IntegrationStatus struct {
	// Enabled reports whether the integration is enabled with some access.
	Enabled bool `json:"enabled"`
	// EnabledAt is when it was enabled (omitted if unknown).
	EnabledAt time.Time `json:"enabledAt,omitzero"`
	// Access is the enabled access levels.
	Access Access `json:"access"`
}

// PhaseStatus is one sync phase's progress in a Report.
type PhaseStatus struct {
	// Phase is the sync phase.
	Phase rscsync.Phase `json:"phase"`
	// Milestone is the milestone that completing it reaches.
	Milestone Milestone `json:"milestone"`
	// Progress is the raw checkpoint.
	Progress PhaseProgress `json:"progress"`
	// Percent is Done/Total in whole percent (100 when completed, 0 when unknown).
	Percent int `json:"percent"`
	// ETASeconds is the estimated time left (0 when unknown or done).
	ETASeconds int64 `json:"etaSeconds,omitempty"`
	// Summary is the progress in words, e.g. "61% done, about 40 minutes
	// left", with the records refused so far ("; 2 candidates refused so far:
	// see the dead letters").
	Summary string `json:"summary"`
}

// FeatureStatus is one feature's evaluation.
type FeatureStatus struct {
	// Feature is the feature's ID.
	Feature FeatureID `json:"feature"`
	// Title is the feature's catalogue title.
	Title string `json:"title"`
	// Records is the kind of record the scope is about.
	Records RecordKind `json:"records"`
	// Enabled reports whether the feature works for at least some records.
	Enabled bool `json:"enabled"`
	// Scope is which records it works for (ScopeNone when not Enabled), less
	// the Refused ones: ScopeText says it in words.
	Scope Scope `json:"scope"`
	// Refused is the number of records of the feature's kind the sync engine
	// refused (they are in its dead letters, not on LinkedIn), for a feature
	// whose scope comes from the sync; the feature does not work for them.
	Refused int64 `json:"refused,omitempty"`
	// AllRefused reports that every record of the kind was refused:
	// LinkedIn has none of them. It compares the distinct records refused
	// with the ATS's count of the eligible ones when the phase completed or
	// at the sync's last run (PhaseProgress.Total less Ineligible), so a
	// refused record that is edited and refused again leaves it set, and a
	// record created since the last count counts from the next run.
	AllRefused bool `json:"allRefused,omitempty"`
	// Reason explains why it is off or, when its scope is limited to new and
	// updated records, when it widens ("all candidates once Candidate Sync
	// completes (61% done, about 40 minutes left)").
	Reason string `json:"reason,omitempty"`
	// Next is the milestone that would widen the scope next (0 if none).
	Next Milestone `json:"next,omitempty"`
	// NextScope is the scope from Next on (ScopeNone if no Next).
	NextScope Scope `json:"nextScope,omitempty"`
}

// Feature returns the status of feature id.
func (r Report) Feature(id FeatureID) (FeatureStatus, bool) {
	for _, f := range r.Features {
		if f.Feature == id {
			return f, true
		}
	}
	return FeatureStatus{}, false
}

// highest returns the highest milestone reached: the persisted floor, then
// as far as the integration and the completed phases carry it.
func highest(s State) Milestone {
	m := Milestone(0)
	for _, p := range s.Persisted {
		if p.valid() && p > m {
			m = p
		}
	}
	if !s.integrationOn() {
		return m
	}
	m = max(m, IntegrationEnabled)
	for m < LastMilestone {
		ph, _ := (m + 1).Phase()
		if !s.Phases[ph].Completed {
			break
		}
		m++
	}
	return m
}

// Reached returns the milestones s has reached, in order 1..n. Milestone 1
// needs the integration enabled with some access level; milestone k needs
// milestone k-1 and its phase completed. Milestones in s.Persisted (and all
// before them) count as reached whatever the rest of s says.
func Reached(s State) []Milestone {
	h := highest(s)
	out := make([]Milestone, 0, h)
	for m := IntegrationEnabled; m <= h; m++ {
		out = append(out, m)
	}
	return out
}

// Evaluate returns every feature's status for s.
func Evaluate(s State) Report {
	m := highest(s)
	r := Report{
		Milestone: m,
		Refused:   refusedUpTo(s, m),
		Reached:   Reached(s),
		Integration: IntegrationStatus{
			Enabled:   s.integrationOn(),
			EnabledAt: s.EnabledAt,
			Access:    s.Access,
		},
		Settings: s.Settings,
	}
	for _, p := range rscsync.Phases() {
		pp, started := s.Phases[p]
		m, _ := MilestoneOf(p)
		ps := PhaseStatus{Phase: p, Milestone: m, Progress: pp, Summary: phaseSummary(p, pp, started)}
		switch {
		case pp.Completed:
			ps.Percent = 100
		case pp.Total > 0:
			ps.Percent = percent(pp)
			if rem := pp.Total - pp.Done; rem > 0 && pp.RecordsPerMinute > 0 {
				ps.ETASeconds = int64(math.Round(float64(rem) / pp.RecordsPerMinute * 60))
			}
		}
		r.Sync = append(r.Sync, ps)
	}
	for _, f := range catalogue {
		r.Features = append(r.Features, evaluateFeature(s, f, m))
	}
	return r
}

// Available answers "does feature id work for a record last modified at
// recordModified?" (the record being of the feature's RecordKind), by
// LinkedIn's milestone rules: it does not tell whether the sync already
// sent the record (during the historical pass the sync's fresh lanes send
// new and updated records ahead of the backlog, within a lane interval;
// see the sync package's documentation). When the
// scope is ScopeNewAndUpdated, a record counts as newly created or updated
// when it was modified at or after s.EnabledAt (a record modified exactly at
// the enablement instant is picked up by the incremental sync). When the
// answer is false, the string says why, e.g. "record last modified
// 2026-01-02 before the integration was enabled 2026-03-01; available once
// Candidate Sync completes (61% done, about 40 minutes left)".
func Available(s State, id FeatureID, recordModified time.Time) (bool, string) {
	f, ok := Lookup(id)
	if !ok {
		return false, fmt.Sprintf("unknown feature %q", id)
	}
	m := highest(s)
	fs := evaluateFeature(s, f, m)
	if !fs.Enabled {
		return false, fs.Reason
	}
	if outside, why := beforeWindow(s, f, recordModified); outside {
		return false, why
	}
	if fs.Scope == ScopeAll {
		return true, ""
	}
	once := "available once " + until(s, m, fs.Next)
	switch {
	case s.EnabledAt.IsZero():
		return false, "the time the integration was enabled is unknown, so the record cannot be placed among new and updated " + string(f.Records) + "; " + once
	case recordModified.IsZero():
		return false, "the record's last-modified time is unknown; " + once
	case recordModified.Before(s.EnabledAt):
		a, b := fmtPair(recordModified, s.EnabledAt)
		return false, fmt.Sprintf("record last modified %s before the integration was enabled %s; %s", a, b, once)
	}
	return true, ""
}

// beforeWindow reports whether a record last modified at recordModified
// lies before the sync's historical window (State.WindowFrom), for a
// feature that needs the record synced (one whose scope grows with the
// sync: it has a ScopeNewAndUpdated step), and says why.
func beforeWindow(s State, f Feature, recordModified time.Time) (bool, string) {
	if s.WindowFrom.IsZero() || recordModified.IsZero() || !recordModified.Before(s.WindowFrom) ||
		!slices.ContainsFunc(f.Steps, func(st Step) bool { return st.Scope == ScopeNewAndUpdated }) {
		return false, ""
	}
	a, b := fmtPair(recordModified, s.WindowFrom)
	return true, fmt.Sprintf("record last modified %s before the historical window began %s: the sync sends it once it changes", a, b)
}

func evaluateFeature(s State, f Feature, m Milestone) FeatureStatus {
	fs := FeatureStatus{Feature: f.ID, Title: f.Title, Records: f.Records}
	if st, ok := f.NextStep(m); ok {
		fs.Next, fs.NextScope = st.Milestone, st.Scope
	}
	if g := gateReason(s, f); g != "" {
		fs.Reason = g
		return fs
	}
	scope := f.ScopeAt(m)
	if scope == ScopeNone {
		fs.Reason = waiting(s, m, fs.Next)
		return fs
	}
	fs.Enabled, fs.Scope = true, scope
	if scope == ScopeAll {
		fs.Refused, fs.AllRefused = featureRefused(s, f)
	}
	if scope == ScopeNewAndUpdated {
		if fs.Next != 0 {
			fs.Reason = fs.NextScope.Describe(f.Records) + " once " + until(s, m, fs.Next)
		}
	}
	return fs
}

// gateReason returns why the non-sync gates block f, or "".
func gateReason(s State, f Feature) string {
	if !s.Enabled {
		return "the integration is not enabled in Recruiter"
	}
	if !s.Access.Any() {
		return "neither company-level nor contract-level access is enabled in Recruiter"
	}
	var why []string
	if !f.Access.Satisfied(s.Access) {
		switch f.Access {
		case ContractAccess:
			why = append(why, "needs contract-level access (CSA_API) to be enabled in Recruiter")
		case CompanyAccess:
			why = append(why, "needs company-level access (ONE_CLICK_EXPORT, IN_ATS_INDICATOR, PROFILE_PLUGIN) to be enabled in Recruiter")
		}
	}
	if !f.Setting.On(s.Settings) {
		why = append(why, "the "+f.Setting.String()+" product setting is off")
	}
	return strings.Join(why, "; ")
}

// waiting explains a feature that needs milestone target while m is reached.
func waiting(s State, m, target Milestone) string {
	if target == 0 || m >= LastMilestone {
		return "not covered by the sync"
	}
	blocking := m + 1
	p, _ := blocking.Phase()
	pp, started := s.Phases[p]
	out := "waiting for " + p.String() + ": " + progressText(pp, started)
	if target > blocking {
		var then []string
		for k := blocking + 1; k <= target; k++ {
			q, _ := k.Phase()
			then = append(then, q.String())
		}
		out += " (then " + strings.Join(then, ", ") + ")"
	}
	return out
}

// until returns "Candidate Sync completes (61% done, about 40 minutes left)"
// for target, naming the phase actually in progress when it comes earlier.
func until(s State, m, target Milestone) string {
	tp, ok := target.Phase()
	if !ok || target <= m {
		return "the sync completes"
	}
	p, _ := (m + 1).Phase()
	pp, started := s.Phases[p]
	if p == tp {
		return tp.String() + " completes (" + progressText(pp, started) + ")"
	}
	return tp.String() + " completes (after " + p.String() + ", now " + progressText(pp, started) + ")"
}

func percent(pp PhaseProgress) int {
	if pp.Total <= 0 {
		return 0
	}
	p := int(min(max(pp.Done*100/pp.Total, 0), 100))
	if !pp.Completed {
		p = min(p, 99) // done only once the phase completes
	}
	return p
}

// progressText renders a checkpoint: "61% done, about 40 minutes left".
func progressText(pp PhaseProgress, started bool) string {
	switch {
	case pp.Completed:
		if pp.CompletedAt.IsZero() {
			return "completed"
		}
		return "completed " + fmtTime(pp.CompletedAt)
	case !started || (pp.Done <= 0 && pp.Total <= 0):
		return "not started"
	case pp.Total <= 0:
		return fmt.Sprintf("%d records so far, total unknown", pp.Done)
	}
	rem := pp.Total - pp.Done
	if rem <= 0 {
		return "100% done, finishing"
	}
	out := fmt.Sprintf("%d%% done", percent(pp))
	if pp.RecordsPerMinute > 0 {
		return out + ", " + etaText(float64(rem)/pp.RecordsPerMinute)
	}
	return out + ", time left unknown"
}

// etaText renders a remaining time in minutes: "about 40 minutes left".
func etaText(minutes float64) string {
	plural := func(n float64, unit string) string {
		if n == 1 {
			return fmt.Sprintf("about 1 %s left", unit)
		}
		return fmt.Sprintf("about %.0f %ss left", n, unit)
	}
	switch {
	case minutes < 1:
		return "less than a minute left"
	case math.Round(minutes) < 60:
		return plural(math.Round(minutes), "minute")
	case math.Round(minutes/60) < 48:
		return plural(math.Round(minutes/60), "hour")
	}
	return plural(math.Round(minutes/(60*24)), "day")
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// fmtPair formats two instants as dates, or with the time of day when they
// fall on the same day (so "before" reads right).
func fmtPair(a, b time.Time) (string, string) {
	const day = "2006-01-02"
	if a.UTC().Format(day) != b.UTC().Format(day) {
		return a.UTC().Format(day), b.UTC().Format(day)
	}
	const full = "2006-01-02 15:04:05 UTC"
	return a.UTC().Format(full), b.UTC().Format(full)
}
