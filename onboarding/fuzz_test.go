package onboarding

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/rscgo/rscgo/internal/fuzzseed"
	"github.com/rscgo/rscgo/internal/pushq"
	"github.com/rscgo/rscgo/internal/pushq/pushqtest"
	"github.com/rscgo/rscgo/internal/restli"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// Fuzz target for the push (CALLBACK_URL) handler. Seeds live in
// testdata/fuzz/FuzzPushHandler/, generated from pushSeeds: after editing
// the table run
//
//	RSCGO_WRITE_FUZZ_SEEDS=1 go test -run TestPushFuzzSeedFiles ./onboarding
//
// Without -fuzz, `go test` runs every seed as a unit test.

// pushSecret is the child application's client secret, the X-LI-Signature key.
const pushSecret = "child-client-secret-4f9a"

// pushRecorder is a LinkedIn stand-in for the handler's workers: it records
// the requestId of every atsIntegrations?q=request call (answering 404, an
// expired payload) and every event passed to the WithExportHandler function.
type pushRecorder struct {
	mu        sync.Mutex
	requested []string
	exported  []string
}

func (p *pushRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
	q, err := restli.ParseQuery(r.URL.RawQuery)
	if err == nil && q.Get("q") == "request" {
		p.mu.Lock()
		p.requested = append(p.requested, q.Get("requestId"))
		p.mu.Unlock()
	}
	return &http.Response{StatusCode: http.StatusNotFound, Header: http.Header{"Content-Type": {"application/json"}}, Request: r,
		Body: io.NopCloser(strings.NewReader(`{"message":"Request does not exist or has expired","serviceErrorCode":404,"status":404}`))}, nil
}

func (p *pushRecorder) seen(id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Contains(p.requested, id) || slices.Contains(p.exported, id)
}

