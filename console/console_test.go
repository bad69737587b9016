package console_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/console"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// t0 is the fake clock's time.
var t0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// fixture is a console over stores a real sync wrote: customer "acme" has
// one candidate LinkedIn's rules refused (a dead letter), "beta" nothing.
type fixture struct {
	h      *console.Handler
	src    *rscsync.SliceSource
	dead   *rscsync.MemoryDeadLetters
	cust   *rsctest.Customer
	org    string
	reason string
}

func candidate(org, id, email string, modified time.Time) rscsync.Candidate {
	return rscsync.Candidate{ModifiedAt: modified, Record: rsc.Candidate{
		Key:       rsc.CandidateKey{IntegrationContext: org, CandidateID: id},
		FirstName: "Ann", EmailAddresses: []string{email}, ExternalProfileURL: "https://ats.example.com/c/" + id,
		CreatedAt: rsc.Millis(modified), LastModifiedAt: rsc.Millis(modified)}}
}

// authorize accepts the bearer tokens of alice and bob.
func authorize(r *http.Request) (string, bool) {
	switch r.Header.Get("Authorization") {
	case "Bearer alice-token":
		return "alice", true
	case "Bearer bob-token":
		return "bob", true
	}
	return "", false
}

func newFixture(t *testing.T, opts ...console.Option) *fixture {
	t.Helper()
	ctx := t.Context()
	srv := rsctest.NewServer(rsctest.WithoutListener())
	t.Cleanup(srv.Close)
	f := &fixture{cust: srv.AddCustomer(rsctest.CustomerSpec{}), dead: rscsync.NewMemoryDeadLetters(), src: rscsync.NewSliceSource()}
	f.org = f.cust.Organization
	client, err := srv.CustomerClient(f.cust)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	f.src.PutCandidates(candidate(f.org, "C1", "ann@example.com", now.Add(-2*time.Minute)),
		candidate(f.org, "C2", "bob@example", now.Add(-time.Minute)))
	store := rscsync.NewMemoryStore()
	eng, err := rscsync.NewEngine(client, "acme", f.src, rscsync.WithStore(store), rscsync.WithDeadLetters(f.dead))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Run(ctx); err != nil {
		t.Fatal(err)
	}
	for d, err := range f.dead.List(ctx, "acme") {
		if err != nil {
			t.Fatal(err)
		}
		f.reason = d.Reason
	}
	if f.reason == "" {
		t.Fatal("the sync left no dead letter")
	}

	flows := onboarding.NewMemoryStore()
	main := "main"
	if err := flows.SaveState(ctx, &onboarding.FlowState{CustomerID: "acme", CustomerName: "Acme <Recruiting>",
		Step: onboarding.StepAwaitPartnerReady, Active: &main,
		Contracts: []onboarding.Contract{{Label: "main", Status: onboarding.Status{State: onboarding.StateRequested}}}}); err != nil {
		t.Fatal(err)
	}
	events := milestones.NewMemoryStore()
	if err := events.Append(ctx, "acme", milestones.Event{Milestone: milestones.IntegrationEnabled, At: t0.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	all := append([]console.Option{
		console.WithCustomers(func(context.Context) ([]string, error) { return []string{"acme", "beta"}, nil }),
		console.WithAuthorizer(authorize),
		console.WithAllowedHosts("ops.example.com", "127.0.0.1"),
		console.WithOnboarding(flows), console.WithCheckpoints(store), console.WithDeadLetters(f.dead),
		console.WithMilestones(events), console.WithClock(rsctest.NewFakeClock(t0)),
		console.WithRetry(console.EngineRetry(func(_ context.Context, id string) (*rscsync.Engine, error) { return eng, nil })),
		console.WithReconcile(console.EngineReconcile(func(_ context.Context, id string) (*rscsync.Engine, error) {
			return rscsync.NewEngine(client, id, f.src, rscsync.WithStore(store), rscsync.WithDeadLetters(f.dead),
				rscsync.WithHoldings(f.cust.Holdings()))
		}, 0)),
	}, opts...)
	if f.h, err = console.New(all...); err != nil {
		t.Fatal(err)
	}
	return f
}

// get serves a GET as alice from the allowed host.
func (f *fixture) get(t *testing.T, path string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "http://ops.example.com"+path, nil)
	req.Header.Set("Authorization", "Bearer alice-token")
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec.Result()
}

// getOK serves a GET as get does and fails the test unless it is 200 OK.
func (f *fixture) getOK(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	res := f.get(t, path)
	page := body(t, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", res.StatusCode, page)
	}
	return res, page
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// session GETs acme's page as alice and returns her session cookie and
// the page's anti-CSRF token.
func (f *fixture) session(t *testing.T) (*http.Cookie, string) {
	t.Helper()
	res := f.get(t, "/customer?id=acme")
	m := csrfRE.FindStringSubmatch(body(t, res))
	if len(res.Cookies()) != 1 || m == nil {
		t.Fatalf("the page set cookies %v and has token %q", res.Cookies(), m)
	}
	return res.Cookies()[0], m[1]
}

func (f *fixture) deadKeys(t *testing.T) []string {
	t.Helper()
	var keys []string
	for d, err := range f.dead.List(t.Context(), "acme") {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, d.Key())
	}
	return keys
}

func TestOverview(t *testing.T) {
	f := newFixture(t)
	res, page := f.getOK(t, "/")
	for _, want := range []string{
		`<meta http-equiv="refresh" content="10">`,
		`operator <span id="operator">alice</span> · updated <span id="updated">2026-11-30 09:00:00 UTC</span>`,
		`<tr class="customer" data-id="acme">
<td><a href="customer?id=acme">acme</a><br>Acme &lt;Recruiting&gt;</td>
<td class="step">await_partner_ready</td><td class="status">` + template.HTMLEscapeString(onboarding.Status{State: onboarding.StateRequested}.Line()) + `</td>
<td class="milestones">1 of 5</td>
<td class="progress">Job Sync: 0/0 ✓<br>Candidate Sync: 2/2 ✓<br>Application Sync: 0/0 ✓<br>Activity Sync: 0/0 ✓<br>Deletion Sync: 0/0 ✓<br></td>
<td class="dead">1</td>`,
		`<tr class="customer" data-id="beta">
<td><a href="customer?id=beta">beta</a></td>
<td class="step">not started</td>`,
	} {
		pageHas(t, page, want)
	}
	if got := res.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q", got)
	}
}

