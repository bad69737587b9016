package inmail

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/rscgo/rscgo/internal/restli"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

const (
	testOrg      = "urn:li:organization:1"
	testContract = "urn:li:contract:1"
)

// fakeLI is a minimal LinkedIn for unit tests, served in-process through
// httptest.ResponseRecorder (no network, so it works in synctest bubbles).
type fakeLI struct {
	t  testing.TB
	mu sync.Mutex

	seats   []rsc.Seat
	events  []rsc.ConversationEvent
	stubs   []rsc.MailStub
	notes   []rsc.ProspectNote
	closed  []rsc.ClosedProfile
	exports map[string][]rsc.ExportedCandidate
	records map[string]rsc.CandidateRecord // by candidate id

	// stubCap, when positive, is how many stubs a mailStubs query lists
	// at most: past it the pages are empty, as a search that stops
	// silently at its limit.
	stubCap int
	// notesCutoffInclusive makes prospectNotes' cutoffDate an inclusive
	// lower bound; by default it is exclusive, as LinkedIn documents it.
	notesCutoffInclusive bool

	calls    map[string]int // by resource
	attached map[string]string
	missing  map[string]bool // candidates LinkedIn does not hold (attach → 404)
	order    []string        // "resync:ID" / "attach:ID"
}

func newFake(t testing.TB) *fakeLI {
	return &fakeLI{t: t, exports: map[string][]rsc.ExportedCandidate{}, records: map[string]rsc.CandidateRecord{},
		calls: map[string]int{}, attached: map[string]string{}, missing: map[string]bool{}}
}

func (f *fakeLI) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	f.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

func (f *fakeLI) count(res string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[res]
}

func (f *fakeLI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q, err := restli.ParseQuery(r.URL.RawQuery)
	if err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	res := r.URL.Path[len("/v2/"):]
	f.calls[res]++
	i64 := func(name string) int64 {
		v, _ := strconv.ParseInt(q.Get(name), 10, 64)
		return v
	}
	in := func(name, v string) bool { vs := q.Params[name]; return len(vs) == 0 || slices.Contains(vs, v) }
	page := func(els any) {
		b, _ := json.Marshal(els)
		var all []json.RawMessage
		json.Unmarshal(b, &all)
		start, count := int(i64("start")), int(i64("count"))
		if count == 0 {
			count = 10
		}
		end := min(start+count, len(all))
		start = min(start, end)
		out := map[string]any{"elements": all[start:end], "paging": map[string]int{"start": start, "count": count, "total": len(all)}}
		if out["elements"] == nil {
			out["elements"] = []json.RawMessage{}
		}
		json.NewEncoder(w).Encode(out)
	}
	switch res {
	case "seatsV2":
		if q.Get("start") == "" {
			http.Error(w, "start required", 400)
			return
		}
		var out []rsc.Seat
		for _, s := range f.seats {
			if in("contracts", s.Contract) && in("states", s.State) {
				out = append(out, s)
			}
		}
		page(out)
	case "conversationEvents":
		start, end := i64("timeRange.start"), i64("timeRange.end")
		if end-start > rsc.MaxInMailWindow || end < start {
			f.t.Errorf("conversationEvents window [%d,%d) longer than 12h", start, end)
			http.Error(w, "window", 400)
			return
		}
		var out []rsc.ConversationEvent
		for _, e := range f.events {
			if e.Viewer == q.Get("viewer") && int64(e.CreatedAt) >= start && int64(e.CreatedAt) < end {
				out = append(out, e)
			}
		}
		page(out)
	case "mailStubs":
		if len(q.Params["owners"]) == 0 {
			f.t.Errorf("mailStubs without owners")
		}
		var out []rsc.MailStub
		for _, s := range f.stubs {
			c := int64(s.CreatedAt)
			if s.Contract == q.Get("contract") && in("owners", s.Owner) && c >= i64("createdDateStart") &&
				(q.Get("createdDateEnd") == "" || c < i64("createdDateEnd")) {
				out = append(out, s)
			}
		}
		if f.stubCap > 0 && len(out) > f.stubCap {
			out = out[:f.stubCap]
		}
		page(out)
	case "prospectNotes":
		var out []rsc.ProspectNote
		for _, n := range f.notes {
			m := int64(n.LastModifiedAt)
			cutoff := i64("cutoffDate")
			if !f.notesCutoffInclusive && q.Get("cutoffDate") != "" {
				cutoff++
			}
			if n.Contract == q.Get("contract") && in("owners", n.Owner) && m >= cutoff &&
				(q.Get("beforeDate") == "" || m <= i64("beforeDate")) {
				out = append(out, n)
			}
		}
		page(out)
	case "atsPurgedExportedCandidates":
		// LinkedIn's deletion notices (docs/linkedin-api.md §8.7): the
		// token names the customer, the range is [start, end).
		if q.Get("q") != "criteria" || q.Get("exportType") != "ONE_CLICK_EXPORT" || q.Get("timeRange.start") == "" || q.Get("timeRange.end") == "" {
			f.t.Errorf("atsPurgedExportedCandidates query %s", r.URL.RawQuery)
			http.Error(w, "query", 400)
			return
		}
		var out []rsc.ClosedProfile
		for _, p := range f.closed {
			if c := int64(p.ClosedAt); c >= i64("timeRange.start") && c < i64("timeRange.end") {
				out = append(out, p)
			}
		}
		page(out)
	case "exportedCandidates":
		els, ok := f.exports[q.Get("requestId")]
		if !ok {
			w.WriteHeader(404)
			io.WriteString(w, `{"message":"not found","status":404}`)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"elements": els})
	case "atsCandidates":
		results := map[string]any{}
		switch r.Method {
		case http.MethodGet:
			for _, k := range q.Keys {
				id, _ := k.Get("atsCandidateId")
				if rec, ok := f.records[id]; ok {
					results[restli.EncodeKeyBody(restli.Protocol1, k)] = map[string]any{
						"matchedMembers": rec.MatchedMembers, "manualMatchedMember": rec.ManualMatchedMember}
				}
			}
		case http.MethodPost:
			var body struct {
				Entities map[string]struct {
					Patch struct {
						Set map[string]string `json:"$set"`
					} `json:"patch"`
				} `json:"entities"`
			}
			json.NewDecoder(r.Body).Decode(&body)
			for ks, e := range body.Entities {
				k, _ := restli.DecodeKey(ks)
				id, _ := k.Get("atsCandidateId")
				if f.missing[id] {
					results[ks] = map[string]int{"status": 404}
					continue
				}
				f.attached[id] = e.Patch.Set["manualMatchedMember"]
				f.order = append(f.order, "attach:"+id)
				results[ks] = map[string]int{"status": 204}
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"results": results, "errors": map[string]any{}})
	default:
		http.Error(w, "unknown resource "+res, 404)
	}
}

