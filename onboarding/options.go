package onboarding

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/rscgo/rscgo/internal/option"
	"github.com/rscgo/rscgo/rsc"
)

// Option configures NewFlow, Flow.PushHandler, NewConsentRegistry,
// NewProvisioner or NewStateSigner. Options validate their input, and each
// says which constructors it applies to: a constructor given an option that
// does not apply to it returns an error, so a misplaced option is never
// silently ignored.
type Option func(*config) error

// The constructors options apply to.
const (
	forFlow uint8 = 1 << iota
	forPush
	forConsent
	forProvisioner
	forSigner
)

var constructors = map[uint8]string{forFlow: "NewFlow", forPush: "Flow.PushHandler", forConsent: "NewConsentRegistry",
	forProvisioner: "NewProvisioner", forSigner: "NewStateSigner"}

type config struct {
	option.Base
	clock  rsc.Clock
	logger *slog.Logger

	// Flow.
	secrets         SecretStore
	store           StateStore
	consents        *ConsentRegistry
	usesACLs        func(customerID string) bool
	contracts       func(ctx context.Context, customerID string) ([]ContractOption, error)
	assumeSignedIn  bool
	startSync       func(ctx context.Context, customerID string, c Contract) error
	customerOptions []rsc.Option

	// PushHandler.
	onExport     ExportFunc
	acceptExport AcceptFunc
	workers      int
	queueSize    int
	fetchTimeout time.Duration
	dedupSize    int
	dedupTTL     time.Duration
	unsigned     bool

	// StateSigner.
	stateTTL time.Duration
}

func newConfig(t uint8, opts []Option) (*config, error) {
	c := &config{
		Base:         option.Base{Pkg: "onboarding", Target: t, Names: constructors},
		clock:        rsc.SystemClock(),
		logger:       slog.New(slog.DiscardHandler),
		workers:      4,
		queueSize:    256,
		fetchTimeout: 30 * time.Second,
		dedupSize:    10000,
		dedupTTL:     24 * time.Hour,
		stateTTL:     DefaultStateTTL,
	}
	if err := option.Apply(c, opts); err != nil {
		return nil, err
	}
	return c, nil
}

// WithClock sets the clock for timestamps, expiries and caches (default
// rsc.SystemClock). It applies to every constructor.
func WithClock(clk rsc.Clock) Option {
	return option.With("WithClock", forFlow|forPush|forConsent|forProvisioner|forSigner, clk, func(c *config, clk rsc.Clock) { c.clock = clk })
}

// WithLogger sets the logger of NewFlow, Flow.PushHandler and
// NewProvisioner. Nothing is logged by default; log lines hold ids, never
// secrets.
func WithLogger(l *slog.Logger) Option {
	return option.With("WithLogger", forFlow|forPush|forProvisioner, l, func(c *config, l *slog.Logger) { c.logger = l })
}

// WithSecretStore sets where NewFlow keeps child application credentials
// (default a MemorySecretStore, lost when the process ends). See
// SecretStore for production storage.
func WithSecretStore(s SecretStore) Option {
	return option.With("WithSecretStore", forFlow, s, func(c *config, s SecretStore) { c.secrets = s })
}

// WithStateStore sets where NewFlow persists each customer's state
// (default a MemoryStore).
func WithStateStore(s StateStore) Option {
	return option.With("WithStateStore", forFlow, s, func(c *config, s StateStore) { c.store = s })
}

// WithConsentRegistry sets NewFlow's consent registry (default one kept in
// memory).
func WithConsentRegistry(r *ConsentRegistry) Option {
	return option.With("WithConsentRegistry", forFlow, r, func(c *config, r *ConsentRegistry) { c.consents = r })
}

// WithACLs tells NewFlow which customers restrict jobs with ACLs: their
// *_VIEWERS configurations are removed instead of set to ALL_PRODUCT_USERS
// (docs/linkedin-api.md §6.5, §9).
func WithACLs(usesACLs func(customerID string) bool) Option {
	return option.With("WithACLs", forFlow, usesACLs, func(c *config, usesACLs func(customerID string) bool) { c.usesACLs = usesACLs })
}

// WithContractOptions gives NewFlow the contracts an admin may choose at
// StepChooseContract. With none or one the step is bypassed.
func WithContractOptions(f func(ctx context.Context, customerID string) ([]ContractOption, error)) Option {
	return option.With("WithContractOptions", forFlow, f, func(c *config, f func(ctx context.Context, customerID string) ([]ContractOption, error)) {
		c.contracts = f
	})
}

// WithAssumeSignedIn makes NewFlow bypass StepSignIn: the ATS knows the
// admin is signed in to LinkedIn (for example through its own LinkedIn
// login).
func WithAssumeSignedIn() Option {
	return option.With("WithAssumeSignedIn", forFlow, true, func(c *config, on bool) { c.assumeSignedIn = on })
}

