package rsc

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestLinkedInNow: the client learns LinkedIn's time from the Date header
// of its latest successful answer, against its own Clock at arrival, and
// keeps it as the Clock moves on; failed answers, answers without a Date,
// and malformed Dates change nothing.
func TestLinkedInNow(t *testing.T) {
	local := time.Date(2026, 3, 1, 12, 10, 0, 500_000_000, time.UTC) // 10 minutes and half a second ahead of LinkedIn
	clk := &fakeClock{now: local}
	var status int
	var date string
	h := setupInProcess(t, func(w http.ResponseWriter, s seen) {
		if date != "" {
			w.Header().Set("Date", date)
		}
		reply(w, status, `{"elements":[],"paging":{"start":0,"count":100}}`)
	}, WithClock(clk))
	c := h.client
	type estimate struct {
		At    time.Time
		Known bool
	}
	now := func() estimate { at, ok := c.LinkedInNow(); return estimate{at, ok} }
	call := func() {
		for _, err := range c.ClosedProfiles.ListRange(t.Context(), 1, 2) {
			if err != nil && status < 300 {
				t.Fatal(err)
			}
		}
	}
	linkedIn := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	steps := []struct {
		name   string
		status int
		date   string
		move   time.Duration // the client's clock moves on after the call
		want   estimate
	}{
		{"no answer yet", 0, "", 0, estimate{}},
		{"an answer without a Date", 200, "", 0, estimate{}},
		{"a failed answer", 404, "Sun, 01 Mar 2026 11:00:00 GMT", 0, estimate{}},
		{"a successful answer", 200, "Sun, 01 Mar 2026 12:00:00 GMT", 0, estimate{linkedIn, true}},
		{"the clock moves on", 0, "", time.Minute, estimate{linkedIn.Add(time.Minute), true}},
		{"a malformed Date", 200, "yesterday", 0, estimate{linkedIn.Add(time.Minute), true}},
		{"a 5xx answer", 503, "Sun, 01 Mar 2026 09:00:00 GMT", 0, estimate{linkedIn.Add(time.Minute), true}},
		// The latest answer counts, later or earlier: here the host's
		// clock was set right (LinkedIn 12:01:00 at local 12:01:00.5).
		{"the host clock set right", 200, "Sun, 01 Mar 2026 12:01:00 GMT", 0, estimate{linkedIn.Add(time.Minute), true}},
		{"then the clock moves on", 0, "", time.Hour, estimate{linkedIn.Add(time.Hour + time.Minute), true}},
	}
	for i, st := range steps {
		if st.name == "the host clock set right" {
			clk.mu.Lock()
			clk.now = clk.now.Add(-10 * time.Minute)
			clk.mu.Unlock()
		}
		if st.status != 0 {
			status, date = st.status, st.date
			call()
		}
		clk.Sleep(t.Context(), st.move)
		if d := cmp.Diff(st.want, now()); d != "" {
			t.Errorf("step %d (%s): LinkedInNow (-want +got):\n%s", i, st.name, d)
		}
	}
}

// TestLinkedInNowTakesTheLowerBound: a Date stamped at 12:00:00 stands for
// any time in [12:00:00, 12:00:01), and the answer then travelled: the
// estimate takes the Date as it is at arrival, never later.
func TestLinkedInNowTakesTheLowerBound(t *testing.T) {
	l := newLinkedInClock()
	arrival := time.Date(2026, 3, 1, 12, 0, 0, 999_000_000, time.UTC)
	l.observe(http.Header{"Date": {"Sun, 01 Mar 2026 12:00:00 GMT"}}, arrival)
	got, ok := l.at(arrival.Add(time.Second))
	if want := time.Date(2026, 3, 1, 12, 0, 1, 0, time.UTC); !ok || !got.Equal(want) {
		t.Errorf("at = %v, %v; want %v", got, ok, want)
	}
}

// Reading the Date of an answer allocates nothing: it is on every call's
// path.
func TestObserveDateAllocatesNothing(t *testing.T) {
	l := newLinkedInClock()
	h := http.Header{"Date": {"Sun, 01 Mar 2026 12:00:00 GMT"}}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if n := testing.AllocsPerRun(100, func() { l.observe(h, at) }); n != 0 {
		t.Errorf("observe allocates %v times, want 0", n)
	}
}

func BenchmarkObserveDate(b *testing.B) {
	l := newLinkedInClock()
	h := http.Header{"Date": {"Sun, 01 Mar 2026 12:00:00 GMT"}}
	clk := SystemClock()
	b.ReportAllocs()
	for b.Loop() {
		l.observe(h, clk.Now())
	}
}

// TestClockBehind: how far LinkedIn's clock reads behind the client's, to
// move a bound back by; nothing when it is unknown or reads ahead, or when
// the gap exceeds MaxClockGap (a stale answer, not LinkedIn's clock).
func TestClockBehind(t *testing.T) {
	local := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		date string // the answer's Date; "" for no answer
		want time.Duration
	}{
		{"no answer", "", 0},
		{"LinkedIn ten minutes behind", "Sun, 01 Mar 2026 11:50:00 GMT", 10 * time.Minute},
		{"LinkedIn a week behind", "Sun, 22 Feb 2026 12:00:00 GMT", MaxClockGap},
		{"LinkedIn a week and a second behind", "Sun, 22 Feb 2026 11:59:59 GMT", 0},
		{"LinkedIn a year behind", "Sat, 01 Mar 2025 12:00:00 GMT", 0},
		{"LinkedIn ahead", "Sun, 01 Mar 2026 12:05:00 GMT", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := setupInProcess(t, func(w http.ResponseWriter, s seen) {
				w.Header().Set("Date", tc.date)
				reply(w, 200, `{"elements":[],"paging":{"start":0,"count":100}}`)
			}, WithClock(&fakeClock{now: local}))
			if tc.date != "" {
				for _, err := range h.client.ClosedProfiles.ListRange(t.Context(), 1, 2) {
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			if got := h.client.ClockBehind(); got != tc.want {
				t.Errorf("ClockBehind() = %v, want %v", got, tc.want)
			}
		})
	}
}
