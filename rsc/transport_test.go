package rsc

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// mockClient returns an in-process harness's client that retries (4
// attempts, 1s..30s backoff), for tests inside a testing/synctest bubble,
// with the harness and its count of tokens issued.
func mockClient(t *testing.T, opts ...Option) (*Client, *harness, *atomic.Int32) {
	t.Helper()
	retry := WithRetryPolicy(RetryPolicy{MaxAttempts: 4, MinWait: time.Second, MaxWait: 30 * time.Second, MaxElapsed: 5 * time.Minute})
	h := setupInProcess(t, nil, append([]Option{retry}, opts...)...)
	return h.client, h, &h.tokens
}

// sequence answers with the given statuses in turn (the last repeats),
// checking the raw query byte for byte.
// A status 0 resets the connection instead.
func sequence(t *testing.T, wantQuery string, statuses ...int) (handlerFunc, *atomic.Int32) {
	var n atomic.Int32
	return func(w http.ResponseWriter, s seen) {
		i := int(n.Add(1)) - 1
		if wantQuery != "" && s.RawQuery != wantQuery {
			t.Errorf("raw query = %s, want %s", s.RawQuery, wantQuery)
		}
		switch st := statuses[min(i, len(statuses)-1)]; {
		case st == 0:
			resetConnection(w)
		case st >= 300:
			reply(w, st, fmt.Sprintf(`{"message":"boom %d","serviceErrorCode":%d,"status":%d}`, st, st, st))
		default:
			reply(w, st, `{"results":{"N1":{"status":204}},"errors":{}}`)
		}
	}, &n
}

var noteKey = CandidateKey{IntegrationContext: org, CandidateID: "C1"}

// bubbleJob is a valid job inside a synctest bubble, whose clock starts in 2000.
func bubbleJob() JobPosting {
	j := testJob("J1")
	j.ListedAt = Millis(time.Now().Add(-time.Hour))
	return j
}

func upsertNote(ctx context.Context, c *Client) error {
	res, err := c.Candidates.UpsertNotes(ctx, noteKey, []Note{{ID: "N1", Note: "hi"}})
	if err != nil {
		return err
	}
	return res.Err()
}

// notesClient is a mockClient (with opts) whose notes endpoint, the one
// upsertNote writes to, answers with statuses in turn as sequence does. It
// returns the client, its harness and the number of requests the endpoint
// received.
func notesClient(t *testing.T, opts []Option, statuses ...int) (*Client, *harness, *atomic.Int32) {
	t.Helper()
	c, h, _ := mockClient(t, opts...)
	resp, n := sequence(t, "ids=N1", statuses...)
	h.route("PUT", notesURL, resp)
	return c, h, n
}

// upsertNoteTimesOut calls upsertNote with a timeout of d, inside a
// testing/synctest bubble, and checks that it fails with the deadline
// exactly d later.
func upsertNoteTimesOut(t *testing.T, c *Client, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	start := time.Now()
	if err := upsertNote(ctx, c); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	if got := time.Since(start); got != d {
		t.Errorf("returned after %v, want exactly the %v deadline", got, d)
	}
}

const notesURL = "/v2/atsCandidates/atsCandidateId=C1&dataProvider=ATS&integrationContext=urn:li:organization:123/notes"

// A 500 then 200 on a PUT is retried.
func TestRetryPutAfter500(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var retries []RetryInfo
		c, _, n := notesClient(t, []Option{WithHooks(Hooks{OnRetry: func(ri RetryInfo) { retries = append(retries, ri) }})}, 500, 200)
		if err := upsertNote(t.Context(), c); err != nil {
			t.Fatal(err)
		}
		if n.Load() != 2 || len(retries) != 1 || retries[0].StatusCode != 500 {
			t.Errorf("calls %d, retries %+v", n.Load(), retries)
		}
	})
}

// An answer whose body is cut off after its headers fails the call with
// the read error, once, for a PUT as for a batch_create: the status was
// sent but nothing confirms any record (the sync engine sends the batch
// again on its next run).
func TestTruncatedBodyFailsTheCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, h, _ := mockClient(t)
		var puts, posts atomic.Int32
		h.route("PUT", notesURL, func(w http.ResponseWriter, s seen) {
			puts.Add(1)
			w.Header().Set(truncateHeader, "1")
			reply(w, 200, `{"results":{"N1":{"status":204}}}`)
		})
		if err := upsertNote(t.Context(), c); err == nil || !strings.Contains(err.Error(), "reading response: unexpected EOF") || puts.Load() != 1 {
			t.Fatalf("PUT: err %v after %d attempts, want the cut answer after 1", err, puts.Load())
		}
		h.route("POST", "/v2/simpleJobPostings", func(w http.ResponseWriter, s seen) {
			posts.Add(1)
			w.Header().Set(truncateHeader, "1")
			reply(w, 200, `{"elements":[{"id":"urn:li:simpleJobPostingTask:1","status":202}]}`)
		})
		_, err := c.Jobs.Submit(t.Context(), []JobPosting{bubbleJob()})
		if err == nil || !strings.Contains(err.Error(), "reading response: unexpected EOF") || posts.Load() != 1 {
			t.Fatalf("batch_create: err %v after %d attempts, want the cut answer after 1", err, posts.Load())
		}
	})
}

