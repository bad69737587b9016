package milestones

// FeatureID identifies a feature of the catalogue.
type FeatureID string

// The features the vendor documentation's "Feature Enablement Milestones" section names, in
// the order it first names them.
const (
	// ExportToATS is the "Export to ATS" button on LinkedIn profiles.
	ExportToATS FeatureID = "export_to_ats"
	// ShareContactInfoInMail is the "Share contact information" InMail option
	// whose result is synced to the ATS.
	ShareContactInfoInMail FeatureID = "share_contact_info_inmail"
	// CandidateDataOnProfiles is ATS candidate data on LinkedIn profiles.
	CandidateDataOnProfiles FeatureID = "candidate_data_on_profiles"
	// ShortlistMemberToJob is shortlisting a LinkedIn member to an ATS job
	// from LinkedIn.
	ShortlistMemberToJob FeatureID = "shortlist_member_to_job"
	// ProfileOnCandidateRecord is the LinkedIn profile on ATS candidate records.
	ProfileOnCandidateRecord FeatureID = "profile_on_candidate_record"
	// InMailSync is the periodic InMail sync to candidate records.
	InMailSync FeatureID = "inmail_sync"
	// MemberDeletionActivity is the ATS activity created when a LinkedIn
	// member deletes their profile.
	MemberDeletionActivity FeatureID = "member_deletion_activity"
	// ShortlistDataOnProfiles is ATS shortlist data on LinkedIn profiles.
	ShortlistDataOnProfiles FeatureID = "shortlist_data_on_profiles"
	// CandidateActivitiesOnProfiles is ATS candidate activities on LinkedIn profiles.
	CandidateActivitiesOnProfiles FeatureID = "candidate_activities_on_profiles"
	// ShortlistActivitiesOnProfiles is ATS shortlist activities on LinkedIn profiles.
	ShortlistActivitiesOnProfiles FeatureID = "shortlist_activities_on_profiles"
)

// Step is a point where a feature's scope changes: from Milestone on, the
// feature covers Scope.
type Step struct {
	// Milestone is where the change happens.
	Milestone Milestone `json:"milestone"`
	// Scope is the feature's scope from Milestone on.
	Scope Scope `json:"scope"`
}

// Feature is one catalogue entry.
type Feature struct {
	// ID identifies the feature.
	ID FeatureID `json:"id"`
	// Title is the vendor documentation's wording, with the ATS's product name replaced by
	// "the ATS".
	Title string `json:"title"`
	// Records is the kind of record the scope is about.
	Records RecordKind `json:"records"`
	// Access is the access level the feature needs.
	Access AccessLevel `json:"access"`
	// Setting is the product setting the feature needs (NoSetting if none).
	Setting Setting `json:"setting,omitempty"`
	// Steps lists the scope changes in milestone order; before the first
	// step the scope is ScopeNone.
	Steps []Step `json:"steps"`
}

// ScopeAt returns the feature's scope once milestone m (0..5) is reached.
func (f Feature) ScopeAt(m Milestone) Scope {
	sc := ScopeNone
	for _, st := range f.Steps {
		if st.Milestone <= m {
			sc = st.Scope
		}
	}
	return sc
}

// NextStep returns the first step after milestone m, if any.
func (f Feature) NextStep(m Milestone) (Step, bool) {
	for _, st := range f.Steps {
		if st.Milestone > m {
			return st, true
		}
	}
	return Step{}, false
}

// catalogue is the data; see the package documentation for the gating choices.
var catalogue = []Feature{
	{ID: ExportToATS, Title: "'Export to ATS' button available on LinkedIn profiles",
		Records: Candidates, Access: AnyAccess, Setting: SettingOneClickExport,
		Steps: []Step{{IntegrationEnabled, ScopeAll}}},
	{ID: ShareContactInfoInMail, Title: "Option to \"Share contact information\" in InMail synced to the ATS",
		Records: Candidates, Access: ContractAccess, Setting: SettingInMailStubProfile,
		Steps: []Step{{IntegrationEnabled, ScopeAll}}},
	{ID: CandidateDataOnProfiles, Title: "Candidate data from the ATS visible on LinkedIn profiles",
		Records: Candidates, Access: AnyAccess, Setting: SettingInATSIndicator,
		Steps: []Step{{IntegrationEnabled, ScopeNewAndUpdated}, {CandidateSyncCompleted, ScopeAll}}},
	{ID: ShortlistMemberToJob, Title: "Ability to shortlist a LinkedIn member to a job from LinkedIn",
		Records: Jobs, Access: AnyAccess, Setting: SettingOneClickExport,
		Steps: []Step{{IntegrationEnabled, ScopeNewAndUpdated}, {JobSyncCompleted, ScopeAll}}},
	{ID: ProfileOnCandidateRecord, Title: "LinkedIn profile visible on candidate records in the ATS",
		Records: Candidates, Access: AnyAccess, Setting: SettingProfileWidget,
		Steps: []Step{{IntegrationEnabled, ScopeNewAndUpdated}, {CandidateSyncCompleted, ScopeAll}}},
	{ID: InMailSync, Title: "InMail is periodically synced to candidate records",
		Records: Candidates, Access: ContractAccess, Setting: NoSetting,
		Steps: []Step{{IntegrationEnabled, ScopeNewAndUpdated}, {CandidateSyncCompleted, ScopeAll}}},
	{ID: MemberDeletionActivity, Title: "A LinkedIn member deleting their profile results in an activity in the ATS",
		Records: Candidates, Access: AnyAccess, Setting: NoSetting,
		Steps: []Step{{IntegrationEnabled, ScopeNewAndUpdated}, {CandidateSyncCompleted, ScopeAll}}},
	{ID: ShortlistDataOnProfiles, Title: "Candidate shortlist data from the ATS visible on LinkedIn profiles",
		Records: Applications, Access: AnyAccess, Setting: SettingInATSIndicator,
		Steps: []Step{{JobSyncCompleted, ScopeNewAndUpdated}, {ShortlistSyncCompleted, ScopeAll}}},
	{ID: CandidateActivitiesOnProfiles, Title: "Candidate activities from the ATS visible on LinkedIn profiles",
		Records: Activities, Access: AnyAccess, Setting: SettingInATSIndicator,
		Steps: []Step{{CandidateSyncCompleted, ScopeNewAndUpdated}, {ActivitySyncCompleted, ScopeAll}}},
	{ID: ShortlistActivitiesOnProfiles, Title: "Shortlist activities from the ATS visible on LinkedIn profiles",
		Records: Activities, Access: AnyAccess, Setting: SettingInATSIndicator,
		Steps: []Step{{ShortlistSyncCompleted, ScopeNewAndUpdated}, {ActivitySyncCompleted, ScopeAll}}},
}

func (f Feature) clone() Feature {
	f.Steps = append([]Step(nil), f.Steps...)
	return f
}

// Catalogue returns every feature, in the vendor documentation's order. The result is a
// copy; changing it does not change the package's data.
func Catalogue() []Feature {
	out := make([]Feature, len(catalogue))
	for i, f := range catalogue {
		out[i] = f.clone()
	}
	return out
}

// Lookup returns the catalogue entry for id.
func Lookup(id FeatureID) (Feature, bool) {
	for _, f := range catalogue {
		if f.ID == id {
			return f.clone(), true
		}
	}
	return Feature{}, false
}
