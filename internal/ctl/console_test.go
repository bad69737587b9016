package ctl

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/console"
	rscsync "github.com/rscgo/rscgo/sync"
)

// TestRetry retries through a console over the same data directory.
func TestRetry(t *testing.T) {
	dir, dead := dataDir(t)
	ts, asked := fakeConsole(t, dead)
	t.Setenv("RSCCTL_TOKEN", "wrong")
	code, _, errs := rscctl(t, "-data", dir, "dead", "retry", "-console", ts.URL+"/ops", "acme")
	if code != 1 || errs != "rscctl: the console answered 401 Unauthorized to GET /ops/customer: console: not an authenticated operator\n" {
		t.Errorf("with a wrong token: exit code %d, %s", code, errs)
	}
	t.Setenv("RSCCTL_TOKEN", "op-token")
	if code, _, errs := rscctl(t, "-data", dir, "dead", "retry", "-console", ts.URL+"/ops", "acme", "candidate//C1"); code != 3 ||
		errs != "rscctl: customer \"acme\" has no dead letter \"candidate//C1\"\n" {
		t.Errorf("an unknown key: exit code %d, %s", code, errs)
	}
	t.Setenv("RSCCTL_CONSOLE", ts.URL+"/ops/")
	code, out, errs := rscctl(t, "-data", dir, "dead", "retry", "acme", "candidate//C9")
	if code != 0 || out != "retry of customer acme done: 0 refused again, 1 dead letters remain\n" {
		t.Fatalf("exit code %d\n%s%s", code, out, errs)
	}
	code, out, errs = rscctl(t, "-data", dir, "-json", "dead", "retry", "acme")
	if code != 0 || out != `{"customer":"acme","deadLetters":0,"refused":0,"retried":true}`+"\n" {
		t.Fatalf("exit code %d\n%s%s", code, out, errs)
	}
	if diff := cmp.Diff([]string{"candidate//C9", "candidate//C7"}, *asked); diff != "" {
		t.Errorf("the keys retried (-want +got):\n%s", diff)
	}
}

// A retry of a customer with no dead letters has nothing to send: it
// says so and exits 0 without asking the console (whose page offers no
// retry form then); a -console that cannot be one is still a usage error.
func TestRetryNothing(t *testing.T) {
	dir, dead := dataDir(t)
	ts, asked := fakeConsole(t, dead)
	t.Setenv("RSCCTL_TOKEN", "op-token")
	t.Setenv("RSCCTL_CONSOLE", "")
	for _, tc := range []struct {
		name, console string
		code          int
		out, err      string
	}{
		{"through the console", ts.URL + "/ops", 0, "retry of customer beta done: 0 refused again, 0 dead letters remain\n", ""},
		{"a -console not a URL", "ops.example.com/ops", 2, "", "rscctl: -console \"ops.example.com/ops\" is not an http(s) URL\n" + usage + "\n"},
		{"no -console", "", 2, "", "rscctl: dead retry needs -console URL (or $RSCCTL_CONSOLE): it reads records from the ATS, which only the service that runs the sync can do\n" + usage + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := rscctl(t, "-data", dir, "-console", tc.console, "dead", "retry", "beta")
			expect(t, code, out, errs, tc.code, tc.out, tc.err)
		})
	}
	if diff := cmp.Diff([]string(nil), *asked); diff != "" {
		t.Errorf("the keys retried (-want +got):\n%s", diff)
	}
}

// fakeConsole serves an ops console over dead whose RetryFunc resolves
// the dead letters it is given, as an engine whose records now succeed
// does, and records the keys asked for. Its operator's token is op-token.
func fakeConsole(t *testing.T, dead rscsync.DeadLetterStore) (*httptest.Server, *[]string) {
	t.Helper()
	var asked []string
	h, err := console.New(
		console.WithCustomers(func(context.Context) ([]string, error) { return []string{"acme", "beta"}, nil }),
		console.WithAuthorizer(func(r *http.Request) (string, bool) { return "cli", r.Header.Get("Authorization") == "Bearer op-token" }),
		console.WithAllowedHosts("127.0.0.1"), console.WithDeadLetters(dead),
		console.WithRetry(func(ctx context.Context, id string, keys []string) error {
			asked = append(asked, keys...)
			for _, k := range keys {
				if err := dead.Delete(ctx, id, k); err != nil {
					return err
				}
			}
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/ops/", http.StripPrefix("/ops", h))
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts, &asked
}

// A resync of records without an engine queues them and has the console
// retry exactly those keys.
func TestResyncThroughConsole(t *testing.T) {
	dir, dead := dataDir(t)
	ts, asked := fakeConsole(t, dead)
	t.Setenv("RSCCTL_TOKEN", "op-token")
	code, out, errs := rscctl(t, "-data", dir, "resync", "-console", ts.URL+"/ops", "acme", "candidates", "C11", "C7")
	if code != 0 || out != "KEY             OUTCOME  REASON\ncandidate//C11  done     -\ncandidate//C7   done     -\n" {
		t.Errorf("exit code %d\n%s%s", code, out, errs)
	}
	if diff := cmp.Diff([]string{"candidate//C11", "candidate//C7"}, *asked); diff != "" {
		t.Errorf("the keys retried (-want +got):\n%s", diff)
	}
	var left []string
	for d, err := range dead.List(t.Context(), "acme") {
		if err != nil {
			t.Fatal(err)
		}
		left = append(left, d.Key())
	}
	if diff := cmp.Diff([]string{"candidate//C9"}, left); diff != "" {
		t.Errorf("dead letters left (-want +got):\n%s", diff)
	}
}

// A 404 from the console's own page (a customer it does not list) exits
// 3, not found; a 404 from anything else, such as the mux in front of a
// console mounted under a prefix the -console URL lacks, says nothing of
// the customer: it exits 1 with a hint to check -console.
func TestConsoleNotFound(t *testing.T) {
	dir, dead := dataDir(t)
	prefixed, _ := fakeConsole(t, dead)
	h, err := console.New(
		console.WithCustomers(func(context.Context) ([]string, error) { return []string{"beta"}, nil }),
		console.WithAuthorizer(func(*http.Request) (string, bool) { return "cli", true }),
		console.WithAllowedHosts("127.0.0.1"), console.WithDeadLetters(dead),
		console.WithRetry(func(context.Context, string, []string) error { return nil }))
	if err != nil {
		t.Fatal(err)
	}
	betaOnly := httptest.NewServer(h)
	t.Cleanup(betaOnly.Close)
	t.Setenv("RSCCTL_TOKEN", "op-token")
	t.Setenv("RSCCTL_CONSOLE", "")
	for _, tc := range []struct {
		name, console string
		code          int
		err           string
	}{
		{"the URL lacks the console's prefix", prefixed.URL, 1,
			"rscctl: the console answered 404 Not Found to GET /customer: 404 page not found (not a page of the ops console: check -console)\n"},
		{"a customer the console does not list", betaOnly.URL, 3, "rscctl: the console: GET /customer: no customer acme\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := rscctl(t, "-data", dir, "-console", tc.console, "dead", "retry", "acme", "candidate//C7")
			expect(t, code, out, errs, tc.code, "", tc.err)
		})
	}
}
