package rsctest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// Every option refuses a bad argument with an error naming the option and
// its rule, where it used to ignore or clamp it; New returns the error and
// NewServer panics with it.
func TestNewRefusesInvalidOptions(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, tc := range []struct {
		name string
		opt  rsctest.Option
		want string
	}{
		{"nil clock", rsctest.WithClock(nil), "rsctest: WithClock: nil clock"},
		{"typed nil clock", rsctest.WithClock((*rsctest.FakeClock)(nil)), "rsctest: WithClock: nil clock"},
		{"negative PushPayloadTTL", rsctest.WithLimits(rsctest.Limits{PushPayloadTTL: -time.Second}),
			"rsctest: WithLimits: PushPayloadTTL -1s: must not be negative (0 means 7 days)"},
		{"empty partner id", rsctest.WithPartner("", "secret"), "rsctest: WithPartner: client id and secret must not be empty"},
		{"empty partner secret", rsctest.WithPartner("id", ""), "rsctest: WithPartner: client id and secret must not be empty"},
		{"zero token TTL", rsctest.WithTokenTTL(0), "rsctest: WithTokenTTL: 0s: must be a positive whole number of seconds"},
		{"negative token TTL", rsctest.WithTokenTTL(-time.Minute), "rsctest: WithTokenTTL: -1m0s: must be a positive whole number of seconds"},
		{"token TTL not whole seconds", rsctest.WithTokenTTL(1500 * time.Millisecond), "rsctest: WithTokenTTL: 1.5s: must be a positive whole number of seconds"},
		{"negative job task latency", rsctest.WithJobTaskLatency(-1), "rsctest: WithJobTaskLatency: -1: must not be negative"},
		{"negative job task delay", rsctest.WithJobTaskDelay(-time.Second), "rsctest: WithJobTaskDelay: -1s: must not be negative"},
		{"error rate above 1", rsctest.WithFaults(rsctest.Fault{}, rsctest.Fault{ErrorRate: 1.5}),
			"rsctest: WithFaults: fault 1: ErrorRate 1.5: must be within 0..1"},
		{"negative reset rate", rsctest.WithFaults(rsctest.Fault{ResetRate: -0.1}), "rsctest: WithFaults: fault 0: ResetRate -0.1: must be within 0..1"},
		{"NaN latency rate", rsctest.WithFaults(rsctest.Fault{LatencyRate: math.NaN()}), "rsctest: WithFaults: fault 0: LatencyRate NaN: must be within 0..1"},
		{"lost response rate above 1", rsctest.WithFaults(rsctest.Fault{LostResponseRate: 2}),
			"rsctest: WithFaults: fault 0: LostResponseRate 2: must be within 0..1"},
		{"4xx error status", rsctest.WithFaults(rsctest.Fault{ErrorRate: 1, ErrorStatus: 404}),
			"rsctest: WithFaults: fault 0: ErrorStatus 404: must be 0 (500) or a 5xx status"},
		{"negative latency", rsctest.WithFaults(rsctest.Fault{Latency: -time.Second}), "rsctest: WithFaults: fault 0: Latency -1s: must not be negative"},
		{"negative 429 burst", rsctest.WithFaults(rsctest.Fault{Burst429: -1}), "rsctest: WithFaults: fault 0: Burst429 -1: must not be negative"},
		{"nil HTTP client", rsctest.WithHTTPClient(nil), "rsctest: WithHTTPClient: nil client"},
		{"nil push secret func", rsctest.WithPushSecretFunc(nil), "rsctest: WithPushSecretFunc: nil func"},
		{"unknown push mode", rsctest.WithPushMode(2), "rsctest: WithPushMode: unknown PushMode(2): want PushManual or PushBackground"},
		{"zero request log limit", rsctest.WithRequestLogLimit(0),
			"rsctest: WithRequestLogLimit: 0: need a positive cap, or a negative one to keep no log"},
		{"nil listener", rsctest.WithListener(nil), "rsctest: WithListener: nil listener"},
		{"typed nil listener", rsctest.WithListener((*net.TCPListener)(nil)), "rsctest: WithListener: nil listener"},
		{"empty admin token", rsctest.WithAdminToken(""),
			"rsctest: WithAdminToken: empty token (leave the option out for an admin API without one)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := rsctest.New(rsctest.WithoutListener(), tc.opt)
			if srv != nil {
				srv.Close()
				t.Fatal("New returned a server")
			}
			if d := cmp.Diff(tc.want, errString(err)); d != "" {
				t.Errorf("New error (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.want, panicString(func() { rsctest.NewServer(rsctest.WithoutListener(), tc.opt) })); d != "" {
				t.Errorf("NewServer panic (-want +got):\n%s", d)
			}
		})
	}
	for _, order := range [][]rsctest.Option{
		{rsctest.WithListener(l), rsctest.WithoutListener()},
		{rsctest.WithoutListener(), rsctest.WithListener(l)},
	} {
		_, err := rsctest.New(order...)
		if d := cmp.Diff("rsctest: WithListener and WithoutListener: give one or the other", errString(err)); d != "" {
			t.Errorf("both listener options (-want +got):\n%s", d)
		}
	}
	// The failed New left l open, the caller's: it still accepts.
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatalf("listener closed by a failed New: %v", err)
	}
	c.Close()
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// panicString runs f and returns what it panicked with, as a string.
func panicString(f func()) (s string) {
	defer func() {
		switch v := recover().(type) {
		case nil:
			s = "no panic"
		case error:
			s = v.Error()
		default:
			s = "panic with a non-error"
		}
	}()
	f()
	return ""
}

