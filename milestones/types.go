package milestones

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/rscgo/rscgo/internal/textenum"
	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// Milestone is a step of the feature enablement: 1 Integration Enabled to
// 5 Activity Sync Completed. The zero value means no milestone reached.
// It marshals to text (and JSON) as a stable snake_case name.
type Milestone int

// The five milestones, in the order they are reached.
const (
	// IntegrationEnabled is reached when the customer enables the
	// integration with company- or contract-level access.
	IntegrationEnabled Milestone = iota + 1
	// JobSyncCompleted is reached when the historical job sync is done.
	JobSyncCompleted
	// CandidateSyncCompleted is reached when the historical candidate sync is done.
	CandidateSyncCompleted
	// ShortlistSyncCompleted is reached when the historical shortlist sync is done.
	ShortlistSyncCompleted
	// ActivitySyncCompleted is reached when the historical activity sync is done.
	ActivitySyncCompleted
)

// LastMilestone is the final milestone.
const LastMilestone = ActivitySyncCompleted

var milestoneNames = [...]string{"None", "Integration Enabled", "Job Sync Completed", "Candidate Sync Completed", "Shortlist Sync Completed", "Activity Sync Completed"}
var milestoneKeys = [...]string{"none", "integration_enabled", "job_sync_completed", "candidate_sync_completed", "shortlist_sync_completed", "activity_sync_completed"}

func (m Milestone) valid() bool { return m >= 0 && m <= LastMilestone }

// String returns the vendor documentation's name, e.g. "Candidate Sync Completed" ("None" for 0).
func (m Milestone) String() string { return enumString("Milestone", milestoneNames[:], int(m)) }

// Label returns "Milestone 3: Candidate Sync Completed".
func (m Milestone) Label() string {
	if m == 0 {
		return "no milestone"
	}
	return fmt.Sprintf("Milestone %d: %s", int(m), m)
}

// Phase returns the sync phase whose completion reaches m; ok is false for
// IntegrationEnabled and invalid values.
func (m Milestone) Phase() (p rscsync.Phase, ok bool) {
	if m < JobSyncCompleted || m > LastMilestone {
		return 0, false
	}
	return rscsync.Phases()[m-JobSyncCompleted], true
}

// MilestoneOf returns the milestone that completing sync phase p reaches; ok
// is false for rscsync.PhaseDeletions, which is not a milestone.
func MilestoneOf(p rscsync.Phase) (m Milestone, ok bool) {
	i := slices.Index(rscsync.Phases(), p)
	if i < 0 {
		return 0, false
	}
	return JobSyncCompleted + Milestone(i), true
}

// MarshalText encodes m as "none", "integration_enabled", ..., "activity_sync_completed".
func (m Milestone) MarshalText() ([]byte, error) {
	return textenum.Marshal("milestones", "milestone", milestoneKeys[:], int(m))
}

// UnmarshalText accepts the MarshalText names and the numbers "0".."5".
func (m *Milestone) UnmarshalText(b []byte) error {
	i, err := textenum.Unmarshal("milestones", "milestone", milestoneKeys[:], b)
	if err != nil {
		n, aerr := strconv.Atoi(string(b))
		if aerr != nil || !Milestone(n).valid() {
			return err
		}
		i = n
	}
	*m = Milestone(i)
	return nil
}

