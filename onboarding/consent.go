package onboarding

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rscgo/rscgo/internal/option"
	rscsync "github.com/rscgo/rscgo/sync"
)

// DataCategory is a kind of ATS data the historical sync shares with
// LinkedIn.
type DataCategory string

// The data categories named by the data-privacy warning. Applications are
// what some ATSs call placements (see the glossary of package sync).
const (
	DataCandidates   DataCategory = "candidate"
	DataJobs         DataCategory = "job"
	DataApplications DataCategory = "application"
	DataActivities   DataCategory = "activity"
)

// legacyApplications is the category applications were recorded under
// before they took LinkedIn's word: stored consents still name it.
const legacyApplications DataCategory = "placement"

// allDataCategories lists every category, in the warning's order.
func allDataCategories() []DataCategory {
	return []DataCategory{DataCandidates, DataJobs, DataApplications, DataActivities}
}

// DefaultHistoryYears is the historical sync window: data created or
// modified in the last two years.
const DefaultHistoryYears = 2

// ConsentWarning is the data-privacy text shown before consent (the
// wording of LinkedIn's help page for ATS customers, with LinkedIn's word
// for applications). Record the text actually shown in Consent.Text.
const ConsentWarning = "As part of the sync with LinkedIn Recruiter you will share candidate, job, application and activity data " +
	"created or modified in the last two years. Do you want to proceed?"

// Consent is the record of a customer's data-privacy confirmation.
type Consent struct {
	// CustomerID is the ATS customer id; Grant refuses a blank one.
	CustomerID string `json:"customerId"`
	// GrantedBy identifies the admin who clicked "Yes" (an ATS user id or
	// email); Grant refuses a blank one.
	GrantedBy string `json:"grantedBy"`
	// GrantedAt is when the admin confirmed; Grant sets it to now (UTC)
	// when zero. CheckConsent treats a zero GrantedAt as no consent.
	GrantedAt time.Time `json:"grantedAt"`
	// HistoryYears is the window of the historical sync in years; Grant
	// sets 0 to DefaultHistoryYears (2, the least LinkedIn certifies) and
	// refuses a negative value.
	HistoryYears int `json:"historyYears"`
	// Categories are the data categories covered. The sync shares every
	// one of them (ConsentWarning asks for all four at once), so Grant
	// sets an empty list to all four and refuses a list that leaves one
	// out or names an unknown one, and CheckConsent refuses the sync of a
	// stored consent that does not cover them all.
	Categories []DataCategory `json:"categories"`
	// Text is the warning shown (for audit).
	Text string `json:"text,omitempty"`

	// RevokedAt, RevokedBy and Reason record a withdrawal (Revoke): when
	// (zero unless revoked), by whom and why. Grant clears them.
	RevokedAt time.Time `json:"revokedAt,omitzero"`
	RevokedBy string    `json:"revokedBy,omitempty"`
	Reason    string    `json:"reason,omitempty"`
}

// Revoked reports whether the consent was withdrawn.
func (c *Consent) Revoked() bool { return !c.RevokedAt.IsZero() }

// HistoryStart returns the earliest creation or modification time the
// historical sync started at now may send: now minus the window.
func (c *Consent) HistoryStart(now time.Time) time.Time {
	y := c.HistoryYears
	if y <= 0 {
		y = DefaultHistoryYears
	}
	return now.AddDate(-y, 0, 0)
}

// Covers reports whether the consent covers the category.
func (c *Consent) Covers(cat DataCategory) bool {
	return slices.Contains(c.Categories, cat) || cat == DataApplications && slices.Contains(c.Categories, legacyApplications)
}

// ErrConsentRevoked is matched by the error of a customer who withdrew
// consent (besides rscsync.ErrNoConsent): sync must stop.
var ErrConsentRevoked = errors.New("onboarding: data-privacy consent revoked")