// A good set of every option, nil options skipped, builds a server that
// does what they say.
func TestNewGoodOptions(t *testing.T) {
	t.Parallel()
	clock := rsctest.NewFakeClock(t0)
	var pushMu sync.Mutex
	var pushSigs []string
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		pushMu.Lock()
		pushSigs = append(pushSigs, r.Header.Get("X-LI-Signature"))
		pushMu.Unlock()
		return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
	})}
	srv, err := rsctest.New(nil,
		rsctest.WithClock(clock),
		rsctest.WithLimits(rsctest.Limits{SyncRequestsPerDay: 2, PushPayloadTTL: time.Hour}),
		rsctest.WithPartner("pid", "psecret"),
		rsctest.WithTokenTTL(time.Minute),
		rsctest.WithJobTaskLatency(2),
		rsctest.WithJobTaskDelay(time.Second),
		rsctest.WithFaults(rsctest.Fault{Route: "/v2/atsApplications", ErrorRate: 1, ErrorStatus: 503, Latency: 0}),
		rsctest.WithSeed(9),
		rsctest.WithHTTPClient(hc),
		rsctest.WithPushSecretFunc(func(*rsctest.Customer) []byte { return []byte("k") }),
		rsctest.WithPushMode(rsctest.PushManual),
		rsctest.WithRequestLogLimit(10),
		rsctest.WithoutListener(),
		rsctest.WithAdminToken("admin"),
		rsctest.WithLenientFields(),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if id, secret := srv.PartnerCredentials(); id != "pid" || secret != "psecret" {
		t.Errorf("partner credentials %q %q", id, secret)
	}
	if got := srv.Limits(); got.SyncRequestsPerDay != 2 || got.PushPayloadTTL != time.Hour {
		t.Errorf("limits %+v", got)
	}
	if srv.URL() != "http://rsctest.invalid" {
		t.Errorf("URL %q", srv.URL())
	}
	e := &env{t: t, srv: srv, clock: clock, hc: srv.Client()}
	e.cust = srv.AddCustomer(rsctest.CustomerSpec{ClientID: "cid", ClientSecret: "csecret", Organization: org, Contracts: []string{contract}})
	e.tok = e.token("cid", "csecret")
	tr, err := e.hc.PostForm(srv.TokenURL(), url.Values{"grant_type": {"client_credentials"}, "client_id": {"pid"}, "client_secret": {"psecret"}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		ExpiresIn int `json:"expires_in"`
	}
	_ = json.NewDecoder(tr.Body).Decode(&tok)
	tr.Body.Close()
	if tr.StatusCode != 200 || tok.ExpiresIn != 60 {
		t.Errorf("partner token: status %d, expires_in %d, want 200 and 60 (WithTokenTTL)", tr.StatusCode, tok.ExpiresIn)
	}
	q := "/v2/atsCandidates?" + candIDsN([]string{"A"})
	e.req("GET", q, nil).want(t, 200)
	e.req("GET", q, nil).want(t, 200)
	e.req("GET", q, nil).want(t, 429)
	e.req("GET", "/v2/atsApplications?"+appIDs("A"), nil).want(t, 503)
	clock.Advance(time.Minute) // WithTokenTTL: the token has expired
	e.req("GET", q, nil).want(t, 401)
	e.cust.RequestIntegrations()
	if p := srv.Pushes(); len(p) != 1 || p[0].ExpiresAt != clock.Now().Add(time.Hour) || p[0].Delivered {
		t.Errorf("pushes %+v", p)
	}
	e.tok = e.token("cid", "csecret")
	e.req("PUT", "/v2/atsIntegrations/integrationContext="+org+"&integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER&dataProvider=ATS/configurations?ids=CALLBACK_URL",
		`{"entities":{"CALLBACK_URL":{"configurationValue":{"string":"https://ats.example.com/cb"}}}}`).want(t, 200)
	if n, err := srv.DeliverPushes(t.Context()); n != 1 || err != nil {
		t.Fatal(n, err)
	}
	if d := cmp.Diff([]string{rsctest.Sign([]byte("k"), srv.Pushes()[0].Body)}, pushSigs); d != "" {
		t.Errorf("push signatures (-want +got):\n%s", d)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// WithListener serves on the listener given, and Close closes it.
func TestWithListener(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := rsctest.New(rsctest.WithListener(l))
	if err != nil {
		l.Close()
		t.Fatal(err)
	}
	if d := cmp.Diff("http://"+l.Addr().String(), srv.URL()); d != "" {
		t.Errorf("URL (-want +got):\n%s", d)
	}
	resp, err := http.Post(srv.TokenURL(), "application/x-www-form-urlencoded",
		bytes.NewReader([]byte("grant_type=client_credentials&client_id=partner-client-id&client_secret=partner-client-secret")))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("token over the listener: status %d", resp.StatusCode)
	}
	srv.Close()
	if c, err := net.Dial("tcp", l.Addr().String()); err == nil {
		c.Close()
		t.Error("the listener still accepts after Close")
	}
}

// WithPushMode(PushBackground) POSTs a push as soon as it is queued,
// without DeliverPushes.
func TestWithPushModeBackground(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var got []string
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			got = append(got, r.URL.String()+" "+string(b))
			mu.Unlock()
			return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
		})}
		e := newEnv(t, rsctest.WithPushMode(rsctest.PushBackground), rsctest.WithHTTPClient(hc))
		e.req("PUT", "/v2/atsIntegrations/integrationContext="+org+"&integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER&dataProvider=ATS/configurations?ids=CALLBACK_URL",
			`{"entities":{"CALLBACK_URL":{"configurationValue":{"string":"https://ats.example.com/cb"}}}}`).want(t, 200)
		e.cust.RequestIntegrations()
		synctest.Wait()
		p := e.srv.Pushes()
		if len(p) != 1 || !p[0].Delivered {
			t.Fatalf("pushes %+v", p)
		}
		mu.Lock()
		defer mu.Unlock()
		if d := cmp.Diff([]string{"https://ats.example.com/cb " + string(p[0].Body)}, got); d != "" {
			t.Errorf("POSTs (-want +got):\n%s", d)
		}
	})
}