// PhaseProgress is the sync engine's checkpoint for one phase.
type PhaseProgress struct {
	// Done is the number of records synced so far.
	Done int64 `json:"done"`
	// Total is the number of records the phase will sync: the ATS's count
	// of the records in the window at the sync's last run (0 if unknown), at
	// least Done once the phase completed.
	Total int64 `json:"total"`
	// RecordsPerMinute is the recent throughput, used for the time estimate.
	RecordsPerMinute float64 `json:"recordsPerMinute,omitempty"`
	// Completed reports that the phase finished.
	Completed bool `json:"completed"`
	// CompletedAt is when it finished (zero if unknown or not finished).
	CompletedAt time.Time `json:"completedAt,omitzero"`
	// DeadLettered is the number of the phase's records currently in the
	// sync engine's dead letters (refused by the client's validation or by
	// LinkedIn): counted in Done, but not on LinkedIn. Features never claim
	// them, and a milestone reached with refused records says so. It is
	// sync.PhaseState's count of that name.
	DeadLettered int64 `json:"deadLettered,omitempty"`
	// Ineligible is the number of records the ATS's eligibility rules kept
	// out of the sync (counted in Done): sync.PhaseState's count of that
	// name.
	Ineligible int64 `json:"ineligible,omitempty"`
	// Incremental is the number of records processed after the phase
	// completed (new and updated ones): a record updated twice counts
	// twice, so it is no count of distinct records.
	Incremental int64 `json:"incremental,omitempty"`
}

// Access is the integration access the customer enabled in Recruiter's
// admin settings (ATS tab).
type Access struct {
	// CompanyLevel: the organization-level integrations (ONE_CLICK_EXPORT,
	// IN_ATS_INDICATOR, PROFILE_PLUGIN) are ENABLED.
	CompanyLevel bool `json:"companyLevel"`
	// ContractLevel: the contract-level integration (CSA_API) is ENABLED.
	ContractLevel bool `json:"contractLevel"`
}

// Any reports whether at least one access level is enabled.
func (a Access) Any() bool { return a.CompanyLevel || a.ContractLevel }

// AllSettings returns product settings with every option on (LinkedIn's
// default when the settings are unknown).
func AllSettings() rsc.ProductSettings {
	return rsc.ProductSettings{OneClickExport: true, InMailStubProfile: true, InATSIndicator: true, ProfileWidget: true}
}

// Setting names one LinkedIn product setting a feature needs.
type Setting int

// The product settings.
const (
	// NoSetting: the feature needs no product setting.
	NoSetting Setting = iota
	// SettingOneClickExport is ProductSettings.OneClickExport.
	SettingOneClickExport
	// SettingInMailStubProfile is ProductSettings.InMailStubProfile.
	SettingInMailStubProfile
	// SettingInATSIndicator is ProductSettings.InATSIndicator.
	SettingInATSIndicator
	// SettingProfileWidget is ProductSettings.ProfileWidget.
	SettingProfileWidget
)

var settingNames = [...]string{"", "1-Click Export", "InMail Stub Profile", "In-ATS Indicator", "Profile Widget"}
var settingKeys = [...]string{"", "one_click_export", "inmail_stub_profile", "in_ats_indicator", "profile_widget"}

// String returns the setting's name as Recruiter shows it, e.g. "In-ATS Indicator".
func (st Setting) String() string { return enumString("Setting", settingNames[:], int(st)) }

// MarshalText encodes st as "", "one_click_export", "inmail_stub_profile",
// "in_ats_indicator" or "profile_widget".
func (st Setting) MarshalText() ([]byte, error) {
	return textenum.Marshal("milestones", "setting", settingKeys[:], int(st))
}

// On reports whether setting st is on in ps; NoSetting is always on.
func (st Setting) On(ps rsc.ProductSettings) bool {
	switch st {
	case SettingOneClickExport:
		return ps.OneClickExport
	case SettingInMailStubProfile:
		return ps.InMailStubProfile
	case SettingInATSIndicator:
		return ps.InATSIndicator
	case SettingProfileWidget:
		return ps.ProfileWidget
	}
	return st == NoSetting
}

// enumString returns names[i], or type(i) when i is out of range.
func enumString(typ string, names []string, i int) string {
	if i < 0 || i >= len(names) {
		return typ + "(" + strconv.Itoa(i) + ")"
	}
	return names[i]
}

// AccessLevel is the access a feature needs. It marshals as its string
// value: "any", "company" or "contract".
type AccessLevel string

// Access requirements.
const (
	// AnyAccess: company-level or contract-level access.
	AnyAccess AccessLevel = "any"
	// CompanyAccess: company-level access specifically.
	CompanyAccess AccessLevel = "company"
	// ContractAccess: contract-level access (CSA_API) specifically.
	ContractAccess AccessLevel = "contract"
)

