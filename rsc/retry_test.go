package rsc

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A Retry-After is read as seconds or an HTTP date and never as more than
// a day: a number too large for a time.Duration must not wrap around to a
// negative wait (and a RateLimitError resetting in the past).
func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	type parsed struct {
		Wait time.Duration
		OK   bool
	}
	for _, tc := range []struct {
		header string
		want   parsed
	}{
		{"", parsed{}},
		{"0", parsed{0, true}},
		{"7", parsed{7 * time.Second, true}},
		{"86400", parsed{24 * time.Hour, true}},
		{"86401", parsed{24 * time.Hour, true}},
		{"10000000000", parsed{24 * time.Hour, true}},
		{"9223372036854775807", parsed{24 * time.Hour, true}},
		{"99999999999999999999999", parsed{24 * time.Hour, true}},
		{"-1", parsed{}},
		{"-99999999999999999999999", parsed{}},
		{"soon", parsed{}},
		{now.Add(2 * time.Hour).Format(http.TimeFormat), parsed{2 * time.Hour, true}},
		{now.Add(-time.Hour).Format(http.TimeFormat), parsed{0, true}},
		{"Fri, 31 Dec 9999 23:59:59 GMT", parsed{24 * time.Hour, true}},
	} {
		t.Run(tc.header, func(t *testing.T) {
			var got parsed
			got.Wait, got.OK = parseRetryAfter(tc.header, now)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("parseRetryAfter(%q) (-want +got):\n%s", tc.header, d)
			}
		})
	}
}

// A huge Retry-After waits MaxWait before the retry, and the 429 that ends
// the call resets a day later, not in the past.
func TestHugeRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, h, _ := mockClient(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 2, MinWait: time.Second, MaxWait: 2 * time.Second}))
		var sent []time.Time
		h.route("PUT", notesURL, func(w http.ResponseWriter, s seen) {
			sent = append(sent, time.Now())
			w.Header().Set("Retry-After", "10000000000")
			reply(w, 429, `{"message":"Resource level throttle limit for calls to this resource is reached.","status":429}`)
		})
		err := upsertNote(t.Context(), c)
		var rl *RateLimitError
		if !errors.As(err, &rl) {
			t.Fatalf("err = %v, want a *RateLimitError", err)
		}
		type result struct {
			Gaps       []time.Duration
			RetryAfter time.Duration
			ResetAt    time.Time
		}
		got := result{RetryAfter: rl.RetryAfter, ResetAt: rl.ResetAt}
		for i := 1; i < len(sent); i++ {
			got.Gaps = append(got.Gaps, sent[i].Sub(sent[i-1]))
		}
		want := result{Gaps: []time.Duration{2 * time.Second}, RetryAfter: 24 * time.Hour, ResetAt: time.Now().Add(24 * time.Hour)}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
}

// Retry waits run on the client's Clock, and MaxElapsed, measured on it
// too, counts the wait ahead: no attempt starts after MaxElapsed.
func TestRetryWaitsAndMaxElapsed(t *testing.T) {
	type outcome struct {
		Calls      int32
		Took       time.Duration // in the bubble, the wall clock
		ClockMoved time.Duration // on the injected fake clock
	}
	for _, tc := range []struct {
		name       string
		fake       bool // inject a fakeClock, whose Sleep returns at once
		maxElapsed time.Duration
		want       outcome
	}{
		{"the wait past MaxElapsed is not taken", false, 5 * time.Second, outcome{Calls: 2, Took: 4 * time.Second}},
		{"a wait ending at MaxElapsed is taken", false, 8 * time.Second, outcome{Calls: 3, Took: 8 * time.Second}},
		{"waits run on the injected clock", true, 0, outcome{Calls: 4, ClockMoved: 12 * time.Second}},
		{"MaxElapsed is measured on the injected clock", true, 6 * time.Second, outcome{Calls: 2, ClockMoved: 4 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				clk := &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
				opts := []Option{WithRetryPolicy(RetryPolicy{MaxAttempts: 4, MinWait: time.Second, MaxWait: 30 * time.Second, MaxElapsed: tc.maxElapsed})}
				if tc.fake {
					opts = append(opts, WithClock(clk))
				}
				c, h, _ := mockClient(t, opts...)
				calls := retryAfterEvery(h, "4")
				start, clockStart := time.Now(), clk.Now()
				if err := upsertNote(t.Context(), c); err == nil {
					t.Fatal("the call succeeded against a server answering only 503")
				}
				got := outcome{Calls: calls.Load(), Took: time.Since(start), ClockMoved: clk.Now().Sub(clockStart)}
				if d := cmp.Diff(tc.want, got); d != "" {
					t.Errorf("(-want +got):\n%s", d)
				}
			})
		})
	}
}

// retryAfterEvery routes the notes endpoint to answer every PUT with a 503
// carrying Retry-After ra (none when ""), and returns the number of PUTs.
func retryAfterEvery(h *harness, ra string) *atomic.Int32 {
	var n atomic.Int32
	h.route("PUT", notesURL, func(w http.ResponseWriter, s seen) {
		n.Add(1)
		if ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		reply(w, 503, `{"message":"busy","status":503}`)
	})
	return &n
}

