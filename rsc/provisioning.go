package rsc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/rscgo/rscgo/internal/restli"
)

// ProvisioningService creates and looks up customers' child applications
// (provisionedApplications). Use the partner (parent application) client.
//
// LinkedIn publishes the Provisioning API only under /v2
// (docs/linkedin-api.md §6.1), so its calls go to /v2 with Rest.li 1.0 and
// no LinkedIn-Version header even from a client built WithVersion, and from
// the clients ForCustomer derives from it.
type ProvisioningService service

// ProvisionRequest creates a customer's child application
// (docs/linkedin-api.md §6.1). The rules on each field are the ones Validate,
// Create and Ensure check before sending ("text" as on Candidate).
type ProvisionRequest struct {
	// UniqueForeignID is your id for the customer instance; unique per
	// partner. Required text of at most 255 characters.
	UniqueForeignID string `json:"uniqueForeignId"`
	// Name is shown on the OAuth consent dialog: required text of at most 50
	// characters, never containing "LinkedIn" (any case). Suggested:
	// "{ATS Name} - {Customer Name}".
	Name string `json:"name"`
	// Description is required text.
	Description string `json:"description"`
	// OAuth2AuthorizedCallbackURLs are full redirect URLs: each an absolute
	// http(s) URL.
	OAuth2AuthorizedCallbackURLs []string `json:"oauth2AuthorizedCallbackUrls,omitempty"`
	// ValidJSSDKDomains are the origins serving the widgets: each an
	// absolute http(s) URL with no path, query or trailing slash.
	ValidJSSDKDomains []string `json:"validJsSdkDomains,omitempty"`
}

// ProvisionedApplication is a customer's child application with its
// credentials. Keep ClientSecret in a secret store: String, GoString,
// LogValue and MarshalJSON all leave it out.
type ProvisionedApplication struct {
	Key string `json:"key"` // urn:li:developerApplication:{id}
	// UniqueForeignID is the customer instance's id from the
	// ProvisionRequest; Create fills it in from the request when
	// LinkedIn's answer leaves it out.
	UniqueForeignID string `json:"uniqueForeignId"`
	// Name and Description are as LinkedIn holds them (see
	// ProvisionRequest).
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	// ClientID is the child application's OAuth client id.
	ClientID string `json:"clientId"`
	// ClientSecret is the child application's OAuth client secret.
	ClientSecret string `json:"clientSecret"`
	// ValidJSSDKDomains and OAuth2AuthorizedCallbackURLs are the widget
	// origins and redirect URLs LinkedIn holds for the application (see
	// ProvisionRequest, UpdateDomains and UpdateCallbackURLs).
	ValidJSSDKDomains            []string `json:"validJsSdkDomains,omitempty"`
	OAuth2AuthorizedCallbackURLs []string `json:"oauth2AuthorizedCallbackUrls,omitempty"`
}

// String never prints the client secret.
func (a ProvisionedApplication) String() string {
	return fmt.Sprintf("ProvisionedApplication{Key:%s UniqueForeignID:%s ClientID:%s}", a.Key, a.UniqueForeignID, a.ClientID)
}

// GoString never prints the client secret.
func (a ProvisionedApplication) GoString() string { return a.String() }

// LogValue gives log/slog the application without its client secret (shown
// as "[REDACTED]" when set).
func (a ProvisionedApplication) LogValue() slog.Value {
	return slog.GroupValue(slog.String("key", a.Key), slog.String("uniqueForeignId", a.UniqueForeignID),
		slog.String("clientId", a.ClientID), slog.String("clientSecret", redactedUnlessEmpty(a.ClientSecret)))
}

// MarshalJSON encodes the application with its client secret replaced by
// "[REDACTED]", so that marshalling it by accident (into a log, an API
// answer, a debug dump) cannot leak the secret. Store ClientSecret
// explicitly, in a secret store. Decoding (LinkedIn's answer) is unaffected.
func (a ProvisionedApplication) MarshalJSON() ([]byte, error) {
	type plain ProvisionedApplication // without this method
	p := plain(a)
	p.ClientSecret = redactedUnlessEmpty(p.ClientSecret)
	return json.Marshal(p)
}

func redactedUnlessEmpty(s string) string {
	if s == "" {
		return ""
	}
	return redactedText
}

// Validate checks the request against the rules documented on its fields.
func (r *ProvisionRequest) Validate() error {
	v := &validator{res: resProvisioning.legacy, key: r.UniqueForeignID}
	v.text("uniqueForeignId", r.UniqueForeignID, true, 255)
	v.text("name", r.Name, true, 50)
	if strings.Contains(strings.ToLower(r.Name), "linkedin") {
		v.fail("name", `must not contain "LinkedIn"`)
	}
	v.text("description", r.Description, true, 0)
	checkDomains(v, r.ValidJSSDKDomains)
	for i, u := range r.OAuth2AuthorizedCallbackURLs {
		v.url(fmt.Sprintf("oauth2AuthorizedCallbackUrls[%d]", i), u, true)
	}
	return v.result()
}

func checkDomains(v *validator, domains []string) {
	for i, d := range domains {
		f := fmt.Sprintf("validJsSdkDomains[%d]", i)
		v.url(f, d, true)
		if strings.HasSuffix(d, "/") {
			v.fail(f, "must not end with a slash")
		}
		if _, rest, _ := strings.Cut(d, "://"); strings.ContainsAny(rest, "/?#") {
			v.fail(f, "must be an origin (scheme://host[:port]) without a path or query")
		}
	}
}

