package milestones

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text renders the report for an admin page as plain text: the integration
// status, the sync progress, and an aligned table of every feature with the
// columns Feature, Status, Scope and Reason. Lines carry no trailing spaces.
func (r Report) Text() string {
	var b strings.Builder

	integ := "not enabled"
	if r.Integration.Enabled {
		integ = "enabled"
		if !r.Integration.EnabledAt.IsZero() {
			integ += " " + fmtTime(r.Integration.EnabledAt)
		}
	}
	var levels []string
	if r.Integration.Access.CompanyLevel {
		levels = append(levels, "company-level")
	}
	if r.Integration.Access.ContractLevel {
		levels = append(levels, "contract-level")
	}
	if len(levels) == 0 {
		integ += "; no access level enabled"
	} else {
		integ += "; " + strings.Join(levels, " and ") + " access"
	}
	var settings []string
	for _, st := range []Setting{SettingOneClickExport, SettingInMailStubProfile, SettingInATSIndicator, SettingProfileWidget} {
		onOff := "off"
		if st.On(r.Settings) {
			onOff = "on"
		}
		settings = append(settings, st.String()+" "+onOff)
	}
	ms := fmt.Sprintf("%d of %d", int(r.Milestone), int(LastMilestone))
	if r.Milestone > 0 {
		ms += " (" + r.Milestone.String()
		if r.Refused != "" {
			ms += "; " + r.Refused + " refused: " + deadLetterHint
		}
		ms += ")"
	}
	writeTable(&b, [][]string{
		{"Integration:", integ},
		{"Settings:", strings.Join(settings, ", ")},
		{"Milestone:", ms},
	})
	b.WriteByte('\n')

	rows := [][]string{{"Sync", "Milestone", "Progress"}}
	for _, p := range r.Sync {
		rows = append(rows, []string{p.Phase.String(), fmt.Sprintf("%d %s", int(p.Milestone), p.Milestone), p.Summary})
	}
	writeTable(&b, rows)
	b.WriteByte('\n')

	rows = [][]string{{"Feature", "Status", "Scope", "Reason"}}
	for _, f := range r.Features {
		status := "disabled"
		if f.Enabled {
			status = "enabled"
		}
		rows = append(rows, []string{f.Title, status, f.ScopeText(), f.Reason})
	}
	writeTable(&b, rows)
	return b.String()
}

// writeTable writes rows with columns padded to the widest cell plus two
// spaces; the last column is not padded.
func writeTable(b *strings.Builder, rows [][]string) {
	var width []int
	for _, row := range rows {
		for i, c := range row {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	for _, row := range rows {
		var line strings.Builder
		for i, c := range row {
			line.WriteString(c)
			if i < len(row)-1 {
				line.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)+2))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
}
