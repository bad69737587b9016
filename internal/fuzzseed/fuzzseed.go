// Package fuzzseed keeps a fuzz target's seed corpus, the files under
// testdata/fuzz/<Target>/, in step with the Go table it is generated from,
// so that the corpus and its source cannot drift apart.
//
// A package's test lists its seeds once, adds them with f.Add in the fuzz
// target, and calls Check from a plain test. After editing the table,
// rewrite the files with
//
//	RSCGO_WRITE_FUZZ_SEEDS=1 go test -run SeedFiles ./the/package
package fuzzseed

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// WriteEnv is the environment variable that makes Check rewrite the files.
const WriteEnv = "RSCGO_WRITE_FUZZ_SEEDS"

// Seed is one corpus file: the target's arguments, in order.
type Seed struct {
	Target, Name string
	Args         []any // string, []byte, bool, int or int64
}

// Marshal encodes args in the `go test fuzz v1` format.
func Marshal(args ...any) []byte {
	var b strings.Builder
	b.WriteString("go test fuzz v1\n")
	for _, a := range args {
		switch v := a.(type) {
		case string:
			fmt.Fprintf(&b, "string(%q)\n", v)
		case []byte:
			fmt.Fprintf(&b, "[]byte(%q)\n", v)
		case bool:
			fmt.Fprintf(&b, "bool(%v)\n", v)
		case int:
			fmt.Fprintf(&b, "int(%d)\n", v)
		case int64:
			fmt.Fprintf(&b, "int64(%d)\n", v)
		default:
			panic(fmt.Sprintf("fuzzseed: unsupported seed type %T", a))
		}
	}
	return []byte(b.String())
}

// Check reports every seed whose file testdata/fuzz/<Target>/<Name> is
// missing or differs from Marshal(Args...), or rewrites the files when
// WriteEnv is "1".
func Check(t testing.TB, seeds []Seed) {
	t.Helper()
	write := os.Getenv(WriteEnv) == "1"
	for _, s := range seeds {
		path := filepath.Join("testdata", "fuzz", s.Target, s.Name)
		want := Marshal(s.Args...)
		if write {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is missing or stale (%v); regenerate with %s=1", path, err, WriteEnv)
		}
	}
}

// HeaderValue makes a fuzzed string a header value a client can send: it
// drops control characters other than HTAB and trims the blanks a server
// trims.
func HeaderValue(v string) string {
	v = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, v)
	return strings.Trim(v, " \t")
}
