package onboarding

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rscgo/rscgo/internal/option"
	"github.com/rscgo/rscgo/rsc"
)

// maxAppNameLen is LinkedIn's limit on a child application's name.
const maxAppNameLen = 50

// ProvisionSpec describes a customer instance's child application.
type ProvisionSpec struct {
	// ForeignID is the uniqueForeignId (required, not blank): one per
	// customer instance and contract; the Flow uses Instance.ForeignID.
	ForeignID string
	// Name is shown on LinkedIn's OAuth consent dialog (required, not
	// blank): at most 50 characters and never containing "LinkedIn" in any
	// case. The Flow builds it from FlowConfig.ATSName and the customer's
	// name.
	Name string
	// Description is internal to LinkedIn. Defaults to Name.
	Description string
	// Domains are the origins serving the widgets (validJsSdkDomains,
	// RSC-105): each an absolute http(s) origin such as
	// "https://ats.example.com", without a trailing slash.
	Domains []string
	// CallbackURLs are OAuth redirect URLs (oauth2AuthorizedCallbackUrls):
	// each an absolute http(s) URL.
	CallbackURLs []string
}

// SpecError is a provisioning rule broken before anything is sent.
type SpecError struct {
	// Field is the provisioning request's field, by its LinkedIn name
	// such as "name" or "validJsSdkDomains[0]", and Rule the rule it
	// breaks.
	Field string
	Rule  string
}

// Error implements error.
func (e *SpecError) Error() string {
	return "onboarding: invalid child application: " + e.Field + " " + e.Rule
}

// appName returns "{atsName} - {customerName}" fitted to LinkedIn's rules:
// every "LinkedIn" (any case) is removed and the customer part is cut so the
// whole name has at most 50 characters.
func appName(atsName, customerName string) string {
	clean := func(s string) string {
		for {
			i, j := indexFold(s, "linkedin")
			if i < 0 {
				return strings.Join(strings.Fields(s), " ")
			}
			s = s[:i] + s[j:]
		}
	}
	a, c := clean(atsName), clean(customerName)
	name := a
	if c != "" {
		name = a + " - " + c
		if a == "" {
			name = c
		}
	}
	if utf8.RuneCountInString(name) > maxAppNameLen {
		name = strings.TrimSpace(string([]rune(name)[:maxAppNameLen]))
	}
	return name
}

// indexFold returns the bytes [i, j) of the first part of s equal to sub
// under Unicode case folding (strings.EqualFold), or -1, -1. The part may
// be longer or shorter in bytes than sub ("\u212A" is a 3-byte "K"), so
// an index found in strings.ToLower(s) would not do for cutting s.
func indexFold(s, sub string) (i, j int) {
	n := utf8.RuneCountInString(sub)
	for i = range s {
		j = i
		for k := 0; k < n && j < len(s); k++ {
			_, w := utf8.DecodeRuneInString(s[j:])
			j += w
		}
		if strings.EqualFold(s[i:j], sub) {
			return i, j
		}
	}
	return -1, -1
}

// Validate checks the spec against LinkedIn's provisioning rules
// (docs/linkedin-api.md §6.1): a foreign id, a name of 1-50 characters without
// "LinkedIn" (in any case), a name and description in valid UTF-8, origins
// without a trailing slash or path, absolute callback URLs. It returns a
// *SpecError.
func (s *ProvisionSpec) Validate() error {
	switch {
	case strings.TrimSpace(s.ForeignID) == "":
		return &SpecError{"uniqueForeignId", "is required"}
	case strings.TrimSpace(s.Name) == "":
		return &SpecError{"name", "is required"}
	case utf8.RuneCountInString(s.Name) > maxAppNameLen:
		return &SpecError{"name", fmt.Sprintf("has %d characters, more than %d", utf8.RuneCountInString(s.Name), maxAppNameLen)}
	case !utf8.ValidString(s.Name):
		return &SpecError{"name", "must be valid UTF-8"}
	case !utf8.ValidString(s.Description):
		return &SpecError{"description", "must be valid UTF-8"}
	}
	if i, _ := indexFold(s.Name, "linkedin"); i >= 0 {
		return &SpecError{"name", `must not contain "LinkedIn"`}
	}
	for i, d := range s.Domains {
		if err := validOrigin(d); err != "" {
			return &SpecError{fmt.Sprintf("validJsSdkDomains[%d]", i), err}
		}
	}
	for i, u := range s.CallbackURLs {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			return &SpecError{fmt.Sprintf("oauth2AuthorizedCallbackUrls[%d]", i), "must be an absolute http(s) URL"}
		}
	}
	return nil
}