// An error answer whose body is cut off keeps its type: the status is the
// answer (a daily 429 parks the customer, a 409 falls back to a lookup),
// the body only adds its message.
func TestTruncatedErrorBodyKeepsItsType(t *testing.T) {
	for _, tc := range []struct {
		status int
		window string
		want   error
	}{{429, "DAY", ErrRateLimited}, {409, "", ErrConflict}, {404, "", ErrNotFound}} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			h := setupInProcess(t, nil)
			h.route("PUT", notesURL, func(w http.ResponseWriter, s seen) {
				if tc.window != "" {
					w.Header().Set("X-Li-Throttle-Window", tc.window)
				}
				w.Header().Set(truncateHeader, "1")
				reply(w, tc.status, `{"message":"Resource level throttle APPLICATION DAY limit for calls to this resource is reached.","status":429}`)
			})
			err := upsertNote(t.Context(), h.client)
			if !errors.Is(err, tc.want) {
				t.Errorf("status %d with a cut-off body: %v, want %v", tc.status, err, tc.want)
			}
			var rl *RateLimitError
			if tc.status == 429 && !(errors.As(err, &rl) && rl.Daily) {
				t.Errorf("a daily 429 with a cut-off body: %v, want a daily *RateLimitError", err)
			}
		})
	}
}

// An error answer is read only as far as its message and the part APIError
// keeps need: a proxy's 500 page of 70 MiB, gzipped to 70 KiB, costs no
// more than a normal answer.
func TestErrorBodyReadIsBounded(t *testing.T) {
	var bomb bytes.Buffer
	zw, err := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write([]byte(`{"message":"`))
	chunk := bytes.Repeat([]byte("A"), 1<<20)
	for range 70 {
		zw.Write(chunk)
	}
	zw.Close()
	h := setup(t, nil)
	var sent atomic.Int64
	h.route("PUT", notesURL, func(w http.ResponseWriter, s seen) {
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(http.StatusInternalServerError)
		n, _ := w.Write(bomb.Bytes())
		sent.Add(int64(n))
	})
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	err = upsertNote(t.Context(), h.client)
	runtime.ReadMemStats(&m1)
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 500 || len(ae.Body) != maxErrorBody {
		t.Fatalf("%v, want an *APIError of status 500 keeping %d bytes", err, maxErrorBody)
	}
	if mib := (m1.TotalAlloc - m0.TotalAlloc) >> 20; mib > 16 {
		t.Errorf("the 500 answers (%d KiB on the wire) cost %d MiB of allocation", sent.Load()>>10, mib)
	}
}

// A 500 on a batch_create is not retried.
func TestNoRetryBatchCreate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, h, _ := mockClient(t)
		resp, n := sequence(t, "", 500, 200)
		h.route("POST", "/v2/simpleJobPostings", resp)
		res, err := c.Jobs.Submit(t.Context(), []JobPosting{bubbleJob()})
		var ae *APIError
		if !errors.As(err, &ae) || ae.StatusCode != 500 || ae.Message != "boom 500" {
			t.Fatalf("err = %v", err)
		}
		if n.Load() != 1 {
			t.Errorf("batch_create sent %d times", n.Load())
		}
		if res.Items[0].Err == nil {
			t.Error("the job's item must carry the error")
		}
	})
}

func TestNoRetryCreateOnTransportError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, h, _ := mockClient(t)
		resp, n := sequence(t, "", 0, 200)
		h.route("POST", "/v2/simpleJobPostings", resp)
		if _, err := c.Jobs.Submit(t.Context(), []JobPosting{bubbleJob()}); err == nil || !strings.Contains(err.Error(), "connection reset") {
			t.Fatalf("err = %v", err)
		}
		if n.Load() != 1 {
			t.Errorf("sent %d times", n.Load())
		}
		// Opting in retries creates.
		c2, h2, _ := mockClient(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 3, MinWait: time.Second, MaxWait: time.Second, RetryCreates: true}))
		resp2, n2 := sequence(t, "", 0, 200)
		h2.route("POST", "/v2/simpleJobPostings", resp2)
		c2.Jobs.Submit(t.Context(), []JobPosting{bubbleJob()})
		if n2.Load() != 2 {
			t.Errorf("with RetryCreates sent %d times, want 2", n2.Load())
		}
	})
}

// throttleOnce routes the notes endpoint to answer the first PUT with a 429
// carrying headers, and every later one with success. It returns the number
// of PUTs received.
func throttleOnce(h *harness, headers map[string]string) *atomic.Int32 {
	var n atomic.Int32
	h.route("PUT", notesURL, func(w http.ResponseWriter, s seen) {
		if n.Add(1) == 1 {
			for k, v := range headers {
				w.Header().Set(k, v)
			}
			reply(w, 429, `{"message":"Resource level throttle limit for calls to this resource is reached.","status":429}`)
			return
		}
		reply(w, 200, `{"results":{"N1":{"status":204}}}`)
	})
	return &n
}

func TestRetryAfterHonoured(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, h, _ := mockClient(t)
		throttleOnce(h, map[string]string{"Retry-After": "7", "X-Li-Throttle-Window": "MINUTE"})
		start := time.Now()
		if err := upsertNote(t.Context(), c); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 7*time.Second {
			t.Errorf("waited %v, want exactly the Retry-After 7s", d)
		}
	})
}

