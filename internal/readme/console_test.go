package readme

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/rscgo/rscgo/console"
	"github.com/rscgo/rscgo/internal/mustopen"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	rscsync "github.com/rscgo/rscgo/sync"
)

// mountConsole is README.md's "Operating it": the console mounted under
// /ops/ behind the caller's authentication.
func mountConsole(mux *http.ServeMux, listCustomerIDs func(context.Context) ([]string, error),
	operatorOf console.Authorizer, obStore onboarding.StateStore, cpStore rscsync.Store,
	deadStore rscsync.DeadLetterStore, msStore milestones.EventStore,
	engineOf func(ctx context.Context, customerID string) (*rscsync.Engine, error)) error {
	h, err := console.New(
		console.WithCustomers(listCustomerIDs),      // func(ctx) ([]string, error)
		console.WithAuthorizer(operatorOf),          // func(*http.Request) (operator string, ok bool)
		console.WithAllowedHosts("ops.example.com"), // Host allow-list, against DNS rebinding
		console.WithOnboarding(obStore), console.WithCheckpoints(cpStore),
		console.WithDeadLetters(deadStore), console.WithMilestones(msStore),
		console.WithRetry(console.EngineRetry(engineOf)), // func(ctx, customerID) (*rscsync.Engine, error)
	)
	if err != nil {
		return err
	}
	mux.Handle("/ops/", http.StripPrefix("/ops", h))
	return nil
}

// TestMountConsole runs README's console snippet over file stores: an
// operator on the allowed host sees the overview, anyone else is refused.
func TestMountConsole(t *testing.T) {
	dir := t.TempDir()
	ob := mustopen.Dir(t, onboarding.NewFileStore, filepath.Join(dir, "onboarding"))
	cp := mustopen.Dir(t, rscsync.NewFileStore, filepath.Join(dir, "checkpoints"))
	dead := mustopen.Dir(t, rscsync.NewFileDeadLetters, filepath.Join(dir, "dead"))
	ms := mustopen.Dir(t, milestones.NewFileStore, filepath.Join(dir, "milestones"))
	mux := http.NewServeMux()
	err := mountConsole(mux,
		func(context.Context) ([]string, error) { return []string{"acme"}, nil },
		func(r *http.Request) (string, bool) {
			return "ops", r.Header.Get("Authorization") == "Bearer ops-token"
		},
		ob, cp, dead, ms,
		func(context.Context, string) (*rscsync.Engine, error) { return nil, context.Canceled })
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		host, auth string
		want       int
	}{
		{"ops.example.com", "Bearer ops-token", http.StatusOK},
		{"ops.example.com", "", http.StatusUnauthorized},
		{"attacker.example", "Bearer ops-token", http.StatusForbidden},
	} {
		req := httptest.NewRequest(http.MethodGet, "http://"+tc.host+"/ops/", nil)
		req.Header.Set("Authorization", tc.auth)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("host %s, auth %q: status %d, want %d", tc.host, tc.auth, rec.Code, tc.want)
		}
	}
}