// Satisfied reports whether access a meets the requirement; any level other
// than CompanyAccess and ContractAccess asks for either.
func (l AccessLevel) Satisfied(a Access) bool {
	specific := map[AccessLevel]bool{CompanyAccess: a.CompanyLevel, ContractAccess: a.ContractLevel}
	if on, ok := specific[l]; ok {
		return on
	}
	return a.Any()
}

// Scope is which records a feature covers.
type Scope int

// Scopes, narrowest first.
const (
	// ScopeNone: the feature is not available yet.
	ScopeNone Scope = iota
	// ScopeNewAndUpdated: only records created or modified at or after the
	// moment the integration was enabled.
	ScopeNewAndUpdated
	// ScopeAll: every record.
	ScopeAll
)

var scopeKeys = [...]string{"none", "new_and_updated", "all"}

// String returns "none", "new_and_updated" or "all".
func (sc Scope) String() string { return enumString("Scope", scopeKeys[:], int(sc)) }

// Describe returns the scope in words for record kind k, e.g.
// "new and updated candidates only" or "all jobs".
func (sc Scope) Describe(k RecordKind) string {
	switch sc {
	case ScopeNewAndUpdated:
		return "new and updated " + string(k) + " only"
	case ScopeAll:
		return "all " + string(k)
	}
	return "none"
}

// MarshalText encodes sc as String does.
func (sc Scope) MarshalText() ([]byte, error) {
	return textenum.Marshal("milestones", "scope", scopeKeys[:], int(sc))
}

// UnmarshalText is the inverse of MarshalText.
func (sc *Scope) UnmarshalText(b []byte) error {
	i, err := textenum.Unmarshal("milestones", "scope", scopeKeys[:], b)
	if err == nil {
		*sc = Scope(i)
	}
	return err
}

// RecordKind is the kind of ATS record a feature's scope is about (and whose
// last-modified time Available compares with the enablement time).
type RecordKind string

// Record kinds, as the vendor documentation words them.
const (
	// Candidates are ATS candidate records.
	Candidates RecordKind = "candidates"
	// Jobs are ATS job records.
	Jobs RecordKind = "jobs"
	// Applications are ATS application records (sync.Application). The
	// value keeps the words of LinkedIn's milestone texts, which call them
	// shortlist records (see the glossary of package sync).
	Applications RecordKind = "shortlist records"
	// Activities are ATS activities (notes and interview feedback; stages are
	// part of their application).
	Activities RecordKind = "activities"
)

// State is the engine's whole input: onboarding status, product settings and
// sync checkpoints, plus the clock.
type State struct {
	// Enabled reports that the integration is enabled in Recruiter. Milestone
	// 1 needs Enabled and at least one Access level.
	Enabled bool
	// EnabledAt is when the integration was enabled; records modified at or
	// after it are "newly created and updated".
	EnabledAt time.Time
	// Access is the enabled access levels.
	Access Access
	// Settings is the product settings in Recruiter.
	Settings rsc.ProductSettings
	// WindowFrom is the start of the sync's historical window
	// (sync.PhaseState.WindowFrom): a record last modified before it is
	// not synced until it changes, so no feature that needs the record on
	// LinkedIn works for it. Zero: all history is synced.
	WindowFrom time.Time
	// Phases is the sync engine's checkpoint per phase; a missing phase has
	// not started. rscsync.PhaseDeletions is not a milestone and is ignored.
	Phases map[rscsync.Phase]PhaseProgress
	// Persisted lists milestones already recorded (e.g. from an EventStore).
	// They count as reached even if Phases has since regressed (a re-run
	// resets the counters), so milestones never go backwards. Optional.
	Persisted []Milestone
}

// integrationOn reports whether milestone 1's condition holds right now.
func (s State) integrationOn() bool { return s.Enabled && s.Access.Any() }