func TestDailyThrottleParksBucket(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var throttled []ThrottleInfo
		c, h, _ := mockClient(t, WithHooks(Hooks{OnThrottled: func(ti ThrottleInfo) { throttled = append(throttled, ti) }}))
		n := throttleOnce(h, map[string]string{"X-Li-Throttle-Window": "DAY"})
		err := upsertNote(t.Context(), c)
		var rl *RateLimitError
		if !errors.As(err, &rl) || !rl.Daily || rl.Local || !errors.Is(err, ErrRateLimited) {
			t.Fatalf("err = %v", err)
		}
		if want := nextMidnight(time.Now()); !rl.ResetAt.Equal(want) {
			t.Errorf("ResetAt = %v, want %v", rl.ResetAt, want)
		}
		// Parked: refused locally, nothing sent.
		err = upsertNote(t.Context(), c)
		if !errors.As(err, &rl) || !rl.Local || n.Load() != 1 {
			t.Fatalf("second call: %v (sent %d)", err, n.Load())
		}
		if q := c.Quota(BucketSync); q.Remaining != 0 {
			t.Errorf("quota = %+v", q)
		}
		// Other buckets are not parked.
		if c.Quota(BucketProspect).Remaining == 0 {
			t.Error("prospect bucket parked too")
		}
		time.Sleep(time.Until(rl.ResetAt) + time.Second)
		if err := upsertNote(t.Context(), c); err != nil {
			t.Fatalf("after midnight: %v", err)
		}
		if len(throttled) < 2 || !throttled[0].Daily {
			t.Errorf("throttle hooks = %+v", throttled)
		}
	})
}

// Cancelling the caller's context ends a retry wait at once.
func TestContextCancelStopsBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, h, _ := mockClient(t)
		h.route("PUT", notesURL, func(w http.ResponseWriter, s seen) {
			w.Header().Set("Retry-After", "30")
			reply(w, 503, `{}`)
		})
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(2*time.Second, cancel)
		start := time.Now()
		if err := upsertNote(ctx, c); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want the cancellation", err)
		}
		if got := time.Since(start); got != 2*time.Second {
			t.Errorf("returned after %v, want exactly the 2s of the cancellation", got)
		}
	})
}

// A token answered form-encoded (as some gateways and fakes answer) expires
// on the client's Clock too, expires_in after it was fetched: five calls
// within its lifetime on a Clock a day ahead of the wall clock fetch one
// token, not one each.
func TestFormTokenExpiryOnClientClock(t *testing.T) {
	clk := &fakeClock{now: time.Now().Add(24 * time.Hour)}
	h := setup(t, func(w http.ResponseWriter, s seen) {
		reply(w, 200, `{"results":{"N1":{"status":204}},"errors":{}}`)
	}, WithClock(clk))
	var tokens atomic.Int32
	h.onToken(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
		fmt.Fprintf(w, "access_token=tok%d&expires_in=1800&token_type=Bearer", tokens.Add(1))
	})
	for range 5 {
		if err := upsertNote(t.Context(), h.client); err != nil {
			t.Fatal(err)
		}
	}
	if n := tokens.Load(); n != 1 {
		t.Errorf("5 calls within one token's 30 minutes (on the client's Clock) fetched %d tokens", n)
	}
}

func TestTokenReuseRefreshAnd401(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, h, tokens := mockClient(t)
		var revoked atomic.Bool
		var sent []string
		var mu sync.Mutex
		h.route("PUT", notesURL, func(w http.ResponseWriter, s seen) {
			auth := s.Header.Get("Authorization")
			mu.Lock()
			sent = append(sent, auth)
			mu.Unlock()
			if revoked.Load() && auth == "Bearer tok1" {
				reply(w, 401, `{"message":"Invalid access token","serviceErrorCode":65600,"status":401}`)
				return
			}
			reply(w, 200, `{"results":{"N1":{"status":204}}}`)
		})
		for range 3 {
			if err := upsertNote(t.Context(), c); err != nil {
				t.Fatal(err)
			}
		}
		if tokens.Load() != 1 {
			t.Fatalf("token fetched %d times for 3 calls", tokens.Load())
		}
		revoked.Store(true)
		if err := upsertNote(t.Context(), c); err != nil {
			t.Fatalf("after revocation: %v", err)
		}
		if tokens.Load() != 2 || sent[len(sent)-1] != "Bearer tok2" || sent[len(sent)-2] != "Bearer tok1" {
			t.Fatalf("tokens %d, sent %v", tokens.Load(), sent)
		}
		// Expiry: 1800 s later (minus the one-minute delta) a new token is fetched.
		time.Sleep(1800*time.Second - 30*time.Second)
		if err := upsertNote(t.Context(), c); err != nil {
			t.Fatal(err)
		}
		if tokens.Load() != 3 {
			t.Errorf("token not refreshed before expiry: %d fetches", tokens.Load())
		}
	})
}

// How a PUT (idempotent, so retried) of one note ends after each sequence
// of answers: transport errors are retried; after the last attempt the
// caller gets that response's typed error, not a "giving up" wrapper; a 401
// makes the call fetch a new token and resend once, even when the call has
// just fetched the token it sent, and never loops.
func TestPutRetries(t *testing.T) {
	type outcome struct {
		Status        int // the *APIError's status, 0 for success
		GivingUp      bool
		Calls, Tokens int32
	}
	for _, tc := range []struct {
		name     string
		statuses []int
		want     outcome
	}{
		{"connection resets then 200", []int{0, 0, 200}, outcome{Calls: 3, Tokens: 1}},
		{"503 until the attempts run out", []int{503}, outcome{Status: 503, Calls: 4, Tokens: 1}},
		{"401 on a fresh token, then accepted", []int{401, 200}, outcome{Calls: 2, Tokens: 2}},
		{"401 every time: one refresh", []int{401}, outcome{Status: 401, Calls: 2, Tokens: 2}},
		{"401, 503, 401: one refresh per call", []int{401, 503, 401}, outcome{Status: 401, Calls: 3, Tokens: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, h, n := notesClient(t, nil, tc.statuses...)
				err := upsertNote(t.Context(), c)
				var ae *APIError
				if err != nil && !errors.As(err, &ae) {
					t.Fatalf("err = %v, want an *APIError", err)
				}
				got := outcome{Calls: n.Load(), Tokens: h.tokens.Load()}
				if ae != nil {
					got.Status, got.GivingUp = ae.StatusCode, strings.Contains(err.Error(), "giving up")
				}
				if d := cmp.Diff(tc.want, got); d != "" {
					t.Errorf("outcome (-want +got):\n%s", d)
				}
				if tc.want.Status == 401 && !errors.Is(err, ErrUnauthorized) {
					t.Errorf("err = %v, want ErrUnauthorized", err)
				}
			})
		})
	}
}

