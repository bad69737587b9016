package console

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/rscgo/rscgo/internal/sameorigin"
	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// maxFormBytes bounds the body of a request (see Handler).
const maxFormBytes = 1 << 20

// sessionCookie names the cookie that binds an operator's anti-CSRF token
// to one browser session.
const sessionCookie = "rscgo_console_session"

// Handler is the ops console, an http.Handler. Routes, relative to where it
// is mounted (it only makes relative links, so it works behind
// http.StripPrefix):
//
//	GET  /               every customer: onboarding step, integration status,
//	                     milestones, per-phase progress, dead-letter count,
//	                     and with WithFleet the process holding its lease and
//	                     its jobs, with the fleet's processes
//	GET  /customer?id=X  one customer, with its dead letters and their reasons
//	                     and its last content reconciliation
//	POST /retry          retries dead letters (form: customer, key..., csrf)
//	POST /reconcile      reconciles a customer's content (form: customer, csrf)
//
// An action's customer and keys may come in its URL's query instead of
// its form, as the pages' forms send them: query-escaped, they carry every
// id, even one holding NUL or bytes that are not UTF-8, which a form field
// of an HTML page cannot. A POST whose URL and form name different
// customers is refused (400).
//
// A request's body is at most 1 MiB, bounded before anything reads it:
// an action with a larger one is answered 413 Request Entity Too Large and
// does nothing, and one whose form does not parse (an escape such as %zz
// in its URL or body) is answered 400. The pages' forms post less than 100
// bytes (their customer and key are in their URL), but rscctl's dead retry
// and resync post every key they are given in one form: 1 MiB holds about
// 35 000 keys of ten-character ids (key=candidate%2F%2F1234567890&), and
// over 300 of keys whose two ids have the 512 bytes rsc allows, each byte
// percent-encoded.
//
// Every request must come with an allowed Host (403 otherwise) from an
// operator the Authorizer accepts (401 otherwise). A POST must also carry
// the anti-CSRF token of the page it came from, bound to the operator and
// to the browser session's cookie and checked in constant time, and, when
// the browser says where it comes from (Origin, Sec-Fetch-Site), come from
// the console's own origin (403 otherwise). Pages are HTML rendered by
// html/template, need no JavaScript, are never cached and reload themselves
// (GET pages only).
type Handler struct {
	cfg   config
	mux   *http.ServeMux
	recon reconciled // the last content reconciliation of each customer
}

// New returns the console. WithCustomers, WithAuthorizer and
// WithAllowedHosts are required.
func New(opts ...Option) (*Handler, error) {
	c := config{clock: rsc.SystemClock(), refresh: defaultRefresh, maxDead: defaultMaxDead}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("console: nil option")
		}
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	switch {
	case c.customers == nil:
		return nil, errors.New("console: New: WithCustomers is required")
	case c.auth == nil:
		return nil, errors.New("console: New: WithAuthorizer is required")
	case len(c.hosts) == 0:
		return nil, errors.New("console: New: WithAllowedHosts is required")
	}
	if c.csrfKey == nil {
		c.csrfKey = make([]byte, 32)
		_, _ = rand.Read(c.csrfKey) // never fails (crypto/rand)
	}
	h := &Handler{cfg: c, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /{$}", h.overview)
	h.mux.HandleFunc("GET /customer", h.customer)
	h.mux.HandleFunc("POST /retry", h.retryPost)
	h.mux.HandleFunc("POST /reconcile", h.reconcilePost)
	return h, nil
}

// EngineRetry returns a RetryFunc that retries through the customer's sync
// engine (Engine.RetryDeadLetters), which reads the records with the keys
// asked for again from the Source and resends them. engine returns the
// customer's engine; the engine refuses a retry while it runs in this
// process, and the operator sees that error. Where the customers' syncs run
// in other processes (a fleet on fleet/riverrun), use the Runner's Retry
// instead: it takes the customer's lease, so that a slice running elsewhere
// cannot commit its checkpoint over the retry's.
func EngineRetry(engine func(ctx context.Context, customerID string) (*rscsync.Engine, error)) RetryFunc {
	return func(ctx context.Context, customerID string, keys []string) error {
		e, err := engine(ctx, customerID)
		if err != nil {
			return err
		}
		_, err = e.RetryDeadLetters(ctx, keys...)
		return err
	}
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	if !h.cfg.hostAllowed(r.Host) {
		http.Error(w, "console: host not allowed", http.StatusForbidden)
		return
	}
	if r.Body != nil { // bounded before anything reads it, the Authorizer included
		r = r.WithContext(r.Context())
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	}
	op, ok := h.cfg.auth(r)
	if !ok || op == "" {
		http.Error(w, "console: not an authenticated operator", http.StatusUnauthorized)
		return
	}
	h.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), operatorKey{}, op)))
}

// operatorKey keys the operator's name in a request's context.
type operatorKey struct{}

func operator(r *http.Request) string { s, _ := r.Context().Value(operatorKey{}).(string); return s }

// session returns the browser session's id, setting a new session cookie
// when the request has none. The cookie is Secure when the request came
// over TLS, to this process or to a proxy in front of it that says so
// (X-Forwarded-Proto: https): a client that forges that header only keeps
// its own cookie off plain http.
func session(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(sessionCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	id := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"), SameSite: http.SameSiteStrictMode})
	return id
}

// token is the anti-CSRF token of an operator in a session.
func (h *Handler) token(op, sess string) string {
	m := hmac.New(sha256.New, h.cfg.csrfKey)
	m.Write([]byte("rscgo console csrf\x00" + op + "\x00" + sess))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkPost refuses a POST that is not from the console's page in the
// operator's session: it says why, or "" when the POST is acceptable.
func (h *Handler) checkPost(r *http.Request) string {
	if o := r.Header.Get("Origin"); o != "" && !sameorigin.Is(o, r) {
		return "cross-origin request"
	}
	if s := r.Header.Get("Sec-Fetch-Site"); s != "" && s != "same-origin" {
		return "cross-site request"
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || len(c.Value) < 32 {
		return "no console session (reload the page)"
	}
	want := h.token(operator(r), c.Value)
	if !hmac.Equal([]byte(r.PostFormValue("csrf")), []byte(want)) {
		return "invalid or missing anti-CSRF token (reload the page)"
	}
	return ""
}

// known reports whether the customer is one the console lists.
func (h *Handler) known(ctx context.Context, id string) (bool, error) {
	ids, err := h.cfg.customers(ctx)
	if err != nil {
		return false, err
	}
	return slices.Contains(ids, id), nil
}
