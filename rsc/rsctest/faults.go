package rsctest

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Fault is one fault-injection rule. Draws come from the server's seeded
// random source (WithSeed), so a given request sequence fails the same way
// on every run. WithFaults refuses a rule whose rates are outside 0..1,
// whose ErrorStatus is neither 0 nor 5xx, or whose Latency or Burst429 is
// negative.
type Fault struct {
	// Route selects the requests the rule applies to: a path prefix when it
	// starts with "/" (e.g. "/v2/atsCandidates", "/oauth"), otherwise a
	// resource name matched as a path segment or canonical name (e.g.
	// "atsCandidates", "candidates", "notes", "simpleJobPostings").
	// Empty matches every API and OAuth request.
	Route string
	// ErrorRate is the probability (0..1) of answering ErrorStatus.
	ErrorRate float64
	// ErrorStatus is the 5xx status used by ErrorRate (0 means 500).
	ErrorStatus int
	// ResetRate is the probability (0..1) of dropping the connection without
	// a response (the handler aborts; Transport() returns ErrConnReset).
	ResetRate float64
	// Latency is added before the request is served, waiting with the
	// WithClock clock's Sleep (real time by default; FakeClock.Sleep advances
	// a fake clock).
	Latency time.Duration
	// LatencyRate, when positive, is the probability (0..1) that Latency is
	// added to a matching request (latency spikes). Zero adds it to every one.
	LatencyRate float64
	// LostResponseRate is the probability (0..1) that a request is served
	// in full (state changes kept, throttle counters charged) and its
	// response then dropped: the client sees a connection reset
	// (Transport() returns ErrConnReset) although the write was applied.
	// It is the fault that turns a non-idempotent retry into a duplicate.
	// The request log records the request with Status 0, like a reset.
	LostResponseRate float64
	// Burst429 answers the next Burst429 matching API requests with a
	// MINUTE 429 (after authentication), then stops.
	Burst429 int
}

// invalid says which field breaks its rule (see Fault), or "".
func (f *Fault) invalid() string {
	for _, r := range []struct {
		name string
		v    float64
	}{{"ErrorRate", f.ErrorRate}, {"ResetRate", f.ResetRate}, {"LatencyRate", f.LatencyRate}, {"LostResponseRate", f.LostResponseRate}} {
		if !(r.v >= 0 && r.v <= 1) { // NaN fails too
			return fmt.Sprintf("%s %v: must be within 0..1", r.name, r.v)
		}
	}
	switch {
	case f.ErrorStatus != 0 && (f.ErrorStatus < 500 || f.ErrorStatus > 599):
		return fmt.Sprintf("ErrorStatus %d: must be 0 (500) or a 5xx status", f.ErrorStatus)
	case f.Latency < 0:
		return fmt.Sprintf("Latency %v: must not be negative", f.Latency)
	case f.Burst429 < 0:
		return fmt.Sprintf("Burst429 %d: must not be negative", f.Burst429)
	}
	return ""
}

func (f *Fault) matches(path, canonical string) bool {
	switch {
	case f.Route == "":
		return true
	case strings.HasPrefix(f.Route, "/"):
		return strings.HasPrefix(path, f.Route)
	default:
		return f.Route == canonical || strings.Contains(path+"/", "/"+f.Route+"/")
	}
}

type faultState struct {
	mu    sync.Mutex
	rules []Fault
}

// SetFaults replaces the fault-injection rules.
func (s *Server) SetFaults(f ...Fault) {
	s.faults.mu.Lock()
	s.faults.rules = append([]Fault(nil), f...)
	s.faults.mu.Unlock()
}

// Burst429 makes the next n API requests whose route matches answer a MINUTE
// 429 (see Fault.Route for the syntax).
func (s *Server) Burst429(route string, n int) {
	s.faults.mu.Lock()
	s.faults.rules = append(s.faults.rules, Fault{Route: route, Burst429: n})
	s.faults.mu.Unlock()
}

// takeBurst consumes one pending 429 of a matching burst rule.
func (fs *faultState) takeBurst(path, canonical string) (int, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i := range fs.rules {
		f := &fs.rules[i]
		if f.Burst429 > 0 && f.matches(path, canonical) {
			f.Burst429--
			return f.Burst429, true
		}
	}
	return 0, false
}

// applyFaults runs latency, reset and 5xx rules; it reports whether the
// request has been answered (or aborted).
func (s *Server) applyFaults(w http.ResponseWriter, r *http.Request, path, canonical string) bool {
	s.faults.mu.Lock()
	var latency time.Duration
	var reset, fail, lost bool
	status := 0
	for i := range s.faults.rules {
		f := &s.faults.rules[i]
		if !f.matches(path, canonical) {
			continue
		}
		if f.Latency > 0 && (f.LatencyRate <= 0 || s.float() < f.LatencyRate) {
			latency += f.Latency
		}
		if f.ResetRate > 0 && !reset && s.float() < f.ResetRate {
			reset = true
		}
		if f.ErrorRate > 0 && !fail && s.float() < f.ErrorRate {
			fail = true
			status = f.ErrorStatus
		}
		if f.LostResponseRate > 0 && !lost && s.float() < f.LostResponseRate {
			lost = true
		}
	}
	s.faults.mu.Unlock()
	if latency > 0 {
		if err := s.sleep(r.Context(), latency); err != nil {
			writeError(w, http.StatusGatewayTimeout, "Gateway timeout: "+err.Error())
			return true
		}
	}
	if reset {
		panic(http.ErrAbortHandler)
	}
	if fail {
		if status < 500 || status > 599 {
			status = http.StatusInternalServerError
		}
		writeError(w, status, http.StatusText(status)+" (injected fault)")
		return true
	}
	if lost {
		sw, ok := w.(*statusWriter)
		if !ok {
			panic(http.ErrAbortHandler) // cannot serve without answering: plain reset
		}
		// Serve normally, but the first byte of the answer aborts the
		// connection instead: handlers apply their state changes before
		// they write, so the change is kept and the response lost.
		sw.ResponseWriter = lostResponseWriter{sw.ResponseWriter}
	}
	return false
}

// lostResponseWriter aborts the connection when the handler starts to
// answer (Fault.LostResponseRate).
type lostResponseWriter struct{ http.ResponseWriter }

func (lostResponseWriter) WriteHeader(int) { panic(http.ErrAbortHandler) }

func (lostResponseWriter) Write([]byte) (int, error) { panic(http.ErrAbortHandler) }
