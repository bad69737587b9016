package rsc

import (
	"math"
	"net/http"
	"sync/atomic"
	"time"
)

// linkedInClock is what a client knows of LinkedIn's clock
// (docs/linkedin-api.md §2.5): the offset from the client's Clock to the
// Date header of the latest successful answer, taken when the answer's
// header arrived. The Date is truncated to the second and was stamped
// before the answer travelled, so LinkedIn's clock read at least the Date
// at arrival: the offset never puts LinkedIn's time later than it is, only
// up to a second plus the transit time earlier. Only the latest answer
// counts, so that a Clock set back or forward meanwhile is followed at
// once.
type linkedInClock struct {
	// offset is LinkedIn's time minus the Clock's, in nanoseconds;
	// noOffset until an answer carried a Date.
	offset atomic.Int64
}

// noOffset marks an offset not known yet (an offset of -292 years, which
// time.Time.Sub returns only saturated, counts as not known).
const noOffset = math.MinInt64

func newLinkedInClock() *linkedInClock {
	var l linkedInClock
	l.offset.Store(noOffset)
	return &l
}

// observe records the Date header of a successful answer whose header
// arrived when the client's Clock read at. A missing or malformed Date
// changes nothing.
func (l *linkedInClock) observe(h http.Header, at time.Time) {
	v := h["Date"]
	if len(v) == 0 {
		return
	}
	d, err := http.ParseTime(v[0]) // RFC 9110 §5.6.7's three forms; no allocation
	if err != nil {
		return
	}
	l.offset.Store(int64(d.Sub(at)))
}

// at returns LinkedIn's time when the client's Clock reads local, and
// whether an answer has told it.
func (l *linkedInClock) at(local time.Time) (time.Time, bool) {
	o := l.offset.Load()
	if o == noOffset {
		return time.Time{}, false
	}
	return local.Add(time.Duration(o)), true
}

// LinkedInNow returns LinkedIn's current time as the client estimates it,
// and false when it has no estimate yet (no successful answer carried a
// Date header). The estimate is the client's Clock (WithClock) plus the
// offset between the Date of the latest successful (2xx) answer and the
// Clock's reading when that answer arrived; it is never later than
// LinkedIn's clock, by the Date's one-second resolution and the transit
// time it may be up to about a second earlier (docs/linkedin-api.md §2.5).
// Each client keeps its own estimate: a client from ForCustomer starts
// without one.
//
// Code that bounds a read by "now" (the end of a window of records
// LinkedIn stamps with its own clock) should take the earlier of its own
// clock and this time: a host clock that runs ahead then no longer puts
// the bound in LinkedIn's future, where records LinkedIn stamps before it
// but lists later would be passed over. A host clock that runs behind
// stays the bound, as before.
func (c *Client) LinkedInNow() (time.Time, bool) { return c.linkedIn.at(c.cfg.clock.Now()) }

// MaxClockGap is the furthest LinkedIn's clock, as LinkedInNow estimates
// it, may read behind the client's Clock for ClockBehind to follow it.
const MaxClockGap = 7 * 24 * time.Hour

// ClockBehind returns how far LinkedIn's clock reads behind the client's
// Clock, by LinkedInNow's estimate: how far back a bound on records
// LinkedIn stamps (the end of a window read up to now) must move so as not
// to lie in LinkedIn's future. It is 0 when there is no estimate, when
// LinkedIn's clock reads ahead (the Clock is the safe bound then), and
// when the gap exceeds MaxClockGap: a Date that old more likely comes
// from a stale answer (a caching proxy's, a server's whose clock is
// wrong) than from a host clock that wrong, and following it would read
// that much again (docs/linkedin-api.md §2.5).
func (c *Client) ClockBehind() time.Duration {
	now := c.cfg.clock.Now()
	li, ok := c.linkedIn.at(now)
	if !ok {
		return 0
	}
	if gap := now.Sub(li); gap > 0 && gap <= MaxClockGap {
		return gap
	}
	return 0
}