// errNilContext is what every call of the package given a nil context
// returns, before doing anything.
var errNilContext = errors.New("onboarding: nil context")

// ConsentRequiredError says sync may not run for the customer. It matches
// rscsync.ErrNoConsent (the sync engine's error) and, when consent was
// withdrawn, ErrConsentRevoked too.
type ConsentRequiredError struct {
	CustomerID string    // the customer id CheckConsent was given
	RevokedAt  time.Time // zero when consent was never given
	// Category, when set, is a data category the stored consent does not
	// cover (the sync shares all four; see Consent.Categories).
	Category DataCategory
}

// Error implements error.
func (e *ConsentRequiredError) Error() string {
	switch {
	case !e.RevokedAt.IsZero():
		return fmt.Sprintf("onboarding: customer %q revoked data-privacy consent at %s; sync must stop", e.CustomerID, e.RevokedAt.UTC().Format(time.RFC3339))
	case e.Category != "":
		return fmt.Sprintf("onboarding: customer %q's consent does not cover %s data", e.CustomerID, e.Category)
	}
	return fmt.Sprintf("onboarding: customer %q has not confirmed the data-privacy warning; historical sync refused", e.CustomerID)
}

// Unwrap returns rscsync.ErrNoConsent, and ErrConsentRevoked when consent
// was withdrawn.
func (e *ConsentRequiredError) Unwrap() []error {
	if !e.RevokedAt.IsZero() {
		return []error{rscsync.ErrNoConsent, ErrConsentRevoked}
	}
	return []error{rscsync.ErrNoConsent}
}

// ConsentStore persists consent records. MemoryStore and FileStore
// implement it.
type ConsentStore interface {
	LoadConsent(ctx context.Context, customerID string) (*Consent, error) // nil, nil when none
	// SaveConsent replaces the record of c.CustomerID.
	SaveConsent(ctx context.Context, c *Consent) error
}

// ConsentRegistry records data-privacy consents and guards sync: it
// implements rscsync.ConsentGuard. It is safe for concurrent use.
type ConsentRegistry struct {
	store ConsentStore
	now   func() time.Time

	mu    sync.Mutex
	subs  map[int]func(customerID string)
	next  int
	cache map[string]cachedConsent
	// gen counts each customer's Grants and Revokes: a read of the store
	// begun before one (a CheckConsent in flight) caches nothing, so it
	// cannot put back the record the write replaced.
	gen map[string]uint64
}

type cachedConsent struct {
	c  *Consent // nil: none stored
	at time.Time
}

// consentCacheTTL bounds how long CheckConsent trusts its cache of the
// store. Grant and Revoke through this registry clear it at once; the TTL
// only matters for changes written by another process.
const consentCacheTTL = 10 * time.Second

func (r *ConsentRegistry) load(ctx context.Context, customerID string) (*Consent, error) {
	r.mu.Lock()
	e, ok := r.cache[customerID]
	gen := r.gen[customerID]
	r.mu.Unlock()
	if ok && r.now().Sub(e.at) < consentCacheTTL {
		return e.c, nil
	}
	c, err := r.store.LoadConsent(ctx, customerID)
	if err != nil {
		return nil, err
	}
	r.remember(customerID, c, gen)
	return c, nil
}

// remember caches c as the customer's record unless a Grant or Revoke
// came after gen, the generation read before c was.
func (r *ConsentRegistry) remember(customerID string, c *Consent, gen uint64) {
	var cp *Consent
	if c != nil {
		v := *c
		cp = &v
	}
	r.mu.Lock()
	if r.gen[customerID] == gen {
		r.cache[customerID] = cachedConsent{c: cp, at: r.now()}
	}
	r.mu.Unlock()
}

// wrote forgets the customer's cached record, after a Grant or Revoke
// saved a new one, and outdates every read of the store begun before: the
// next check reads the store, which holds the last write whichever of two
// concurrent writes that was.
func (r *ConsentRegistry) wrote(customerID string) {
	r.mu.Lock()
	r.gen[customerID]++
	delete(r.cache, customerID)
	r.mu.Unlock()
}

