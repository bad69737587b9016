// Package sameorigin tells whether a browser request's Origin header names
// the server that received it, for the handlers that refuse cross-site
// posts (the onboarding widget's post-back and the operator console).
package sameorigin

import (
	"net/http"
	"net/url"
	"strings"
)

// Is reports whether origin (an Origin header's value) is r's own origin:
// an http or https URL whose host is r.Host (any case), and https when r
// came over TLS. A request that reached the server in plain HTTP may still
// come from an https page behind a TLS-terminating proxy, so either scheme
// is taken then.
func Is(origin string, r *http.Request) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host) || u.User != nil || u.Path != "" {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return true
	case "http":
		return r.TLS == nil
	}
	return false
}
