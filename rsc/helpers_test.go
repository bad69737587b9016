package rsc

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/internal/restli"
)

// testBasePath is a non-empty base path, so a handler registered without it
// (a client building absolute URLs wrongly) fails loudly.
const testBasePath = "/api"

// seen is one request as the fake endpoint saw it, after untunnelling.
type seen struct {
	Method    string // logical method (X-HTTP-Method-Override applied)
	Path      string // escaped path, without testBasePath
	RawQuery  string
	Header    http.Header
	Body      []byte
	Tunnelled bool
}

// handlerFunc answers one API request as the harness saw it.
type handlerFunc = func(w http.ResponseWriter, s seen)

// harness is the one test server of package rsc: a token endpoint and an
// API endpoint on httptest (setup) or served in-process (setupInProcess, for
// testing/synctest bubbles). API requests are untunnelled and recorded, then
// answered by the route registered for their method and path, or else by
// the harness's handler.
type harness struct {
	t      *testing.T
	srv    *httptest.Server
	mux    *http.ServeMux
	client *Client

	mu     sync.Mutex
	reqs   []seen
	routes map[string]handlerFunc
	token  http.HandlerFunc // nil: the default token endpoint
	tokens atomic.Int32
}

// route answers API requests with this logical method and escaped path
// (without testBasePath) by fn.
func (h *harness) route(method, path string, fn handlerFunc) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.routes[method+" "+path] = fn
}

// onToken replaces the token endpoint's handler.
func (h *harness) onToken(fn http.HandlerFunc) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.token = fn
}

