package rsc

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/oauth2"

	"github.com/rscgo/rscgo/internal/option"
)

// DefaultBaseURL is LinkedIn's API host.
const DefaultBaseURL = "https://api.linkedin.com"

// DefaultTokenURL is LinkedIn's 2-legged OAuth token endpoint.
const DefaultTokenURL = "https://www.linkedin.com/oauth/v2/accessToken"

// Option configures a Client. Options validate their input: NewClient
// returns the first error. WithTokenSource, WithHTTPClient, WithTransport,
// WithLogger and WithClock refuse nil, and an interface holding a nil
// pointer too (a nil *rsctest.FakeClock given as a Clock).
type Option func(*config) error

type config struct {
	baseURL      *url.URL
	tokenURL     string
	clientID     string
	clientSecret string
	tokenSource  oauth2.TokenSource
	httpClient   *http.Client
	transport    http.RoundTripper
	userAgent    string
	logger       *slog.Logger
	hooks        Hooks
	version      string // "" = legacy /v2, else LinkedIn-Version YYYYMM on /rest
	retry        RetryPolicy
	limits       Limits
	clock        Clock
}

func defaultConfig() *config {
	u, _ := url.Parse(DefaultBaseURL)
	return &config{
		baseURL:   u,
		tokenURL:  DefaultTokenURL,
		userAgent: "rscgo/" + Version,
		logger:    slog.New(slog.DiscardHandler),
		retry:     DefaultRetryPolicy(),
		clock:     realClock{},
	}
}

// WithBaseURL sets the API host, e.g. an rsctest server's URL. The /v2 or
// /rest prefix is added by the client. It must be an https URL, or plain
// http on a loopback host (127.0.0.0/8, ::1, localhost) or a name reserved
// for tests (.test, .invalid, .localhost), so that tokens never travel in
// clear over a network. It has no query, fragment or user info: the client
// builds each request's query, and credentials go in WithCredentials.
func WithBaseURL(raw string) Option {
	return func(c *config) error {
		u, err := endpointURL("WithBaseURL", raw)
		if err != nil {
			return err
		}
		if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.User != nil {
			return fmt.Errorf("rsc: WithBaseURL: %q: must have no query, fragment or user info", u.Redacted())
		}
		u.Path = strings.TrimRight(u.Path, "/")
		c.baseURL = u
		return nil
	}
}

// WithTokenURL sets the OAuth token endpoint, under the same rule as
// WithBaseURL: https, or plain http only on a loopback or test host, since
// the token request carries the client secret. The token request never
// follows a redirect.
func WithTokenURL(raw string) Option {
	return func(c *config) error {
		if _, err := endpointURL("WithTokenURL", raw); err != nil {
			return err
		}
		c.tokenURL = raw
		return nil
	}
}

// endpointURL parses raw, an absolute https URL or a plain http one on a
// host allowed by plainHTTPAllowed.
func endpointURL(option, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("rsc: %s: %q is not an absolute http(s) URL", option, raw)
	}
	if u.Scheme == "http" && !plainHTTPAllowed(u.Hostname()) {
		return nil, fmt.Errorf("rsc: %s: %q: plain http is allowed only on a loopback or test host; use https", option, raw)
	}
	return u, nil
}

// plainHTTPAllowed reports whether host may be reached over plain http: a
// loopback host, or a name RFC 6761 reserves so that it never resolves on
// the internet (.test, .invalid).
func plainHTTPAllowed(host string) bool {
	host = strings.ToLower(host)
	return isLoopbackHost(host) || strings.HasSuffix(host, ".test") || strings.HasSuffix(host, ".invalid")
}

