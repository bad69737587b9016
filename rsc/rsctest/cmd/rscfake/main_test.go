package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc/rsctest"
)

// fake is a standalone fake started by run, as the rscfake command does.
type fake struct {
	t      *testing.T
	base   string
	banner string
	tokens map[string]string
	appKey string
}

// startFake runs the command's server on a loopback port until the test
// ends, with partner pid/psecret and customer cid/csecret (organization
// 1000, contract 5000), and the admin token adminToken ("" for none).
func startFake(t *testing.T, adminToken string) *fake {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, pw, l, "pid", "psecret", rsctest.CustomerSpec{ClientID: "cid", ClientSecret: "csecret",
			UniqueForeignID: "demo", Organization: "urn:li:organization:1000", Contracts: []string{"urn:li:contract:5000"}},
			1, 30*time.Minute, false, adminToken)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	var banner []string
	for lines.Scan() && !strings.Contains(lines.Text(), "admin:") {
		banner = append(banner, lines.Text())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return &fake{t: t, base: "http://" + l.Addr().String(), banner: strings.Join(banner, "\n"), tokens: map[string]string{}}
}

// token fetches an access token with a form body sent as contentType.
func (f *fake) token(id, secret, contentType string) string {
	f.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
	resp, err := http.Post(f.base+"/oauth/v2/accessToken", contentType, strings.NewReader(form.Encode()))
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" || tok.ExpiresIn != 1800 {
		f.t.Fatalf("token for %s: %v %+v (status %d)", id, err, tok, resp.StatusCode)
	}
	return tok.AccessToken
}

// admin POSTs a JSON body to /_rsctest/{path} and decodes the answer.
func (f *fake) admin(path, body string) map[string]any {
	f.t.Helper()
	resp, err := http.Post(f.base+"/_rsctest/"+path, "application/json", strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != 200 {
		f.t.Fatalf("admin %s: %d %v %v", path, resp.StatusCode, m, err)
	}
	return m
}

// The standalone fake starts, prints where it is and what to log in with,
// and answers plain net/http requests made with those credentials.
func TestStandalone(t *testing.T) {
	f := startFake(t, "")
	for _, want := range []string{"serving on " + f.base, "client_id=cid client_secret=csecret", "urn:li:contract:5000", f.base + "/oauth/v2/accessToken"} {
		if !strings.Contains(f.banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, f.banner)
		}
	}
	f.token("cid", "csecret", "application/x-www-form-urlencoded")
	resp, err := http.Get(f.base + "/_rsctest/state")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "urn:li:organization:1000") {
		t.Errorf("state: %d %s", resp.StatusCode, body)
	}
}

// With -admin-token the admin API wants the token; the API does not.
func TestStandaloneAdminToken(t *testing.T) {
	f := startFake(t, "tok")
	for auth, want := range map[string]int{"": 401, "Bearer nope": 401, "Bearer tok": 200} {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", f.base+"/_rsctest/state", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%q: status %d, want %d", auth, resp.StatusCode, want)
		}
	}
	f.token("cid", "csecret", "application/x-www-form-urlencoded")
}

// The flags' customer: -contracts is trimmed around each URN, and what the
// admin API refuses as a customer's spec the command refuses too.
func TestCustomerSpec(t *testing.T) {
	for _, tc := range []struct {
		name, org, contracts string
		want                 rsctest.CustomerSpec
		err                  string
	}{
		{name: "defaults", org: "urn:li:organization:1000", contracts: "urn:li:contract:5000",
			want: rsctest.CustomerSpec{Organization: "urn:li:organization:1000", Contracts: []string{"urn:li:contract:5000"}}},
		{name: "spaces after commas", org: "urn:li:organization:1000", contracts: " urn:li:contract:5000, urn:li:contract:5001 ",
			want: rsctest.CustomerSpec{Organization: "urn:li:organization:1000", Contracts: []string{"urn:li:contract:5000", "urn:li:contract:5001"}}},
		{name: "none: generated", want: rsctest.CustomerSpec{}},
		{name: "an organization not a URN", org: "organization:1000", contracts: "urn:li:contract:5000",
			err: `-org "organization:1000": Organization must be an organization URN (urn:li:organization:{id})`},
		{name: "an empty contract", org: "urn:li:organization:1000", contracts: "urn:li:contract:5000,,urn:li:contract:5001",
			err: `-contracts: "": Contracts must be contract URNs (urn:li:contract:{id})`},
		{name: "a contract not a URN", contracts: "urn:li:contract:x",
			err: `-contracts: "urn:li:contract:x": Contracts must be contract URNs (urn:li:contract:{id})`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := customerSpec("", "", "", tc.org, tc.contracts)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("spec (-want +got):\n%s", d)
			}
		})
	}
}

