package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// get GETs path from srv as the demo's operator (with the token when
// token is true) and returns the status and body.
func get(t *testing.T, srv *httptest.Server, mon *Monitor, path string, token bool) (int, string) {
	t.Helper()
	req := authorized(t, srv.URL+path, mon)
	if !token {
		req.Header.Del("Authorization")
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	return resp.StatusCode, body.String()
}

// authorized is a GET of url as the monitor's operator.
func authorized(t *testing.T, url string, mon *Monitor) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+mon.Token())
	return req
}

// mustGet is get that fails the test unless the status is 200.
func mustGet(t *testing.T, srv *httptest.Server, mon *Monitor, path string, token bool) string {
	t.Helper()
	code, body := get(t, srv, mon, path, token)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", path, code, body)
	}
	return body
}

// sharedServer serves the shared run's Monitor over HTTP until the test
// ends.
func sharedServer(t *testing.T) (Config, *Result, *httptest.Server) {
	t.Helper()
	cfg, res, _ := sharedRun(t)
	srv := httptest.NewServer(cfg.Monitor.Handler())
	t.Cleanup(srv.Close)
	return cfg, res, srv
}

// On -http the demo serves the library's console, signed in through the
// login address, listing the demo's customer with its onboarding step,
// milestones and dead letters.
func TestConsoleListsTheCustomer(t *testing.T) {
	cfg, res, srv := sharedServer(t)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	c.Jar = jar
	resp, err := c.Get(srv.URL + "/login?token=" + cfg.Monitor.Token()) // follows the redirect to the console
	if err != nil {
		t.Fatal(err)
	}
	var body strings.Builder
	_, _ = io.Copy(&body, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" {
		t.Fatalf("login: %s at %s\n%s", resp.Status, resp.Request.URL, body.String())
	}
	page := body.String()
	row := regexp.MustCompile(`(?s)<tr class="customer" data-id="demo-customer">.*?</tr>`).FindString(page)
	for _, want := range []string{
		`<td class="step">enabled</td>`,
		`<td class="milestones">5 of 5</td>`,
		`<td class="dead">` + strconv.Itoa(len(res.DeadLetters)) + `<`,
		"Acme Recruiting",
	} {
		if !strings.Contains(row, want) {
			t.Errorf("the console's customer row lacks %q:\n%s", want, row)
		}
	}
	if !strings.Contains(page, `<span id="operator">demo-operator</span>`) {
		t.Errorf("the console does not name the operator:\n%s", page)
	}

}

// readAll GETs u with c and returns the body, failing the test unless the
// status is 200.
func readAll(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %v\n%s", u, resp.Status, err, b)
	}
	return string(b)
}

// /metrics serves the sync's telemetry in Prometheus's text format: the
// client's calls (rsc.api.*) and the records per phase and outcome
// (rscsync.records): every record sent was acknowledged or refused, and
// the refused ones are the dead letters.
func TestMetrics(t *testing.T) {
	cfg, res, srv := sharedServer(t)
	body := mustGet(t, srv, cfg.Monitor, "/metrics", false)
	if !regexp.MustCompile(`(?m)^rsc_api_calls_total\{http_request_method="PUT",http_response_status_code="200",[^}]*rsc_bucket="sync"\} [1-9]`).MatchString(body) {
		t.Errorf("/metrics has no sync calls (rsc.api.calls):\n%s", body)
	}
	records := map[[2]string]int64{}
	for _, m := range regexp.MustCompile(`(?m)^rscsync_records_total\{[^}]*rscsync_outcome="(\w+)",rscsync_phase="([^"]+)"\} (\d+)$`).FindAllStringSubmatch(body, -1) {
		n, _ := strconv.ParseInt(m[3], 10, 64)
		records[[2]string{m[2], m[1]}] = n
	}
	phases := map[string]string{"jobs": "Job Sync", "candidates": "Candidate Sync", "placements": "Application Sync", "activities": "Activity Sync"}
	got, want := map[string][3]int64{}, map[string][3]int64{}
	for _, r := range res.Reconciliation {
		p := phases[r.Entity]
		ack, refused := records[[2]string{p, "acknowledged"}], records[[2]string{p, "refused"}]
		got[p] = [3]int64{records[[2]string{p, "sent"}], refused, ack}
		want[p] = [3]int64{ack + refused, r.DeadLetters, max(ack, r.Acknowledged)}
	}
	if diff := cmp.Diff(want, got); diff != "" || len(got) != 4 {
		t.Errorf("rscsync_records_total (sent, refused, acknowledged) per phase (-want +got):\n%s", diff)
	}
}

