package rsc

import (
	"errors"
	"io"
	"testing"
)

// ErrUnauthorized is the token endpoint refusing the credentials, not any
// failure to get a token.
func TestAuthErrorIsUnauthorizedOnlyWhenRefused(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		err  *AuthError
		want bool
	}{
		"400 invalid_client": {&AuthError{StatusCode: 400, Code: "invalid_client"}, true},
		"401":                {&AuthError{StatusCode: 401}, true},
		"403":                {&AuthError{StatusCode: 403}, true},
		"408":                {&AuthError{StatusCode: 408}, false},
		"429":                {&AuthError{StatusCode: 429}, false},
		"503":                {&AuthError{StatusCode: 503}, false},
		"timed out":          {&AuthError{Err: ErrAttemptTimeout}, false},
		"transport failure":  {&AuthError{Err: io.ErrUnexpectedEOF}, false},
	} {
		if got := errors.Is(tc.err, ErrUnauthorized); got != tc.want {
			t.Errorf("%s: errors.Is(err, ErrUnauthorized) = %v, want %v", name, got, tc.want)
		}
	}
}
