package inmail

import (
	"math"
	"strings"
	"testing"
	"time"
)

// TestOptions: each option sets what it documents, refuses bad values with
// an error naming it, and is refused by constructors it does not apply to.
func TestOptions(t *testing.T) {
	users := NewMemorySink()
	profile := func(string) string { return "u" }
	for _, tc := range []struct {
		name   string
		target uint8
		opt    Option
		check  func(c *config) bool
		err    string
	}{
		{"pending TTL", forRetriever, WithPendingTTL(time.Hour), func(c *config) bool { return c.pendingTTL == time.Hour }, ""},
		{"seat refresh", forRetriever, WithSeatRefresh(time.Hour), func(c *config) bool { return c.seatRefresh == time.Hour }, ""},
		{"max windows", forRetriever, WithMaxWindows(3), func(c *config) bool { return c.maxWindows == 3 }, ""},
		{"profile URL", forRetriever, WithProfileURL(profile), func(c *config) bool { return c.profileURL("x") == "u" }, ""},
		{"users", forRetriever, WithUsers(users), func(c *config) bool { return c.users == users }, ""},
		{"export timeout", forPush, WithExportTimeout(time.Second), func(c *config) bool { return c.exportTimeout == time.Second }, ""},
		{"push workers", forPush, WithPushWorkers(3, 9), func(c *config) bool { return c.workers == 3 && c.queueSize == 9 }, ""},
		{"unsigned", forPush, WithUnsignedPushes(), func(c *config) bool { return c.unsigned }, ""},
		{"export retry", forRetriever, WithExportRetry(3, time.Second, time.Minute), func(c *config) bool {
			return c.exportAttempts == 3 && c.exportBackoff == [2]time.Duration{time.Second, time.Minute}
		}, ""},
		{"export retry without attempts", forRetriever, WithExportRetry(0, time.Second, time.Minute), nil,
			"inmail: WithExportRetry(0, 1s, 1m0s): need attempts > 0 and 0 < lo <= hi"},
		{"export backoff upside down", forRetriever, WithExportRetry(3, time.Minute, time.Second), nil,
			"inmail: WithExportRetry(3, 1m0s, 1s): need attempts > 0 and 0 < lo <= hi"},
		{"export retry to PushHandler", forPush, WithExportRetry(3, time.Second, time.Minute), nil,
			"inmail: WithExportRetry does not apply to Retriever.PushHandler"},
		{"export timeouts", forRetriever, WithExportTimeouts(5), func(c *config) bool { return c.exportTimeouts == 5 }, ""},
		{"zero export timeouts", forRetriever, WithExportTimeouts(0), nil, "inmail: WithExportTimeouts(0): must be positive"},
		{"record attempts", forRetriever, WithRecordAttempts(4), func(c *config) bool { return c.recordAttempts == 4 }, ""},
		{"zero record attempts", forRetriever, WithRecordAttempts(0), nil, "inmail: WithRecordAttempts(0): must be positive"},
		{"clock skew", forRetriever, WithClockSkew(time.Minute), func(c *config) bool { return c.clockSkew == time.Minute }, ""},
		{"negative clock skew", forRetriever, WithClockSkew(-time.Minute), nil, "inmail: WithClockSkew(-1m0s): must be positive"},
		{"clock skew to Scheduler", forScheduler, WithClockSkew(time.Minute), nil, "inmail: WithClockSkew does not apply to NewScheduler"},
		{"zero windows", forRetriever, WithMaxWindows(0), nil, "inmail: WithMaxWindows(0): must be positive"},
		{"nil users", forRetriever, WithUsers(nil), nil, "inmail: WithUsers: nil argument"},
		{"queue below workers", forPush, WithPushWorkers(4, 2), nil, "inmail: WithPushWorkers: 4 workers and a queue of 2: need workers > 0 and queue >= workers"},
		{"bad backoff", forScheduler, WithBackoff(time.Hour, time.Minute), nil, "inmail: WithBackoff: min 1h0m0s, max 1m0s: need 0 < min <= max"},
		{"jitter over 1", forScheduler, WithJitter(2, nil), nil, "inmail: WithJitter(2): must be in [0, 1]"},
		{"jitter NaN", forScheduler, WithJitter(math.NaN(), nil), nil, "inmail: WithJitter(NaN): must be in [0, 1]"},
		{"jitter -Inf", forScheduler, WithJitter(math.Inf(-1), nil), nil, "inmail: WithJitter(-Inf): must be in [0, 1]"},
		{"jitter 1", forScheduler, WithJitter(1, nil), func(c *config) bool { return c.jitter == 1 }, ""},
		{"push option to New", forRetriever, WithExportTimeout(time.Second), nil, "inmail: WithExportTimeout does not apply to New"},
		{"retriever option to PushHandler", forPush, WithUsers(users), nil, "inmail: WithUsers does not apply to Retriever.PushHandler"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := newConfig(tc.target, []Option{tc.opt})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !tc.check(c) {
				t.Fatalf("err = %v, or the option did not take", err)
			}
		})
	}
}
