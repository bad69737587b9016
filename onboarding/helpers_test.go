package onboarding

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

type env struct {
	fake    *rsctest.Server
	ats     *httptest.Server
	mux     *http.ServeMux
	partner *rsc.Client
	flow    *Flow
	push    *PushHandler
	synced  []string
	cfg     FlowConfig
	opts    []Option
}

// newEnv starts a fake LinkedIn, an ATS server and a Flow with flowOpts
// (and a WithStartSync recording started syncs).
func newEnv(t *testing.T, flowOpts []Option, opts ...rsctest.Option) *env {
	t.Helper()
	e := &env{fake: rsctest.NewServer(opts...), mux: http.NewServeMux()}
	t.Cleanup(e.fake.Close)
	e.ats = httptest.NewServer(e.mux)
	t.Cleanup(e.ats.Close)
	id, secret := e.fake.PartnerCredentials()
	var err error
	e.partner, err = rsc.NewClient(rsc.WithBaseURL(e.fake.URL()), rsc.WithTokenURL(e.fake.TokenURL()), rsc.WithCredentials(id, secret))
	if err != nil {
		t.Fatal(err)
	}
	e.cfg = FlowConfig{Partner: e.partner, ATSName: "Tracker", Domains: []string{e.ats.URL}, PushBase: e.ats.URL + "/rsc/push"}
	e.opts = append([]Option{WithStartSync(func(_ context.Context, customerID string, c Contract) error {
		e.synced = append(e.synced, c.ForeignID(customerID))
		return nil
	})}, flowOpts...)
	e.flow, err = NewFlow(e.cfg, e.opts...)
	if err != nil {
		t.Fatal(err)
	}
	if e.push, err = e.flow.PushHandler("/rsc/push"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.push.Close)
	e.mux.Handle("/rsc/push/", e.push)
	return e
}

func (e *env) advance(t *testing.T, customerID string, in Input) Progress {
	t.Helper()
	p, err := e.flow.Advance(t.Context(), customerID, in)
	if err != nil {
		t.Fatalf("Advance(%s, %+v): %v", customerID, in, err)
	}
	return p
}

func (e *env) deliver(t *testing.T) {
	t.Helper()
	if _, err := e.fake.DeliverPushes(t.Context()); err != nil {
		t.Fatalf("DeliverPushes: %v", err)
	}
	if err := e.push.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// toWidget walks a customer through the ATS-side steps up to the widget
// and returns the fake's customer.
func (e *env) toWidget(t *testing.T, customerID string) *rsctest.Customer {
	t.Helper()
	e.advance(t, customerID, Input{ToggleOn: true})
	e.advance(t, customerID, Input{Consent: &ConsentAnswer{Accept: true, By: "admin"}})
	p := e.advance(t, customerID, Input{SignedIn: true})
	if p.Step != StepWidget {
		t.Fatalf("step = %s, want widget (%+v)", p.Step, p)
	}
	return e.fake.CustomerByForeignID(customerID)
}

// toSaved walks a customer through the widget (the admin requests RSC)
// and the save, and returns the fake's customer.
func (e *env) toSaved(t *testing.T, customerID string) *rsctest.Customer {
	t.Helper()
	cu := e.toWidget(t, customerID)
	cu.RequestIntegrations()
	e.advance(t, customerID, Input{Widget: widgetFor(cu, cu.Contracts[0])})
	return cu
}

func widgetFor(cu *rsctest.Customer, contract string) *WidgetPayload {
	return &WidgetPayload{Integrations: []WidgetIntegration{
		{IntegrationType: "RECRUITER_SYSTEM_CONNECT_COMPANY", IntegrationContext: cu.Organization},
		{IntegrationType: "RECRUITER_SYSTEM_CONNECT_CONTRACT", IntegrationContext: contract},
	}}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type contextCtx = context.Context

func slices_Equal(a, b []string) bool { return slices.Equal(a, b) }

// testPushHandler returns a push handler closed at the end of the test.
func testPushHandler(t *testing.T, pc pushConfig, opts ...Option) *PushHandler {
	t.Helper()
	c, err := newConfig(forPush, opts)
	if err != nil {
		t.Fatal(err)
	}
	if pc.onStatus == nil {
		pc.onStatus = func(contextCtx, Instance, []rsc.Integration) error { return nil }
	}
	h := newPushHandler(pc, c)
	t.Cleanup(h.Close)
	return h
}

func mustSigner(t *testing.T, key string, opts ...Option) *StateSigner {
	t.Helper()
	s, err := NewStateSigner([]byte(key), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// postPush posts body to url with the signature (none if sig is empty)
// and returns the response status.
func postPush(t *testing.T, url, sig string, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if sig != "" {
		req.Header.Set(rsc.SignatureHeader, sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