// When LinkedIn refuses the first token, every one of many concurrent
// calls succeeds after one shared refresh, the call that fetched the
// refused token as well as those that found it cached.
func TestConcurrent401RefreshesOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, h, tokens := mockClient(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
		h.route("PUT", notesURL, func(w http.ResponseWriter, s seen) {
			if s.Header.Get("Authorization") == "Bearer tok1" {
				reply(w, 401, `{"message":"Invalid access token","serviceErrorCode":65600,"status":401}`)
				return
			}
			reply(w, 200, `{"results":{"N1":{"status":204}}}`)
		})
		var wg sync.WaitGroup
		var failed atomic.Int32
		for range 20 {
			wg.Go(func() {
				if err := upsertNote(t.Context(), c); err != nil {
					failed.Add(1)
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if failed.Load() != 0 || tokens.Load() != 2 {
			t.Errorf("%d of 20 calls failed, %d tokens fetched; want none and 2", failed.Load(), tokens.Load())
		}
	})
}

// The records-per-minute pacer keeps every calendar minute under the limit
// while using nearly all of it.
func TestPacingRecordsPerMinute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, h, _ := mockClient(t, WithLimits(Limits{SyncRecordsPerMinute: 1000, SyncRequestsPerDay: 100000}))
		perMinute := map[int64]int{}
		var mu sync.Mutex
		h.route("PUT", notesURL, func(w http.ResponseWriter, s seen) {
			mu.Lock()
			perMinute[time.Now().Unix()/60] += 100
			mu.Unlock()
			reply(w, http.StatusNoContent, ``)
		})
		notes := make([]Note, 100)
		for i := range notes {
			notes[i] = Note{ID: fmt.Sprintf("N%d", i), Note: "x"}
		}
		start := time.Now()
		for range 30 {
			if _, err := c.Candidates.UpsertNotes(t.Context(), noteKey, notes); err != nil {
				t.Fatal(err)
			}
		}
		elapsed := time.Since(start)
		for m, n := range perMinute {
			if n > 1000 {
				t.Errorf("minute %d carried %d records", m, n)
			}
		}
		// 3,000 records at 1,000/minute: about 3 minutes, never much more.
		if elapsed < 2*time.Minute || elapsed > 3*time.Minute+10*time.Second {
			t.Errorf("3,000 records took %v", elapsed)
		}
	})
}

func TestDailyQuotaRefusedLocally(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _, n := notesClient(t, []Option{WithLimits(Limits{SyncRequestsPerDay: 2})}, 200)
		upsertNote(t.Context(), c)
		upsertNote(t.Context(), c)
		err := upsertNote(t.Context(), c)
		var rl *RateLimitError
		if !errors.As(err, &rl) || !rl.Local || !rl.Daily {
			t.Fatalf("err = %v", err)
		}
		if n.Load() != 2 {
			t.Errorf("sent %d", n.Load())
		}
		if q := c.Quota(BucketSync); q.Used != 2 || q.Remaining != 0 || q.Limit != 2 {
			t.Errorf("quota = %+v", q)
		}
	})
}

// No token, secret or Authorization header in logs, errors or hook payloads.
func TestSecretsNeverLeak(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs bytes.Buffer
		var payloads []string
		hooks := Hooks{
			OnRequest:   func(i RequestInfo) { payloads = append(payloads, fmt.Sprintf("%+v", i)) },
			OnResponse:  func(i ResponseInfo) { payloads = append(payloads, fmt.Sprintf("%+v", i)) },
			OnRetry:     func(i RetryInfo) { payloads = append(payloads, fmt.Sprintf("%+v", i)) },
			OnThrottled: func(i ThrottleInfo) { payloads = append(payloads, fmt.Sprintf("%+v", i)) },
		}
		c, _, _ := notesClient(t, []Option{WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))), WithHooks(hooks)}, 500, 401, 200)
		var errs []string
		if err := upsertNote(t.Context(), c); err != nil {
			errs = append(errs, err.Error())
		}
		// A failing token endpoint that echoes the secret in its body.
		bad, h2, _ := mockClient(t, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))), WithHooks(hooks))
		h2.onToken(func(w http.ResponseWriter, r *http.Request) {
			reply(w, 401, `{"error":"invalid_client","error_description":"client_secret csecret is wrong"}`)
		})
		err := upsertNote(t.Context(), bad)
		var ae *AuthError
		if !errors.As(err, &ae) || ae.StatusCode != 401 || ae.Code != "invalid_client" {
			t.Fatalf("token failure = %v", err)
		}
		errs = append(errs, err.Error(), fmt.Sprintf("%+v %#v", err, err))
		all := logs.String() + strings.Join(payloads, "\n") + strings.Join(errs, "\n")
		if logs.Len() == 0 || len(payloads) == 0 {
			t.Fatal("nothing captured: the test would pass vacuously")
		}
		for _, secret := range []string{"csecret", "tok1", "tok2", "Bearer", "Authorization"} {
			if strings.Contains(all, secret) {
				t.Errorf("%q leaked:\n%s", secret, all)
			}
		}
	})
}

