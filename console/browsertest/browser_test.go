package browsertest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/rscgo/rscgo/console"
	"github.com/rscgo/rscgo/onboarding"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// browserPaths are where the browser is looked for: $RSCGO_CHROME when
// set, else Debian's chromium package, then Google Chrome (which GitHub's
// Ubuntu runners carry).
func browserPaths() []string {
	if p := os.Getenv("RSCGO_CHROME"); p != "" {
		return []string{p}
	}
	return []string{"/usr/bin/chromium", "/usr/bin/google-chrome"}
}

// operatorToken is what the test's login link sets as the operator cookie.
const operatorToken = "browser-test-operator-token"

// browser starts headless Chromium, or skips the test when it is missing
// (a failure under CI=true).
func browser(t *testing.T) context.Context {
	t.Helper()
	paths := browserPaths()
	i := slices.IndexFunc(paths, func(p string) bool { _, err := os.Stat(p); return err == nil })
	if i < 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no browser at %s under CI=true: install Debian's chromium package (apt-get install -y chromium) or set RSCGO_CHROME", strings.Join(paths, " or "))
		}
		t.Skipf("no browser at %s: install Debian's chromium package (apt-get install -y chromium) or set RSCGO_CHROME to run the browser test", strings.Join(paths, " or "))
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.NoSandbox, chromedp.ExecPath(paths[i]), chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancel)
	return ctx
}

// syncWithDeadLetter runs a real sync of two candidates against the fake
// LinkedIn; LinkedIn's rules refuse the second (its email has no domain
// suffix), which leaves one dead letter. It returns the engine and the
// Source, to fix the record before the retry.
func syncWithDeadLetter(t *testing.T) (*rscsync.Engine, *rscsync.SliceSource, *rsctest.Customer) {
	t.Helper()
	srv := rsctest.NewServer(rsctest.WithoutListener())
	t.Cleanup(srv.Close)
	cust := srv.AddCustomer(rsctest.CustomerSpec{})
	client, err := srv.CustomerClient(cust)
	if err != nil {
		t.Fatal(err)
	}
	src := rscsync.NewSliceSource()
	at := time.Now().Add(-time.Hour)
	for _, c := range [][2]string{{"cand-1", "dana@example.com"}, {"cand-2", "eve@invalid"}} {
		src.PutCandidates(rscsync.Candidate{ModifiedAt: at, Record: rsc.Candidate{
			Key:       rsc.CandidateKey{IntegrationContext: cust.Organization, CandidateID: c[0]},
			FirstName: "Dana", EmailAddresses: []string{c[1]}, ExternalProfileURL: "https://ats.example.com/people/" + c[0],
			CreatedAt: rsc.Millis(at), LastModifiedAt: rsc.Millis(at)}})
		at = at.Add(time.Second)
	}
	eng, err := rscsync.NewEngine(client, "globex", src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	return eng, src, cust
}

// serve serves the console over httptest, behind a login link that sets
// the operator cookie the Authorizer checks.
func serve(t *testing.T, eng *rscsync.Engine) *httptest.Server {
	t.Helper()
	flows := onboarding.NewMemoryStore()
	if err := flows.SaveState(t.Context(), &onboarding.FlowState{CustomerID: "globex", CustomerName: "Globex",
		Step: onboarding.StepEnabled}); err != nil {
		t.Fatal(err)
	}
	h, err := console.New(
		console.WithCustomers(func(context.Context) ([]string, error) { return []string{"globex"}, nil }),
		console.WithAuthorizer(func(r *http.Request) (string, bool) {
			c, err := r.Cookie("operator")
			return "browser-test", err == nil && c.Value == operatorToken
		}),
		console.WithAllowedHosts("127.0.0.1"),
		console.WithOnboarding(flows), console.WithCheckpoints(eng.Store()), console.WithDeadLetters(eng.DeadLetters()),
		console.WithRetry(console.EngineRetry(func(context.Context, string) (*rscsync.Engine, error) { return eng, nil })),
		console.WithFleet(fleetOf{{CustomerID: "globex", Holder: "worker-1", Until: time.Now().Add(time.Hour), Token: 4, Waiting: 1}}))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/ops/", http.StripPrefix("/ops", h))
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "operator", Value: operatorToken, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		http.Redirect(w, r, "/ops/", http.StatusSeeOther)
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

// fleetOf is a FleetSource of fixed entries: one worker holds the lease.
type fleetOf []console.FleetCustomer

func (f fleetOf) Fleet(context.Context) ([]console.FleetCustomer, error) { return f, nil }

func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("reading %s: %v", css, err)
	}
	return strings.TrimSpace(s)
}