// A zero Limits means LinkedIn's defaults, a negative field no limit
// (reported as -1), Disabled every throttle off; Server.Limits reports the
// limits in force in the same terms.
func TestLimitsZeroAndNegative(t *testing.T) {
	t.Parallel()
	def := rsctest.Limits{
		SyncRequestsPerDay: 100_000, SyncRecordsPerMinute: 10_000, IntegrationRequestsPerDay: 5_000,
		ProspectRequestsPerDay: 100_000, JobTaskRequestsPerDay: 300_000, JobPostingRequestsPerDay: 100_000,
		ExportsPerSeatPerMonth: 300, MaxBatch: 100, MaxURL: 8192, MaxQuery: 4096, MaxPathSegment: 4096, MailStubsWindow: 20_000,
		MaxACLsPerUser: 10, PushPayloadTTL: 7 * 24 * time.Hour,
	}
	unlimited := rsctest.Limits{
		SyncRequestsPerDay: -1, SyncRecordsPerMinute: -1, IntegrationRequestsPerDay: -1, ProspectRequestsPerDay: -1,
		JobTaskRequestsPerDay: -1, JobPostingRequestsPerDay: -1, ExportsPerSeatPerMonth: -1, MaxBatch: -1,
		MaxURL: -1, MaxQuery: -1, MaxPathSegment: -1, MailStubsWindow: -1, MaxACLsPerUser: -1,
	}
	disabled := def
	disabled.Disabled = true
	disabled.SyncRequestsPerDay, disabled.SyncRecordsPerMinute, disabled.IntegrationRequestsPerDay = -1, -1, -1
	disabled.ProspectRequestsPerDay, disabled.JobTaskRequestsPerDay, disabled.JobPostingRequestsPerDay = -1, -1, -1
	disabled.ExportsPerSeatPerMonth = -1
	allNegative := unlimited
	allNegative.SyncRequestsPerDay, allNegative.MaxBatch = -7, -100
	for _, tc := range []struct {
		name string
		in   rsctest.Limits
		want rsctest.Limits
	}{
		{"zero: LinkedIn's defaults", rsctest.Limits{}, def},
		{"negative: no limit", allNegative, func() rsctest.Limits { u := unlimited; u.PushPayloadTTL = def.PushPayloadTTL; return u }()},
		{"disabled: throttles off, sizes kept", rsctest.Limits{Disabled: true}, disabled},
		{"positive: kept", rsctest.Limits{JobPostingRequestsPerDay: 3, MaxBatch: 5, PushPayloadTTL: time.Minute},
			func() rsctest.Limits {
				l := def
				l.JobPostingRequestsPerDay, l.MaxBatch, l.PushPayloadTTL = 3, 5, time.Minute
				return l
			}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithLimits(tc.in))
			defer srv.Close()
			if d := cmp.Diff(tc.want, srv.Limits()); d != "" {
				t.Errorf("Limits() (-want +got):\n%s", d)
			}
		})
	}
}

