package milestones

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

var (
	enabledAt = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	testNow   = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

// stateAt returns a State that has reached milestone m (0: integration not
// enabled), with the next phase in progress.
func stateAt(m Milestone, acc Access, ps rsc.ProductSettings) State {
	s := State{Enabled: m > 0, EnabledAt: enabledAt, Access: acc, Settings: ps, Phases: map[rscsync.Phase]PhaseProgress{}}
	for i, p := range rscsync.Phases() {
		pm, _ := MilestoneOf(p)
		switch {
		case pm <= m:
			s.Phases[p] = PhaseProgress{Done: 100, Total: 100, Completed: true, CompletedAt: enabledAt.Add(time.Duration(i+1) * time.Hour)}
		case pm == m+1:
			s.Phases[p] = PhaseProgress{Done: 6100, Total: 10000, RecordsPerMinute: 97.5}
		}
	}
	return s
}

// expectation is written out independently of the catalogue data.
type expectation struct {
	scopes   [6]Scope // by milestone 0..5
	contract bool     // needs contract-level access
	setting  Setting
}

const (
	N = ScopeNone
	U = ScopeNewAndUpdated
	A = ScopeAll
)

var expected = map[FeatureID]expectation{
	ExportToATS:                   {[6]Scope{N, A, A, A, A, A}, false, SettingOneClickExport},
	ShareContactInfoInMail:        {[6]Scope{N, A, A, A, A, A}, true, SettingInMailStubProfile},
	CandidateDataOnProfiles:       {[6]Scope{N, U, U, A, A, A}, false, SettingInATSIndicator},
	ShortlistMemberToJob:          {[6]Scope{N, U, A, A, A, A}, false, SettingOneClickExport},
	ProfileOnCandidateRecord:      {[6]Scope{N, U, U, A, A, A}, false, SettingProfileWidget},
	InMailSync:                    {[6]Scope{N, U, U, A, A, A}, true, NoSetting},
	MemberDeletionActivity:        {[6]Scope{N, U, U, A, A, A}, false, NoSetting},
	ShortlistDataOnProfiles:       {[6]Scope{N, N, U, U, A, A}, false, SettingInATSIndicator},
	CandidateActivitiesOnProfiles: {[6]Scope{N, N, N, U, U, A}, false, SettingInATSIndicator},
	ShortlistActivitiesOnProfiles: {[6]Scope{N, N, N, N, U, A}, false, SettingInATSIndicator},
}

type gateCombo struct {
	name     string
	enabled  bool
	acc      Access
	settings rsc.ProductSettings
	off      Setting // the setting switched off, if any
}

func gateCombos() []gateCombo {
	both := Access{CompanyLevel: true, ContractLevel: true}
	combos := []gateCombo{
		{name: "company-only", enabled: true, acc: Access{CompanyLevel: true}, settings: AllSettings()},
		{name: "contract-only", enabled: true, acc: Access{ContractLevel: true}, settings: AllSettings()},
		{name: "both", enabled: true, acc: both, settings: AllSettings()},
		{name: "not-enabled", enabled: false, acc: both, settings: AllSettings()},
		{name: "no-access", enabled: true, acc: Access{}, settings: AllSettings()},
	}
	for _, st := range []Setting{SettingOneClickExport, SettingInMailStubProfile, SettingInATSIndicator, SettingProfileWidget} {
		ps := AllSettings()
		switch st {
		case SettingOneClickExport:
			ps.OneClickExport = false
		case SettingInMailStubProfile:
			ps.InMailStubProfile = false
		case SettingInATSIndicator:
			ps.InATSIndicator = false
		case SettingProfileWidget:
			ps.ProfileWidget = false
		}
		combos = append(combos, gateCombo{name: "both-" + st.String() + "-off", enabled: true, acc: both, settings: ps, off: st})
	}
	return combos
}

func TestEvaluateEveryFeatureMilestoneAndGate(t *testing.T) {
	if len(expected) != len(Catalogue()) {
		t.Fatalf("expectations cover %d features, catalogue has %d", len(expected), len(Catalogue()))
	}
	for _, g := range gateCombos() {
		for m := Milestone(0); m <= LastMilestone; m++ {
			s := stateAt(m, g.acc, g.settings)
			s.Enabled = s.Enabled && g.enabled
			r := Evaluate(s)
			integrationOn := m > 0 && g.enabled && g.acc.Any()
			wantM := m
			if !integrationOn {
				wantM = 0
			}
			if r.Milestone != wantM || len(r.Reached) != int(wantM) {
				t.Errorf("%s/m%d: Milestone=%v Reached=%v, want %v", g.name, m, r.Milestone, r.Reached, wantM)
			}
			if len(r.Features) != len(expected) {
				t.Fatalf("report has %d features", len(r.Features))
			}
			for _, f := range Catalogue() {
				t.Run(fmt.Sprintf("%s/m%d/%s", g.name, m, f.ID), func(t *testing.T) {
					e := expected[f.ID]
					fs, ok := r.Feature(f.ID)
					if !ok {
						t.Fatal("missing from report")
					}
					accessOK := !e.contract || g.acc.ContractLevel
					settingOK := e.setting == NoSetting || e.setting != g.off
					wantScope := e.scopes[wantM]
					wantEnabled := integrationOn && accessOK && settingOK && wantScope != ScopeNone
					if !wantEnabled {
						wantScope = ScopeNone
					}
					if fs.Enabled != wantEnabled || fs.Scope != wantScope {
						t.Fatalf("got enabled=%v scope=%v, want %v %v (reason %q)", fs.Enabled, fs.Scope, wantEnabled, wantScope, fs.Reason)
					}
					// Next: the first milestone after wantM where the scope widens.
					var wantNext Milestone
					for k := wantM + 1; k <= LastMilestone; k++ {
						if e.scopes[k] != e.scopes[k-1] {
							wantNext = k
							break
						}
					}
					if fs.Next != wantNext {
						t.Errorf("Next = %v, want %v", fs.Next, wantNext)
					}
					// Reasons.
					var wantIn []string
					switch {
					case !g.enabled || m == 0:
						wantIn = []string{"the integration is not enabled in Recruiter"}
					case !g.acc.Any():
						wantIn = []string{"neither company-level nor contract-level access"}
					case !accessOK || !settingOK:
						if !accessOK {
							wantIn = append(wantIn, "needs contract-level access (CSA_API) to be enabled in Recruiter")
						}
						if !settingOK {
							wantIn = append(wantIn, "the "+e.setting.String()+" product setting is off")
						}
					case wantScope == ScopeNone:
						p, _ := (wantM + 1).Phase()
						wantIn = []string{"waiting for " + p.String() + ": 61% done, about 40 minutes left"}
					case wantScope == ScopeNewAndUpdated:
						np, _ := wantNext.Phase()
						wantIn = []string{"all " + string(f.Records) + " once " + np.String() + " completes ("}
					}
					if wantIn == nil && fs.Reason != "" {
						t.Errorf("Reason = %q, want none", fs.Reason)
					}
					if wantIn != nil && fs.Reason == "" {
						t.Errorf("Reason is empty, want %q", wantIn)
					}
					for _, w := range wantIn {
						if !strings.Contains(fs.Reason, w) {
							t.Errorf("Reason = %q, want it to contain %q", fs.Reason, w)
						}
					}
				})
			}
		}
	}
}

func TestMilestonesNeedEarlierOnes(t *testing.T) {
	s := stateAt(IntegrationEnabled, Access{CompanyLevel: true}, AllSettings())
	// Shortlist and activity sync done, but jobs and candidates not: still milestone 1.
	s.Phases[rscsync.PhaseApplications] = PhaseProgress{Done: 1, Total: 1, Completed: true}
	s.Phases[rscsync.PhaseActivities] = PhaseProgress{Done: 1, Total: 1, Completed: true}
	if got := Reached(s); !cmp.Equal(got, []Milestone{IntegrationEnabled}) {
		t.Fatalf("Reached = %v", got)
	}
	s.Phases[rscsync.PhaseJobs] = PhaseProgress{Completed: true}
	if got := Reached(s); !cmp.Equal(got, []Milestone{1, 2}) {
		t.Fatalf("Reached = %v", got)
	}
	s.Phases[rscsync.PhaseCandidates] = PhaseProgress{Completed: true}
	if got := Reached(s); !cmp.Equal(got, []Milestone{1, 2, 3, 4, 5}) {
		t.Fatalf("Reached = %v", got)
	}
	// Enabled without any access level is not milestone 1.
	s.Access = Access{}
	if got := Reached(s); len(got) != 0 {
		t.Fatalf("Reached without access = %v", got)
	}
}

func TestPersistedIsAFloor(t *testing.T) {
	s := stateAt(IntegrationEnabled, Access{CompanyLevel: true}, AllSettings())
	s.Persisted = []Milestone{CandidateSyncCompleted}
	if got := Reached(s); !cmp.Equal(got, []Milestone{1, 2, 3}) {
		t.Fatalf("Reached = %v", got)
	}
	// A phase completed after the floor advances it even if earlier phases regressed.
	s.Phases[rscsync.PhaseApplications] = PhaseProgress{Completed: true}
	if got := Evaluate(s).Milestone; got != ShortlistSyncCompleted {
		t.Fatalf("Milestone = %v", got)
	}
	fs, _ := Evaluate(s).Feature(CandidateDataOnProfiles)
	if fs.Scope != ScopeAll {
		t.Fatalf("CandidateDataOnProfiles scope = %v, want all", fs.Scope)
	}
	// Disabled integration: persisted milestones stay reached (but completed
	// phases do not advance past them), and features go off.
	s.Enabled = false
	r := Evaluate(s)
	if r.Milestone != CandidateSyncCompleted {
		t.Fatalf("Milestone = %v", r.Milestone)
	}
	for _, f := range r.Features {
		if f.Enabled {
			t.Errorf("%s enabled while the integration is disabled", f.Feature)
		}
	}
}

func TestProgressText(t *testing.T) {
	done := time.Date(2026, 3, 1, 10, 20, 0, 0, time.UTC)
	tests := []struct {
		pp      PhaseProgress
		started bool
		want    string
	}{
		{PhaseProgress{Done: 6100, Total: 10000, RecordsPerMinute: 97.5}, true, "61% done, about 40 minutes left"},
		{PhaseProgress{Done: 6199, Total: 10000}, true, "61% done, time left unknown"},
		{PhaseProgress{}, false, "not started"},
		{PhaseProgress{}, true, "not started"},
		{PhaseProgress{Done: 50}, true, "50 records so far, total unknown"},
		{PhaseProgress{Done: 10000, Total: 10000}, true, "100% done, finishing"},
		{PhaseProgress{Done: 9999, Total: 10000, RecordsPerMinute: 10}, true, "99% done, less than a minute left"},
		{PhaseProgress{Done: 0, Total: 1, RecordsPerMinute: 1}, true, "0% done, about 1 minute left"},
		{PhaseProgress{Done: 0, Total: 3, RecordsPerMinute: 2}, true, "0% done, about 2 minutes left"},
		{PhaseProgress{Done: 0, Total: 60, RecordsPerMinute: 1}, true, "0% done, about 1 hour left"},
		{PhaseProgress{Done: 0, Total: 1000, RecordsPerMinute: 1}, true, "0% done, about 17 hours left"},
		{PhaseProgress{Done: 0, Total: 100000, RecordsPerMinute: 1}, true, "0% done, about 69 days left"},
		{PhaseProgress{Done: 100, Total: 100, Completed: true}, true, "completed"},
		{PhaseProgress{Done: 100, Total: 100, Completed: true, CompletedAt: done}, true, "completed 2026-03-01 10:20 UTC"},
	}
	for _, tt := range tests {
		if got := progressText(tt.pp, tt.started); got != tt.want {
			t.Errorf("progressText(%+v) = %q, want %q", tt.pp, got, tt.want)
		}
	}
}

func TestReasonsCarryProgress(t *testing.T) {
	s := stateAt(JobSyncCompleted, Access{CompanyLevel: true, ContractLevel: true}, AllSettings())
	r := Evaluate(s)
	cs := r.Sync[rscsync.PhaseCandidates]
	if cs.Percent != 61 || cs.ETASeconds != 2400 || cs.Summary != "61% done, about 40 minutes left" {
		t.Errorf("candidate phase status = %+v", cs)
	}
	want := map[FeatureID]string{
		CandidateActivitiesOnProfiles: "waiting for Candidate Sync: 61% done, about 40 minutes left",
		ShortlistActivitiesOnProfiles: "waiting for Candidate Sync: 61% done, about 40 minutes left (then Application Sync)",
		CandidateDataOnProfiles:       "all candidates once Candidate Sync completes (61% done, about 40 minutes left)",
		ShortlistDataOnProfiles:       "all shortlist records once Application Sync completes (after Candidate Sync, now 61% done, about 40 minutes left)",
		ShortlistMemberToJob:          "",
	}
	for id, w := range want {
		fs, _ := r.Feature(id)
		if fs.Reason != w {
			t.Errorf("%s reason = %q, want %q", id, fs.Reason, w)
		}
	}
	// Several gates at once are all named.
	s.Access.ContractLevel = false
	s.Settings.InMailStubProfile = false
	fs, _ := Evaluate(s).Feature(ShareContactInfoInMail)
	if w := "needs contract-level access (CSA_API) to be enabled in Recruiter; the InMail Stub Profile product setting is off"; fs.Reason != w {
		t.Errorf("reason = %q, want %q", fs.Reason, w)
	}
}

func TestAvailable(t *testing.T) {
	s := stateAt(JobSyncCompleted, Access{CompanyLevel: true}, AllSettings())
	noEnabledAt := s
	noEnabledAt.EnabledAt = time.Time{}
	off := s
	off.Settings.InATSIndicator = false
	all := stateAt(CandidateSyncCompleted, Access{CompanyLevel: true}, AllSettings())
	windowed := all
	windowed.WindowFrom = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		s        State
		id       FeatureID
		modified time.Time
		want     bool
		reason   string
	}{
		{"before", s, CandidateDataOnProfiles, time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC), false,
			"record last modified 2026-01-02 before the integration was enabled 2026-03-01; available once Candidate Sync completes (61% done, about 40 minutes left)"},
		{"one second before", s, CandidateDataOnProfiles, enabledAt.Add(-time.Second), false,
			"record last modified 2026-03-01 08:59:59 UTC before the integration was enabled 2026-03-01 09:00:00 UTC; available once Candidate Sync completes (61% done, about 40 minutes left)"},
		{"exactly at enablement", s, CandidateDataOnProfiles, enabledAt, true, ""},
		{"exactly at enablement, other zone", s, CandidateDataOnProfiles, enabledAt.In(time.FixedZone("X", 3600)), true, ""},
		{"after", s, CandidateDataOnProfiles, enabledAt.Add(time.Nanosecond), true, ""},
		{"unknown modified time", s, CandidateDataOnProfiles, time.Time{}, false,
			"the record's last-modified time is unknown; available once Candidate Sync completes (61% done, about 40 minutes left)"},
		{"all jobs at milestone 2", s, ShortlistMemberToJob, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), true, ""},
		{"needs contract", s, InMailSync, enabledAt.Add(time.Hour), false, "needs contract-level access (CSA_API) to be enabled in Recruiter"},
		{"not yet", s, CandidateActivitiesOnProfiles, enabledAt.Add(time.Hour), false, "waiting for Candidate Sync: 61% done, about 40 minutes left"},
		{"all at milestone 3", stateAt(CandidateSyncCompleted, Access{CompanyLevel: true}, AllSettings()), CandidateDataOnProfiles, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), true, ""},
		{"unknown feature", s, "nope", enabledAt, false, `unknown feature "nope"`},
		{"unknown enablement time", noEnabledAt, CandidateDataOnProfiles, testNow, false,
			"the time the integration was enabled is unknown, so the record cannot be placed among new and updated candidates; available once Candidate Sync completes (61% done, about 40 minutes left)"},
		{"indicator off", off, CandidateDataOnProfiles, testNow, false, "the In-ATS Indicator product setting is off"},
		{"before the historical window", windowed, CandidateDataOnProfiles, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), false,
			"record last modified 2024-02-29 before the historical window began 2024-03-01: the sync sends it once it changes"},
		{"at the window's start", windowed, CandidateDataOnProfiles, windowed.WindowFrom, true, ""},
		{"before the window, a feature that needs no sync", windowed, ExportToATS, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), true, ""},
		{"before the window, not yet enabled either", func() State { w := s; w.WindowFrom = windowed.WindowFrom; return w }(),
			CandidateDataOnProfiles, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), false,
			"record last modified 2020-01-01 before the historical window began 2024-03-01: the sync sends it once it changes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := Available(tt.s, tt.id, tt.modified)
			if got != tt.want || reason != tt.reason {
				t.Errorf("Available = %v, %q\nwant        %v, %q", got, reason, tt.want, tt.reason)
			}
		})
	}
}