func TestCustomerPage(t *testing.T) {
	f := newFixture(t)
	_, page := f.getOK(t, "/customer?id=acme")
	key := template.HTMLEscapeString(f.deadKeys(t)[0])
	for _, want := range []string{
		`<meta http-equiv="refresh" content="10">`,
		`<p>Step: <span id="step">await_partner_ready</span> · Acme &lt;Recruiting&gt;</p>`,
		`<li><span class="ok">✓</span> Milestone 1: Integration Enabled (2026-11-30 08:00:00 UTC)</li><li>Milestone 2: Job Sync Completed: not reached</li>`,
		`<tr><td>Candidate Sync</td><td>2</td><td>2</td><td>0</td><td>1</td><td>0</td><td>yes</td>`,
		`<h2>Dead letters (1)</h2>`,
		`<tr class="deadletter" data-key="` + key + `"><td>candidate C2</td><td class="reason">` + template.HTMLEscapeString(f.reason) + `</td>`,
		`<form method="post" action="retry?customer=acme&amp;key=candidate%2f%2fC2"><input type="hidden" name="csrf" value="`,
		`"><button type="submit" class="retry">Retry</button>`,
	} {
		pageHas(t, page, want)
	}
	if !strings.Contains(f.reason, "emailAddresses[0]") {
		t.Errorf("reason %q does not name the field", f.reason)
	}
}

