package onboarding

import (
	"bytes"
	"cmp"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rscgo/rscgo/internal/sameorigin"
)

//go:embed templates/*.html
var templateFS embed.FS

var templates = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// Widget defaults (docs/linkedin-api.md §6.2, §8.8).
const (
	// LoaderURL is LinkedIn's JavaScript SDK loader.
	LoaderURL = "https://platform.linkedin.com/xdoor/scripts/in.js"
	// DefaultIntegrationExtensionURL is the ATS Integration Configuration
	// Plugin extension of LinkedIn's sample page (docs/linkedin-api.md §6.2;
	// LinkedIn's current page does not show it whole: override it if
	// LinkedIn gives you another).
	DefaultIntegrationExtensionURL = "https://www.linkedin.com/recruiter/widget/ATSIntegration"
	// DefaultProfileExtensionURL is the Profile Plugin extension of the
	// current docs (the sample uses https://www.linkedin.com/recruiter/widget/hcm).
	DefaultProfileExtensionURL = "https://platform.linkedin.com/rsc/extensions/profile-widget"
	// DefaultIntegrateCallback is the global JS function the widget calls.
	DefaultIntegrateCallback = "rscgoIntegrationRequest"
)

// RSC bundled integration types of the widget.
const (
	BundleRSCCompany  = "RECRUITER_SYSTEM_CONNECT_COMPANY"  // ONE_CLICK_EXPORT, IN_ATS_INDICATOR, PROFILE_PLUGIN
	BundleRSCContract = "RECRUITER_SYSTEM_CONNECT_CONTRACT" // CSA_API
)

var (
	jsIdentRE = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]{0,63}$`)
	apiKeyRE  = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,128}$`)
	bundleRE  = regexp.MustCompile(`^[A-Z0-9_]{1,64}$`)
)

// IntegrationWidget configures the ATS Integration Configuration Plugin
// snippet for the customer's admin page.
type IntegrationWidget struct {
	// APIKey is the customer's child application client id (required).
	APIKey string
	// ExtensionURL defaults to DefaultIntegrationExtensionURL.
	ExtensionURL string
	// BundledTypes default to the two RSC bundles.
	BundledTypes []string
	// Callback is the global JS function name (DefaultIntegrateCallback).
	Callback string
	// Width in pixels (500).
	Width int
	// PostURL is where the callback POSTs the payload: a WidgetHandler.
	PostURL string
	// State is an opaque token posted back (see StateSigner).
	State string
}

// WidgetConfigError reports an unusable widget parameter.
type WidgetConfigError struct {
	// Field is the parameter, by its field name such as "APIKey", and
	// Rule the rule it breaks.
	Field, Rule string
}

// Error implements error.
func (e *WidgetConfigError) Error() string { return "onboarding: widget " + e.Field + " " + e.Rule }

func checkExtURL(field, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || strings.ContainsAny(raw, " \t\r\n\"'<>\\`") {
		return &WidgetConfigError{field, "must be an https URL"}
	}
	return nil
}

// Render writes the snippet: LinkedIn's loader with api_key and the
// ATSIntegrationWidget extension, the IN/ATSIntegrationWidget tag, and the
// onintegrate callback that POSTs {"state":..., "integrations":[...]} (see
// WidgetPayload) to PostURL and fires the DOM event "rscgo:integrated" with
// the handler's answer.
func (w IntegrationWidget) Render(out io.Writer) error {
	w.ExtensionURL = cmp.Or(w.ExtensionURL, DefaultIntegrationExtensionURL)
	w.Callback = cmp.Or(w.Callback, DefaultIntegrateCallback)
	w.Width = cmp.Or(max(w.Width, 0), 500)
	if len(w.BundledTypes) == 0 {
		w.BundledTypes = []string{BundleRSCCompany, BundleRSCContract}
	}
	switch {
	case !apiKeyRE.MatchString(w.APIKey):
		return &WidgetConfigError{"APIKey", "must be the child application's client id"}
	case !jsIdentRE.MatchString(w.Callback):
		return &WidgetConfigError{"Callback", "must be a JavaScript identifier"}
	case w.PostURL == "":
		return &WidgetConfigError{"PostURL", "is required"}
	}
	if err := checkExtURL("ExtensionURL", w.ExtensionURL); err != nil {
		return err
	}
	for _, b := range w.BundledTypes {
		if !bundleRE.MatchString(b) {
			return &WidgetConfigError{"BundledTypes", fmt.Sprintf("%q is not an enum symbol", b)}
		}
	}
	data := map[string]any{
		"Loader": LoaderURL,
		// Validated above: safe to place verbatim in the in.js configuration.
		"APIKey":       template.JS(w.APIKey),
		"ExtensionURL": template.JS(w.ExtensionURL),
		"Callback":     template.JS(w.Callback),
		"BundledTypes": strings.Join(w.BundledTypes, ","),
		"Width":        w.Width,
		"PostURL":      w.PostURL,
		"State":        w.State,
	}
	return execute(out, "integration_widget.html", data)
}

