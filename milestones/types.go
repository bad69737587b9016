package milestones

import (
	"fmt"
	"strconv"
	"time"

	"github.com/rscgo/rscgo/internal/textenum"
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

// String returns the seed's name, e.g. "Candidate Sync Completed" ("None" for 0).
func (m Milestone) String() string {
	if !m.valid() {
		return "Milestone(" + strconv.Itoa(int(m)) + ")"
	}
	return milestoneNames[m]
}

// Label returns "Milestone 3: Candidate Sync Completed".
func (m Milestone) Label() string {
	if m == 0 {
		return "no milestone"
	}
	return fmt.Sprintf("Milestone %d: %s", int(m), m)
}

// Phase returns the sync phase whose completion reaches m; ok is false for
// IntegrationEnabled and invalid values.
func (m Milestone) Phase() (p Phase, ok bool) {
	if m < JobSyncCompleted || m > LastMilestone {
		return 0, false
	}
	return Phase(m - JobSyncCompleted), true
}

// MarshalText encodes m as "none", "integration_enabled", ..., "activity_sync_completed".
func (m Milestone) MarshalText() ([]byte, error) {
	if !m.valid() {
		return nil, fmt.Errorf("milestones: invalid milestone %d", int(m))
	}
	return []byte(milestoneKeys[m]), nil
}

// UnmarshalText accepts the MarshalText names and the numbers "0".."5".
func (m *Milestone) UnmarshalText(b []byte) error {
	s := string(b)
	for i, k := range milestoneKeys {
		if s == k {
			*m = Milestone(i)
			return nil
		}
	}
	if n, err := strconv.Atoi(s); err == nil && Milestone(n).valid() {
		*m = Milestone(n)
		return nil
	}
	return fmt.Errorf("milestones: unknown milestone %q", s)
}

// Phase is a phase of the sync engine's historical sync, in milestone order.
// It marshals to text as "jobs", "candidates", "shortlists" or "activities".
type Phase int

// The sync phases; completing PhaseJobs reaches JobSyncCompleted, and so on.
const (
	// PhaseJobs is the historical job sync.
	PhaseJobs Phase = iota
	// PhaseCandidates is the historical candidate sync.
	PhaseCandidates
	// PhaseShortlists is the historical shortlist (application) sync.
	PhaseShortlists
	// PhaseActivities is the historical activity (notes, stages, feedback) sync.
	PhaseActivities
)

// AllPhases returns the sync phases in order.
func AllPhases() []Phase {
	return []Phase{PhaseJobs, PhaseCandidates, PhaseShortlists, PhaseActivities}
}

var phaseNames = [...]string{"Job Sync", "Candidate Sync", "Shortlist Sync", "Activity Sync"}
var phaseKeys = [...]string{"jobs", "candidates", "shortlists", "activities"}

func (p Phase) valid() bool { return p >= PhaseJobs && p <= PhaseActivities }

// String returns "Job Sync", "Candidate Sync", "Shortlist Sync" or "Activity Sync".
func (p Phase) String() string {
	if !p.valid() {
		return "Phase(" + strconv.Itoa(int(p)) + ")"
	}
	return phaseNames[p]
}

// Milestone returns the milestone that completing p reaches.
func (p Phase) Milestone() Milestone { return Milestone(p) + JobSyncCompleted }

// MarshalText encodes p as "jobs", "candidates", "shortlists" or "activities".
func (p Phase) MarshalText() ([]byte, error) {
	return textenum.Marshal("milestones", "phase", phaseKeys[:], int(p))
}

// UnmarshalText is the inverse of MarshalText.
func (p *Phase) UnmarshalText(b []byte) error {
	i, err := textenum.Unmarshal("milestones", "phase", phaseKeys[:], b)
	if err == nil {
		*p = Phase(i)
	}
	return err
}

// PhaseProgress is the sync engine's checkpoint for one phase.
type PhaseProgress struct {
	// Done is the number of records synced so far.
	Done int64 `json:"done"`
	// Total is the number of records the phase will sync (0 if unknown).
	Total int64 `json:"total"`
	// RecordsPerMinute is the recent throughput, used for the time estimate.
	RecordsPerMinute float64 `json:"recordsPerMinute,omitempty"`
	// Completed reports that the phase finished.
	Completed bool `json:"completed"`
	// CompletedAt is when it finished (zero if unknown or not finished).
	CompletedAt time.Time `json:"completedAt,omitzero"`
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

// ProductSettings are the integration's options in Recruiter under
// Product settings → Manage integrations.
type ProductSettings struct {
	// OneClickExport is the "1-Click Export" option.
	OneClickExport bool `json:"oneClickExport"`
	// InMailStubProfile is the "InMail Stub Profile" option.
	InMailStubProfile bool `json:"inMailStubProfile"`
	// InATSIndicator is the "In-ATS Indicator" option.
	InATSIndicator bool `json:"inAtsIndicator"`
	// ProfileWidget is the "In-ATS Profile Widget" option.
	ProfileWidget bool `json:"profileWidget"`
}

// On reports whether setting st is on; NoSetting is always on.
func (ps ProductSettings) On(st Setting) bool {
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

// AllSettings returns ProductSettings with every option on.
func AllSettings() ProductSettings {
	return ProductSettings{OneClickExport: true, InMailStubProfile: true, InATSIndicator: true, ProfileWidget: true}
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
func (st Setting) String() string {
	if st < 0 || int(st) >= len(settingNames) {
		return "Setting(" + strconv.Itoa(int(st)) + ")"
	}
	return settingNames[st]
}

// MarshalText encodes st as "", "one_click_export", "inmail_stub_profile",
// "in_ats_indicator" or "profile_widget".
func (st Setting) MarshalText() ([]byte, error) {
	if st < 0 || int(st) >= len(settingKeys) {
		return nil, fmt.Errorf("milestones: invalid setting %d", int(st))
	}
	return []byte(settingKeys[st]), nil
}

// AccessLevel is the access a feature needs.
type AccessLevel int

// Access requirements.
const (
	// AnyAccess: company-level or contract-level access.
	AnyAccess AccessLevel = iota
	// CompanyAccess: company-level access specifically.
	CompanyAccess
	// ContractAccess: contract-level access (CSA_API) specifically.
	ContractAccess
)

var accessKeys = [...]string{"any", "company", "contract"}

// String returns "any", "company" or "contract".
func (l AccessLevel) String() string {
	if l < 0 || int(l) >= len(accessKeys) {
		return "AccessLevel(" + strconv.Itoa(int(l)) + ")"
	}
	return accessKeys[l]
}

// MarshalText encodes l as String does.
func (l AccessLevel) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// Satisfied reports whether access a meets the requirement.
func (l AccessLevel) Satisfied(a Access) bool {
	switch l {
	case CompanyAccess:
		return a.CompanyLevel
	case ContractAccess:
		return a.ContractLevel
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
func (sc Scope) String() string {
	if sc < 0 || int(sc) >= len(scopeKeys) {
		return "Scope(" + strconv.Itoa(int(sc)) + ")"
	}
	return scopeKeys[sc]
}

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

// Record kinds, as the seed words them.
const (
	// Candidates are ATS candidate records.
	Candidates RecordKind = "candidates"
	// Jobs are ATS job records.
	Jobs RecordKind = "jobs"
	// ShortlistRecords are ATS shortlist (placement/application) records.
	ShortlistRecords RecordKind = "shortlist records"
	// Activities are ATS activities (notes, stages, feedback).
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
	Settings ProductSettings
	// Phases is the sync engine's checkpoint per phase; a missing phase has
	// not started.
	Phases map[Phase]PhaseProgress
	// Now is the current time, used as the event time when a milestone's
	// own time is unknown; zero means time.Now().
	Now time.Time
	// Persisted lists milestones already recorded (e.g. from an EventStore).
	// They count as reached even if Phases has since regressed (a re-run
	// resets the counters), so milestones never go backwards. Optional.
	Persisted []Milestone
}

func (s State) now() time.Time {
	if s.Now.IsZero() {
		return time.Now()
	}
	return s.Now
}

// integrationOn reports whether milestone 1's condition holds right now.
func (s State) integrationOn() bool { return s.Enabled && s.Access.Any() }
