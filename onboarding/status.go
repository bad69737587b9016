package onboarding

import (
	"slices"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// State is a contract's integration state as an admin page shows it,
// computed from atsIntegrations reads and INTEGRATION_STATUS_CHANGE events.
type State string

// The states. Contract-level access is the CSA_API integration; company-level
// access is the organization-level integrations (ONE_CLICK_EXPORT,
// IN_ATS_INDICATOR, PROFILE_PLUGIN).
const (
	StateNotRequested    State = "not_requested"
	StateRequested       State = "requested"     // the admin requested RSC in the widget
	StatePartnerReady    State = "partner_ready" // named by us; the LinkedIn admin may enable it
	StateContractEnabled State = "contract_enabled"
	StateCompanyEnabled  State = "company_enabled" // company level only: LinkedIn still shows "Partner ready"
	StateBothEnabled     State = "enabled"         // contract and company level
	StateDisabled        State = "disabled"        // the admin switched access off ("Not Activated")
)

// Enabled reports whether some level of access is on (Recruiter shows
// "Activated").
func (s State) Enabled() bool {
	return s == StateContractEnabled || s == StateCompanyEnabled || s == StateBothEnabled
}

// Status is a contract's integration status.
type Status struct {
	// State is the state derived from Company and Contract.
	State State `json:"state"`
	// Company and Contract are the aggregated statuses of company-level and
	// contract-level access ("" until read).
	Company  rsc.IntegrationStatus `json:"company,omitempty"`
	Contract rsc.IntegrationStatus `json:"contract,omitempty"`
	// Integrations are the latest status of each integration type.
	Integrations map[rsc.IntegrationType]rsc.IntegrationStatus `json:"integrations,omitempty"`
	// Settings are the LinkedIn admin's product settings, when known.
	Settings *rsc.ProductSettings `json:"productSettings,omitempty"`
	// UpdatedAt is when statuses were last read or pushed (UTC); zero
	// until then.
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
}

// companyTypes are the organization-level RSC integration types.
var companyTypes = []rsc.IntegrationType{rsc.OneClickExport, rsc.InATSIndicator, rsc.ProfilePlugin}

func rank(s rsc.IntegrationStatus) int {
	switch s {
	case rsc.StatusRequested:
		return 1
	case rsc.StatusPartnerReady, rsc.StatusDisabled:
		return 2
	case rsc.StatusEnabled:
		return 3
	}
	return 0
}

// computeStatus builds a status from integrations read with
// Integrations.Get (I2) or Integrations.ByRequest (I3).
func computeStatus(ints []rsc.Integration, at time.Time) Status {
	return Status{}.Merge(ints, at)
}

// Merge returns s updated with integrations read later (an
// INTEGRATION_STATUS_CHANGE carries only those that changed).
func (s Status) Merge(ints []rsc.Integration, at time.Time) Status {
	out := s
	out.Integrations = make(map[rsc.IntegrationType]rsc.IntegrationStatus, 4)
	for k, v := range s.Integrations {
		out.Integrations[k] = v
	}
	if s.Settings != nil {
		ps := *s.Settings
		out.Settings = &ps
	}
	for _, in := range ints {
		if in.Status != "" {
			out.Integrations[in.IntegrationType] = in.Status
		}
		if in.ProductSettings != nil {
			ps := *in.ProductSettings
			out.Settings = &ps
		}
	}
	out.Contract = out.Integrations[rsc.CSAAPI]
	out.Company = aggregate(out.Integrations)
	out.State = state(out.Company, out.Contract)
	if !at.IsZero() {
		out.UpdatedAt = at.UTC()
	}
	return out
}

// aggregate is the company-level status: the least advanced of the
// organization-level types (they are switched together), DISABLED when one
// is disabled and none is less advanced.
func aggregate(m map[rsc.IntegrationType]rsc.IntegrationStatus) rsc.IntegrationStatus {
	var out rsc.IntegrationStatus
	disabled := false
	for i, t := range companyTypes {
		st, ok := m[t]
		if !ok {
			st = rsc.StatusNotRequested
		}
		if st == rsc.StatusDisabled {
			disabled = true
		}
		if i == 0 || rank(st) < rank(out) {
			out = st
		}
	}
	if !slices.ContainsFunc(companyTypes, func(t rsc.IntegrationType) bool { _, ok := m[t]; return ok }) {
		return ""
	}
	if disabled && rank(out) >= 2 {
		return rsc.StatusDisabled
	}
	return out
}

func state(company, contract rsc.IntegrationStatus) State {
	ce, ke := company == rsc.StatusEnabled, contract == rsc.StatusEnabled
	switch {
	case ce && ke:
		return StateBothEnabled
	case ke:
		return StateContractEnabled
	case ce:
		return StateCompanyEnabled
	case company == rsc.StatusDisabled || contract == rsc.StatusDisabled:
		return StateDisabled
	}
	switch max(rank(company), rank(contract)) {
	case 2:
		return StatePartnerReady
	case 1:
		return StateRequested
	}
	return StateNotRequested
}

// Features are what the customer can use, given the access levels and the
// product settings (Tracker seed step 15, LinkedIn seed).
type Features struct {
	OneClickExport    bool // company level + "1-Click Export"
	InATSIndicator    bool // company level + "In-ATS Indicator"
	ProfileWidget     bool // company level + "Profile Widget"
	InMailStubProfile bool // contract level + "InMail Stub Profile"
	// RecruiterData is contract-level data access (CSA_API): seats, InMail
	// history and notes. Company level alone never shows InMail or notes.
	RecruiterData bool
}

// Features derives the usable features. Unknown product settings count as
// on (LinkedIn's defaults).
func (s Status) Features() Features {
	company := s.Company == rsc.StatusEnabled
	contract := s.Contract == rsc.StatusEnabled
	ps := rsc.ProductSettings{OneClickExport: true, InMailStubProfile: true, InATSIndicator: true, ProfileWidget: true}
	if s.Settings != nil {
		ps = *s.Settings
	}
	return Features{
		OneClickExport:    company && ps.OneClickExport,
		InATSIndicator:    company && ps.InATSIndicator,
		ProfileWidget:     company && ps.ProfileWidget,
		InMailStubProfile: contract && ps.InMailStubProfile,
		RecruiterData:     contract,
	}
}

// SettingsOK reports whether the required product settings (1-Click Export
// and InMail Stub Profile) are ticked; In-ATS Indicator and Profile Widget
// are advised, reported by MissingSettings.
func (s Status) SettingsOK() bool {
	return s.Settings == nil || (s.Settings.OneClickExport && s.Settings.InMailStubProfile)
}

// MissingSettings names the product settings that are off, required first.
func (s Status) MissingSettings() []string {
	if s.Settings == nil {
		return nil
	}
	var out []string
	if !s.Settings.OneClickExport {
		out = append(out, "1-Click Export")
	}
	if !s.Settings.InMailStubProfile {
		out = append(out, "InMail Stub Profile")
	}
	if !s.Settings.InATSIndicator || !s.Settings.ProfileWidget {
		out = append(out, "In-ATS Indicator and Profile Widget")
	}
	return out
}

// Line is the one-line status for the ATS admin page (RSC-101), in the
// words of LinkedIn's widget.
func (s Status) Line() string {
	switch s.State {
	case StateRequested:
		return "Requested: waiting for the integration to become Partner ready (use Notify partner if it does not within a few minutes)"
	case StatePartnerReady:
		return "Partner ready: a LinkedIn Recruiter admin must enable Contract Level and/or Company Level access in Admin Settings → ATS"
	case StateCompanyEnabled:
		return "Partner ready: Company Level access is enabled; Contract Level access (InMail and notes history) is not yet enabled"
	case StateContractEnabled:
		return "Enabled: Contract Level access is enabled (Company Level access is not)"
	case StateBothEnabled:
		return "Enabled: Contract Level and Company Level access are enabled"
	case StateDisabled:
		return "Not activated: access was switched off in LinkedIn Recruiter Admin Settings → ATS"
	}
	return "Not requested: connect LinkedIn Recruiter to request Recruiter System Connect"
}
