package onboarding

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/internal/pushq/pushqtest"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// widgetEnv is a customer at StepWidget whose admin requested RSC, a widget
// handler with a fake-clock signer, and sessions: "s1" and "s2" are two
// sessions of acme's admins, "s3" one of another customer's.
type widgetEnv struct {
	*env
	cu     *rsctest.Customer
	clk    *rsctest.FakeClock
	signer *StateSigner
	h      *WidgetHandler
}

func newWidgetEnv(t *testing.T) *widgetEnv {
	t.Helper()
	// One attempt per call, so that a fault fails the step at once.
	e := newEnv(t, []Option{WithCustomerOptions(rsc.WithRetryPolicy(rsc.RetryPolicy{MaxAttempts: 1}))})
	w := &widgetEnv{env: e, cu: e.toWidget(t, "acme"), clk: rsctest.NewFakeClock(time.Now())}
	w.cu.RequestIntegrations()
	w.signer = mustSigner(t, "0123456789abcdef0123456789abcdef", WithClock(w.clk))
	sessions := map[string]string{"s1": "acme", "s2": "acme", "s3": "other"}
	var err error
	w.h, err = e.flow.WidgetHandler(w.signer, func(r *http.Request) (string, string, error) {
		c, err := r.Cookie("sid")
		if err != nil || sessions[c.Value] == "" {
			return "", "", errors.New("no session")
		}
		return sessions[c.Value], c.Value, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// token renders the widget for session and returns its state token.
func (w *widgetEnv) token(t *testing.T, session string) string {
	t.Helper()
	wd, err := w.flow.Widget(t.Context(), "acme", session, w.ats.URL+"/rsc/widget", w.signer)
	if err != nil {
		t.Fatal(err)
	}
	return wd.State
}

// post sends the widget's payload for org with the token; header pairs
// override the defaults (a JSON body from the session "s1").
func (w *widgetEnv) post(t *testing.T, token, org string, header ...string) int {
	t.Helper()
	p := WidgetPayload{State: token, Integrations: []WidgetIntegration{{IntegrationContext: org}, {IntegrationContext: w.cu.Contracts[0]}}}
	req := httptest.NewRequest(http.MethodPost, "/rsc/widget", bytes.NewReader(mustJSON(t, p)))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: "sid", Value: "s1"})
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Cookie" {
			req.Header.Del("Cookie")
		}
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	return rec.Code
}

func (w *widgetEnv) organization(t *testing.T) string {
	t.Helper()
	st, err := w.flow.State(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	return st.ActiveContract().Organization
}

// TestWidgetPostBackRefusesForgery: a post-back the admin's browser could
// be made to send by another site, or one carrying a token that is not the
// session's own, unused and fresh, never reaches the flow.
func TestWidgetPostBackRefusesForgery(t *testing.T) {
	t.Parallel()
	w := newWidgetEnv(t)
	org := w.cu.Organization
	tok := w.token(t, "s1")
	for _, tc := range []struct {
		name   string
		token  string
		header []string
		want   int
	}{
		{"text/plain from another site", tok, []string{"Content-Type", "text/plain"}, http.StatusUnsupportedMediaType},
		{"form from another site", tok, []string{"Content-Type", "application/x-www-form-urlencoded"}, http.StatusUnsupportedMediaType},
		{"foreign Origin", tok, []string{"Origin", "https://evil.example"}, http.StatusForbidden},
		{"own host, another scheme", tok, []string{"Origin", "ftp://" + strings.TrimPrefix(w.ats.URL, "http://")}, http.StatusForbidden},
		{"own host with a path", tok, []string{"Origin", w.ats.URL + "/x"}, http.StatusForbidden},
		{"cross-site fetch", tok, []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"same-site but not same-origin", tok, []string{"Sec-Fetch-Site", "same-site"}, http.StatusForbidden},
		{"no session", tok, []string{"Cookie", "sid=nobody"}, http.StatusForbidden},
		{"another customer's session", tok, []string{"Cookie", "sid=s3"}, http.StatusForbidden},
		{"another session of the customer", tok, []string{"Cookie", "sid=s2"}, http.StatusForbidden},
		{"no token", "", nil, http.StatusForbidden},
		{"forged token", "e30.AAAA", nil, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := w.post(t, tc.token, org, tc.header...); got != tc.want {
				t.Errorf("status %d, want %d", got, tc.want)
			}
			if got := w.organization(t); got != "" {
				t.Errorf("organization %q recorded", got)
			}
		})
	}

	// The admin's own post, from the page's origin, is taken once.
	if got := w.post(t, tok, org, "Origin", w.ats.URL, "Sec-Fetch-Site", "same-origin"); got != http.StatusOK {
		t.Fatalf("the admin's post-back: %d", got)
	}
	if got := w.organization(t); got != org {
		t.Fatalf("organization %q, want %q", got, org)
	}
	if got := w.post(t, tok, org); got != http.StatusForbidden {
		t.Errorf("replayed token: %d, want 403", got)
	}

	// A token older than DefaultStateTTL is refused, and only the latest
	// widget rendered can post.
	old := w.token(t, "s1")
	w.clk.Advance(DefaultStateTTL + time.Second)
	if got := w.post(t, old, org); got != http.StatusForbidden {
		t.Errorf("expired token: %d, want 403", got)
	}
	first, second := w.token(t, "s1"), w.token(t, "s1")
	if got := w.post(t, first, org); got != http.StatusForbidden {
		t.Errorf("superseded token: %d, want 403", got)
	}
	if got := w.post(t, second, org); got != http.StatusOK {
		t.Errorf("latest token: %d, want 200", got)
	}
	if _, err := w.flow.WidgetHandler(nil, nil); err == nil {
		t.Error("WidgetHandler without a signer and a session func")
	}
}

