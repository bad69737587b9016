package console_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/console"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// tenant is what the shared stores hold of one customer, every piece of it
// distinct, so that a page showing any of it is caught.
type tenant struct {
	id, operator, token  string
	name, reason, holder string
	deadID               string
}

// secrets are the strings of t that no other operator's console may show.
func (t tenant) secrets() []string {
	return []string{t.name, t.reason, t.holder, t.deadID, `data-id="` + t.id + `"`, `customer?id=` + t.id + `"`}
}

// Two consoles over the same stores, each scoped (WithCustomers) to the
// customers of its operator: each lists and shows only its own, answers
// 404 with nothing of the other's for the other's page, and refuses every
// action naming the other customer, however the POST names it, without
// calling anything. Each operator is refused by the other's console.
func TestCustomersPerOperator(t *testing.T) {
	ctx := t.Context()
	acme := tenant{id: "acme", operator: "alice", token: "alice-token", name: "Acme Staffing", reason: "acme-only reason",
		holder: "worker-acme:1", deadID: "C-acme-7"}
	beta := tenant{id: "beta", operator: "bob", token: "bob-token", name: "Beta Hiring", reason: "beta-only reason",
		holder: "worker-beta:2", deadID: "C-beta-9"}
	flows, dead, events := onboarding.NewMemoryStore(), rscsync.NewMemoryDeadLetters(), milestones.NewMemoryStore()
	var fleet fleetState
	for _, tn := range []tenant{acme, beta} {
		if err := flows.SaveState(ctx, &onboarding.FlowState{CustomerID: tn.id, CustomerName: tn.name, Step: onboarding.StepWidget}); err != nil {
			t.Fatal(err)
		}
		d := rscsync.DeadLetter{Kind: rscsync.KindCandidate, ID: tn.deadID, Reason: tn.reason, Attempts: 1}
		if err := dead.Put(ctx, tn.id, d); err != nil {
			t.Fatal(err)
		}
		if err := events.Append(ctx, tn.id, milestones.Event{Milestone: milestones.IntegrationEnabled, At: t0}); err != nil {
			t.Fatal(err)
		}
		fleet.fcs = append(fleet.fcs, console.FleetCustomer{CustomerID: tn.id, Holder: tn.holder, Until: t0.Add(time.Minute), Token: 1, Waiting: 3})
	}
	var rec recorder
	consoles := map[string]*console.Handler{}
	for _, tn := range []tenant{acme, beta} {
		h, err := console.New(append(rec.options(tn.operator),
			console.WithCustomers(func(context.Context) ([]string, error) { return []string{tn.id}, nil }),
			console.WithAuthorizer(func(r *http.Request) (string, bool) {
				return tn.operator, r.Header.Get("Authorization") == "Bearer "+tn.token
			}),
			console.WithAllowedHosts("ops.example.com"), console.WithClock(rsctest.NewFakeClock(t0)),
			console.WithOnboarding(flows), console.WithDeadLetters(dead), console.WithMilestones(events),
			console.WithCheckpoints(rscsync.NewMemoryStore()), console.WithFleet(fleet))...)
		if err != nil {
			t.Fatal(err)
		}
		consoles[tn.operator] = h
	}
	for _, pair := range [][2]tenant{{acme, beta}, {beta, acme}} {
		own, other := pair[0], pair[1]
		t.Run(own.operator, func(t *testing.T) {
			checkPages(t, consoles[own.operator], own, other)
			checkActions(t, consoles[own.operator], &rec, own, other)
		})
	}
}

