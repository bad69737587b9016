package console

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	opt "github.com/rscgo/rscgo/internal/option"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// Authorizer identifies the operator making a request: it returns the
// operator's name and true, or false when the request is not from an
// authenticated operator (the console then answers 401 and does nothing).
// It is called for every request, pages and actions alike.
type Authorizer func(r *http.Request) (operator string, ok bool)

// RetryFunc sends the dead letters with the given keys (DeadLetter.Key) of
// a customer again. An error is shown to the operator; the page then shows
// what the dead-letter store holds.
type RetryFunc func(ctx context.Context, customerID string, keys []string) error

// Option configures a Handler. Options validate their argument and New
// returns the first error. Options taking an interface or a function
// refuse nil, and an interface holding a nil pointer too (a nil
// *rsctest.FakeClock given to WithClock).
type Option func(*config) error

// config is what the options set.
type config struct {
	customers func(context.Context) ([]string, error)
	auth      Authorizer
	hosts     []string
	flows     onboarding.StateStore
	store     rscsync.Store
	dead      rscsync.DeadLetterStore
	events    milestones.EventStore
	retry     RetryFunc
	reconcile ReconcileFunc
	fleet     FleetSource
	clock     rsc.Clock
	refresh   time.Duration
	csrfKey   []byte
	maxDead   int
}

// defaultRefresh is how often GET pages reload themselves by default.
const defaultRefresh = 10 * time.Second

// defaultMaxDead is how many dead letters a customer's page lists by default.
const defaultMaxDead = 200

// WithCustomers sets the function listing the customers the console shows,
// in the order shown (required). It is called for every page and action; a
// customer it does not list cannot be acted on.
func WithCustomers(f func(context.Context) ([]string, error)) Option {
	return option("WithCustomers", f, "nil function", func(c *config) { c.customers = f })
}

// WithAuthorizer sets the Authorizer (required).
func WithAuthorizer(a Authorizer) Option {
	return option("WithAuthorizer", a, "nil authorizer", func(c *config) { c.auth = a })
}

// WithAllowedHosts sets the values of the Host header the console answers
// (required, at least one), which defeats DNS rebinding: a page of another
// site whose name was rebound to the console's address sends its own name
// as Host and is refused. Each entry is a host name or IP address, with or
// without a port ("ops.example.com", "127.0.0.1:8080"); without a port it
// matches any port. Comparison ignores case.
func WithAllowedHosts(hosts ...string) Option {
	return func(c *config) error {
		if len(hosts) == 0 {
			return errors.New("console: WithAllowedHosts: no host")
		}
		for _, h := range hosts {
			if h == "" || strings.ContainsAny(h, "/ @?#") {
				return fmt.Errorf("console: WithAllowedHosts: %q is not a host or host:port", h)
			}
			c.hosts = append(c.hosts, strings.ToLower(h))
		}
		return nil
	}
}

// WithOnboarding sets the store of onboarding states, for each customer's
// onboarding step and integration status. Without it the console does not
// show them.
func WithOnboarding(s onboarding.StateStore) Option {
	return option("WithOnboarding", s, "nil store", func(c *config) { c.flows = s })
}

// WithCheckpoints sets the sync engine's checkpoint store, for the
// per-phase progress. Without it the console does not show progress.
func WithCheckpoints(s rscsync.Store) Option {
	return option("WithCheckpoints", s, "nil store", func(c *config) { c.store = s })
}

// WithDeadLetters sets the sync engine's dead-letter store. Without it the
// console shows no dead letters and offers no retry.
func WithDeadLetters(s rscsync.DeadLetterStore) Option {
	return option("WithDeadLetters", s, "nil store", func(c *config) { c.dead = s })
}

// WithMilestones sets the milestone event store. Without it the console
// does not show milestones.
func WithMilestones(s milestones.EventStore) Option {
	return option("WithMilestones", s, "nil store", func(c *config) { c.events = s })
}

// WithRetry sets how a dead letter is retried (see EngineRetry). Without
// it the console lists dead letters without retry buttons.
func WithRetry(f RetryFunc) Option {
	return option("WithRetry", f, "nil function", func(c *config) { c.retry = f })
}

// WithClock sets the clock that dates the pages (default rsc.SystemClock).
func WithClock(clk rsc.Clock) Option {
	return option("WithClock", clk, "nil clock", func(c *config) { c.clock = clk })
}

// WithRefresh sets how often GET pages reload themselves (a meta refresh;
// default 10s). It must be at least one second, or 0 for no reload.
func WithRefresh(d time.Duration) Option {
	return func(c *config) error {
		if d != 0 && d < time.Second {
			return fmt.Errorf("console: WithRefresh: %v is neither 0 nor at least 1s", d)
		}
		c.refresh = d
		return nil
	}
}

// WithCSRFKey sets the secret key that signs the anti-CSRF tokens (at
// least 32 bytes; the slice is copied). The default is a random key per
// Handler, which suits one process: set the same key on every instance
// behind a load balancer.
func WithCSRFKey(key []byte) Option {
	return func(c *config) error {
		if len(key) < 32 {
			return fmt.Errorf("console: WithCSRFKey: the key has %d bytes, fewer than 32", len(key))
		}
		c.csrfKey = append([]byte(nil), key...)
		return nil
	}
}

// WithMaxDeadLetters sets how many dead letters a customer's page lists
// (default 200, at least 1); the page says how many more there are.
func WithMaxDeadLetters(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("console: WithMaxDeadLetters: %d is below 1", n)
		}
		c.maxDead = n
		return nil
	}
}

// hostAllowed reports whether the Host header host is in the allow-list.
func (c *config) hostAllowed(host string) bool {
	host = strings.ToLower(host)
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	for _, a := range c.hosts {
		if a == host || a == name || strings.Trim(a, "[]") == name {
			return true
		}
	}
	return false
}

// option returns an Option that fails with "console: name: why" when v is
// nil (a nil interface, or one holding a nil pointer or func:
// internal/option.NonNil), and applies set otherwise.
func option(name string, v any, why string, set func(*config)) Option {
	return func(c *config) error {
		if opt.NonNil("console", name, v) != nil {
			return fmt.Errorf("console: %s: %s", name, why)
		}
		set(c)
		return nil
	}
}
