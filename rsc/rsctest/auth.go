package rsctest

import (
	"crypto/subtle"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// token is an issued 2-legged access token.
type token struct {
	value    string
	clientID string
	cust     *Customer // nil for the parent (partner) application
	issued   time.Time
	expires  time.Time
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// lookupClient returns the customer (nil for the partner) owning clientID and
// whether the secret matches.
func (s *Server) lookupClient(clientID, secret string) (cust *Customer, known, ok bool) {
	eq := func(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
	if clientID == s.cfg.partnerID {
		return nil, true, eq(secret, s.cfg.partnerSecret)
	}
	s.mu.RLock()
	c := s.customers[clientID]
	s.mu.RUnlock()
	if c == nil {
		return nil, false, false
	}
	return c, true, eq(secret, c.ClientSecret)
}

// serveToken implements A1: POST form grant_type=client_credentials. Client
// credentials may be in the form or in HTTP Basic auth.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, e *LogEntry) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, oauthError{"invalid_request", "use POST"})
		return
	}
	form, status, err := readTokenForm(w, r)
	if err != nil {
		writeJSON(w, status, oauthError{"invalid_request", err.Error()})
		return
	}
	r.PostForm = form
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, oauthError{"unsupported_grant_type", "grant_type must be client_credentials"})
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok && id == "" {
		id, secret = u, p
	}
	e.ClientID = id
	cust, known, ok := s.lookupClient(id, secret)
	if !known || !ok {
		writeJSON(w, http.StatusUnauthorized, oauthError{"invalid_client", "Client authentication failed"})
		return
	}
	now := s.now()
	t := &token{value: "AQ" + s.randHex(24), clientID: id, cust: cust, issued: now, expires: now.Add(s.cfg.tokenTTL)}
	s.mu.Lock()
	s.tokens[t.value] = t
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, tokenResponse{AccessToken: t.value, ExpiresIn: int64(s.cfg.tokenTTL / time.Second)})
}

// serveIntrospect implements A2 (form: client_id, client_secret, token).
func (s *Server) serveIntrospect(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "POST a form"})
		return
	}
	if _, known, ok := s.lookupClient(r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")); !known || !ok {
		writeJSON(w, http.StatusUnauthorized, oauthError{"invalid_client", "Client authentication failed"})
		return
	}
	s.mu.RLock()
	t := s.tokens[r.PostForm.Get("token")]
	s.mu.RUnlock()
	now := s.now()
	if t == nil {
		writeJSON(w, http.StatusOK, map[string]any{"active": false, "status": "revoked"})
		return
	}
	status := "active"
	if !now.Before(t.expires) {
		status = "expired"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"active": status == "active", "client_id": t.clientID, "authorized_at": t.issued.Unix(),
		"created_at": t.issued.Unix(), "status": status, "expires_at": t.expires.Unix(),
		"scope": "r_ats_integrations", "auth_type": "2L",
	})
}

// authenticate checks the bearer token of an API request.
func (s *Server) authenticate(r *http.Request) (*token, int, string) {
	h := r.Header.Get("Authorization")
	v, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || v == "" {
		return nil, http.StatusUnauthorized, "Empty oauth2_access_token"
	}
	s.mu.RLock()
	t := s.tokens[strings.TrimSpace(v)]
	s.mu.RUnlock()
	if t == nil {
		return nil, http.StatusUnauthorized, "Invalid access token"
	}
	if !s.now().Before(t.expires) {
		return nil, http.StatusUnauthorized, "The token used in the request has expired"
	}
	return t, 0, ""
}

// RevokeTokens invalidates, now, every access token issued to clientID (a
// customer's or the partner's). Later requests with them get 401.
func (s *Server) RevokeTokens(clientID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for v, t := range s.tokens {
		if t.clientID == clientID {
			delete(s.tokens, v)
			n++
		}
	}
	return n
}

// maxTokenBody caps a token request body; a larger one gets a 413.
const maxTokenBody = 64 << 10

// readTokenForm reads the form body of a token request. Besides
// application/x-www-form-urlencoded it reads a form body sent as text/plain
// or with no Content-Type, as LinkedIn's own Postman collection sends it
// (docs/linkedin-api.md §4); any other type is refused.
func readTokenForm(w http.ResponseWriter, r *http.Request) (url.Values, int, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "", "application/x-www-form-urlencoded", "text/plain":
	default:
		return nil, http.StatusBadRequest, errors.New("Content-Type must be application/x-www-form-urlencoded")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxTokenBody))
	if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
		return nil, http.StatusRequestEntityTooLarge, errors.New("request body too large")
	}
	if err != nil {
		return nil, http.StatusBadRequest, errors.New("unreadable body")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, http.StatusBadRequest, errors.New("malformed form body")
	}
	return form, 0, nil
}