// TestWidgetCannotRepointAnEnabledIntegration: URNs LinkedIn does not list
// for the customer's application are refused; once the integrations are
// enabled, widget input is refused until the admin restarts onboarding;
// URNs whose steps fail are not kept.
func TestWidgetCannotRepointAnEnabledIntegration(t *testing.T) {
	t.Parallel()
	w := newWidgetEnv(t)
	org := w.cu.Organization
	// Another LinkedIn customer's organization: LinkedIn lists no integration
	// of acme's application on it.
	evil := w.fake.AddCustomer(rsctest.CustomerSpec{UniqueForeignID: "evil", Organization: "urn:li:organization:666",
		Contracts: []string{"urn:li:contract:667"}})

	if got := w.post(t, w.token(t, "s1"), evil.Organization); got != http.StatusInternalServerError {
		t.Errorf("another application's organization: %d, want 500", got)
	}
	if got := w.organization(t); got != "" {
		t.Fatalf("organization %q recorded", got)
	}

	// A step after the widget fails: the URNs are not kept.
	w.fake.SetFaults(rsctest.Fault{Route: "configurations", ErrorRate: 1})
	if got := w.post(t, w.token(t, "s1"), org); got != http.StatusInternalServerError {
		t.Errorf("failing save: %d, want 500", got)
	}
	w.fake.SetFaults()
	if got := w.organization(t); got != "" {
		t.Errorf("organization %q kept although its save failed", got)
	}

	if got := w.post(t, w.token(t, "s1"), org); got != http.StatusOK {
		t.Fatalf("post-back: %d", got)
	}
	w.cu.EnableAll()
	w.deliver(t)
	p, err := w.flow.Next(t.Context(), "acme")
	if err != nil || p.Step != StepEnabled {
		t.Fatalf("enabled: %+v %v", p, err)
	}
	evil2 := WidgetPayload{Integrations: []WidgetIntegration{{IntegrationContext: org}, {IntegrationContext: w.cu.Contracts[0]}}}
	if _, err := w.flow.Advance(t.Context(), "acme", Input{Widget: &evil2}); !errors.Is(err, ErrEnabled) {
		t.Errorf("widget input after enablement: %v, want ErrEnabled", err)
	}
	if got := w.post(t, w.token(t, "s1"), org); got != http.StatusConflict {
		t.Errorf("post-back after enablement: %d, want 409", got)
	}
	if p, _ := w.flow.Next(t.Context(), "acme"); p.Step != StepEnabled || w.organization(t) != org {
		t.Errorf("after refused input: %+v, organization %q", p, w.organization(t))
	}

	// The admin restarts onboarding: the widget is taken again.
	if p := w.advance(t, "acme", Input{Restart: true}); p.Step != StepWidget {
		t.Fatalf("restart: %+v", p)
	}
	if got := w.post(t, w.token(t, "s1"), org); got != http.StatusOK {
		t.Errorf("post-back after restart: %d", got)
	}
}

