package rsc

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
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

type harness struct {
	t      *testing.T
	srv    *httptest.Server
	mux    *http.ServeMux
	client *Client

	mu     sync.Mutex
	reqs   []seen
	tokens atomic.Int32
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
	h := &harness{t: t, mux: http.NewServeMux()}
	h.mux.HandleFunc("POST "+testBasePath+"/oauth/v2/accessToken", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.Form.Get("grant_type") != "client_credentials" || r.Form.Get("client_id") != "cid" || r.Form.Get("client_secret") != "csecret" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"invalid_client","error_description":"bad client csecret"}`)
			return
		}
		n := h.tokens.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"tok`+string(rune('0'+n))+`","expires_in":1800}`)
	})
	h.mux.HandleFunc(testBasePath+"/", func(w http.ResponseWriter, r *http.Request) {
		method, query, body, err := restli.Untunnel(r)
		if err != nil {
			t.Errorf("untunnel: %v", err)
		}
		s := seen{Method: method, Path: strings.TrimPrefix(r.URL.EscapedPath(), testBasePath), RawQuery: query,
			Header: r.Header.Clone(), Body: body, Tunnelled: r.Header.Get("X-HTTP-Method-Override") != ""}
		h.mu.Lock()
		h.reqs = append(h.reqs, s)
		h.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		handler(w, s)
	})
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
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

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
