package rsc

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// tokenCache holds one application's access token. It reuses the token until
// expiryDelta before it expires (LinkedIn: "use the same access token for all
// concurrent and consecutive calls"), and fetches a new one when a request
// with the cached token is answered 401.
type tokenCache struct {
	cfg   *config
	fetch func(ctx context.Context) (*oauth2.Token, error)

	mu  sync.Mutex
	tok *oauth2.Token
}

func newTokenCache(cfg *config, base http.RoundTripper) *tokenCache {
	tc := &tokenCache{cfg: cfg}
	if cfg.tokenSource != nil {
		ts := cfg.tokenSource
		tc.fetch = func(context.Context) (*oauth2.Token, error) { return ts.Token() }
		return tc
	}
	cc := &clientcredentials.Config{
		ClientID:     cfg.clientID,
		ClientSecret: cfg.clientSecret,
		TokenURL:     cfg.tokenURL,
		AuthStyle:    oauth2.AuthStyleInParams, // LinkedIn reads id and secret from the form body
	}
	hc := &http.Client{Transport: base, Timeout: 30 * time.Second}
	tc.fetch = func(ctx context.Context) (*oauth2.Token, error) {
		return cc.Token(context.WithValue(ctx, oauth2.HTTPClient, hc))
	}
	return tc
}

// get returns a valid token and whether it was fetched by this call.
func (tc *tokenCache) get(ctx context.Context) (string, bool, error) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	now := tc.cfg.clock.Now()
	if tc.tok != nil && tc.tok.AccessToken != "" && (tc.tok.Expiry.IsZero() || now.Add(tc.cfg.expiryDelta).Before(tc.tok.Expiry)) {
		return tc.tok.AccessToken, false, nil
	}
	tok, err := tc.fetch(ctx)
	if err != nil {
		return "", false, sanitizeTokenError(err)
	}
	if tok.AccessToken == "" {
		return "", false, &AuthError{StatusCode: http.StatusOK, Code: "empty access_token"}
	}
	if tok.ExpiresIn > 0 {
		tok.Expiry = now.Add(time.Duration(tok.ExpiresIn) * time.Second)
	}
	tc.tok = tok
	return tok.AccessToken, true, nil
}

// invalidate drops the cached token if it is still tok.
func (tc *tokenCache) invalidate(tok string) {
	tc.mu.Lock()
	if tc.tok != nil && tc.tok.AccessToken == tok {
		tc.tok = nil
	}
	tc.mu.Unlock()
}

// sanitizeTokenError keeps the status and OAuth error code of a token
// failure and drops the response body, which oauth2.RetrieveError prints.
func sanitizeTokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		ae := &AuthError{Code: re.ErrorCode}
		if re.Response != nil {
			ae.StatusCode = re.Response.StatusCode
		}
		return ae
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &AuthError{Err: errors.New(scrubTransportError(err))}
}

// scrubTransportError returns a transport error's text without any URL query.
func scrubTransportError(err error) string {
	return redactURL(err.Error())
}
