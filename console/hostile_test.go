package console_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/console"
	rscsync "github.com/rscgo/rscgo/sync"
)

// recorder records what a console's actions were asked to do.
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (c *recorder) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, s)
}

func (c *recorder) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	got := c.calls
	c.calls = nil
	return got
}

// options are the retry and reconciliation of a console that records what
// they are asked to do, for console id.
func (c *recorder) options(id string) []console.Option {
	return []console.Option{
		console.WithRetry(func(_ context.Context, customer string, keys []string) error {
			c.add(fmt.Sprintf("%s: retry %s %q", id, customer, keys))
			return nil
		}),
		console.WithReconcile(func(_ context.Context, customer string) (*rscsync.ContentReport, error) {
			c.add(fmt.Sprintf("%s: reconcile %s", id, customer))
			return &rscsync.ContentReport{CustomerID: customer}, nil
		}),
	}
}

// urlencoded is a form of exactly n bytes: fields, then a padding field.
func urlencoded(fields url.Values, n int) string {
	s := fields.Encode() + "&pad="
	return s + strings.Repeat("x", n-len(s))
}

// multipartForm is fields and a padding field of pad bytes, as
// multipart/form-data; it returns the body and its Content-Type.
func multipartForm(fields url.Values, pad int) (string, string) {
	var b bytes.Buffer
	m := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			_ = m.WriteField(k, v)
		}
	}
	_ = m.WriteField("pad", strings.Repeat("x", pad))
	_ = m.Close()
	return b.String(), m.FormDataContentType()
}

// An action's body is bounded: a larger one is answered 413 and the
// action does nothing, whether its length is announced or not, as is a
// form that does not parse (400), which would otherwise be taken for a
// form without its keys: a retry of every dead letter.
func TestPostBodyBounded(t *testing.T) {
	var rec recorder
	f := newFixture(t, rec.options("ops")...)
	cookie, token := f.session(t)
	fields := url.Values{"csrf": {token}, "customer": {"acme"}, "key": {"candidate//C2"}}
	over, overType := multipartForm(fields, console.MaxFormBytes)
	within, withinType := multipartForm(fields, 1000)
	type result struct {
		Status int
		Calls  []string
	}
	retried := result{http.StatusSeeOther, []string{`ops: retry acme ["candidate//C2"]`}}
	tooLarge := result{Status: http.StatusRequestEntityTooLarge}
	for _, tc := range []struct {
		name, target, ctype, body string
		hideLength                bool // sent without Content-Length
		want                      result
	}{
		{name: "retry, exactly the bound", target: "/retry", body: urlencoded(fields, console.MaxFormBytes), want: retried},
		{name: "retry, a byte over", target: "/retry", body: urlencoded(fields, console.MaxFormBytes+1), want: tooLarge},
		{name: "retry, twice the bound, no length", target: "/retry", body: urlencoded(fields, 2*console.MaxFormBytes), hideLength: true, want: tooLarge},
		{name: "reconcile, a byte over", target: "/reconcile", body: urlencoded(fields, console.MaxFormBytes+1), want: tooLarge},
		{name: "retry, multipart within", target: "/retry", ctype: withinType, body: within, want: retried},
		{name: "retry, multipart over", target: "/retry", ctype: overType, body: over, want: tooLarge},
		{name: "retry, bad escape in the URL's key", target: "/retry?customer=acme&key=%zz", body: url.Values{"csrf": {token}}.Encode(),
			want: result{Status: http.StatusBadRequest}},
		{name: "retry, bad escape in the form's key", target: "/retry", body: url.Values{"csrf": {token}, "customer": {"acme"}}.Encode() + "&key=%zz",
			want: result{Status: http.StatusBadRequest}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(tc.body)
			if tc.hideLength {
				body = io.MultiReader(body)
			}
			req := httptest.NewRequest(http.MethodPost, "http://ops.example.com"+tc.target, body)
			if tc.ctype == "" {
				tc.ctype = "application/x-www-form-urlencoded"
			}
			req.Header.Set("Content-Type", tc.ctype)
			req.Header.Set("Authorization", "Bearer alice-token")
			req.Header.Set("Origin", "http://ops.example.com")
			req.AddCookie(cookie)
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, req)
			got := result{w.Code, rec.take()}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("POST %s (-want +got):\n%s\n%s", tc.target, diff, w.Body)
			}
			if strings.Contains(w.Body.String(), f.reason) {
				t.Errorf("the answer shows the dead letter:\n%s", w.Body)
			}
		})
	}
}

