package rsctest

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/rscgo/rscgo/internal/option"
	"github.com/rscgo/rscgo/rsc"
)

// Option configures a Server. Options validate their argument: New returns
// the first error, naming the option and the rule, and NewServer panics
// with it. A nil Option is skipped.
type Option func(*config) error

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

// String returns the mode's Go name, or "PushMode(n)" for an unknown one.
func (m PushMode) String() string {
	switch m {
	case PushManual:
		return "PushManual"
	case PushBackground:
		return "PushBackground"
	}
	return fmt.Sprintf("PushMode(%d)", int(m))
}

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
// is a settable clock whose Sleep advances it instead of waiting. clk must
// not be nil, nor an interface holding a nil pointer (a nil *FakeClock).
func WithClock(clk rsc.Clock) Option {
	return nonNil("WithClock", "clock", clk, func(c *config) { c.clock = clk })
}

// WithLimits sets quotas and size limits. A zero field means LinkedIn's
// default and a negative one no limit, except PushPayloadTTL, which must not
// be negative; see Limits.
func WithLimits(l Limits) Option {
	return func(c *config) error {
		if err := l.validate(); err != nil {
			return err
		}
		c.limits = l
		return nil
	}
}

// WithPartner sets the parent (partner) application's client id and secret,
// neither of which may be empty. Defaults: "partner-client-id" /
// "partner-client-secret".
func WithPartner(clientID, secret string) Option {
	return func(c *config) error {
		if clientID == "" || secret == "" {
			return errors.New("rsctest: WithPartner: client id and secret must not be empty")
		}
		c.partnerID, c.partnerSecret = clientID, secret
		return nil
	}
}

// WithTokenTTL sets the lifetime of issued access tokens (default 1800 s, as
// LinkedIn). It must be a positive whole number of seconds, since the token
// answer's expires_in counts seconds (docs/linkedin-api.md §4).
func WithTokenTTL(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 || d%time.Second != 0 {
			return fmt.Errorf("rsctest: WithTokenTTL: %v: must be a positive whole number of seconds", d)
		}
		c.tokenTTL = d
		return nil
	}
}

// WithJobTaskLatency makes every simpleJobPostingTask answer IN_PROGRESS to
// its first n batch_get polls; n must not be negative. The default, 0,
// completes a task on the first poll, so that a test or demo never waits a
// poll interval for nothing; tests of the waiting itself ask for n >= 1.
// Real LinkedIn tasks take seconds to minutes.
func WithJobTaskLatency(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("rsctest: WithJobTaskLatency: %d: must not be negative", n)
		}
		c.taskPolls = n
		return nil
	}
}

// WithJobTaskDelay additionally keeps tasks IN_PROGRESS until d has passed on
// the server clock since the batch_create (default 0). d must not be
// negative.
func WithJobTaskDelay(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("rsctest: WithJobTaskDelay: %v: must not be negative", d)
		}
		c.taskDelay = d
		return nil
	}
}

// WithFaults installs fault-injection rules (see Fault for each field's
// rule). Server.SetFaults replaces them at run time.
func WithFaults(f ...Fault) Option {
	return func(c *config) error {
		for i := range f {
			if why := f[i].invalid(); why != "" {
				return fmt.Errorf("rsctest: WithFaults: fault %d: %s", i, why)
			}
		}
		c.faults = append(c.faults, f...)
		return nil
	}
}

// WithSeed seeds the random source used for tokens, ids and fault draws, so a
// run is reproducible. Default 1; any value is valid.
func WithSeed(seed int64) Option { return func(c *config) error { c.seed = seed; return nil } }

// WithHTTPClient sets the client used to POST push events to CALLBACK_URLs
// (default: a client with a 10 s timeout). hc must not be nil.
func WithHTTPClient(hc *http.Client) Option {
	return nonNil("WithHTTPClient", "client", hc, func(c *config) { c.httpClient = hc })
}

// WithPushSecretFunc sets the HMAC key used for X-LI-Signature on a
// customer's pushes. The default is the customer (child) app's client secret,
// as docs/wire-model.md specifies; f must not be nil, and returns nil to
// send a push unsigned.
func WithPushSecretFunc(f func(c *Customer) []byte) Option {
	return nonNil("WithPushSecretFunc", "func", f, func(c *config) { c.pushSecret = f })
}

// WithPushMode selects manual (PushManual, the default) or background
// (PushBackground) push delivery; any other value is refused.
func WithPushMode(m PushMode) Option {
	return func(c *config) error {
		if m != PushManual && m != PushBackground {
			return fmt.Errorf("rsctest: WithPushMode: unknown %v: want PushManual or PushBackground", m)
		}
		c.pushMode = m
		return nil
	}
}

// WithRequestLogLimit caps the request log at n entries: past it, the
// oldest half is dropped. Default 100,000; a negative n keeps no log at all,
// and 0 is refused.
func WithRequestLogLimit(n int) Option {
	return func(c *config) error {
		if n == 0 {
			return errors.New("rsctest: WithRequestLogLimit: 0: need a positive cap, or a negative one to keep no log")
		}
		c.logLimit = n
		return nil
	}
}

// WithListener serves on l instead of a fresh 127.0.0.1 listener (used by
// cmd/rscfake to serve a fixed address). l must not be nil, and the option
// does not go with WithoutListener. The server closes l when it is closed;
// when New fails, l stays open and the caller's.
func WithListener(l net.Listener) Option {
	return nonNil("WithListener", "listener", l, func(c *config) { c.listener = l })
}

// WithoutListener starts no network listener at all: use Handler() or
// Transport(). URL() then returns "http://rsctest.invalid", a base the
// Transport accepts. It does not go with WithListener.
func WithoutListener() Option { return func(c *config) error { c.noListener = true; return nil } }

// WithAdminToken makes the /_rsctest/ admin API require the header
// "Authorization: Bearer {token}" (cmd/rscfake's -admin-token flag); token
// must not be empty. Without the option the admin API needs no token; it
// always requires a loopback Host and, for POSTs, Content-Type
// application/json, so a web page cannot drive it.
func WithAdminToken(token string) Option {
	return func(c *config) error {
		if token == "" {
			return errors.New("rsctest: WithAdminToken: empty token (leave the option out for an admin API without one)")
		}
		c.adminToken = token
		return nil
	}
}

// WithLenientFields makes the server take entities holding fields their
// resource's schema does not have, storing them as sent (partial updates
// too), as the fake did before it checked fields. By default such an
// entity is refused with LinkedIn's 403 "Unpermitted fields present in
// REQUEST_BODY: ... [/path]", per record of a batch: use this only for
// extension fields LinkedIn has agreed to take from your application, and
// keep a test without it.
func WithLenientFields() Option { return func(c *config) error { c.lenientFields = true; return nil } }

// nonNil is an Option that applies set, or fails naming the option and
// what it takes when v is nil (option.NonNilSet).
func nonNil(name, what string, v any, set func(*config)) Option {
	return option.NonNilSet("rsctest", name, what, v, set)
}

// apply applies opts to c in order, skipping nil ones, and checks what
// single options cannot: that WithListener and WithoutListener are not
// both given.
func (c *config) apply(opts []Option) error {
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(c); err != nil {
			return err
		}
	}
	if c.listener != nil && c.noListener {
		return errors.New("rsctest: WithListener and WithoutListener: give one or the other")
	}
	return nil
}