// A token endpoint that echoes the credentials in its OAuth error code, in
// a form the redaction does not know (HTTP Basic's base64 of "id:secret"),
// does not get them into the *AuthError: a code that is not one word is
// not kept.
func TestOAuthErrorCodeKeptOnlyAsAWord(t *testing.T) {
	basic := base64.StdEncoding.EncodeToString([]byte("cid:csecret"))
	for _, tc := range []struct{ answered, want string }{
		{"invalid_client", "invalid_client"},
		{"invalid_client: Basic " + basic, "unrecognised error code"},
		{basic, "unrecognised error code"},
		{"csecret", "unrecognised error code"}, // redacted first
		{strings.Repeat("x", 65), "unrecognised error code"},
	} {
		t.Run(tc.answered, func(t *testing.T) {
			h := setup(t, nil)
			h.onToken(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				reply(w, 401, `{"error":"`+tc.answered+`"}`)
			})
			err := upsertNote(t.Context(), h.client)
			var ae *AuthError
			if !errors.As(err, &ae) || ae.Code != tc.want || strings.Contains(err.Error(), basic) {
				t.Errorf("%v, want an *AuthError with the code %q", err, tc.want)
			}
		})
	}
}

func TestNewClientValidatesOptions(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string][]Option{
		"no credentials":                   nil,
		"empty secret":                     {WithCredentials("id", "")},
		"bad base url":                     {WithCredentials("a", "b"), WithBaseURL("not a url")},
		"base url with a query":            {WithCredentials("a", "b"), WithBaseURL("https://api.example.com/x?tenant=1")},
		"base url with a bare ?":           {WithCredentials("a", "b"), WithBaseURL("https://api.example.com/x?")},
		"base url with a fragment":         {WithCredentials("a", "b"), WithBaseURL("https://api.example.com/x#f")},
		"base url with user info":          {WithCredentials("a", "b"), WithBaseURL("https://u:p@api.example.com")},
		"bad version":                      {WithCredentials("a", "b"), WithVersion("2026-04")},
		"bad retry":                        {WithCredentials("a", "b"), WithRetryPolicy(RetryPolicy{})},
		"MinWait over the default MaxWait": {WithCredentials("a", "b"), WithRetryPolicy(RetryPolicy{MaxAttempts: 2, MinWait: time.Minute})},
		"negative MaxWait":                 {WithCredentials("a", "b"), WithRetryPolicy(RetryPolicy{MaxAttempts: 2, MaxWait: -time.Second})},
		"bad limits":                       {WithCredentials("a", "b"), WithLimits(Limits{SyncRecordsPerMinute: 5})},
		"nil logger":                       {WithCredentials("a", "b"), WithLogger(nil)},
		"bad user agent":                   {WithCredentials("a", "b"), WithUserAgent("x\r\ny")},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := NewClient(opts...); err == nil {
				t.Error("no error")
			}
		})
	}
}

// Customer clients share the transport but never a token or a quota.
func TestForCustomerIsolation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		partner, h, tokens := mockClient(t, WithLimits(Limits{SyncRequestsPerDay: 1}))
		var auths []string
		h.route("PUT", notesURL, func(w http.ResponseWriter, s seen) {
			auths = append(auths, s.Header.Get("Authorization"))
			reply(w, http.StatusNoContent, ``)
		})
		a, _ := partner.ForCustomer("cid", "csecret")
		b, _ := partner.ForCustomer("cid", "csecret")
		if err := upsertNote(t.Context(), a); err != nil {
			t.Fatal(err)
		}
		if err := upsertNote(t.Context(), b); err != nil {
			t.Fatalf("b's quota was spent by a: %v", err)
		}
		if tokens.Load() != 2 || auths[0] == auths[1] {
			t.Errorf("tokens %d, auths %v", tokens.Load(), auths)
		}
	})
}

// Without our X-Li-Throttle-Window header, a 429 is classified by its
// message: LinkedIn's per-day throttle names the DAY window.
func TestThrottleWindowFromBody(t *testing.T) {
	for _, tc := range []struct {
		body  string
		daily bool
	}{
		{`{"message":"Resource level throttle APPLICATION DAY limit for calls to this resource is reached.","status":429}`, true},
		{`{"message":"Daily quota exceeded","status":429}`, true},
		{`{"message":"Resource level throttle APPLICATION MINUTE limit for calls to this resource is reached.","status":429}`, false},
		{`{"message":"Try again today","status":429}`, false},
	} {
		t.Run(tc.body, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, h, _ := mockClient(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
				var n atomic.Int32
				h.route("PUT", notesURL, func(w http.ResponseWriter, s seen) {
					n.Add(1)
					reply(w, 429, tc.body)
				})
				err := upsertNote(t.Context(), c)
				var rl *RateLimitError
				if !errors.As(err, &rl) {
					t.Fatalf("err = %v", err)
				}
				if rl.Daily != tc.daily {
					t.Errorf("Daily = %v, want %v", rl.Daily, tc.daily)
				}
				var ae *APIError
				if !errors.As(err, &ae) || !strings.Contains(ae.Message, "limit") && !strings.Contains(ae.Message, "quota") && !strings.Contains(ae.Message, "today") {
					t.Errorf("the body was not kept for the error: %+v", ae)
				}
			})
		})
	}
}