// Whatever a request is, the answer carries the console's security headers
// and a Content-Type, and no method but POST reaches an action.
func TestHostileRequests(t *testing.T) {
	var rec recorder
	f := newFixture(t, rec.options("ops")...)
	cookie, token := f.session(t)
	type answer struct {
		Status                             int
		Allow, ContentType                 string
		NoSniff, CSP, NoStore, FrameDenied bool
		Calls                              []string
	}
	page := answer{Status: 200, ContentType: "text/html; charset=utf-8", NoSniff: true, CSP: true, NoStore: true, FrameDenied: true}
	text := func(status int, allow string) answer {
		return answer{Status: status, Allow: allow, ContentType: "text/plain; charset=utf-8", NoSniff: true, CSP: true, NoStore: true, FrameDenied: true}
	}
	notFound := page
	notFound.Status = http.StatusNotFound
	form := url.Values{"csrf": {token}, "customer": {"acme"}}.Encode()
	for _, tc := range []struct {
		method, target, auth string
		want                 answer
	}{
		{"GET", "/customer?id=acme", "alice-token", page},
		{"HEAD", "/customer?id=acme", "alice-token", page},
		{"GET", "/customer?id=..%2Facme", "alice-token", notFound},
		{"GET", "/customer?id=acme%00", "alice-token", notFound},
		{"GET", "/customer?id=" + strings.Repeat("a", 10000), "alice-token", notFound},
		{"GET", "/customer/../retry", "alice-token", answer{Status: http.StatusTemporaryRedirect, ContentType: "text/html; charset=utf-8", NoSniff: true, CSP: true, NoStore: true, FrameDenied: true}},
		{"POST", "/customer/../retry", "alice-token", answer{Status: http.StatusTemporaryRedirect, NoSniff: true, CSP: true, NoStore: true, FrameDenied: true}},
		{"GET", "/nothing", "alice-token", text(http.StatusNotFound, "")},
		{"GET", "/", "", text(http.StatusUnauthorized, "")},
		{"HEAD", "/retry", "alice-token", text(http.StatusMethodNotAllowed, "POST")},
		{"OPTIONS", "/retry", "alice-token", text(http.StatusMethodNotAllowed, "POST")},
		{"PUT", "/retry", "alice-token", text(http.StatusMethodNotAllowed, "POST")},
		{"DELETE", "/reconcile", "alice-token", text(http.StatusMethodNotAllowed, "POST")},
		{"OPTIONS", "/reconcile", "alice-token", text(http.StatusMethodNotAllowed, "POST")},
	} {
		t.Run(tc.method+" "+fmt.Sprintf("%.40s", tc.target), func(t *testing.T) {
			req := httptest.NewRequest(tc.method, "http://ops.example.com"+tc.target, strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", "http://ops.example.com")
			if tc.auth != "" {
				req.Header.Set("Authorization", "Bearer "+tc.auth)
			}
			req.AddCookie(cookie)
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, req)
			h := w.Header()
			got := answer{Status: w.Code, Allow: h.Get("Allow"), ContentType: h.Get("Content-Type"),
				NoSniff: h.Get("X-Content-Type-Options") == "nosniff", CSP: strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'"),
				NoStore: h.Get("Cache-Control") == "no-store", FrameDenied: h.Get("X-Frame-Options") == "DENY", Calls: rec.take()}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s %.60s (-want +got):\n%s", tc.method, tc.target, diff)
			}
			if strings.Contains(w.Body.String(), f.reason) && tc.want.Status != http.StatusOK {
				t.Errorf("the answer shows the dead letter:\n%s", w.Body)
			}
		})
	}
}