// isLoopbackHost reports whether host is a loopback IP address, localhost
// or a name under .localhost.
func isLoopbackHost(host string) bool {
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	host = strings.ToLower(host)
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// WithCredentials sets the application's client id and secret, used for the
// 2-legged client-credentials flow. For a partner client these are the parent
// application's; for a customer client the child application's.
func WithCredentials(clientID, clientSecret string) Option {
	return func(c *config) error {
		if clientID == "" || clientSecret == "" {
			return errors.New("rsc: WithCredentials: client id and secret must not be empty")
		}
		c.clientID, c.clientSecret = clientID, clientSecret
		return nil
	}
}

// WithTokenSource supplies tokens from ts instead of the client-credentials
// flow. A 401 still makes the client ask ts once more.
func WithTokenSource(ts oauth2.TokenSource) Option {
	return nonNil("WithTokenSource", "token source", ts, func(c *config) { c.tokenSource = ts })
}

// WithHTTPClient sets the HTTP client whose Transport carries requests and
// whose Timeout bounds each attempt (60 s without this option; 0 for no
// bound). The bound starts once the client's pacing lets the attempt go,
// so a wait for LinkedIn's per-minute quota never times a call out. An
// attempt it ends fails with ErrAttemptTimeout, not
// context.DeadlineExceeded, and is retried as RetryPolicy says. Its
// Transport is shared by every customer client derived with ForCustomer.
func WithHTTPClient(hc *http.Client) Option {
	return nonNil("WithHTTPClient", "client", hc, func(c *config) { c.httpClient = hc })
}

// WithTransport sets the innermost round tripper (for example an httpmock
// transport or rsctest.Server.Transport()).
func WithTransport(rt http.RoundTripper) Option {
	return nonNil("WithTransport", "transport", rt, func(c *config) { c.transport = rt })
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		if strings.ContainsAny(ua, "\r\n") {
			return errors.New("rsc: WithUserAgent: contains a line break")
		}
		c.userAgent = ua
		return nil
	}
}

// WithLogger sets a structured logger. The default discards everything.
// Log records never contain tokens, secrets, headers or bodies.
func WithLogger(l *slog.Logger) Option {
	return nonNil("WithLogger", "logger", l, func(c *config) { c.logger = l })
}

// WithHooks installs metric hooks.
func WithHooks(h Hooks) Option {
	return func(c *config) error { c.hooks = h; return nil }
}

var versionRE = regexp.MustCompile(`^20[0-9]{2}(0[1-9]|1[0-2])(\.[0-9]{2})?$`)

// WithVersion selects LinkedIn's versioned endpoint family (/rest with the
// LinkedIn-Version: YYYYMM header) instead of the legacy /v2 paths. The same
// Go types are used for both; the client renames resources and key fields.
// Resources LinkedIn publishes only under /v2 stay there: the Provisioning
// API (docs/linkedin-api.md §6.1), InMail history, stub profiles and
// prospect notes; so do ACLs under a version before 202511, the first to
// serve them on /rest (docs/linkedin-api.md §11). yyyymm is a month,
// 202604, or a month with LinkedIn's patch number, 202508.02.
func WithVersion(yyyymm string) Option {
	return func(c *config) error {
		if !versionRE.MatchString(yyyymm) {
			return fmt.Errorf("rsc: WithVersion: %q is not YYYYMM or YYYYMM.NN", yyyymm)
		}
		c.version = yyyymm
		return nil
	}
}

// WithRetryPolicy replaces the retry policy. MaxAttempts must be at least
// 1, MinWait at most MaxWait, and no duration negative.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *config) error {
		if p.MaxAttempts < 1 {
			return errors.New("rsc: WithRetryPolicy: MaxAttempts must be at least 1")
		}
		if p.MinWait < 0 || p.MaxWait < 0 || p.maxWait() < p.MinWait {
			return errors.New("rsc: WithRetryPolicy: need 0 <= MinWait <= MaxWait (0 meaning 30 s)")
		}
		if p.MaxElapsed < 0 {
			return errors.New("rsc: WithRetryPolicy: need MaxElapsed >= 0 (0 meaning no cap)")
		}
		c.retry = p
		return nil
	}
}

// WithLimits replaces the client-side pacing limits (LinkedIn grants some
// partners more than the defaults). Zero fields keep LinkedIn's defaults,
// negative fields are unlimited; see Limits.
func WithLimits(l Limits) Option {
	return func(c *config) error {
		if err := l.validate(); err != nil {
			return err
		}
		c.limits = l
		return nil
	}
}

// WithClock injects a clock for pacing, daily-quota resets, retry waits
// (and RetryPolicy.MaxElapsed) and polling waits.
func WithClock(clk Clock) Option {
	return nonNil("WithClock", "clock", clk, func(c *config) { c.clock = clk })
}

// nonNil returns an Option that applies set, or fails naming the option and
// what it takes when v is nil: a nil interface, or one holding a nil
// pointer, func, map or slice (option.NonNil), such as a nil
// *rsctest.FakeClock, which would panic on the first call.
func nonNil(name, what string, v any, set func(*config)) Option {
	return option.NonNilSet("rsc", name, what, v, set)
}