var _ rscsync.ConsentGuard = (*ConsentRegistry)(nil)

// NewConsentRegistry returns a registry persisting to store (nil: memory).
// A store holding a nil pointer (a nil *MemoryStore) is refused. Its option
// is WithClock.
func NewConsentRegistry(store ConsentStore, opts ...Option) (*ConsentRegistry, error) {
	if store != nil && option.NonNil("onboarding", "NewConsentRegistry", store) != nil {
		return nil, fmt.Errorf("onboarding: NewConsentRegistry: store is a nil %T", store)
	}
	c, err := newConfig(forConsent, opts)
	if err != nil {
		return nil, err
	}
	if store == nil {
		store = NewMemoryStore()
	}
	return &ConsentRegistry{store: store, now: c.clock.Now, subs: map[int]func(string){},
		cache: map[string]cachedConsent{}, gen: map[string]uint64{}}, nil
}

// Grant records the customer's confirmation. Empty fields default to now,
// the two-year window, every data category and ConsentWarning. Granting
// again after a revocation starts a new consent.
func (r *ConsentRegistry) Grant(ctx context.Context, c Consent) (*Consent, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if strings.TrimSpace(c.CustomerID) == "" {
		return nil, errors.New("onboarding: consent without a customer id")
	}
	if strings.TrimSpace(c.GrantedBy) == "" {
		return nil, errors.New("onboarding: consent must say who confirmed it")
	}
	if c.GrantedAt.IsZero() {
		c.GrantedAt = r.now().UTC()
	}
	if c.HistoryYears < 0 {
		return nil, fmt.Errorf("onboarding: consent historyYears %d: must not be negative (0 means %d)", c.HistoryYears, DefaultHistoryYears)
	}
	if c.HistoryYears == 0 {
		c.HistoryYears = DefaultHistoryYears
	}
	if len(c.Categories) == 0 {
		c.Categories = allDataCategories()
	}
	if err := checkCategories(c.Categories); err != nil {
		return nil, err
	}
	if c.Text == "" {
		c.Text = ConsentWarning
	}
	c.RevokedAt, c.RevokedBy, c.Reason = time.Time{}, "", ""
	if err := r.store.SaveConsent(ctx, &c); err != nil {
		return nil, err
	}
	r.wrote(c.CustomerID)
	return &c, nil
}

// checkCategories refuses a list of data categories that names an unknown
// one or leaves one of the four out: the sync shares them all.
func checkCategories(cats []DataCategory) error {
	c := Consent{Categories: cats}
	for _, cat := range cats {
		if !slices.Contains(allDataCategories(), cat) && cat != legacyApplications {
			return fmt.Errorf("onboarding: consent category %q: not one of candidate, job, application, activity", cat)
		}
	}
	if cat, ok := c.uncovered(); ok {
		return fmt.Errorf("onboarding: consent categories leave out %q: the sync shares candidate, job, application and activity data, so a consent covers all four", cat)
	}
	return nil
}

// uncovered returns a data category the consent does not cover, if any.
func (c *Consent) uncovered() (DataCategory, bool) {
	for _, cat := range allDataCategories() {
		if !c.Covers(cat) {
			return cat, true
		}
	}
	return "", false
}

// Revoke withdraws the customer's consent (the plug-in toggled off, or a
// privacy request) and notifies subscribers so running syncs stop.
func (r *ConsentRegistry) Revoke(ctx context.Context, customerID, by, reason string) error {
	if ctx == nil {
		return errNilContext
	}
	c, err := r.store.LoadConsent(ctx, customerID)
	if err != nil {
		return err
	}
	if c == nil {
		c = &Consent{CustomerID: customerID}
	}
	if !c.Revoked() {
		c.RevokedAt, c.RevokedBy, c.Reason = r.now().UTC(), by, reason
		if err := r.store.SaveConsent(ctx, c); err != nil {
			return err
		}
	}
	r.wrote(customerID)
	r.mu.Lock()
	subs := make([]func(string), 0, len(r.subs))
	for _, f := range r.subs {
		subs = append(subs, f)
	}
	r.mu.Unlock()
	for _, f := range subs {
		f(customerID)
	}
	return nil
}

