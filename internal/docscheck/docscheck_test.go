package docscheck

import (
	"bufio"
	"bytes"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	// sectionRE finds a section citation in a comment; the optional prefix
	// recognises citations of RFC sections, which are not ours.
	sectionRE = regexp.MustCompile(`(RFC ?[0-9]+,? )?§([0-9]+(?:\.[0-9]+)?)`)
	// headingRE reads the number of a docs/linkedin-api.md heading.
	headingRE = regexp.MustCompile(`^#{2,3} ([0-9]+(?:\.[0-9]+)?)[. ]`)
	// forbidden are the references no Go file may hold: the source notes
	// outside the repository, the directory they live in, and issue numbers.
	// The patterns are spelt so that this file does not match them.
	forbidden = []*regexp.Regexp{
		regexp.MustCompile(`rsc-api[.]md`),
		regexp.MustCompile(`[.][.]/shared`),
		regexp.MustCompile(`(?i)\bissue [0-9]+`),
	}
)

// root returns the repository root: the nearest parent directory of the
// working directory holding both go.mod and README.md.
func root(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if fileExists(filepath.Join(dir, "go.mod")) && fileExists(filepath.Join(dir, "README.md")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no repository root (go.mod and README.md) above the working directory")
		}
		dir = parent
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// goFiles returns every .go file under dir (the root module and the examples
// module), skipping hidden directories and testdata, relative to dir.
func goFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != dir && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".go") {
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no .go files under %s", dir)
	}
	return files
}

// headings returns the section numbers of docs/linkedin-api.md.
func headings(t *testing.T, dir string) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "docs", "linkedin-api.md"))
	if err != nil {
		t.Fatal(err)
	}
	return sectionHeadings(data)
}

func sectionHeadings(md []byte) map[string]bool {
	secs := map[string]bool{}
	inFence := false
	sc := bufio.NewScanner(bytes.NewReader(md))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
			continue
		}
		if m := headingRE.FindStringSubmatch(line); m != nil && !inFence {
			secs[m[1]] = true
		}
	}
	return secs
}

// citations returns the sections a comment text cites, RFC sections left out.
func citations(text string) []string {
	var secs []string
	for _, m := range sectionRE.FindAllStringSubmatch(text, -1) {
		if m[1] == "" {
			secs = append(secs, m[2])
		}
	}
	return secs
}

// TestSectionCitations fails for a comment citing a section that is not a
// heading of docs/linkedin-api.md.
func TestSectionCitations(t *testing.T) {
	dir := root(t)
	secs := headings(t, dir)
	if len(secs) < 14 {
		t.Fatalf("docs/linkedin-api.md has %d numbered headings, want the sections 1 to 14 at least", len(secs))
	}
	fset := token.NewFileSet()
	cited := 0
	for _, rel := range goFiles(t, dir) {
		f, err := parser.ParseFile(fset, filepath.Join(dir, rel), nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				for _, sec := range citations(c.Text) {
					cited++
					if !secs[sec] {
						t.Errorf("%s:%d: cites §%s, which is not a heading of docs/linkedin-api.md", rel, fset.Position(c.Pos()).Line, sec)
					}
				}
			}
		}
	}
	if cited == 0 {
		t.Error("no comment cites a section: the walk found nothing to check")
	}
}

// TestNoOutsideReferences fails for a Go file naming the source notes outside
// the repository, their directory, or an issue number (go.dev/issue/N links
// to the Go project are fine: they are not "issue N").
func TestNoOutsideReferences(t *testing.T) {
	dir := root(t)
	for _, rel := range goFiles(t, dir) {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			for _, re := range forbidden {
				if m := re.FindString(line); m != "" {
					t.Errorf("%s:%d: %q: cite docs/linkedin-api.md, a LinkedIn page or nothing", rel, i+1, m)
				}
			}
		}
	}
}

// goBlocks returns the ```go blocks of a Markdown text.
func goBlocks(md string) []string {
	var blocks []string
	var cur []string
	in := false
	for _, line := range strings.Split(md, "\n") {
		switch {
		case !in && strings.TrimSpace(line) == "```go":
			in, cur = true, nil
		case in && strings.TrimSpace(line) == "```":
			in = false
			blocks = append(blocks, strings.Join(cur, "\n"))
		case in:
			cur = append(cur, line)
		}
	}
	return blocks
}

// untab strips every line's leading tabs and trailing spaces, so that a
// README example matches the same code indented inside a function.
func untab(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(strings.TrimLeft(l, "\t"), " \t\r")
	}
	return strings.Join(lines, "\n")
}

// TestReadmeExamplesCompiled fails for a Go block of README.md that no _test.go
// file of the repository holds verbatim (up to leading tabs): README's
// examples are copied from compiled code (internal/readme), not written apart.
func TestReadmeExamplesCompiled(t *testing.T) {
	dir := root(t)
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := goBlocks(string(readme))
	if len(blocks) == 0 {
		t.Fatal("README.md has no ```go block")
	}
	var tests []string
	for _, rel := range goFiles(t, dir) {
		if !strings.HasSuffix(rel, "_test.go") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		tests = append(tests, untab(string(data)))
	}
	for i, b := range blocks {
		want := untab(strings.TrimSpace(b))
		if !slices.ContainsFunc(tests, func(src string) bool { return strings.Contains(src, want) }) {
			first, _, _ := strings.Cut(strings.TrimSpace(b), "\n")
			t.Errorf("README.md Go block %d (%q...) is in no _test.go file: copy it from compiled code (internal/readme)", i+1, first)
		}
	}
}
