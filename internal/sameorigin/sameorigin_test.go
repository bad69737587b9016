package sameorigin

import (
	"crypto/tls"
	"net/http/httptest"
	"testing"
)

func TestIs(t *testing.T) {
	for _, tc := range []struct {
		name, origin string
		tls          bool
		want         bool
	}{
		{"https page, plain request (behind a TLS proxy)", "https://ats.example.com", false, true},
		{"http page, plain request", "http://ats.example.com", false, true},
		{"https page over TLS", "https://ats.example.com", true, true},
		{"http page over TLS", "http://ats.example.com", true, false},
		{"host in another case", "https://ATS.example.com", false, true},
		{"other scheme", "ftp://ats.example.com", false, false},
		{"other host", "https://evil.example", false, false},
		{"suffixed host", "https://ats.example.com.evil.example", false, false},
		{"other port", "https://ats.example.com:8443", false, false},
		{"userinfo", "https://x@ats.example.com", false, false},
		{"null", "null", false, false},
		{"with a path", "https://ats.example.com/x", false, false},
		{"not a URL", "https://%zz", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "http://ats.example.com/rsc/widget", nil)
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if got := Is(tc.origin, r); got != tc.want {
				t.Errorf("Is(%q) = %v, want %v", tc.origin, got, tc.want)
			}
		})
	}
}