// MaxWait caps every wait, Retry-After included, and 0 means the default
// cap (30 s), never no cap; MinWait 0 retries at once when the server asks
// for no wait.
func TestMaxWaitCapsRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy RetryPolicy
		ra     string // Retry-After of every 503
		want   time.Duration
	}{
		{"MaxWait 0 caps Retry-After at 30 s", RetryPolicy{MaxAttempts: 2}, "3600", 30 * time.Second},
		{"MaxWait 0 with a MinWait", RetryPolicy{MaxAttempts: 2, MinWait: time.Second}, "3600", 30 * time.Second},
		{"MaxWait caps Retry-After", RetryPolicy{MaxAttempts: 2, MaxWait: 5 * time.Second}, "3600", 5 * time.Second},
		{"a shorter Retry-After is kept", RetryPolicy{MaxAttempts: 2}, "3", 3 * time.Second},
		{"no Retry-After, MinWait 0: at once", RetryPolicy{MaxAttempts: 2}, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, h, _ := mockClient(t, WithRetryPolicy(tc.policy))
				calls := retryAfterEvery(h, tc.ra)
				start := time.Now()
				upsertNote(t.Context(), c)
				if got := time.Since(start); got != tc.want || calls.Load() != 2 {
					t.Errorf("%d attempts in %v, want 2 in %v", calls.Load(), got, tc.want)
				}
			})
		})
	}
}

// A wait that would reach the caller's deadline is not taken: the call
// returns the failure it has at once, a 429 as the *RateLimitError with its
// RetryAfter and ResetAt, instead of sleeping into the deadline and
// returning a bare context error. An injected clock, whose waits need not
// take wall time, still waits.
func TestWaitPastDeadlineNotTaken(t *testing.T) {
	type outcome struct {
		Calls      int32
		Took       time.Duration
		Status     int           // the *APIError's, 0 for success
		RetryAfter time.Duration // the *RateLimitError's
		ResetIn    time.Duration // its ResetAt, from when the call returned
		Deadline   bool          // the error matches context.DeadlineExceeded
	}
	for _, tc := range []struct {
		name     string
		fake     bool // inject a fakeClock
		deadline time.Duration
		status   int    // of the first answer; the second is a success
		ra       string // its Retry-After
		want     outcome
	}{
		{"429 asking for longer than the deadline", false, 1500 * time.Millisecond, 429, "20",
			outcome{Calls: 1, Status: 429, RetryAfter: 20 * time.Second, ResetIn: 20 * time.Second}},
		{"503 asking for longer than the deadline", false, 1500 * time.Millisecond, 503, "20",
			outcome{Calls: 1, Status: 503}},
		{"backoff longer than the deadline", false, 400 * time.Millisecond, 503, "",
			outcome{Calls: 1, Status: 503}},
		{"Retry-After within the deadline", false, 10 * time.Second, 429, "3",
			outcome{Calls: 2, Took: 3 * time.Second}},
		{"an injected clock still waits", true, 1500 * time.Millisecond, 429, "20",
			outcome{Calls: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				opts := []Option{WithRetryPolicy(RetryPolicy{MaxAttempts: 3, MinWait: time.Second, MaxWait: 30 * time.Second})}
				if tc.fake {
					opts = append(opts, WithClock(&fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}))
				}
				c, h, _ := mockClient(t, opts...)
				var n atomic.Int32
				h.route("PUT", notesURL, func(w http.ResponseWriter, s seen) {
					if n.Add(1) > 1 {
						reply(w, 200, `{"results":{"N1":{"status":204}}}`)
						return
					}
					w.Header().Set("X-Li-Throttle-Window", "MINUTE")
					if tc.ra != "" {
						w.Header().Set("Retry-After", tc.ra)
					}
					reply(w, tc.status, `{"message":"Resource level throttle limit for calls to this resource is reached.","status":429}`)
				})
				ctx, cancel := context.WithTimeout(t.Context(), tc.deadline)
				defer cancel()
				start := time.Now()
				err := upsertNote(ctx, c)
				got := outcome{Calls: n.Load(), Took: time.Since(start), Deadline: errors.Is(err, context.DeadlineExceeded)}
				var ae *APIError
				if errors.As(err, &ae) {
					got.Status = ae.StatusCode
				} else if err != nil {
					t.Fatalf("err = %v, want an *APIError", err)
				}
				var rl *RateLimitError
				if errors.As(err, &rl) {
					got.RetryAfter, got.ResetIn = rl.RetryAfter, time.Until(rl.ResetAt)
				}
				if d := cmp.Diff(tc.want, got); d != "" {
					t.Errorf("(-want +got):\n%s", d)
				}
			})
		})
	}
}