// The fields rsc.Limits and rsctest.Limits share mean the same at zero:
// LinkedIn's default, or for JobPostingRequestsPerDay, where LinkedIn
// publishes none, the same chosen figure.
func TestLimitsDefaultsMatchClient(t *testing.T) {
	t.Parallel()
	srv := rsctest.NewServer(rsctest.WithoutListener())
	defer srv.Close()
	client, fake := reflect.ValueOf(rsc.DefaultLimits()), reflect.ValueOf(srv.Limits())
	for i := range client.NumField() {
		f := client.Type().Field(i)
		if f.Type.Kind() != reflect.Int {
			continue
		}
		got := fake.FieldByName(f.Name)
		if !got.IsValid() {
			t.Errorf("rsctest.Limits has no %s", f.Name)
			continue
		}
		if d := cmp.Diff(client.Field(i).Int(), got.Int()); d != "" {
			t.Errorf("%s at zero (-rsc +rsctest):\n%s", f.Name, d)
		}
	}
}

// simpleJobPostings calls are counted against JobPostingRequestsPerDay; a
// negative value is no limit.
func TestJobPostingRequestsPerDay(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		limit int
		want  []int
	}{
		{1, []int{200, 429}},
		{-1, []int{200, 200}},
	} {
		e := newEnv(t, rsctest.WithLimits(rsctest.Limits{JobPostingRequestsPerDay: tc.limit}))
		var got []int
		for range 2 {
			got = append(got, e.postJobs(jobElem("J1", "CREATE")).status)
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("limit %d: statuses (-want +got):\n%s", tc.limit, d)
		}
	}
}

// WithRequestLogLimit(n) keeps at most n entries, dropping the oldest half
// when full; a negative n keeps none.
func TestWithRequestLogLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		limit int
		want  []string
	}{
		{4, []string{"C2", "C3", "C4"}}, // full at 4: C0 and C1 dropped before C4
		{-1, nil},
	} {
		e := newEnv(t, rsctest.WithRequestLogLimit(tc.limit))
		e.srv.ResetRequests()
		for i := range 5 {
			e.req("GET", "/v2/atsCandidates?"+candIDsN([]string{fmt.Sprint("C", i)}), nil).want(t, 200)
		}
		var got []string
		for _, r := range e.srv.Requests() {
			q, _ := url.ParseQuery(r.RawQuery)
			got = append(got, q.Get("ids[0].atsCandidateId"))
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("limit %d: logged candidates (-want +got):\n%s", tc.limit, d)
		}
	}
}
