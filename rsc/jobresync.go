package rsc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// JobResyncType is the type of LinkedIn's job resync notification.
const JobResyncType = "RESYNC_JOBS"

// JobResync is LinkedIn's request, sent to the webhook the partner
// registered in the Developer Portal, to send a customer's jobs again
// with an UPDATE within 30 minutes (docs/linkedin-api.md §7.9).
type JobResync struct {
	// DeveloperApplication names the customer: its child application,
	// urn:li:developerApplication:{id} (ProvisionedApplication.Key).
	DeveloperApplication string `json:"developerApplicationUrn"`
	// Type is JobResyncType.
	Type string `json:"type"`
	// SyncAllOpenJobs asks for every open job of the customer.
	SyncAllOpenJobs bool `json:"syncAllOpenJobs"`
	// ExternalJobPostingIDs are the jobs asked for when SyncAllOpenJobs
	// is false.
	ExternalJobPostingIDs []string `json:"externalJobPostingIds,omitempty"`
}

// ParseJobResync decodes a job resync notification and checks it: type
// RESYNC_JOBS, a developerApplicationUrn, syncAllOpenJobs present, and,
// unless it is true, at least one job id, none empty. Fields it does not
// know are ignored, as LinkedIn may add some.
func ParseJobResync(body []byte) (JobResync, error) {
	var raw struct {
		JobResync
		SyncAll *bool `json:"syncAllOpenJobs"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil {
		return JobResync{}, fmt.Errorf("rsc: job resync notification: %w", err)
	}
	if dec.More() {
		return JobResync{}, errors.New("rsc: job resync notification: data after the JSON object")
	}
	r := raw.JobResync
	switch {
	case r.Type != JobResyncType:
		return JobResync{}, fmt.Errorf("rsc: job resync notification: type %q, want %s", r.Type, JobResyncType)
	case !strings.HasPrefix(r.DeveloperApplication, "urn:li:developerApplication:") || len(r.DeveloperApplication) == len("urn:li:developerApplication:"):
		return JobResync{}, errors.New("rsc: job resync notification: developerApplicationUrn must be urn:li:developerApplication:{id}")
	case raw.SyncAll == nil:
		return JobResync{}, errors.New("rsc: job resync notification: syncAllOpenJobs is required")
	}
	r.SyncAllOpenJobs = *raw.SyncAll
	if !r.SyncAllOpenJobs && len(r.ExternalJobPostingIDs) == 0 {
		return JobResync{}, errors.New("rsc: job resync notification: no externalJobPostingIds and syncAllOpenJobs false")
	}
	for _, id := range r.ExternalJobPostingIDs {
		if strings.TrimSpace(id) == "" {
			return JobResync{}, errors.New("rsc: job resync notification: an empty externalJobPostingId")
		}
	}
	return r, nil
}

// WebhookChallengeResponse is the challengeResponse that proves ownership
// of a Developer Portal webhook: the hex HMAC-SHA256 of challengeCode keyed
// by the application's client secret (docs/linkedin-api.md §7.9). It is
// also what an X-LI-Signature of a body of those bytes carries (SignPush):
// answer only a challengeCode that is a UUID, as LinkedIn's is, or the
// webhook signs whatever a stranger sends it.
func WebhookChallengeResponse(challengeCode, clientSecret string) string {
	return hmacHex([]byte(challengeCode), clientSecret)
}
