package rsc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
)

// Plain http is refused for a base or token URL on a host that could be
// reached over a network: the client secret and tokens would travel in
// clear. Loopback hosts and the reserved test names (.test, .invalid,
// .localhost) stay allowed for tests and fakes.
func TestPlainHTTPOnlyForLoopback(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"https://api.linkedin.com", true},
		{"https://api.example.com:8443/base", true},
		{"http://127.0.0.1:8080", true},
		{"http://127.0.0.2", true},
		{"http://[::1]:9000", true},
		{"http://localhost:5000", true},
		{"http://api.localhost", true},
		{"http://rsc.test", true},
		{"http://rsctest.invalid", true},
		{"http://api.linkedin.com", false},
		{"http://10.0.0.5:8080", false},
		{"http://localhost.example.com", false},
		{"http://test", false},
		{"http://[::ffff:8.8.8.8]", false},
	} {
		t.Run(tc.url, func(t *testing.T) {
			for name, opt := range map[string]Option{"base": WithBaseURL(tc.url), "token": WithTokenURL(tc.url + "/oauth/v2/accessToken")} {
				_, err := NewClient(WithCredentials("id", "secret"), opt)
				if d := cmp.Diff(tc.ok, err == nil); d != "" {
					t.Errorf("%s URL accepted (-want +got):\n%s\nerr: %v", name, d, err)
				}
			}
		})
	}
}

// The token request never follows a redirect: a 307 to another host would
// re-send the form body, client secret included.
func TestTokenRequestNoRedirect(t *testing.T) {
	t.Parallel()
	var stolen atomic.Int32
	var body atomic.Value
	thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stolen.Add(1)
		r.ParseForm()
		body.Store(r.Form.Encode())
		reply(w, 200, `{"access_token":"stolen","expires_in":1800}`)
	}))
	defer thief.Close()
	h := setup(t, okBatch)
	h.onToken(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, thief.URL+"/oauth/v2/accessToken", http.StatusTemporaryRedirect)
	})
	err := upsertNote(t.Context(), h.client)
	var ae *AuthError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusTemporaryRedirect {
		t.Errorf("err = %v, want an AuthError with status 307", err)
	}
	if n := stolen.Load(); n != 0 {
		t.Errorf("the token request followed the redirect %d times; the other host got %v", n, body.Load())
	}
}

// ProvisionedApplication and Client never show a secret to slog (text or
// JSON handler, as a value or a pointer) or to encoding/json.
func TestSecretsNotInSlogOrJSON(t *testing.T) {
	t.Parallel()
	const secret = "child-secret-Zq9"
	app := ProvisionedApplication{Key: "urn:li:developerApplication:7", UniqueForeignID: "acme-1", ClientID: "cid7", ClientSecret: secret}
	c, err := NewClient(WithCredentials("cid", secret))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, handler := range []slog.Handler{slog.NewTextHandler(&out, nil), slog.NewJSONHandler(&out, nil)} {
		l := slog.New(handler)
		l.Info("provisioned", "app", app, "ptr", &app, "client", c)
	}
	js, err := json.Marshal(map[string]any{"app": app, "ptr": &app})
	if err != nil {
		t.Fatal(err)
	}
	out.Write(js)
	all := out.String()
	if strings.Contains(all, secret) {
		t.Errorf("secret leaked:\n%s", all)
	}
	for _, want := range []string{"cid7", "acme-1", redactedText} {
		if !strings.Contains(all, want) {
			t.Errorf("%q missing; the record should still say which application it is:\n%s", want, all)
		}
	}
	// Decoding LinkedIn's answer still yields the secret.
	var back ProvisionedApplication
	if err := json.Unmarshal([]byte(`{"clientId":"cid7","clientSecret":"`+secret+`"}`), &back); err != nil || back.ClientSecret != secret {
		t.Errorf("decoded %+v, %v", back.ClientID, err)
	}
}

// Each option that takes an interface or a pointer refuses nil, naming
// itself; an interface holding a nil pointer too, which would otherwise
// panic on the first call.
func TestNilOptionsNamed(t *testing.T) {
	t.Parallel()
	var typedNil *nilImpl
	for _, tc := range []struct {
		name string
		opt  Option
		want string
	}{
		{"nil token source", WithTokenSource(nil), "rsc: WithTokenSource: nil token source"},
		{"nil client", WithHTTPClient(nil), "rsc: WithHTTPClient: nil client"},
		{"nil transport", WithTransport(nil), "rsc: WithTransport: nil transport"},
		{"nil logger", WithLogger(nil), "rsc: WithLogger: nil logger"},
		{"nil clock", WithClock(nil), "rsc: WithClock: nil clock"},
		{"typed nil token source", WithTokenSource(typedNil), "rsc: WithTokenSource: nil token source"},
		{"typed nil transport", WithTransport(typedNil), "rsc: WithTransport: nil transport"},
		{"typed nil clock", WithClock(typedNil), "rsc: WithClock: nil clock"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewClient(WithCredentials("a", "b"), tc.opt)
			if err == nil || err.Error() != tc.want {
				t.Errorf("err = %v, want %s", err, tc.want)
			}
		})
	}
}

// nilImpl is a token source, round tripper and clock whose nil pointer
// panics when used, as a nil *rsctest.FakeClock does.
type nilImpl struct{ now time.Time }

func (n *nilImpl) Token() (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: n.now.String()}, nil
}
func (n *nilImpl) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New(n.now.String())
}
func (n *nilImpl) Now() time.Time                             { return n.now }
func (n *nilImpl) Sleep(context.Context, time.Duration) error { return errors.New(n.now.String()) }

// WithVersion takes a month or a month with LinkedIn's patch number, and
// sends it as LinkedIn-Version (docs/linkedin-api.md §11).
func TestWithVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		version string
		err     string
	}{
		{"202604", ""},
		{"202508.02", ""},
		{"202613", `rsc: WithVersion: "202613" is not YYYYMM or YYYYMM.NN`},
		{"202508.2", `rsc: WithVersion: "202508.2" is not YYYYMM or YYYYMM.NN`},
		{"2026-04", `rsc: WithVersion: "2026-04" is not YYYYMM or YYYYMM.NN`},
		{"", `rsc: WithVersion: "" is not YYYYMM or YYYYMM.NN`},
	} {
		t.Run(tc.version, func(t *testing.T) {
			t.Parallel()
			if tc.err != "" {
				if _, err := NewClient(WithCredentials("cid", "csecret"), WithVersion(tc.version)); err == nil || err.Error() != tc.err {
					t.Errorf("NewClient: %v, want %q", err, tc.err)
				}
				return
			}
			h := setup(t, func(w http.ResponseWriter, s seen) {
				fmt.Fprint(w, `{"elements":[],"paging":{"start":0,"count":100}}`)
			}, WithVersion(tc.version))
			if err := drain(h.client.Seats.List(t.Context(), []string{"urn:li:contract:1"})); err != nil {
				t.Fatal(err)
			}
			if got := h.only().Header.Get("LinkedIn-Version"); got != tc.version {
				t.Errorf("LinkedIn-Version %q, want %q", got, tc.version)
			}
		})
	}
}
