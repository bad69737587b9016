package rsctest

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Limits holds every quota and size limit the fake enforces. Every int field
// follows one rule: zero means LinkedIn's default (docs/linkedin-api.md
// §2.2, §5), the figure each field names, and a negative value means no
// limit. The quota fields have the names, the defaults and the rule of
// rsc.Limits, so that one Limits value means the same to the client and
// to the fake. Disabled switches every throttle off at once (the size
// limits, MaxBatch to MaxACLsPerUser, still apply). PushPayloadTTL is a
// duration: zero means 7 days, and WithLimits refuses a negative one.
type Limits struct {
	// Disabled turns off all request/record/export throttles.
	Disabled bool
	// SyncRequestsPerDay limits requests per customer app per sync resource
	// (atsCandidates, notes, atsApplications, feedback, stages, ACLs) per
	// UTC day. Zero means 100,000, LinkedIn's; negative means no limit.
	SyncRequestsPerDay int
	// SyncRecordsPerMinute limits records (keys in a batch) per customer app
	// per sync resource per fixed UTC minute. Zero means 10,000, LinkedIn's;
	// negative means no limit. Unlike rsc.Limits, any positive value is
	// taken, so that a test can throttle below one batch.
	SyncRecordsPerMinute int
	// IntegrationRequestsPerDay limits atsIntegrations (and configuration)
	// requests per customer app per resource per UTC day. Zero means 5,000,
	// LinkedIn's; negative means no limit.
	IntegrationRequestsPerDay int
	// ProspectRequestsPerDay limits seats, seatsV2, conversationEvents,
	// mailStubs and prospectNotes calls combined per customer app per UTC
	// day. Zero means 100,000, LinkedIn's; negative means no limit.
	ProspectRequestsPerDay int
	// JobTaskRequestsPerDay limits simpleJobPostingTasks calls per customer
	// app per UTC day. Zero means 300,000, LinkedIn's; negative means no
	// limit.
	JobTaskRequestsPerDay int
	// JobPostingRequestsPerDay limits simpleJobPostings calls per customer
	// app per UTC day. LinkedIn publishes no number for it
	// (docs/linkedin-api.md §5), so zero means 100,000, the daily quota
	// LinkedIn documents for the sync and prospect resources: our choice,
	// and rsc.Limits's, so that the client and the fake agree. Negative
	// means no limit.
	JobPostingRequestsPerDay int
	// ExportsPerSeatPerMonth limits One-Click Exports per seat per UTC
	// calendar month. Zero means 300, LinkedIn's; negative means no limit.
	ExportsPerSeatPerMonth int
	// MaxBatch is the most keys or elements in one batch request. Zero means
	// 100, LinkedIn's; negative means no limit.
	MaxBatch int
	// MaxURL is the longest raw request URI in bytes before 414. Zero means
	// 8192, LinkedIn's 8 KB; negative means no limit.
	MaxURL int
	// MaxQuery is the longest raw query string in bytes before 414. Zero
	// means 4096, LinkedIn's 4 KB; negative means no limit.
	MaxQuery int
	// MaxPathSegment is the longest segment of the raw path (the text
	// between two slashes) in bytes before 414. Zero means 4096, LinkedIn's
	// 4 KB (docs/linkedin-api.md §2.2); negative means no limit.
	MaxPathSegment int
	// MailStubsWindow is the largest start+count mailStubs accepts. Zero
	// means 20,000, LinkedIn's; negative means no limit.
	MailStubsWindow int
	// MaxACLsPerUser is the most ACLs one assignee may hold. Zero means 10,
	// LinkedIn's; negative means no limit.
	MaxACLsPerUser int
	// PushPayloadTTL is how long push payloads stay readable via E1/I3, and
	// sets the expiresAt of their push events. LinkedIn documents no figure:
	// zero means 7 days, the fake's choice. It must not be negative: a push
	// event always carries an expiry.
	PushPayloadTTL time.Duration
}

// validate checks the rule WithLimits enforces.
func (l Limits) validate() error {
	if l.PushPayloadTTL < 0 {
		return fmt.Errorf("rsctest: WithLimits: PushPayloadTTL %v: must not be negative (0 means 7 days)", l.PushPayloadTTL)
	}
	return nil
}

// orDefault returns def for a zero v, and -1 (no limit) for a negative one.
func orDefault(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return -1
	}
	return v
}

