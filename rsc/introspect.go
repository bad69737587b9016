package rsc

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// TokenInfo is LinkedIn's account of an access token, as token
// introspection gives it (docs/linkedin-api.md §4).
type TokenInfo struct {
	// Active reports whether the token can be used now.
	Active bool
	// Status is "active", "expired" or "revoked".
	Status string
	// ClientID is the application the token was issued to.
	ClientID string
	// AuthorizedAt, CreatedAt and ExpiresAt are zero when LinkedIn leaves
	// them out (LinkedIn sends them in whole seconds).
	AuthorizedAt, CreatedAt, ExpiresAt time.Time
	// Scope lists the token's permissions, comma-separated.
	Scope string
	// AuthType is "2L" for the client-credentials tokens this client
	// fetches ("3L" and "Enterprise_User" are LinkedIn's other flows).
	AuthType string
}

// maxIntrospectionBody bounds the introspection answer read.
const maxIntrospectionBody = 64 << 10

// IntrospectToken asks LinkedIn whether the client's access token is
// active and until when (POST /oauth/v2/introspectToken, a form with the
// client id and secret and the token: LinkedIn's
// [token introspection] page). RSC certification asks for such a validity
// check (docs/linkedin-api.md §4). It fetches a token first when the
// client holds none, so a nil error with Active true says the credentials
// work end to end.
//
// It needs WithCredentials: with WithTokenSource the client secret is
// unknown. The endpoint is the token URL's sibling (WithTokenURL's last
// path element "accessToken" replaced by "introspectToken"). It makes one
// attempt, bounded by 30 seconds. A failure is an *AuthError naming the
// introspection, matching ErrUnauthorized when LinkedIn refused the
// credentials (400, 401, 403); the secret and token are never in it.
//
// [token introspection]: https://learn.microsoft.com/en-us/linkedin/shared/authentication/token-introspection
func (c *Client) IntrospectToken(ctx context.Context) (*TokenInfo, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if c.cfg.tokenSource != nil {
		return nil, errors.New("rsc: IntrospectToken needs WithCredentials: the client secret of a WithTokenSource client is unknown")
	}
	endpoint, ok := strings.CutSuffix(c.cfg.tokenURL, "/accessToken")
	if !ok {
		return nil, errors.New("rsc: IntrospectToken: the token URL does not end in /accessToken, so the introspection endpoint beside it is unknown")
	}
	tok, err := c.tokens.get(ctx)
	if err != nil {
		return nil, err
	}
	fail := func(err error) error {
		var ae *AuthError
		if !errors.As(err, &ae) {
			ae = &AuthError{Err: err}
		}
		ae.Op = introspecting
		return ae
	}
	actx, cancel := context.WithTimeout(ctx, tokenRequestTimeout)
	defer cancel()
	form := url.Values{"client_id": {c.cfg.clientID}, "client_secret": {c.cfg.clientSecret}, "token": {tok}}
	req, err := http.NewRequestWithContext(actx, http.MethodPost, endpoint+"/introspectToken", strings.NewReader(form.Encode()))
	var body []byte
	var resp *http.Response
	if err == nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err = c.tokens.hc.Do(req) // as the token request: no redirect with the secret in the body
	}
	if err == nil {
		body, err = io.ReadAll(io.LimitReader(resp.Body, maxIntrospectionBody))
		resp.Body.Close()
	}
	if err != nil { // no answer: the caller's deadline, the request's own, or the transport
		return nil, fail(c.tokens.sanitize(ctx, err))
	}
	var answer struct {
		Error        string `json:"error"`
		Active       bool   `json:"active"`
		Status       string `json:"status"`
		ClientID     string `json:"client_id"`
		AuthorizedAt int64  `json:"authorized_at"`
		CreatedAt    int64  `json:"created_at"`
		ExpiresAt    int64  `json:"expires_at"`
		Scope        string `json:"scope"`
		AuthType     string `json:"auth_type"`
	}
	err = json.Unmarshal(body, &answer)
	if resp.StatusCode != http.StatusOK {
		return nil, fail(&AuthError{StatusCode: resp.StatusCode, Code: oauthCode(c.red.String(answer.Error))})
	}
	if err != nil {
		return nil, fail(&AuthError{StatusCode: resp.StatusCode, Err: errors.New("the answer is not JSON")})
	}
	seconds := func(s int64) time.Time {
		if s == 0 {
			return time.Time{}
		}
		return time.Unix(s, 0).UTC()
	}
	return &TokenInfo{Active: answer.Active, Status: answer.Status, ClientID: answer.ClientID,
		AuthorizedAt: seconds(answer.AuthorizedAt), CreatedAt: seconds(answer.CreatedAt), ExpiresAt: seconds(answer.ExpiresAt),
		Scope: answer.Scope, AuthType: answer.AuthType}, nil
}
