package benchsync

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	gosync "sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// inFlight is the batches both the engine and the hand loop keep in flight.
const inFlight = 4

// newEngineClient returns an rsc client on rt with every throttle off.
func newEngineClient(tb testing.TB, rt http.RoundTripper, base, tokenURL, id, secret string) *rsc.Client {
	tb.Helper()
	c, err := rsc.NewClient(rsc.WithBaseURL(base), rsc.WithTokenURL(tokenURL), rsc.WithTransport(rt),
		rsc.WithCredentials(id, secret), rsc.WithLimits(rsc.Limits{Disabled: true}))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// runEngine syncs src's n candidates with a new engine (a fresh
// checkpoint, so every record is sent) and inFlight batches in flight, and
// fails unless the engine counts every one acknowledged.
func runEngine(ctx context.Context, tb testing.TB, c *rsc.Client, src candidateSource) {
	eng, err := rscsync.NewEngine(c, "bench", src, rscsync.WithInFlight(inFlight))
	if err != nil {
		tb.Fatal(err)
	}
	rep, err := eng.Run(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if p := rep.Phases[rscsync.PhaseCandidates]; p == nil || p.Acknowledged != int64(src.n) || p.Refused != 0 {
		tb.Fatalf("the engine's report: %+v, want %d candidates acknowledged", p, src.n)
	}
}

// openFake returns the in-process fake with every throttle off and its one
// customer. The caller closes it, so that nothing keeps its stored records
// once the caller is done with it.
func openFake(tb testing.TB) (*rsctest.Server, *rsctest.Customer) {
	tb.Helper()
	srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithLimits(rsctest.Limits{Disabled: true}), rsctest.WithRequestLogLimit(-1))
	cu := srv.AddCustomer(rsctest.CustomerSpec{})
	if cu.Organization != org {
		tb.Fatalf("the fake's customer is %s, the generated records name %s", cu.Organization, org)
	}
	return srv, cu
}

// recorded is one candidate batch call as the engine sent it, and the
// fake's answer.
type recorded struct {
	method, url string
	header      http.Header
	body, resp  []byte
}

// recorder keeps the engine's candidate batch calls.
type recorder struct {
	rt    http.RoundTripper
	mu    gosync.Mutex
	calls []recorded
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := r.rt.RoundTrip(req)
	if err != nil || req.URL.Path != "/v2/atsCandidates" {
		return resp, err
	}
	rb, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(rb))
	r.mu.Lock()
	r.calls = append(r.calls, recorded{req.Method, req.URL.String(), req.Header.Clone(), body, rb})
	r.mu.Unlock()
	return resp, err
}

// answerTo returns the fake's answer to the call whose first key is
// candidate i.
func (r *recorder) answerTo(i int) []byte {
	first := []byte("ids[0].atsCandidateId=" + candidateID(i) + "&")
	for _, c := range r.calls {
		if bytes.Contains(c.body, first) {
			return c.resp
		}
	}
	return nil
}