// ProfilePlugin configures the Profile Plugin (Enhanced ATS Profile
// Widget) snippet for a candidate page.
type ProfilePlugin struct {
	// APIKey is the customer's child application client id (required).
	APIKey string
	// ExtensionURL defaults to DefaultProfileExtensionURL.
	ExtensionURL string
	// ATSCandidateID is the candidate's id in the ATS (required).
	ATSCandidateID string
	// IntegrationContext is the organization URN of the customer's
	// PROFILE_PLUGIN integration (required).
	IntegrationContext string
	// ShowUnlinkURL and ConfirmUnlink are written as the tag's
	// data-show-unlink-url and data-confirm-unlink attributes.
	ShowUnlinkURL bool
	ConfirmUnlink bool
	// OnLink and OnUnlink name global JS functions receiving the member
	// (store the person URN on link). Optional.
	OnLink, OnUnlink string
	// Width in pixels (800).
	Width int
}

// Render writes the snippet.
func (p ProfilePlugin) Render(out io.Writer) error {
	p.ExtensionURL = cmp.Or(p.ExtensionURL, DefaultProfileExtensionURL)
	p.Width = cmp.Or(max(p.Width, 0), 800)
	switch {
	case !apiKeyRE.MatchString(p.APIKey):
		return &WidgetConfigError{"APIKey", "must be the child application's client id"}
	case p.ATSCandidateID == "":
		return &WidgetConfigError{"ATSCandidateID", "is required"}
	case !isOrganizationURN(p.IntegrationContext):
		return &WidgetConfigError{"IntegrationContext", "must be the organization URN of the PROFILE_PLUGIN integration"}
	case p.OnLink != "" && !jsIdentRE.MatchString(p.OnLink):
		return &WidgetConfigError{"OnLink", "must be a JavaScript identifier"}
	case p.OnUnlink != "" && !jsIdentRE.MatchString(p.OnUnlink):
		return &WidgetConfigError{"OnUnlink", "must be a JavaScript identifier"}
	}
	if err := checkExtURL("ExtensionURL", p.ExtensionURL); err != nil {
		return err
	}
	data := map[string]any{
		"Loader":             LoaderURL,
		"APIKey":             template.JS(p.APIKey),
		"ExtensionURL":       template.JS(p.ExtensionURL),
		"ATSCandidateID":     p.ATSCandidateID,
		"IntegrationContext": p.IntegrationContext,
		"ShowUnlinkURL":      p.ShowUnlinkURL,
		"ConfirmUnlink":      p.ConfirmUnlink,
		"OnLink":             template.JS(p.OnLink), // validated identifier (html/template treats data-on* as JS)
		"OnUnlink":           template.JS(p.OnUnlink),
		"Width":              p.Width,
	}
	return execute(out, "profile_plugin.html", data)
}

func execute(out io.Writer, name string, data any) error {
	var buf bytes.Buffer // render fully before writing: no half snippet on error
	if err := templates.ExecuteTemplate(&buf, name, data); err != nil {
		return err
	}
	_, err := buf.WriteTo(out)
	return err
}

// WidgetIntegration is one element of the widget's onintegrate payload.
type WidgetIntegration struct {
	// IntegrationType is an integration type or a bundle name; it is not
	// checked.
	IntegrationType string `json:"integrationType,omitempty"`
	// IntegrationContext must be urn:li:organization:{id} or
	// urn:li:contract:{id}; white space around it is ignored.
	IntegrationContext string `json:"integrationContext"`
	// TenantType is kept as sent; it is not checked.
	TenantType string `json:"tenantType,omitempty"`
}

