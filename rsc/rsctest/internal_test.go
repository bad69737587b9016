package rsctest

import (
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A stored record's key fields keep its kind's order and read as the map
// they were built from; a store key is the same from either.
func TestKeyFields(t *testing.T) {
	t.Parallel()
	m := map[string]string{"atsCandidateId": "C1", "integrationContext": "urn:li:organization:1"}
	f := compactFields(m, candidateKind.fields)
	if diff := cmp.Diff(keyFields{{"integrationContext", "urn:li:organization:1"}, {"atsCandidateId", "C1"}}, f, cmp.AllowUnexported(keyField{})); diff != "" {
		t.Errorf("compactFields (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(m, f.asMap()); diff != "" {
		t.Errorf("asMap (-want +got):\n%s", diff)
	}
	if got := f.get("noteId"); got != "" {
		t.Errorf("get of a field it lacks = %q", got)
	}
	if a, b := recKey(f, candidateKind.fields), recKey(fieldMap(m), candidateKind.fields); a != b || a != "urn:li:organization:1\x1fC1" {
		t.Errorf("recKey = %q from keyFields, %q from the map", a, b)
	}
}

func TestThrottleWindows(t *testing.T) {
	t.Parallel()
	th := newThrottle()
	at := time.Date(2025, 1, 1, 23, 59, 59, 0, time.UTC)
	if w, _ := th.admit(at, "x", 1, 0, 0); w != "" {
		t.Fatal(w)
	}
	w, retry := th.admit(at, "x", 1, 0, 0)
	if w != WindowDay || retry != 1 {
		t.Fatal(w, retry)
	}
	if w, _ := th.admit(at.Add(time.Second), "x", 1, 0, 0); w != "" {
		t.Fatal("day did not reset at midnight", w)
	}
	if w, _ := th.admit(at, "y", 0, 5, 5); w != "" {
		t.Fatal(w)
	}
	if w, retry := th.admit(at, "y", 0, 5, 1); w != WindowMinute || retry != 1 {
		t.Fatal(w, retry)
	}
}

func TestRoutesResolve(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		rest bool
		tail string
		name string
		key  string
	}{
		{false, "atsCandidates", "atsCandidates", ""},
		{false, "atsCandidates/a=1&b=2/notes", "atsCandidates/notes", "a=1&b=2"},
		{false, "provisionedApplications/urn:li:developerApplication:1", "provisionedApplications", "urn:li:developerApplication:1"},
		{true, "candidates", "candidates", ""},
		{true, "integrationConfigurations", "integrationConfigurations", ""},
		{false, "atsIntegrations/k/configurations", "atsIntegrations/configurations", "k"},
	} {
		r, key, ok := resolveRoute(c.rest, c.tail)
		if !ok || r.name != c.name || key != c.key {
			t.Fatalf("%v: %v %q %v", c, r, key, ok)
		}
	}
	for _, bad := range []string{"nope", "atsCandidates/k", "atsCandidates/k/nope", "candidates"} {
		if _, _, ok := resolveRoute(false, bad); ok {
			t.Fatal(bad)
		}
	}
}

// The package documentation lists every admin endpoint the fake serves,
// and no other: the table under "Driving a running fake" is what a vendor
// driving cmd/rscfake from another language reads.
func TestAdminEndpointsDocumented(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, m := range regexp.MustCompile(`(?m)^//\t(GET|POST) +(/_rsctest/[^\s?]+)`).FindAllStringSubmatch(string(doc), -1) {
		documented = append(documented, m[1]+" "+m[2])
	}
	s := &Server{}
	var served []string
	for p := range s.adminRoutes() {
		served = append(served, p)
	}
	for p := range s.adminCustomerRoutes() {
		served = append(served, p)
	}
	slices.Sort(documented)
	slices.Sort(served)
	if d := cmp.Diff(served, documented); d != "" {
		t.Errorf("admin endpoints in the package documentation (-served +documented):\n%s", d)
	}
}
