package tracker

import (
	"strings"
	"testing"
)

// Every stream's page query must seek the (modified_at, id) index and never
// sort: a page deep into a large table then costs the same as the first.
func TestStreamQueriesUseIndex(t *testing.T) {
	db := openTest(t)
	for name, q := range map[string]string{
		"jobs_modified":        pageQuery(jobColumns, jobFrom, "j.modified_at", "j.id", ""),
		"candidates_modified":  pageQuery(candidateColumns, candidateFrom, "c.modified_at", "c.id", ""),
		"placements_modified":  pageQuery(placementColumns, placementFrom, "p.modified_at", "p.id", ""),
		"activities_modified":  pageQuery(activityColumns, activityFrom, "a.modified_at", "a.id", syncedActivityKinds),
		"deletions_modified":   pageQuery(deletionColumns, deletionFrom, "d.deleted_at", "d.position", ""),
		"placement_stages_pla": strings.Replace(stagesQuery, "%s", "?", 1),
	} {
		args := []any{1, 1, "x", 500}
		if strings.HasPrefix(name, "placement_stages") {
			name, args = "placement_stages_placement", []any{"P1"}
		}
		rows, err := db.SQL().Query("EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		all := strings.Join(plan, "; ")
		if !strings.Contains(plan[0], "USING INDEX "+name) || strings.Contains(all, "TEMP B-TREE") {
			t.Errorf("%s: plan %q, want a search of index %s without a sort", name, all, name)
		}
	}
}