func validOrigin(d string) string {
	if strings.HasSuffix(d, "/") {
		return "must not end with a slash"
	}
	u, err := url.Parse(d)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "must be an origin such as https://ats.example.com"
	}
	if u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "must be an origin (scheme, host and port only)"
	}
	return ""
}

func (s *ProvisionSpec) request() rsc.ProvisionRequest {
	desc := s.Description
	if desc == "" {
		desc = s.Name
	}
	return rsc.ProvisionRequest{
		UniqueForeignID:              s.ForeignID,
		Name:                         s.Name,
		Description:                  desc,
		ValidJSSDKDomains:            slices.Clone(s.Domains),
		OAuth2AuthorizedCallbackURLs: slices.Clone(s.CallbackURLs),
	}
}

// ChildApplication is a provisioned child application as the onboarding state
// keeps it: the secret stays in the SecretStore under SecretRef.
type ChildApplication struct {
	Key       string `json:"key"`             // urn:li:developerApplication:{id}
	ForeignID string `json:"uniqueForeignId"` // the application's uniqueForeignId
	// ClientID is the application's OAuth client id.
	ClientID string `json:"clientId"`
	// SecretRef is the key of the application's Credentials in the
	// SecretStore.
	SecretRef string `json:"secretRef"`
	// Domains and CallbackURLs are the application's validJsSdkDomains
	// and oauth2AuthorizedCallbackUrls, as LinkedIn returned them or
	// Ensure last set them.
	Domains      []string `json:"validJsSdkDomains,omitempty"`
	CallbackURLs []string `json:"oauth2AuthorizedCallbackUrls,omitempty"`
	// Created reports whether the last Ensure created the application.
	Created bool `json:"-"`
}

// Provisioner creates and maintains customers' child applications with the
// partner (parent application) client, and stores their credentials.
type Provisioner struct {
	partner *rsc.Client
	secrets SecretStore
	log     *slog.Logger
}

// NewProvisioner returns a Provisioner. partner must be the parent
// application's client; secrets receives every child secret. Neither may
// be nil, nor secrets hold a nil pointer (a nil *MemorySecretStore). Its
// options are WithClock and WithLogger.
func NewProvisioner(partner *rsc.Client, secrets SecretStore, opts ...Option) (*Provisioner, error) {
	if partner == nil || option.NonNil("onboarding", "NewProvisioner", secrets) != nil {
		return nil, errors.New("onboarding: NewProvisioner needs a partner client and a secret store")
	}
	c, err := newConfig(forProvisioner, opts)
	if err != nil {
		return nil, err
	}
	return &Provisioner{partner: partner, secrets: secrets, log: c.logger}, nil
}

func (p *Provisioner) keep(ctx context.Context, a *rsc.ProvisionedApplication) (ChildApplication, error) {
	app := ChildApplication{Key: a.Key, ForeignID: a.UniqueForeignID, ClientID: a.ClientID, SecretRef: secretRef(a.UniqueForeignID),
		Domains: slices.Clone(a.ValidJSSDKDomains), CallbackURLs: slices.Clone(a.OAuth2AuthorizedCallbackURLs)}
	if a.ClientSecret == "" {
		// LinkedIn did not return credentials this time: keep what is stored.
		if _, err := p.secrets.Get(ctx, app.SecretRef); err != nil {
			return app, fmt.Errorf("onboarding: application %s returned no credentials and none are stored: %w", a.Key, err)
		}
		return app, nil
	}
	if err := p.secrets.Put(ctx, app.SecretRef, Credentials{ClientID: a.ClientID, ClientSecret: a.ClientSecret}); err != nil {
		return app, err
	}
	return app, nil
}

