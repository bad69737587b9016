package docscheck

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCitations(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"// (docs/linkedin-api.md §7.2).", []string{"7.2"}},
		{"// §13.11 paging; see §2-3 and §7.1.", []string{"13.11", "2", "7.1"}},
		{"// OAuth 2.0 error response (RFC 6749 §5.2), and §5.", []string{"5"}},
		{"// no section here: %s or § alone", nil},
	} {
		t.Run(tc.text, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, citations(tc.text)); diff != "" {
				t.Errorf("citations (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSectionHeadings(t *testing.T) {
	md := "# Title\n## 1. Endpoints\n### 2.10 Ten\n```\n## 9. in a fence\n```\n## Unnumbered\n### 13.1 Tokens\n#### 4.4 too deep\n"
	want := map[string]bool{"1": true, "2.10": true, "13.1": true}
	if diff := cmp.Diff(want, sectionHeadings([]byte(md))); diff != "" {
		t.Errorf("sectionHeadings (-want +got):\n%s", diff)
	}
}

func TestForbidden(t *testing.T) {
	for _, tc := range []struct {
		line string
		bad  bool
	}{
		{"// see rsc-api" + ".md §3", true},
		{"// ../" + "shared/docs", true},
		{"// fixed in Issue" + " 12", true},
		{"// go.dev/issue/75804 is the Go bug", false},
		{"// the tissue" + " 3 cells", false},
		{"// docs/linkedin-api.md §3", false},
	} {
		t.Run(tc.line, func(t *testing.T) {
			bad := false
			for _, re := range forbidden {
				bad = bad || re.MatchString(tc.line)
			}
			if bad != tc.bad {
				t.Errorf("forbidden match = %v, want %v", bad, tc.bad)
			}
		})
	}
}

func TestGoBlocksAndUntab(t *testing.T) {
	md := "text\n```go\nx := 1\n\tif x {\n```\n```sh\nls\n```\n```go\ny()\n```\n"
	if diff := cmp.Diff([]string{"x := 1\n\tif x {", "y()"}, goBlocks(md)); diff != "" {
		t.Errorf("goBlocks (-want +got):\n%s", diff)
	}
	if got, want := untab("\t\tx := 1  \n\tif x {"), "x := 1\nif x {"; got != want {
		t.Errorf("untab = %q, want %q", got, want)
	}
}

func TestAnchors(t *testing.T) {
	md := "# rscgo\n## 7. Module 2: sync ATS → LinkedIn\n### 7.1 Jobs: `POST /v2/simpleJobPostings` (batch_create, async)\n" +
		"```\n# not a heading\n```\n## Record rules we chose where §7 is unconfirmed\n## Notes\n## Notes\n"
	want := map[string]bool{
		"rscgo":                         true,
		"7-module-2-sync-ats--linkedin": true,
		"71-jobs-post-v2simplejobpostings-batch_create-async": true,
		"record-rules-we-chose-where-7-is-unconfirmed":        true,
		"notes":   true,
		"notes-1": true,
	}
	if diff := cmp.Diff(want, anchors(md)); diff != "" {
		t.Errorf("anchors (-want +got):\n%s", diff)
	}
}
