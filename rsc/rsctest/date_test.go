package rsctest_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// TestDateFromServerClock: every answer, over a socket or in-process,
// successful or not, carries a Date header read from the server's clock
// when the header is written (after an injected latency), not the real
// time net/http would stamp.
func TestDateFromServerClock(t *testing.T) {
	start := t0.Add(700 * time.Millisecond) // a Date has whole seconds: 12:00:00
	for _, listener := range []bool{false, true} {
		t.Run(map[bool]string{false: "in-process", true: "listener"}[listener], func(t *testing.T) {
			clock := rsctest.NewFakeClock(start)
			opts := []rsctest.Option{rsctest.WithClock(clock)}
			if !listener {
				opts = append(opts, rsctest.WithoutListener())
			}
			srv := rsctest.NewServer(opts...)
			t.Cleanup(srv.Close)
			srv.AddCustomer(rsctest.CustomerSpec{ClientID: "cid", ClientSecret: "csecret", Organization: org, Contracts: []string{contract}, UniqueForeignID: "acme"})
			hc := srv.Client()
			if listener {
				hc = http.DefaultClient
			}
			get := func(path string) string {
				resp, err := hc.Get(srv.URL() + path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.Header.Get("Date")
			}
			token := func() string {
				resp, err := hc.PostForm(srv.TokenURL(), url.Values{"grant_type": {"client_credentials"}, "client_id": {"cid"}, "client_secret": {"csecret"}})
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.Header.Get("Date")
			}
			type dated struct{ Call, Date string }
			var got []dated
			got = append(got, dated{"token", token()})
			got = append(got, dated{"401", get("/v2/atsCandidates?q=x")})
			clock.Advance(time.Hour)
			got = append(got, dated{"404", get("/nowhere")})
			got = append(got, dated{"admin", get("/_rsctest/state")})
			srv.SetFaults(rsctest.Fault{Route: "accessToken", Latency: 90 * time.Second})
			got = append(got, dated{"after latency", token()})
			want := []dated{
				{"token", "Mon, 10 Mar 2025 12:00:00 GMT"},
				{"401", "Mon, 10 Mar 2025 12:00:00 GMT"},
				{"404", "Mon, 10 Mar 2025 13:00:00 GMT"},
				{"admin", "Mon, 10 Mar 2025 13:00:00 GMT"},
				{"after latency", "Mon, 10 Mar 2025 13:01:30 GMT"},
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("Date headers (-want +got):\n%s", d)
			}
		})
	}
}

// TestClientLearnsServerClock: a client whose clock runs three hours
// ahead of the fake's learns the fake's time from its first answer.
func TestClientLearnsServerClock(t *testing.T) {
	e := newEnv(t)
	c, err := e.srv.CustomerClient(e.cust, rsc.WithClock(rsctest.NewFakeClock(t0.Add(3*time.Hour))))
	if err != nil {
		t.Fatal(err)
	}
	if at, ok := c.LinkedInNow(); ok {
		t.Fatalf("LinkedInNow before any call = %v, true", at)
	}
	for _, err := range c.ClosedProfiles.List(t.Context(), rsc.Millis(t0.Add(-time.Hour))) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if at, ok := c.LinkedInNow(); !ok || !at.Equal(t0) {
		t.Errorf("LinkedInNow = %v, %v; want %v, true", at, ok, t0)
	}
}