// WithStartSync sets the function NewFlow calls, once per contract at
// StepSave and only after the consent check passes, to start the
// historical sync; and again for each contract whose sync a withdrawal of
// consent stopped (Contract.SyncStoppedAt), once consent is given again.
// Each start, the first and a restart, is saved at once and again at the
// end of the Advance; only when both saves fail (a store down), or the
// process dies between the call and the first save, is it called again by
// a later Advance, so make it idempotent, keyed by the customer and the contract's
// label (riverrun.Enqueue is: a second enqueue of a customer with a slice
// waiting is a duplicate, skipped). Its ctx is the Advance's, which may
// end with the admin's request: enqueue the sync, or give work that runs
// on a context of its own (context.WithoutCancel, say).
func WithStartSync(f func(ctx context.Context, customerID string, c Contract) error) Option {
	return option.With("WithStartSync", forFlow, f, func(c *config, f func(ctx context.Context, customerID string, c Contract) error) { c.startSync = f })
}

// WithCustomerOptions sets the options NewFlow passes to
// rsc.Client.ForCustomer for customer clients.
func WithCustomerOptions(opts ...rsc.Option) Option {
	return option.With("WithCustomerOptions", forFlow, slices.Clone(opts), func(c *config, o []rsc.Option) { c.customerOptions = o })
}

// ExportFunc handles an EXPORT_CANDIDATE_PROFILE push of an instance with
// the instance's customer client (for example inmail.Retriever.HandleExport).
type ExportFunc func(ctx context.Context, in Instance, ev rsc.PushEvent, cust *rsc.Client) error

// WithExportHandler sets what Flow.PushHandler does with
// EXPORT_CANDIDATE_PROFILE pushes. Without it they are acknowledged and
// dropped (logged).
func WithExportHandler(f ExportFunc) Option {
	return option.With("WithExportHandler", forPush, f, func(c *config, f ExportFunc) { c.onExport = f })
}

// AcceptFunc records an EXPORT_CANDIDATE_PROFILE push of an instance
// durably before Flow.PushHandler answers it (for example
// inmail.Retriever.AcceptExport, which journals the request id so that
// RunOnce finishes the export even if this process dies before its
// worker runs). An error answers 503, so that LinkedIn redelivers the push.
type AcceptFunc func(ctx context.Context, in Instance, ev rsc.PushEvent) error

// WithExportAccept sets the AcceptFunc Flow.PushHandler calls for an
// EXPORT_CANDIDATE_PROFILE push after its signature verified and before
// it answers 200. Without it an export lives only in the handler's queue
// until a worker hands it to the export handler: a crash in between loses
// it until LinkedIn redelivers the push.
func WithExportAccept(f AcceptFunc) Option {
	return option.With("WithExportAccept", forPush, f, func(c *config, f AcceptFunc) { c.acceptExport = f })
}

// WithPushWorkers sets Flow.PushHandler's worker count (default 4) and the
// bound on queued events (default 256; a full queue answers 503). Both
// must be positive and queue at least workers.
func WithPushWorkers(workers, queue int) Option {
	return option.Check("WithPushWorkers", forPush, [2]int{workers, queue}, option.Pool,
		func(c *config, p [2]int) { c.workers, c.queueSize = p[0], p[1] })
}

// WithFetchTimeout bounds the handling of one push by Flow.PushHandler
// (default 30 s); it must be positive.
func WithFetchTimeout(d time.Duration) Option {
	return func(c *config) error {
		if err := c.Only("WithFetchTimeout", forPush); err != nil {
			return err
		}
		if d <= 0 {
			return fmt.Errorf("onboarding: WithFetchTimeout(%s): must be positive", d)
		}
		c.fetchTimeout = d
		return nil
	}
}

// WithDedup bounds Flow.PushHandler's memory of seen event ids (default
// 10,000 ids for 24 h). The memory is per process: see PushHandler.
func WithDedup(size int, ttl time.Duration) Option {
	return func(c *config) error {
		if err := c.Only("WithDedup", forPush); err != nil {
			return err
		}
		if size <= 0 || ttl <= 0 {
			return fmt.Errorf("onboarding: WithDedup(%d, %s): both must be positive", size, ttl)
		}
		c.dedupSize, c.dedupTTL = size, ttl
		return nil
	}
}

// WithUnsignedPushes makes Flow.PushHandler accept pushes without an
// X-LI-Signature header. LinkedIn does not document whether RSC pushes are
// signed (docs/linkedin-api.md §8.1); signatures are required by default,
// so that a stranger's POST cannot make the handler call LinkedIn. Use it
// only if LinkedIn's pushes to you arrive unsigned; a signature header that
// is present, even empty, is still checked and verified.
func WithUnsignedPushes() Option {
	return option.With("WithUnsignedPushes", forPush, true, func(c *config, on bool) { c.unsigned = on })
}

// DefaultStateTTL is how long a widget state token stays valid.
const DefaultStateTTL = 15 * time.Minute

// WithStateTTL sets how long NewStateSigner's tokens stay valid (default
// DefaultStateTTL, at most one hour).
func WithStateTTL(d time.Duration) Option {
	return func(c *config) error {
		if err := c.Only("WithStateTTL", forSigner); err != nil {
			return err
		}
		if d <= 0 || d > time.Hour {
			return fmt.Errorf("onboarding: WithStateTTL(%s): must be positive and at most 1h", d)
		}
		c.stateTTL = d
		return nil
	}
}