// Get returns the customer's consent record (possibly revoked), or nil.
func (r *ConsentRegistry) Get(ctx context.Context, customerID string) (*Consent, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	return r.store.LoadConsent(ctx, customerID)
}

// CheckConsent implements rscsync.ConsentGuard: nil when the customer has
// a standing consent that covers every data category; otherwise a *ConsentRequiredError matching
// rscsync.ErrNoConsent (and ErrConsentRevoked after Revoke). The sync
// engine must call it before a historical
// sync and should call it before each batch: it is cheap (cached; changes
// made through this registry are seen at once, changes written to the store
// by another process within 10 seconds).
//
// customerID is the ATS customer id given to the Flow. An instance id of a
// second contract ("{customerID}:{label}", see ForeignID) is accepted too.
func (r *ConsentRegistry) CheckConsent(ctx context.Context, customerID string) error {
	if ctx == nil {
		return errNilContext
	}
	c, err := r.load(ctx, customerID)
	if err != nil {
		return err
	}
	if c == nil {
		if base, _, ok := splitForeignID(customerID); ok {
			if c, err = r.load(ctx, base); err != nil {
				return err
			}
		}
	}
	switch {
	case c == nil || c.GrantedAt.IsZero():
		return &ConsentRequiredError{CustomerID: customerID}
	case c.Revoked():
		return &ConsentRequiredError{CustomerID: customerID, RevokedAt: c.RevokedAt}
	}
	if cat, ok := c.uncovered(); ok {
		return &ConsentRequiredError{CustomerID: customerID, Category: cat}
	}
	return nil
}

// Subscribe calls f (on the revoking goroutine) after every Revoke. The
// returned func unsubscribes.
func (r *ConsentRegistry) Subscribe(f func(customerID string)) (unsubscribe func()) {
	r.mu.Lock()
	id := r.next
	r.next++
	r.subs[id] = f
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		delete(r.subs, id)
		r.mu.Unlock()
	}
}

// WithConsent returns a context for a customer's sync run that is cancelled,
// with a cause wrapping ErrConsentRevoked, as soon as the customer's consent
// is revoked. It first checks consent and refuses (returning the
// *ConsentRequiredError) when there is none. Call cancel when the run ends.
//
// The sync engine checks consent itself before every batch (pass the
// registry with rscsync.WithConsent); the context also stops work the
// engine does not see, such as the inmail pollers:
//
//	ctx, cancel, err := registry.WithConsent(ctx, customerID)
//	if err != nil { return err } // no consent: do not start
//	defer cancel()
//	err = work(ctx)              // stops when consent is revoked; context.Cause(ctx) says why
func (r *ConsentRegistry) WithConsent(ctx context.Context, customerID string) (context.Context, context.CancelFunc, error) {
	if ctx == nil {
		return nil, func() {}, errNilContext
	}
	// Subscribed before the check: a Revoke that completes while the
	// check reads the store still cancels the run.
	run, cancel := context.WithCancelCause(ctx)
	unsub := r.Subscribe(func(id string) {
		if id == customerID || strings.HasPrefix(customerID, id+foreignIDSep) {
			if err := r.CheckConsent(context.WithoutCancel(run), customerID); err != nil {
				cancel(err)
			}
		}
	})
	if err := r.CheckConsent(ctx, customerID); err != nil {
		unsub()
		cancel(err)
		return ctx, func() {}, err
	}
	return run, func() { unsub(); cancel(context.Canceled) }, nil
}