// TestPushSignatures: an unsigned push is refused before any call to
// LinkedIn, and a push the handler cannot verify (no secret) answers 503.
func TestPushSignatures(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	cu := e.toWidget(t, "acme")
	id := cu.RequestIntegrations()
	var body []byte
	for _, p := range cu.Pushes() {
		if p.ID == id {
			body = p.Body
		}
	}
	calls := len(e.fake.Requests())
	send := func(h http.Handler, sig string) int {
		return pushqtest.Post(t.Context(), h, "/rsc/push/acme", sig, body)
	}
	if got := send(e.push, ""); got != http.StatusUnauthorized {
		t.Errorf("unsigned push: %d, want 401", got)
	}
	if err := e.push.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fake.Requests()); n != calls {
		t.Errorf("an unsigned push made %d calls to LinkedIn", n-calls)
	}

	// The instance's secret store answers an empty secret.
	empty := testPushHandler(t, pushConfig{
		resolve: instanceFromPath("/rsc/push"),
		secret:  func(context.Context, Instance) (string, error) { return "", nil },
		client:  e.flow.CustomerClient,
	})
	if got := send(empty, rsc.SignPush(body, cu.ClientSecret)); got != http.StatusServiceUnavailable {
		t.Errorf("no secret to verify with: %d, want 503", got)
	}
	if got := send(e.push, rsc.SignPush(body, cu.ClientSecret)); got != http.StatusOK {
		t.Errorf("signed push: %d, want 200", got)
	}
}

// A push to a callback URL no instance owns gets the answer of a push
// without a valid signature, so that probing URLs does not tell which
// customers and contracts exist.
func TestPushUnknownInstanceLooksUnsigned(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	cu := e.toWidget(t, "acme")
	body := []byte(`{"id":"r1","type":"EXPORT_CANDIDATE_PROFILE","expiresAt":1741609200000}`)
	signed := rsc.SignPush(body, cu.ClientSecret)
	for _, tc := range []struct {
		name, path, sig string
	}{
		{"known customer, unsigned", "/rsc/push/acme", ""},
		{"unknown customer, unsigned", "/rsc/push/initech", ""},
		{"unknown contract, unsigned", "/rsc/push/acme/emea", ""},
		{"known customer, another's signature", "/rsc/push/acme", rsc.SignPush(body, "not-acme's-secret")},
		{"unknown customer, signed with acme's secret", "/rsc/push/initech", signed},
		{"unknown contract, signed with acme's secret", "/rsc/push/acme/emea", signed},
		{"not UTF-8", "/rsc/push/%FF", signed},
		{"longer than any customer id", "/rsc/push/" + strings.Repeat("x", 101), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pushqtest.Post(t.Context(), e.push, tc.path, tc.sig, body); got != http.StatusUnauthorized {
				t.Errorf("POST %s: %d, want 401", tc.path, got)
			}
		})
	}
}

// A push the handler cannot place because its store failed answers 503,
// so that LinkedIn delivers it again, not 401 as a push to an unknown URL.
func TestPushStoreOutageIsRetried(t *testing.T) {
	t.Parallel()
	h := testPushHandler(t, pushConfig{
		resolve: func(*http.Request) (Instance, error) { return Instance{}, errors.New("database unavailable") },
		secret:  func(context.Context, Instance) (string, error) { return "s", nil },
	})
	body := []byte(`{"id":"r1","type":"EXPORT_CANDIDATE_PROFILE","expiresAt":1741609200000}`)
	if got := pushqtest.Post(t.Context(), h, "/rsc/push/acme", rsc.SignPush(body, "s"), body); got != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", got)
	}
}