func (f *fakeLI) client(t testing.TB) *rsc.Client {
	c, err := rsc.NewClient(
		rsc.WithBaseURL("http://fake.invalid"),
		rsc.WithTransport(f),
		rsc.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"})),
		rsc.WithRetryPolicy(rsc.RetryPolicy{MaxAttempts: 1}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// stateHolder is a mutable milestones state for tests.
type stateHolder struct {
	mu sync.Mutex
	st milestones.State
}

func (h *stateHolder) get(context.Context) (milestones.State, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.st, nil
}

func (h *stateHolder) set(f func(st *milestones.State)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f(&h.st)
}

// fullState: enabled at enabledAt with both access levels and every
// setting, no sync phase complete yet.
func fullState(enabledAt time.Time) *stateHolder {
	return &stateHolder{st: milestones.State{Enabled: true, EnabledAt: enabledAt,
		Access:   milestones.Access{CompanyLevel: true, ContractLevel: true},
		Settings: milestones.AllSettings(), Phases: map[rscsync.Phase]milestones.PhaseProgress{}}}
}

func completeCandidates(st *milestones.State) {
	st.Phases = map[rscsync.Phase]milestones.PhaseProgress{
		rscsync.PhaseJobs:       {Completed: true},
		rscsync.PhaseCandidates: {Completed: true},
	}
}

type env struct {
	fake  *fakeLI
	sink  *MemorySink
	state *stateHolder
	r     *Retriever
}

func newEnv(t testing.TB, opts ...Option) *env { return newEnvFor(t, "cust-1", opts...) }

// newEnvFor returns a Retriever of customerID with opts (after WithLag(1ms)).
func newEnvFor(t testing.TB, customerID string, opts ...Option) *env {
	t.Helper()
	e := &env{fake: newFake(t), sink: NewMemorySink(), state: fullState(time.Now().Add(-365 * 24 * time.Hour))}
	cfg := Config{CustomerID: customerID, Client: e.fake.client(t), Organization: testOrg, Contracts: []string{testContract},
		Sink: e.sink, State: e.state.get}
	r, err := New(cfg, append([]Option{WithLag(time.Millisecond)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	e.r = r
	return e
}

// pushHandler returns e.r's push handler keyed by secret, closed at the end
// of the test.
func (e *env) pushHandler(t testing.TB, secret string, opts ...Option) *PushHandler {
	t.Helper()
	h, err := e.r.PushHandler(func(context.Context) (string, error) { return secret, nil }, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

// runOnce runs RunOnce, failing the test on an error.
func (e *env) runOnce(t testing.TB, ctx context.Context) {
	t.Helper()
	if _, err := e.r.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
}

func seat(id int64, member string) rsc.Seat {
	return rsc.Seat{ID: id, Contract: testContract, Member: member, State: "ACTIVE", FirstName: "R", LastName: fmt.Sprint(id)}
}

func at(t time.Time) rsc.EpochMillis { return rsc.Millis(t) }

func slogJSON(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