// A resync request an operator queued (sync.RequestResync) is listed with
// the dead letters but not counted as one, on the overview and on the
// customer's page.
func TestResyncRequestsCountedApart(t *testing.T) {
	f := newFixture(t, console.WithMaxDeadLetters(1))
	if _, err := rscsync.RequestResync(t.Context(), f.dead, "acme", t0, "candidate//C1"); err != nil {
		t.Fatal(err)
	}
	_, page := f.getOK(t, "/customer?id=acme")
	for _, want := range []string{
		`<h2>Dead letters (1, and 1 resync requests queued)</h2>`,
		`<p>2 dead letters and resync requests; the first 1 are listed.</p>`,
	} {
		pageHas(t, page, want)
	}
	_, page = f.getOK(t, "/")
	pageHas(t, page, `<td class="dead">1 (and 1 resync requests)</td>`)
}

func TestUnknownCustomer(t *testing.T) {
	f := newFixture(t)
	res := f.get(t, "/customer?id=nobody")
	if page := body(t, res); res.StatusCode != http.StatusNotFound || !strings.Contains(page, `<p class="err" id="error">no customer nobody</p>`) {
		t.Errorf("status %d\n%s", res.StatusCode, page)
	}
}

func TestRetry(t *testing.T) {
	f := newFixture(t)
	keys := f.deadKeys(t)
	// The ATS data is fixed; the retry reads it again.
	f.src.PutCandidates(candidate(f.org, "C2", "bob@example.com", time.Now()))

	rec := f.post(t, "/retry", url.Values{"customer": {"acme"}, "key": keys})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "customer?done=retried&id=acme" {
		t.Fatalf("status %d, Location %q\n%s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	if got := f.deadKeys(t); len(got) != 0 {
		t.Errorf("after the retry the store holds %v", got)
	}
	var ids []string
	for _, c := range f.cust.Candidates() {
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	if diff := cmp.Diff([]string{"C1", "C2"}, ids); diff != "" {
		t.Errorf("LinkedIn's candidates (-want +got):\n%s", diff)
	}
	res := f.get(t, "/customer?id=acme&done=retried")
	if page := body(t, res); !strings.Contains(page, `<p class="notice" id="notice">Retry done.</p>`) || !strings.Contains(page, `<p id="no-dead">None.</p>`) {
		t.Errorf("the page after the retry:\n%s", page)
	}
}

// TestRefusals checks that requests without an allowed host, an
// authenticated operator or a valid anti-CSRF token from the console's own
// origin are refused and change nothing.
func TestRefusals(t *testing.T) {
	f := newFixture(t)
	cookie, token := f.session(t)
	keys := f.deadKeys(t)
	tests := []struct {
		name   string
		method string
		host   string
		auth   string
		csrf   string
		cookie bool
		header map[string]string
		status int
	}{
		{name: "GET without operator", method: "GET", host: "ops.example.com", status: 401},
		{name: "GET with unknown token", method: "GET", host: "ops.example.com", auth: "Bearer mallory", status: 401},
		{name: "GET rebound host", method: "GET", host: "evil.example", auth: "Bearer alice-token", status: 403},
		{name: "POST without operator", method: "POST", host: "ops.example.com", csrf: token, cookie: true, status: 401},
		{name: "POST rebound host", method: "POST", host: "evil.example:80", auth: "Bearer alice-token", csrf: token, cookie: true, status: 403},
		{name: "POST without token", method: "POST", host: "ops.example.com", auth: "Bearer alice-token", cookie: true, status: 403},
		{name: "POST with a wrong token", method: "POST", host: "ops.example.com", auth: "Bearer alice-token", csrf: token[:len(token)-2] + "xx", cookie: true, status: 403},
		{name: "POST without session", method: "POST", host: "ops.example.com", auth: "Bearer alice-token", csrf: token, status: 403},
		{name: "POST with another operator's token", method: "POST", host: "ops.example.com", auth: "Bearer bob-token", csrf: token, cookie: true, status: 403},
		{name: "POST cross origin", method: "POST", host: "ops.example.com", auth: "Bearer alice-token", csrf: token, cookie: true,
			header: map[string]string{"Origin": "https://evil.example"}, status: 403},
		{name: "POST cross site", method: "POST", host: "ops.example.com", auth: "Bearer alice-token", csrf: token, cookie: true,
			header: map[string]string{"Sec-Fetch-Site": "cross-site"}, status: 403},
		{name: "GET of the action", method: "GET", host: "ops.example.com", auth: "Bearer alice-token", status: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"customer": {"acme"}, "key": keys}
			if tt.csrf != "" {
				form.Set("csrf", tt.csrf)
			}
			req := httptest.NewRequest(tt.method, "http://"+tt.host+"/retry", strings.NewReader(form.Encode()))
			if tt.method == "GET" && tt.status != 405 {
				req = httptest.NewRequest(tt.method, "http://"+tt.host+"/", nil)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			if tt.cookie {
				req.AddCookie(cookie)
			}
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d\n%s", rec.Code, tt.status, rec.Body)
			}
			if strings.Contains(rec.Body.String(), f.reason) {
				t.Errorf("the refusal shows the dead letter:\n%s", rec.Body)
			}
			if diff := cmp.Diff(keys, f.deadKeys(t)); diff != "" {
				t.Errorf("the dead letters changed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNoRetryConfigured(t *testing.T) {
	f := newFixture(t)
	h, err := console.New(console.WithCustomers(func(context.Context) ([]string, error) { return []string{"acme"}, nil }),
		console.WithAuthorizer(authorize), console.WithAllowedHosts("ops.example.com"), console.WithDeadLetters(f.dead), console.WithRefresh(0))
	if err != nil {
		t.Fatal(err)
	}
	f.h = h
	page := body(t, f.get(t, "/customer?id=acme"))
	if strings.Contains(page, "<form") || strings.Contains(page, "http-equiv") || !strings.Contains(page, `<td class="reason">`+template.HTMLEscapeString(f.reason)+`</td><td>`) {
		t.Errorf("a page without retry nor refresh:\n%s", page)
	}
}

func TestNewValidates(t *testing.T) {
	customers := console.WithCustomers(func(context.Context) ([]string, error) { return nil, nil })
	auth := console.WithAuthorizer(authorize)
	hosts := console.WithAllowedHosts("localhost")
	tests := []struct {
		name string
		opts []console.Option
		want string
	}{
		{"no customers", []console.Option{auth, hosts}, "console: New: WithCustomers is required"},
		{"no authorizer", []console.Option{customers, hosts}, "console: New: WithAuthorizer is required"},
		{"no hosts", []console.Option{customers, auth}, "console: New: WithAllowedHosts is required"},
		{"bad host", []console.Option{customers, auth, console.WithAllowedHosts("http://x")}, `console: WithAllowedHosts: "http://x" is not a host or host:port`},
		{"nil option", []console.Option{customers, auth, hosts, nil}, "console: nil option"},
		{"nil authorizer", []console.Option{console.WithAuthorizer(nil)}, "console: WithAuthorizer: nil authorizer"},
		{"nil store", []console.Option{console.WithCheckpoints(nil)}, "console: WithCheckpoints: nil store"},
		{"nil dead letters", []console.Option{console.WithDeadLetters(nil)}, "console: WithDeadLetters: nil store"},
		{"nil onboarding", []console.Option{console.WithOnboarding(nil)}, "console: WithOnboarding: nil store"},
		{"nil milestones", []console.Option{console.WithMilestones(nil)}, "console: WithMilestones: nil store"},
		{"nil retry", []console.Option{console.WithRetry(nil)}, "console: WithRetry: nil function"},
		{"nil reconcile", []console.Option{console.WithReconcile(nil)}, "console: WithReconcile: nil function"},
		{"nil fleet", []console.Option{console.WithFleet(nil)}, "console: WithFleet: nil FleetSource"},
		{"nil clock", []console.Option{console.WithClock(nil)}, "console: WithClock: nil clock"},
		{"typed nil clock", []console.Option{console.WithClock((*rsctest.FakeClock)(nil))}, "console: WithClock: nil clock"},
		{"typed nil milestones", []console.Option{console.WithMilestones((*milestones.MemoryStore)(nil))}, "console: WithMilestones: nil store"},
		{"fast refresh", []console.Option{console.WithRefresh(time.Millisecond)}, "console: WithRefresh: 1ms is neither 0 nor at least 1s"},
		{"short key", []console.Option{console.WithCSRFKey([]byte("short"))}, "console: WithCSRFKey: the key has 5 bytes, fewer than 32"},
		{"max dead", []console.Option{console.WithMaxDeadLetters(0)}, "console: WithMaxDeadLetters: 0 is below 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := console.New(tt.opts...)
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %s", err, tt.want)
			}
		})
	}
}

// pageHas fails the test when page lacks want.
func pageHas(t *testing.T, page, want string) {
	t.Helper()
	if !strings.Contains(page, want) {
		t.Errorf("the page lacks\n%s\n--- page:\n%s", want, page)
	}
}

// TestRetryFailure checks that a failed retry shows its error on the
// customer's page (escaped, without a reload that would repeat nothing) and
// leaves the dead letters.
func TestRetryFailure(t *testing.T) {
	f := newFixture(t, console.WithRetry(func(context.Context, string, []string) error {
		return errors.New("the engine of <acme> is running")
	}))
	keys := f.deadKeys(t)
	rec := f.post(t, "/retry", url.Values{"customer": {"acme"}})
	page := rec.Body.String()
	if rec.Code != http.StatusInternalServerError || strings.Contains(page, "http-equiv") {
		t.Errorf("status %d\n%s", rec.Code, page)
	}
	pageHas(t, page, `<p class="err" id="error">the retry failed: the engine of &lt;acme&gt; is running</p>`)
	if diff := cmp.Diff(keys, f.deadKeys(t)); diff != "" {
		t.Errorf("the dead letters changed (-want +got):\n%s", diff)
	}
}

// TestFormsOfEveryCustomerID: every customer link of the overview opens
// that customer's page, and each of its forms, posted as a browser posts
// it, acts on that customer and on that dead letter, whatever their ids
// hold: NUL and bytes that are not UTF-8, which no form field carries,
// as well as characters that URLs and HTML escape. The anti-CSRF token is
// still required, and a POST whose URL and form name different customers
// is refused.
func TestFormsOfEveryCustomerID(t *testing.T) {
	ids := []string{"nul\x00id", "a/b", "50%", "x&id=other", "sp ace", "lat\xff1", "#frag", "<q\">", "other", strings.Repeat("L", 3000)}
	type call struct {
		Action, Customer string
		Keys             []string
	}
	var calls []call
	dead := rscsync.NewMemoryDeadLetters()
	for _, id := range ids {
		for _, d := range []rscsync.DeadLetter{{Kind: rscsync.KindCandidate, ID: "C1"}, {Kind: rscsync.KindCandidate, ID: "C\xff\x002"}} {
			d.Reason, d.Attempts = "r", 1
			if err := dead.Put(t.Context(), id, d); err != nil {
				t.Fatal(err)
			}
		}
	}
	h, err := console.New(
		console.WithCustomers(func(context.Context) ([]string, error) { return ids, nil }),
		console.WithAuthorizer(func(*http.Request) (string, bool) { return "op", true }),
		console.WithAllowedHosts("example.com"), console.WithDeadLetters(dead),
		console.WithRetry(func(_ context.Context, id string, keys []string) error {
			calls = append(calls, call{"retry", id, keys})
			return nil
		}),
		console.WithReconcile(func(_ context.Context, id string) (*rscsync.ContentReport, error) {
			calls = append(calls, call{"reconcile", id, nil})
			return &rscsync.ContentReport{CustomerID: id}, nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	serve := func(req *http.Request) (*httptest.ResponseRecorder, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		// The page is text/html; charset=utf-8: a browser decodes it so.
		return rec, strings.ToValidUTF8(rec.Body.String(), "\uFFFD")
	}
	_, overview := serve(httptest.NewRequest(http.MethodGet, "http://example.com/", nil))
	links := regexp.MustCompile(`<a href="(customer\?id=[^"]*)">`).FindAllStringSubmatch(overview, -1)
	if len(links) != len(ids) {
		t.Fatalf("%d links for %d customers", len(links), len(ids))
	}
	formRE := regexp.MustCompile(`<form method="post" action="([^"]*)"><input type="hidden" name="csrf" value="([^"]+)">`)
	for i, l := range links {
		id := ids[i]
		t.Run(fmt.Sprintf("%.20q", id), func(t *testing.T) {
			pageURL, err := url.Parse("http://example.com/" + html.UnescapeString(l[1]))
			if err != nil {
				t.Fatal(err)
			}
			rec, page := serve(httptest.NewRequest(http.MethodGet, pageURL.String(), nil))
			if rec.Code != http.StatusOK {
				t.Fatalf("the link %s answered %d", l[1], rec.Code)
			}
			cookie := rec.Result().Cookies()[0]
			post := func(action string, form url.Values) *httptest.ResponseRecorder {
				target, err := pageURL.Parse(html.UnescapeString(action))
				if err != nil {
					t.Fatal(err)
				}
				req := httptest.NewRequest(http.MethodPost, target.String(), strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.AddCookie(cookie)
				rec, _ := serve(req)
				return rec
			}
			calls = nil
			forms := formRE.FindAllStringSubmatch(page, -1)
			for _, f := range forms {
				if rec := post(f[1], url.Values{"csrf": {html.UnescapeString(f[2])}}); rec.Code != http.StatusSeeOther {
					t.Errorf("the form posting to %s answered %d", f[1], rec.Code)
				}
			}
			keys := []string{"candidate//C1", "candidate//C\xff\x002"}
			want := []call{{"reconcile", id, nil}, {"retry", id, keys}, {"retry", id, keys[:1]}, {"retry", id, keys[1:]}}
			if d := cmp.Diff(want, calls); d != "" {
				t.Errorf("what the forms did (-want +got):\n%s", d)
			}
			if len(forms) == 0 {
				return
			}
			calls = nil
			csrf := html.UnescapeString(forms[0][2])
			for _, bad := range []struct {
				name   string
				form   url.Values
				status int
			}{
				{"without the anti-CSRF token", url.Values{}, http.StatusForbidden},
				{"naming another customer in the form", url.Values{"csrf": {csrf}, "customer": {"other" + id}}, http.StatusBadRequest},
			} {
				if rec := post(forms[0][1], bad.form); rec.Code != bad.status {
					t.Errorf("%s: status %d, want %d", bad.name, rec.Code, bad.status)
				}
			}
			if len(calls) != 0 {
				t.Errorf("refused POSTs did %v", calls)
			}
		})
	}
}

// The session cookie is HttpOnly and SameSite=Strict, and Secure when the
// page was asked for over TLS, directly or through a proxy that says so.
func TestSessionCookie(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, tc := range []struct {
		name       string
		tls        bool
		forwarded  string
		wantSecure bool
	}{
		{"plain http", false, "", false},
		{"tls", true, "", true},
		{"behind a TLS proxy", false, "https", true},
		{"behind a TLS proxy, upper case", false, "HTTPS", true},
		{"proxy says http", false, "http", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "http://ops.example.com/customer?id=acme", nil)
			req.Header.Set("Authorization", "Bearer alice-token")
			if tc.tls {
				req.TLS = &tls.ConnectionState{}
			}
			if tc.forwarded != "" {
				req.Header.Set("X-Forwarded-Proto", tc.forwarded)
			}
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			cs := rec.Result().Cookies()
			if len(cs) != 1 {
				t.Fatalf("cookies %v, want the session's", cs)
			}
			type flags struct{ Secure, HttpOnly, Strict bool }
			got := flags{cs[0].Secure, cs[0].HttpOnly, cs[0].SameSite == http.SameSiteStrictMode}
			if d := cmp.Diff(flags{tc.wantSecure, true, true}, got); d != "" {
				t.Errorf("cookie flags (-want +got):\n%s", d)
			}
		})
	}
}