// Lookup finds a child application by uniqueForeignId (P2) and refreshes the
// stored credentials. It returns an error matching rsc.ErrNotFound when
// there is none.
func (p *Provisioner) Lookup(ctx context.Context, foreignID string) (ChildApplication, error) {
	if ctx == nil {
		return ChildApplication{}, errNilContext
	}
	a, err := p.partner.Provisioning.Lookup(ctx, foreignID)
	if err != nil {
		return ChildApplication{}, err
	}
	return p.keep(ctx, a)
}

// Ensure returns the child application of spec.ForeignID, creating it if
// needed, and brings its JavaScript SDK domains and OAuth callback URLs in
// line with the spec (P3; order does not matter, nil means "leave alone").
// It is idempotent: call it again after a crash or a timeout.
func (p *Provisioner) Ensure(ctx context.Context, spec ProvisionSpec) (ChildApplication, error) {
	if ctx == nil {
		return ChildApplication{}, errNilContext
	}
	if err := spec.Validate(); err != nil {
		return ChildApplication{}, err
	}
	a, created, err := p.partner.Provisioning.Ensure(ctx, spec.request())
	if err != nil {
		return ChildApplication{}, err
	}
	app, err := p.keep(ctx, a)
	if err != nil {
		return app, err
	}
	app.Created = created
	if created {
		p.log.InfoContext(ctx, "rsc child application created", "key", app.Key, "uniqueForeignId", app.ForeignID, "clientId", app.ClientID)
	}
	if spec.Domains != nil && !sameSet(app.Domains, spec.Domains) {
		if err := p.updateDomains(ctx, &app, spec.Domains); err != nil {
			return app, err
		}
	}
	if spec.CallbackURLs != nil && !sameSet(app.CallbackURLs, spec.CallbackURLs) {
		if err := p.updateCallbackURLs(ctx, &app, spec.CallbackURLs); err != nil {
			return app, err
		}
	}
	return app, nil
}

// updateDomains sets the application's validJsSdkDomains (P3, RSC-105).
func (p *Provisioner) updateDomains(ctx context.Context, app *ChildApplication, domains []string) error {
	for i, d := range domains {
		if msg := validOrigin(d); msg != "" {
			return &SpecError{fmt.Sprintf("validJsSdkDomains[%d]", i), msg}
		}
	}
	if err := p.partner.Provisioning.UpdateDomains(ctx, app.Key, domains); err != nil {
		return err
	}
	app.Domains = slices.Clone(domains)
	return nil
}

// updateCallbackURLs sets the application's oauth2AuthorizedCallbackUrls (P3).
func (p *Provisioner) updateCallbackURLs(ctx context.Context, app *ChildApplication, urls []string) error {
	s := ProvisionSpec{ForeignID: "x", Name: "x", CallbackURLs: urls}
	if err := s.Validate(); err != nil {
		return err
	}
	if err := p.partner.Provisioning.UpdateCallbackURLs(ctx, app.Key, urls); err != nil {
		return err
	}
	app.CallbackURLs = slices.Clone(urls)
	return nil
}

// CustomerClient returns a client for the child application whose
// credentials are stored under secretRef, derived from the partner client
// (shared connection pool, own token and quota).
func (p *Provisioner) CustomerClient(ctx context.Context, secretRef string, opts ...rsc.Option) (*rsc.Client, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	creds, err := p.secrets.Get(ctx, secretRef)
	if err != nil {
		return nil, err
	}
	return p.partner.ForCustomer(creds.ClientID, creds.ClientSecret, opts...)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
