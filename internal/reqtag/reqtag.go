// Package reqtag tags outgoing HTTP requests with headers.
package reqtag

import "net/http"

// Transport sends each request through Next (http.DefaultTransport when
// nil) after Tag has set headers on a clone of it: a RoundTripper must not
// change the request it is given.
type Transport struct {
	Next http.RoundTripper
	Tag  func(r *http.Request)
}

// RoundTrip implements http.RoundTripper.
func (t Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	t.Tag(r)
	next := t.Next
	if next == nil {
		next = http.DefaultTransport
	}
	return next.RoundTrip(r)
}