// A flag value the server refuses is a badFlagError naming the option and
// its rule, and the listener is closed; an empty -admin-token is no token,
// not an error.
func TestRunRefusesBadFlagValues(t *testing.T) {
	spec := rsctest.CustomerSpec{ClientID: "cid", ClientSecret: "csecret", Organization: "urn:li:organization:1000"}
	for _, tc := range []struct {
		name              string
		partnerID, secret string
		ttl               time.Duration
		want              string
	}{
		{"empty -partner-id", "", "psecret", time.Minute, "rsctest: WithPartner: client id and secret must not be empty"},
		{"empty -partner-secret", "pid", "", time.Minute, "rsctest: WithPartner: client id and secret must not be empty"},
		{"zero -token-ttl", "pid", "psecret", 0, "rsctest: WithTokenTTL: 0s: must be a positive whole number of seconds"},
		{"-token-ttl not whole seconds", "pid", "psecret", 1500 * time.Millisecond,
			"rsctest: WithTokenTTL: 1.5s: must be a positive whole number of seconds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			// An ended context: a run that took the values would serve and
			// return nil at once instead of hanging.
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			err = run(ctx, io.Discard, l, tc.partnerID, tc.secret, spec, 1, tc.ttl, false, "")
			if _, bad := errors.AsType[badFlagError](err); !bad {
				t.Errorf("error %v is not a badFlagError", err)
			}
			if d := cmp.Diff(tc.want, fmt.Sprint(err)); d != "" {
				t.Errorf("error (-want +got):\n%s", d)
			}
			if c, err := net.Dial("tcp", l.Addr().String()); err == nil {
				c.Close()
				t.Error("the listener is still open")
			}
		})
	}
}

// The command exits 2 on a flag value the server refuses, printing the
// error; it runs as a child process, since it calls os.Exit.
func TestMainExitsTwoOnBadFlagValue(t *testing.T) {
	if args := os.Getenv("RSCFAKE_TEST_ARGS"); args != "" {
		os.Args = append([]string{"rscfake"}, strings.Split(args, " ")...)
		main()
		return
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tc := range []struct {
		args   string
		code   int
		stderr string
	}{
		{"-addr 127.0.0.1:0 -token-ttl 0s", 2, "rscfake: rsctest: WithTokenTTL: 0s: must be a positive whole number of seconds\n"},
		{"-addr 127.0.0.1:0 -partner-id=", 2, "rscfake: rsctest: WithPartner: client id and secret must not be empty\n"},
		{"-addr 127.0.0.1:0 -org organization:1", 2, "rscfake: -org \"organization:1\": Organization must be an organization URN (urn:li:organization:{id})\n"},
		// Not a bad flag value: the address is taken.
		{"-addr " + busy.Addr().String(), 1, "rscfake: listen tcp " + busy.Addr().String() + ": bind: address already in use\n"},
	} {
		t.Run(tc.args, func(t *testing.T) {
			// A bound, not a wait: a command that took the value would
			// serve until killed.
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestMainExitsTwoOnBadFlagValue$")
			cmd.Env = append(os.Environ(), "RSCFAKE_TEST_ARGS="+tc.args)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := errors.AsType[*exec.ExitError](err); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.code, code); d != "" {
				t.Errorf("exit code (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.stderr, stderr.String()); d != "" {
				t.Errorf("stderr (-want +got):\n%s", d)
			}
		})
	}
}
