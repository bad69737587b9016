package rsctest

import (
	"net"
	"net/http"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// Option configures a Server. Pass options to NewServer.
type Option func(*config)

// PushMode selects how push events reach customers' CALLBACK_URLs.
type PushMode int

const (
	// PushManual queues push events; they are POSTed only when DeliverPushes is
	// called. This is the default, because it keeps tests deterministic.
	PushManual PushMode = iota
	// PushBackground POSTs queued push events from a background goroutine as
	// soon as they are created (used by cmd/rscfake). Failed deliveries stay
	// queued and are retried on the next push or DeliverPushes call.
	PushBackground
)

type config struct {
	clock         rsc.Clock
	limits        Limits
	partnerID     string
	partnerSecret string
	tokenTTL      time.Duration
	taskPolls     int
	taskDelay     time.Duration
	faults        []Fault
	seed          int64
	httpClient    *http.Client
	pushSecret    func(c *Customer) []byte
	pushMode      PushMode
	logLimit      int
	listener      net.Listener
	noListener    bool
	adminToken    string
	lenientFields bool
}

func defaultConfig() config {
	return config{
		clock:         rsc.SystemClock(),
		partnerID:     "partner-client-id",
		partnerSecret: "partner-client-secret",
		tokenTTL:      1800 * time.Second,
		seed:          1,
		logLimit:      100_000,
	}
}

// WithClock sets the clock used for throttle windows, token expiry, job task
// progress, push expiry, every timestamp the fake produces, and injected
// latency (Fault.Latency waits with clk.Sleep). Default rsc.SystemClock(),
// which sleeps in virtual time inside a testing/synctest bubble. A FakeClock
// is a settable clock whose Sleep advances it instead of waiting. A nil clk
// is ignored.
func WithClock(clk rsc.Clock) Option {
	return func(c *config) {
		if clk != nil {
			c.clock = clk
		}
	}
}

// WithLimits sets quotas and size limits. Zero fields keep LinkedIn's defaults;
// see Limits.
func WithLimits(l Limits) Option { return func(c *config) { c.limits = l } }

// WithPartner sets the parent (partner) application's client id and secret.
// Defaults: "partner-client-id" / "partner-client-secret".
func WithPartner(clientID, secret string) Option {
	return func(c *config) { c.partnerID, c.partnerSecret = clientID, secret }
}

// WithTokenTTL sets the lifetime of issued access tokens (default 1800 s, as LinkedIn).
func WithTokenTTL(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.tokenTTL = d
		}
	}
}

// WithJobTaskLatency makes every simpleJobPostingTask answer IN_PROGRESS to
// its first n batch_get polls. The default, 0, completes a task on the first
// poll, so that a test or demo never waits a poll interval for nothing;
// tests of the waiting itself ask for n >= 1. Real LinkedIn tasks take
// seconds to minutes.
func WithJobTaskLatency(n int) Option {
	return func(c *config) {
		if n >= 0 {
			c.taskPolls = n
		}
	}
}

// WithJobTaskDelay additionally keeps tasks IN_PROGRESS until d has passed on
// the server clock since the batch_create (default 0).
func WithJobTaskDelay(d time.Duration) Option { return func(c *config) { c.taskDelay = d } }

// WithFaults installs fault-injection rules (see Fault). Server.SetFaults
// replaces them at run time.
func WithFaults(f ...Fault) Option {
	return func(c *config) { c.faults = append(c.faults, f...) }
}

// WithSeed seeds the random source used for tokens, ids and fault draws, so a
// run is reproducible. Default 1.
func WithSeed(seed int64) Option { return func(c *config) { c.seed = seed } }

// WithHTTPClient sets the client used to POST push events to CALLBACK_URLs.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.httpClient = hc } }

// WithPushSecretFunc sets the HMAC key used for X-LI-Signature on a
// customer's pushes. The default is the customer (child) app's client secret,
// as docs/wire-model.md specifies; return nil to send pushes unsigned.
func WithPushSecretFunc(f func(c *Customer) []byte) Option {
	return func(c *config) { c.pushSecret = f }
}

// WithPushMode selects manual (default) or background push delivery.
func WithPushMode(m PushMode) Option { return func(c *config) { c.pushMode = m } }

// WithRequestLogLimit caps the request log (oldest entries are dropped).
// Default 100,000; negative disables the log.
func WithRequestLogLimit(n int) Option { return func(c *config) { c.logLimit = n } }

// WithListener serves on l instead of a fresh 127.0.0.1 listener (used by
// cmd/rscfake to serve a fixed address).
func WithListener(l net.Listener) Option { return func(c *config) { c.listener = l } }

// WithoutListener starts no network listener at all: use Handler() or
// Transport(). URL() then returns "http://rsctest.invalid", a base the
// Transport accepts.
func WithoutListener() Option { return func(c *config) { c.noListener = true } }

// WithAdminToken makes the /_rsctest/ admin API require the header
// "Authorization: Bearer {token}" (cmd/rscfake's -admin-token flag). Without
// it the admin API needs no token; it always requires a loopback Host and,
// for POSTs, Content-Type application/json, so a web page cannot drive it.
func WithAdminToken(token string) Option { return func(c *config) { c.adminToken = token } }

// WithLenientFields makes the server take entities holding fields their
// resource's schema does not have, storing them as sent (partial updates
// too), as the fake did before it checked fields. By default such an
// entity is refused with LinkedIn's 403 "Unpermitted fields present in
// REQUEST_BODY: ... [/path]", per record of a batch: use this only for
// extension fields LinkedIn has agreed to take from your application, and
// keep a test without it.
func WithLenientFields() Option { return func(c *config) { c.lenientFields = true } }
