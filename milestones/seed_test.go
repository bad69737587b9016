package milestones

import (
	"bufio"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// seedLine is one "- " feature line of the seed's milestone section.
type seedLine struct {
	milestone Milestone
	title     string     // normalised: ASCII quotes, "Tracker" -> "the ATS"
	scope     Scope      // ScopeAll when the line has no qualifier
	kind      RecordKind // "" when the line has no qualifier
	raw       string
}

var (
	seedHeader = regexp.MustCompile(`Milestone (\d): (.+)$`)
	seedNew    = regexp.MustCompile(`^Newly created and updated (.+?)( only)?$`)
	seedAll    = regexp.MustCompile(`^All (.+)$`)
)

func parseSeed(t *testing.T) (headers map[Milestone]string, lines []seedLine) {
	t.Helper()
	f, err := os.Open("testdata/seed-milestones.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	headers = map[Milestone]string{}
	norm := strings.NewReplacer("\u2018", "'", "\u2019", "'", "\u201c", `"`, "\u201d", `"`, "Tracker", "the ATS")
	var cur Milestone
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if m := seedHeader.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			cur = Milestone(n)
			headers[cur] = m[2]
			continue
		}
		if !strings.HasPrefix(line, "- ") {
			continue
		}
		if cur == 0 {
			t.Fatalf("feature line before any milestone header: %q", line)
		}
		text := norm.Replace(strings.TrimPrefix(line, "- "))
		sl := seedLine{milestone: cur, scope: ScopeAll, raw: line}
		title, qual, ok := strings.Cut(text, " - ")
		sl.title = title
		if ok {
			switch {
			case seedNew.MatchString(qual):
				sl.scope, sl.kind = ScopeNewAndUpdated, RecordKind(seedNew.FindStringSubmatch(qual)[1])
			case seedAll.MatchString(qual):
				sl.scope, sl.kind = ScopeAll, RecordKind(seedAll.FindStringSubmatch(qual)[1])
			default:
				t.Fatalf("unrecognised scope %q in %q", qual, line)
			}
		}
		lines = append(lines, sl)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return headers, lines
}

func TestCatalogueMatchesSeed(t *testing.T) {
	headers, lines := parseSeed(t)
	if len(headers) != 5 {
		t.Fatalf("seed has %d milestone headers, want 5", len(headers))
	}
	for m, name := range headers {
		if m.String() != name {
			t.Errorf("Milestone(%d).String() = %q, seed says %q", int(m), m.String(), name)
		}
	}
	if len(lines) != 18 {
		t.Fatalf("seed has %d feature lines, want 18", len(lines))
	}
	byTitle := map[string]Feature{}
	for _, f := range Catalogue() {
		byTitle[f.Title] = f
	}
	type key struct {
		id FeatureID
		m  Milestone
	}
	fromSeed := map[key]bool{}
	for _, sl := range lines {
		f, ok := byTitle[sl.title]
		if !ok {
			t.Errorf("seed line %q: no catalogue feature titled %q", sl.raw, sl.title)
			continue
		}
		if got := f.ScopeAt(sl.milestone); got != sl.scope {
			t.Errorf("seed line %q: %s.ScopeAt(%d) = %v, want %v", sl.raw, f.ID, int(sl.milestone), got, sl.scope)
		}
		if prev := f.ScopeAt(sl.milestone - 1); prev >= sl.scope {
			t.Errorf("seed line %q: scope does not widen at milestone %d (was %v)", sl.raw, int(sl.milestone), prev)
		}
		if sl.kind != "" && f.Records != sl.kind {
			t.Errorf("seed line %q: %s.Records = %q, want %q", sl.raw, f.ID, f.Records, sl.kind)
		}
		fromSeed[key{f.ID, sl.milestone}] = true
	}
	// Conversely every catalogue step is a seed line, and every feature is in the seed.
	steps := 0
	for _, f := range Catalogue() {
		if len(f.Steps) == 0 {
			t.Errorf("%s has no steps", f.ID)
		}
		for _, st := range f.Steps {
			steps++
			if !fromSeed[key{f.ID, st.Milestone}] {
				t.Errorf("%s: step at milestone %d (%v) is not in the seed", f.ID, int(st.Milestone), st.Scope)
			}
		}
	}
	if steps != len(lines) {
		t.Errorf("catalogue has %d steps, seed has %d feature lines", steps, len(lines))
	}
}

func TestCatalogueIsACopy(t *testing.T) {
	c := Catalogue()
	c[0].Title = "changed"
	c[2].Steps[0].Scope = ScopeNone
	if d := Catalogue(); d[0].Title == "changed" || d[2].Steps[0].Scope == ScopeNone {
		t.Fatal("Catalogue returned shared data")
	}
	seen := map[FeatureID]bool{}
	for _, f := range c {
		if seen[f.ID] {
			t.Errorf("duplicate feature %s", f.ID)
		}
		seen[f.ID] = true
		if _, ok := Lookup(f.ID); !ok {
			t.Errorf("Lookup(%s) failed", f.ID)
		}
	}
	if _, ok := Lookup("nope"); ok {
		t.Error("Lookup(nope) succeeded")
	}
}