func TestReportJSON(t *testing.T) {
	r := Evaluate(stateAt(CandidateSyncCompleted, Access{CompanyLevel: true}, AllSettings()))
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Milestone   string   `json:"milestone"`
		Reached     []string `json:"reached"`
		Integration struct {
			Enabled   bool   `json:"enabled"`
			EnabledAt string `json:"enabledAt"`
			Access    struct {
				CompanyLevel  bool `json:"companyLevel"`
				ContractLevel bool `json:"contractLevel"`
			} `json:"access"`
		} `json:"integration"`
		Sync []struct {
			Phase     string `json:"phase"`
			Milestone string `json:"milestone"`
			Percent   int    `json:"percent"`
			Summary   string `json:"summary"`
		} `json:"sync"`
		Features []map[string]any `json:"features"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Milestone != "candidate_sync_completed" || !cmp.Equal(got.Reached, []string{"integration_enabled", "job_sync_completed", "candidate_sync_completed"}) {
		t.Errorf("milestone %q reached %v", got.Milestone, got.Reached)
	}
	if !got.Integration.Enabled || got.Integration.EnabledAt != "2026-03-01T09:00:00Z" || !got.Integration.Access.CompanyLevel {
		t.Errorf("integration = %+v", got.Integration)
	}
	if len(got.Sync) != 4 || got.Sync[2].Phase != "applications" || got.Sync[2].Milestone != "shortlist_sync_completed" || got.Sync[2].Percent != 61 {
		t.Errorf("sync = %+v", got.Sync)
	}
	f := got.Features[7] // ShortlistDataOnProfiles
	want := map[string]any{
		"feature": "shortlist_data_on_profiles", "title": "Candidate shortlist data from the ATS visible on LinkedIn profiles",
		"records": "shortlist records", "enabled": true, "scope": "new_and_updated",
		"reason": "all shortlist records once Application Sync completes (61% done, about 40 minutes left)",
		"next":   "shortlist_sync_completed", "nextScope": "all",
	}
	if d := cmp.Diff(want, f); d != "" {
		t.Errorf("feature JSON (-want +got):\n%s", d)
	}
	f = got.Features[0] // ExportToATS: no reason, no next
	if d := cmp.Diff(map[string]any{"feature": "export_to_ats", "title": "'Export to ATS' button available on LinkedIn profiles", "records": "candidates", "enabled": true, "scope": "all"}, f); d != "" {
		t.Errorf("feature JSON (-want +got):\n%s", d)
	}
}

func TestTextTable(t *testing.T) {
	txt := Evaluate(stateAt(JobSyncCompleted, Access{ContractLevel: true}, AllSettings())).Text()
	for _, line := range strings.Split(txt, "\n") {
		if strings.HasSuffix(line, " ") {
			t.Errorf("trailing space in %q", line)
		}
	}
	// The Status column starts at the same offset on every feature row.
	lines := strings.Split(txt, "\n")
	var col = -1
	for _, l := range lines {
		if strings.HasPrefix(l, "Feature ") {
			col = strings.Index(l, "Status")
			continue
		}
		if col > 0 && l != "" {
			if !strings.HasPrefix(l[col:], "enabled") && !strings.HasPrefix(l[col:], "disabled") {
				t.Errorf("misaligned row %q", l)
			}
		}
	}
	if col < 0 {
		t.Fatal("no feature header")
	}
}

func TestMilestoneText(t *testing.T) {
	for m := Milestone(0); m <= LastMilestone; m++ {
		b, err := m.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Milestone
		if err := back.UnmarshalText(b); err != nil || back != m {
			t.Errorf("round trip %v: %v %v", m, back, err)
		}
		if err := back.UnmarshalText([]byte(fmt.Sprint(int(m)))); err != nil || back != m {
			t.Errorf("numeric %v: %v %v", m, back, err)
		}
	}
	if _, err := Milestone(9).MarshalText(); err == nil {
		t.Error("Milestone(9) marshalled")
	}
	var m Milestone
	if err := m.UnmarshalText([]byte("bogus")); err == nil {
		t.Error("bogus unmarshalled")
	}
	if CandidateSyncCompleted.Label() != "Milestone 3: Candidate Sync Completed" {
		t.Error(CandidateSyncCompleted.Label())
	}
	for _, p := range rscsync.Phases() {
		m, ok := MilestoneOf(p)
		if got, _ := m.Phase(); !ok || got != p {
			t.Errorf("phase %v round trip %v", p, got)
		}
	}
	if _, ok := IntegrationEnabled.Phase(); ok {
		t.Error("IntegrationEnabled has a phase")
	}
	if m, ok := MilestoneOf(rscsync.PhaseDeletions); ok {
		t.Errorf("PhaseDeletions reaches %v", m)
	}
}
