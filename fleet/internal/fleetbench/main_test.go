package main

import (
	"bytes"
	"strings"
	"testing"
)

// Without PostgreSQL the section still starts with "## Fleet", measures
// the stores that need none and says what it skipped and why.
func TestWithoutPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the memory and file stores for seconds")
	}
	var out bytes.Buffer
	if err := run(t.Context(), &out, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=5", true); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.HasPrefix(got, "## Fleet\n") {
		t.Errorf("the section starts with %q", got[:min(len(got), 20)])
	}
	for _, want := range []string{"Skipped: every PostgreSQL figure", "does not answer", "| memory |", "| file (package sync) |",
		"| PostgreSQL (pgstore) | skipped: no PostgreSQL |", "go -C fleet run ./internal/fleetbench -quick"} {
		if !strings.Contains(got, want) {
			t.Errorf("the section lacks %q:\n%s", want, got)
		}
	}
}