// WidgetPayload is the JSON a WidgetHandler accepts. LinkedIn does not
// document what onintegrate receives, so the handler is lenient:
//
//	{
//	  "state": "<token from StateSigner, echoed by the rendered snippet>",
//	  "integrations": [
//	    {"integrationType": "ONE_CLICK_EXPORT", "integrationContext": "urn:li:organization:123", "tenantType": "RECRUITER"},
//	    {"integrationType": "CSA_API", "integrationContext": "urn:li:contract:456"}
//	  ],
//	  "organization": "urn:li:organization:123",   // optional, overrides
//	  "contract": "urn:li:contract:456"            // optional, overrides
//	}
//
// The organization URN is taken from any element whose integrationContext
// is urn:li:organization:{id}, the contract URN from urn:li:contract:{id},
// whatever the integrationType (bundle names such as
// RECRUITER_SYSTEM_CONNECT_CONTRACT are fine). The state token is
// required: WidgetHandler refuses a payload without one (a bare JSON array
// of elements parses, but carries none). At least one URN is required;
// two different organizations or two different contracts are refused.
type WidgetPayload struct {
	// State is the token from StateSigner that the rendered snippet
	// echoes; WidgetHandler refuses a payload without a valid one.
	State string `json:"state,omitempty"`
	// Integrations are the widget's elements; see WidgetIntegration. They
	// must not name two different organizations or two different
	// contracts.
	Integrations []WidgetIntegration `json:"integrations"`
	// Organization, when set, must be urn:li:organization:{id} and
	// overrides the elements'; otherwise it is taken from them.
	Organization string `json:"organization,omitempty"`
	// Contract, when set, must be urn:li:contract:{id} and overrides the
	// elements'; otherwise it is taken from them.
	Contract string `json:"contract,omitempty"`
}

// parseWidgetPayload decodes and normalises a payload: Organization and
// Contract are filled in from the elements.
func parseWidgetPayload(body []byte) (WidgetPayload, error) {
	var p WidgetPayload
	b := bytes.TrimSpace(body)
	if len(b) > 0 && b[0] == '[' {
		if err := json.Unmarshal(b, &p.Integrations); err != nil {
			return p, fmt.Errorf("onboarding: widget payload: %w", err)
		}
	} else if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("onboarding: widget payload: %w", err)
	}
	return p, p.normalise()
}

func (p *WidgetPayload) normalise() error {
	set := func(dst *string, v, what string) error {
		if *dst != "" && *dst != v {
			return fmt.Errorf("onboarding: widget payload names two %ss (%s, %s)", what, *dst, v)
		}
		*dst = v
		return nil
	}
	org, con := p.Organization, p.Contract
	if org != "" && !isOrganizationURN(org) {
		return fmt.Errorf("onboarding: widget payload: %q is not an organization URN", org)
	}
	if con != "" && !isContractURN(con) {
		return fmt.Errorf("onboarding: widget payload: %q is not a contract URN", con)
	}
	var fromOrg, fromCon string
	for _, in := range p.Integrations {
		switch c := strings.TrimSpace(in.IntegrationContext); {
		case isOrganizationURN(c):
			if err := set(&fromOrg, c, "organization"); err != nil {
				return err
			}
		case isContractURN(c):
			if err := set(&fromCon, c, "contract"); err != nil {
				return err
			}
		default:
			return fmt.Errorf("onboarding: widget payload: integrationContext %q is neither an organization nor a contract URN", c)
		}
	}
	if org == "" {
		org = fromOrg
	}
	if con == "" {
		con = fromCon
	}
	if org == "" && con == "" {
		return errors.New("onboarding: widget payload carries no organization or contract URN")
	}
	p.Organization, p.Contract = org, con
	return nil
}

// StateSigner issues and checks the state token of a rendered widget
// (HMAC-SHA256). A token names a customer and contract label, is bound to
// the ATS session it was issued for, carries a single-use nonce and
// expires (DefaultStateTTL). NewStateSigner returns one.
type StateSigner struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// NewStateSigner returns a signer keyed by key: at least 32 random bytes
// (crypto/rand), kept secret and shared by every process that serves the
// widget. A key of one byte repeated (a zeroed buffer) is refused. Its
// options are WithClock and WithStateTTL.
func NewStateSigner(key []byte, opts ...Option) (*StateSigner, error) {
	if len(key) < 32 {
		return nil, fmt.Errorf("onboarding: NewStateSigner: key has %d bytes, need at least 32", len(key))
	}
	if bytes.Count(key, key[:1]) == len(key) {
		return nil, errors.New("onboarding: NewStateSigner: key is one byte repeated; use random bytes (crypto/rand)")
	}
	c, err := newConfig(forSigner, opts)
	if err != nil {
		return nil, err
	}
	return &StateSigner{key: slices.Clone(key), ttl: c.stateTTL, now: c.clock.Now}, nil
}

// LogValue never logs the key.
func (s *StateSigner) LogValue() slog.Value { return slog.StringValue("onboarding.StateSigner") }