// A slow token endpoint never holds other callers past their context: one
// caller fetches, the others wait for it or for their deadline.
func TestSlowTokenFetchHonoursWaitersContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, h, _ := mockClient(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
		release := make(chan struct{})
		h.onToken(func(w http.ResponseWriter, r *http.Request) {
			<-release
			reply(w, 200, `{"access_token":"slow","expires_in":1800}`)
		})
		h.route("PUT", notesURL, func(w http.ResponseWriter, s seen) {
			reply(w, 200, `{"results":{"N1":{"status":204}}}`)
		})
		first := make(chan error, 1)
		go func() { first <- upsertNote(t.Context(), c) }()
		synctest.Wait() // the first call is inside the token fetch

		upsertNoteTimesOut(t, c, time.Second)
		close(release)
		if err := <-first; err != nil {
			t.Fatalf("fetching caller: %v", err)
		}
	})
}

// A failed token fetch answers every caller that waited for it: an
// endpoint refusing the credentials gets one request per burst of callers,
// not one per caller, and the failure is not kept, so the next call asks
// again. A fetch that its own caller's context ended says nothing of the
// endpoint: a waiter then fetches itself.
func TestTokenFetchFailureShared(t *testing.T) {
	type outcome struct {
		Fetcher       string         // the outcome of the call that fetched
		Waiters       map[string]int // outcomes of the calls that waited
		Later         string         // of a call after the burst
		TokenRequests int32
	}
	for _, tc := range []struct {
		name   string
		refuse bool // the endpoint refuses the client; else the first request hangs and its caller gives up
		want   outcome
	}{
		{"the endpoint refuses the client", true,
			outcome{Fetcher: "auth 401", Waiters: map[string]int{"auth 401": 9}, Later: "auth 401", TokenRequests: 2}},
		{"the fetching caller gives up", false,
			outcome{Fetcher: "canceled", Waiters: map[string]int{"ok": 9}, Later: "ok", TokenRequests: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, h, _ := mockClient(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
				h.route("PUT", notesURL, func(w http.ResponseWriter, s seen) { reply(w, 200, `{"results":{"N1":{"status":204}}}`) })
				release := make(chan struct{})
				var requests atomic.Int32
				h.onToken(func(w http.ResponseWriter, r *http.Request) {
					n := requests.Add(1)
					switch {
					case tc.refuse:
						if n == 1 {
							<-release
						}
						reply(w, 401, `{"error":"invalid_client"}`)
					case n == 1:
						w.Header().Set(hangHeader, "1")
					default:
						w.Header().Set("Content-Type", "application/json")
						reply(w, 200, `{"access_token":"tok","expires_in":1800}`)
					}
				})
				kind := func(err error) string {
					var ae *AuthError
					switch {
					case err == nil:
						return "ok"
					case errors.Is(err, context.Canceled):
						return "canceled"
					case errors.As(err, &ae):
						return fmt.Sprintf("auth %d", ae.StatusCode)
					}
					return err.Error()
				}
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				fetcher := make(chan error, 1)
				go func() { fetcher <- upsertNote(ctx, c) }()
				synctest.Wait() // the first call is inside the token fetch
				waiters := make(chan error, 9)
				for range 9 {
					go func() { waiters <- upsertNote(t.Context(), c) }()
				}
				synctest.Wait() // the others wait for it
				if tc.refuse {
					close(release)
				} else {
					cancel()
				}
				got := outcome{Fetcher: kind(<-fetcher), Waiters: map[string]int{}}
				for range 9 {
					got.Waiters[kind(<-waiters)]++
				}
				got.Later = kind(upsertNote(t.Context(), c))
				got.TokenRequests = requests.Load()
				if d := cmp.Diff(tc.want, got); d != "" {
					t.Errorf("(-want +got):\n%s", d)
				}
			})
		})
	}
}

// A 5xx from the token endpoint is retried, also for batch_create: without
// a token nothing was sent, so nothing can be created twice.
func TestTokenEndpoint5xxIsRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, h, _ := mockClient(t)
		var fetches atomic.Int32
		h.onToken(func(w http.ResponseWriter, r *http.Request) {
			if fetches.Add(1) == 1 {
				reply(w, 503, `{"error":"temporarily_unavailable"}`)
				return
			}
			reply(w, 200, `{"access_token":"tok","expires_in":1800}`)
		})
		var creates atomic.Int32
		h.route("POST", "/v2/simpleJobPostings", func(w http.ResponseWriter, s seen) {
			creates.Add(1)
			reply(w, 200, `{"elements":[{"id":"urn:li:simpleJobPostingTask:t1","status":202}]}`)
		})
		res, err := c.Jobs.Submit(t.Context(), []JobPosting{bubbleJob()})
		if err != nil || res.Err() != nil {
			t.Fatalf("Submit: %v %v", err, res.Err())
		}
		if fetches.Load() != 2 || creates.Load() != 1 {
			t.Errorf("token fetches %d, creates %d; want 2 and 1", fetches.Load(), creates.Load())
		}
	})
}

