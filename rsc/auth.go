package rsc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// tokenExpiryDelta is how long before its expiry a cached token is replaced.
const tokenExpiryDelta = time.Minute

// tokenRequestTimeout bounds one token request, whatever the attempt's own
// timeout.
const tokenRequestTimeout = 30 * time.Second

// tokenCache holds one application's access token. It reuses the token until
// tokenExpiryDelta before it expires (LinkedIn: "use the same access token for all
// concurrent and consecutive calls"), and fetches a new one when a request
// with its token is answered 401 (once per call, authTransport).
type tokenCache struct {
	cfg   *config
	red   *redactor
	fetch func(ctx context.Context) (*oauth2.Token, error)
	// hc posts the client's credentials to LinkedIn's OAuth endpoints
	// (token, introspection): no redirect, tokenRequestTimeout. It is nil
	// for a WithTokenSource client.
	hc *http.Client

	mu       sync.Mutex
	tok      *oauth2.Token
	fetching *tokenFetch // the fetch in progress; nil when none
}

// tokenFetch is one token fetch, which the callers that need a token
// meanwhile wait for.
type tokenFetch struct {
	done chan struct{} // closed when the fetch ends
	// err, set before done is closed, is the fetch's failure, which the
	// callers that waited for it share: one request per failure, not one
	// per waiting caller, to an endpoint that refuses the credentials. It
	// stays nil when the fetching caller's own context ended the fetch,
	// which says nothing of the endpoint: a waiter then fetches itself.
	err error
}

func newTokenCache(cfg *config, base http.RoundTripper, red *redactor) *tokenCache {
	tc := &tokenCache{cfg: cfg, red: red}
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
	// Never follow a redirect: it would re-send the form body, client
	// secret included, wherever the Location header points.
	tc.hc = &http.Client{Transport: base, Timeout: tokenRequestTimeout, CheckRedirect: noRedirect}
	tc.fetch = func(ctx context.Context) (*oauth2.Token, error) {
		return cc.Token(context.WithValue(ctx, oauth2.HTTPClient, tc.hc))
	}
	return tc
}

// get returns a valid token. One caller fetches at a time, without holding
// the lock: the others wait for it or for their own context, so a slow
// token endpoint never blocks a caller past its deadline. When that fetch
// fails, the callers that waited for it get its error; the failure is not
// kept, so the next caller fetches again.
func (tc *tokenCache) get(ctx context.Context) (string, error) {
	for {
		tc.mu.Lock()
		now := tc.cfg.clock.Now()
		if tc.tok != nil && tc.tok.AccessToken != "" && (tc.tok.Expiry.IsZero() || now.Add(tokenExpiryDelta).Before(tc.tok.Expiry)) {
			tok := tc.tok.AccessToken
			tc.mu.Unlock()
			return tok, nil
		}
		if f := tc.fetching; f != nil {
			tc.mu.Unlock()
			select {
			case <-f.done:
				if f.err != nil {
					return "", f.err
				}
				continue // look again: the fetch stored a token, or its caller gave up
			case <-ctx.Done():
				return "", &AuthError{Err: ctx.Err()}
			}
		}
		f := &tokenFetch{done: make(chan struct{})}
		tc.fetching = f
		tc.mu.Unlock()
		return tc.fetchAndStore(ctx, now, f)
	}
}

// fetchAndStore fetches a token, caches it, and ends the fetch in progress
// f (giving its waiters the failure, if any) however the fetch returns, a
// panicking TokenSource included.
func (tc *tokenCache) fetchAndStore(ctx context.Context, now time.Time, f *tokenFetch) (string, error) {
	var tok *oauth2.Token
	var err error
	defer func() {
		tc.mu.Lock()
		switch {
		case err == nil && tok != nil:
			tc.tok = tok
		case err != nil && ctx.Err() == nil:
			f.err = err
		}
		tc.fetching = nil
		close(f.done)
		tc.mu.Unlock()
	}()
	if tok, err = tc.fetch(ctx); err != nil {
		err = tc.sanitize(ctx, err)
		return "", err
	}
	tc.red.addToken(tok.AccessToken)
	if tok.AccessToken == "" {
		err = &AuthError{StatusCode: http.StatusOK, Code: "empty access_token"}
		return "", err
	}
	// The expiry is on the client's Clock: now plus expires_in. oauth2
	// keeps ExpiresIn of a JSON answer only; of a form-encoded one, it
	// dated Expiry on the wall clock, and expires_in is in its raw answer.
	secs := tok.ExpiresIn
	if secs == 0 {
		secs, _ = strconv.ParseInt(fmt.Sprint(tok.Extra("expires_in")), 10, 64)
	}
	if secs > 0 {
		tok.Expiry = now.Add(time.Duration(secs) * time.Second)
	}
	return tok.AccessToken, nil
}

// invalidate drops the cached token if it is still tok.
func (tc *tokenCache) invalidate(tok string) {
	tc.mu.Lock()
	if tc.tok != nil && tc.tok.AccessToken == tok {
		tc.tok = nil
	}
	tc.mu.Unlock()
}

// oauthCode is the OAuth error code a token endpoint answered, as
// AuthError.Code keeps it: one word (RFC 6749 §5.2's codes are such), or
// "unrecognised error code".
func oauthCode(code string) string {
	if code == "" {
		return ""
	}
	if len(code) > 64 || strings.ContainsFunc(code, func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '_' || r == '.' || r == '-')
	}) {
		return "unrecognised error code"
	}
	return code
}

// sanitize makes err, the failure under ctx of a token fetch (or of a
// token introspection, Client.IntrospectToken), an *AuthError
// (doc.go: "Token failures become *AuthError"). It keeps the status and
// OAuth error code, with any credential redacted, and drops the response
// body, which oauth2.RetrieveError prints. When ctx ended the fetch, the
// error wraps ctx's error, so that the transports can tell the caller's
// deadline from the attempt's; when the token request's own timeout did,
// it wraps an *attemptTimeout.
func (tc *tokenCache) sanitize(ctx context.Context, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		ae := &AuthError{Code: oauthCode(tc.red.String(re.ErrorCode))}
		if re.Response != nil {
			ae.StatusCode = re.Response.StatusCode
		}
		return ae
	}
	if cerr := ctx.Err(); cerr != nil {
		return &AuthError{Err: cerr}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &AuthError{Err: &attemptTimeout{after: tokenRequestTimeout}}
	}
	return &AuthError{Err: errors.New(tc.red.String(redactURL(err.Error())))}
}