// String never prints the key.
func (s *StateSigner) String() string { return "onboarding.StateSigner" }

// GoString never prints the key.
func (s *StateSigner) GoString() string { return s.String() }

type widgetState struct {
	Customer string `json:"c"`
	Label    string `json:"l,omitempty"`
	Nonce    string `json:"n"`
	Session  string `json:"s"` // a MAC of the session, not the session
	// Expires is when the token stops verifying, in epoch milliseconds
	// (under "x": a token of an earlier version, with seconds under "e",
	// reads as expired).
	Expires int64 `json:"x"`
}

// ErrBadState is returned for a missing, forged, expired, replayed or
// foreign widget state token.
var ErrBadState = errors.New("onboarding: invalid or expired widget state")

func (s *StateSigner) mac(domain string, b []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(domain))
	m.Write([]byte{0})
	m.Write(b)
	return m.Sum(nil)
}

func (s *StateSigner) sessionTag(session string) string {
	return base64.RawURLEncoding.EncodeToString(s.mac("rscgo-widget-session", []byte(session))[:16])
}

// Sign returns a token for the customer's contract label, bound to session
// (an identifier of the ATS admin's session, such as its id; only a MAC of
// it goes into the token), and its nonce. The nonce must be consumed when
// the token is first used: Flow.Widget records it and the flow accepts it
// once.
func (s *StateSigner) Sign(customerID, label, session string) (token, nonce string, err error) {
	if session == "" {
		return "", "", errors.New("onboarding: a widget state must be bound to a session")
	}
	n := make([]byte, 16)
	if _, err := rand.Read(n); err != nil {
		return "", "", err
	}
	nonce = base64.RawURLEncoding.EncodeToString(n)
	b, _ := json.Marshal(widgetState{Customer: customerID, Label: label, Nonce: nonce, Session: s.sessionTag(session),
		Expires: s.now().Add(s.ttl).UnixMilli()})
	enc := base64.RawURLEncoding
	return enc.EncodeToString(b) + "." + enc.EncodeToString(s.mac("rscgo-widget-state", b)), nonce, nil
}

// Verify checks a token's signature, expiry and session, and returns its
// customer id, label and nonce. A token stops verifying the millisecond its
// TTL (WithStateTTL) has run out. It does not consume the nonce.
func (s *StateSigner) Verify(token, session string) (customerID, label, nonce string, err error) {
	enc := base64.RawURLEncoding
	p, m, ok := strings.Cut(token, ".")
	if !ok || session == "" {
		return "", "", "", ErrBadState
	}
	b, err1 := enc.DecodeString(p)
	sig, err2 := enc.DecodeString(m)
	if err1 != nil || err2 != nil || !hmac.Equal(sig, s.mac("rscgo-widget-state", b)) {
		return "", "", "", ErrBadState
	}
	var ws widgetState
	if json.Unmarshal(b, &ws) != nil || !s.now().Before(time.UnixMilli(ws.Expires)) || ws.Nonce == "" ||
		!hmac.Equal([]byte(ws.Session), []byte(s.sessionTag(session))) {
		return "", "", "", ErrBadState
	}
	return ws.Customer, ws.Label, ws.Nonce, nil
}

// SessionFunc identifies the ATS admin posting the widget's payload: the
// customer they administer and their session (for example the session
// id). An error refuses the post (403).
type SessionFunc func(r *http.Request) (customerID, session string, err error)

// WidgetHandler is the http.Handler the rendered snippet POSTs to;
// Flow.WidgetHandler returns one. A page on another origin listed in
// FlowConfig.Domains may post too: the handler answers its CORS preflight
// (OPTIONS, 204) and its post with Access-Control-Allow-Origin naming that
// origin and Access-Control-Allow-Credentials, and the snippet sends the
// page's cookies (fetch credentials "include"), so the SessionFunc sees the
// admin's session if the cookie's SameSite allows it. In order it refuses:
// a method other than POST, or OPTIONS from such an origin (405); a
// Content-Type other than application/json, which a page of
// another site cannot send without a CORS preflight (415); an Origin that
// is not one of FlowConfig.Domains or the handler's own host, or, without
// Origin, a Sec-Fetch-Site other than same-origin (403); a body over 64
// KiB (413) or not a WidgetPayload (400); a request the SessionFunc does
// not identify (403); a state token that is forged, expired, issued for
// another session or another customer, already used, or issued before
// consent was withdrawn and given again (403); widget input
// while the plug-in is off or consent does not stand (ErrNotConsented:
// a page rendered before the plug-in was switched off), or for a contract
// whose integrations are enabled, until the admin restarts onboarding
// with Input.Restart (409); URNs LinkedIn does not report for
// the customer's application, or another failure of the flow (500, the
// message generic, the error logged). Otherwise it answers the Progress as
// JSON.
//
// Serve it from an http.Server with a ReadTimeout (a few seconds): it
// reads up to 64 KiB of body before the SessionFunc runs, and only the
// server's deadline stops a client that sends it slowly.
type WidgetHandler struct {
	signer  *StateSigner
	session SessionFunc
	origins []string
	flow    *Flow
}