// The attempt's timeout (WithHTTPClient's Timeout) starts once the pacer
// lets the attempt go: at 100 records a minute, the second and third calls
// of 100 records each wait a minute for the quota, far past the 10-second
// timeout, and still succeed.
func TestPacingWaitIsNotAttemptTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, h, _ := mockClient(t, WithLimits(Limits{SyncRecordsPerMinute: 100, SyncRequestsPerDay: 100000}),
			WithHTTPClient(&http.Client{Timeout: 10 * time.Second}))
		h.route("PUT", notesURL, func(w http.ResponseWriter, s seen) { reply(w, http.StatusNoContent, ``) })
		notes := make([]Note, 100)
		for i := range notes {
			notes[i] = Note{ID: fmt.Sprintf("N%d", i), Note: "x"}
		}
		start := time.Now()
		for i := range 3 {
			if _, err := c.Candidates.UpsertNotes(t.Context(), noteKey, notes); err != nil {
				t.Fatalf("call %d after %v: %v", i+1, time.Since(start), err)
			}
		}
		if got := time.Since(start); got < 2*time.Minute {
			t.Errorf("300 records at 100 a minute took %v, want at least 2m", got)
		}
	})
}

// hangs answers with hang[i] for the i-th request (the last repeats):
// true holds the attempt until its context ends (hangHeader), false lets
// answer reply. It returns the number of requests received.
func hangs(hang []bool, answer func(w http.ResponseWriter)) (func(w http.ResponseWriter), *atomic.Int32) {
	var n atomic.Int32
	return func(w http.ResponseWriter) {
		i := int(n.Add(1)) - 1
		if hang[min(i, len(hang)-1)] {
			w.Header().Set(hangHeader, "1")
			return
		}
		answer(w)
	}, &n
}

// An attempt that its own time limit ends (WithHTTPClient's Timeout, or
// the token request's 30 s) failed as a transport error does, while the
// caller's deadline has not passed: a safe call retries it, a creating
// call does not unless nothing was sent (the token request timed out), and
// the error matches ErrAttemptTimeout (an *AuthError for the token
// request), never context.DeadlineExceeded, which stays the caller's.
func TestAttemptTimeout(t *testing.T) {
	type outcome struct {
		Calls, TokenRequests int32
		OK                   bool // the call succeeded
		AttemptTimeout       bool // the error matches ErrAttemptTimeout
		Auth                 bool // the error is an *AuthError
		Deadline             bool // the error matches context.DeadlineExceeded
	}
	for _, tc := range []struct {
		name     string
		timeout  time.Duration // WithHTTPClient's Timeout; 0 for none
		deadline time.Duration // the caller's; 0 for none
		api, tok []bool        // whether each API and token request hangs (the last repeats)
		create   bool          // Jobs.Submit rather than a PUT of notes
		want     outcome
	}{
		{"safe call: one attempt hangs", 10 * time.Second, 0, []bool{true, false}, []bool{false}, false,
			outcome{Calls: 2, TokenRequests: 1, OK: true}},
		{"safe call: every attempt hangs", 10 * time.Second, 0, []bool{true}, []bool{false}, false,
			outcome{Calls: 4, TokenRequests: 1, AttemptTimeout: true}},
		{"creating call: not sent again", 10 * time.Second, 0, []bool{true}, []bool{false}, true,
			outcome{Calls: 1, TokenRequests: 1, AttemptTimeout: true}},
		{"token request hangs past the attempt timeout once", 10 * time.Second, 0, []bool{false}, []bool{true, false}, false,
			outcome{Calls: 1, TokenRequests: 2, OK: true}},
		{"token request hangs every time", 10 * time.Second, 0, []bool{false}, []bool{true}, false,
			outcome{TokenRequests: 4, AttemptTimeout: true, Auth: true}},
		{"token request's own timeout, creating call", 0, 0, []bool{false}, []bool{true, false}, true,
			outcome{Calls: 1, TokenRequests: 2, OK: true}},
		{"token request's own timeout every time", 0, 0, []bool{false}, []bool{true}, false,
			outcome{TokenRequests: 4, AttemptTimeout: true, Auth: true}},
		{"the caller's deadline comes first", 10 * time.Second, 5 * time.Second, []bool{true}, []bool{false}, false,
			outcome{Calls: 1, TokenRequests: 1, Deadline: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, h, _ := mockClient(t, WithHTTPClient(&http.Client{Timeout: tc.timeout}))
				tok, tokens := hangs(tc.tok, func(w http.ResponseWriter) {
					w.Header().Set("Content-Type", "application/json")
					reply(w, 200, `{"access_token":"tok1","expires_in":1800}`)
				})
				h.onToken(func(w http.ResponseWriter, r *http.Request) { tok(w) })
				api, calls := hangs(tc.api, func(w http.ResponseWriter) {
					if tc.create {
						reply(w, 200, `{"elements":[{"id":"urn:li:simpleJobPostingTask:t1","status":202}]}`)
						return
					}
					reply(w, 200, `{"results":{"N1":{"status":204}}}`)
				})
				h.route("PUT", notesURL, func(w http.ResponseWriter, s seen) { api(w) })
				h.route("POST", "/v2/simpleJobPostings", func(w http.ResponseWriter, s seen) { api(w) })
				ctx := t.Context()
				if tc.deadline > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tc.deadline)
					defer cancel()
				}
				var err error
				if tc.create {
					_, err = c.Jobs.Submit(ctx, []JobPosting{bubbleJob()})
				} else {
					err = upsertNote(ctx, c)
				}
				var ae *AuthError
				got := outcome{Calls: calls.Load(), TokenRequests: tokens.Load(), OK: err == nil, AttemptTimeout: errors.Is(err, ErrAttemptTimeout),
					Auth: errors.As(err, &ae), Deadline: errors.Is(err, context.DeadlineExceeded)}
				if d := cmp.Diff(tc.want, got); d != "" {
					t.Errorf("outcome (-want +got):\n%s\nerr: %v", d, err)
				}
			})
		})
	}
}