func TestRetryDeadLetterInBrowser(t *testing.T) {
	eng, src, cust := syncWithDeadLetter(t)
	ts := serve(t, eng)
	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/login")); err != nil { // starts the browser: no timeout
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()

	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`tr.customer[data-id="globex"]`))); err != nil {
		t.Fatal(err)
	}
	for css, want := range map[string]string{
		`tr.customer[data-id="globex"] td.step`:     "enabled",
		`tr.customer[data-id="globex"] td.dead`:     "1",
		`tr.customer[data-id="globex"] td.jobs`:     "0 running, 1 waiting",
		`tr.holder[data-holder="worker-1"] td.held`: "1",
		`#jobs-waiting`: "1",
		`#operator`:     "browser-test",
	} {
		if got := text(t, ctx, css); got != want {
			t.Errorf("%s shows %q, want %q", css, got, want)
		}
	}

	if got := text(t, ctx, `tr.customer[data-id="globex"] td.lease`); !strings.HasPrefix(got, "held by worker-1 until ") {
		t.Errorf("the lease shows %q, want held by worker-1", got)
	}

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`tr.customer[data-id="globex"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`tr.deadletter`))); err != nil {
		t.Fatal(err)
	}
	var reason string
	for d, err := range eng.DeadLetters().List(ctx, "globex") {
		if err != nil {
			t.Fatal(err)
		}
		reason = d.Reason
	}
	if got := text(t, ctx, `tr.deadletter td.reason`); got != reason || !strings.Contains(got, "emailAddresses[0]") {
		t.Errorf("the dead letter's reason shows %q, want %q naming emailAddresses[0]", got, reason)
	}
	if got := text(t, ctx, `tr.deadletter td`); got != "candidate cand-2" {
		t.Errorf("the dead letter's record shows %q", got)
	}
	screenshot(t, ctx, "console-dead-letter.png")

	// The ATS data is fixed; the retry button sends the record again.
	src.PutCandidates(rscsync.Candidate{ModifiedAt: time.Now(), Record: rsc.Candidate{
		Key:       rsc.CandidateKey{IntegrationContext: cust.Organization, CandidateID: "cand-2"},
		FirstName: "Eve", EmailAddresses: []string{"eve@example.com"}, ExternalProfileURL: "https://ats.example.com/people/cand-2",
		CreatedAt: rsc.Millis(time.Now()), LastModifiedAt: rsc.Millis(time.Now())}})
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`tr.deadletter button.retry`)),
		chromedp.WaitVisible(chromedp.CSS(`#notice`))); err != nil {
		t.Fatal(err)
	}
	for css, want := range map[string]string{`#notice`: "Retry done.", `#no-dead`: "None."} {
		if got := text(t, ctx, css); got != want {
			t.Errorf("after the retry %s shows %q, want %q", css, got, want)
		}
	}
	screenshot(t, ctx, "console-after-retry.png")
	for d, err := range eng.DeadLetters().List(ctx, "globex") {
		t.Errorf("after the retry the store holds %+v (%v)", d, err)
	}
	if n := len(cust.Candidates()); n != 2 {
		t.Errorf("LinkedIn holds %d candidates, want 2", n)
	}
}