// While a finished run is kept open (Config.AfterRun, as tracker-demo -http
// does), the console reconciles the content against the fake; and with a
// writer the telemetry writes the run's spans and metrics as JSON
// (tracker-demo -otel stdout): the run, its phases, the API calls.
func TestServedAfterTheRun(t *testing.T) {
	var buf bytes.Buffer
	tel, err := NewTelemetry(&buf)
	if err != nil {
		t.Fatal(err)
	}
	cfg, out := testConfig(t, t.TempDir(), 150)
	cfg.Telemetry = tel
	cfg.AfterRun = func(ctx context.Context, res *Result) { checkReconcile(t, cfg.Monitor, res) }
	if _, err := Run(t.Context(), cfg); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if err := tel.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	checkTelemetryJSON(t, &buf)
}

// signedIn serves mon over HTTP until the test ends and returns a client
// signed in to its console through the login address, and the server.
func signedIn(t *testing.T, mon *Monitor) (*http.Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(mon.Handler())
	t.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	c.Jar = jar
	readAll(t, c, srv.URL+"/login?token="+mon.Token())
	return c, srv
}

// csrfOf is the anti-CSRF token of a console page's forms.
func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no anti-CSRF token on the page:\n%s", page)
	}
	return m[1]
}

// checkReconcile signs in to the console and reconciles the customer's
// content: every candidate LinkedIn holds is equal to Tracker's.
func checkReconcile(t *testing.T, mon *Monitor, res *Result) {
	c, srv := signedIn(t, mon)
	page := readAll(t, c, srv.URL+"/customer?id=demo-customer")
	resp, err := c.PostForm(srv.URL+"/reconcile", url.Values{"csrf": {csrfOf(t, page)}, "customer": {"demo-customer"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body) // the customer's page, after the redirect
	resp.Body.Close()
	page = string(b)
	for _, want := range []string{`<p class="notice" id="notice">Content reconciliation done.</p>`,
		`<span class="ok">LinkedIn holds what the ATS holds</span>`,
		fmt.Sprintf(`<tr class="kind" data-kind="candidate"><td>candidate</td><td>%d</td><td>%[1]d</td><td class="missing">0</td>`, res.Reconciliation[1].LinkedIn)} {
		if !strings.Contains(page, want) {
			t.Errorf("after the reconciliation the page lacks %q:\n%s", want, page)
		}
	}
}

// checkTelemetryJSON checks the spans and metrics the telemetry wrote.
func checkTelemetryJSON(t *testing.T, buf *bytes.Buffer) {
	t.Helper()
	spans := map[string]int{}
	dec := json.NewDecoder(buf)
	for dec.More() {
		var doc struct {
			Name         string
			ScopeMetrics []struct{ Metrics []struct{ Name string } }
		}
		if err := dec.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		if doc.Name != "" {
			spans[strings.Fields(doc.Name)[0]]++
		}
		for _, sm := range doc.ScopeMetrics {
			for _, m := range sm.Metrics {
				spans["metric "+m.Name]++
			}
		}
	}
	for _, name := range []string{"rscsync.run", "rscsync.phase", "rscsync.batch", "rsc", "metric rsc.api.calls", "metric rscsync.records"} {
		if spans[name] == 0 {
			t.Errorf("no %q in the JSON written (%v)", name, spans)
		}
	}
}

// The operator token is the console's credential: the login address the
// run prints reaches the terminal, but the log that /status.json and /run
// serve shows it masked.
func TestServedLogMasksTheOperatorToken(t *testing.T) {
	cfg, _ := testConfig(t, t.TempDir(), 400)
	cfg.AdminURL = "http://127.0.0.1:8080/"
	if _, err := Run(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(cfg.Monitor.Handler())
	defer srv.Close()
	for _, path := range []string{"/status.json", "/run"} {
		_, body := get(t, srv, cfg.Monitor, path, true)
		if strings.Contains(body, cfg.Monitor.Token()) || !strings.Contains(body, "login?token=[operator token]") {
			t.Errorf("GET %s: want the login line with the token masked, got:\n%s", path, body)
		}
	}
}

// The demo runs without a monitor too (no -http, as README's first
// command): the printed lines go to the terminal only.
func TestRunWithoutMonitor(t *testing.T) {
	cfg, _ := testConfig(t, t.TempDir(), 400)
	cfg.Monitor = nil
	if _, err := Run(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
}