// serveAs serves req to h with the operator token auth.
func serveAs(h http.Handler, req *http.Request, auth string) *httptest.ResponseRecorder {
	req.Header.Set("Authorization", "Bearer "+auth)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// shows returns the secrets of tn that page shows.
func shows(page string, tn tenant) []string {
	var got []string
	for _, s := range tn.secrets() {
		if strings.Contains(page, s) {
			got = append(got, s)
		}
	}
	return got
}

// checkPages checks that h, own's operator's console, shows own and
// nothing of other.
func checkPages(t *testing.T, h *console.Handler, own, other tenant) {
	type page struct {
		Status      int
		Own, Others []string // what the page shows of own, of other
	}
	for _, tc := range []struct {
		target string
		want   page
	}{
		// The overview lists no dead letter, the customer's page no link to
		// itself.
		{"/", page{http.StatusOK, []string{own.name, own.holder, `data-id="` + own.id + `"`, `customer?id=` + own.id + `"`}, nil}},
		{"/customer?id=" + own.id, page{http.StatusOK, []string{own.name, own.reason, own.holder, own.deadID}, nil}},
		{"/customer?id=" + other.id, page{Status: http.StatusNotFound}},
		{"/customer?id=" + other.id + "&done=retried", page{Status: http.StatusNotFound}},
		{"/customer?id=" + other.id + "&id=" + own.id, page{Status: http.StatusNotFound}},
	} {
		w := serveAs(h, httptest.NewRequest(http.MethodGet, "http://ops.example.com"+tc.target, nil), own.token)
		got := page{w.Code, shows(w.Body.String(), own), shows(w.Body.String(), other)}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("GET %s (-want +got):\n%s", tc.target, diff)
		}
	}
}

// checkActions checks that h, own's operator's console, refuses every
// action naming other, calling nothing and showing nothing of other.
func checkActions(t *testing.T, h *console.Handler, rec *recorder, own, other tenant) {
	// A session and token on the console, from the operator's own page.
	res := serveAs(h, httptest.NewRequest(http.MethodGet, "http://ops.example.com/customer?id="+url.QueryEscape(own.id), nil), own.token).Result()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(body(t, res))
	if m == nil || len(res.Cookies()) != 1 {
		t.Fatalf("no session on %s's page", own.id)
	}
	type action struct {
		Status int
		Calls  []string
		Others []string
	}
	key := rscsync.DeadLetter{Kind: rscsync.KindCandidate, ID: other.deadID}.Key()
	for _, tc := range []struct {
		name, target string
		form         url.Values
		auth         string
		want         action
	}{
		{"retry, customer in the form", "/retry", url.Values{"customer": {other.id}}, own.token, action{Status: 404}},
		{"retry, customer in the URL", "/retry?customer=" + other.id, url.Values{}, own.token, action{Status: 404}},
		{"retry of a key, customer in the URL", "/retry?customer=" + other.id + "&key=" + url.QueryEscape(key), url.Values{}, own.token, action{Status: 404}},
		{"retry of a key, customer in the form", "/retry", url.Values{"customer": {other.id}, "key": {key}}, own.token, action{Status: 404}},
		{"retry, the other first in the URL", "/retry?customer=" + other.id + "&customer=" + own.id, url.Values{}, own.token, action{Status: 404}},
		{"retry, the other first in the form", "/retry", url.Values{"customer": {other.id, own.id}}, own.token, action{Status: 404}},
		{"retry, own in the URL, the other in the form", "/retry?customer=" + own.id, url.Values{"customer": {other.id}}, own.token, action{Status: 400}},
		{"retry, without a customer", "/retry", url.Values{}, own.token, action{Status: 404}},
		{"reconcile, customer in the form", "/reconcile", url.Values{"customer": {other.id}}, own.token, action{Status: 404}},
		{"reconcile, customer in the URL", "/reconcile?customer=" + other.id, url.Values{}, own.token, action{Status: 404}},
		{"retry as the other's operator", "/retry?customer=" + other.id, url.Values{}, other.token, action{Status: 401}},
		{"own retry, for comparison", "/retry?customer=" + own.id, url.Values{}, own.token,
			action{Status: 303, Calls: []string{own.operator + ": retry " + own.id + ` ["candidate//` + own.deadID + `"]`}}},
	} {
		tc.form.Set("csrf", m[1])
		req := httptest.NewRequest(http.MethodPost, "http://ops.example.com"+tc.target, strings.NewReader(tc.form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "http://ops.example.com")
		req.AddCookie(res.Cookies()[0])
		w := serveAs(h, req, tc.auth)
		got := action{w.Code, rec.take(), shows(w.Body.String(), other)}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: POST %s %v (-want +got):\n%s", tc.name, tc.target, tc.form, diff)
		}
	}
}