// normalize returns the limits in force: zero fields replaced by LinkedIn's
// defaults, -1 for no limit (and for every throttle when Disabled). Every
// check reads a limit as "no limit unless positive".
func (l Limits) normalize() Limits {
	n := l
	n.SyncRequestsPerDay = orDefault(l.SyncRequestsPerDay, 100_000)
	n.SyncRecordsPerMinute = orDefault(l.SyncRecordsPerMinute, 10_000)
	n.IntegrationRequestsPerDay = orDefault(l.IntegrationRequestsPerDay, 5_000)
	n.ProspectRequestsPerDay = orDefault(l.ProspectRequestsPerDay, 100_000)
	n.JobTaskRequestsPerDay = orDefault(l.JobTaskRequestsPerDay, 300_000)
	n.JobPostingRequestsPerDay = orDefault(l.JobPostingRequestsPerDay, 100_000)
	n.ExportsPerSeatPerMonth = orDefault(l.ExportsPerSeatPerMonth, 300)
	n.MaxBatch = orDefault(l.MaxBatch, 100)
	n.MaxURL = orDefault(l.MaxURL, 8192)
	n.MaxQuery = orDefault(l.MaxQuery, 4096)
	n.MaxPathSegment = orDefault(l.MaxPathSegment, 4096)
	n.MailStubsWindow = orDefault(l.MailStubsWindow, 20_000)
	n.MaxACLsPerUser = orDefault(l.MaxACLsPerUser, 10)
	if n.PushPayloadTTL == 0 {
		n.PushPayloadTTL = 7 * 24 * time.Hour
	}
	if n.Disabled {
		n.SyncRequestsPerDay, n.SyncRecordsPerMinute, n.IntegrationRequestsPerDay = -1, -1, -1
		n.ProspectRequestsPerDay, n.JobTaskRequestsPerDay, n.JobPostingRequestsPerDay = -1, -1, -1
		n.ExportsPerSeatPerMonth = -1
	}
	return n
}

// Window names the throttle window of a 429 (header X-Li-Throttle-Window).
const (
	WindowDay    = "DAY"
	WindowMinute = "MINUTE"
)

const throttleMessage = "Resource level throttle limit for calls to this resource is reached."

// throttle class of a resource.
type class int

const (
	classNone class = iota
	classSync
	classIntegrations
	classProspect
	classJobTasks
	classJobs
)

// Counters are request accounting figures, per customer app or summed.
type Counters struct {
	// Requests counts requests that passed the throttle (and were served).
	Requests int64
	// Records counts keys/elements in those requests.
	Records int64
	// Throttled429Day counts 429s answered with X-Li-Throttle-Window: DAY.
	Throttled429Day int64
	// Throttled429Minute counts 429s answered with X-Li-Throttle-Window: MINUTE
	// (including injected 429 bursts).
	Throttled429Minute int64
	// ByResource counts served requests per throttle bucket (canonical resource name,
	// or "prospectInteractions" for the combined bucket).
	ByResource map[string]int64
}

func (c *Counters) add(o Counters) {
	c.Requests += o.Requests
	c.Records += o.Records
	c.Throttled429Day += o.Throttled429Day
	c.Throttled429Minute += o.Throttled429Minute
	if len(o.ByResource) > 0 && c.ByResource == nil {
		c.ByResource = map[string]int64{}
	}
	for k, v := range o.ByResource {
		c.ByResource[k] += v
	}
}

type bucket struct {
	day, minute    int64 // window numbers (unix day, unix minute)
	dayCount       int
	minuteRecords  int
	minuteRequests int
}

type throttle struct {
	mu       sync.Mutex
	buckets  map[string]*bucket
	counters Counters
}

func newThrottle() *throttle {
	return &throttle{buckets: map[string]*bucket{}, counters: Counters{ByResource: map[string]int64{}}}
}

// admit counts one request of records keys against bucket name. It returns ""
// when admitted, or the window that is exhausted plus the Retry-After seconds.
func (t *throttle) admit(now time.Time, name string, dayLimit, minuteRecords, records int) (window string, retry int) {
	unix := now.Unix()
	day, minute := floorDiv(unix, 86400), floorDiv(unix, 60)
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.buckets[name]
	if b == nil {
		b = &bucket{day: day, minute: minute}
		t.buckets[name] = b
	}
	if b.day != day {
		b.day, b.dayCount = day, 0
	}
	if b.minute != minute {
		b.minute, b.minuteRecords, b.minuteRequests = minute, 0, 0
	}
	if dayLimit > 0 && b.dayCount+1 > dayLimit {
		t.counters.Throttled429Day++
		return WindowDay, int((day+1)*86400 - unix)
	}
	if minuteRecords > 0 && records > 0 && b.minuteRecords+records > minuteRecords {
		t.counters.Throttled429Minute++
		return WindowMinute, int((minute+1)*60 - unix)
	}
	b.dayCount++
	b.minuteRecords += records
	b.minuteRequests++
	t.counters.Requests++
	t.counters.Records += int64(records)
	t.counters.ByResource[name]++
	return "", 0
}

func (t *throttle) countBurst() {
	t.mu.Lock()
	t.counters.Throttled429Minute++
	t.mu.Unlock()
}

func (t *throttle) snapshot() Counters {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.counters
	c.ByResource = make(map[string]int64, len(t.counters.ByResource))
	for k, v := range t.counters.ByResource {
		c.ByResource[k] = v
	}
	return c
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// write429 answers a throttled request as docs/wire-model.md specifies.
func write429(w http.ResponseWriter, window string, retry int) {
	w.Header().Set("X-Li-Throttle-Window", window)
	if window == WindowMinute {
		if retry < 1 {
			retry = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(retry))
	}
	writeJSON(w, http.StatusTooManyRequests, apiError{Message: throttleMessage, ServiceErrorCode: 429, Status: 429})
}