// A widget page on another origin listed in FlowConfig.Domains can post:
// its CORS preflight is answered, and so is the post, with the headers
// that let the browser send the admin's cookies and read the answer. Any
// other origin, or a preflight asking for more than POST with
// Content-Type, gets no CORS headers.
func TestWidgetPostBackFromAListedOrigin(t *testing.T) {
	t.Parallel()
	w := newWidgetEnv(t)
	listed := w.ats.URL // FlowConfig.Domains in newEnv; the request's host is example.com
	preflight := func(origin, method, headers string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodOptions, "/rsc/widget", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", method)
		req.Header.Set("Access-Control-Request-Headers", headers)
		rec := httptest.NewRecorder()
		w.h.ServeHTTP(rec, req)
		return rec
	}
	type answer struct {
		Code                     int
		AllowOrigin, AllowCreds  string
		AllowMethods, AllowHeads string
	}
	got := func(rec *httptest.ResponseRecorder) answer {
		h := rec.Header()
		return answer{rec.Code, h.Get("Access-Control-Allow-Origin"), h.Get("Access-Control-Allow-Credentials"),
			h.Get("Access-Control-Allow-Methods"), h.Get("Access-Control-Allow-Headers")}
	}
	for name, tc := range map[string]struct {
		rec  *httptest.ResponseRecorder
		want answer
	}{
		"listed origin":        {preflight(listed, "POST", "content-type"), answer{204, listed, "true", "POST", "Content-Type"}},
		"foreign origin":       {preflight("https://evil.example", "POST", "content-type"), answer{Code: 405}},
		"another method":       {preflight(listed, "PUT", "content-type"), answer{Code: 405}},
		"another header asked": {preflight(listed, "POST", "content-type, x-custom"), answer{Code: 405}},
	} {
		if diff := cmp.Diff(tc.want, got(tc.rec)); diff != "" {
			t.Errorf("preflight, %s (-want +got):\n%s", name, diff)
		}
	}

	p := WidgetPayload{State: w.token(t, "s1"), Integrations: []WidgetIntegration{{IntegrationContext: w.cu.Organization}, {IntegrationContext: w.cu.Contracts[0]}}}
	req := httptest.NewRequest(http.MethodPost, "/rsc/widget", bytes.NewReader(mustJSON(t, p)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", listed)
	req.AddCookie(&http.Cookie{Name: "sid", Value: "s1"})
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	if diff := cmp.Diff(answer{Code: 200, AllowOrigin: listed, AllowCreds: "true"}, got(rec)); diff != "" {
		t.Errorf("post from the listed origin (-want +got):\n%s", diff)
	}
}

// A widget page rendered before the plug-in was switched off (consent
// withdrawn) posts back in vain: 409, nothing recorded, nothing asked of
// LinkedIn.
func TestWidgetPostBackWhilePluginOff(t *testing.T) {
	t.Parallel()
	w := newWidgetEnv(t)
	tok := w.token(t, "s1")
	w.advance(t, "acme", Input{ToggleOff: true, By: "admin"})
	before := len(w.fake.Requests())
	if got := w.post(t, tok, w.cu.Organization); got != http.StatusConflict {
		t.Errorf("post-back with the plug-in off: %d, want 409", got)
	}
	if got := w.organization(t); got != "" {
		t.Errorf("organization %q recorded", got)
	}
	if n := len(w.fake.Requests()) - before; n != 0 {
		t.Errorf("%d calls to LinkedIn", n)
	}
	_, err := w.flow.Advance(t.Context(), "acme", Input{Widget: &WidgetPayload{Integrations: []WidgetIntegration{{IntegrationContext: w.cu.Organization}}}})
	if !errors.Is(err, ErrNotConsented) {
		t.Errorf("Advance with widget input, the plug-in off: %v, want ErrNotConsented", err)
	}
}

// A widget page rendered before consent was withdrawn cannot post back
// once consent is given again: withdrawing consent ends what was begun
// under it, as it stops the sync. Giving consent again while it stands (a
// replayed input) leaves the admin's open widget alone.
func TestWidgetTokenDiesWithConsent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		withdraw []Input
		want     int
	}{
		{"plug-in switched off and on", []Input{{ToggleOff: true, By: "admin"}, {ToggleOn: true}}, http.StatusForbidden},
		{"warning declined, then plug-in on", []Input{{Consent: &ConsentAnswer{Accept: false, By: "admin"}}, {ToggleOn: true}}, http.StatusForbidden},
		{"consent given again while it stands", nil, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWidgetEnv(t)
			tok := w.token(t, "s1")
			for _, in := range append(tc.withdraw, Input{Consent: &ConsentAnswer{Accept: true, By: "admin"}}) {
				w.advance(t, "acme", in)
			}
			before := len(w.fake.Requests())
			if got := w.post(t, tok, w.cu.Organization); got != tc.want {
				t.Fatalf("post-back of the page rendered before: %d, want %d", got, tc.want)
			}
			if tc.want != http.StatusForbidden {
				return
			}
			if got := w.organization(t); got != "" {
				t.Errorf("organization %q recorded", got)
			}
			if n := len(w.fake.Requests()) - before; n != 0 {
				t.Errorf("%d calls to LinkedIn", n)
			}
			if got := w.post(t, w.token(t, "s1"), w.cu.Organization); got != http.StatusOK {
				t.Errorf("post-back of a page rendered after: %d, want 200", got)
			}
		})
	}
}
