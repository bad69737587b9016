// Package pushqtest serves push notifications to a handler in tests, as
// LinkedIn would post them.
package pushqtest

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/rscgo/rscgo/rsc"
)

// Post serves a POST of body to h at target (a request URI such as
// "/rsc/push/acme"), signed with sig (unsigned when sig is empty), and
// returns the status. It panics if target is not a request URI.
func Post(ctx context.Context, h http.Handler, target, sig string, body []byte) int {
	u, err := url.ParseRequestURI(target)
	if err != nil {
		panic("pushqtest: " + err.Error())
	}
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/", bytes.NewReader(body))
	req.URL, req.RequestURI = u, u.RequestURI()
	if sig != "" {
		req.Header.Set(rsc.SignatureHeader, sig)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code
}