// A record LinkedIn answers with a per-entity 429 or 5xx (its own failure)
// is sent again, alone in a call, after the policy's backoff, up to
// MaxAttempts calls; a per-entity 4xx is the record's refusal and is not.
func TestPerEntityTransientRetried(t *testing.T) {
	for _, tc := range []struct {
		name string
		// answers[n] is the status of each note in call n (missing: 204).
		answers  []map[string]int
		attempts int
		want     map[string]int // each note's final status
		wantIDs  []string       // the notes each call sent
	}{
		{"a 500, then accepted", []map[string]int{{"N2": 500, "N3": 422}}, 4,
			map[string]int{"N1": 204, "N2": 204, "N3": 422}, []string{"N1,N2,N3", "N2"}},
		{"a 429 and a 503, then accepted", []map[string]int{{"N1": 429, "N2": 503}}, 4,
			map[string]int{"N1": 204, "N2": 204, "N3": 204}, []string{"N1,N2,N3", "N1,N2"}},
		{"a 500 every time", []map[string]int{{"N2": 500}, {"N2": 500}, {"N2": 500}}, 3,
			map[string]int{"N1": 204, "N2": 500, "N3": 204}, []string{"N1,N2,N3", "N2", "N2"}},
		{"retries disabled", []map[string]int{{"N2": 500}}, 1,
			map[string]int{"N1": 204, "N2": 500, "N3": 204}, []string{"N1,N2,N3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, h, _ := mockClient(t, WithRetryPolicy(RetryPolicy{MaxAttempts: tc.attempts, MinWait: time.Second, MaxWait: 4 * time.Second}))
				var sent []string
				var at []time.Time
				h.route("PUT", notesURL, func(w http.ResponseWriter, s seen) {
					var body struct{ Entities map[string]json.RawMessage }
					if err := json.Unmarshal(s.Body, &body); err != nil {
						t.Fatal(err)
					}
					ids := slices.Sorted(maps.Keys(body.Entities))
					call := len(sent)
					sent, at = append(sent, strings.Join(ids, ",")), append(at, time.Now())
					results, errs := map[string]any{}, map[string]any{}
					for _, id := range ids {
						st := 204
						if call < len(tc.answers) && tc.answers[call][id] != 0 {
							st = tc.answers[call][id]
						}
						if st == 204 {
							results[id] = map[string]int{"status": st}
						} else {
							errs[id] = map[string]any{"status": st, "message": "failed"}
						}
					}
					b, _ := json.Marshal(map[string]any{"results": results, "errors": errs})
					reply(w, 200, string(b))
				})
				res, err := c.Candidates.UpsertNotes(t.Context(), noteKey, []Note{{ID: "N1", Note: "a"}, {ID: "N2", Note: "b"}, {ID: "N3", Note: "c"}})
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]int{}
				for _, it := range res.Items {
					got[it.Key.NoteID] = it.Status
				}
				if d := cmp.Diff(tc.want, got); d != "" {
					t.Errorf("final statuses (-want +got):\n%s", d)
				}
				if d := cmp.Diff(tc.wantIDs, sent); d != "" {
					t.Errorf("calls (-want +got):\n%s", d)
				}
				for i := 1; i < len(at); i++ {
					if gap := at[i].Sub(at[i-1]); gap < 500*time.Millisecond || gap > 4*time.Second {
						t.Errorf("wait before call %d: %v, want the policy's backoff (0.5s to 4s)", i+1, gap)
					}
				}
			})
		})
	}
}

// WithRetryPolicy refuses a policy it could not follow: no attempt, a
// negative wait or cap, a MinWait over the MaxWait.
func TestWithRetryPolicyValidates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		policy RetryPolicy
		want   string // error; "" for none
	}{
		{"default", DefaultRetryPolicy(), ""},
		{"one attempt", RetryPolicy{MaxAttempts: 1}, ""},
		{"no attempt", RetryPolicy{}, "rsc: WithRetryPolicy: MaxAttempts must be at least 1"},
		{"negative MinWait", RetryPolicy{MaxAttempts: 2, MinWait: -time.Second}, "rsc: WithRetryPolicy: need 0 <= MinWait <= MaxWait (0 meaning 30 s)"},
		{"negative MaxWait", RetryPolicy{MaxAttempts: 2, MaxWait: -time.Second}, "rsc: WithRetryPolicy: need 0 <= MinWait <= MaxWait (0 meaning 30 s)"},
		{"MinWait over the default MaxWait", RetryPolicy{MaxAttempts: 2, MinWait: time.Minute}, "rsc: WithRetryPolicy: need 0 <= MinWait <= MaxWait (0 meaning 30 s)"},
		{"negative MaxElapsed", RetryPolicy{MaxAttempts: 1, MaxElapsed: -1}, "rsc: WithRetryPolicy: need MaxElapsed >= 0 (0 meaning no cap)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewClient(WithCredentials("a", "b"), WithRetryPolicy(tc.policy))
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("NewClient error (-want +got):\n%s", diff)
			}
		})
	}
}
