package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/rscgo/rscgo/console"
	rscsync "github.com/rscgo/rscgo/sync"
)

// The console mounted under /ops/ behind an operator token. A dead letter
// the sync engine stored shows with its reason, and a GET without the token
// is refused.
func ExampleNew() {
	ctx := context.Background()
	dead := rscsync.NewMemoryDeadLetters()
	_ = dead.Put(ctx, "acme", rscsync.DeadLetter{Kind: rscsync.KindCandidate, ID: "C2",
		Reason: "invalid emailAddresses[0]: must match X@X.X", Field: "emailAddresses[0]"})

	h, err := console.New(
		console.WithCustomers(func(context.Context) ([]string, error) { return []string{"acme"}, nil }),
		console.WithAuthorizer(func(r *http.Request) (string, bool) {
			return "ops", r.Header.Get("Authorization") == "Bearer s3cret"
		}),
		console.WithAllowedHosts("ops.example.com"),
		console.WithCheckpoints(rscsync.NewMemoryStore()),
		console.WithDeadLetters(dead),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/ops/", http.StripPrefix("/ops", h))

	req := httptest.NewRequest("GET", "http://ops.example.com/ops/customer?id=acme", nil)
	req.Header.Set("Authorization", "Bearer s3cret")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	for line := range strings.Lines(rec.Body.String()) {
		if strings.Contains(line, `class="deadletter"`) {
			fmt.Print(line)
		}
	}

	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "http://ops.example.com/ops/", nil))
	fmt.Println(rec.Code)
	// Output:
	// 200
	// <tr class="deadletter" data-key="candidate//C2"><td>candidate C2</td><td class="reason">invalid emailAddresses[0]: must match X@X.X</td><td>emailAddresses[0]</td><td></td><td>0</td><td></td>
	// 401
}