// validateOnFake is the pass that proves the comparison fair: the engine
// and the hand loop (and the floor) each sync n generated candidates into
// a fresh fake, which must store every one, the same records with the same
// values from every side, and the fake's answer to a full batch must be
// byte for byte what the canned transport answers. It returns the
// engine's calls. The fakes are closed on return, and nothing refers to
// them any more: a benchmark that measures afterwards does not carry their
// stored records in its heap, which every garbage collection would mark.
func validateOnFake(tb testing.TB, n int) []recorded {
	tb.Helper()
	ctx := context.Background()
	srv, cu := openFake(tb)
	defer srv.Close()
	rec := &recorder{rt: srv.Transport()}
	runEngine(ctx, tb, newEngineClient(tb, rec, srv.URL(), srv.TokenURL(), cu.ClientID, cu.ClientSecret), candidateSource{n})
	engineStored := cu.Candidates()
	if got := len(engineStored); got != n {
		tb.Fatalf("engine: the fake stored %d of %d candidates", got, n)
	}
	if want := acceptedResponse(0, min(n, batchSize)); !bytes.Equal(rec.answerTo(0), want) {
		tb.Fatalf("the canned answer differs from the fake's:\nfake:   %.300s\ncanned: %.300s", rec.answerTo(0), want)
	}

	for _, floor := range []bool{false, true} {
		srv, cu := openFake(tb)
		defer srv.Close()
		hc := &http.Client{Transport: srv.Transport()}
		tok, err := fetchToken(ctx, hc, srv.TokenURL(), cu.ClientID, cu.ClientSecret)
		if err != nil {
			tb.Fatal(err)
		}
		h := &handLoop{hc: hc, base: srv.URL(), token: tok, inFlight: inFlight, floor: floor}
		stored, refused, err := h.run(ctx, candidateSource{n})
		if err != nil {
			tb.Fatal(err)
		}
		got := cu.Candidates()
		if len(got) != n || stored != int64(n) || refused != 0 {
			tb.Fatalf("hand loop (floor %v): the fake stored %d of %d candidates; the responses said %d stored, %d refused",
				floor, len(got), n, stored, refused)
		}
		// The same work: the same records, stored with the same values.
		if d := cmp.Diff(engineStored, got); d != "" {
			tb.Fatalf("hand loop (floor %v): the fake stored other candidates than the engine's (-engine +hand loop):\n%s", floor, d)
		}
	}
	return rec.calls
}

// TestBaselineAccepted checks the harness: the fake stores every record
// of both the engine and the hand loop, and the canned answers are the
// fake's.
func TestBaselineAccepted(t *testing.T) {
	validateOnFake(t, 1050)
}

// TestAppendJSON checks the floor loop's encoder against encoding/json:
// the same JSON value.
func TestAppendJSON(t *testing.T) {
	rec := candidate(7, 10).Record
	c := toHand(&rec)
	odd := c
	odd.FirstName, odd.LastName, odd.EmailAddresses = "Zoë \"Z\" \\ <&>", "", []string{"a@b.c", "tab\there\x01"}
	for _, c := range []handCandidate{c, odd} {
		want, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var got, exp any
		if err := json.Unmarshal(c.appendJSON(nil), &got); err != nil {
			t.Fatalf("appendJSON wrote invalid JSON: %v\n%s", err, c.appendJSON(nil))
		}
		if err := json.Unmarshal(want, &exp); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(exp, got); diff != "" {
			t.Errorf("appendJSON (-encoding/json +appendJSON):\n%s", diff)
		}
	}
}

// TestCannedTransport checks that the canned transport answers every
// batch of both sides, and refuses a batch it has no answer for.
func TestCannedTransport(t *testing.T) {
	const n = 1050
	ctx := context.Background()
	ct := newCannedTransport(n, true)
	runEngine(ctx, t, newEngineClient(t, ct, cannedBase, cannedBase+"/oauth/v2/accessToken", "id", "secret"), candidateSource{n})
	if got := ct.records.Load(); got != n {
		t.Errorf("engine: %d records answered, want %d", got, n)
	}
	ct = newCannedTransport(n, true)
	h := &handLoop{hc: &http.Client{Transport: ct}, base: cannedBase, token: "t", inFlight: inFlight}
	stored, refused, err := h.run(ctx, candidateSource{n})
	if err != nil || stored != n || refused != 0 || ct.records.Load() != n {
		t.Errorf("hand loop: stored %d, refused %d, answered %d, err %v; want %d stored", stored, refused, ct.records.Load(), err, n)
	}
	ct = newCannedTransport(n+1, true) // batches of another dataset size
	h.hc = &http.Client{Transport: ct}
	if _, _, err := h.run(ctx, candidateSource{n}); err == nil {
		t.Error("a batch the canned transport has no answer for went through")
	}
}

// cannedBase is the canned transport's base URL: nothing listens there.
const cannedBase = "http://canned.invalid"
