package rsctest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"time"
)

// The Developer Portal webhook of job resync notifications
// (docs/linkedin-api.md §7.9): the fake plays LinkedIn validating it and
// sending notifications to it, keyed by the partner's client secret.

// ValidateWebhook plays LinkedIn's validation of a Developer Portal webhook
// at webhookURL: a GET with a fresh challengeCode, whose answer must be 2xx
// JSON echoing the code with the challengeResponse signed by the partner's
// client secret (hex HMAC-SHA256 of the code). It returns nil when the
// webhook passes, else what failed.
func (s *Server) ValidateWebhook(ctx context.Context, webhookURL string) error {
	u, err := url.Parse(webhookURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("rsctest: ValidateWebhook: %q is not an http(s) URL", webhookURL)
	}
	code := s.uuid()
	q := u.Query()
	q.Set("challengeCode", code)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	resp, err := s.webhookClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var got struct {
		Code     string `json:"challengeCode"`
		Response string `json:"challengeResponse"`
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("rsctest: the webhook answered the challenge %d", resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&got); err != nil {
		return fmt.Errorf("rsctest: the webhook's challenge answer: %w", err)
	}
	if got.Code != code || "hmacsha256="+got.Response != Sign([]byte(s.cfg.partnerSecret), []byte(code)) {
		return errors.New("rsctest: the webhook's challengeResponse does not sign the challengeCode with the partner's secret")
	}
	return nil
}

// SendJobResync plays LinkedIn asking for the customer's jobs to be sent
// again: it POSTs a RESYNC_JOBS notification naming the customer's child
// application (AppKey) and the jobs ids, or every open job when all is
// set, to webhookURL, signed (X-LI-Signature) with the partner's client
// secret, and returns the webhook's status. Once the webhook answered 2xx,
// the customer owes LinkedIn an UPDATE of each job (every listed one, for
// all) until a job operation arrives for it: JobResyncsOwed.
func (cu *Customer) SendJobResync(ctx context.Context, webhookURL string, ids []string, all bool) (int, error) {
	s := cu.s
	body, err := json.Marshal(struct { // the field order of LinkedIn's samples
		App  string   `json:"developerApplicationUrn"`
		IDs  []string `json:"externalJobPostingIds,omitempty"`
		All  bool     `json:"syncAllOpenJobs"`
		Type string   `json:"type"`
	}{cu.AppKey, ids, all, "RESYNC_JOBS"})
	if err != nil {
		return 0, err
	}
	status, err := post(ctx, s.webhookClient(), webhookURL, body, Sign([]byte(s.cfg.partnerSecret), body))
	if err != nil || status/100 != 2 {
		return status, err
	}
	now := s.now()
	cu.mu.Lock()
	defer cu.mu.Unlock()
	if all {
		ids = nil
		for id, j := range cu.jobs {
			if j.state == JobListed {
				ids = append(ids, id)
			}
		}
	}
	for _, id := range ids {
		cu.resyncOwed[id] = now
	}
	return status, nil
}

// JobResyncsOwed returns the jobs LinkedIn asked for again (SendJobResync)
// that no job operation has reached since, with when each was asked for:
// LinkedIn wants them within 30 minutes.
func (cu *Customer) JobResyncsOwed() map[string]time.Time {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	return maps.Clone(cu.resyncOwed)
}

// webhookClient is the HTTP client the fake calls the ATS's webhooks with.
func (s *Server) webhookClient() *http.Client {
	if s.cfg.httpClient != nil {
		return s.cfg.httpClient
	}
	return &http.Client{Timeout: 10 * time.Second}
}
