package docscheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// linkRE finds the target of a Markdown link or image: [text](target).
var linkRE = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// slug is GitHub's anchor for a heading: lower case, punctuation dropped,
// spaces turned into hyphens.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// anchors returns the anchors of a Markdown text's headings, numbering
// repeated ones as GitHub does ("x", "x-1", ...).
func anchors(md string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	inFence := false
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
			continue
		}
		if inFence || !strings.HasPrefix(line, "#") {
			continue
		}
		s := slug(strings.TrimSpace(strings.TrimLeft(line, "#")))
		if n := seen[s]; n > 0 {
			out[s+"-"+strconv.Itoa(n)] = true
		} else {
			out[s] = true
		}
		seen[s]++
	}
	return out
}

// markdownFiles returns the repository's own Markdown documents.
func markdownFiles(t *testing.T, dir string) []string {
	t.Helper()
	files := []string{"README.md", "CONTRIBUTING.md", "SECURITY.md", "CHANGELOG.md"}
	docs, err := filepath.Glob(filepath.Join(dir, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		files = append(files, filepath.Join("docs", filepath.Base(d)))
	}
	return files
}

// TestMarkdownLinks fails for a link of the repository's Markdown documents
// to a file that does not exist, or to a heading that the target does not
// have. Links to other sites are not followed.
func TestMarkdownLinks(t *testing.T) {
	dir := root(t)
	checked := 0
	for _, rel := range markdownFiles(t, dir) {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		for _, m := range linkRE.FindAllStringSubmatch(string(data), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			checked++
			path, anchor, _ := strings.Cut(target, "#")
			file := filepath.Join(dir, rel)
			if path != "" {
				file = filepath.Join(dir, filepath.Dir(rel), path)
			}
			body, err := os.ReadFile(file)
			if err != nil && !isDir(file) {
				t.Errorf("%s: link %q: no such file or directory", rel, target)
				continue
			}
			if anchor != "" && strings.HasSuffix(file, ".md") && !anchors(string(body))[anchor] {
				t.Errorf("%s: link %q: %s has no heading with that anchor", rel, target, filepath.Base(file))
			}
		}
	}
	if checked == 0 {
		t.Error("no local link found: the check checked nothing")
	}
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