// Create provisions a child application (POST create). It is not retried
// automatically: use Ensure, which is idempotent. When LinkedIn's answer
// names no key (in its body or X-RestLi-Id), the application is read back
// with Lookup.
func (s *ProvisioningService) Create(ctx context.Context, req ProvisionRequest) (*ProvisionedApplication, error) {
	c := s.c
	if err := req.Validate(); err != nil {
		return nil, err
	}
	body, err := marshalBody(&req)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, &call{method: http.MethodPost, path: "/" + resProvisioning.legacy, body: body, res: resProvisioning})
	if err != nil {
		return nil, err
	}
	app := &ProvisionedApplication{}
	if len(resp.body) > 0 {
		if err := json.Unmarshal(resp.body, app); err != nil {
			return nil, c.red.Error(fmt.Errorf("rsc: decoding provisioned application: %w", err))
		}
	}
	if app.Key == "" {
		app.Key = restliID(resp.header.Get("X-Restli-Id"))
	}
	if app.Key == "" {
		// Created, but the answer names no key: read the application back.
		found, err := s.Lookup(ctx, req.UniqueForeignID)
		switch {
		case errors.Is(err, ErrNotFound): // not ErrNotFound: it was created
			return nil, fmt.Errorf("rsc: the child application %q was created, but LinkedIn's answer names no key and it cannot be read back yet: look it up later", req.UniqueForeignID)
		case err != nil:
			return nil, fmt.Errorf("rsc: the child application %q was created, but LinkedIn's answer names no key and reading it back failed: %w", req.UniqueForeignID, err)
		}
		return found, nil
	}
	if app.UniqueForeignID == "" {
		app.UniqueForeignID = req.UniqueForeignID
	}
	return app, nil
}

// restliID returns the simple id an X-RestLi-Id header names, with its
// reduced escapes undone (urn%3Ali%3AdeveloperApplication%3A7 is
// urn:li:developerApplication:7), or "" when the header is absent or not a
// simple id.
func restliID(h string) string {
	if k, id, err := restli.DecodeRestliID(h); err == nil && k == nil {
		return id
	}
	return ""
}

// Lookup finds a child application by uniqueForeignId (finder
// credentialsByUniqueForeignId). It returns ErrNotFound when there is none.
func (s *ProvisioningService) Lookup(ctx context.Context, uniqueForeignID string) (*ProvisionedApplication, error) {
	c := s.c
	resp, err := c.do(ctx, &call{method: http.MethodGet, path: "/" + resProvisioning.legacy,
		// Rest.li 1.0 whatever the client's family: the resource is pinned to /v2.
		query: "q=credentialsByUniqueForeignId&" + restli.EncodeParam(restli.Protocol1, "uniqueForeignId", uniqueForeignID),
		res:   resProvisioning, idempotent: true})
	if err != nil {
		return nil, err
	}
	var col collection[ProvisionedApplication]
	if err := json.Unmarshal(resp.body, &col); err != nil {
		return nil, c.red.Error(fmt.Errorf("rsc: decoding provisioned applications: %w", err))
	}
	if len(col.Elements) == 0 {
		return nil, fmt.Errorf("rsc: no application with uniqueForeignId %q: %w", uniqueForeignID, ErrNotFound)
	}
	return &col.Elements[0], nil
}

// Ensure returns the child application for req.UniqueForeignID, creating it
// if it does not exist. It is safe to call again after a crash or a timeout:
// a create that raced or was applied without an answer is found by Lookup.
func (s *ProvisioningService) Ensure(ctx context.Context, req ProvisionRequest) (app *ProvisionedApplication, created bool, err error) {
	if err := req.Validate(); err != nil {
		return nil, false, err
	}
	app, err = s.Lookup(ctx, req.UniqueForeignID)
	if err == nil {
		return app, false, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, false, err
	}
	app, err = s.Create(ctx, req)
	if errors.Is(err, ErrConflict) {
		app, err = s.Lookup(ctx, req.UniqueForeignID)
		return app, false, err
	}
	return app, err == nil, err
}

// UpdateDomains sets validJsSdkDomains on a child application (partial_update $set).
func (s *ProvisioningService) UpdateDomains(ctx context.Context, appKey string, domains []string) error {
	v := &validator{res: resProvisioning.legacy, key: appKey}
	checkDomains(v, domains)
	if err := v.result(); err != nil {
		return err
	}
	return s.patch(ctx, appKey, "validJsSdkDomains", domains)
}

// UpdateCallbackURLs sets oauth2AuthorizedCallbackUrls on a child application.
func (s *ProvisioningService) UpdateCallbackURLs(ctx context.Context, appKey string, urls []string) error {
	v := &validator{res: resProvisioning.legacy, key: appKey}
	for i, u := range urls {
		v.url(fmt.Sprintf("oauth2AuthorizedCallbackUrls[%d]", i), u, true)
	}
	if err := v.result(); err != nil {
		return err
	}
	return s.patch(ctx, appKey, "oauth2AuthorizedCallbackUrls", urls)
}

func (s *ProvisioningService) patch(ctx context.Context, appKey, field string, values []string) error {
	c := s.c
	if values == nil {
		values = []string{}
	}
	body := setPatch(field, values)
	// Postman puts the application URN raw in the path.
	_, err := c.do(ctx, &call{method: http.MethodPost, path: "/" + resProvisioning.legacy + "/" + appKey, body: body,
		res: resProvisioning, idempotent: true})
	return err
}
