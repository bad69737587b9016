package fleetproof

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	gosync "sync"
	"testing"
	"time"

	"github.com/rscgo/rscgo/fleet/internal/fleetrun"
)

// span is when one slice (one attempt of one job, by one process) talked
// to LinkedIn: from the start of its first request to the end of its last.
type span struct {
	slice, worker, customer string
	start, end              time.Time
	requests                int
}

// recorder is a reverse proxy in front of the fake that records, per
// slice, who sent requests for which customer, and when.
type recorder struct {
	url string

	mu     gosync.Mutex
	spans  map[string]*span // by slice
	untagg int              // requests naming no slice
}

// newRecorder starts the proxy in front of the fake at target.
func newRecorder(t *testing.T, target string) *recorder {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{spans: map[string]*span{}}
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(u) },
		ErrorLog: log.New(io.Discard, "", 0)} // a killed worker's requests end in errors
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		// Deferred: ReverseProxy panics with http.ErrAbortHandler when it
		// cannot copy an answer to a client that died (a SIGKILLed
		// worker), and the request, which reached the fake, must count.
		defer func() { r.note(req.Header, start, time.Now()) }()
		proxy.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

// note records one request of a slice.
func (r *recorder) note(h http.Header, start, end time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := h.Get(fleetrun.HeaderSlice)
	if id == "" {
		r.untagg++
		return
	}
	s := r.spans[id]
	if s == nil {
		s = &span{slice: id, worker: h.Get(fleetrun.HeaderWorker), customer: h.Get(fleetrun.HeaderCustomer), start: start, end: end}
		r.spans[id] = s
	}
	s.start, s.end = minTime(s.start, start), maxTime(s.end, end)
	s.requests++
}

// byCustomer returns the spans of each customer.
func (r *recorder) byCustomer() map[string][]span {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string][]span{}
	for _, s := range r.spans {
		out[s.customer] = append(out[s.customer], *s)
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
