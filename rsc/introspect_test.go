package rsc

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// IntrospectToken posts LinkedIn's form (client id, secret and the
// client's token) to the token URL's sibling and reads LinkedIn's sample
// answer; refusals are *AuthError naming the introspection, without the
// secret or the token.
func TestIntrospectToken(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		status   int
		answer   string
		want     *TokenInfo
		wantErr  string
		unauthed bool // errors.Is(err, ErrUnauthorized)
	}{
		{name: "active", status: 200,
			answer: `{"active":true,"client_id":"cid","authorized_at":1493055596,"created_at":1493055596,"status":"active","expires_at":1497497620,"scope":"r_ats","auth_type":"2L"}`,
			want: &TokenInfo{Active: true, Status: "active", ClientID: "cid", AuthorizedAt: time.Unix(1493055596, 0).UTC(),
				CreatedAt: time.Unix(1493055596, 0).UTC(), ExpiresAt: time.Unix(1497497620, 0).UTC(), Scope: "r_ats", AuthType: "2L"}},
		{name: "revoked", status: 200, answer: `{"active":false,"status":"revoked"}`,
			want: &TokenInfo{Status: "revoked"}},
		{name: "credentials refused", status: 401, answer: `{"error":"invalid_client","error_description":"bad client csecret tok1"}`,
			wantErr: "rsc: introspecting access token: 401 Unauthorized (invalid_client)", unauthed: true},
		// The error code is kept only as one OAuth word: a server may echo
		// the credentials in a form no redaction knows (Basic's base64).
		{name: "credentials echoed in the code", status: 401, answer: `{"error":"invalid_client: Basic Y2lkOmNzZWNyZXQ="}`,
			wantErr: "rsc: introspecting access token: 401 Unauthorized (unrecognised error code)", unauthed: true},
		{name: "server error", status: 500, answer: `oops csecret`,
			wantErr: "rsc: introspecting access token: 500 Internal Server Error"},
		{name: "not JSON", status: 200, answer: `<html>csecret</html>`,
			wantErr: "rsc: introspecting access token: the answer is not JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, okBatch)
			var form url.Values
			var contentType string
			h.mux.HandleFunc("POST "+testBasePath+"/oauth/v2/introspectToken", func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				form, _ = url.ParseQuery(string(b))
				contentType = r.Header.Get("Content-Type")
				reply(w, tc.status, tc.answer)
			})
			got, err := h.client.IntrospectToken(t.Context())
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("TokenInfo (-want +got):\n%s", d)
			}
			if tc.wantErr != "" {
				var ae *AuthError
				if !errors.As(err, &ae) || err.Error() != tc.wantErr || errors.Is(err, ErrUnauthorized) != tc.unauthed {
					t.Errorf("err = %v, want an *AuthError %q (ErrUnauthorized: %v)", err, tc.wantErr, tc.unauthed)
				}
			} else if err != nil {
				t.Errorf("err = %v", err)
			}
			wantForm := url.Values{"client_id": {"cid"}, "client_secret": {"csecret"}, "token": {"tok1"}}
			if d := cmp.Diff(wantForm, form); d != "" || contentType != "application/x-www-form-urlencoded" {
				t.Errorf("request: Content-Type %q; form (-want +got):\n%s", contentType, d)
			}
		})
	}
}

// Without credentials, or beside a token URL that does not end in
// /accessToken, IntrospectToken says why and sends nothing.
func TestIntrospectTokenRefusesUnknownEndpoint(t *testing.T) {
	t.Parallel()
	h := setup(t, okBatch, WithTokenURL("https://auth.example.com/token"))
	if _, err := h.client.IntrospectToken(t.Context()); err == nil || !strings.Contains(err.Error(), "/accessToken") {
		t.Errorf("err = %v, want the token URL named", err)
	}
	if h.tokens.Load() != 0 {
		t.Errorf("%d token requests, want none", h.tokens.Load())
	}
}
