package onboarding

import (
	"strings"
	"testing"
	"time"
)

// TestOptions: each option sets what it documents, refuses bad values with
// an error naming it, and is refused by constructors it does not apply to.
func TestOptions(t *testing.T) {
	type optionCase struct {
		target uint8
		opt    Option
		check  func(c *config) bool
		err    string
	}
	for name, tc := range map[string]optionCase{
		"dedup":                           {forPush, WithDedup(5, time.Minute), func(c *config) bool { return c.dedupSize == 5 && c.dedupTTL == time.Minute }, ""},
		"fetch timeout":                   {forPush, WithFetchTimeout(time.Second), func(c *config) bool { return c.fetchTimeout == time.Second }, ""},
		"push workers":                    {forPush, WithPushWorkers(2, 4), func(c *config) bool { return c.workers == 2 && c.queueSize == 4 }, ""},
		"state TTL":                       {forSigner, WithStateTTL(time.Minute), func(c *config) bool { return c.stateTTL == time.Minute }, ""},
		"zero dedup":                      {forPush, WithDedup(0, time.Minute), nil, "onboarding: WithDedup(0, 1m0s): both must be positive"},
		"zero fetch timeout":              {forPush, WithFetchTimeout(0), nil, "onboarding: WithFetchTimeout(0s): must be positive"},
		"nil secret store":                {forFlow, WithSecretStore(nil), nil, "onboarding: WithSecretStore: nil argument"},
		"flow option to the push handler": {forPush, WithStartSync(nil), nil, "onboarding: WithStartSync does not apply to Flow.PushHandler"},
		"push option to NewFlow":          {forFlow, WithUnsignedPushes(), nil, "onboarding: WithUnsignedPushes does not apply to NewFlow"},
		"logger to the consent registry":  {forConsent, WithLogger(nil), nil, "onboarding: WithLogger does not apply to NewConsentRegistry"},
	} {
		c, err := newConfig(tc.target, []Option{tc.opt})
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: err = %v, want %q", name, err, tc.err)
		case tc.err == "" && (err != nil || !tc.check(c)):
			t.Errorf("%s: err = %v, or the option did not take", name, err)
		}
	}
}