// reply writes an answer with status and body.
func reply(w http.ResponseWriter, status int, body string) {
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// transportErrorHeader, set by a handler, makes the in-process transport
// fail the attempt with its value as a network error.
const transportErrorHeader = "X-Test-Transport-Error"

// hangHeader, set by a handler, makes the in-process transport hold the
// attempt until its context ends and fail it with the context's error, as
// a server that never answers does.
const hangHeader = "X-Test-Hang"

// resetConnection fails the attempt as a reset connection would (in-process
// harness only).
func resetConnection(w http.ResponseWriter) {
	w.Header().Set(transportErrorHeader, "connection reset by peer")
}

// defaultToken is the token endpoint: it checks the client credentials and
// issues tok1, tok2, ... valid for 1,800 seconds.
func (h *harness) defaultToken(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	if r.Form.Get("grant_type") != "client_credentials" || r.Form.Get("client_id") != "cid" || r.Form.Get("client_secret") != "csecret" {
		reply(w, http.StatusUnauthorized, `{"error":"invalid_client","error_description":"bad client csecret"}`)
		return
	}
	n := h.tokens.Add(1)
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"access_token":"tok`+strconv.Itoa(int(n))+`","expires_in":1800}`)
}

// serveAPI records an API request and answers it.
func (h *harness) serveAPI(w http.ResponseWriter, r *http.Request, handler handlerFunc) {
	method, query, body, err := restli.Untunnel(r)
	if err != nil {
		h.t.Errorf("untunnel: %v", err)
	}
	s := seen{Method: method, Path: strings.TrimPrefix(r.URL.EscapedPath(), testBasePath), RawQuery: query,
		Header: r.Header.Clone(), Body: body, Tunnelled: r.Header.Get("X-HTTP-Method-Override") != ""}
	h.mu.Lock()
	h.reqs = append(h.reqs, s)
	if fn := h.routes[s.Method+" "+s.Path]; fn != nil {
		handler = fn
	}
	h.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if handler == nil {
		h.t.Errorf("no handler for %s %s", s.Method, s.Path)
		reply(w, http.StatusNotFound, `{"message":"no route","status":404}`)
		return
	}
	handler(w, s)
}

// setup starts an httptest server with a token endpoint and returns a
// client for it. handler answers API calls (after untunnelling).
func setup(t *testing.T, handler func(w http.ResponseWriter, s seen), opts ...Option) *harness {
	t.Helper()
	return newHarness(t, false, handler, opts...)
}

// setupInProcess is setup without sockets: requests are served by calling
// the handler directly, so the test can run inside a testing/synctest bubble.
func setupInProcess(t *testing.T, handler func(w http.ResponseWriter, s seen), opts ...Option) *harness {
	t.Helper()
	return newHarness(t, true, handler, opts...)
}

func newHarness(t *testing.T, inProcess bool, handler func(w http.ResponseWriter, s seen), opts ...Option) *harness {
	t.Helper()
	h := &harness{t: t, mux: http.NewServeMux(), routes: map[string]handlerFunc{}}
	h.mux.HandleFunc("POST "+testBasePath+"/oauth/v2/accessToken", func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		token := h.token
		h.mu.Unlock()
		if token == nil {
			token = h.defaultToken
		}
		token(w, r)
	})
	h.mux.HandleFunc(testBasePath+"/", func(w http.ResponseWriter, r *http.Request) { h.serveAPI(w, r, handler) })
	host := "http://rsc.test"
	var base []Option
	if inProcess {
		base = append(base, WithTransport(handlerTransport{h.mux}))
	} else {
		h.srv = httptest.NewServer(h.mux)
		t.Cleanup(h.srv.Close)
		host = h.srv.URL
	}
	base = append(base, WithBaseURL(host+testBasePath), WithTokenURL(host+testBasePath+"/oauth/v2/accessToken"),
		WithCredentials("cid", "csecret"), WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
	c, err := NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	h.client = c
	return h
}

func (h *harness) requests() []seen {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]seen(nil), h.reqs...)
}

// only returns the single API request made, failing otherwise.
func (h *harness) only() seen {
	h.t.Helper()
	r := h.requests()
	if len(r) != 1 {
		h.t.Fatalf("got %d requests, want 1", len(r))
	}
	return r[0]
}

func (s seen) check(t *testing.T, method, path, rawQuery, restliMethod string) {
	t.Helper()
	if s.Method != method {
		t.Errorf("method = %q, want %q", s.Method, method)
	}
	if s.Path != path {
		t.Errorf("path =\n  %s\nwant\n  %s", s.Path, path)
	}
	if s.RawQuery != rawQuery {
		t.Errorf("raw query =\n  %s\nwant\n  %s", s.RawQuery, rawQuery)
	}
	if got := s.Header.Get("X-RestLi-Method"); got != restliMethod {
		t.Errorf("X-RestLi-Method = %q, want %q", got, restliMethod)
	}
	if got := s.Header.Get("Authorization"); !strings.HasPrefix(got, "Bearer tok") {
		t.Errorf("Authorization = %q, want a bearer token", got)
	}
}

// checkJSON compares a JSON body with the expected JSON, ignoring formatting.
func checkJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation: %v", err)
	}
	if d := cmp.Diff(w, g); d != "" {
		t.Errorf("body mismatch (-want +got):\n%s", d)
	}
}

// wantField runs one row of a validation table as a subtest: err must be a
// *ValidationError on field, or nil when field is "".
func wantField(t *testing.T, name string, err error, field string) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		got := ""
		var ve *ValidationError
		switch {
		case errors.As(err, &ve):
			got = ve.Field
		case err != nil:
			t.Fatalf("err = %v, want a *ValidationError", err)
		}
		if d := cmp.Diff(field, got); d != "" {
			t.Errorf("failing field (-want +got):\n%s\nerr: %v", d, err)
		}
	})
}

// mutation breaks one rule of a valid record; field is the field that
// must then fail.
type mutation[T any] struct {
	mut   func(*T)
	field string
}

// checkMutations applies each mutation to a fresh valid record from valid
// and requires validate to fail on its field, as a subtest.
func checkMutations[T any](t *testing.T, valid func() T, validate func(*T) error, rows map[string]mutation[T]) {
	t.Helper()
	for name, row := range rows {
		rec := valid()
		row.mut(&rec)
		wantField(t, name, validate(&rec), row.field)
	}
}

// okBatch answers a batch_update/delete with status 204 for every key of
// the request body (or the ids of a delete).
func okBatch(w http.ResponseWriter, s seen) {
	results := map[string]any{}
	if len(s.Body) > 0 {
		var b struct {
			Entities map[string]json.RawMessage `json:"entities"`
		}
		json.Unmarshal(s.Body, &b)
		for k := range b.Entities {
			results[k] = map[string]int{"status": 204}
		}
	} else {
		q, _ := restli.ParseQuery(s.RawQuery)
		for _, id := range q.SimpleIDs {
			results[id] = map[string]int{"status": 204}
		}
		for _, k := range q.Keys {
			results[restli.EncodeKeyBody(restli.Protocol1, k)] = map[string]int{"status": 204}
		}
	}
	json.NewEncoder(w).Encode(map[string]any{"results": results, "errors": map[string]any{}})
}

// handlerTransport serves requests in-process.
type handlerTransport struct{ h http.Handler }

func (ht handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	r2 := req.Clone(req.Context())
	r2.RequestURI = req.URL.RequestURI()
	if r2.Body == nil {
		r2.Body = http.NoBody
	}
	ht.h.ServeHTTP(rec, r2)
	if msg := rec.Header().Get(transportErrorHeader); msg != "" {
		return nil, errors.New(msg)
	}
	if rec.Header().Get(hangHeader) != "" {
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	resp := rec.Result()
	resp.Request = req
	if rec.Header().Get(truncateHeader) != "" {
		resp.Body = io.NopCloser(io.MultiReader(io.LimitReader(resp.Body, 10), iotest.ErrReader(io.ErrUnexpectedEOF)))
	}
	return resp, nil
}

// truncateHeader, set by a handler, cuts the answer's body after 10 bytes
// with io.ErrUnexpectedEOF, as a connection that dies mid-body does.
const truncateHeader = "X-Test-Truncate"

// fakeClock is a manual clock: Sleep advances it instantly.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
	return nil
}

// sleepBudget is a Clock whose Sleep cancels the test's context after left
// sleeps, so that a poll loop that never ends fails its test instead of
// hanging it.
type sleepBudget struct {
	Clock
	left   int
	cancel context.CancelFunc
}

func (c *sleepBudget) Sleep(ctx context.Context, d time.Duration) error {
	if c.left--; c.left < 0 {
		c.cancel()
	}
	return c.Clock.Sleep(ctx, d)
}