const maxWidgetBody = 64 << 10

// ServeHTTP implements http.Handler.
func (h *WidgetHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fail := func(code int, msg string, err error) {
		if err != nil {
			h.flow.log.WarnContext(r.Context(), "rsc widget post-back refused", "status", code, "err", err)
		}
		writeJSON(w, code, map[string]string{"error": msg})
	}
	if h.allowCrossOrigin(w, r) && r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if code, msg := h.check(r); code != 0 {
		if code == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", http.MethodPost)
		}
		fail(code, msg, errors.New(msg))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWidgetBody))
	if err != nil {
		fail(http.StatusRequestEntityTooLarge, "payload too large", err)
		return
	}
	p, err := parseWidgetPayload(body)
	if err != nil {
		fail(http.StatusBadRequest, err.Error(), err)
		return
	}
	customerID, session, err := h.session(r)
	if err != nil || customerID == "" {
		fail(http.StatusForbidden, "unknown customer", err)
		return
	}
	owner, label, nonce, err := h.signer.Verify(p.State, session)
	if err == nil && owner != customerID {
		err = fmt.Errorf("%w: issued for another customer", ErrBadState)
	}
	if err != nil {
		fail(http.StatusForbidden, "invalid widget state", err)
		return
	}
	res, err := h.flow.Advance(r.Context(), customerID, Input{Contract: &ContractChoice{Label: label}, Widget: &p, widgetNonce: nonce})
	switch {
	case errors.Is(err, ErrBadState):
		fail(http.StatusForbidden, "invalid widget state", err)
	case errors.Is(err, ErrEnabled):
		fail(http.StatusConflict, "the integration is enabled; restart onboarding to change it", err)
	case errors.Is(err, ErrNotConsented):
		fail(http.StatusConflict, "the LinkedIn plug-in is off or consent is not given", err)
	case err != nil:
		fail(http.StatusInternalServerError, "could not record the integration request", err)
	default:
		writeJSON(w, http.StatusOK, res)
	}
}

// allowCrossOrigin adds the CORS headers that let a page on another origin
// of FlowConfig.Domains post to the handler and read its answer, and
// reports whether the request is from such an origin. A preflight must ask
// for POST with at most the Content-Type header.
func (h *WidgetHandler) allowCrossOrigin(w http.ResponseWriter, r *http.Request) bool {
	w.Header().Add("Vary", "Origin")
	o := r.Header.Get("Origin")
	if o == "" || sameorigin.Is(o, r) || !slices.Contains(h.origins, o) {
		return false
	}
	if r.Method == http.MethodOptions {
		if r.Header.Get("Access-Control-Request-Method") != http.MethodPost {
			return false
		}
		for _, hd := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
			if hd = strings.TrimSpace(hd); hd != "" && !strings.EqualFold(hd, "Content-Type") {
				return false
			}
		}
		w.Header().Set("Access-Control-Allow-Methods", http.MethodPost)
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
		w.Header().Set("Access-Control-Max-Age", "600")
	}
	w.Header().Set("Access-Control-Allow-Origin", o)
	w.Header().Set("Access-Control-Allow-Credentials", "true")
	return true
}

// check refuses what a cross-site request could be: a method other than
// POST, a body other than JSON, a foreign Origin or Sec-Fetch-Site.
func (h *WidgetHandler) check(r *http.Request) (int, string) {
	if r.Method != http.MethodPost {
		return http.StatusMethodNotAllowed, "POST only"
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return http.StatusUnsupportedMediaType, "Content-Type must be application/json"
	}
	if o := r.Header.Get("Origin"); o != "" {
		if !sameorigin.Is(o, r) && !slices.Contains(h.origins, o) {
			return http.StatusForbidden, "cross-origin post refused"
		}
		return 0, ""
	}
	if s := r.Header.Get("Sec-Fetch-Site"); s != "" && s != "same-origin" {
		return http.StatusForbidden, "cross-site post refused"
	}
	return 0, ""
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