// FuzzPushHandler posts an arbitrary callback request (path, X-LI-Signature,
// body) and a validly signed, well-formed event to a PushHandler that
// verifies signatures with the instance's secret. The handler must not
// panic, must never answer 5xx to malformed input, must reject every bad
// signature (and a missing one, unless WithUnsignedPushes) with 401, must answer
// 200 only to a verified, parsable event, and must accept the valid event
// and hand it to a worker (the WithExportHandler function, or the I3 fetch
// for a status change).
func FuzzPushHandler(f *testing.F) {
	body := []byte(`{"id":"r1","type":"EXPORT_CANDIDATE_PROFILE","expiresAt":1741609200000}`)
	f.Add("/rsc/push/acme", rsc.SignPush(body, pushSecret), body, false, "r2", false)
	f.Fuzz(func(t *testing.T, path, sig string, body []byte, require bool, validID string, statusEvent bool) {
		rec := &pushRecorder{}
		cl, err := rsc.NewClient(rsc.WithBaseURL("http://linkedin.invalid"), rsc.WithTransport(rec),
			rsc.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"})), rsc.WithRetryPolicy(rsc.RetryPolicy{MaxAttempts: 1}))
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
		opts := []Option{WithPushWorkers(1, 8), WithFetchTimeout(10 * time.Second), WithClock(rsctest.NewFakeClock(now)),
			WithExportHandler(func(_ context.Context, _ Instance, ev rsc.PushEvent, _ *rsc.Client) error {
				rec.mu.Lock()
				rec.exported = append(rec.exported, ev.ID)
				rec.mu.Unlock()
				return nil
			})}
		if !require {
			opts = append(opts, WithUnsignedPushes())
		}
		h := testPushHandler(t, pushConfig{
			resolve:  instanceFromPath("/rsc/push"),
			secret:   func(context.Context, Instance) (string, error) { return pushSecret, nil },
			client:   func(context.Context, Instance) (*rsc.Client, error) { return cl, nil },
			onStatus: func(ctx context.Context, _ Instance, _ []rsc.Integration) error { return nil },
		}, opts...)
		post := func(target, sig string, body []byte) int { return pushqtest.Post(t.Context(), h, target, sig, body) }

		// The arbitrary request, if a net/http server would pass it on.
		if !strings.HasPrefix(path, "/") {
			path = "/rsc/push/" + path
		}
		if _, err := url.ParseRequestURI(path); err == nil && !strings.ContainsFunc(path, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			checkPush(t, post(path, fuzzseed.HeaderValue(sig), body), path, fuzzseed.HeaderValue(sig), body, require)
		}

		// A validly signed, well-formed event.
		typ := rsc.EventExportCandidate
		if statusEvent {
			typ = rsc.EventIntegrationStatus
		}
		if validID == "" {
			validID = "r1"
		}
		good, _ := json.Marshal(rsc.PushEvent{ID: validID, Type: typ, ExpiresAt: rsc.Millis(now.Add(time.Hour))})
		ev, err := rsc.ParsePushEvent(good)
		if err != nil {
			t.Fatalf("ParsePushEvent(%s): %v", good, err)
		}
		if !pushq.ValidID(ev.ID) {
			// LinkedIn's JSON is UTF-8: an id that is not is refused at the edge.
			if code := post("/rsc/push/acme/emea", rsc.SignPush(good, pushSecret), good); code != http.StatusBadRequest {
				t.Fatalf("signed event with an invalid UTF-8 id %s: %d, want 400", good, code)
			}
			return
		}
		if code := post("/rsc/push/acme/emea", rsc.SignPush(good, pushSecret), good); code != http.StatusOK {
			t.Fatalf("valid signed event %s: %d", good, code)
		}
		h.Close() // drains the queue and waits for the worker (no polling)
		if !rec.seen(ev.ID) {
			t.Fatalf("valid event %s accepted but never handled (requested %q, exported %q)", good, rec.requested, rec.exported)
		}
	})
}

// checkPush asserts the handler's documented answers for one request.
func checkPush(t *testing.T, code int, path, sig string, body []byte, require bool) {
	t.Helper()
	desc := fmt.Sprintf("POST %q sig %q require %v body %q → %d", path, sig, require, body, code)
	if code >= 500 {
		t.Fatalf("5xx for malformed input: %s", desc)
	}
	if !slices.Contains([]int{200, 400, 401, 404}, code) {
		t.Fatalf("undocumented status: %s", desc)
	}
	verified := sig != "" && rsc.VerifyPush(body, sig, pushSecret) == nil
	sigOK := verified || sig == "" && !require
	if _, err := instanceFromPath("/rsc/push")(httptest.NewRequest(http.MethodPost, path, nil)); err != nil {
		// No instance owns the URL: the answer is a missing or bad
		// signature's, whatever was signed, so that it does not tell which
		// customers exist; 404 only when unsigned pushes are allowed.
		want := http.StatusUnauthorized
		if sig == "" && !require {
			want = http.StatusNotFound
		}
		if code != want {
			t.Fatalf("unknown instance answered %d, want %d: %s", code, want, desc)
		}
		return
	}
	if code != http.StatusNotFound { // the instance resolved; the signature is checked next
		if !sigOK && code != http.StatusUnauthorized {
			t.Fatalf("bad or missing signature not rejected with 401: %s", desc)
		}
		if sigOK && code == http.StatusUnauthorized {
			t.Fatalf("good signature rejected: %s", desc)
		}
	}
	_, perr := pushq.Parse(body)
	if code == http.StatusOK && (!sigOK || perr != nil) {
		t.Fatalf("accepted an unverified or malformed event (%v): %s", perr, desc)
	}
	if code == http.StatusBadRequest && perr == nil && sigOK {
		t.Fatalf("well-formed event refused: %s", desc)
	}
}

// pushSeed is one seed file: testdata/fuzz/FuzzPushHandler/<name>.
type pushSeed struct {
	name            string
	path, sig       string
	body            []byte
	require         bool
	validID         string
	statusEventType bool
}

func (s pushSeed) seed() fuzzseed.Seed {
	return fuzzseed.Seed{Target: "FuzzPushHandler", Name: s.name, Args: []any{s.path, s.sig, s.body, s.require, s.validID, s.statusEventType}}
}

// pushSeeds are real push shapes (docs/linkedin-api.md §8.1, the
// fake's rsctest.Sign output) and the classic ways to get them wrong.
func pushSeeds() []pushSeed {
	export := []byte(`{"id":"8f1c3a5e-7b2d-4e9f-a1c0-3d5e7f9a1b2c","type":"EXPORT_CANDIDATE_PROFILE","expiresAt":1741609200000}`)
	status := []byte(`{"id":"b1e7c0de-0000-4000-a000-000000000001","type":"INTEGRATION_STATUS_CHANGE","expiresAt":1741609200000}`)
	aliases := []byte(`{"requestId":"e1","eventType":"EXPORT_CANDIDATE_PROFILE"}`)
	sign := func(b []byte) string { return rsc.SignPush(b, pushSecret) }
	upper := "hmacsha256=" + strings.ToUpper(sign(export)[len("hmacsha256="):])
	return []pushSeed{
		{"export_signed", "/rsc/push/acme", sign(export), export, true, "r2", false},
		{"status_signed_label", "/rsc/push/acme/emea", sign(status), status, true, "r3", true},
		{"aliases_unsigned", "/rsc/push/acme", "", aliases, false, "e1", false},
		{"unsigned_required", "/rsc/push/acme", "", export, true, "r4", true},
		{"wrong_secret", "/rsc/push/acme", rsc.SignPush(export, "other-secret"), export, false, "r5", false},
		{"signature_of_other_body", "/rsc/push/acme", sign(status), export, false, "r6", true},
		{"uppercase_hex", "/rsc/push/acme", upper, export, true, "r7", false},
		{"no_prefix", "/rsc/push/acme", sign(export)[len("hmacsha256="):], export, false, "r8", false},
		{"sha1_prefix", "/rsc/push/acme", "sha1=" + sign(export)[len("hmacsha256="):], export, false, "r9", false},
		{"signed_garbage", "/rsc/push/acme", sign([]byte("{")), []byte("{"), true, "r10", false},
		{"signed_empty_event", "/rsc/push/acme", sign([]byte("{}")), []byte("{}"), true, "r11", false},
		{"signed_bad_expiry", "/rsc/push/acme", sign([]byte(`{"id":"x","type":"EXPORT_CANDIDATE_PROFILE","expiresAt":"soon"}`)),
			[]byte(`{"id":"x","type":"EXPORT_CANDIDATE_PROFILE","expiresAt":"soon"}`), false, "r12", true},
		{"unknown_type", "/rsc/push/acme", sign([]byte(`{"id":"x","type":"MEMBER_DELETED"}`)), []byte(`{"id":"x","type":"MEMBER_DELETED"}`), true, "x", false},
		{"unknown_instance", "/elsewhere/acme", sign(export), export, false, "r13", false},
		{"bad_label", "/rsc/push/acme/b%20d", "", export, false, "r14", false},
		{"escaped_customer", "/rsc/push/a%2Fb", sign(export), export, false, "8f1c3a5e-7b2d-4e9f-a1c0-3d5e7f9a1b2c", false},
		{"invalid_utf8_id", "/rsc/push/acme", "", []byte("{\"id\":\"\xff\",\"type\":\"EXPORT_CANDIDATE_PROFILE\"}"), false, "\xff\xfe", true},
	}
}

// TestPushFuzzSeedFiles checks testdata/fuzz/FuzzPushHandler holds exactly
// pushSeeds, or rewrites it when RSCGO_WRITE_FUZZ_SEEDS=1.
func TestPushFuzzSeedFiles(t *testing.T) {
	var seeds []fuzzseed.Seed
	for _, s := range pushSeeds() {
		seeds = append(seeds, s.seed())
	}
	fuzzseed.Check(t, seeds)
}