// The attempt's timeout bounds a server that does not answer, over a real
// connection too: the call fails with ErrAttemptTimeout once the timeout
// passes.
func TestAttemptTimeoutBoundsASlowServer(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	h := newHarness(t, false, func(w http.ResponseWriter, s seen) { <-release },
		WithHTTPClient(&http.Client{Timeout: 50 * time.Millisecond}))
	_, err := h.client.Candidates.UpsertNotes(t.Context(), noteKey, []Note{{ID: "N1", Note: "x"}})
	if !errors.Is(err, ErrAttemptTimeout) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrAttemptTimeout and not the caller's deadline", err)
	}
}

// Every call given a nil context returns "rsc: nil context" and sends
// nothing, as Client.do does: none panics.
func TestNilContext(t *testing.T) {
	t.Parallel()
	var nilCtx context.Context
	ak := ApplicationKey{IntegrationContext: org, ApplicationID: "A1"}
	ik := IntegrationKey{IntegrationContext: org, Type: OneClickExport}
	acl := ACLKey{IntegrationContext: org, ACLID: "X1", EntityID: "J1"}
	one := func(_ any, err error) error { return err }
	for _, tc := range []struct {
		name string
		call func(ctx context.Context, c *Client) error
	}{
		{"IntrospectToken", func(ctx context.Context, c *Client) error { return one(c.IntrospectToken(ctx)) }},
		{"Candidates.Upsert", func(ctx context.Context, c *Client) error {
			return one(c.Candidates.Upsert(ctx, []Candidate{testCandidate("C1")}))
		}},
		{"Candidates.Get", func(ctx context.Context, c *Client) error { return one(c.Candidates.Get(ctx, []CandidateKey{noteKey})) }},
		{"Candidates.Delete", func(ctx context.Context, c *Client) error {
			return one(c.Candidates.Delete(ctx, []CandidateKey{noteKey}))
		}},
		{"Candidates.UpsertNotes", func(ctx context.Context, c *Client) error { return upsertNote(ctx, c) }},
		{"Applications.DeleteStages", func(ctx context.Context, c *Client) error {
			return one(c.Applications.DeleteStages(ctx, ak, []string{"S1"}))
		}},
		{"ACLs.Delete", func(ctx context.Context, c *Client) error { return one(c.ACLs.Delete(ctx, []ACLKey{acl})) }},
		{"ACLs.Find", func(ctx context.Context, c *Client) error { return drain(c.ACLs.Find(ctx, org, "E1")) }},
		{"Integrations.Get", func(ctx context.Context, c *Client) error { return one(c.Integrations.Get(ctx, []IntegrationKey{ik})) }},
		{"Integrations.ByRequest", func(ctx context.Context, c *Client) error { return one(c.Integrations.ByRequest(ctx, "r1")) }},
		{"Integrations.Config", func(ctx context.Context, c *Client) error { return one(c.Integrations.Config(ctx, ik, "CALLBACK_URL")) }},
		{"Jobs.Submit", func(ctx context.Context, c *Client) error {
			return one(c.Jobs.Submit(ctx, []JobPosting{testJob("J1")}))
		}},
		{"Jobs.Tasks", func(ctx context.Context, c *Client) error {
			return one(c.Jobs.Tasks(ctx, []string{"urn:li:simpleJobPostingTask:1"}))
		}},
		{"Jobs.WaitTasks", func(ctx context.Context, c *Client) error {
			return one(c.Jobs.WaitTasks(ctx, []string{"urn:li:simpleJobPostingTask:1"}, time.Minute))
		}},
		{"Provisioning.Lookup", func(ctx context.Context, c *Client) error { return one(c.Provisioning.Lookup(ctx, "acme")) }},
		{"Provisioning.UpdateDomains", func(ctx context.Context, c *Client) error {
			return c.Provisioning.UpdateDomains(ctx, "urn:li:developerApplication:1", []string{"https://a.example.com"})
		}},
		{"Exports.Get", func(ctx context.Context, c *Client) error { return one(c.Exports.Get(ctx, "r1")) }},
		{"Seats.List", func(ctx context.Context, c *Client) error {
			return drain(c.Seats.List(ctx, []string{"urn:li:contract:1"}))
		}},
		{"InMail.Events", func(ctx context.Context, c *Client) error {
			return drain(c.InMail.Events(ctx, "urn:li:seat:1", 0, 1000))
		}},
		{"MailStubs.List", func(ctx context.Context, c *Client) error {
			return drain(c.MailStubs.List(ctx, "urn:li:contract:1", []string{"urn:li:seat:1"}, 0, 1000))
		}},
		{"ProspectNotes.List", func(ctx context.Context, c *Client) error {
			return drain(c.ProspectNotes.List(ctx, "urn:li:contract:1", nil, 0, 0))
		}},
		{"ClosedProfiles.List", func(ctx context.Context, c *Client) error { return drain(c.ClosedProfiles.List(ctx, 0)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := setupInProcess(t, func(w http.ResponseWriter, s seen) {
				t.Errorf("%s %s sent with a nil context", s.Method, s.Path)
				reply(w, http.StatusInternalServerError, `{}`)
			})
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						err = fmt.Errorf("panic: %v", r)
					}
				}()
				err = tc.call(nilCtx, h.client)
			}()
			if err == nil || err.Error() != "rsc: nil context" {
				t.Errorf("err = %v, want rsc: nil context", err)
			}
		})
	}
}
