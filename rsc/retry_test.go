package rsc

import (
	"errors"
	"net/http"
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
